/*
 * fuzz_envscan.c: differential harness for taxii_envelope_scan.  Whenever
 * the scanner vouches for a body (returns 0), jansson's parse of the whole
 * body must agree: it succeeds exactly when every span parses, and then its
 * "objects" array holds the spans' values, in order.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "taxii/taxii_int.h"

#define FLAGS	(JSON_REJECT_DUPLICATES | JSON_DECODE_ANY)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct taxii_span *spans = NULL;
	size_t n = 0, i;
	json_t *whole, *objs, *e;
	int all_ok = 1;

	if (taxii_envelope_scan(p, size, &spans, &n) != 0) {
		if (spans != NULL || n != 0)
			abort();
		return 0;
	}
	for (i = 0; i < n; i++)
		if (spans[i].off + spans[i].len > size || spans[i].len == 0)
			abort();
	whole = json_loadb(p, size, FLAGS, NULL);
	for (i = 0; i < n && all_ok; i++) {
		e = json_loadb(p + spans[i].off, spans[i].len, FLAGS, NULL);
		if (e == NULL) {
			all_ok = 0;
			break;
		}
		if (whole != NULL) {
			objs = json_object_get(whole, "objects");
			if (!json_is_array(objs) || json_array_size(objs) != n ||
			    !json_equal(json_array_get(objs, i), e))
				abort();
		}
		json_decref(e);
	}
	if (all_ok != (whole != NULL))
		abort();	/* the two paths judge the body differently */
	if (whole != NULL && (!json_is_object(whole) ||
	    !json_is_array(json_object_get(whole, "objects")) ||
	    json_array_size(json_object_get(whole, "objects")) != n))
		abort();
	json_decref(whole);
	free(spans);
	return 0;
}
