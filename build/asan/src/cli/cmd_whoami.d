build/asan/src/cli/cmd_whoami.o: src/cli/cmd_whoami.c src/cli/cli.h \
 src/store/store.h src/util/err.h src/util/limits.h src/cli/opt.h \
 src/crypto/crypto.h
src/cli/cli.h:
src/store/store.h:
src/util/err.h:
src/util/limits.h:
src/cli/opt.h:
src/crypto/crypto.h:
