/*
 * err.h: the one error type every fallible function in entente returns.
 *
 * Modelled on CURLcode and SQLITE_OK: ERR_OK is zero, everything else says
 * what went wrong in a way the HTTP layer can map to a status code (see
 * http/errmap.c, the only place that does so).  This header must not depend
 * on anything else in the tree.
 */
#ifndef ENTENTE_UTIL_ERR_H
#define ENTENTE_UTIL_ERR_H

#define WUR __attribute__((warn_unused_result))

enum err {
	ERR_OK = 0,
	ERR_NOMEM,		/* allocation failed */
	ERR_TOOBIG,		/* input or output exceeds a named limit */
	ERR_PARSE,		/* syntactically malformed input */
	ERR_INVALID,		/* well-formed but semantically invalid */
	ERR_DB,			/* storage engine failure */
	ERR_IO,			/* file system or socket failure */
	ERR_NOTFOUND,		/* the thing asked for does not exist */
	ERR_EXISTS,		/* the thing to create already exists */
	ERR_RANGE,		/* index or size out of range */
	ERR_CRYPTO,		/* key, signature or random failure */
	ERR_AUTH,		/* missing or bad credentials */
	ERR_FORBIDDEN,		/* authenticated but not allowed */
	ERR_CONFLICT,		/* same identity, different content */
	ERR_UNSUPPORTED,	/* a feature or value we do not handle */
	ERR_BUSY,		/* transient: try again later */
	ERR_NOTACCEPTABLE,	/* client accepts no media type we produce */
	ERR_MEDIATYPE,		/* request body in a media type we refuse */
	ERR_METHOD,		/* method not allowed on this resource */
	ERR_COUNT_
};

/*
 * Return a short, static, human-readable description of e.
 * This function can't fail.
 */
const char *err_str(enum err e);

#endif
