build/asan/src/taxii/query.o: src/taxii/query.c src/stix/stix.h \
 src/util/err.h src/taxii/taxii.h src/store/store.h src/util/limits.h \
 src/util/buf.h src/util/timeutil.h
src/stix/stix.h:
src/util/err.h:
src/taxii/taxii.h:
src/store/store.h:
src/util/limits.h:
src/util/buf.h:
src/util/timeutil.h:
