build/asan/src/stix/validate_sco.o: src/stix/validate_sco.c \
 src/stix/stix_int.h src/util/err.h
src/stix/stix_int.h:
src/util/err.h:
