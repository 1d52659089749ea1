build/asan/src/cli/cmd_collection.o: src/cli/cmd_collection.c \
 src/cli/cli.h src/store/store.h src/util/err.h src/util/limits.h \
 src/cli/opt.h src/crypto/crypto.h src/util/uuid.h
src/cli/cli.h:
src/store/store.h:
src/util/err.h:
src/util/limits.h:
src/cli/opt.h:
src/crypto/crypto.h:
src/util/uuid.h:
