/*
 * Passwords: Argon2id hashes in libsodium's string form (crypto_pwhash_str),
 * their check, and random tokens from libsodium for sessions.
 */
#ifndef MAJLIS_PASSWORD_H
#define MAJLIS_PASSWORD_H

#include <stddef.h>

#define PASSWORD_MIN		10	/* bytes of a new password */
#define PASSWORD_MAX		256	/* bytes of any password accepted */
/* Argon2id cost: libsodium's interactive limits (64 MiB, 2 passes). */
#define PASSWORD_OPSLIMIT	crypto_pwhash_OPSLIMIT_INTERACTIVE
#define PASSWORD_MEMLIMIT	crypto_pwhash_MEMLIMIT_INTERACTIVE
#define PASSWORD_HASH_MAX	128	/* crypto_pwhash_STRBYTES */

#define PASSWORD_TOKEN_BYTES	32	/* random bytes of a session token */
#define PASSWORD_TOKEN_LEN	43	/* its base64url form, no padding */
#define PASSWORD_DIGEST_LEN	64	/* hex BLAKE2b-256 of a token */

/* Initialise libsodium (idempotent); fatal when it cannot. */
void	password_init(void);
/* 1 when the length of a new password is within the limits, else 0. */
int	password_acceptable(const char *pw);
/* Hash pw into out (PASSWORD_HASH_MAX + 1 bytes): 0, or -1 (out of memory). */
int	password_hash(const char *pw, char *out);
/* 1 when pw matches hash, 0 when not. An empty hash (no account) spends
 * the same work on a dummy hash and answers 0, so timing does not tell
 * whether an account exists. */
int	password_verify(const char *hash, const char *pw);
/* A fresh random token (PASSWORD_TOKEN_LEN chars of [A-Za-z0-9_-]). */
void	password_token(char out[PASSWORD_TOKEN_LEN + 1]);
/* Hex BLAKE2b-256 of a token into out: what the database stores. */
void	password_token_digest(const char *token,
	    char out[PASSWORD_DIGEST_LEN + 1]);
/* 1 when s has the form of a token (length and alphabet), else 0. */
int	password_token_wellformed(const char *s);

#endif
