build/asan/src/http/mediatype.o: src/http/mediatype.c src/http/http.h \
 src/util/buf.h src/util/err.h
src/http/http.h:
src/util/buf.h:
src/util/err.h:
