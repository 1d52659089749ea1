/*
 * fuzz_object.c: libFuzzer harness for STIX object validation
 * (stix/stix.c, validate_sdo.c, validate_sco.c, and through indicators the
 * pattern parser).  The input is parsed the way the server parses objects:
 * json_loadb() with JSON_DECODE_INT_AS_REAL | JSON_REJECT_DUPLICATES.
 *
 * Invariants checked, abort() on violation:
 * - stix_check_limits() returns ERR_OK or ERR_TOOBIG, the latter with a
 *   non-empty reason;
 * - stix_validate() (run whatever the limits said, so it must be safe on
 *   any JSON) returns ERR_OK, ERR_INVALID, ERR_TOOBIG or ERR_NOMEM; on error
 *   the reason is non-empty and one line;
 * - on ERR_OK the info fields are non-NULL, info.id starts with info.type
 *   followed by "--", equals the object's "id", passes stix_id_valid(),
 *   spec_version is "2.1", and modified >= created;
 * - validation is deterministic: a second call gives the same result.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "stix/stix.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stix_info info, info2;
	char reason[256], reason2[256];
	json_error_t je;
	size_t tlen;
	json_t *o;
	enum err e;

	o = json_loadb((const char *)data, size,
	    JSON_DECODE_INT_AS_REAL | JSON_REJECT_DUPLICATES, &je);
	if (o == NULL)
		return 0;
	e = stix_check_limits(o, reason, sizeof(reason));
	if (e != ERR_OK && (e != ERR_TOOBIG || reason[0] == '\0'))
		abort();
	memset(&info, 0, sizeof(info));
	e = stix_validate(o, &info, reason, sizeof(reason));
	if (stix_validate(o, &info2, reason2, sizeof(reason2)) != e)
		abort();
	if (e != ERR_OK) {
		if (e != ERR_INVALID && e != ERR_TOOBIG && e != ERR_NOMEM)
			abort();
		if (reason[0] == '\0' || strchr(reason, '\n') != NULL ||
		    strcmp(reason, reason2) != 0)
			abort();
		json_decref(o);
		return 0;
	}
	if (info.id == NULL || info.type == NULL || info.spec_version == NULL)
		abort();
	tlen = strlen(info.type);
	if (strncmp(info.id, info.type, tlen) != 0 || info.id[tlen] != '-' ||
	    info.id[tlen + 1] != '-' || !stix_id_valid(info.id))
		abort();
	if (strcmp(info.id, json_string_value(json_object_get(o, "id"))) != 0 ||
	    strcmp(info.spec_version, "2.1") != 0)
		abort();
	if (info.has_modified && info.modified < info.created)
		abort();
	if (!info.has_modified && info.modified != info.created)
		abort();
	json_decref(o);
	return 0;
}
