/*
 * SMTP and LMTP server sessions (see smtpd.h): listeners, an explicit
 * per-session state machine, a command table split into check and proceed,
 * a linear DATA scanner (dot-unstuffing, bare CR/LF detection), deadlines.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

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
#include <event2/listener.h>
#include <event2/util.h>

#include "daemon/buf.h"
#include "daemon/log.h"
#include "daemon/xalloc.h"
#include "mail/smtpd.h"

#define SMTPD_CLOSE_POLL_MS	50	/* TLS: poll the socket output when closing */
#define SMTPD_LOG_LINE		200	/* bytes of a command shown in debug logs */
#define SMTPD_ACCEPT_PAUSE	1	/* seconds without accept() after EMFILE */

#define REPLY_OK_DEFAULT	"250 2.0.0 Ok: queued"
#define REPLY_FAIL_DEFAULT	"451 4.3.0 Temporary failure, please try again later"
#define REPLY_RCPT_DEFAULT	"550 5.1.1 Recipient refused"

enum state {
	ST_CONNECTED,	/* greeting sent; HELO, EHLO or LHLO expected */
	ST_HELO,	/* greeted; no transaction */
	ST_MAIL,	/* MAIL accepted, no recipient yet */
	ST_RCPT,	/* at least one recipient accepted */
	ST_DATA,	/* receiving the message */
	ST_COMMIT,	/* message handed to the data hook */
	ST_TLS,		/* TLS handshake running */
	ST_CLOSING,	/* flushing the last replies */
	ST_DEAD,	/* to be freed from the event loop */
};

enum {
	F_EOF = 0x01,		/* peer closed its side: no more input */
	F_GONE = 0x02,		/* connection unusable (error) */
	F_DISCARD = 0x04,	/* skipping the rest of a too long line */
};

enum dstate { D_BOL, D_TEXT, D_CR, D_DOT, D_DOTCR };

/* check results */
enum { CHECK_OK, CHECK_FAIL, CHECK_SKIP };

enum { PATH_NULL_OK = 0x01, PATH_POSTMASTER_OK = 0x02 };

struct tx {
	char		*mail_from;
	char	       **rcpts;
	size_t		 nrcpts;
	size_t		 rcpts_cap;
	size_t		 size;		/* declared SIZE= */
	int		 smtputf8;
	int		 body8;
	struct buf	 msg;
	size_t		 received;	/* raw DATA bytes */
	enum dstate	 dstate;
	int		 bare;		/* bare CR or LF seen */
	int		 toobig;
	time_t		 data_start;
};

/* what MAIL's and RCPT's check parsed for their proceed */
struct parsed {
	struct buf	 path;
	size_t		 size;
	int		 smtputf8;
	int		 body8;
};

struct smtpd_session {
	struct smtpd_server	*srv;
	struct smtpd_session	*prev, *next;
	unsigned long		 id;
	struct bufferevent	*bev;
	struct event		*ev_timer;
	struct event		*ev_later;
	enum state		 state;
	int			 flags;
	int			 busy;
	char			*peer;
	char			*helo;
	int			 esmtp;
	int			 tls;
	int			 errors;
	time_t			 close_deadline;
	const char		*close_reason;
	struct tx		 tx;
	struct parsed		 parsed;
	struct smtpd_envelope	 env;
	struct buf		 out;
	size_t			 n_msgs, n_msgs_refused, n_rcpts, n_rcpts_refused;
};

struct listener {
	struct smtpd_server	*srv;
	struct evconnlistener	*lev;
	struct event		*ev_resume;
	char			*unix_path;
};

struct smtpd_server {
	struct event_base	*base;
	struct smtpd_config	 cfg;
	char			*hostname;
	struct smtpd_hooks	 hooks;
	void			*arg;
	struct listener	       **listeners;
	size_t			 nlisteners;
	struct smtpd_session	*sessions;
	size_t			 nsessions;
	unsigned long		 next_id;
	int			 shutting_down;
};

struct command {
	const char	*name;
	int		 lmtp;		/* 0: SMTP only, 1: LMTP only, 2: both */
	int		(*check)(struct smtpd_session *, const char *);
	void		(*proceed)(struct smtpd_session *, const char *);
};

static void	session_process(struct smtpd_session *);
static void	session_close(struct smtpd_session *, const char *);
static void	session_reply(struct smtpd_session *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	session_vreply(struct smtpd_session *, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));

static time_t
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void
timer_arm(struct event *ev, long sec, long msec)
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

static void
session_reply(struct smtpd_session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	session_vreply(s, fmt, ap);
	va_end(ap);
}

static void
session_flush(struct smtpd_session *s)
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

static void
tx_reset(struct tx *t)
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

static const struct smtpd_envelope *
session_envelope(struct smtpd_session *s)
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

static void
session_schedule_free(struct smtpd_session *s, const char *reason)
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
		session_schedule_free(s, reason);
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
		session_schedule_free(s, NULL);
		return;
	}
	if (s->tls)
		timer_arm(s->ev_timer, 0, SMTPD_CLOSE_POLL_MS);
	else
		timer_arm(s->ev_timer, SMTPD_LINGER, 0);
}

/* Send what is queued, then free the session (after SMTPD_LINGER at most). */
static void
session_close(struct smtpd_session *s, const char *reason)
{
	if (s->state == ST_CLOSING || s->state == ST_DEAD)
		return;
	if (s->close_reason == NULL)
		s->close_reason = reason;
	s->state = ST_CLOSING;
	session_flush(s);
	bufferevent_disable(s->bev, EV_READ);
	s->close_deadline = now_mono() + SMTPD_LINGER;
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

static void
session_free(struct smtpd_session *s)
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
	tx_reset(&s->tx);
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
	session_reply(s, "421 4.7.0 %s Error: too many errors",
	    s->srv->hostname);
	session_close(s, "too many errors");
}

static void
session_arm_cmd_timer(struct smtpd_session *s)
{
	timer_arm(s->ev_timer, s->srv->cfg.cmd_timeout, 0);
}

/* ---- commands: check (sequence, syntax) then proceed ---- */

static int
check_noparam(struct smtpd_session *s, const char *arg)
{
	if (*arg == '\0')
		return CHECK_OK;
	session_reply(s, "501 5.5.4 Syntax error: no parameters allowed");
	return CHECK_FAIL;
}

static int
check_helo(struct smtpd_session *s, const char *arg)
{
	size_t len = strlen(arg);

	if (len == 0 || len > 255) {
		session_reply(s, "501 5.5.4 Syntax: %s hostname",
		    s->srv->cfg.lmtp ? "LHLO" : "EHLO");
		return CHECK_FAIL;
	}
	for (const unsigned char *p = (const unsigned char *)arg; *p; p++) {
		if (*p <= ' ' || *p == 127) {
			session_reply(s, "501 5.5.4 Invalid hostname");
			return CHECK_FAIL;
		}
	}
	return CHECK_OK;
}

static void
session_greeted(struct smtpd_session *s, const char *arg, int esmtp)
{
	tx_reset(&s->tx);
	free(s->helo);
	s->helo = xstrdup(arg);
	s->esmtp = esmtp;
	s->state = ST_HELO;
}

static void
proceed_helo(struct smtpd_session *s, const char *arg)
{
	session_greeted(s, arg, 0);
	session_reply(s, "250 %s", s->srv->hostname);
}

static void
proceed_ehlo(struct smtpd_session *s, const char *arg)
{
	const struct smtpd_config *cfg = &s->srv->cfg;

	session_greeted(s, arg, 1);
	session_reply(s, "250-%s", s->srv->hostname);
	session_reply(s, "250-PIPELINING");
	session_reply(s, "250-SIZE %zu", cfg->max_message_size);
	session_reply(s, "250-8BITMIME");
	session_reply(s, "250-SMTPUTF8");
	if (cfg->tls && !s->tls)
		session_reply(s, "250-STARTTLS");
	session_reply(s, "250 ENHANCEDSTATUSCODES");
}

static int
check_starttls(struct smtpd_session *s, const char *arg)
{
	if (s->srv->cfg.tls == NULL) {
		session_reply(s, "502 5.5.1 Error: STARTTLS not offered");
		return CHECK_FAIL;
	}
	if (s->tls) {
		session_reply(s, "503 5.5.1 Error: TLS already active");
		return CHECK_FAIL;
	}
	if (s->state != ST_HELO) {
		session_reply(s, "503 5.5.1 Error: send EHLO first, "
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
		session_reply(s, "421 4.5.0 %s Error: data pipelined after "
		    "STARTTLS", s->srv->hostname);
		session_close(s, "data pipelined after STARTTLS");
		return;
	}
	if ((ssl = SSL_new(s->srv->cfg.tls)) == NULL) {
		log_warnx("smtpd %lu: SSL_new failed", s->id);
		session_reply(s, "454 4.7.0 TLS not available");
		return;
	}
	SSL_set_options(ssl, SSL_OP_IGNORE_UNEXPECTED_EOF);
	session_reply(s, "220 2.0.0 Ready to start TLS");
	session_flush(s);
	session_tls_start(s, ssl);
	session_set_callbacks(s);
	session_arm_cmd_timer(s);
}

static int
check_mail(struct smtpd_session *s, const char *arg)
{
	struct parsed *pp = &s->parsed;
	const char *p = arg;

	if (s->state == ST_CONNECTED) {
		session_reply(s, "503 5.5.1 Error: send HELO/EHLO first");
		return CHECK_FAIL;
	}
	if (s->state != ST_HELO) {
		session_reply(s, "503 5.5.1 Error: nested MAIL command");
		return CHECK_FAIL;
	}
	pp->size = 0;
	pp->smtputf8 = pp->body8 = 0;
	if (strncasecmp(p, "FROM:", 5) != 0 ||
	    (p += 5, path_parse(&p, &pp->path, PATH_NULL_OK)) == -1 ||
	    (*p != '\0' && *p != ' ')) {
		session_reply(s, "501 5.1.7 Bad sender address syntax");
		return CHECK_FAIL;
	}
	if (*p && (!s->esmtp || mail_params(pp, p) == -1)) {
		session_reply(s, "555 5.5.4 Unsupported MAIL parameter");
		return CHECK_FAIL;
	}
	if (has_8bit(buf_cstr(&pp->path)) && (!pp->smtputf8 ||
	    !utf8_valid((const unsigned char *)buf_cstr(&pp->path)))) {
		session_reply(s, "553 5.6.7 Non-ASCII address needs SMTPUTF8");
		return CHECK_FAIL;
	}
	if (pp->size > s->srv->cfg.max_message_size) {
		session_reply(s, "552 5.3.4 Message size exceeds fixed limit");
		return CHECK_SKIP;
	}
	return CHECK_OK;
}

static void
proceed_mail(struct smtpd_session *s, const char *arg)
{
	struct tx *t = &s->tx;

	tx_reset(t);
	t->mail_from = xstrdup(buf_cstr(&s->parsed.path));
	t->size = s->parsed.size;
	t->smtputf8 = s->parsed.smtputf8;
	t->body8 = s->parsed.body8;
	s->state = ST_MAIL;
	session_reply(s, "250 2.1.0 Ok");
}

static int
check_rcpt(struct smtpd_session *s, const char *arg)
{
	struct parsed *pp = &s->parsed;
	const char *p = arg;

	if (s->state != ST_MAIL && s->state != ST_RCPT) {
		session_reply(s, "503 5.5.1 Error: need MAIL command");
		return CHECK_FAIL;
	}
	if (strncasecmp(p, "TO:", 3) != 0 ||
	    (p += 3, path_parse(&p, &pp->path, PATH_POSTMASTER_OK)) == -1 ||
	    (*p != '\0' && *p != ' ')) {
		session_reply(s, "501 5.1.3 Bad recipient address syntax");
		return CHECK_FAIL;
	}
	if (p[strspn(p, " ")] != '\0') {
		session_reply(s, "555 5.5.4 Unsupported RCPT parameter");
		return CHECK_FAIL;
	}
	if (has_8bit(buf_cstr(&pp->path)) && (!s->tx.smtputf8 ||
	    !utf8_valid((const unsigned char *)buf_cstr(&pp->path)))) {
		session_reply(s, "553 5.6.7 Non-ASCII address needs SMTPUTF8");
		return CHECK_FAIL;
	}
	if (s->tx.nrcpts >= s->srv->cfg.max_rcpts) {
		session_reply(s, "452 4.5.3 Error: too many recipients");
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

	if (srv->hooks.rcpt(srv->arg, session_envelope(s), rcpt, &reply) == 0) {
		tx_add_rcpt(&s->tx, rcpt);
		s->state = ST_RCPT;
		s->n_rcpts++;
		session_reply(s, "250 2.1.5 Ok");
	} else {
		const char *r = buf_cstr(&reply);

		if (r[0] != '4' && r[0] != '5')
			r = REPLY_RCPT_DEFAULT;
		session_reply(s, "%s", reply_valid(r) ? r : REPLY_RCPT_DEFAULT);
		s->n_rcpts_refused++;
		session_count_error(s);
	}
	buf_free(&reply);
}

static int
check_data(struct smtpd_session *s, const char *arg)
{
	if (s->state == ST_MAIL) {
		session_reply(s, "503 5.5.1 Error: no valid recipients");
		return CHECK_FAIL;
	}
	if (s->state != ST_RCPT) {
		session_reply(s, "503 5.5.1 Error: need MAIL command");
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
	t->data_start = now_mono();
	timer_arm(s->ev_timer, s->srv->cfg.data_timeout, 0);
	session_reply(s, "354 End data with <CR><LF>.<CR><LF>");
}

static void
proceed_rset(struct smtpd_session *s, const char *arg)
{
	tx_reset(&s->tx);
	if (s->state != ST_CONNECTED)
		s->state = ST_HELO;
	session_reply(s, "250 2.0.0 Ok");
}

static int
check_any(struct smtpd_session *s, const char *arg)
{
	return CHECK_OK;
}

static void
proceed_noop(struct smtpd_session *s, const char *arg)
{
	session_reply(s, "250 2.0.0 Ok");
}

static void
proceed_quit(struct smtpd_session *s, const char *arg)
{
	session_reply(s, "221 2.0.0 Bye");
	session_close(s, "quit");
}

static void
proceed_help(struct smtpd_session *s, const char *arg)
{
	session_reply(s, "214 2.0.0 Commands: %s MAIL RCPT DATA RSET NOOP "
	    "QUIT HELP VRFY%s", s->srv->cfg.lmtp ? "LHLO" : "HELO EHLO",
	    s->srv->cfg.tls && !s->tls ? " STARTTLS" : "");
}

static int
check_vrfy(struct smtpd_session *s, const char *arg)
{
	if (*arg)
		return CHECK_OK;
	session_reply(s, "501 5.5.4 Syntax: VRFY address");
	return CHECK_FAIL;
}

static void
proceed_vrfy(struct smtpd_session *s, const char *arg)
{
	session_reply(s, "252 2.5.0 Cannot VRFY user, but will accept message");
}

static int
check_not_offered(struct smtpd_session *s, const char *arg)
{
	session_reply(s, "502 5.5.1 Error: command not implemented");
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
	session_arm_cmd_timer(s);
	if (memchr(line, '\0', len) || memchr(line, '\r', len) ||
	    memchr(line, '\n', len)) {
		session_reply(s, "500 5.5.2 Error: bare CR, LF or NUL in command");
		session_count_error(s);
		return;
	}
	klen = strcspn(line, " ");
	if ((c = command_find(s, line, klen)) == NULL) {
		session_reply(s, "500 5.5.1 Error: command not recognized");
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
	session_reply(s, "500 5.5.2 Error: line too long");
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

/* ---- input: DATA ---- */

static void
data_out(struct tx *t, const void *p, size_t n, size_t max)
{
	if (t->toobig)
		return;
	if (n > max - t->msg.len) {
		t->toobig = 1;
		buf_free(&t->msg);
		return;
	}
	buf_append(&t->msg, p, n);
}

/* Text up to the next CR or LF; returns the bytes used. */
static size_t
data_text(struct tx *t, const unsigned char *p, size_t n, size_t max)
{
	size_t i = 0;

	while (i < n && p[i] != '\r' && p[i] != '\n')
		i++;
	data_out(t, p, i, max);
	if (i == n)
		return i;
	if (p[i] == '\r') {
		t->dstate = D_CR;
	} else {
		t->bare = 1;
		data_out(t, "\n", 1, max);
	}
	return i + 1;
}

/*
 * Scan n bytes of DATA: unstuff dots, note bare CR and LF, stop after
 * CRLF.CRLF (*end set). Only a CRLF starts a line, so "\n.\n" and the like
 * never end the message. Returns the bytes used. Linear in n.
 */
static size_t
data_scan(struct tx *t, const unsigned char *p, size_t n, size_t max, int *end)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = p[i];

		switch (t->dstate) {
		case D_TEXT:
			i += data_text(t, p + i, n - i, max);
			break;
		case D_BOL:
			t->dstate = c == '.' ? D_DOT : D_TEXT;
			i += c == '.';
			break;
		case D_DOT:
			t->dstate = c == '\r' ? D_DOTCR : D_TEXT;
			i += c == '\r';
			break;
		case D_CR:
		case D_DOTCR:
			if (c == '\n' && t->dstate == D_DOTCR) {
				*end = 1;
				return i + 1;
			}
			if (c == '\n') {
				data_out(t, "\r\n", 2, max);
				t->dstate = D_BOL;
				i++;
				break;
			}
			t->bare = 1;
			data_out(t, "\r", 1, max);
			t->dstate = D_TEXT;
			break;
		}
	}
	return n;
}

static void
data_reply(struct smtpd_session *s, const char *reply)
{
	size_t n = s->srv->cfg.lmtp ? s->tx.nrcpts : 1;

	for (size_t i = 0; i < n; i++)
		session_reply(s, "%s", reply);
}

static void
data_refuse(struct smtpd_session *s, const char *reply)
{
	data_reply(s, reply);
	s->n_msgs_refused++;
	tx_reset(&s->tx);
	s->state = ST_HELO;
	session_arm_cmd_timer(s);
}

/* CRLF.CRLF seen: refuse, or hand the message to the data hook. */
static void
data_end(struct smtpd_session *s)
{
	struct smtpd_server *srv = s->srv;
	struct tx *t = &s->tx;

	if (t->bare) {
		data_refuse(s, "550 5.6.11 Error: bare CR or LF not allowed");
		return;
	}
	if (t->toobig) {
		data_refuse(s, "552 5.3.4 Error: message too big");
		return;
	}
	s->state = ST_COMMIT;
	evtimer_del(s->ev_timer);
	srv->hooks.data(srv->arg, s, session_envelope(s), buf_cstr(&t->msg),
	    t->msg.len);
}

/* Feed buffered input to the DATA scanner; 0 when it needs more input. */
static int
data_consume(struct smtpd_session *s)
{
	struct evbuffer *in = bufferevent_get_input(s->bev);
	struct evbuffer_iovec v[8];
	size_t used = 0, max = s->srv->cfg.max_message_size;
	int nv, end = 0;

	if (evbuffer_get_length(in) == 0)
		return 0;
	nv = evbuffer_peek(in, -1, NULL, v, 8);
	if (nv > 8)
		nv = 8;
	for (int i = 0; i < nv && !end; i++)
		used += data_scan(&s->tx, v[i].iov_base, v[i].iov_len, max, &end);
	evbuffer_drain(in, used);
	s->tx.received += used;
	if (end)
		data_end(s);
	return 1;
}

/* DATA deadline: data_timeout, extended while the client keeps the rate. */
static int
data_deadline_extend(struct smtpd_session *s)
{
	struct tx *t = &s->tx;
	size_t expect = t->size > t->received ? t->size : t->received;
	time_t allowed = s->srv->cfg.data_timeout;
	time_t elapsed = now_mono() - t->data_start;

	if ((time_t)(expect / SMTPD_MIN_DATA_RATE) > allowed)
		allowed = (time_t)(expect / SMTPD_MIN_DATA_RATE);
	if (elapsed >= allowed)
		return 0;
	timer_arm(s->ev_timer, (long)(allowed - elapsed), 0);
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
			more = data_consume(s);
		else
			more = command_next(s);
	}
	s->busy = 0;
	session_flush(s);
	if ((s->flags & F_EOF) && !more && session_wants_input(s))
		session_close(s, s->state == ST_DATA ?
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
	tx_reset(&s->tx);
	session_arm_cmd_timer(s);
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
		if (now_mono() >= s->close_deadline)
			session_schedule_free(s, NULL);
		else
			session_try_finish(s);
		return;
	case ST_TLS:
		session_schedule_free(s, "TLS handshake timeout");
		return;
	case ST_COMMIT:
	case ST_DEAD:
		return;
	case ST_DATA:
		if (data_deadline_extend(s))
			return;
		break;
	default:
		break;
	}
	session_reply(s, "421 4.4.2 %s Error: timeout exceeded",
	    s->srv->hostname);
	session_close(s, "timeout");
}

static void
session_later_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct smtpd_session *s = arg;

	if (s->state == ST_DEAD)
		session_free(s);
	else
		session_process(s);
}

static struct smtpd_session *
session_new(struct smtpd_server *srv, int fd, const char *peer)
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
smtpd_server_accept_fd(struct smtpd_server *srv, int fd, const char *peer)
{
	struct smtpd_session *s;
	int one = 1;

	if (srv->shutting_down) {
		close(fd);
		return;
	}
	evutil_make_socket_nonblocking(fd);
	evutil_make_socket_closeonexec(fd);
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	s = session_new(srv, fd, peer);
	log_debug("smtpd %lu: connection from %s", s->id, s->peer);
	if (srv->nsessions > srv->cfg.max_sessions) {
		session_reply(s, "421 4.3.2 %s Error: too many sessions",
		    srv->hostname);
		session_close(s, "too many sessions");
		return;
	}
	session_reply(s, "220 %s %s majlis", srv->hostname,
	    srv->cfg.lmtp ? "LMTP" : "ESMTP");
	session_flush(s);
	session_arm_cmd_timer(s);
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
	data_reply(s, reply);
	tx_reset(&s->tx);
	s->state = ST_HELO;
	if (s->flags & F_GONE) {
		session_schedule_free(s, NULL);
		return;
	}
	if (srv->shutting_down) {
		session_reply(s, "421 4.3.2 %s Service shutting down",
		    srv->hostname);
		session_close(s, "shutdown");
		return;
	}
	session_arm_cmd_timer(s);
	event_active(s->ev_later, EV_TIMEOUT, 1);
}

/* ---- server ---- */

struct smtpd_server *
smtpd_server_new(struct event_base *base, const struct smtpd_config *cfg,
    const struct smtpd_hooks *hooks, void *arg)
{
	struct smtpd_server *srv = xcalloc(1, sizeof *srv);
	char host[256];

	srv->base = base;
	srv->cfg = *cfg;
	srv->hooks = *hooks;
	srv->arg = arg;
	if (cfg->hostname)
		srv->hostname = xstrdup(cfg->hostname);
	else if (gethostname(host, sizeof host) == 0 &&
	    memchr(host, '\0', sizeof host))
		srv->hostname = xstrdup(host);
	else
		srv->hostname = xstrdup("localhost");
	srv->cfg.hostname = srv->hostname;
	if (srv->cfg.max_message_size == 0)
		srv->cfg.max_message_size = SMTPD_MAX_MESSAGE_SIZE;
	if (srv->cfg.max_rcpts == 0)
		srv->cfg.max_rcpts = SMTPD_MAX_RCPTS;
	if (srv->cfg.max_sessions == 0)
		srv->cfg.max_sessions = SMTPD_MAX_SESSIONS;
	if (srv->cfg.cmd_timeout <= 0)
		srv->cfg.cmd_timeout = SMTPD_CMD_TIMEOUT;
	if (srv->cfg.data_timeout <= 0)
		srv->cfg.data_timeout = SMTPD_DATA_TIMEOUT;
	return srv;
}

static void
peer_format(const struct sockaddr *sa, char *out, size_t outsz)
{
	char host[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in4 = (const void *)sa;

		inet_ntop(AF_INET, &in4->sin_addr, host, sizeof host);
		snprintf(out, outsz, "%s:%u", host, ntohs(in4->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
		snprintf(out, outsz, "[%s]:%u", host, ntohs(in6->sin6_port));
	} else {
		snprintf(out, outsz, "unix");
	}
}

static void
listener_accept_cb(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct listener *l = arg;
	char peer[INET6_ADDRSTRLEN + 16];

	peer_format(sa, peer, sizeof peer);
	smtpd_server_accept_fd(l->srv, fd, peer);
}

static void
listener_resume_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct listener *l = arg;

	evconnlistener_enable(l->lev);
}

/* accept() failed (EMFILE...): pause instead of spinning on it. */
static void
listener_error_cb(struct evconnlistener *lev, void *arg)
{
	struct listener *l = arg;

	log_warn("smtpd: accept");
	evconnlistener_disable(lev);
	timer_arm(l->ev_resume, SMTPD_ACCEPT_PAUSE, 0);
}

static int
listener_add(struct smtpd_server *srv, struct evconnlistener *lev,
    const char *unix_path)
{
	struct listener *l = xcalloc(1, sizeof *l);

	l->srv = srv;
	l->lev = lev;
	l->unix_path = unix_path ? xstrdup(unix_path) : NULL;
	if ((l->ev_resume = evtimer_new(srv->base, listener_resume_cb, l)) == NULL)
		fatalx("smtpd: evtimer_new");
	evconnlistener_set_cb(lev, listener_accept_cb, l);
	evconnlistener_set_error_cb(lev, listener_error_cb);
	srv->listeners = xreallocarray(srv->listeners, srv->nlisteners + 1,
	    sizeof *srv->listeners);
	srv->listeners[srv->nlisteners++] = l;
	return 0;
}

static int
listen_unix(struct smtpd_server *srv, const char *path)
{
	struct sockaddr_un sun;
	struct evconnlistener *lev;
	struct stat st;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (path[0] != '/' || xstrlcpy(sun.sun_path, path,
	    sizeof sun.sun_path) >= sizeof sun.sun_path) {
		log_warnx("smtpd: bad unix socket path \"%s\"", path);
		return -1;
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_warnx("smtpd: %s exists and is not a socket", path);
			return -1;
		}
		if (unlink(path) == -1) {
			log_warn("smtpd: unlink %s", path);
			return -1;
		}
	}
	lev = evconnlistener_new_bind(srv->base, NULL, NULL,
	    LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_CLOSE_ON_FREE |
	    LEV_OPT_DISABLED, -1, (struct sockaddr *)&sun, sizeof sun);
	if (lev == NULL) {
		log_warn("smtpd: listen on unix:%s", path);
		return -1;
	}
	if (chmod(path, 0666) == -1)
		log_warn("smtpd: chmod %s", path);
	listener_add(srv, lev, path);
	evconnlistener_enable(lev);
	return 0;
}

int
smtpd_server_listen(struct smtpd_server *srv, const char *addr)
{
	struct sockaddr_storage ss;
	struct evconnlistener *lev;
	int sslen = sizeof ss;

	if (strncmp(addr, "unix:", 5) == 0)
		return listen_unix(srv, addr + 5);
	memset(&ss, 0, sizeof ss);
	if (evutil_parse_sockaddr_port(addr, (struct sockaddr *)&ss,
	    &sslen) == -1 || (ss.ss_family == AF_INET &&
	    ((struct sockaddr_in *)&ss)->sin_port == 0) ||
	    (ss.ss_family == AF_INET6 &&
	    ((struct sockaddr_in6 *)&ss)->sin6_port == 0)) {
		log_warnx("smtpd: bad listen address \"%s\" (want host:port)",
		    addr);
		return -1;
	}
	lev = evconnlistener_new_bind(srv->base, NULL, NULL,
	    LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_CLOSE_ON_FREE |
	    LEV_OPT_DISABLED, -1, (struct sockaddr *)&ss, sslen);
	if (lev == NULL) {
		log_warn("smtpd: listen on %s", addr);
		return -1;
	}
	listener_add(srv, lev, NULL);
	evconnlistener_enable(lev);
	return 0;
}

int
smtpd_server_listen_fd(struct smtpd_server *srv, int fd)
{
	struct evconnlistener *lev;

	evutil_make_socket_nonblocking(fd);
	lev = evconnlistener_new(srv->base, NULL, NULL,
	    LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_CLOSE_ON_FREE | LEV_OPT_DISABLED,
	    -1, fd);
	if (lev == NULL) {
		log_warn("smtpd: listen on fd %d", fd);
		return -1;
	}
	listener_add(srv, lev, NULL);
	evconnlistener_enable(lev);
	return 0;
}

static void
listeners_free(struct smtpd_server *srv)
{
	for (size_t i = 0; i < srv->nlisteners; i++) {
		struct listener *l = srv->listeners[i];

		evconnlistener_free(l->lev);
		event_free(l->ev_resume);
		if (l->unix_path)
			(void)unlink(l->unix_path);
		free(l->unix_path);
		free(l);
	}
	free(srv->listeners);
	srv->listeners = NULL;
	srv->nlisteners = 0;
}

static void
session_shutdown(struct smtpd_session *s)
{
	switch (s->state) {
	case ST_COMMIT:
	case ST_CLOSING:
	case ST_DEAD:
		return;
	case ST_TLS:
		session_schedule_free(s, "shutdown");
		return;
	default:
		session_reply(s, "421 4.3.2 %s Service shutting down",
		    s->srv->hostname);
		session_close(s, "shutdown");
	}
}

void
smtpd_server_shutdown(struct smtpd_server *srv)
{
	srv->shutting_down = 1;
	listeners_free(srv);
	for (struct smtpd_session *s = srv->sessions; s; s = s->next)
		session_shutdown(s);
}

void
smtpd_server_free(struct smtpd_server **srvp)
{
	struct smtpd_server *srv = *srvp;

	if (srv == NULL)
		return;
	listeners_free(srv);
	while (srv->sessions) {
		if (srv->sessions->close_reason == NULL)
			srv->sessions->close_reason = "server freed";
		session_free(srv->sessions);
	}
	free(srv->hostname);
	free(srv);
	*srvp = NULL;
}

size_t
smtpd_server_sessions(const struct smtpd_server *srv)
{
	return srv->nsessions;
}
