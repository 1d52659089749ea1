build/asan/src/http/auth.o: src/http/auth.c src/crypto/crypto.h \
 src/util/err.h src/http/auth.h src/store/store.h src/util/limits.h
src/crypto/crypto.h:
src/util/err.h:
src/http/auth.h:
src/store/store.h:
src/util/limits.h:
