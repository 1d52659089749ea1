build/obj/src/stix/jcs.o: src/stix/jcs.c src/stix/jcs.h src/util/buf.h \
 src/util/err.h
src/stix/jcs.h:
src/util/buf.h:
src/util/err.h:
