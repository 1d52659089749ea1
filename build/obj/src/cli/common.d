build/obj/src/cli/common.o: src/cli/common.c src/cli/cli.h \
 src/store/store.h src/util/err.h src/util/limits.h src/crypto/crypto.h \
 src/http/auth.h
src/cli/cli.h:
src/store/store.h:
src/util/err.h:
src/util/limits.h:
src/crypto/crypto.h:
src/http/auth.h:
