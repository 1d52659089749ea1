build/obj/src/util/log.o: src/util/log.c src/util/log.h \
 src/util/timeutil.h src/util/err.h
src/util/log.h:
src/util/timeutil.h:
src/util/err.h:
