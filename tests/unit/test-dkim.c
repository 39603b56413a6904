/* Unit tests for mail/dkim.c: relaxed canonicalisation (RFC 6376 3.4.5
 * examples and edge cases), body hashes, field selection and over-signing,
 * folding, and rsa-sha256 / ed25519-sha256 signatures checked with OpenSSL
 * against the public half of a key made here. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <event2/event.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "daemon/buf.h"
#include "mail/dkim.h"

#define DOMAIN	"lists.example.org"
#define T0	1700000000

static EVP_PKEY *rsa_key, *ed_key;

/*
 * Helpers.
 */

static void
canon_body_is(const char *in, const char *want)
{
	struct buf out = BUF_INIT;

	dkim_canon_body(&out, in, strlen(in));
	assert_string_equal(buf_cstr(&out), want);
	buf_free(&out);
}

static void
sha256(const void *p, size_t n, unsigned char out[DKIM_HASH_LEN])
{
	unsigned int len = 0;

	assert_int_equal(EVP_Digest(p, n, out, &len, EVP_sha256(), NULL), 1);
	assert_int_equal(len, DKIM_HASH_LEN);
}

/* The public half only, through its DER encoding. */
static EVP_PKEY *
public_half(EVP_PKEY *k)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	int n = i2d_PUBKEY(k, &der);
	EVP_PKEY *pub;

	assert_true(n > 0);
	p = der;
	pub = d2i_PUBKEY(NULL, &p, n);
	assert_non_null(pub);
	OPENSSL_free(der);
	return pub;
}

/* The idx-th (from 0) DKIM-Signature field of msg, CRLF included. */
static void
sig_field(const char *msg, int idx, struct buf *out)
{
	const char *p = msg;

	for (int i = 0; i <= idx; i++) {
		p = strstr(i == 0 ? p : p + 1, "DKIM-Signature:");
		assert_non_null(p);
	}
	const char *e = p;
	do {
		e = strstr(e, "\r\n");
		assert_non_null(e);
		e += 2;
	} while (*e == ' ' || *e == '\t');
	buf_reset(out);
	buf_append(out, p, (size_t)(e - p));
}

/* The value of tag name in a signature field, folding whitespace taken out
 * of it. */
static void
sig_tag(const char *field, const char *name, struct buf *out)
{
	const char *p = strchr(field, ':') + 1;

	buf_reset(out);
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		size_t n = strcspn(p, "=");
		int match = strncmp(p, name, strlen(name)) == 0 &&
		    n == strlen(name);
		p += n + (p[n] == '=');
		for (; *p != '\0' && *p != ';'; p++)
			if (match && !strchr(" \t\r\n", *p))
				buf_putc(out, *p);
		if (match)
			return;
		if (*p == ';')
			p++;
	}
	fail_msg("no tag %s in %s", name, field);
}

/* What a verifier hashes for the signature field itself: b= emptied, then
 * relaxed (written here from the RFC, not with the module's code). */
static void
sig_canon(const char *field, struct buf *out)
{
	const char *b = field;
	int sp = 0;

	while ((b = strstr(b + 1, "b=")) != NULL && !strchr(" \t\n;", b[-1]))
		;
	assert_non_null(b);
	buf_puts(out, "dkim-signature:");
	for (const char *p = strchr(field, ':') + 1; p < b + 2; p++) {
		if (p[0] == '\r' && p[1] == '\n') {
			p++;
			continue;
		}
		if (*p == ' ' || *p == '\t') {
			sp = 1;
			continue;
		}
		if (sp && out->data[out->len - 1] != ':')
			buf_putc(out, ' ');
		sp = 0;
		buf_putc(out, *p);
	}
}

/* Verify the idx-th signature of msg over the canonical fields hdata with
 * pub: 1 good, 0 bad. */
static int
verify(const char *msg, int idx, const char *hdata, EVP_PKEY *pub)
{
	struct buf field = BUF_INIT, data = BUF_INIT, b = BUF_INIT;
	unsigned char sig[1024], hash[DKIM_HASH_LEN];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int len, ok;

	sig_field(msg, idx, &field);
	sig_tag(buf_cstr(&field), "b", &b);
	len = EVP_DecodeBlock(sig, (const unsigned char *)b.data, (int)b.len);
	assert_true(len > 0);
	len -= (b.len > 0 && b.data[b.len - 1] == '=') +
	    (b.len > 1 && b.data[b.len - 2] == '=');
	buf_puts(&data, hdata);
	sig_canon(buf_cstr(&field), &data);
	if (EVP_PKEY_get_base_id(pub) == EVP_PKEY_RSA) {
		assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(),
		    NULL, pub), 1);
		ok = EVP_DigestVerify(ctx, sig, (size_t)len,
		    (const unsigned char *)data.data, data.len);
	} else {
		sha256(data.data, data.len, hash);
		assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, NULL, NULL,
		    pub), 1);
		ok = EVP_DigestVerify(ctx, sig, (size_t)len, hash, sizeof hash);
	}
	EVP_MD_CTX_free(ctx);
	buf_free(&field);
	buf_free(&data);
	buf_free(&b);
	return ok == 1;
}

/* Lines of the DKIM-Signature fields of msg: none over max. */
static void
check_fold(const char *msg, size_t max)
{
	const char *p = msg;

	while (strncmp(p, "DKIM-Signature:", 15) == 0 || *p == ' ') {
		const char *e = strstr(p, "\r\n");
		assert_non_null(e);
		if ((size_t)(e - p) > max)
			fail_msg("line of %zu columns: %.*s", (size_t)(e - p),
			    (int)(e - p), p);
		p = e + 2;
	}
}

static const char post[] =
    "Date: Mon, 23 Nov 2026 09:00:00 +0000\r\n"
    "From: \"Amelie via Cloud\" <cloud@lists.example.org>\r\n"
    "Reply-To: <cloud@lists.example.org>\r\n"
    "To: <cloud@lists.example.org>\r\n"
    "Subject: [cloud] Hebergement\r\n"
    "  souverain\r\n"
    "Message-ID: <a1@example.org>\r\n"
    "List-Id: <cloud.lists.example.org>\r\n"
    "List-Unsubscribe: <https://m.example.org/u/TOKEN>,\r\n"
    " <mailto:cloud-leave@lists.example.org>\r\n"
    "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
    "Precedence: list\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Bonjour  a tous, \r\n"
    "\r\n"
    "la reunion est jeudi.\r\n"
    "\r\n"
    "\r\n";

/* The signed fields of post, as RFC 6376 relaxed and h= order give them. */
static const char post_hdata[] =
    "from:\"Amelie via Cloud\" <cloud@lists.example.org>\r\n"
    "to:<cloud@lists.example.org>\r\n"
    "subject:[cloud] Hebergement souverain\r\n"
    "date:Mon, 23 Nov 2026 09:00:00 +0000\r\n"
    "message-id:<a1@example.org>\r\n"
    "mime-version:1.0\r\n"
    "content-type:text/plain; charset=utf-8\r\n"
    "reply-to:<cloud@lists.example.org>\r\n"
    "list-id:<cloud.lists.example.org>\r\n"
    "list-unsubscribe:<https://m.example.org/u/TOKEN>, "
    "<mailto:cloud-leave@lists.example.org>\r\n"
    "list-unsubscribe-post:List-Unsubscribe=One-Click\r\n";

static const char post_h[] = "from:from:to:subject:subject:date:message-id:"
    "mime-version:content-type:reply-to:list-id:list-unsubscribe:"
    "list-unsubscribe:list-unsubscribe-post";

static const char post_body[] =
    "Bonjour a tous,\r\n\r\nla reunion est jeudi.\r\n";

static void
sign_post(struct dkim *d, struct buf *msg, struct dkim_body *body)
{
	buf_reset(msg);
	buf_puts(msg, post);
	assert_int_equal(dkim_sign(d, msg, T0, body), 0);
}

/*
 * Tests.
 */

/* RFC 6376 3.4.5, header part: "A: X" and "B : Y<TAB><CRLF><TAB>Z  ". */
static void
test_canon_header_rfc(void **state)
{
	struct buf out = BUF_INIT;
	const char a[] = "A: X\r\n", b[] = "B : Y\t\r\n\tZ  \r\n";

	dkim_canon_header(&out, a, strlen(a));
	dkim_canon_header(&out, b, strlen(b));
	assert_string_equal(buf_cstr(&out), "a:X\r\nb:Y Z\r\n");
	buf_reset(&out);
	dkim_canon_header(&out, "SUBJECT:\t  x \t y", 16);
	assert_string_equal(buf_cstr(&out), "subject:x y\r\n");
	buf_reset(&out);
	dkim_canon_header(&out, "X-Empty:  \r\n", 12);
	assert_string_equal(buf_cstr(&out), "x-empty:\r\n");
	buf_free(&out);
}

/* RFC 6376 3.4.5, body part, and the edges of 3.4.4. */
static void
test_canon_body(void **state)
{
	canon_body_is(" C \r\nD \t E\r\n\r\n\r\n", " C\r\nD E\r\n");
	canon_body_is("", "");
	canon_body_is("\r\n", "");
	canon_body_is(" \t\r\n\r\n \r\n", "");
	canon_body_is("abc", "abc\r\n");
	canon_body_is("a  b\t", "a b\r\n");
	canon_body_is("a\r\n \t\r\nb \r\n\t\r\n", "a\r\n\r\nb\r\n");
	canon_body_is("a\nb\r\n", "a\nb\r\n");		/* bare LF: not a line end */
	canon_body_is("a\r\r\n", "a\r\r\n");
}

/* The streamed hash equals the hash of the canonical body, across the
 * staging size; an empty body hashes the empty string. */
static void
test_body_hash(void **state)
{
	unsigned char got[DKIM_HASH_LEN], want[DKIM_HASH_LEN];
	struct buf body = BUF_INIT, canon = BUF_INIT, b64 = BUF_INIT;

	dkim_body_hash("", 0, got);
	dkim_base64(&b64, got, sizeof got);
	assert_string_equal(buf_cstr(&b64),
	    "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
	dkim_body_hash("\r\n\r\n", 4, got);
	sha256("", 0, want);
	assert_memory_equal(got, want, sizeof got);
	for (int i = 0; i < 3000; i++)
		buf_printf(&body, "line %d \t with   runs%s\r\n", i,
		    i % 7 ? "" : "  ");
	buf_puts(&body, "\r\n \r\n");
	dkim_canon_body(&canon, body.data, body.len);
	assert_true(canon.len > 2 * 4096);
	sha256(canon.data, canon.len, want);
	dkim_body_hash(body.data, body.len, got);
	assert_memory_equal(got, want, sizeof got);
	buf_free(&body);
	buf_free(&canon);
	buf_free(&b64);
}

static void
test_body_offset(void **state)
{
	assert_int_equal(dkim_body_offset("A: b\r\n\r\nx", 9), 8);
	assert_int_equal(dkim_body_offset("A: b\r\n", 6), 6);
	assert_int_equal(dkim_body_offset("A: b\n\nx\r\n\r\n", 11), 11);
	assert_int_equal(dkim_body_offset("", 0), 0);
}

/* One RSA signature: tags, h= with over-signing, bh=, folding, and b=
 * verified by OpenSSL with the public key; a changed byte fails. */
static void
test_sign_rsa(void **state)
{
	static const char head[] = "DKIM-Signature: v=1; a=rsa-sha256;"
	    " c=relaxed/relaxed; d=" DOMAIN ";";
	struct dkim *d = dkim_new(DOMAIN, rsa_key, "s2026", NULL, NULL);
	struct buf msg = BUF_INIT, field = BUF_INIT, v = BUF_INIT;
	struct buf b64 = BUF_INIT, bad = BUF_INIT;
	unsigned char bh[DKIM_HASH_LEN];
	EVP_PKEY *pub = public_half(rsa_key);

	assert_non_null(d);
	sign_post(d, &msg, NULL);
	assert_int_equal(strncmp(msg.data, head, strlen(head)), 0);
	assert_string_equal(strstr(msg.data, "\r\nDate:") + 2, post);
	assert_null(strstr(msg.data + 1, "DKIM-Signature:"));
	check_fold(msg.data, DKIM_LINE_SOFT);
	sig_field(msg.data, 0, &field);
	sig_tag(field.data, "s", &v);
	assert_string_equal(buf_cstr(&v), "s2026");
	sig_tag(field.data, "t", &v);
	assert_string_equal(buf_cstr(&v), "1700000000");
	sig_tag(field.data, "h", &v);
	assert_string_equal(buf_cstr(&v), post_h);
	sig_tag(field.data, "bh", &v);
	sha256(post_body, strlen(post_body), bh);
	dkim_base64(&b64, bh, sizeof bh);
	assert_string_equal(buf_cstr(&v), buf_cstr(&b64));
	assert_true(verify(msg.data, 0, post_hdata, pub));
	buf_puts(&bad, post_hdata);
	bad.data[strlen("from:\"Amelie")] = 'X';
	assert_false(verify(msg.data, 0, buf_cstr(&bad), pub));
	EVP_PKEY_free(pub);
	dkim_free(&d);
	assert_null(d);
	buf_free(&msg);
	buf_free(&field);
	buf_free(&v);
	buf_free(&b64);
	buf_free(&bad);
}

/* Ed25519 and RSA: two fields, Ed25519 first, each verified. */
static void
test_sign_both(void **state)
{
	struct dkim *d = dkim_new(DOMAIN, rsa_key, "rsa1", ed_key, "ed1");
	struct buf msg = BUF_INIT, field = BUF_INIT, v = BUF_INIT;
	EVP_PKEY *rpub = public_half(rsa_key), *epub = public_half(ed_key);

	assert_non_null(d);
	sign_post(d, &msg, NULL);
	check_fold(msg.data, DKIM_LINE_SOFT);
	sig_field(msg.data, 0, &field);
	sig_tag(field.data, "a", &v);
	assert_string_equal(buf_cstr(&v), "ed25519-sha256");
	sig_tag(field.data, "s", &v);
	assert_string_equal(buf_cstr(&v), "ed1");
	sig_field(msg.data, 1, &field);
	sig_tag(field.data, "a", &v);
	assert_string_equal(buf_cstr(&v), "rsa-sha256");
	assert_true(verify(msg.data, 0, post_hdata, epub));
	assert_true(verify(msg.data, 1, post_hdata, rpub));
	assert_false(verify(msg.data, 0, post_hdata + 1, epub));
	assert_false(verify(msg.data, 1, post_hdata, epub));
	EVP_PKEY_free(rpub);
	EVP_PKEY_free(epub);
	dkim_free(&d);
	buf_free(&msg);
	buf_free(&field);
	buf_free(&v);
}

/* Fields present twice are signed bottom-up, each listed; unknown fields
 * are not signed; Cc absent is not listed. */
static void
test_repeated_fields(void **state)
{
	static const char m[] = "Received: x\r\nTo: a@x\r\nFrom: f@x\r\n"
	    "To: b@x\r\nX-Mailer: y\r\n\r\nbody\r\n";
	struct dkim *d = dkim_new(DOMAIN, NULL, NULL, ed_key, "ed1");
	struct buf msg = BUF_INIT, field = BUF_INIT, v = BUF_INIT;
	EVP_PKEY *pub = public_half(ed_key);

	buf_puts(&msg, m);
	assert_int_equal(dkim_sign(d, &msg, T0, NULL), 0);
	sig_field(msg.data, 0, &field);
	sig_tag(field.data, "h", &v);
	assert_string_equal(buf_cstr(&v), "from:from:to:to:subject:"
	    "list-unsubscribe");
	assert_true(verify(msg.data, 0, "from:f@x\r\nto:b@x\r\nto:a@x\r\n", pub));
	assert_false(verify(msg.data, 0, "from:f@x\r\nto:a@x\r\nto:b@x\r\n",
	    pub));
	EVP_PKEY_free(pub);
	dkim_free(&d);
	buf_free(&msg);
	buf_free(&field);
	buf_free(&v);
}

/* A body hash kept by the caller is used as it is; an unset one is
 * filled. */
static void
test_body_cache(void **state)
{
	struct dkim *d = dkim_new(DOMAIN, NULL, NULL, ed_key, "ed1");
	struct dkim_body body = { 0, { 0 } };
	struct buf msg = BUF_INIT, field = BUF_INIT, v1 = BUF_INIT;
	struct buf v2 = BUF_INIT;
	unsigned char bh[DKIM_HASH_LEN];

	sign_post(d, &msg, &body);
	assert_true(body.set);
	sha256(post_body, strlen(post_body), bh);
	assert_memory_equal(body.hash, bh, sizeof bh);
	sig_field(msg.data, 0, &field);
	sig_tag(field.data, "bh", &v1);
	memset(body.hash, 0, sizeof body.hash);
	sign_post(d, &msg, &body);
	sig_field(msg.data, 0, &field);
	sig_tag(field.data, "bh", &v2);
	assert_string_equal(buf_cstr(&v2),
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
	assert_string_not_equal(buf_cstr(&v1), buf_cstr(&v2));
	dkim_free(&d);
	buf_free(&msg);
	buf_free(&field);
	buf_free(&v1);
	buf_free(&v2);
}

/* A domain too long for one line still gives lines under DKIM_LINE_MAX and
 * a signature that verifies; the longest name is accepted, one more byte
 * is refused. */
static void
test_fold_long_names(void **state)
{
	char dom[DKIM_NAME_MAX + 2];
	struct dkim *d;
	struct buf msg = BUF_INIT;
	EVP_PKEY *pub = public_half(rsa_key);

	memset(dom, 'a', sizeof dom);
	for (size_t i = 60; i < sizeof dom; i += 61)
		dom[i] = '.';
	dom[DKIM_NAME_MAX] = '\0';
	d = dkim_new(dom, rsa_key, "s", NULL, NULL);
	assert_non_null(d);
	sign_post(d, &msg, NULL);
	check_fold(msg.data, DKIM_LINE_MAX);
	assert_true(verify(msg.data, 0, post_hdata, pub));
	dkim_free(&d);
	dom[DKIM_NAME_MAX] = 'a';
	dom[DKIM_NAME_MAX + 1] = '\0';
	assert_null(dkim_new(dom, rsa_key, "s", NULL, NULL));
	EVP_PKEY_free(pub);
	buf_free(&msg);
}

/* DKIM_FIELDS_MAX header fields are signed, one more is refused and the
 * message left as it was. */
static void
test_fields_max(void **state)
{
	struct dkim *d = dkim_new(DOMAIN, NULL, NULL, ed_key, "ed1");
	struct buf msg = BUF_INIT, before = BUF_INIT;

	for (int i = 0; i < DKIM_FIELDS_MAX; i++)
		buf_printf(&msg, "X-F%d: v\r\n", i);
	buf_puts(&msg, "\r\nbody\r\n");
	assert_int_equal(dkim_sign(d, &msg, T0, NULL), 0);
	buf_reset(&msg);
	for (int i = 0; i <= DKIM_FIELDS_MAX; i++)
		buf_printf(&msg, "X-F%d: v\r\n", i);
	buf_puts(&msg, "\r\nbody\r\n");
	buf_puts(&before, msg.data);
	assert_int_equal(dkim_sign(d, &msg, T0, NULL), -1);
	assert_string_equal(msg.data, before.data);
	dkim_free(&d);
	buf_free(&msg);
	buf_free(&before);
}

/* Keys of the wrong type, bad selectors and no key at all are refused. */
static void
test_new_refuses(void **state)
{
	assert_null(dkim_new(DOMAIN, NULL, NULL, NULL, NULL));
	assert_null(dkim_new(DOMAIN, ed_key, "s", NULL, NULL));
	assert_null(dkim_new(DOMAIN, NULL, NULL, rsa_key, "s"));
	assert_null(dkim_new(DOMAIN, rsa_key, "", NULL, NULL));
	assert_null(dkim_new(DOMAIN, rsa_key, "a b", NULL, NULL));
	assert_null(dkim_new(DOMAIN, rsa_key, "a;b", NULL, NULL));
	assert_null(dkim_new("", rsa_key, "s", NULL, NULL));
}

/* What the signing thread's done() saw. */
struct qres {
	struct event_base	*base;
	int			 want, calls, rc[64];
	intptr_t		 arg[64];
};

static void
q_done(void *ctx, void *arg, int rc)
{
	struct qres *r = ctx;

	assert_true(r->calls < 64);
	r->arg[r->calls] = (intptr_t)arg;
	r->rc[r->calls++] = rc;
	if (r->calls == r->want)
		event_base_loopbreak(r->base);
}

/* Messages signed in the thread come back on the loop in order, signed;
 * a shared body key shares the body hash, 0 hashes each body. */
static void
test_queue(void **state)
{
	struct qres r = { event_base_new(), 4, 0, { 0 }, { 0 } };
	struct dkim_queue *q = dkim_queue_new(dkim_new(DOMAIN, rsa_key, "r",
	    ed_key, "e"), r.base, q_done, &r);
	struct buf msg[4] = { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT };
	struct buf field = BUF_INIT, v = BUF_INIT;
	EVP_PKEY *rpub = public_half(rsa_key), *epub = public_half(ed_key);
	struct timeval tv = { 20, 0 };

	assert_non_null(q);
	for (int i = 0; i < 4; i++) {
		buf_puts(&msg[i], post);
		if (i == 2)
			buf_puts(&msg[i], "more\r\n");
		dkim_queue_push(q, &msg[i], T0, i < 3 ? 7 : 0, (void *)(intptr_t)i);
	}
	event_base_loopexit(r.base, &tv);
	event_base_dispatch(r.base);
	assert_int_equal(r.calls, 4);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(r.arg[i], i);
		assert_int_equal(r.rc[i], 0);
		if (i != 2) {
			assert_true(verify(msg[i].data, 0, post_hdata, epub));
			assert_true(verify(msg[i].data, 1, post_hdata, rpub));
		}
	}
	/* message 2 got the hash of the body pushed before it with key 7 */
	sig_field(msg[2].data, 0, &field);
	sig_tag(field.data, "bh", &v);
	sig_field(msg[0].data, 0, &field);
	assert_non_null(strstr(field.data, buf_cstr(&v)));
	dkim_queue_free(&q);
	assert_null(q);
	assert_int_equal(r.calls, 4);
	for (int i = 0; i < 4; i++)
		buf_free(&msg[i]);
	buf_free(&field);
	buf_free(&v);
	EVP_PKEY_free(rpub);
	EVP_PKEY_free(epub);
	event_base_free(r.base);
}

/* Freed before the loop ran: every message gets DKIM_CANCELLED once. */
static void
test_queue_cancel(void **state)
{
	struct qres r = { event_base_new(), 0, 0, { 0 }, { 0 } };
	struct dkim_queue *q = dkim_queue_new(dkim_new(DOMAIN, rsa_key, "r",
	    NULL, NULL), r.base, q_done, &r);
	struct buf msg[40];

	for (int i = 0; i < 40; i++) {
		buf_init(&msg[i]);
		buf_puts(&msg[i], post);
		dkim_queue_push(q, &msg[i], T0, 0, (void *)(intptr_t)i);
	}
	dkim_queue_free(&q);
	assert_int_equal(r.calls, 40);
	for (int i = 0; i < 40; i++) {
		assert_int_equal(r.rc[i], DKIM_CANCELLED);
		buf_free(&msg[i]);
	}
	event_base_free(r.base);
}

static int
setup(void **state)
{
	rsa_key = EVP_RSA_gen(2048);
	ed_key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	return rsa_key != NULL && ed_key != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	EVP_PKEY_free(rsa_key);
	EVP_PKEY_free(ed_key);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canon_header_rfc),
		cmocka_unit_test(test_canon_body),
		cmocka_unit_test(test_body_hash),
		cmocka_unit_test(test_body_offset),
		cmocka_unit_test(test_sign_rsa),
		cmocka_unit_test(test_sign_both),
		cmocka_unit_test(test_repeated_fields),
		cmocka_unit_test(test_body_cache),
		cmocka_unit_test(test_fold_long_names),
		cmocka_unit_test(test_fields_max),
		cmocka_unit_test(test_new_refuses),
		cmocka_unit_test(test_queue),
		cmocka_unit_test(test_queue_cancel),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
