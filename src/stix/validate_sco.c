/*
 * validate_sco.c: property tables and rules of the STIX 2.1 cyber-observable
 * objects (section 6) and of their predefined extensions.
 *
 * Value formats the specification states as MUST (an IPv4 or IPv6 address
 * or CIDR, a lower-case colon-separated MAC-48, a URL with a scheme, an
 * e-mail address) are checked unless the object says "defanged": true,
 * since a defanged value is deliberately not in its normal form.
 */
#include <arpa/inet.h>
#include <string.h>

#include "stix/stix_int.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define P(n, t, f, a)	{ n, t, f, a, 0, 0, NULL }
#define REQ		STIX_PF_REQ
#define NONNEG(n)	{ n, STIX_PT_INT, STIX_PF_RANGE, NULL, 0, 9.2e18, NULL }

#define STR		STIX_PT_STRING
#define STRS		STIX_PT_STR_LIST
#define TS		STIX_PT_TS
#define BOOL		STIX_PT_BOOL
#define ID		STIX_PT_ID
#define IDS		STIX_PT_ID_LIST

static const json_t *
get(const struct stix_vctx *c, const char *name)
{
	return json_object_get(c->obj, name);
}

/*
 * Objects whose properties are all optional must carry at least one of
 * them (or an extension) besides the common ones.
 */
static enum err
need_own_property(struct stix_vctx *c)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)c->obj, key, v) {
		(void)v;
		if (!stix_in_list("type|id|spec_version|object_marking_refs|"
		    "granular_markings|defanged", key, strlen(key)))
			return ERR_OK;
	}
	return stix_vfail(c, NULL, "needs at least one property of its own");
}

static int
has_space(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

/* Optional "/prefix" with 0 <= prefix <= max, at s[0..n). */
static int
cidr_suffix_ok(const char *s, size_t n, unsigned max)
{
	unsigned v = 0;
	size_t i;

	if (n == 0)
		return 1;
	if (s[0] != '/' || n < 2 || n > 4)
		return 0;
	for (i = 1; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	return v <= max;
}

static int
ipv4_ok(const char *s, size_t n)
{
	size_t i = 0, digits;
	unsigned oct, part;

	for (part = 0; part < 4; part++) {
		if (part > 0) {
			if (i >= n || s[i] != '.')
				return 0;
			i++;
		}
		for (digits = 0, oct = 0; i < n && s[i] >= '0' && s[i] <= '9';
		    i++, digits++)
			oct = oct * 10 + (unsigned)(s[i] - '0');
		if (digits == 0 || digits > 3 || oct > 255)
			return 0;
	}
	return cidr_suffix_ok(s + i, n - i, 32);
}

static int
ipv6_ok(const char *s, size_t n)
{
	unsigned char addr[16];
	char buf[64];
	const char *slash;
	size_t alen;

	slash = memchr(s, '/', n);
	alen = slash != NULL ? (size_t)(slash - s) : n;
	if (alen == 0 || alen >= sizeof(buf))
		return 0;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET6, buf, addr) != 1)
		return 0;
	return cidr_suffix_ok(s + alen, n - alen, 128);
}

static enum err
post_ip(struct stix_vctx *c, int v6)
{
	const json_t *v = get(c, "value");

	if (c->defanged)
		return ERR_OK;
	if (v6 ? !ipv6_ok(json_string_value(v), json_string_length(v)) :
	    !ipv4_ok(json_string_value(v), json_string_length(v)))
		return stix_vfail(c, "value", "not an IPv%d address or CIDR",
		    v6 ? 6 : 4);
	return ERR_OK;
}

static enum err
post_ipv4(struct stix_vctx *c)
{
	return post_ip(c, 0);
}

static enum err
post_ipv6(struct stix_vctx *c)
{
	return post_ip(c, 1);
}

static enum err
post_mac(struct stix_vctx *c)
{
	const json_t *v = get(c, "value");
	const char *s = json_string_value(v);
	size_t i;

	if (c->defanged)
		return ERR_OK;
	/* Lower-case, colon-delimited MAC-48 with leading zeros. */
	if (json_string_length(v) != 17)
		goto bad;
	for (i = 0; i < 17; i++) {
		if (i % 3 == 2) {
			if (s[i] != ':')
				goto bad;
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f'))) {
			goto bad;
		}
	}
	return ERR_OK;
bad:
	return stix_vfail(c, "value",
	    "not a lower-case colon-delimited MAC-48 address");
}

