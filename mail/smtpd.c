/*
 * SMTP and LMTP server sessions (see smtpd.h): an explicit per-session
 * state machine, a command table split into check and proceed, deadlines.
 * The DATA scanner is in smtpd_body.c, the server and listeners in
 * smtpd_server.c.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/util.h>

#include "daemon/buf.h"
#include "daemon/log.h"
#include "daemon/xalloc.h"
#include "mail/smtpd.h"
#include "mail/smtpd_int.h"

#define SMTPD_CLOSE_POLL_MS	50	/* TLS: poll the socket output when closing */
#define SMTPD_LOG_LINE		200	/* bytes of a command shown in debug logs */

#define REPLY_OK_DEFAULT	"250 2.0.0 Ok: queued"
#define REPLY_FAIL_DEFAULT	"451 4.3.0 Temporary failure, please try again later"
#define REPLY_RCPT_DEFAULT	"550 5.1.1 Recipient refused"

struct command {
	const char	*name;
	int		 lmtp;		/* 0: SMTP only, 1: LMTP only, 2: both */
	int		(*check)(struct smtpd_session *, const char *);
	void		(*proceed)(struct smtpd_session *, const char *);
};

static void	session_process(struct smtpd_session *);
static void	session_vreply(struct smtpd_session *, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));

time_t
smtpd_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

void
smtpd_timer_arm(struct event *ev, long sec, long msec)
{
	struct timeval tv;

	tv.tv_sec = sec + msec / 1000;
	tv.tv_usec = (msec % 1000) * 1000;
	evtimer_add(ev, &tv);
}

/* ---- paths and parameters ---- */

static int
is_atext(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c >= 0x80)
		return 1;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static int
is_ldh(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c >= 0x80;
}

/* Domain or address literal at *pp; appended to out (if not NULL). */
static int
path_domain(const char **pp, struct buf *out)
{
	const char *p = *pp, *start = p, *label;

	if (*p == '[') {
		for (p++; *p > ' ' && *p < 127 && *p != ']' && *p != '[' &&
		    *p != '\\'; p++)
			;
		if (*p != ']' || p == start + 1)
			return -1;
		p++;
	} else {
		for (;;) {
			for (label = p; is_ldh((unsigned char)*p); p++)
				;
			if (p == label || *label == '-' || p[-1] == '-' ||
			    p - label > 63)
				return -1;
			if (*p != '.')
				break;
			p++;
		}
	}
	if (p - start > 255)
		return -1;
	if (out)
		buf_append(out, start, p - start);
	*pp = p;
	return 0;
}

static int
path_local(const char **pp, struct buf *out)
{
	const char *p = *pp, *atom;

	if (*p == '"') {
		for (p++; *p != '"'; p++) {
			if (*p == '\\')
				p++;
			if ((unsigned char)*p < ' ' || *p == 127)
				return -1;
		}
		p++;
	} else {
		for (;;) {
			for (atom = p; is_atext((unsigned char)*p); p++)
				;
			if (p == atom)
				return -1;
			if (*p != '.')
				break;
			p++;
		}
	}
	buf_append(out, *pp, p - *pp);
	*pp = p;
	return 0;
}

/* Skip a source route "@a,@b:" (RFC 5321 A-d-l: accepted, ignored). */
static int
path_skip_route(const char **pp)
{
	const char *p = *pp;

	if (*p != '@')
		return 0;
	for (;;) {
		p++;
		if (path_domain(&p, NULL) == -1)
			return -1;
		if (*p != ',')
			break;
		if (*++p != '@')
			return -1;
	}
	if (*p++ != ':')
		return -1;
	*pp = p;
	return 0;
}

/*
 * Parse "<path>" at *pp (leading spaces tolerated) into addr without the
 * brackets. Returns 0 and leaves *pp after '>', or -1.
 */
static int
path_parse(const char **pp, struct buf *addr, int flags)
{
	const char *p = *pp, *start;

	buf_reset(addr);
	while (*p == ' ')
		p++;
	start = p;
	if (*p++ != '<')
		return -1;
	if (*p == '>' && (flags & PATH_NULL_OK)) {
		*pp = p + 1;
		return 0;
	}
	if (path_skip_route(&p) == -1)
		return -1;
	if ((flags & PATH_POSTMASTER_OK) &&
	    strncasecmp(p, "postmaster>", 11) == 0) {
		buf_append(addr, p, 10);
		p += 10;
	} else if (path_local(&p, addr) == -1 || *p != '@') {
		return -1;
	} else {
		buf_putc(addr, *p++);
		if (path_domain(&p, addr) == -1)
			return -1;
	}
	if (*p++ != '>' || (size_t)(p - start) > SMTPD_MAX_PATH)
		return -1;
	*pp = p;
	return 0;
}

/* 1 if s holds a byte >= 0x80 */
static int
has_8bit(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
}

/* Well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF). */
static int
utf8_valid(const unsigned char *s)
{
	while (*s) {
		unsigned char c = *s;
		int n;
		unsigned int cp, min;

		if (c < 0x80) {
			s++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f, min = 0x80;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f, min = 0x800;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07, min = 0x10000;
		else
			return 0;
		for (s++; n > 0; n--, s++) {
			if ((*s & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (*s & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
	}
	return 1;
}

/* Decimal SIZE value; -1 when not digits or too large for size_t. */
static int
parse_size(const char *v, size_t len, size_t *out)
{
	size_t n = 0;

	if (len == 0 || len > 20)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		if (n > (SIZE_MAX - (size_t)(v[i] - '0')) / 10)
			return -1;
		n = n * 10 + (size_t)(v[i] - '0');
	}
	*out = n;
	return 0;
}

/* One MAIL parameter "KEY[=VALUE]" of len bytes; 0 or -1 (unsupported). */
static int
mail_param(struct parsed *pp, const char *p, size_t len)
{
	const char *eq = memchr(p, '=', len);
	size_t klen = eq ? (size_t)(eq - p) : len;
	const char *v = eq ? eq + 1 : NULL;
	size_t vlen = eq ? len - klen - 1 : 0;

	if (klen == 4 && strncasecmp(p, "SIZE", 4) == 0 && v)
		return parse_size(v, vlen, &pp->size);
	if (klen == 4 && strncasecmp(p, "BODY", 4) == 0 && v) {
		if (vlen == 4 && strncasecmp(v, "7BIT", 4) == 0)
			return 0;
		if (vlen == 8 && strncasecmp(v, "8BITMIME", 8) == 0) {
			pp->body8 = 1;
			return 0;
		}
		return -1;
	}
	if (klen == 8 && strncasecmp(p, "SMTPUTF8", 8) == 0 && !v) {
		pp->smtputf8 = 1;
		return 0;
	}
	return -1;
}

static int
mail_params(struct parsed *pp, const char *p)
{
	while (*p) {
		size_t len;

		while (*p == ' ')
			p++;
		len = strcspn(p, " ");
		if (len && mail_param(pp, p, len) == -1)
			return -1;
		p += len;
	}
	return 0;
}

/* ---- output ---- */

static void
session_vreply(struct smtpd_session *s, const char *fmt, va_list ap)
{
	size_t start = s->out.len;

	buf_vprintf(&s->out, fmt, ap);
	log_debug("smtpd %lu > %s", s->id, s->out.data + start);
	buf_append(&s->out, "\r\n", 2);
}

void
smtpd_reply(struct smtpd_session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	session_vreply(s, fmt, ap);
	va_end(ap);
}

void
smtpd_flush(struct smtpd_session *s)
{
	if (s->out.len == 0 || (s->flags & F_GONE) || s->state == ST_DEAD) {
		buf_reset(&s->out);
		return;
	}
	bufferevent_write(s->bev, s->out.data, s->out.len);
	buf_reset(&s->out);
}

/* Bytes not yet handed to the kernel (the TLS filter's socket included). */
static size_t
session_output_pending(struct smtpd_session *s)
{
	struct bufferevent *under = bufferevent_get_underlying(s->bev);
	size_t n = s->out.len + evbuffer_get_length(bufferevent_get_output(s->bev));

	if (under)
		n += evbuffer_get_length(bufferevent_get_output(under));
	return n;
}

static int
session_output_full(struct smtpd_session *s)
{
	return s->out.len +
	    evbuffer_get_length(bufferevent_get_output(s->bev)) >=
	    SMTPD_OUTPUT_HIWAT;
}

/* ---- transaction and envelope ---- */

void
smtpd_tx_reset(struct tx *t)
{
	for (size_t i = 0; i < t->nrcpts; i++)
		free(t->rcpts[i]);
	free(t->rcpts);
	free(t->mail_from);
	buf_free(&t->msg);
	memset(t, 0, sizeof *t);
}

static void
tx_add_rcpt(struct tx *t, const char *rcpt)
{
	if (t->nrcpts == t->rcpts_cap) {
		t->rcpts_cap = t->rcpts_cap ? t->rcpts_cap * 2 : 8;
		t->rcpts = xreallocarray(t->rcpts, t->rcpts_cap, sizeof *t->rcpts);
	}
	t->rcpts[t->nrcpts++] = xstrdup(rcpt);
}

const struct smtpd_envelope *
smtpd_envelope(struct smtpd_session *s)
{
	struct smtpd_envelope *e = &s->env;

	e->helo = s->helo ? s->helo : "";
	e->mail_from = s->tx.mail_from ? s->tx.mail_from : "";
	e->rcpts = s->tx.rcpts;
	e->nrcpts = s->tx.nrcpts;
	e->peer = s->peer;
	e->tls = s->tls;
	e->esmtp = s->esmtp;
	e->smtputf8 = s->tx.smtputf8;
	e->body_8bitmime = s->tx.body8;
	e->size = s->tx.size;
	return e;
}

/* ---- life cycle ---- */

void
smtpd_schedule_free(struct smtpd_session *s, const char *reason)
{
	if (s->state == ST_DEAD)
		return;
	if (reason && s->close_reason == NULL)
		s->close_reason = reason;
	s->state = ST_DEAD;
	evtimer_del(s->ev_timer);
	bufferevent_disable(s->bev, EV_READ | EV_WRITE);
	event_active(s->ev_later, EV_TIMEOUT, 1);
}

/* The connection is unusable; a session waiting for its commit stays. */
static void
session_gone(struct smtpd_session *s, const char *reason)
{
	if (s->state != ST_COMMIT) {
		smtpd_schedule_free(s, reason);
		return;
	}
	s->flags |= F_GONE;
	if (s->close_reason == NULL)
		s->close_reason = reason;
	bufferevent_disable(s->bev, EV_READ | EV_WRITE);
}

static void
session_try_finish(struct smtpd_session *s)
{
	if (session_output_pending(s) == 0) {
		smtpd_schedule_free(s, NULL);
		return;
	}
	if (s->tls)
		smtpd_timer_arm(s->ev_timer, 0, SMTPD_CLOSE_POLL_MS);
	else
		smtpd_timer_arm(s->ev_timer, SMTPD_LINGER, 0);
}

/* Send what is queued, then free the session (after SMTPD_LINGER at most). */
void
smtpd_close(struct smtpd_session *s, const char *reason)
{
	if (s->state == ST_CLOSING || s->state == ST_DEAD)
		return;
	if (s->close_reason == NULL)
		s->close_reason = reason;
	s->state = ST_CLOSING;
	smtpd_flush(s);
	bufferevent_disable(s->bev, EV_READ);
	s->close_deadline = smtpd_now() + SMTPD_LINGER;
	session_try_finish(s);
}

static void
session_log(struct smtpd_session *s)
{
	log_info("smtpd %lu: %s helo=%s%s: %zu message%s accepted, %zu refused, "
	    "%zu recipient%s, %zu refused, %d error%s: %s", s->id, s->peer,
	    s->helo ? s->helo : "-", s->tls ? " tls" : "",
	    s->n_msgs, s->n_msgs == 1 ? "" : "s", s->n_msgs_refused,
	    s->n_rcpts, s->n_rcpts == 1 ? "" : "s", s->n_rcpts_refused,
	    s->errors, s->errors == 1 ? "" : "s",
	    s->close_reason ? s->close_reason : "closed");
}

void
smtpd_session_free(struct smtpd_session *s)
{
	struct smtpd_server *srv = s->srv;

	session_log(s);
	if (s->prev)
		s->prev->next = s->next;
	else
		srv->sessions = s->next;
	if (s->next)
		s->next->prev = s->prev;
	srv->nsessions--;
	bufferevent_free(s->bev);
	event_free(s->ev_timer);
	event_free(s->ev_later);
	smtpd_tx_reset(&s->tx);
	buf_free(&s->parsed.path);
	buf_free(&s->out);
	free(s->peer);
	free(s->helo);
	free(s);
}

static void
session_count_error(struct smtpd_session *s)
{
	if (++s->errors < SMTPD_MAX_ERRORS)
		return;
	smtpd_reply(s, "421 4.7.0 %s Error: too many errors",
	    s->srv->hostname);
	smtpd_close(s, "too many errors");
}

void
smtpd_arm_cmd_timer(struct smtpd_session *s)
{
	smtpd_timer_arm(s->ev_timer, s->srv->cfg.cmd_timeout, 0);
}

/* ---- commands: check (sequence, syntax) then proceed ---- */

static int
check_noparam(struct smtpd_session *s, const char *arg)
{
	if (*arg == '\0')
		return CHECK_OK;
	smtpd_reply(s, "501 5.5.4 Syntax error: no parameters allowed");
	return CHECK_FAIL;
}

static int
check_helo(struct smtpd_session *s, const char *arg)
{
	size_t len = strlen(arg);

	if (len == 0 || len > 255) {
		smtpd_reply(s, "501 5.5.4 Syntax: %s hostname",
		    s->srv->cfg.lmtp ? "LHLO" : "EHLO");
		return CHECK_FAIL;
	}
	for (const unsigned char *p = (const unsigned char *)arg; *p; p++) {
		if (*p <= ' ' || *p == 127) {
			smtpd_reply(s, "501 5.5.4 Invalid hostname");
			return CHECK_FAIL;
		}
	}
	return CHECK_OK;
}

static void
session_greeted(struct smtpd_session *s, const char *arg, int esmtp)
{
	smtpd_tx_reset(&s->tx);
	free(s->helo);
	s->helo = xstrdup(arg);
	s->esmtp = esmtp;
	s->state = ST_HELO;
}

static void
proceed_helo(struct smtpd_session *s, const char *arg)
{
	session_greeted(s, arg, 0);
	smtpd_reply(s, "250 %s", s->srv->hostname);
}

static void
proceed_ehlo(struct smtpd_session *s, const char *arg)
{
	const struct smtpd_config *cfg = &s->srv->cfg;

	session_greeted(s, arg, 1);
	smtpd_reply(s, "250-%s", s->srv->hostname);
	smtpd_reply(s, "250-PIPELINING");
	smtpd_reply(s, "250-SIZE %zu", cfg->max_message_size);
	smtpd_reply(s, "250-8BITMIME");
	smtpd_reply(s, "250-SMTPUTF8");
	if (cfg->tls && !s->tls)
		smtpd_reply(s, "250-STARTTLS");
	smtpd_reply(s, "250 ENHANCEDSTATUSCODES");
}

static int
check_starttls(struct smtpd_session *s, const char *arg)
{
	if (s->srv->cfg.tls == NULL) {
		smtpd_reply(s, "502 5.5.1 Error: STARTTLS not offered");
		return CHECK_FAIL;
	}
	if (s->tls) {
		smtpd_reply(s, "503 5.5.1 Error: TLS already active");
		return CHECK_FAIL;
	}
	if (s->state != ST_HELO) {
		smtpd_reply(s, "503 5.5.1 Error: send EHLO first, "
		    "outside a transaction");
		return CHECK_FAIL;
	}
	return check_noparam(s, arg);
}

static void
session_tls_start(struct smtpd_session *s, SSL *ssl)
{
	struct bufferevent *tb;

	tb = bufferevent_openssl_filter_new(s->srv->base, s->bev, ssl,
	    BUFFEREVENT_SSL_ACCEPTING,
	    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (tb == NULL)
		fatalx("smtpd: bufferevent_openssl_filter_new failed");
	bufferevent_openssl_set_allow_dirty_shutdown(tb, 1);
	/* the filter holds back output while the socket's is this full, so
	 * session_output_full() sees a client that does not read */
	bufferevent_setwatermark(s->bev, EV_WRITE, 0, SMTPD_OUTPUT_HIWAT);
	s->bev = tb;
	s->state = ST_TLS;
}

static void	session_set_callbacks(struct smtpd_session *);

static void
proceed_starttls(struct smtpd_session *s, const char *arg)
{
	struct evbuffer *in = bufferevent_get_input(s->bev);
	SSL *ssl;

	if (evbuffer_get_length(in) > 0) {
		/* plaintext injected ahead of the handshake (CVE-2011-0411) */
		smtpd_reply(s, "421 4.5.0 %s Error: data pipelined after "
		    "STARTTLS", s->srv->hostname);
		smtpd_close(s, "data pipelined after STARTTLS");
		return;
	}
	if ((ssl = SSL_new(s->srv->cfg.tls)) == NULL) {
		log_warnx("smtpd %lu: SSL_new failed", s->id);
		smtpd_reply(s, "454 4.7.0 TLS not available");
		return;
	}
	SSL_set_options(ssl, SSL_OP_IGNORE_UNEXPECTED_EOF);
	smtpd_reply(s, "220 2.0.0 Ready to start TLS");
	smtpd_flush(s);
	session_tls_start(s, ssl);
	session_set_callbacks(s);
	smtpd_arm_cmd_timer(s);
}

static int
check_mail(struct smtpd_session *s, const char *arg)
{
	struct parsed *pp = &s->parsed;
	const char *p = arg;

	if (s->state == ST_CONNECTED) {
		smtpd_reply(s, "503 5.5.1 Error: send HELO/EHLO first");
		return CHECK_FAIL;
	}
	if (s->state != ST_HELO) {
		smtpd_reply(s, "503 5.5.1 Error: nested MAIL command");
		return CHECK_FAIL;
	}
	pp->size = 0;
	pp->smtputf8 = pp->body8 = 0;
	if (strncasecmp(p, "FROM:", 5) != 0 ||
	    (p += 5, path_parse(&p, &pp->path, PATH_NULL_OK)) == -1 ||
	    (*p != '\0' && *p != ' ')) {
		smtpd_reply(s, "501 5.1.7 Bad sender address syntax");
		return CHECK_FAIL;
	}
	if (*p && (!s->esmtp || mail_params(pp, p) == -1)) {
		smtpd_reply(s, "555 5.5.4 Unsupported MAIL parameter");
		return CHECK_FAIL;
	}
	if (has_8bit(buf_cstr(&pp->path)) && (!pp->smtputf8 ||
	    !utf8_valid((const unsigned char *)buf_cstr(&pp->path)))) {
		smtpd_reply(s, "553 5.6.7 Non-ASCII address needs SMTPUTF8");
		return CHECK_FAIL;
	}
	if (pp->size > s->srv->cfg.max_message_size) {
		smtpd_reply(s, "552 5.3.4 Message size exceeds fixed limit");
		return CHECK_SKIP;
	}
	return CHECK_OK;
}

static void
proceed_mail(struct smtpd_session *s, const char *arg)
{
	struct tx *t = &s->tx;

	smtpd_tx_reset(t);
	t->mail_from = xstrdup(buf_cstr(&s->parsed.path));
	t->size = s->parsed.size;
	t->smtputf8 = s->parsed.smtputf8;
	t->body8 = s->parsed.body8;
	s->state = ST_MAIL;
	smtpd_reply(s, "250 2.1.0 Ok");
}

static int
check_rcpt(struct smtpd_session *s, const char *arg)
{
	struct parsed *pp = &s->parsed;
	const char *p = arg;

	if (s->state != ST_MAIL && s->state != ST_RCPT) {
		smtpd_reply(s, "503 5.5.1 Error: need MAIL command");
		return CHECK_FAIL;
	}
	if (strncasecmp(p, "TO:", 3) != 0 ||
	    (p += 3, path_parse(&p, &pp->path, PATH_POSTMASTER_OK)) == -1 ||
	    (*p != '\0' && *p != ' ')) {
		smtpd_reply(s, "501 5.1.3 Bad recipient address syntax");
		return CHECK_FAIL;
	}
	if (p[strspn(p, " ")] != '\0') {
		smtpd_reply(s, "555 5.5.4 Unsupported RCPT parameter");
		return CHECK_FAIL;
	}
	if (has_8bit(buf_cstr(&pp->path)) && (!s->tx.smtputf8 ||
	    !utf8_valid((const unsigned char *)buf_cstr(&pp->path)))) {
		smtpd_reply(s, "553 5.6.7 Non-ASCII address needs SMTPUTF8");
		return CHECK_FAIL;
	}
	if (s->tx.nrcpts >= s->srv->cfg.max_rcpts) {
		smtpd_reply(s, "452 4.5.3 Error: too many recipients");
		return CHECK_SKIP;
	}
	return CHECK_OK;
}

/* A hook's reply is used only if it is one line "ddd text". */
static int
reply_valid(const char *r)
{
	if (r == NULL || strlen(r) < 4 || strlen(r) > 512)
		return 0;
	if (r[0] < '2' || r[0] > '5' || r[1] < '0' || r[1] > '9' ||
	    r[2] < '0' || r[2] > '9' || r[3] != ' ')
		return 0;
	return strpbrk(r, "\r\n") == NULL;
}

static void
proceed_rcpt(struct smtpd_session *s, const char *arg)
{
	struct smtpd_server *srv = s->srv;
	const char *rcpt = buf_cstr(&s->parsed.path);
	struct buf reply = BUF_INIT;

	if (srv->hooks.rcpt(srv->arg, smtpd_envelope(s), rcpt, &reply) == 0) {
		tx_add_rcpt(&s->tx, rcpt);
		s->state = ST_RCPT;
		s->n_rcpts++;
		smtpd_reply(s, "250 2.1.5 Ok");
	} else {
		const char *r = buf_cstr(&reply);

		if (r[0] != '4' && r[0] != '5')
			r = REPLY_RCPT_DEFAULT;
		smtpd_reply(s, "%s", reply_valid(r) ? r : REPLY_RCPT_DEFAULT);
		s->n_rcpts_refused++;
		session_count_error(s);
	}
	buf_free(&reply);
}

static int
check_data(struct smtpd_session *s, const char *arg)
{
	if (s->state == ST_MAIL) {
		smtpd_reply(s, "503 5.5.1 Error: no valid recipients");
		return CHECK_FAIL;
	}
	if (s->state != ST_RCPT) {
		smtpd_reply(s, "503 5.5.1 Error: need MAIL command");
		return CHECK_FAIL;
	}
	return check_noparam(s, arg);
}

static void
proceed_data(struct smtpd_session *s, const char *arg)
{
	struct tx *t = &s->tx;

	s->state = ST_DATA;
	t->dstate = D_BOL;
	t->received = 0;
	t->bare = t->toobig = 0;
	t->data_start = smtpd_now();
	smtpd_timer_arm(s->ev_timer, s->srv->cfg.data_timeout, 0);
	smtpd_reply(s, "354 End data with <CR><LF>.<CR><LF>");
}

static void
proceed_rset(struct smtpd_session *s, const char *arg)
{
	smtpd_tx_reset(&s->tx);
	if (s->state != ST_CONNECTED)
		s->state = ST_HELO;
	smtpd_reply(s, "250 2.0.0 Ok");
}

static int
check_any(struct smtpd_session *s, const char *arg)
{
	return CHECK_OK;
}

static void
proceed_noop(struct smtpd_session *s, const char *arg)
{
	smtpd_reply(s, "250 2.0.0 Ok");
}

static void
proceed_quit(struct smtpd_session *s, const char *arg)
{
	smtpd_reply(s, "221 2.0.0 Bye");
	smtpd_close(s, "quit");
}

static void
proceed_help(struct smtpd_session *s, const char *arg)
{
	smtpd_reply(s, "214 2.0.0 Commands: %s MAIL RCPT DATA RSET NOOP "
	    "QUIT HELP VRFY%s", s->srv->cfg.lmtp ? "LHLO" : "HELO EHLO",
	    s->srv->cfg.tls && !s->tls ? " STARTTLS" : "");
}

static int
check_vrfy(struct smtpd_session *s, const char *arg)
{
	if (*arg)
		return CHECK_OK;
	smtpd_reply(s, "501 5.5.4 Syntax: VRFY address");
	return CHECK_FAIL;
}

static void
proceed_vrfy(struct smtpd_session *s, const char *arg)
{
	smtpd_reply(s, "252 2.5.0 Cannot VRFY user, but will accept message");
}

static int
check_not_offered(struct smtpd_session *s, const char *arg)
{
	smtpd_reply(s, "502 5.5.1 Error: command not implemented");
	return CHECK_FAIL;
}

static const struct command commands[] = {
	{ "HELO",	0, check_helo,		proceed_helo },
	{ "EHLO",	0, check_helo,		proceed_ehlo },
	{ "LHLO",	1, check_helo,		proceed_ehlo },
	{ "STARTTLS",	2, check_starttls,	proceed_starttls },
	{ "MAIL",	2, check_mail,		proceed_mail },
	{ "RCPT",	2, check_rcpt,		proceed_rcpt },
	{ "DATA",	2, check_data,		proceed_data },
	{ "RSET",	2, check_noparam,	proceed_rset },
	{ "NOOP",	2, check_any,		proceed_noop },
	{ "QUIT",	2, check_noparam,	proceed_quit },
	{ "HELP",	2, check_any,		proceed_help },
	{ "VRFY",	2, check_vrfy,		proceed_vrfy },
	{ "EXPN",	2, check_not_offered,	NULL },
	{ "AUTH",	2, check_not_offered,	NULL },
	{ "BDAT",	2, check_not_offered,	NULL },
	{ "ETRN",	2, check_not_offered,	NULL },
	{ "TURN",	2, check_not_offered,	NULL },
};

static const struct command *
command_find(const struct smtpd_session *s, const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		const struct command *c = &commands[i];

		if (c->lmtp != 2 && c->lmtp != s->srv->cfg.lmtp)
			continue;
		if (strlen(c->name) == len && strncasecmp(c->name, name, len) == 0)
			return c;
	}
	return NULL;
}

static void
command_log(struct smtpd_session *s, const char *line, size_t len)
{
	char shown[SMTPD_LOG_LINE + 1];
	size_t n = len < SMTPD_LOG_LINE ? len : SMTPD_LOG_LINE;

	if (log_get_level() < LOG_LEVEL_DEBUG)
		return;
	for (size_t i = 0; i < n; i++)
		shown[i] = (line[i] >= ' ' && line[i] < 127) ? line[i] : '?';
	shown[n] = '\0';
	log_debug("smtpd %lu < %s%s", s->id, shown, n < len ? "..." : "");
}

/* One command line (CRLF removed; len bytes, may hold NULs). */
static void
session_command(struct smtpd_session *s, const char *line, size_t len)
{
	const struct command *c;
	size_t klen;
	const char *arg;
	int r;

	command_log(s, line, len);
	smtpd_arm_cmd_timer(s);
	if (memchr(line, '\0', len) || memchr(line, '\r', len) ||
	    memchr(line, '\n', len)) {
		smtpd_reply(s, "500 5.5.2 Error: bare CR, LF or NUL in command");
		session_count_error(s);
		return;
	}
	klen = strcspn(line, " ");
	if ((c = command_find(s, line, klen)) == NULL) {
		smtpd_reply(s, "500 5.5.1 Error: command not recognized");
		session_count_error(s);
		return;
	}
	for (arg = line + klen; *arg == ' '; arg++)
		;
	if ((r = c->check(s, arg)) == CHECK_FAIL)
		session_count_error(s);
	else if (r == CHECK_OK)
		c->proceed(s, arg);
}

/* ---- input: command lines ---- */

/* Skip the rest of a too long line; 1 when its end was found. */
static int
line_discard(struct smtpd_session *s, struct evbuffer *in)
{
	struct evbuffer_ptr eol;
	size_t eol_len, len = evbuffer_get_length(in);
	char last;

	eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_CRLF_STRICT);
	if (eol.pos >= 0) {
		evbuffer_drain(in, eol.pos + eol_len);
		s->flags &= ~F_DISCARD;
		return 1;
	}
	/* keep a final CR: it may be the first half of the CRLF */
	if (len > 0) {
		struct evbuffer_ptr end;

		evbuffer_ptr_set(in, &end, len - 1, EVBUFFER_PTR_SET);
		if (evbuffer_copyout_from(in, &end, &last, 1) == 1 && last == '\r')
			len--;
	}
	evbuffer_drain(in, len);
	return 0;
}

static void
line_too_long(struct smtpd_session *s)
{
	smtpd_reply(s, "500 5.5.2 Error: line too long");
	session_count_error(s);
}

/* Handle the next command line; 0 when none is complete yet. */
static int
command_next(struct smtpd_session *s)
{
	struct evbuffer *in = bufferevent_get_input(s->bev);
	struct evbuffer_ptr eol;
	size_t eol_len, len;
	char line[SMTPD_MAX_LINE + 1];

	if (s->flags & F_DISCARD)
		return line_discard(s, in);
	eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_CRLF_STRICT);
	if (eol.pos < 0) {
		if (evbuffer_get_length(in) <= SMTPD_MAX_LINE)
			return 0;
		s->flags |= F_DISCARD;
		line_too_long(s);
		return 1;
	}
	if ((size_t)eol.pos > SMTPD_MAX_LINE) {
		evbuffer_drain(in, eol.pos + eol_len);
		line_too_long(s);
		return 1;
	}
	evbuffer_remove(in, line, eol.pos);
	evbuffer_drain(in, eol_len);
	len = eol.pos;
	while (len > 0 && line[len - 1] == ' ')
		len--;
	line[len] = '\0';
	session_command(s, line, len);
	return 1;
}

/* ---- event plumbing ---- */

static int
session_wants_input(const struct smtpd_session *s)
{
	return s->state <= ST_DATA;
}

static void
session_process(struct smtpd_session *s)
{
	int more = 1;

	if (s->busy)
		return;
	s->busy = 1;
	while (more && session_wants_input(s) && !session_output_full(s)) {
		if (s->state == ST_DATA)
			more = smtpd_body_consume(s);
		else
			more = command_next(s);
	}
	s->busy = 0;
	smtpd_flush(s);
	if ((s->flags & F_EOF) && !more && session_wants_input(s))
		smtpd_close(s, s->state == ST_DATA ?
		    "peer closed during DATA" : "peer closed");
}

static void
session_read_cb(struct bufferevent *bev, void *arg)
{
	session_process(arg);
}

static void
session_write_cb(struct bufferevent *bev, void *arg)
{
	struct smtpd_session *s = arg;

	if (s->state == ST_CLOSING)
		session_try_finish(s);
	else
		session_process(s);
}

static void
session_tls_done(struct smtpd_session *s)
{
	s->tls = 1;
	s->state = ST_CONNECTED;
	s->esmtp = 0;
	free(s->helo);
	s->helo = NULL;
	smtpd_tx_reset(&s->tx);
	smtpd_arm_cmd_timer(s);
	log_debug("smtpd %lu: TLS established", s->id);
	session_process(s);
}

static void
session_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct smtpd_session *s = arg;

	if (what & BEV_EVENT_CONNECTED) {
		if (s->state == ST_TLS)
			session_tls_done(s);
		return;
	}
	if (s->state == ST_DEAD)
		return;
	if ((what & BEV_EVENT_ERROR) || s->state == ST_TLS) {
		session_gone(s, s->state == ST_TLS ? "TLS handshake failed" :
		    "connection error");
		return;
	}
	if (what & BEV_EVENT_EOF) {
		/* a half-closed peer may still read our replies */
		s->flags |= F_EOF;
		session_process(s);
	}
}

static void
session_set_callbacks(struct smtpd_session *s)
{
	bufferevent_setcb(s->bev, session_read_cb, session_write_cb,
	    session_event_cb, s);
	bufferevent_setwatermark(s->bev, EV_READ, 0, SMTPD_INPUT_HIWAT);
	bufferevent_setwatermark(s->bev, EV_WRITE, 0, 0);
	bufferevent_enable(s->bev, EV_READ | EV_WRITE);
}

static void
session_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct smtpd_session *s = arg;

	switch (s->state) {
	case ST_CLOSING:
		if (smtpd_now() >= s->close_deadline)
			smtpd_schedule_free(s, NULL);
		else
			session_try_finish(s);
		return;
	case ST_TLS:
		smtpd_schedule_free(s, "TLS handshake timeout");
		return;
	case ST_COMMIT:
	case ST_DEAD:
		return;
	case ST_DATA:
		if (smtpd_body_deadline_extend(s))
			return;
		break;
	default:
		break;
	}
	smtpd_reply(s, "421 4.4.2 %s Error: timeout exceeded",
	    s->srv->hostname);
	smtpd_close(s, "timeout");
}

static void
session_later_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct smtpd_session *s = arg;

	if (s->state == ST_DEAD)
		smtpd_session_free(s);
	else
		session_process(s);
}

struct smtpd_session *
smtpd_session_new(struct smtpd_server *srv, int fd, const char *peer)
{
	struct smtpd_session *s = xcalloc(1, sizeof *s);

	s->srv = srv;
	s->id = ++srv->next_id;
	s->peer = xstrdup(peer ? peer : "unknown");
	s->bev = bufferevent_socket_new(srv->base, fd,
	    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	s->ev_timer = evtimer_new(srv->base, session_timer_cb, s);
	s->ev_later = event_new(srv->base, -1, 0, session_later_cb, s);
	if (s->bev == NULL || s->ev_timer == NULL || s->ev_later == NULL)
		fatalx("smtpd: out of memory for a session");
	s->next = srv->sessions;
	if (s->next)
		s->next->prev = s;
	srv->sessions = s;
	srv->nsessions++;
	session_set_callbacks(s);
	return s;
}

void
smtpd_data_done(struct smtpd_session *s, int ok, const char *reply)
{
	struct smtpd_server *srv = s->srv;

	if (s->state != ST_COMMIT)
		fatalx("smtpd_data_done: session %lu is not waiting", s->id);
	if (reply && !reply_valid(reply)) {
		log_warnx("smtpd %lu: bad data reply ignored", s->id);
		reply = NULL;
	}
	if (reply == NULL)
		reply = ok ? REPLY_OK_DEFAULT : REPLY_FAIL_DEFAULT;
	if (ok)
		s->n_msgs++;
	else
		s->n_msgs_refused++;
	smtpd_body_reply(s, reply);
	smtpd_tx_reset(&s->tx);
	s->state = ST_HELO;
	if (s->flags & F_GONE) {
		smtpd_schedule_free(s, NULL);
		return;
	}
	if (srv->shutting_down) {
		smtpd_reply(s, "421 4.3.2 %s Service shutting down",
		    srv->hostname);
		smtpd_close(s, "shutdown");
		return;
	}
	smtpd_arm_cmd_timer(s);
	event_active(s->ev_later, EV_TIMEOUT, 1);
}

void
smtpd_session_shutdown(struct smtpd_session *s)
{
	switch (s->state) {
	case ST_COMMIT:
	case ST_CLOSING:
	case ST_DEAD:
		return;
	case ST_TLS:
		smtpd_schedule_free(s, "shutdown");
		return;
	default:
		smtpd_reply(s, "421 4.3.2 %s Service shutting down",
		    s->srv->hostname);
		smtpd_close(s, "shutdown");
	}
}
