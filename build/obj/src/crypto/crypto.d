build/obj/src/crypto/crypto.o: src/crypto/crypto.c \
 src/crypto/crypto_int.h src/crypto/crypto.h src/util/err.h
src/crypto/crypto_int.h:
src/crypto/crypto.h:
src/util/err.h:
