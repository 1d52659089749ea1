build/asan/src/taxii/taxii.o: src/taxii/taxii.c src/crypto/crypto.h \
 src/util/err.h src/stix/jcs.h src/util/buf.h src/stix/stix.h \
 src/taxii/taxii.h src/store/store.h src/util/limits.h \
 src/util/timeutil.h src/util/jsonmem.h src/util/uuid.h
src/crypto/crypto.h:
src/util/err.h:
src/stix/jcs.h:
src/util/buf.h:
src/stix/stix.h:
src/taxii/taxii.h:
src/store/store.h:
src/util/limits.h:
src/util/timeutil.h:
src/util/jsonmem.h:
src/util/uuid.h:
