/*
 * Token generation and hashing with OpenSSL (RAND_bytes, SHA-256, HMAC).
 */
#include <config.h>

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "daemon/log.h"
#include "daemon/token.h"

static const char token_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void
token_b64url(const unsigned char *in, size_t n, char *out, size_t maxout)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o < maxout; i += 3) {
		unsigned v = (unsigned)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		for (int k = 0; k < 4 && o < maxout; k++)
			out[o++] = token_b64[(v >> (18 - 6 * k)) & 63];
	}
	out[o] = '\0';
}

void
token_random(char *out)
{
	unsigned char r[TOKEN_RANDOM_BYTES];
	if (RAND_bytes(r, sizeof r) != 1)
		fatalx("RAND_bytes failed");
	token_b64url(r, sizeof r, out, TOKEN_LEN);
}

void
token_hash(const char *s, char *out)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256((const unsigned char *)s, strlen(s), md);
	for (size_t i = 0; i < sizeof md; i++) {
		out[2 * i] = "0123456789abcdef"[md[i] >> 4];
		out[2 * i + 1] = "0123456789abcdef"[md[i] & 15];
	}
	out[TOKEN_HASH_LEN] = '\0';
}

void
token_mac(const char *key, const char *msg, char *out, size_t n)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)msg,
	    strlen(msg), md, &mdlen);
	if (n > 42)
		n = 42;
	token_b64url(md, mdlen, out, n);
}

int
token_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb)
		return 0;
	return CRYPTO_memcmp(a, b, la) == 0;
}
