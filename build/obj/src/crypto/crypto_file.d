build/obj/src/crypto/crypto_file.o: src/crypto/crypto_file.c \
 src/crypto/crypto_int.h src/crypto/crypto.h src/util/err.h
src/crypto/crypto_int.h:
src/crypto/crypto.h:
src/util/err.h:
