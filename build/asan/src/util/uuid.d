build/asan/src/util/uuid.o: src/util/uuid.c src/util/uuid.h
src/util/uuid.h:
