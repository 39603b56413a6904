/*
 * DKIM signer (see dkim.h): relaxed canonicalisation of headers and body,
 * selection of the signed fields (with over-signing), the folded
 * DKIM-Signature field, the RSA / Ed25519 signatures through EVP, and the
 * signing thread (a locked list in, a locked list and a pipe byte out).
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "daemon/buf.h"
#include "daemon/log.h"
#include "daemon/xalloc.h"
#include "mail/dkim.h"

/* Bytes staged before a digest update while hashing a canonical body. */
#define DKIM_STAGE		4096
/* Largest signature of the keys we accept (RSA 16384 bits). */
#define DKIM_SIG_MAX		2048

/* The fields signed, in h= order. "over": listed once more than present,
 * so that a copy of the field added on the way breaks the signature (RFC
 * 6376 8.15; RFC 8058 wants List-Unsubscribe and -Post covered). */
static const struct {
	const char	*name;
	int		 over;
} dkim_signed[] = {
	{ "from", 1 }, { "to", 0 }, { "cc", 0 }, { "subject", 1 },
	{ "date", 0 }, { "message-id", 0 }, { "in-reply-to", 0 },
	{ "references", 0 }, { "mime-version", 0 }, { "content-type", 0 },
	{ "content-transfer-encoding", 0 }, { "reply-to", 0 },
	{ "list-id", 0 }, { "list-post", 0 }, { "list-archive", 0 },
	{ "list-unsubscribe", 1 }, { "list-unsubscribe-post", 0 },
};
#define DKIM_NSIGNED	(sizeof dkim_signed / sizeof dkim_signed[0])

/* One header field of the message being signed. */
struct dkim_field {
	const char	*p;		/* "Name: value...CRLF" */
	size_t		 len;		/* final CRLF included */
	size_t		 namelen;	/* before the colon, spaces excluded */
};

/* One signing key. */
struct dkim_key {
	EVP_PKEY	*pkey;
	const char	*alg;		/* a= */
	char		*selector;
	size_t		 b64len;	/* length of the b= value */
	EVP_PKEY_CTX	*rsa;		/* RSA: initialised once for signing */
};

struct dkim {
	char			*domain;
	struct dkim_key		 keys[2];	/* Ed25519 first, then RSA */
	int			 nkeys;
	EVP_MD			*sha256;
	EVP_MD_CTX		*mctx;
	struct dkim_field	 fields[DKIM_FIELDS_MAX];
	size_t			 nfields;
	struct buf		 hlist;		/* h= names, ":"-separated */
	struct buf		 hdata;		/* canonical signed fields */
};

/* A writer of canonical bytes: into a buffer, or into a digest. */
struct dkim_sink {
	struct buf	*out;
	EVP_MD_CTX	*md;
	char		 stage[DKIM_STAGE];
	size_t		 staged;
};

static void
sink_flush(struct dkim_sink *k)
{
	if (k->md != NULL && k->staged > 0)
		EVP_DigestUpdate(k->md, k->stage, k->staged);
	k->staged = 0;
}

static void
sink_put(struct dkim_sink *k, const char *s, size_t n)
{
	if (k->out != NULL) {
		buf_append(k->out, s, n);
		return;
	}
	if (k->staged + n > sizeof k->stage)
		sink_flush(k);
	if (n > sizeof k->stage) {
		EVP_DigestUpdate(k->md, s, n);
		return;
	}
	memcpy(k->stage + k->staged, s, n);
	k->staged += n;
}

static int
wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* Length of the line at s[0..n) up to its CRLF; *eol gets 2, or 0 for a
 * last line without CRLF. */
static size_t
crlf_line(const char *s, size_t n, size_t *eol)
{
	const char *p = s, *end = s + n;

	while ((p = memchr(p, '\r', (size_t)(end - p))) != NULL) {
		if (p + 1 < end && p[1] == '\n') {
			*eol = 2;
			return (size_t)(p - s);
		}
		p++;
	}
	*eol = 0;
	return n;
}

/* One body line in relaxed form (no line end); returns whether it is not
 * empty. Held-back empty lines are written before its first byte. */
static int
canon_line(struct dkim_sink *k, const char *s, size_t n, size_t *blank)
{
	size_t i = 0;
	int any = 0;

	while (i < n) {
		size_t start = i;
		while (i < n && !wsp(s[i]))
			i++;
		size_t text = i - start;
		while (i < n && wsp(s[i]))
			i++;
		int space = i > start + text && i < n;
		if (text == 0 && !space)
			continue;
		for (; !any && *blank > 0; (*blank)--)
			sink_put(k, "\r\n", 2);
		any = 1;
		sink_put(k, s + start, text);
		if (space)
			sink_put(k, " ", 1);
	}
	return any;
}

static void
canon_body_run(struct dkim_sink *k, const char *s, size_t n)
{
	size_t blank = 0, i = 0, eol;

	while (i < n) {
		size_t len = crlf_line(s + i, n - i, &eol);
		if (canon_line(k, s + i, len, &blank))
			sink_put(k, "\r\n", 2);
		else
			blank++;
		i += len + eol;
	}
}

void
dkim_canon_body(struct buf *out, const char *body, size_t len)
{
	struct dkim_sink k;

	k.out = out;
	k.md = NULL;
	k.staged = 0;
	canon_body_run(&k, body, len);
}

void
dkim_body_hash(const char *body, size_t len, unsigned char hash[DKIM_HASH_LEN])
{
	struct dkim_sink *k = xcalloc(1, sizeof *k);
	unsigned int n = 0;

	k->md = EVP_MD_CTX_new();
	if (k->md == NULL || EVP_DigestInit_ex(k->md, EVP_sha256(), NULL) != 1)
		fatalx("dkim: cannot start SHA-256");
	canon_body_run(k, body, len);
	sink_flush(k);
	if (EVP_DigestFinal_ex(k->md, hash, &n) != 1 || n != DKIM_HASH_LEN)
		fatalx("dkim: SHA-256 failed");
	EVP_MD_CTX_free(k->md);
	free(k);
}

void
dkim_canon_header(struct buf *out, const char *field, size_t len)
{
	const char *colon = memchr(field, ':', len);
	size_t name = colon ? (size_t)(colon - field) : len, i;
	int pending = 0, any = 0;

	if (len >= 2 && field[len - 2] == '\r' && field[len - 1] == '\n')
		len -= 2;
	if (name > len)
		name = len;
	while (name > 0 && wsp(field[name - 1]))
		name--;
	for (i = 0; i < name; i++) {
		char c = field[i];
		buf_putc(out, c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c);
	}
	buf_putc(out, ':');
	for (i = colon ? (size_t)(colon - field) + 1 : len; i < len; i++) {
		char c = field[i];
		if (c == '\r' && i + 1 < len && field[i + 1] == '\n') {
			i++;	/* unfold: the CRLF goes, the WSP after it stays */
			continue;
		}
		if (wsp(c)) {
			pending = any;
			continue;
		}
		if (pending)
			buf_putc(out, ' ');
		pending = 0;
		any = 1;
		buf_putc(out, c);
	}
	buf_puts(out, "\r\n");
}

size_t
dkim_body_offset(const char *msg, size_t len)
{
	size_t i = 0, eol;

	while (i < len) {
		size_t n = crlf_line(msg + i, len - i, &eol);
		i += n + eol;
		if (n == 0 && eol == 2)
			return i;
	}
	return len;
}

void
dkim_base64(struct buf *out, const unsigned char *in, size_t n)
{
	size_t need = 4 * ((n + 2) / 3) + 1;

	buf_reserve(out, need);
	EVP_EncodeBlock((unsigned char *)out->data + out->len, in, (int)n);
	out->len += need - 1;
	out->data[out->len] = '\0';
}

/*
 * The signer.
 */

static int
dkim_valid_name(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > DKIM_NAME_MAX)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-.") == n && s[0] != '.' && s[n - 1] != '.';
}

static void
dkim_openssl_error(const char *what)
{
	char text[256];
	unsigned long e = ERR_get_error();

	ERR_error_string_n(e, text, sizeof text);
	log_warnx("dkim: %s: %s", what, e ? text : "failed");
	ERR_clear_error();
}

static int
dkim_key_init(struct dkim_key *k, EVP_PKEY *pkey, const char *selector,
    int type)
{
	if (!dkim_valid_name(selector) || EVP_PKEY_get_base_id(pkey) != type ||
	    EVP_PKEY_get_size(pkey) <= 0 ||
	    EVP_PKEY_get_size(pkey) > DKIM_SIG_MAX)
		return -1;
	if (type == EVP_PKEY_RSA) {
		k->rsa = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
		if (k->rsa == NULL || EVP_PKEY_sign_init(k->rsa) != 1 ||
		    EVP_PKEY_CTX_set_rsa_padding(k->rsa, RSA_PKCS1_PADDING) != 1 ||
		    EVP_PKEY_CTX_set_signature_md(k->rsa, EVP_sha256()) != 1) {
			dkim_openssl_error("RSA key");
			return -1;
		}
	}
	EVP_PKEY_up_ref(pkey);
	k->pkey = pkey;
	k->alg = type == EVP_PKEY_RSA ? "rsa-sha256" : "ed25519-sha256";
	k->selector = xstrdup(selector);
	k->b64len = 4 * (((size_t)EVP_PKEY_get_size(pkey) + 2) / 3);
	return 0;
}

struct dkim *
dkim_new(const char *domain, EVP_PKEY *rsa, const char *rsa_selector,
    EVP_PKEY *ed25519, const char *ed25519_selector)
{
	struct dkim *d;

	if ((rsa == NULL && ed25519 == NULL) || !dkim_valid_name(domain))
		return NULL;
	d = xcalloc(1, sizeof *d);
	d->domain = xstrdup(domain);
	d->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	d->mctx = EVP_MD_CTX_new();
	if (d->sha256 == NULL || d->mctx == NULL ||
	    (ed25519 != NULL && dkim_key_init(&d->keys[d->nkeys++], ed25519,
	    ed25519_selector, EVP_PKEY_ED25519) == -1) ||
	    (rsa != NULL && dkim_key_init(&d->keys[d->nkeys++], rsa,
	    rsa_selector, EVP_PKEY_RSA) == -1)) {
		dkim_free(&d);
		return NULL;
	}
	return d;
}

void
dkim_free(struct dkim **dp)
{
	struct dkim *d = *dp;

	if (d == NULL)
		return;
	for (int i = 0; i < 2; i++) {
		EVP_PKEY_CTX_free(d->keys[i].rsa);
		EVP_PKEY_free(d->keys[i].pkey);
		free(d->keys[i].selector);
	}
	EVP_MD_free(d->sha256);
	EVP_MD_CTX_free(d->mctx);
	buf_free(&d->hlist);
	buf_free(&d->hdata);
	free(d->domain);
	free(d);
	*dp = NULL;
}

/* Split the header block msg[0..end) into fields; -1 past DKIM_FIELDS_MAX. */
static int
dkim_fields(struct dkim *d, const char *msg, size_t end)
{
	size_t i = 0, eol;

	d->nfields = 0;
	while (i < end) {
		size_t n = crlf_line(msg + i, end - i, &eol);
		if (n == 0)
			break;
		if (wsp(msg[i]) && d->nfields > 0) {
			d->fields[d->nfields - 1].len += n + eol;
		} else {
			if (d->nfields == DKIM_FIELDS_MAX)
				return -1;
			struct dkim_field *f = &d->fields[d->nfields++];
			const char *colon = memchr(msg + i, ':', n);
			f->p = msg + i;
			f->len = n + eol;
			f->namelen = colon ? (size_t)(colon - f->p) : 0;
			while (f->namelen > 0 && wsp(f->p[f->namelen - 1]))
				f->namelen--;
		}
		i += n + eol;
	}
	return 0;
}

/* Fill hlist and hdata: for each signed name, its fields from the last one
 * up (as a verifier picks them), then one more name when over-signed. */
static void
dkim_select(struct dkim *d)
{
	buf_reset(&d->hlist);
	buf_reset(&d->hdata);
	for (size_t s = 0; s < DKIM_NSIGNED; s++) {
		const char *name = dkim_signed[s].name;
		size_t nlen = strlen(name);
		for (size_t i = d->nfields; i-- > 0;) {
			const struct dkim_field *f = &d->fields[i];
			if (f->namelen != nlen || strncasecmp(f->p, name, nlen) != 0)
				continue;
			buf_printf(&d->hlist, "%s%s", d->hlist.len ? ":" : "", name);
			dkim_canon_header(&d->hdata, f->p, f->len);
		}
		if (dkim_signed[s].over)
			buf_printf(&d->hlist, "%s%s", d->hlist.len ? ":" : "", name);
	}
}

/* A DKIM-Signature field being written: the column reached. */
struct dkim_fold {
	struct buf	*out;
	size_t		 col;
};

static void
fold_break(struct dkim_fold *f)
{
	buf_puts(f->out, "\r\n ");
	f->col = 1;
}

/* A tag of total length n: after a space, or on a new line when it would
 * pass DKIM_LINE_SOFT there and fits better on a fresh line. */
static void
fold_space(struct dkim_fold *f, size_t n)
{
	if (f->col + 1 + n > DKIM_LINE_SOFT && f->col > 1)
		fold_break(f);
	else {
		buf_putc(f->out, ' ');
		f->col++;
	}
}

/* Bytes that may be broken anywhere (base64, FWS allowed between). */
static void
fold_text(struct dkim_fold *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (f->col >= DKIM_LINE_SOFT)
			fold_break(f);
		buf_putc(f->out, s[i]);
		f->col++;
	}
}

/* Bytes kept on one line (a tag or an h= name). */
static void
fold_word(struct dkim_fold *f, const char *s)
{
	size_t n = strlen(s);

	if (f->col + n > DKIM_LINE_SOFT && f->col > 1)
		fold_break(f);
	buf_puts(f->out, s);
	f->col += n;
}

/* h=name:name...; with folds before a ":" where needed. */
static void
fold_hlist(struct dkim_fold *f, const struct buf *hlist)
{
	const char *p = buf_cstr(hlist);
	char word[64];

	fold_space(f, 2 + strcspn(p, ":"));
	buf_puts(f->out, "h=");
	f->col += 2;
	while (*p != '\0') {
		size_t n = strcspn(p + 1, ":") + 1;
		int last = p[n] == '\0';
		snprintf(word, sizeof word, "%.*s%s", (int)n, p, last ? ";" : "");
		fold_word(f, word);
		p += n;
	}
}

/* Write the field up to "b=" (what the signature covers). */
static void
dkim_header(struct dkim *d, const struct dkim_key *k, struct buf *out,
    struct dkim_fold *f, int64_t t, const unsigned char *bh)
{
	struct buf tag = BUF_INIT;

	buf_puts(out, "DKIM-Signature:");
	f->out = out;
	f->col = strlen("DKIM-Signature:");
	buf_printf(&tag, "v=1; a=%s; c=relaxed/relaxed;", k->alg);
	fold_space(f, tag.len);
	fold_word(f, buf_cstr(&tag));
	buf_reset(&tag);
	buf_printf(&tag, "d=%s;", d->domain);
	fold_space(f, tag.len);
	fold_word(f, buf_cstr(&tag));
	buf_reset(&tag);
	buf_printf(&tag, "s=%s;", k->selector);
	fold_space(f, tag.len);
	fold_word(f, buf_cstr(&tag));
	buf_reset(&tag);
	buf_printf(&tag, "t=%lld;", (long long)t);
	fold_space(f, tag.len);
	fold_word(f, buf_cstr(&tag));
	fold_hlist(f, &d->hlist);
	buf_reset(&tag);
	buf_puts(&tag, "bh=");
	dkim_base64(&tag, bh, DKIM_HASH_LEN);
	buf_putc(&tag, ';');
	fold_space(f, tag.len);
	fold_text(f, tag.data, tag.len);
	fold_space(f, 2 + k->b64len);
	fold_text(f, "b=", 2);
	buf_free(&tag);
}

/* Sign the SHA-256 of data with k; 0 with sig/siglen set, or -1. */
static int
dkim_signature(struct dkim *d, struct dkim_key *k, const struct buf *data,
    unsigned char *sig, size_t *siglen)
{
	unsigned char hash[DKIM_HASH_LEN];
	unsigned int n = 0;

	if (EVP_Digest(data->data, data->len, hash, &n, d->sha256, NULL) != 1) {
		dkim_openssl_error("SHA-256");
		return -1;
	}
	*siglen = DKIM_SIG_MAX;
	if (k->rsa != NULL) {
		if (EVP_PKEY_sign(k->rsa, sig, siglen, hash, sizeof hash) == 1)
			return 0;
		dkim_openssl_error("rsa-sha256 signature");
		return -1;
	}
	/* RFC 8463: PureEdDSA over the SHA-256 of the signed data. */
	EVP_MD_CTX_reset(d->mctx);
	if (EVP_DigestSignInit_ex(d->mctx, NULL, NULL, NULL, NULL, k->pkey,
	    NULL) == 1 && EVP_DigestSign(d->mctx, sig, siglen, hash,
	    sizeof hash) == 1)
		return 0;
	dkim_openssl_error("ed25519-sha256 signature");
	return -1;
}

/* Append one DKIM-Signature field for key k to out. */
static int
dkim_sign_one(struct dkim *d, struct dkim_key *k, struct buf *out,
    int64_t t, const unsigned char *bh)
{
	struct buf hdr = BUF_INIT, data = BUF_INIT, b64 = BUF_INIT;
	struct dkim_fold f;
	unsigned char sig[DKIM_SIG_MAX];
	size_t siglen;
	int rc = -1;

	dkim_header(d, k, &hdr, &f, t, bh);
	buf_append(&data, d->hdata.data, d->hdata.len);
	dkim_canon_header(&data, hdr.data, hdr.len);
	buf_truncate(&data, data.len - 2);	/* no CRLF after it */
	if (dkim_signature(d, k, &data, sig, &siglen) == 0) {
		dkim_base64(&b64, sig, siglen);
		fold_text(&f, b64.data, b64.len);
		buf_puts(&hdr, "\r\n");
		buf_append(out, hdr.data, hdr.len);
		rc = 0;
	}
	buf_free(&hdr);
	buf_free(&data);
	buf_free(&b64);
	return rc;
}

int
dkim_sign(struct dkim *d, struct buf *msg, int64_t t, struct dkim_body *body)
{
	struct buf out = BUF_INIT;
	unsigned char bh[DKIM_HASH_LEN];
	const char *m = buf_cstr(msg);
	size_t off = dkim_body_offset(m, msg->len);

	if (dkim_fields(d, m, off) == -1) {
		log_warnx("dkim: more than %d header fields: not signed",
		    DKIM_FIELDS_MAX);
		return -1;
	}
	if (body != NULL && body->set)
		memcpy(bh, body->hash, sizeof bh);
	else
		dkim_body_hash(m + off, msg->len - off, bh);
	if (body != NULL && !body->set) {
		memcpy(body->hash, bh, sizeof bh);
		body->set = 1;
	}
	dkim_select(d);
	buf_reserve(&out, msg->len + 1024 * (size_t)d->nkeys);
	for (int i = 0; i < d->nkeys; i++)
		if (dkim_sign_one(d, &d->keys[i], &out, t, bh) == -1) {
			buf_free(&out);
			return -1;
		}
	buf_append(&out, m, msg->len);
	buf_free(msg);
	*msg = out;
	return 0;
}

/*
 * The signing thread.
 */

struct dkim_qjob {
	struct buf		*msg;
	int64_t			 t, body_key;
	void			*arg;
	int			 rc;
	struct dkim_qjob	*next;
};

struct dkim_queue {
	struct dkim		*d;		/* the thread's */
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	struct dkim_qjob	*todo, *todo_tail;	/* under lock */
	struct dkim_qjob	*done, *done_tail;	/* under lock */
	int			 stop;			/* under lock */
	int			 fds[2];	/* thread writes, loop reads */
	struct event		*ev;
	dkim_done_cb		 cb;
	void			*ctx;
	int64_t			 body_key;	/* the thread's body cache */
	struct dkim_body	 body;
};

static void
qlist_add(struct dkim_qjob **head, struct dkim_qjob **tail, struct dkim_qjob *j)
{
	j->next = NULL;
	if (*tail)
		(*tail)->next = j;
	else
		*head = j;
	*tail = j;
}

static void
dkim_queue_sign(struct dkim_queue *q, struct dkim_qjob *j)
{
	struct dkim_body *body = NULL;

	if (j->body_key != 0) {
		if (j->body_key != q->body_key)
			q->body.set = 0;
		q->body_key = j->body_key;
		body = &q->body;
	}
	j->rc = dkim_sign(q->d, j->msg, j->t, body);
}

static void *
dkim_queue_main(void *arg)
{
	struct dkim_queue *q = arg;
	struct dkim_qjob *j;

	pthread_mutex_lock(&q->lock);
	while (!q->stop) {
		if ((j = q->todo) == NULL) {
			pthread_cond_wait(&q->cond, &q->lock);
			continue;
		}
		if ((q->todo = j->next) == NULL)
			q->todo_tail = NULL;
		pthread_mutex_unlock(&q->lock);
		dkim_queue_sign(q, j);
		pthread_mutex_lock(&q->lock);
		if (q->done == NULL && write(q->fds[1], "", 1) == -1 &&
		    errno != EAGAIN)
			log_warn("dkim: signing thread pipe");
		qlist_add(&q->done, &q->done_tail, j);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

/* On the loop: run done() for the messages signed. */
static void
dkim_queue_ready(evutil_socket_t fd, short ev, void *arg)
{
	struct dkim_queue *q = arg;
	struct dkim_qjob *list, *j;
	char drain[64];

	while (read(fd, drain, sizeof drain) > 0)
		;
	pthread_mutex_lock(&q->lock);
	list = q->done;
	q->done = q->done_tail = NULL;
	pthread_mutex_unlock(&q->lock);
	while ((j = list) != NULL) {
		list = j->next;
		q->cb(q->ctx, j->arg, j->rc);
		free(j);
	}
}

struct dkim_queue *
dkim_queue_new(struct dkim *d, struct event_base *base, dkim_done_cb done,
    void *ctx)
{
	struct dkim_queue *q = xcalloc(1, sizeof *q);

	q->d = d;
	q->cb = done;
	q->ctx = ctx;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->cond, NULL);
	if (pipe2(q->fds, O_NONBLOCK | O_CLOEXEC) == -1) {
		log_warn("dkim: pipe");
		goto fail;
	}
	q->ev = event_new(base, q->fds[0], EV_READ | EV_PERSIST,
	    dkim_queue_ready, q);
	if (q->ev == NULL || event_add(q->ev, NULL) == -1 ||
	    pthread_create(&q->thread, NULL, dkim_queue_main, q) != 0) {
		log_warnx("dkim: cannot start the signing thread");
		if (q->ev)
			event_free(q->ev);
		close(q->fds[0]);
		close(q->fds[1]);
		goto fail;
	}
	return q;
fail:
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->cond);
	dkim_free(&q->d);
	free(q);
	return NULL;
}

void
dkim_queue_push(struct dkim_queue *q, struct buf *msg, int64_t t,
    int64_t body_key, void *arg)
{
	struct dkim_qjob *j = xcalloc(1, sizeof *j);

	j->msg = msg;
	j->t = t;
	j->body_key = body_key;
	j->arg = arg;
	pthread_mutex_lock(&q->lock);
	qlist_add(&q->todo, &q->todo_tail, j);
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

void
dkim_queue_free(struct dkim_queue **qp)
{
	struct dkim_queue *q = *qp;
	struct dkim_qjob *lists[2], *j;

	if (q == NULL)
		return;
	pthread_mutex_lock(&q->lock);
	q->stop = 1;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);
	lists[0] = q->done;
	lists[1] = q->todo;
	for (int i = 0; i < 2; i++)
		while ((j = lists[i]) != NULL) {
			lists[i] = j->next;
			q->cb(q->ctx, j->arg, DKIM_CANCELLED);
			free(j);
		}
	event_free(q->ev);
	close(q->fds[0]);
	close(q->fds[1]);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->cond);
	dkim_free(&q->d);
	free(q);
	*qp = NULL;
}
