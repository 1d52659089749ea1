build/asan/src/http/errmap.o: src/http/errmap.c src/http/http.h \
 src/util/buf.h src/util/err.h src/util/jsonmem.h
src/http/http.h:
src/util/buf.h:
src/util/err.h:
src/util/jsonmem.h:
