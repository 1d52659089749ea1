build/obj/src/stix/validate_sdo.o: src/stix/validate_sdo.c \
 src/stix/pattern.h src/util/buf.h src/util/err.h src/util/limits.h \
 src/stix/stix.h src/stix/stix_int.h
src/stix/pattern.h:
src/util/buf.h:
src/util/err.h:
src/util/limits.h:
src/stix/stix.h:
src/stix/stix_int.h:
