build/obj/src/main.o: src/main.c src/cli/cli.h src/store/store.h \
 src/util/err.h src/util/limits.h src/crypto/crypto.h src/util/jsonmem.h \
 src/util/buf.h
src/cli/cli.h:
src/store/store.h:
src/util/err.h:
src/util/limits.h:
src/crypto/crypto.h:
src/util/jsonmem.h:
src/util/buf.h:
