build/asan/src/crypto/crypto_secret.o: src/crypto/crypto_secret.c \
 src/crypto/crypto_int.h src/crypto/crypto.h src/util/err.h \
 src/util/log.h
src/crypto/crypto_int.h:
src/crypto/crypto.h:
src/util/err.h:
src/util/log.h:
