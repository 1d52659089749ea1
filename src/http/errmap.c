/*
 * errmap.c: the one table from enum err to an HTTP status and a TAXII
 * error object (TAXII 2.1 section 3.6.1: title, http_status as a string,
 * description).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "http/http.h"
#include "util/jsonmem.h"

static const struct {
	int		 status;
	const char	*title;
} errmap[ERR_COUNT_] = {
	[ERR_OK] = { 200, "OK" },
	[ERR_NOMEM] = { 500, "Internal server error" },
	[ERR_TOOBIG] = { 413, "Request too large" },
	[ERR_PARSE] = { 400, "Bad request" },
	[ERR_INVALID] = { 422, "Unprocessable content" },
	[ERR_DB] = { 500, "Internal server error" },
	[ERR_IO] = { 500, "Internal server error" },
	[ERR_NOTFOUND] = { 404, "Not found" },
	[ERR_EXISTS] = { 409, "Conflict" },
	[ERR_RANGE] = { 400, "Bad request" },
	[ERR_CRYPTO] = { 500, "Internal server error" },
	[ERR_AUTH] = { 401, "Authentication required" },
	[ERR_FORBIDDEN] = { 403, "Forbidden" },
	[ERR_CONFLICT] = { 409, "Conflict" },
	[ERR_UNSUPPORTED] = { 422, "Unprocessable content" },
	[ERR_BUSY] = { 503, "Service busy" },
	[ERR_NOTACCEPTABLE] = { 406, "Not acceptable" },
	[ERR_MEDIATYPE] = { 415, "Unsupported media type" },
	[ERR_METHOD] = { 405, "Method not allowed" },
};

int
http_error(enum err err, const char *msg, struct buf *body)
{
	char code[8];
	json_t *j;
	int status;

	if ((unsigned)err >= ERR_COUNT_ || errmap[err].title == NULL)
		err = ERR_DB;
	status = errmap[err].status;
	/* Internal failures are not described to the client. */
	if (status == 500)
		msg = "the server failed; the request had no effect";
	(void)snprintf(code, sizeof(code), "%d", status);
	buf_clear(body);
	j = json_pack("{s:s, s:s}", "title", errmap[err].title, "http_status",
	    code);
	if (j == NULL)
		return status;
	if (msg != NULL && msg[0] != '\0')
		(void)json_object_set_new(j, "description", json_string(msg));
	if (jsonmem_dump(j, body) != ERR_OK)
		buf_clear(body);	/* leave it empty, as promised */
	json_decref(j);
	return status;
}
