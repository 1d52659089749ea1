#include "util/err.h"

static const char *const err_names[ERR_COUNT_] = {
	[ERR_OK] = "success",
	[ERR_NOMEM] = "out of memory",
	[ERR_TOOBIG] = "too large",
	[ERR_PARSE] = "malformed input",
	[ERR_INVALID] = "invalid input",
	[ERR_DB] = "database error",
	[ERR_IO] = "input/output error",
	[ERR_NOTFOUND] = "not found",
	[ERR_EXISTS] = "already exists",
	[ERR_RANGE] = "out of range",
	[ERR_CRYPTO] = "cryptographic failure",
	[ERR_AUTH] = "authentication required",
	[ERR_FORBIDDEN] = "forbidden",
	[ERR_CONFLICT] = "conflict",
	[ERR_UNSUPPORTED] = "unsupported",
	[ERR_BUSY] = "busy",
	[ERR_NOTACCEPTABLE] = "not acceptable",
	[ERR_MEDIATYPE] = "unsupported media type",
	[ERR_METHOD] = "method not allowed",
};

const char *
err_str(enum err e)
{
	if ((unsigned)e >= ERR_COUNT_ || err_names[e] == 0)
		return "unknown error";
	return err_names[e];
}
