/*
 * DKIM signing (RFC 6376) of the mail majlis sends: relaxed/relaxed
 * canonicalisation, rsa-sha256, and ed25519-sha256 (RFC 8463) as a second
 * signature when an Ed25519 key is configured. Keys are OpenSSL EVP_PKEYs.
 */
#ifndef MAJLIS_DKIM_H
#define MAJLIS_DKIM_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "daemon/buf.h"

/* SHA-256 digest bytes: the body hash and the header hash. */
#define DKIM_HASH_LEN		32
/* DKIM-Signature lines are folded before this many columns (CRLF
 * excluded); none is ever longer than DKIM_LINE_MAX. */
#define DKIM_LINE_SOFT		78
#define DKIM_LINE_MAX		998
/* Most header fields of a message looked at when selecting the signed
 * ones; a message with more header fields is not signed. */
#define DKIM_FIELDS_MAX		1000
/* Longest selector or domain written in s= and d= (RFC 1035 name). */
#define DKIM_NAME_MAX		253

/* The body hash of one message body, kept by the caller to sign many
 * copies of the same body while hashing it once. */
struct dkim_body {
	int		set;		/* hash holds the body hash */
	unsigned char	hash[DKIM_HASH_LEN];
};

struct dkim;

/*
 * A signer for domain (d=). rsa (with rsa_selector) and ed25519 (with
 * ed25519_selector) may each be NULL; the keys are referenced, not copied
 * (the caller keeps its own reference). Returns NULL when both keys are
 * NULL, when a key is not of its type, or when a selector or the domain is
 * not a valid name of at most DKIM_NAME_MAX bytes.
 */
struct dkim *dkim_new(const char *domain, EVP_PKEY *rsa,
	    const char *rsa_selector, EVP_PKEY *ed25519,
	    const char *ed25519_selector);
void	dkim_free(struct dkim **);

/*
 * Sign the whole message in msg (header block, blank line, body; CRLF line
 * ends) by inserting one DKIM-Signature field per key at its start: the
 * Ed25519 one, if any, above the RSA one. t is the signing time (t=).
 * body: when not NULL and set, its hash is used as the body hash instead of
 * hashing the body again (the caller vouches that the body is the same);
 * when not NULL and not set, it gets the hash. Returns 0, or -1 (logged,
 * msg unchanged) when the message has more than DKIM_FIELDS_MAX header
 * fields or a signature fails.
 */
int	dkim_sign(struct dkim *, struct buf *msg, int64_t t,
	    struct dkim_body *body);

/*
 * Signing off the event loop: one thread signs the messages pushed, and
 * done(ctx, arg, rc) runs on base's loop for each (rc 0: signed, -1: not
 * signed, DKIM_CANCELLED: dropped by dkim_queue_free).
 */
#define DKIM_CANCELLED	(-2)
struct event_base;
struct dkim_queue;
typedef void	(*dkim_done_cb)(void *ctx, void *arg, int rc);

/* Take d (freed with the queue). NULL when the thread cannot start. */
struct dkim_queue *dkim_queue_new(struct dkim *d, struct event_base *base,
	    dkim_done_cb done, void *ctx);
/* Sign msg with dkim_sign(..., t, ...) in the thread; msg is the thread's
 * until done(). Messages pushed one after the other with the same non-zero
 * body_key share one body hash (the caller vouches the body is the same);
 * 0 hashes every body. */
void	dkim_queue_push(struct dkim_queue *, struct buf *msg, int64_t t,
	    int64_t body_key, void *arg);
/* Stop the thread (after the message it is signing) and call done() with
 * DKIM_CANCELLED for every message whose done() has not run. */
void	dkim_queue_free(struct dkim_queue **);

/* Offset of the body in a message: just after the first empty line
 * (CRLF CRLF); len when there is none (no body). */
size_t	dkim_body_offset(const char *msg, size_t len);

/* Append the relaxed canonical form of a body (RFC 6376 3.4.4) to out:
 * runs of spaces and tabs become one space, trailing ones are dropped,
 * trailing empty lines are dropped, a non-empty body ends with CRLF. Lines
 * end at CRLF only. */
void	dkim_canon_body(struct buf *out, const char *body, size_t len);

/* The SHA-256 of dkim_canon_body(body) into hash, without building it. */
void	dkim_body_hash(const char *body, size_t len,
	    unsigned char hash[DKIM_HASH_LEN]);

/* Append the relaxed canonical form (RFC 6376 3.4.2) of one header field
 * field[0..len) ("Name: value", folded or not, with or without its final
 * CRLF) to out: "name:value\r\n". */
void	dkim_canon_header(struct buf *out, const char *field, size_t len);

/* Append the standard base64 of in[0..n) (with padding) to out. */
void	dkim_base64(struct buf *out, const unsigned char *in, size_t n);

#endif
