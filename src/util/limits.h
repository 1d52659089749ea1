/*
 * limits.h: every bound entente puts on outside input, in one place.
 *
 * Like OpenBSD httpd.h's SERVER_MAXHEADERLENGTH: code never compares against
 * a bare number, it names one of these.  Values advertised to clients
 * (max_content_length, page size caps) come from here too, so what we say
 * and what we enforce cannot drift apart.
 */
#ifndef ENTENTE_UTIL_LIMITS_H
#define ENTENTE_UTIL_LIMITS_H

/* HTTP request body: a TAXII envelope.  Advertised as max_content_length. */
#define LIM_ENVELOPE_BYTES		(16u * 1024u * 1024u)
/* Objects in one posted envelope. */
#define LIM_ENVELOPE_OBJECTS		10000u
/* One STIX object, serialized. */
#define LIM_OBJECT_BYTES		(1024u * 1024u)
/* JSON nesting depth inside one object (jansson allows 2048). */
#define LIM_JSON_DEPTH			32u
/* Elements of any single JSON array inside an object. */
#define LIM_JSON_ARRAY			10000u
/* Members of any single JSON object. */
#define LIM_JSON_MEMBERS		1000u
/* One JSON string value, in bytes. */
#define LIM_JSON_STRING			(256u * 1024u)

/* STIX patterning: pattern text length and parse tree nodes. */
#define LIM_PATTERN_BYTES		(64u * 1024u)
#define LIM_PATTERN_NODES		4096u
#define LIM_PATTERN_DEPTH		64u

/* TAXII paging. */
#define LIM_PAGE_DEFAULT		100u
#define LIM_PAGE_MAX			1000u
/* Comma-separated values in one match[...] parameter. */
#define LIM_MATCH_VALUES		100u
/* Whole query string and one request path. */
#define LIM_QUERY_BYTES			8192u
#define LIM_PATH_BYTES			2048u
/* Length of an opaque next cursor. */
#define LIM_CURSOR_BYTES		256u

/* Status resources are kept at least this long (TAXII asks for 24 h). */
#define LIM_STATUS_KEEP_SECONDS		(7 * 24 * 3600)

/* libmicrohttpd connection limits. */
#define LIM_HTTP_CONNECTIONS		1024u
#define LIM_HTTP_PER_IP_CONNECTIONS	128u
#define LIM_HTTP_TIMEOUT_SECONDS	30u
/* Per-connection memory for request line and headers; libmicrohttpd clears
 * it for every request, so it is kept small (431 past it). */
#define LIM_HTTP_CONNECTION_MEMORY	(32u * 1024u)
/* Seconds serve waits for in-flight requests on SIGTERM. */
#define LIM_SHUTDOWN_GRACE_SECONDS	10u

/* Names. */
#define LIM_PARTY_NAME			64u
#define LIM_TITLE			256u
#define LIM_DESCRIPTION			4096u
/* A STIX identifier: type (<= 250) + "--" + UUID (36). */
#define LIM_STIX_ID			290u
#define LIM_STIX_TYPE			250u

/* Config and key files read from disk. */
#define LIM_FILE_BYTES			(1024u * 1024u)

#endif
