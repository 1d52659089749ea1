/*
 * jcs.h: RFC 8785 JSON Canonicalization Scheme.
 *
 * Serializes a jansson value in canonical form: object members sorted by the
 * UTF-16 code units of their names, no whitespace, strings with the minimal
 * escapes of RFC 8785 section 3.2.2.2, numbers formatted as ECMAScript's
 * Number.prototype.toString (section 3.2.2.3).  The result is the byte string
 * entente hashes, signs and stores.  Pure: no I/O, no globals.
 */
#ifndef ENTENTE_STIX_JCS_H
#define ENTENTE_STIX_JCS_H

#include <jansson.h>

#include "util/buf.h"
#include "util/err.h"

/* Longest ECMAScript number string, with NUL ("-1.2345678901234567e-308"). */
#define JCS_NUMBUF 32

/*
 * Append the canonical form of v (borrowed) to b.  Integers (json_integer)
 * are formatted as the double they denote, as I-JSON requires.  ERR_INVALID
 * for NaN or infinity, ERR_TOOBIG when b's cap is reached, ERR_NOMEM.  On
 * error b is reset (see buf.h).
 */
enum err jcs_serialize(const json_t *v, struct buf *b) WUR;

/*
 * Format d as ECMAScript does (shortest round-trip digits, exponent rules of
 * Number::toString, -0 as "0").  ERR_INVALID for NaN and infinities.
 */
enum err jcs_format_number(double d, char out[JCS_NUMBUF]) WUR;

/*
 * Compare two UTF-8 strings by their UTF-16 code units, as RFC 8785 sorts
 * member names.  Returns <0, 0 or >0.  Can't fail (invalid UTF-8, which
 * jansson never hands us, compares bytewise).
 */
int jcs_keycmp(const char *a, size_t a_len, const char *b, size_t b_len);

#endif
