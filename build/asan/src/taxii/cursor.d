build/asan/src/taxii/cursor.o: src/taxii/cursor.c src/crypto/crypto.h \
 src/util/err.h src/taxii/taxii.h src/store/store.h src/util/limits.h \
 src/util/buf.h src/util/timeutil.h
src/crypto/crypto.h:
src/util/err.h:
src/taxii/taxii.h:
src/store/store.h:
src/util/limits.h:
src/util/buf.h:
src/util/timeutil.h:
