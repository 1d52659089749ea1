/*
 * fuzz_jcs.c: libFuzzer harness for RFC 8785 canonicalization (stix/jcs.c).
 *
 * Invariants checked, abort() on violation:
 * - only nesting deeper than 1000 levels is refused (ERR_TOOBIG, buffer
 *   left empty);
 * - canonicalizing, parsing the result and canonicalizing again gives the
 *   same bytes (idempotence), and the re-parsed value equals the original
 *   (json_equal: no number, string or member lost or changed);
 * - in the canonical output every object's member names are in strictly
 *   increasing UTF-16 order, checked with a separate UTF-16 comparison;
 * - the first 8 input bytes, taken as a double, format to a string that
 *   reads back as the same double, and no digit string one shorter does.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stix/jcs.h"

#define FUZZ_JCS_FLAGS (JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | \
	JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL)

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * Next UTF-16 code unit of a UTF-8 string, for the reference comparison.
 * *pending carries the low surrogate of a supplementary code point.
 * Returns -1 at the end.
 */
static long
next_unit(const unsigned char *s, size_t len, size_t *i, long *pending)
{
	unsigned long cp;
	unsigned char c;
	size_t n, j;

	if (*pending >= 0) {
		long u = *pending;

		*pending = -1;
		return u;
	}
	if (*i >= len)
		return -1;
	c = s[*i];
	if (c < 0x80)
		n = 1, cp = c;
	else if (c < 0xe0)
		n = 2, cp = c & 0x1f;
	else if (c < 0xf0)
		n = 3, cp = c & 0x0f;
	else
		n = 4, cp = c & 0x07;
	if (*i + n > len)
		abort();	/* jansson handed us invalid UTF-8 */
	for (j = 1; j < n; j++)
		cp = (cp << 6) | (s[*i + j] & 0x3f);
	*i += n;
	if (cp < 0x10000)
		return (long)cp;
	cp -= 0x10000;
	*pending = (long)(0xdc00 | (cp & 0x3ff));
	return (long)(0xd800 | (cp >> 10));
}

static int
utf16_order(const char *a, size_t a_len, const char *b, size_t b_len)
{
	size_t i = 0, j = 0;
	long pa = -1, pb = -1, ua, ub;

	for (;;) {
		ua = next_unit((const unsigned char *)a, a_len, &i, &pa);
		ub = next_unit((const unsigned char *)b, b_len, &j, &pb);
		if (ua != ub)
			return ua < ub ? -1 : 1;
		if (ua < 0)
			return 0;
	}
}

/* Member names of every object of v appear in strictly increasing order. */
static void
check_sorted(json_t *v, unsigned depth)
{
	const char *prev = NULL, *key;
	size_t prev_len = 0, key_len, i;
	json_t *val;
	void *it;
	int c1, c2;

	if (depth > 2100)
		abort();
	if (json_is_array(v)) {
		for (i = 0; i < json_array_size(v); i++)
			check_sorted(json_array_get(v, i), depth + 1);
		return;
	}
	if (!json_is_object(v))
		return;
	for (it = json_object_iter(v); it != NULL;
	    it = json_object_iter_next(v, it)) {
		key = json_object_iter_key(it);
		key_len = json_object_iter_key_len(it);
		val = json_object_iter_value(it);
		if (prev != NULL) {
			c1 = jcs_keycmp(prev, prev_len, key, key_len);
			c2 = utf16_order(prev, prev_len, key, key_len);
			if (c1 >= 0 || c2 >= 0)
				abort();
		}
		check_sorted(val, depth + 1);
		prev = key;
		prev_len = key_len;
	}
}

static void
check_number(double d)
{
	char out[JCS_NUMBUF], ref[40], *end;
	size_t k = 0, i;
	double back;

	if (!isfinite(d)) {
		if (jcs_format_number(d, out) != ERR_INVALID)
			abort();
		return;
	}
	if (jcs_format_number(d, out) != ERR_OK)
		abort();
	if (strlen(out) >= JCS_NUMBUF)
		abort();
	back = strtod(out, &end);
	if (*end != '\0' || back != d)
		abort();
	if (d == 0) {
		if (strcmp(out, "0") != 0)
			abort();
		return;
	}
	/* Count significant digits: skip sign, point, leading zeros. */
	for (i = 0; out[i] != '\0' && out[i] != 'e'; i++) {
		if (out[i] >= '1' && out[i] <= '9')
			k = k == 0 ? 1 : k + 1;
		else if (out[i] == '0' && k > 0)
			k++;
	}
	/* Trailing zeros of an integer form are not significant. */
	while (i > 0 && k > 1 && out[i - 1] == '0') {
		k--;
		i--;
	}
	if (k == 0 || k > 17)
		abort();
	if (k > 1) {
		(void)snprintf(ref, sizeof(ref), "%.*e", (int)k - 2, d);
		if (strtod(ref, NULL) == d)
			abort();
	}
}

/* Nesting depth of v: 0 for a scalar, 1 for a flat array or object. */
static unsigned
depth_of(json_t *v)
{
	unsigned d, max = 0;
	const char *key;
	json_t *val;
	size_t i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, val) {
			d = depth_of(val);
			if (d > max)
				max = d;
		}
		return max + 1;
	}
	if (json_is_object(v)) {
		json_object_foreach(v, key, val) {
			d = depth_of(val);
			if (d > max)
				max = d;
		}
		(void)key;
		return max + 1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf b1, b2;
	json_error_t jerr;
	json_t *v, *v2;
	double d;
	enum err err;

	if (size >= sizeof(d)) {
		memcpy(&d, data, sizeof(d));
		check_number(d);
	}

	v = json_loadb((const char *)data, size, FUZZ_JCS_FLAGS, &jerr);
	if (v == NULL)
		return 0;
	buf_init(&b1, 1u << 26);
	buf_init(&b2, 1u << 26);
	err = jcs_serialize(v, &b1);
	/* Nesting past the serializer's cap, and only that, is refused. */
	if ((err == ERR_TOOBIG) != (depth_of(v) > 1000))
		abort();
	if (err == ERR_TOOBIG) {
		if (b1.ptr != NULL || b1.len != 0)
			abort();
		goto out;
	}
	if (err != ERR_OK || b1.ptr == NULL)
		abort();

	v2 = json_loadb(b1.ptr, b1.len, FUZZ_JCS_FLAGS, &jerr);
	if (v2 == NULL)
		abort();
	if (!json_equal(v, v2))
		abort();
	check_sorted(v2, 0);
	if (jcs_serialize(v2, &b2) != ERR_OK)
		abort();
	json_decref(v2);
	if (b1.len != b2.len || memcmp(b1.ptr, b2.ptr, b1.len) != 0)
		abort();
out:
	buf_reset(&b1);
	buf_reset(&b2);
	json_decref(v);
	return 0;
}
