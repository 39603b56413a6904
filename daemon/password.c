/*
 * Argon2id password hashes and random tokens with libsodium (see
 * password.h).
 */
#include <config.h>

#include <pthread.h>
#include <string.h>

#include <sodium.h>

#include "daemon/log.h"
#include "daemon/password.h"

_Static_assert(PASSWORD_HASH_MAX + 1 >= crypto_pwhash_STRBYTES,
    "password hash buffer");

void
password_init(void)
{
	if (sodium_init() < 0)
		fatalx("libsodium cannot be initialised");
}

int
password_acceptable(const char *pw)
{
	size_t n = strnlen(pw, PASSWORD_MAX + 1);
	return n >= PASSWORD_MIN && n <= PASSWORD_MAX;
}

int
password_hash(const char *pw, char *out)
{
	password_init();
	size_t n = strnlen(pw, PASSWORD_MAX + 1);
	if (n > PASSWORD_MAX)
		return -1;
	return crypto_pwhash_str(out, pw, n, PASSWORD_OPSLIMIT,
	    PASSWORD_MEMLIMIT) == 0 ? 0 : -1;
}

/* The dummy hash of password_verify, made once (hashq's worker thread and
 * majlisctl both verify). */
static char password_dummy[crypto_pwhash_STRBYTES];
static pthread_once_t password_dummy_once = PTHREAD_ONCE_INIT;

static void
password_dummy_make(void)
{
	if (crypto_pwhash_str(password_dummy, "majlis-dummy", 12,
	    PASSWORD_OPSLIMIT, PASSWORD_MEMLIMIT) != 0)
		password_dummy[0] = '\0';
}

int
password_verify(const char *hash, const char *pw)
{
	password_init();
	size_t n = strnlen(pw, PASSWORD_MAX + 1);
	if (n > PASSWORD_MAX)
		return 0;
	if (hash == NULL || *hash == '\0') {
		const char *dummy = password_dummy;
		pthread_once(&password_dummy_once, password_dummy_make);
		if (dummy[0] == '\0')
			return 0;
		volatile int spent = crypto_pwhash_str_verify(dummy, pw, n);
		(void)spent;
		return 0;
	}
	return crypto_pwhash_str_verify(hash, pw, n) == 0;
}

void
password_token(char out[PASSWORD_TOKEN_LEN + 1])
{
	unsigned char r[PASSWORD_TOKEN_BYTES];
	password_init();
	randombytes_buf(r, sizeof r);
	sodium_bin2base64(out, PASSWORD_TOKEN_LEN + 1, r, sizeof r,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(r, sizeof r);
}

void
password_token_digest(const char *token, char out[PASSWORD_DIGEST_LEN + 1])
{
	unsigned char md[32];
	password_init();
	crypto_generichash(md, sizeof md, (const unsigned char *)token,
	    strlen(token), NULL, 0);
	sodium_bin2hex(out, PASSWORD_DIGEST_LEN + 1, md, sizeof md);
}

int
password_token_wellformed(const char *s)
{
	size_t n = strnlen(s, PASSWORD_TOKEN_LEN + 1);
	if (n != PASSWORD_TOKEN_LEN)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}
