/*
 * Random tokens (URL- and address-safe), their hashes for storage, and short
 * keyed MACs for tokens that must not be forgeable (VERP).
 */
#ifndef MAJLIS_TOKEN_H
#define MAJLIS_TOKEN_H

#include <stddef.h>

#define TOKEN_RANDOM_BYTES	18	/* 144 bits */
#define TOKEN_LEN		24	/* base64url of 18 bytes */
#define TOKEN_HASH_LEN		64	/* hex SHA-256 */

/* Write a fresh random token (TOKEN_LEN chars, [A-Za-z0-9_-]) and a NUL into
 * out, which must hold TOKEN_LEN + 1 bytes. */
void	token_random(char *out);
/* Hex SHA-256 of s into out (TOKEN_HASH_LEN + 1 bytes): tokens are stored
 * hashed so a database leak does not hand out working links. */
void	token_hash(const char *s, char *out);
/* HMAC-SHA-256 of msg under key, base64url, truncated to n chars (n < 43);
 * out holds n + 1 bytes. */
void	token_mac(const char *key, const char *msg, char *out, size_t n);
/* Constant-time comparison of two NUL-terminated strings. 1 equal, 0 not. */
int	token_equal(const char *a, const char *b);

#endif
