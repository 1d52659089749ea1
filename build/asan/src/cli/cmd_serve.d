build/asan/src/cli/cmd_serve.o: src/cli/cmd_serve.c src/cli/cli.h \
 src/store/store.h src/util/err.h src/util/limits.h src/cli/opt.h \
 src/crypto/crypto.h src/http/http.h src/util/buf.h src/taxii/taxii.h \
 src/util/timeutil.h src/util/log.h
src/cli/cli.h:
src/store/store.h:
src/util/err.h:
src/util/limits.h:
src/cli/opt.h:
src/crypto/crypto.h:
src/http/http.h:
src/util/buf.h:
src/taxii/taxii.h:
src/util/timeutil.h:
src/util/log.h:
