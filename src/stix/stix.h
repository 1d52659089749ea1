/*
 * stix.h: STIX 2.1 object validation on ingest.
 *
 * Checks one object against STIX 2.1 (OASIS CS02 text): common properties,
 * the required properties and value rules of every SDO, SRO, SCO, the
 * language-content, extension-definition and marking-definition types (TLP
 * 2.0 marking ids known), custom types and properties as the spec allows,
 * and indicator patterns through pattern.h.  It never changes the object and
 * does no I/O: the caller parsed it and stores it.
 */
#ifndef ENTENTE_STIX_STIX_H
#define ENTENTE_STIX_STIX_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "util/err.h"

/* Facts about a valid object that the store indexes.  Strings are borrowed
 * from the json_t passed to stix_validate and live as long as it does. */
struct stix_info {
	const char	*id;		/* "type--uuid" */
	const char	*type;
	const char	*spec_version;	/* "2.1" */
	const char	*created_by_ref; /* NULL when absent */
	int64_t		 created;	/* us since epoch; 0 for SCOs */
	int64_t		 modified;	/* us; the version (created if no
					 * modified; 0 for objects with
					 * neither, e.g. SCOs) */
	int		 has_modified;
};

/*
 * Validate obj (borrowed).  On success fill *info and return ERR_OK.  On
 * failure return ERR_INVALID (or ERR_TOOBIG when a limit of util/limits.h is
 * exceeded) and write a one-line human reason, naming the property, into
 * reason[0..reason_cap) (always NUL-terminated when reason_cap > 0); *info
 * is then unspecified.
 */
enum err stix_validate(const json_t *obj, struct stix_info *info,
    char *reason, size_t reason_cap) WUR;

/*
 * Check depth, array length, member count and string length of v against
 * util/limits.h (LIM_JSON_*).  ERR_TOOBIG with a reason when exceeded;
 * ERR_INVALID for an integer no IEEE double holds exactly (I-JSON).
 */
enum err stix_check_limits(const json_t *v, char *reason,
    size_t reason_cap) WUR;

/* 1 when s is a syntactically valid STIX identifier "type--UUID" (RFC 4122
 * UUID, lower or upper hex) whose type part is a valid type name, else 0. */
int stix_id_valid(const char *s);

/* TLP 2.0 marking-definition ids (STIX 2.1 section 7.2.1.4 / TLP 2.0). */
#define STIX_TLP_CLEAR	"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
#define STIX_TLP_GREEN	"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
#define STIX_TLP_AMBER	"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
#define STIX_TLP_AMBER_STRICT \
			"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
#define STIX_TLP_RED	"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"

#endif