static enum err
post_domain(struct stix_vctx *c)
{
	const json_t *v = get(c, "value");

	if (json_string_length(v) == 0)
		return stix_vfail(c, "value", "empty");
	if (!c->defanged && has_space(json_string_value(v),
	    json_string_length(v)))
		return stix_vfail(c, "value", "not a domain name");
	return ERR_OK;
}

static enum err
post_url(struct stix_vctx *c)
{
	const json_t *v = get(c, "value");
	const char *s = json_string_value(v);
	size_t i, n = json_string_length(v);

	if (n == 0)
		return stix_vfail(c, "value", "empty");
	if (c->defanged)
		return ERR_OK;
	/* RFC 3986: scheme ":" ..., no spaces or controls. */
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		goto bad;
	for (i = 1; i < n && s[i] != ':'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '+' ||
		    s[i] == '-' || s[i] == '.'))
			goto bad;
	if (i == n || has_space(s, n))
		goto bad;
	return ERR_OK;
bad:
	return stix_vfail(c, "value", "not a URL");
}

static enum err
post_email_addr(struct stix_vctx *c)
{
	const json_t *v = get(c, "value");
	const char *s = json_string_value(v), *at;
	size_t n = json_string_length(v);

	if (n == 0)
		return stix_vfail(c, "value", "empty");
	if (c->defanged)
		return ERR_OK;
	at = memchr(s, '@', n);
	if (at == NULL || at == s || at == s + n - 1 || has_space(s, n))
		return stix_vfail(c, "value", "not an e-mail address");
	return ERR_OK;
}

/* ---- object tables ---- */

static const struct stix_prop artifact_props[] = {
	P("decryption_key", STR, 0, NULL),
	P("encryption_algorithm", STIX_PT_ENUM, 0,
	    "AES-256-GCM|ChaCha20-Poly1305|mime-type-indicated"),
	P("hashes", STIX_PT_HASHES, 0, NULL),
	P("mime_type", STR, 0, NULL),
	P("payload_bin", STIX_PT_BIN, 0, NULL),
	P("url", STR, 0, NULL),
};

static enum err
post_artifact(struct stix_vctx *c)
{
	int bin = get(c, "payload_bin") != NULL, url = get(c, "url") != NULL;

	if (bin == url)
		return stix_vfail(c, NULL, "exactly one of 'payload_bin' and "
		    "'url' is required");
	if (url && get(c, "hashes") == NULL)
		return stix_vfail(c, NULL, "missing required property "
		    "'hashes' (needed with 'url')");
	if (get(c, "decryption_key") != NULL &&
	    get(c, "encryption_algorithm") == NULL)
		return stix_vfail(c, "decryption_key",
		    "needs 'encryption_algorithm'");
	return ERR_OK;
}

static const struct stix_prop autonomous_system_props[] = {
	P("name", STR, 0, NULL),
	P("number", STIX_PT_INT, REQ, NULL),
	P("rir", STR, 0, NULL),
};

static const struct stix_prop directory_props[] = {
	P("atime", TS, 0, NULL),
	P("contains_refs", IDS, 0, "file|directory"),
	P("ctime", TS, 0, NULL),
	P("mtime", TS, 0, NULL),
	P("path", STR, REQ, NULL),
	P("path_enc", STR, 0, NULL),
};

static const struct stix_prop domain_name_props[] = {
	P("resolves_to_refs", IDS, 0, "ipv4-addr|ipv6-addr|domain-name"),
	P("value", STR, REQ, NULL),
};

static const struct stix_prop email_addr_props[] = {
	P("belongs_to_ref", ID, 0, "user-account"),
	P("display_name", STR, 0, NULL),
	P("value", STR, REQ, NULL),
};

static enum err
post_mime_part(struct stix_vctx *c, const char *prop, const json_t *o)
{
	(void)prop;
	if (json_object_get(o, "body") == NULL &&
	    json_object_get(o, "body_raw_ref") == NULL)
		return stix_vfail(c, "body", "a MIME part needs 'body' or "
		    "'body_raw_ref'");
	return ERR_OK;
}

static const struct stix_prop mime_part_props[] = {
	P("body", STR, 0, NULL),
	P("body_raw_ref", ID, 0, "artifact|file"),
	P("content_disposition", STR, 0, NULL),
	P("content_type", STR, 0, NULL),
};
static const struct stix_sub mime_part_sub = {
	mime_part_props, NELEM(mime_part_props), post_mime_part
};

static const struct stix_prop email_message_props[] = {
	P("additional_header_fields", STIX_PT_DICT, 0, NULL),
	P("bcc_refs", IDS, 0, "email-addr"),
	P("body", STR, 0, NULL),
	{ "body_multipart", STIX_PT_OBJ_LIST, 0, NULL, 0, 0, &mime_part_sub },
	P("cc_refs", IDS, 0, "email-addr"),
	P("content_type", STR, 0, NULL),
	P("date", TS, 0, NULL),
	P("from_ref", ID, 0, "email-addr"),
	P("is_multipart", BOOL, REQ, NULL),
	P("message_id", STR, 0, NULL),
	P("raw_email_ref", ID, 0, "artifact"),
	P("received_lines", STRS, 0, NULL),
	P("sender_ref", ID, 0, "email-addr"),
	P("subject", STR, 0, NULL),
	P("to_refs", IDS, 0, "email-addr"),
};

static enum err
post_email_message(struct stix_vctx *c)
{
	if (json_is_true(get(c, "is_multipart")) && get(c, "body") != NULL)
		return stix_vfail(c, "body",
		    "not allowed when 'is_multipart' is true");
	if (!json_is_true(get(c, "is_multipart")) &&
	    get(c, "body_multipart") != NULL)
		return stix_vfail(c, "body_multipart",
		    "not allowed when 'is_multipart' is false");
	return ERR_OK;
}

static const struct stix_prop file_props[] = {
	P("atime", TS, 0, NULL),
	P("contains_refs", IDS, 0, NULL),
	P("content_ref", ID, 0, "artifact"),
	P("ctime", TS, 0, NULL),
	P("hashes", STIX_PT_HASHES, 0, NULL),
	P("magic_number_hex", STIX_PT_HEX, 0, NULL),
	P("mime_type", STR, 0, NULL),
	P("mtime", TS, 0, NULL),
	P("name", STR, 0, NULL),
	P("name_enc", STR, 0, NULL),
	P("parent_directory_ref", ID, 0, "directory"),
	NONNEG("size"),
};

static enum err
post_file(struct stix_vctx *c)
{
	if (get(c, "hashes") == NULL && get(c, "name") == NULL)
		return stix_vfail(c, NULL, "needs 'hashes' or 'name'");
	return ERR_OK;
}

static const struct stix_prop ip_props[] = {
	P("belongs_to_refs", IDS, 0, "autonomous-system"),
	P("resolves_to_refs", IDS, 0, "mac-addr"),
	P("value", STR, REQ, NULL),
};

static const struct stix_prop value_props[] = {
	P("value", STR, REQ, NULL),
};

static const struct stix_prop mutex_props[] = {
	P("name", STR, REQ, NULL),
};

#define PORT(n)	{ n, STIX_PT_INT, STIX_PF_RANGE, NULL, 0, 65535, NULL }
#define NT_ENDPOINT "ipv4-addr|ipv6-addr|mac-addr|domain-name"

static const struct stix_prop network_traffic_props[] = {
	NONNEG("dst_byte_count"),
	NONNEG("dst_packets"),
	P("dst_payload_ref", ID, 0, "artifact"),
	PORT("dst_port"),
	P("dst_ref", ID, 0, NT_ENDPOINT),
	P("encapsulated_by_ref", ID, 0, "network-traffic"),
	P("encapsulates_refs", IDS, 0, "network-traffic"),
	P("end", TS, 0, NULL),
	P("ipfix", STIX_PT_DICT, 0, NULL),
	P("is_active", BOOL, 0, NULL),
	P("protocols", STRS, REQ, NULL),
	NONNEG("src_byte_count"),
	NONNEG("src_packets"),
	P("src_payload_ref", ID, 0, "artifact"),
	PORT("src_port"),
	P("src_ref", ID, 0, NT_ENDPOINT),
	P("start", TS, 0, NULL),
};

static enum err
post_network_traffic(struct stix_vctx *c)
{
	if (get(c, "src_ref") == NULL && get(c, "dst_ref") == NULL)
		return stix_vfail(c, NULL, "needs 'src_ref' or 'dst_ref'");
	if (json_is_true(get(c, "is_active")) && get(c, "end") != NULL)
		return stix_vfail(c, "end",
		    "not allowed when 'is_active' is true");
	return stix_ts_order(c, c->obj, "start", "end", 0);
}

static const struct stix_prop process_props[] = {
	P("child_refs", IDS, 0, "process"),
	P("command_line", STR, 0, NULL),
	P("created_time", TS, 0, NULL),
	P("creator_user_ref", ID, 0, "user-account"),
	P("cwd", STR, 0, NULL),
	P("environment_variables", STIX_PT_DICT, 0, NULL),
	P("image_ref", ID, 0, "file"),
	P("is_hidden", BOOL, 0, NULL),
	P("opened_connection_refs", IDS, 0, "network-traffic"),
	P("parent_ref", ID, 0, "process"),
	P("pid", STIX_PT_INT, 0, NULL),
};

static const struct stix_prop software_props[] = {
	P("cpe", STR, 0, NULL),
	P("languages", STRS, 0, NULL),
	P("name", STR, REQ, NULL),
	P("swid", STR, 0, NULL),
	P("vendor", STR, 0, NULL),
	P("version", STR, 0, NULL),
};

static const struct stix_prop user_account_props[] = {
	P("account_created", TS, 0, NULL),
	P("account_expires", TS, 0, NULL),
	P("account_first_login", TS, 0, NULL),
	P("account_last_login", TS, 0, NULL),
	P("account_login", STR, 0, NULL),
	P("account_type", STR, 0, NULL),
	P("can_escalate_privs", BOOL, 0, NULL),
	P("credential", STR, 0, NULL),
	P("credential_last_changed", TS, 0, NULL),
	P("display_name", STR, 0, NULL),
	P("is_disabled", BOOL, 0, NULL),
	P("is_privileged", BOOL, 0, NULL),
	P("is_service_account", BOOL, 0, NULL),
	P("user_id", STR, 0, NULL),
};

static const struct stix_prop registry_value_props[] = {
	P("data", STR, 0, NULL),
	P("data_type", STIX_PT_ENUM, 0, "REG_NONE|REG_SZ|REG_EXPAND_SZ|"
	    "REG_BINARY|REG_DWORD|REG_DWORD_BIG_ENDIAN|REG_DWORD_LITTLE_ENDIAN|"
	    "REG_LINK|REG_MULTI_SZ|REG_RESOURCE_LIST|"
	    "REG_FULL_RESOURCE_DESCRIPTION|REG_RESOURCE_REQUIREMENTS_LIST|"
	    "REG_QWORD|REG_INVALID_TYPE"),
	P("name", STR, 0, NULL),
};
static const struct stix_sub registry_value_sub = {
	registry_value_props, NELEM(registry_value_props), NULL
};

static const struct stix_prop windows_registry_key_props[] = {
	P("creator_user_ref", ID, 0, "user-account"),
	P("key", STR, 0, NULL),
	P("modified_time", TS, 0, NULL),
	NONNEG("number_of_subkeys"),
	{ "values", STIX_PT_OBJ_LIST, 0, NULL, 0, 0, &registry_value_sub },
};

static const struct stix_prop x509_v3_props[] = {
	P("private_key_usage_period_not_after", TS, 0, NULL),
	P("private_key_usage_period_not_before", TS, 0, NULL),
};
static const struct stix_sub x509_v3_sub = {
	x509_v3_props, NELEM(x509_v3_props), NULL
};

static const struct stix_prop x509_certificate_props[] = {
	P("hashes", STIX_PT_HASHES, 0, NULL),
	P("is_self_signed", BOOL, 0, NULL),
	P("issuer", STR, 0, NULL),
	P("serial_number", STR, 0, NULL),
	P("signature_algorithm", STR, 0, NULL),
	P("subject", STR, 0, NULL),
	P("subject_public_key_algorithm", STR, 0, NULL),
	P("subject_public_key_exponent", STIX_PT_INT, 0, NULL),
	P("subject_public_key_modulus", STR, 0, NULL),
	P("validity_not_after", TS, 0, NULL),
	P("validity_not_before", TS, 0, NULL),
	P("version", STR, 0, NULL),
	{ "x509_v3_extensions", STIX_PT_OBJECT, 0, NULL, 0, 0, &x509_v3_sub },
};

