build/asan/src/stix/pattern.o: src/stix/pattern.c src/stix/pattern.h \
 src/util/buf.h src/util/err.h src/util/limits.h src/util/timeutil.h
src/stix/pattern.h:
src/util/buf.h:
src/util/err.h:
src/util/limits.h:
src/util/timeutil.h:
