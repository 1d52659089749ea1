#include "testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "crypto/crypto.h"

/* Decode lowercase hex into out; returns the byte count. */
static size_t
unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = strlen(s) / 2, i;
	unsigned v;

	assert_int_equal(strlen(s) % 2, 0);
	assert_true(n <= cap);
	for (i = 0; i < n; i++) {
		char h[3] = { s[2 * i], s[2 * i + 1], '\0' };
		char *end;

		v = (unsigned)strtoul(h, &end, 16);
		assert_int_equal(*end, '\0');
		out[i] = (uint8_t)v;
	}
	return n;
}

static void
assert_hex(const uint8_t *p, size_t len, const char *hex)
{
	uint8_t want[256];

	assert_int_equal(unhex(hex, want, sizeof(want)), len);
	assert_memory_equal(p, want, len);
}

static void
test_init(void **state)
{
	(void)state;
	assert_int_equal(crypto_init(), ERR_OK);
	/* Twice is harmless (GnuTLS counts its initializations). */
	assert_int_equal(crypto_init(), ERR_OK);
}

static void
test_sha256(void **state)
{
	static const char m448[] =
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	struct crypto_sha256 h;
	uint8_t md[32], md2[32];
	uint8_t *million;
	size_t i, cut;

	(void)state;
	/* FIPS 180-2 appendix B. */
	crypto_sha256("abc", 3, md);
	assert_hex(md, 32, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	crypto_sha256("", 0, md);
	assert_hex(md, 32, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	crypto_sha256(m448, strlen(m448), md);
	assert_hex(md, 32, "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1");
	million = malloc(1000000);
	assert_non_null(million);
	memset(million, 'a', 1000000);
	crypto_sha256(million, 1000000, md);
	assert_hex(md, 32, "cdc76e5c9914fb9281a1c7e284d73e67"
	    "f1809a48a497200e046d39ccc7112cd0");

	/* Incremental hashing agrees with one shot, wherever it is cut. */
	for (cut = 0; cut <= strlen(m448); cut++) {
		crypto_sha256_init(&h);
		crypto_sha256_update(&h, m448, cut);
		crypto_sha256_update(&h, m448 + cut, strlen(m448) - cut);
		crypto_sha256_final(&h, md2);
		assert_hex(md2, 32, "248d6a61d20638b8e5c026930c3e6039"
		    "a33ce45964ff2167f6ecedd419db06c1");
	}
	crypto_sha256_init(&h);
	for (i = 0; i < 1000; i++)
		crypto_sha256_update(&h, million + i * 1000, 1000);
	crypto_sha256_final(&h, md2);
	assert_memory_equal(md, md2, 32);
	free(million);
}

static void
test_hmac_rfc4231(void **state)
{
	uint8_t key[131], data[64], md[32];
	size_t i;

	(void)state;
	/* Test case 1. */
	memset(key, 0x0b, 20);
	crypto_hmac_sha256(key, 20, "Hi There", 8, md);
	assert_hex(md, 32, "b0344c61d8db38535ca8afceaf0bf12b"
	    "881dc200c9833da726e9376c2e32cff7");
	/* Test case 2: a key shorter than the output. */
	crypto_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, md);
	assert_hex(md, 32, "5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843");
	/* Test case 3. */
	memset(key, 0xaa, 20);
	memset(data, 0xdd, 50);
	crypto_hmac_sha256(key, 20, data, 50, md);
	assert_hex(md, 32, "773ea91e36800e46854db8ebd09181a7"
	    "2959098b3ef8c122d9635514ced565fe");
	/* Test case 4. */
	for (i = 0; i < 25; i++)
		key[i] = (uint8_t)(i + 1);
	memset(data, 0xcd, 50);
	crypto_hmac_sha256(key, 25, data, 50, md);
	assert_hex(md, 32, "82558a389a443c0ea4cc819899f2083a"
	    "85f0faa3e578f8077a2e3ff46729665b");
	/* Test case 6: a key longer than the block is hashed first. */
	memset(key, 0xaa, 131);
	crypto_hmac_sha256(key, 131,
	    "Test Using Larger Than Block-Size Key - Hash Key First", 54, md);
	assert_hex(md, 32, "60e431591ee0b67f0d8a26aacbf5b77f"
	    "8e0bc6213728c5140546040f0ee37f54");
}

/* RFC 8032 section 7.1: TEST 1, 2, 3 and SHA(abc). */
static const struct {
	const char *seed, *pub, *msg, *sig;
} rfc8032[] = {
	{ "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
	  "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
	  "",
	  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
	  "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b" },
	{ "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
	  "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
	  "72",
	  "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
	  "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00" },
	{ "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
	  "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
	  "af82",
	  "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
	  "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a" },
	{ "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
	  "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
	  "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	  "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
	  "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589"
	  "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704" },
};

static void
test_ed25519_rfc8032(void **state)
{
	uint8_t seed[32], pub[32], want_pub[32], msg[64], sig[64];
	uint8_t want_sig[64], bad[64];
	size_t i, bit, msg_len;

	(void)state;
	for (i = 0; i < sizeof(rfc8032) / sizeof(rfc8032[0]); i++) {
		unhex(rfc8032[i].seed, seed, sizeof(seed));
		unhex(rfc8032[i].pub, want_pub, sizeof(want_pub));
		msg_len = unhex(rfc8032[i].msg, msg, sizeof(msg));
		unhex(rfc8032[i].sig, want_sig, sizeof(want_sig));

		crypto_ed25519_public(seed, pub);
		assert_memory_equal(pub, want_pub, 32);
		crypto_ed25519_sign(seed, pub, msg, msg_len, sig);
		assert_memory_equal(sig, want_sig, 64);
		assert_int_equal(crypto_ed25519_verify(pub, msg, msg_len,
		    sig), ERR_OK);

		/* Any flipped bit of signature, key or message fails. */
		for (bit = 0; bit < 64 * 8; bit++) {
			memcpy(bad, sig, 64);
			bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			assert_int_equal(crypto_ed25519_verify(pub, msg,
			    msg_len, bad), ERR_CRYPTO);
		}
		for (bit = 0; bit < 32 * 8; bit++) {
			memcpy(bad, pub, 32);
			bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			assert_int_equal(crypto_ed25519_verify(bad, msg,
			    msg_len, sig), ERR_CRYPTO);
		}
		for (bit = 0; bit < msg_len * 8; bit++) {
			memcpy(bad, msg, msg_len);
			bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			assert_int_equal(crypto_ed25519_verify(pub, bad,
			    msg_len, sig), ERR_CRYPTO);
		}
		/* A longer or shorter message fails too. */
		assert_int_equal(crypto_ed25519_verify(pub, msg, msg_len + 1,
		    sig), ERR_CRYPTO);
		if (msg_len > 0)
			assert_int_equal(crypto_ed25519_verify(pub, msg,
			    msg_len - 1, sig), ERR_CRYPTO);
	}
}

/* S + L verifies mathematically; canonical verification must refuse it. */
static void
test_ed25519_malleability(void **state)
{
	static const uint8_t order[32] = {
		0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
		0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
		[31] = 0x10,
	};
	uint8_t seed[32], pub[32], sig[64];
	unsigned carry = 0, t;
	int i;

	(void)state;
	unhex(rfc8032[1].seed, seed, sizeof(seed));
	unhex(rfc8032[1].pub, pub, sizeof(pub));
	unhex(rfc8032[1].sig, sig, sizeof(sig));
	for (i = 0; i < 32; i++) {
		t = (unsigned)sig[32 + i] + order[i] + carry;
		sig[32 + i] = (uint8_t)t;
		carry = t >> 8;
	}
	assert_int_equal(carry, 0);
	assert_int_equal(crypto_ed25519_verify(pub, "\x72", 1, sig),
	    ERR_CRYPTO);
}

static void
test_ed25519_keypair(void **state)
{
	uint8_t pub[32], seed[32], pub2[32], seed2[32], other[32], sig[64];
	uint8_t sig2[64];

	(void)state;
	assert_int_equal(crypto_ed25519_keypair(pub, seed), ERR_OK);
	assert_int_equal(crypto_ed25519_keypair(pub2, seed2), ERR_OK);
	assert_memory_not_equal(seed, seed2, 32);
	assert_memory_not_equal(pub, pub2, 32);
	crypto_ed25519_public(seed, other);
	assert_memory_equal(pub, other, 32);
	crypto_ed25519_sign(seed, pub, "entente", 7, sig);
	assert_int_equal(crypto_ed25519_verify(pub, "entente", 7, sig),
	    ERR_OK);
	assert_int_equal(crypto_ed25519_verify(pub2, "entente", 7, sig),
	    ERR_CRYPTO);
	/* A wrong public key passed to sign is ignored, not trusted. */
	crypto_ed25519_sign(seed, pub2, "entente", 7, sig2);
	assert_memory_equal(sig, sig2, 64);
}

static void
test_memeq_wipe(void **state)
{
	uint8_t a[64], b[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(a); i++)
		a[i] = b[i] = (uint8_t)(i * 7);
	assert_int_equal(crypto_memeq(a, b, sizeof(a)), 1);
	assert_int_equal(crypto_memeq(a, b, 0), 1);
	for (i = 0; i < sizeof(a); i++) {
		b[i] ^= 0x80;
		assert_int_equal(crypto_memeq(a, b, sizeof(a)), 0);
		assert_int_equal(crypto_memeq(a, b, i), 1);
		b[i] ^= 0x80;
	}
	crypto_wipe(a, sizeof(a));
	for (i = 0; i < sizeof(a); i++)
		assert_int_equal(a[i], 0);
	crypto_wipe(NULL, 0);
}

static void
test_random(void **state)
{
	uint8_t a[32], b[32], zero[32] = { 0 };
	uint8_t *big;
	size_t i, ones = 0;

	(void)state;
	assert_int_equal(crypto_random(a, sizeof(a)), ERR_OK);
	assert_int_equal(crypto_random(b, sizeof(b)), ERR_OK);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, zero, sizeof(a));
	assert_int_equal(crypto_random(NULL, 0), ERR_OK);
	/* Large requests are split, and the bits look balanced. */
	big = calloc(1, 1 << 20);
	assert_non_null(big);
	assert_int_equal(crypto_random(big, 1 << 20), ERR_OK);
	for (i = 0; i < (1u << 20); i++)
		ones += (size_t)__builtin_popcount(big[i]);
	assert_true(ones > 4150000 && ones < 4240000);	/* 8 Mi bits */
	free(big);
}

static void
b64_roundtrip(const char *raw, const char *std, const char *url)
{
	char enc[64];
	uint8_t dec[64];
	size_t len = strlen(raw), n = 99;

	assert_int_equal(crypto_b64_encode(raw, len, 0, enc, sizeof(enc)),
	    ERR_OK);
	assert_string_equal(enc, std);
	assert_int_equal(crypto_b64_encode(raw, len, 1, enc, sizeof(enc)),
	    ERR_OK);
	assert_string_equal(enc, url);
	assert_int_equal(crypto_b64_decode(std, strlen(std), 0, dec,
	    sizeof(dec), &n), ERR_OK);
	assert_int_equal(n, len);
	assert_memory_equal(dec, raw, len);
	assert_int_equal(crypto_b64_decode(url, strlen(url), 1, dec,
	    sizeof(dec), &n), ERR_OK);
	assert_int_equal(n, len);
	assert_memory_equal(dec, raw, len);
	/* Exactly enough room, with and without the terminator. */
	assert_int_equal(crypto_b64_encode(raw, len, 0, enc,
	    strlen(std) + 1), ERR_OK);
	assert_int_equal(crypto_b64_encode(raw, len, 0, enc, strlen(std)),
	    ERR_TOOBIG);
	if (len > 0) {
		n = 99;
		assert_int_equal(crypto_b64_decode(std, strlen(std), 0, dec,
		    len - 1, &n), ERR_TOOBIG);
		assert_int_equal(n, 0);
	}
}

static void
test_base64(void **state)
{
#define S(x) { x, sizeof(x) - 1 }
	static const struct {
		const char	*s;
		size_t		 len;
	} bad_std[] = {
		S("Zg"), S("Zg="), S("Zh=="), S("Zm9="), S("Z==="), S("===="),
		S("="), S("Zg==Zg=="), S(" Zg=="), S("Zg==\n"), S("Zm9v\n"),
		S("Zm 9v"), S("Zm9v===="), S("-_8="), S("Zm9\0"), S("Zm=v"),
		S("Zg=a"), S("Zm9vYg="), S("\xc3\xa9" "AA"), S("Zm9v\r\n"),
	}, bad_url[] = {
		S("Zg=="), S("Zg="), S("Zh"), S("Zm9"), S("Z"), S("+/8"),
		S("Zm9v\n"), S(" Zg"), S("Zm9vY"), S("Zm9v="), S("Zm\0v"),
		S("Zg\t"),
	};
#undef S
	uint8_t dec[16], fill[8];
	char enc[16];
	size_t i, n;

	(void)state;
	/* RFC 4648 section 10. */
	b64_roundtrip("", "", "");
	b64_roundtrip("f", "Zg==", "Zg");
	b64_roundtrip("fo", "Zm8=", "Zm8");
	b64_roundtrip("foo", "Zm9v", "Zm9v");
	b64_roundtrip("foob", "Zm9vYg==", "Zm9vYg");
	b64_roundtrip("fooba", "Zm9vYmE=", "Zm9vYmE");
	b64_roundtrip("foobar", "Zm9vYmFy", "Zm9vYmFy");
	/* The two alphabets differ in 62 and 63. */
	b64_roundtrip("\xfb\xff", "+/8=", "-_8");
	b64_roundtrip("\xfb\xef\xbe", "++++", "----");
	b64_roundtrip("\xff\xff\xff", "////", "____");

	/* Wrong length, padding, alphabet, trailing bits or whitespace. */
	for (i = 0; i < sizeof(bad_std) / sizeof(bad_std[0]); i++) {
		n = 99;
		if (crypto_b64_decode(bad_std[i].s, bad_std[i].len, 0, dec,
		    sizeof(dec), &n) != ERR_PARSE)
			fail_msg("std accepted \"%s\"", bad_std[i].s);
		assert_int_equal(n, 0);
	}
	for (i = 0; i < sizeof(bad_url) / sizeof(bad_url[0]); i++) {
		n = 99;
		if (crypto_b64_decode(bad_url[i].s, bad_url[i].len, 1, dec,
		    sizeof(dec), &n) != ERR_PARSE)
			fail_msg("url accepted \"%s\"", bad_url[i].s);
		assert_int_equal(n, 0);
	}

	/* Decoding never writes past out_cap. */
	memset(fill, 0xee, sizeof(fill));
	assert_int_equal(crypto_b64_decode("Zm9vYmFy", 8, 0, fill, 5, &n),
	    ERR_TOOBIG);
	for (i = 0; i < sizeof(fill); i++)
		assert_int_equal(fill[i], 0xee);
	assert_int_equal(crypto_b64_decode("Zm9vYmE=", 8, 0, fill, 5, &n),
	    ERR_OK);
	assert_int_equal(n, 5);
	assert_memory_equal(fill, "fooba", 5);
	assert_int_equal(fill[5], 0xee);
	/* Encoding: too small a buffer leaves an empty string. */
	assert_int_equal(crypto_b64_encode("foo", 3, 0, enc, 4), ERR_TOOBIG);
	assert_string_equal(enc, "");
	assert_int_equal(crypto_b64_encode("foo", 3, 0, enc, 0), ERR_TOOBIG);
}

/* Random bytes round-trip through both alphabets at every length. */
static void
test_base64_random(void **state)
{
	uint8_t raw[100], dec[100];
	char enc[CRYPTO_B64_LEN(100) + 1];
	size_t len, n;
	int url;

	(void)state;
	for (len = 0; len <= sizeof(raw); len++) {
		assert_int_equal(crypto_random(raw, len), ERR_OK);
		for (url = 0; url <= 1; url++) {
			assert_int_equal(crypto_b64_encode(raw, len, url, enc,
			    sizeof(enc)), ERR_OK);
			assert_int_equal(strlen(enc), url ?
			    (len * 4 + 2) / 3 : CRYPTO_B64_LEN(len));
			assert_int_equal(crypto_b64_decode(enc, strlen(enc),
			    url, dec, sizeof(dec), &n), ERR_OK);
			assert_int_equal(n, len);
			assert_memory_equal(dec, raw, len);
		}
	}
}

/* Run fn in a child; return its wait status. */
static int
in_child(void (*fn)(void))
{
	pid_t pid;
	int st, devnull;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* cmocka's handlers would resume the test run in the child. */
		(void)signal(SIGSEGV, SIG_DFL);
		(void)signal(SIGBUS, SIG_DFL);
		(void)signal(SIGABRT, SIG_DFL);
		devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0)
			(void)dup2(devnull, 2);
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

static void
child_read_locked(void)
{
	volatile uint8_t *p = crypto_secret_alloc(32);

	if (p == NULL)
		_exit(0);
	p[0] = 1;
	if (crypto_secret_lock((void *)p) != ERR_OK)
		_exit(0);
	(void)p[0];		/* must fault */
	_exit(0);
}

static void
child_overflow(void)
{
	volatile uint8_t *p = crypto_secret_alloc(64);

	if (p == NULL)
		_exit(0);
	p[64] = 1;		/* the guard page: must fault */
	_exit(0);
}

static void
child_small_overflow(void)
{
	uint8_t *p = crypto_secret_alloc(20);

	if (p == NULL)
		_exit(0);
	p[20] = 0x55;		/* within the alignment slack */
	crypto_secret_free(p);	/* must abort */
	_exit(0);
}

static void
child_underflow(void)
{
	uint8_t *p = crypto_secret_alloc(32);

	if (p == NULL)
		_exit(0);
	p[-1] ^= 0xff;
	crypto_secret_free(p);	/* must abort */
	_exit(0);
}

static void
child_foreign(void)
{
	uint8_t *p = malloc(64);

	crypto_secret_free(p);	/* must abort */
	_exit(0);
}

/* 1 when /proc/self/smaps marks the mapping holding p "dd" (no dump). */
static int
smaps_dontdump(const void *p)
{
	char line[512];
	unsigned long lo, hi, a = (unsigned long)(uintptr_t)p;
	int in = 0, found = 0;
	FILE *f;

	f = fopen("/proc/self/smaps", "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *dash = strchr(line, '-'), *end;

		if (dash != NULL && strchr(line, ' ') > dash &&
		    line[0] != 'V') {
			lo = strtoul(line, &end, 16);
			if (end == dash) {
				hi = strtoul(dash + 1, NULL, 16);
				in = a >= lo && a < hi;
				continue;
			}
		}
		if (in && strncmp(line, "VmFlags:", 8) == 0) {
			found = strstr(line, " dd") != NULL;
			break;
		}
	}
	(void)fclose(f);
	return found;
}

static void
test_secret(void **state)
{
	static const size_t sizes[] = { 1, 15, 16, 17, 32, 4000, 4080, 4096,
	    5000, 70000 };
	uint8_t *p;
	size_t i, j;
	int st;

	(void)state;
	assert_null(crypto_secret_alloc(0));
	crypto_secret_free(NULL);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		p = crypto_secret_alloc(sizes[i]);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		for (j = 0; j < sizes[i]; j++)
			p[j] = (uint8_t)j;
		assert_int_equal(crypto_secret_lock(p), ERR_OK);
		assert_int_equal(crypto_secret_unlock(p), ERR_OK);
		for (j = 0; j < sizes[i]; j++)
			assert_int_equal(p[j], (uint8_t)j);
		assert_int_equal(smaps_dontdump(p), 1);
		/* Free works on a locked region too. */
		assert_int_equal(crypto_secret_lock(p), ERR_OK);
		crypto_secret_free(p);
	}

	/* Faults (a signal, or a sanitizer report and a non-zero exit). */
	st = in_child(child_read_locked);
	assert_false(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	st = in_child(child_overflow);
	assert_false(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* Canary damage is found by free, which aborts. */
	st = in_child(child_small_overflow);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
	st = in_child(child_underflow);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
	st = in_child(child_foreign);
	assert_false(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static char tmpdir[64];

static int
setup_tmpdir(void **state)
{
	(void)state;
	(void)snprintf(tmpdir, sizeof(tmpdir), "/tmp/entente-test-XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
teardown_tmpdir(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void
tpath(char *buf, size_t cap, const char *name)
{
	int n = snprintf(buf, cap, "%s/%s", tmpdir, name);

	assert_true(n > 0 && (size_t)n < cap);
}

static void
write_file(const char *path, const char *data, size_t len, mode_t mode)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

static void
test_keyfile(void **state)
{
	uint8_t seed[32], pub[32], back[32], other[32];
	char path[256], p2[256], p3[256], text[64];
	struct stat st;
	mode_t old;
	int fd;

	(void)state;
	assert_int_equal(crypto_ed25519_keypair(pub, seed), ERR_OK);
	tpath(path, sizeof(path), "node.key");

	/* Mode 0600 whatever the umask. */
	old = umask(0);
	assert_int_equal(crypto_key_save(path, seed), ERR_OK);
	(void)umask(old);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, 45);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, text, sizeof(text)), 45);
	(void)close(fd);
	assert_int_equal(text[44], '\n');
	assert_int_equal(text[43], '=');

	assert_int_equal(crypto_key_load(path, back), ERR_OK);
	assert_memory_equal(back, seed, 32);

	/* Never overwrite. */
	assert_int_equal(crypto_ed25519_keypair(pub, other), ERR_OK);
	assert_int_equal(crypto_key_save(path, other), ERR_EXISTS);
	assert_int_equal(crypto_key_load(path, back), ERR_OK);
	assert_memory_equal(back, seed, 32);

	/* Group or other bits: refused, and the output zeroed. */
	assert_int_equal(chmod(path, 0644), 0);
	memset(back, 0xaa, sizeof(back));
	assert_int_equal(crypto_key_load(path, back), ERR_FORBIDDEN);
	assert_memory_equal(back, (uint8_t[32]){ 0 }, 32);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(crypto_key_load(path, back), ERR_FORBIDDEN);
	assert_int_equal(chmod(path, 0601), 0);
	assert_int_equal(crypto_key_load(path, back), ERR_FORBIDDEN);
	assert_int_equal(chmod(path, 0400), 0);
	assert_int_equal(crypto_key_load(path, back), ERR_OK);
	assert_memory_equal(back, seed, 32);

	/* A symbolic link, even to a good key, is refused. */
	tpath(p2, sizeof(p2), "link.key");
	assert_int_equal(symlink(path, p2), 0);
	assert_int_equal(crypto_key_load(p2, back), ERR_FORBIDDEN);
	/* And saving through a dangling link creates nothing. */
	tpath(p2, sizeof(p2), "dangling.key");
	tpath(p3, sizeof(p3), "never-created");
	assert_int_equal(symlink(p3, p2), 0);
	assert_int_equal(crypto_key_save(p2, seed), ERR_EXISTS);
	assert_int_equal(access(p3, F_OK), -1);

	/* Not found, not a regular file. */
	tpath(p2, sizeof(p2), "missing.key");
	assert_int_equal(crypto_key_load(p2, back), ERR_NOTFOUND);
	assert_int_equal(crypto_key_load(tmpdir, back), ERR_PARSE);
	tpath(p2, sizeof(p2), "fifo.key");
	assert_int_equal(mkfifo(p2, 0600), 0);
	assert_int_equal(crypto_key_load(p2, back), ERR_PARSE);

	/* Wrong size, wrong form (44 characters of base64 and a newline). */
#define A40 "AAAAAAAAAAAAAAAAAAAA" "AAAAAAAAAAAAAAAAAAAA"
	tpath(p2, sizeof(p2), "short.key");
	write_file(p2, text, 44, 0600);
	assert_int_equal(crypto_key_load(p2, back), ERR_PARSE);
	tpath(p2, sizeof(p2), "long.key");
	write_file(p2, A40 "AAA=\n\n", 46, 0600);
	assert_int_equal(crypto_key_load(p2, back), ERR_PARSE);
	tpath(p2, sizeof(p2), "nonl.key");
	write_file(p2, A40 "AAA==", 45, 0600);
	assert_int_equal(crypto_key_load(p2, back), ERR_PARSE);
	tpath(p2, sizeof(p2), "noncanon.key");
	write_file(p2, A40 "AAB=\n", 45, 0600);
	assert_int_equal(crypto_key_load(p2, back), ERR_PARSE);
	tpath(p2, sizeof(p2), "url.key");
	write_file(p2, "____________________" "____________________"
	    "AAA=\n", 45, 0600);
	assert_int_equal(crypto_key_load(p2, back), ERR_PARSE);
	tpath(p2, sizeof(p2), "zero.key");
	write_file(p2, A40 "AAA=\n", 45, 0600);
	assert_int_equal(crypto_key_load(p2, back), ERR_OK);
	assert_memory_equal(back, (uint8_t[32]){ 0 }, 32);

	/* A directory that does not exist. */
	tpath(p2, sizeof(p2), "nodir/node.key");
	assert_int_equal(crypto_key_save(p2, seed), ERR_IO);
}

/* The SAN entries of crt, formatted, each followed by a space. */
static void
san_list(gnutls_x509_crt_t crt, char *out, size_t cap)
{
	char name[256], ip[64];
	size_t len, o = 0;
	unsigned i, type;
	int rc, n;

	out[0] = '\0';
	for (i = 0;; i++) {
		len = sizeof(name);
		rc = gnutls_x509_crt_get_subject_alt_name2(crt, i, name, &len,
		    &type, NULL);
		if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		assert_true(rc >= 0);
		if (type == GNUTLS_SAN_IPADDRESS) {
			assert_non_null(inet_ntop(len == 4 ? AF_INET :
			    AF_INET6, name, ip, sizeof(ip)));
			n = snprintf(out + o, cap - o, "IP:%s ", ip);
		} else {
			assert_int_equal(type, GNUTLS_SAN_DNSNAME);
			n = snprintf(out + o, cap - o, "DNS:%s ", name);
		}
		assert_true(n > 0 && (size_t)n < cap - o);
		o += (size_t)n;
	}
}

static gnutls_x509_crt_t
load_cert(const char *path)
{
	gnutls_x509_crt_t crt;
	gnutls_datum_t d;

	assert_int_equal(gnutls_load_file(path, &d), 0);
	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	assert_int_equal(gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM),
	    0);
	gnutls_free(d.data);
	return crt;
}

static void
test_tls_selfsigned(void **state)
{
	gnutls_certificate_credentials_t cred;
	gnutls_x509_crt_t crt;
	char cert[256], key[256], san[512], cn[128], oid[128];
	unsigned ca = 1, usage = 0, critical;
	struct stat st;
	size_t len;
	time_t span;
	mode_t old;
	int pathlen, rc;

	(void)state;
	assert_int_equal(crypto_init(), ERR_OK);
	tpath(cert, sizeof(cert), "tls.crt");
	tpath(key, sizeof(key), "tls.key");
	/* Modes are exact: a restrictive umask does not hide the cert. */
	old = umask(077);
	rc = crypto_tls_selfsigned("node1.example.org", cert, key);
	(void)umask(old);
	assert_int_equal(rc, ERR_OK);
	assert_int_equal(stat(cert, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(stat(key, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	/* GnuTLS takes the pair as server credentials (the key matches). */
	assert_int_equal(gnutls_certificate_allocate_credentials(&cred), 0);
	rc = gnutls_certificate_set_x509_key_file(cred, cert, key,
	    GNUTLS_X509_FMT_PEM);
	assert_true(rc >= 0);
	gnutls_certificate_free_credentials(cred);

	crt = load_cert(cert);
	assert_int_equal(gnutls_x509_crt_get_version(crt), 3);
	len = sizeof(cn);
	assert_int_equal(gnutls_x509_crt_get_dn_by_oid(crt,
	    GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn, &len), 0);
	assert_string_equal(cn, "node1.example.org");
	san_list(crt, san, sizeof(san));
	assert_string_equal(san, "DNS:node1.example.org DNS:localhost "
	    "IP:127.0.0.1 IP:::1 ");
	assert_int_equal(gnutls_x509_crt_check_hostname(crt,
	    "node1.example.org"), 1);
	assert_int_equal(gnutls_x509_crt_check_hostname(crt, "localhost"), 1);
	assert_int_equal(gnutls_x509_crt_check_hostname(crt, "127.0.0.1"), 1);
	assert_int_equal(gnutls_x509_crt_check_hostname(crt, "other.org"), 0);
	assert_true(gnutls_x509_crt_get_basic_constraints(crt, &critical, &ca,
	    &pathlen) >= 0);
	assert_int_equal(ca, 0);
	assert_true(gnutls_x509_crt_get_key_usage(crt, &usage, &critical) >=
	    0);
	assert_int_equal(usage, GNUTLS_KEY_DIGITAL_SIGNATURE);
	len = sizeof(oid);
	assert_true(gnutls_x509_crt_get_key_purpose_oid(crt, 0, oid, &len,
	    NULL) >= 0);
	assert_string_equal(oid, GNUTLS_KP_TLS_WWW_SERVER);
	assert_int_equal(gnutls_x509_crt_get_pk_algorithm(crt, NULL),
	    GNUTLS_PK_ECDSA);
	assert_int_equal(gnutls_x509_crt_get_signature_algorithm(crt),
	    GNUTLS_SIGN_ECDSA_SHA256);
	span = gnutls_x509_crt_get_expiration_time(crt) -
	    gnutls_x509_crt_get_activation_time(crt);
	assert_true(span >= (time_t)3652 * 86400);
	assert_true(span <= (time_t)3653 * 86400);
	assert_true(gnutls_x509_crt_get_activation_time(crt) <= time(NULL));
	assert_int_equal(gnutls_x509_crt_check_issuer(crt, crt), 1);
	gnutls_x509_crt_deinit(crt);

	/* Never overwrite: both present, only one present. */
	assert_int_equal(crypto_tls_selfsigned("x", cert, key), ERR_EXISTS);
	tpath(key, sizeof(key), "tls2.key");
	assert_int_equal(crypto_tls_selfsigned("x", cert, key), ERR_EXISTS);
	assert_int_equal(access(key, F_OK), -1);	/* key removed again */

	/* An address as cn becomes an IP SAN. */
	tpath(cert, sizeof(cert), "ip.crt");
	tpath(key, sizeof(key), "ip.key");
	assert_int_equal(crypto_tls_selfsigned("192.0.2.7", cert, key),
	    ERR_OK);
	crt = load_cert(cert);
	san_list(crt, san, sizeof(san));
	assert_string_equal(san, "IP:192.0.2.7 DNS:localhost IP:127.0.0.1 "
	    "IP:::1 ");
	gnutls_x509_crt_deinit(crt);
	tpath(cert, sizeof(cert), "lh.crt");
	tpath(key, sizeof(key), "lh.key");
	assert_int_equal(crypto_tls_selfsigned("localhost", cert, key),
	    ERR_OK);
	crt = load_cert(cert);
	san_list(crt, san, sizeof(san));
	assert_string_equal(san, "DNS:localhost IP:127.0.0.1 IP:::1 ");
	gnutls_x509_crt_deinit(crt);

	/* Names that are not host names create nothing. */
	tpath(cert, sizeof(cert), "bad.crt");
	tpath(key, sizeof(key), "bad.key");
	assert_int_equal(crypto_tls_selfsigned("", cert, key), ERR_INVALID);
	assert_int_equal(crypto_tls_selfsigned("a b", cert, key),
	    ERR_INVALID);
	assert_int_equal(crypto_tls_selfsigned("a/b", cert, key),
	    ERR_INVALID);
	assert_int_equal(crypto_tls_selfsigned("-x", cert, key),
	    ERR_INVALID);
	memset(cn, 'a', 65);
	cn[65] = '\0';
	assert_int_equal(crypto_tls_selfsigned(cn, cert, key), ERR_INVALID);
	assert_int_equal(access(cert, F_OK), -1);
	assert_int_equal(access(key, F_OK), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_hmac_rfc4231),
		cmocka_unit_test(test_ed25519_rfc8032),
		cmocka_unit_test(test_ed25519_malleability),
		cmocka_unit_test(test_ed25519_keypair),
		cmocka_unit_test(test_memeq_wipe),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_base64_random),
		cmocka_unit_test(test_secret),
		cmocka_unit_test(test_keyfile),
		cmocka_unit_test(test_tls_selfsigned),
	};

	return cmocka_run_group_tests(tests, setup_tmpdir, teardown_tmpdir);
}
