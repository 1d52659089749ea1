build/asan/src/cli/cmd_party.o: src/cli/cmd_party.c src/cli/cli.h \
 src/store/store.h src/util/err.h src/util/limits.h src/cli/opt.h \
 src/crypto/crypto.h src/util/timeutil.h
src/cli/cli.h:
src/store/store.h:
src/util/err.h:
src/util/limits.h:
src/cli/opt.h:
src/crypto/crypto.h:
src/util/timeutil.h:
