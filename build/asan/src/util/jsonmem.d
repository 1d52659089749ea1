build/asan/src/util/jsonmem.o: src/util/jsonmem.c src/util/jsonmem.h \
 src/util/buf.h src/util/err.h
src/util/jsonmem.h:
src/util/buf.h:
src/util/err.h:
