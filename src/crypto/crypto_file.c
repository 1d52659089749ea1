/*
 * crypto_file.c: the only file I/O of the crypto module: the node's Ed25519
 * key file and the self-signed TLS certificate made by `entente init`.
 *
 * Files are created with O_EXCL|O_NOFOLLOW and their exact mode, fsync'ed
 * with their directory, and removed again when anything fails, so a crashed
 * or failed `init` never leaves half a key behind.  The key file is read
 * back only when it is a regular file that no one but its owner may read.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "crypto/crypto_int.h"

/* The key file: base64 of the 32-byte seed (44 characters) and "\n". */
#define KEYFILE_B64	CRYPTO_B64_LEN(CRYPTO_ED25519_SECRET_BYTES)
#define KEYFILE_BYTES	(KEYFILE_B64 + 1)

/* X.520 ub-common-name. */
#define CERT_CN_MAX		64u
#define CERT_SERIAL_BYTES	20u
#define CERT_DAYS		3653	/* ten years, leap days included */

static enum err
write_all(int fd, const void *p, size_t len)
{
	const uint8_t *q = p;
	ssize_t n;

	while (len > 0) {
		n = write(fd, q, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ERR_IO;
		}
		q += n;
		len -= (size_t)n;
	}
	return ERR_OK;
}

/* fsync the directory holding path, so the new name survives a crash. */
static enum err
fsync_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash;
	size_t n;
	int fd, rc;

	slash = strrchr(path, '/');
	if (slash == NULL) {
		dir[0] = '.';
		dir[1] = '\0';
	} else {
		n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= sizeof(dir))
			return ERR_IO;
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ERR_IO;
	rc = fsync(fd);
	(void)close(fd);
	return rc == 0 ? ERR_OK : ERR_IO;
}

/* Exclusive create with an exact mode, durable; see crypto_int.h. */
enum err
crypto_file_create(const char *path, const void *p, size_t len, mode_t mode)
{
	enum err err = ERR_IO;
	int fd;

	if (path == NULL || path[0] == '\0')
		return ERR_IO;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    mode);
	if (fd < 0)
		return errno == EEXIST ? ERR_EXISTS : ERR_IO;
	/* The umask only removes bits; make the mode exactly what we want. */
	if (fchmod(fd, mode) != 0)
		goto out;
	if ((err = write_all(fd, p, len)) != ERR_OK)
		goto out;
	err = ERR_IO;
	if (fsync(fd) != 0)
		goto out;
	err = ERR_OK;
out:
	if (close(fd) != 0 && err == ERR_OK)
		err = ERR_IO;
	if (err == ERR_OK)
		err = fsync_dir(path);
	if (err != ERR_OK)
		(void)unlink(path);
	return err;
}

/* Write the seed's key file (mode 0600, never overwriting). */
enum err
crypto_key_save(const char *path,
    const uint8_t seed[CRYPTO_ED25519_SECRET_BYTES])
{
	char text[KEYFILE_BYTES + 1];
	enum err err;

	err = crypto_b64_encode(seed, CRYPTO_ED25519_SECRET_BYTES, 0, text,
	    sizeof(text));
	if (err != ERR_OK)
		goto out;
	text[KEYFILE_B64] = '\n';
	err = crypto_file_create(path, text, KEYFILE_BYTES, 0600);
out:
	crypto_wipe(text, sizeof(text));
	return err;
}

/* Read a key file, refusing loose modes and odd files; seed zeroed on error. */
enum err
crypto_key_load(const char *path, uint8_t seed[CRYPTO_ED25519_SECRET_BYTES])
{
	uint8_t tmp[CRYPTO_ED25519_SECRET_BYTES];
	char text[KEYFILE_BYTES + 1];
	struct stat st;
	size_t got = 0, n;
	ssize_t r;
	enum err err;
	int fd;

	crypto_wipe(seed, CRYPTO_ED25519_SECRET_BYTES);
	if (path == NULL)
		return ERR_NOTFOUND;
	/* O_NONBLOCK: a FIFO planted at path must not hang us in open(). */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return ERR_NOTFOUND;
		if (errno == ELOOP)
			return ERR_FORBIDDEN;	/* a symbolic link */
		return ERR_IO;
	}
	err = ERR_IO;
	if (fstat(fd, &st) != 0)
		goto out;
	err = ERR_PARSE;
	if (!S_ISREG(st.st_mode))
		goto out;
	err = ERR_FORBIDDEN;
	if ((st.st_mode & 077) != 0)
		goto out;
	err = ERR_PARSE;
	if (st.st_size != (off_t)KEYFILE_BYTES)
		goto out;
	/* Read one byte more than expected, in case the file grew. */
	while (got < sizeof(text)) {
		r = read(fd, text + got, sizeof(text) - got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = ERR_IO;
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	if (got != KEYFILE_BYTES || text[KEYFILE_B64] != '\n')
		goto out;
	err = crypto_b64_decode(text, KEYFILE_B64, 0, tmp, sizeof(tmp), &n);
	if (err != ERR_OK || n != sizeof(tmp)) {
		err = ERR_PARSE;
		goto out;
	}
	memcpy(seed, tmp, sizeof(tmp));
	err = ERR_OK;
out:
	(void)close(fd);
	crypto_wipe(text, sizeof(text));
	crypto_wipe(tmp, sizeof(tmp));
	return err;
}

/* A host name of letters, digits, '-' and '.', as SAN dNSName takes. */
static int
cert_hostname_ok(const char *cn, size_t len)
{
	size_t i;

	if (len == 0 || cn[0] == '.' || cn[0] == '-')
		return 0;
	for (i = 0; i < len; i++) {
		char c = cn[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.'))
			return 0;
	}
	return 1;
}

/* Fill crt (already holding the key) with everything but the signature. */
static enum err
cert_fill(gnutls_x509_crt_t crt, const char *cn, size_t cn_len)
{
	static const uint8_t ip4_loop[4] = { 127, 0, 0, 1 };
	static const uint8_t ip6_loop[16] = { [15] = 1 };
	uint8_t serial[CERT_SERIAL_BYTES], ip[16], keyid[64];
	size_t keyid_len = sizeof(keyid);
	time_t now;
	int is4, is6;

	if (crypto_random(serial, sizeof(serial)) != ERR_OK)
		return ERR_CRYPTO;
	/* Positive and exactly 20 bytes long (RFC 5280 4.1.2.2). */
	serial[0] = (uint8_t)((serial[0] & 0x7f) | 0x40);
	now = time(NULL);
	if (now == (time_t)-1)
		return ERR_CRYPTO;

	is4 = inet_pton(AF_INET, cn, ip) == 1;
	is6 = !is4 && inet_pton(AF_INET6, cn, ip) == 1;

	if (gnutls_x509_crt_set_version(crt, 3) < 0 ||
	    gnutls_x509_crt_set_serial(crt, serial, sizeof(serial)) < 0 ||
	    gnutls_x509_crt_set_activation_time(crt, now) < 0 ||
	    gnutls_x509_crt_set_expiration_time(crt,
	    now + (time_t)CERT_DAYS * 24 * 3600) < 0 ||
	    gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
	    cn, (unsigned)cn_len) < 0)
		return ERR_CRYPTO;

	if (is4 || is6) {
		if (gnutls_x509_crt_set_subject_alt_name(crt,
		    GNUTLS_SAN_IPADDRESS, ip, is4 ? 4 : 16,
		    GNUTLS_FSAN_APPEND) < 0)
			return ERR_CRYPTO;
	} else if (gnutls_x509_crt_set_subject_alt_name(crt,
	    GNUTLS_SAN_DNSNAME, cn, (unsigned)cn_len,
	    GNUTLS_FSAN_APPEND) < 0)
		return ERR_CRYPTO;
	if (strcmp(cn, "localhost") != 0 &&
	    gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME,
	    "localhost", 9, GNUTLS_FSAN_APPEND) < 0)
		return ERR_CRYPTO;
	if (!(is4 && memcmp(ip, ip4_loop, 4) == 0) &&
	    gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS,
	    ip4_loop, sizeof(ip4_loop), GNUTLS_FSAN_APPEND) < 0)
		return ERR_CRYPTO;
	if (!(is6 && memcmp(ip, ip6_loop, 16) == 0) &&
	    gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS,
	    ip6_loop, sizeof(ip6_loop), GNUTLS_FSAN_APPEND) < 0)
		return ERR_CRYPTO;

	if (gnutls_x509_crt_set_basic_constraints(crt, 0, -1) < 0 ||
	    gnutls_x509_crt_set_key_usage(crt,
	    GNUTLS_KEY_DIGITAL_SIGNATURE) < 0 ||
	    gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER,
	    0) < 0)
		return ERR_CRYPTO;
	if (gnutls_x509_crt_get_key_id(crt, 0, keyid, &keyid_len) < 0 ||
	    gnutls_x509_crt_set_subject_key_id(crt, keyid, keyid_len) < 0)
		return ERR_CRYPTO;
	return ERR_OK;
}

/* Make and write a self-signed ECDSA P-256 certificate and its key. */
enum err
crypto_tls_selfsigned(const char *cn, const char *cert_path,
    const char *key_path)
{
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t kpem = { NULL, 0 }, cpem = { NULL, 0 };
	size_t cn_len;
	enum err err = ERR_INVALID;
	char probe[16];
	int key_written = 0;

	if (cn == NULL || cert_path == NULL || key_path == NULL)
		return ERR_INVALID;
	cn_len = strnlen(cn, CERT_CN_MAX + 1);
	if (cn_len == 0 || cn_len > CERT_CN_MAX)
		return ERR_INVALID;
	if (!cert_hostname_ok(cn, cn_len) &&
	    inet_pton(AF_INET6, cn, probe) != 1)
		return ERR_INVALID;

	err = ERR_CRYPTO;
	if (gnutls_x509_privkey_init(&key) < 0) {
		key = NULL;
		goto out;
	}
	if (gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0) < 0)
		goto out;
	if (gnutls_x509_crt_init(&crt) < 0) {
		crt = NULL;
		goto out;
	}
	if (gnutls_x509_crt_set_key(crt, key) < 0)
		goto out;
	if ((err = cert_fill(crt, cn, cn_len)) != ERR_OK)
		goto out;
	err = ERR_CRYPTO;
	if (gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0) < 0)
		goto out;
	if (gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &cpem) < 0)
		goto out;
	if (gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL,
	    GNUTLS_PKCS_PLAIN, &kpem) < 0)
		goto out;

	/* Key first: a certificate without its key is useless anyway. */
	if ((err = crypto_file_create(key_path, kpem.data, kpem.size,
	    0600)) != ERR_OK)
		goto out;
	key_written = 1;
	if ((err = crypto_file_create(cert_path, cpem.data, cpem.size,
	    0644)) != ERR_OK)
		goto out;
	err = ERR_OK;
out:
	if (err != ERR_OK && key_written)
		(void)unlink(key_path);
	if (kpem.data != NULL) {
		crypto_wipe(kpem.data, kpem.size);
		gnutls_free(kpem.data);
	}
	if (cpem.data != NULL)
		gnutls_free(cpem.data);
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	if (key != NULL)
		gnutls_x509_privkey_deinit(key);
	return err;
}

/*
 * The TLS pin of the PEM certificate in cert_path: base64 of the SHA-256 of
 * its DER SubjectPublicKeyInfo, as libcurl's "sha256//" pins and HPKP use.
 */
enum err
crypto_tls_pin(const char *cert_path, char out[CRYPTO_TLS_PIN_LEN + 1])
{
	gnutls_datum_t pem = { NULL, 0 }, der = { NULL, 0 };
	gnutls_x509_crt_t crt = NULL;
	gnutls_pubkey_t pk = NULL;
	uint8_t h[CRYPTO_SHA256_BYTES];
	enum err err = ERR_CRYPTO;

	out[0] = '\0';
	if (gnutls_load_file(cert_path, &pem) < 0)
		return ERR_IO;
	if (gnutls_x509_crt_init(&crt) < 0 ||
	    gnutls_x509_crt_import(crt, &pem, GNUTLS_X509_FMT_PEM) < 0 ||
	    gnutls_pubkey_init(&pk) < 0 ||
	    gnutls_pubkey_import_x509(pk, crt, 0) < 0 ||
	    gnutls_pubkey_export2(pk, GNUTLS_X509_FMT_DER, &der) < 0)
		goto out;
	crypto_sha256(der.data, der.size, h);
	err = crypto_b64_encode(h, sizeof(h), 0, out, CRYPTO_TLS_PIN_LEN + 1);
out:
	gnutls_free(der.data);
	gnutls_free(pem.data);
	if (pk != NULL)
		gnutls_pubkey_deinit(pk);
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	return err;
}