static enum err
post_x509(struct stix_vctx *c)
{
	enum err err;

	if ((err = need_own_property(c)) != ERR_OK)
		return err;
	return stix_ts_order(c, c->obj, "validity_not_before",
	    "validity_not_after", 0);
}

#define T(n, props, post) \
	{ n, STIX_CLS_SCO, props, NELEM(props), post }

const struct stix_type stix_types_sco[] = {
	T("artifact", artifact_props, post_artifact),
	T("autonomous-system", autonomous_system_props, NULL),
	T("directory", directory_props, NULL),
	T("domain-name", domain_name_props, post_domain),
	T("email-addr", email_addr_props, post_email_addr),
	T("email-message", email_message_props, post_email_message),
	T("file", file_props, post_file),
	T("ipv4-addr", ip_props, post_ipv4),
	T("ipv6-addr", ip_props, post_ipv6),
	T("mac-addr", value_props, post_mac),
	T("mutex", mutex_props, NULL),
	T("network-traffic", network_traffic_props, post_network_traffic),
	T("process", process_props, need_own_property),
	T("software", software_props, NULL),
	T("url", value_props, post_url),
	T("user-account", user_account_props, need_own_property),
	T("windows-registry-key", windows_registry_key_props,
	    need_own_property),
	T("x509-certificate", x509_certificate_props, post_x509),
};

const size_t stix_n_types_sco = NELEM(stix_types_sco);

/* ---- predefined extensions ---- */

static const struct stix_prop archive_ext_props[] = {
	P("comment", STR, 0, NULL),
	P("contains_refs", IDS, REQ, "file|directory"),
};

static const struct stix_prop ads_props[] = {
	P("hashes", STIX_PT_HASHES, 0, NULL),
	P("name", STR, REQ, NULL),
	NONNEG("size"),
};
static const struct stix_sub ads_sub = { ads_props, NELEM(ads_props), NULL };

static const struct stix_prop ntfs_ext_props[] = {
	{ "alternate_data_streams", STIX_PT_OBJ_LIST, 0, NULL, 0, 0,
	    &ads_sub },
	P("sid", STR, 0, NULL),
};

static const struct stix_prop pdf_ext_props[] = {
	P("document_info_dict", STIX_PT_DICT, 0, NULL),
	P("is_optimized", BOOL, 0, NULL),
	P("pdfid0", STR, 0, NULL),
	P("pdfid1", STR, 0, NULL),
	P("version", STR, 0, NULL),
};

static const struct stix_prop raster_image_ext_props[] = {
	P("bits_per_pixel", STIX_PT_INT, 0, NULL),
	P("exif_tags", STIX_PT_DICT, 0, NULL),
	P("image_height", STIX_PT_INT, 0, NULL),
	P("image_width", STIX_PT_INT, 0, NULL),
};

static const struct stix_prop pe_section_props[] = {
	P("entropy", STIX_PT_NUM, 0, NULL),
	P("hashes", STIX_PT_HASHES, 0, NULL),
	P("name", STR, REQ, NULL),
	NONNEG("size"),
};
static const struct stix_sub pe_section_sub = {
	pe_section_props, NELEM(pe_section_props), NULL
};

static const struct stix_prop pebinary_ext_props[] = {
	P("characteristics_hex", STIX_PT_HEX, 0, NULL),
	P("file_header_hashes", STIX_PT_HASHES, 0, NULL),
	P("imphash", STR, 0, NULL),
	P("machine_hex", STIX_PT_HEX, 0, NULL),
	NONNEG("number_of_sections"),
	NONNEG("number_of_symbols"),
	P("optional_header", STIX_PT_OBJECT, 0, NULL),
	P("pe_type", STR, REQ, NULL),
	P("pointer_to_symbol_table_hex", STIX_PT_HEX, 0, NULL),
	{ "sections", STIX_PT_OBJ_LIST, 0, NULL, 0, 0, &pe_section_sub },
	NONNEG("size_of_optional_header"),
	P("time_date_stamp", TS, 0, NULL),
};

static const struct stix_prop http_request_ext_props[] = {
	P("message_body_data_ref", ID, 0, "artifact"),
	NONNEG("message_body_length"),
	P("request_header", STIX_PT_DICT, 0, NULL),
	P("request_method", STR, REQ, NULL),
	P("request_value", STR, REQ, NULL),
	P("request_version", STR, 0, NULL),
};

static const struct stix_prop icmp_ext_props[] = {
	P("icmp_code_hex", STIX_PT_HEX, REQ, NULL),
	P("icmp_type_hex", STIX_PT_HEX, REQ, NULL),
};

static const struct stix_prop socket_ext_props[] = {
	P("address_family", STIX_PT_ENUM, REQ, "AF_UNSPEC|AF_INET|AF_IPX|"
	    "AF_APPLETALK|AF_NETBIOS|AF_INET6|AF_IRDA|AF_BTH"),
	P("is_blocking", BOOL, 0, NULL),
	P("is_listening", BOOL, 0, NULL),
	P("options", STIX_PT_DICT, 0, NULL),
	NONNEG("socket_descriptor"),
	P("socket_handle", STIX_PT_INT, 0, NULL),
	P("socket_type", STIX_PT_ENUM, 0,
	    "SOCK_STREAM|SOCK_DGRAM|SOCK_RAW|SOCK_RDM|SOCK_SEQPACKET"),
};

static const struct stix_prop tcp_ext_props[] = {
	P("dst_flags_hex", STIX_PT_HEX, 0, NULL),
	P("src_flags_hex", STIX_PT_HEX, 0, NULL),
};

static const struct stix_prop windows_process_ext_props[] = {
	P("aslr_enabled", BOOL, 0, NULL),
	P("dep_enabled", BOOL, 0, NULL),
	P("integrity_level", STIX_PT_ENUM, 0, "low|medium|high|system"),
	P("owner_sid", STR, 0, NULL),
	P("priority", STR, 0, NULL),
	P("startup_info", STIX_PT_DICT, 0, NULL),
	P("window_title", STR, 0, NULL),
};

static const struct stix_prop windows_service_ext_props[] = {
	P("descriptions", STRS, 0, NULL),
	P("display_name", STR, 0, NULL),
	P("group_name", STR, 0, NULL),
	P("service_dll_refs", IDS, 0, "file"),
	P("service_name", STR, 0, NULL),
	P("service_status", STIX_PT_ENUM, 0, "SERVICE_CONTINUE_PENDING|"
	    "SERVICE_PAUSE_PENDING|SERVICE_PAUSED|SERVICE_RUNNING|"
	    "SERVICE_START_PENDING|SERVICE_STOP_PENDING|SERVICE_STOPPED"),
	P("service_type", STIX_PT_ENUM, 0, "SERVICE_KERNEL_DRIVER|"
	    "SERVICE_FILE_SYSTEM_DRIVER|SERVICE_WIN32_OWN_PROCESS|"
	    "SERVICE_WIN32_SHARE_PROCESS"),
	P("start_type", STIX_PT_ENUM, 0, "SERVICE_AUTO_START|"
	    "SERVICE_BOOT_START|SERVICE_DEMAND_START|SERVICE_DISABLED|"
	    "SERVICE_SYSTEM_ALERT"),
};

static const struct stix_prop unix_account_ext_props[] = {
	P("gid", STIX_PT_INT, 0, NULL),
	P("groups", STRS, 0, NULL),
	P("home_dir", STR, 0, NULL),
	P("shell", STR, 0, NULL),
};

#define X(n, t, props)	{ n, t, { props, NELEM(props), NULL } }

const struct stix_ext stix_exts_sco[] = {
	X("archive-ext", "file", archive_ext_props),
	X("ntfs-ext", "file", ntfs_ext_props),
	X("pdf-ext", "file", pdf_ext_props),
	X("raster-image-ext", "file", raster_image_ext_props),
	X("windows-pebinary-ext", "file", pebinary_ext_props),
	X("http-request-ext", "network-traffic", http_request_ext_props),
	X("icmp-ext", "network-traffic", icmp_ext_props),
	X("socket-ext", "network-traffic", socket_ext_props),
	X("tcp-ext", "network-traffic", tcp_ext_props),
	X("windows-process-ext", "process", windows_process_ext_props),
	X("windows-service-ext", "process", windows_service_ext_props),
	X("unix-account-ext", "user-account", unix_account_ext_props),
};

const size_t stix_n_exts_sco = NELEM(stix_exts_sco);
