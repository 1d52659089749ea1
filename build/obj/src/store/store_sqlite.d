build/obj/src/store/store_sqlite.o: src/store/store_sqlite.c \
 src/store/store.h src/util/err.h src/util/limits.h \
 src/store/store_sqlite_int.h src/util/buf.h src/util/log.h \
 src/util/timeutil.h
src/store/store.h:
src/util/err.h:
src/util/limits.h:
src/store/store_sqlite_int.h:
src/util/buf.h:
src/util/log.h:
src/util/timeutil.h:
