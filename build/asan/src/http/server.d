build/asan/src/http/server.o: src/http/server.c src/http/auth.h \
 src/store/store.h src/util/err.h src/util/limits.h src/http/http.h \
 src/util/buf.h src/taxii/taxii.h src/util/timeutil.h src/util/jsonmem.h \
 src/util/log.h
src/http/auth.h:
src/store/store.h:
src/util/err.h:
src/util/limits.h:
src/http/http.h:
src/util/buf.h:
src/taxii/taxii.h:
src/util/timeutil.h:
src/util/jsonmem.h:
src/util/log.h:
