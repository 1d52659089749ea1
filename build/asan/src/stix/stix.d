build/asan/src/stix/stix.o: src/stix/stix.c src/stix/stix.h \
 src/util/err.h src/stix/stix_int.h src/util/limits.h src/util/timeutil.h
src/stix/stix.h:
src/util/err.h:
src/stix/stix_int.h:
src/util/limits.h:
src/util/timeutil.h:
