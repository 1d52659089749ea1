/*
 * uuid.h: RFC 4122 UUID text form.  Pure functions; the caller supplies
 * randomness (util/ sits below crypto/).
 */
#ifndef ENTENTE_UTIL_UUID_H
#define ENTENTE_UTIL_UUID_H

#include <stddef.h>
#include <stdint.h>

#define UUID_STRLEN 36

/* 1 when s[0..len) is 8-4-4-4-12 hex digits (either case), else 0. */
int uuid_valid(const char *s, size_t len);

/* Format a version 4 UUID from 16 random bytes into out (lower case,
 * NUL-terminated).  Can't fail. */
void uuid_v4_format(const uint8_t rnd[16], char out[UUID_STRLEN + 1]);

#endif
