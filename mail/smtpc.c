/*
 * Outbound SMTP client: a state machine per connection driven by its
 * bufferevent. One reply is read at a time; its stage decides what is sent
 * next. A connection is freed only from its deferred event, never inside a
 * callback chain.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "daemon/log.h"
#include "daemon/xalloc.h"
#include "mail/smtpc.h"

#define CAP_PIPELINING	0x01
#define CAP_STARTTLS	0x02
#define CAP_8BITMIME	0x04
#define CAP_SMTPUTF8	0x08
#define CAP_SIZE	0x10
#define CAP_AUTH_PLAIN	0x20
#define CAP_AUTH_LOGIN	0x40

struct smtpc {
	struct event_base	*base;
	struct evdns_base	*dns;
	SSL_CTX			*ssl_ctx;
	struct smtpc_callbacks	 cb;
	void			*ctx;

	char			*host, *port, *helo, *user, *pass;
	enum smtpc_tls		 tls;
	int			 tls_verify;
	struct smtpc_timeouts	 to;

	struct evdns_getaddrinfo_request *dns_req;
	struct evutil_addrinfo	*addrs, *addr_next;
	struct bufferevent	*bev;		/* the socket's, or TLS over it */
	struct evbuffer		*sockout;	/* the socket's output */
	struct evbuffer_cb_entry *sent_cb;	/* watches it drain */
	struct event		*timer;		/* the current stage's deadline */
	struct event		*defer;		/* start, wake-up, quit, free */
	enum smtpc_stage	 stage;
	int			 started, closing, quit_pending;
	int			 loopback, tls_active, authed, auth_step;
	int			 connect_err;	/* errno of the last attempt */
	unsigned		 caps;
	size_t			 size_max;

	struct smtpc_reply	 reply;		/* being read */
	int			 reply_lines;

	struct smtpc_job	 job;
	int			 have_job, job_done, pipelined, body_flushed;

	struct smtpc_reply	 why;		/* for closed() */
};

static void	smtpc_readcb(struct bufferevent *, void *);
static void	smtpc_eventcb(struct bufferevent *, short, void *);
static void	smtpc_next_job(struct smtpc *);
static void	smtpc_post_hello(struct smtpc *);
static void	smtpc_try_connect(struct smtpc *);

static const char *const stage_names[] = {
	"CONNECT", "TLS", "GREETING", "EHLO", "HELO", "STARTTLS", "AUTH",
	"IDLE", "MAIL", "RCPT", "DATA", "BODY", "RSET", "QUIT"
};

const char *
smtpc_stage_name(enum smtpc_stage s)
{
	if ((size_t)s >= sizeof stage_names / sizeof stage_names[0])
		return "?";
	return stage_names[s];
}

/* --- closing and freeing --- */

static void	smtpc_set_reply(struct smtpc_reply *, int, const char *,
		    const char *, va_list) __attribute__((format(printf, 4, 0)));

static void
smtpc_set_reply(struct smtpc_reply *r, int code, const char *enh,
    const char *fmt, va_list ap)
{
	memset(r, 0, sizeof *r);
	r->code = code;
	xstrlcpy(r->enhanced, enh, sizeof r->enhanced);
	vsnprintf(r->text, sizeof r->text, fmt, ap);
	r->local = 1;
}

static void
smtpc_bev_free(struct smtpc *c)
{
	if (c->bev == NULL)
		return;
	evbuffer_remove_cb_entry(c->sockout, c->sent_cb);
	bufferevent_free(c->bev);
	c->bev = NULL;
}

/* Stop all I/O now; callbacks and free follow from the deferred event. */
static void
smtpc_close(struct smtpc *c)
{
	c->closing = 1;
	evtimer_del(c->timer);
	if (c->dns_req != NULL) {
		evdns_getaddrinfo_cancel(c->dns_req);
		c->dns_req = NULL;
	}
	smtpc_bev_free(c);
	event_active(c->defer, EV_TIMEOUT, 1);
}

static void
smtpc_fail(struct smtpc *c, int code, const char *enh, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Close on an error of ours or of the connection; the job in flight gets
 * the same reply. */
static void
smtpc_fail(struct smtpc *c, int code, const char *enh, const char *fmt, ...)
{
	va_list ap;

	if (c->closing)
		return;
	va_start(ap, fmt);
	smtpc_set_reply(&c->why, code, enh, fmt, ap);
	va_end(ap);
	c->why.stage = c->stage;
	log_info("smtpc %s:%s: %s: %s", c->host, c->port,
	    smtpc_stage_name(c->stage), c->why.text);
	smtpc_close(c);
}

/* Close because of a reply of the relay (greeting refused, AUTH failed). */
static void
smtpc_fail_reply(struct smtpc *c, const struct smtpc_reply *r)
{
	if (c->closing)
		return;
	c->why = *r;
	log_info("smtpc %s:%s: %s: relay said %d %s", c->host, c->port,
	    smtpc_stage_name(r->stage), r->code, r->text);
	smtpc_close(c);
}

static void
smtpc_close_clean(struct smtpc *c, const struct smtpc_reply *r)
{
	if (c->closing)
		return;
	memset(&c->why, 0, sizeof c->why);
	c->why.code = 221;
	c->why.stage = SMTPC_STAGE_QUIT;
	if (r != NULL && r->code == 221) {
		xstrlcpy(c->why.enhanced, r->enhanced, sizeof c->why.enhanced);
		xstrlcpy(c->why.text, r->text, sizeof c->why.text);
	} else {
		c->why.local = 1;
		xstrlcpy(c->why.text, "connection closed", sizeof c->why.text);
	}
	smtpc_close(c);
}

static void
smtpc_free(struct smtpc *c)
{
	if (c->addrs != NULL)
		evutil_freeaddrinfo(c->addrs);
	if (c->ssl_ctx != NULL)
		SSL_CTX_free(c->ssl_ctx);
	event_free(c->timer);
	event_free(c->defer);
	free(c->host);
	free(c->port);
	free(c->helo);
	free(c->user);
	if (c->pass != NULL) {
		OPENSSL_cleanse(c->pass, strlen(c->pass));
		free(c->pass);
	}
	free(c);
}

static void
smtpc_reap(struct smtpc *c)
{
	if (c->have_job && !c->job_done) {
		c->job_done = 1;
		c->cb.result(c->ctx, &c->job, &c->why);
	}
	c->cb.closed(c->ctx, c, &c->why);
	smtpc_free(c);
}

/* --- timers and deferred work --- */

static void
smtpc_arm(struct smtpc *c, int secs)
{
	struct timeval tv = { secs, 0 };

	evtimer_add(c->timer, &tv);
}

static int
smtpc_stage_timeout(const struct smtpc *c, enum smtpc_stage s)
{
	switch (s) {
	case SMTPC_STAGE_CONNECT:
	case SMTPC_STAGE_TLS:
		return c->to.connect;
	case SMTPC_STAGE_GREETING:
		return c->to.greeting;
	case SMTPC_STAGE_MAIL:
	case SMTPC_STAGE_RSET:
		return c->to.mail;
	case SMTPC_STAGE_RCPT:
		return c->to.rcpt;
	case SMTPC_STAGE_DATA:
		return c->to.data_init;
	case SMTPC_STAGE_BODY:
		return c->to.data_term;
	case SMTPC_STAGE_IDLE:
		return c->to.idle;
	case SMTPC_STAGE_QUIT:
		return SMTPC_QUIT_TIMEOUT;
	default:
		return c->to.ehlo;
	}
}

/* Enter stage s and start its deadline. */
static void
smtpc_stage(struct smtpc *c, enum smtpc_stage s)
{
	c->stage = s;
	smtpc_arm(c, smtpc_stage_timeout(c, s));
}

static void
smtpc_send(struct smtpc *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
smtpc_send(struct smtpc *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	evbuffer_add_vprintf(bufferevent_get_output(c->bev), fmt, ap);
	va_end(ap);
}

static void
smtpc_send_quit(struct smtpc *c)
{
	smtpc_send(c, "QUIT\r\n");
	smtpc_stage(c, SMTPC_STAGE_QUIT);
}

static void
smtpc_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct smtpc *c = arg;

	switch (c->stage) {
	case SMTPC_STAGE_IDLE:
		smtpc_send_quit(c);
		break;
	case SMTPC_STAGE_QUIT:
		smtpc_close_clean(c, NULL);
		break;
	case SMTPC_STAGE_CONNECT:
		if (c->dns_req != NULL || c->bev == NULL) {
			smtpc_fail(c, 421, "4.4.3", "timeout resolving %s",
			    c->host);
			break;
		}
		log_info("smtpc %s:%s: connect timeout", c->host, c->port);
		c->connect_err = 0;
		smtpc_bev_free(c);
		smtpc_try_connect(c);
		break;
	case SMTPC_STAGE_BODY:
		smtpc_fail(c, 421, "4.4.2", c->body_flushed ? "timeout waiting "
		    "for the final reply" : "timeout sending the message");
		break;
	default:
		smtpc_fail(c, 421, "4.4.2", "timeout waiting for the %s reply",
		    smtpc_stage_name(c->stage));
		break;
	}
}

static void	smtpc_resolve(struct smtpc *);

static void
smtpc_defer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct smtpc *c = arg;

	if (c->closing) {
		smtpc_reap(c);
		return;
	}
	if (!c->started) {
		c->started = 1;
		if (c->quit_pending)
			smtpc_close_clean(c, NULL);
		else
			smtpc_resolve(c);
		return;
	}
	if (c->stage == SMTPC_STAGE_IDLE)
		smtpc_next_job(c);
	else if (c->quit_pending && c->stage == SMTPC_STAGE_CONNECT)
		smtpc_close_clean(c, NULL);
}

void
smtpc_wakeup(struct smtpc *c)
{
	if (!c->closing && c->stage == SMTPC_STAGE_IDLE)
		event_active(c->defer, EV_TIMEOUT, 1);
}

void
smtpc_quit(struct smtpc *c)
{
	if (c->closing)
		return;
	c->quit_pending = 1;
	event_active(c->defer, EV_TIMEOUT, 1);
}

/* --- connecting --- */

static int
smtpc_is_loopback(const struct sockaddr *sa)
{
	static const unsigned char v4mapped[12] =
	    { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

	if (sa->sa_family == AF_INET)
		return (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family != AF_INET6)
		return 0;
	if (IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr))
		return 1;
	return memcmp(sin6->sin6_addr.s6_addr, v4mapped, 12) == 0 &&
	    sin6->sin6_addr.s6_addr[12] == 127;
}

static void
smtpc_bev_setup(struct smtpc *c)
{
	bufferevent_setcb(c->bev, smtpc_readcb, NULL, smtpc_eventcb, c);
	bufferevent_set_max_single_write(c->bev, SMTPC_MAX_WRITE);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

/* Bytes left the socket's output: while the message is going out, each
 * write restarts the data block deadline; once all is written, the wait for
 * the final reply starts (RFC 5321 4.5.3.2.5, 4.5.3.2.6). */
static void
smtpc_sent_cb(struct evbuffer *out, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct smtpc *c = arg;

	if (c->closing || c->stage != SMTPC_STAGE_BODY || c->body_flushed ||
	    info->n_deleted == 0)
		return;
	if (evbuffer_get_length(out) == 0 &&
	    evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
		c->body_flushed = 1;
		smtpc_arm(c, c->to.data_term);
	} else
		smtpc_arm(c, c->to.data_block);
}

/* Open a socket with TCP_NODELAY and start connecting to one address. */
static int
smtpc_connect_addr(struct smtpc *c, const struct evutil_addrinfo *ai)
{
	int fd, one = 1;

	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1) {
		c->connect_err = errno;
		return -1;
	}
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == -1)
		log_warn("smtpc: TCP_NODELAY");
	c->bev = bufferevent_socket_new(c->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		close(fd);
		return -1;
	}
	c->sockout = bufferevent_get_output(c->bev);
	c->sent_cb = evbuffer_add_cb(c->sockout, smtpc_sent_cb, c);
	if (c->sent_cb == NULL)
		fatalx("smtpc: evbuffer_add_cb");
	smtpc_bev_setup(c);
	if (bufferevent_socket_connect(c->bev, ai->ai_addr,
	    (int)ai->ai_addrlen) == -1) {
		c->connect_err = errno;
		smtpc_bev_free(c);
		return -1;
	}
	c->loopback = smtpc_is_loopback(ai->ai_addr);
	return 0;
}

/* Try the next resolved address; fail when none is left. */
static void
smtpc_try_connect(struct smtpc *c)
{
	const struct evutil_addrinfo *ai;

	while ((ai = c->addr_next) != NULL) {
		c->addr_next = ai->ai_next;
		if (smtpc_connect_addr(c, ai) == 0) {
			smtpc_stage(c, SMTPC_STAGE_CONNECT);
			return;
		}
	}
	smtpc_fail(c, 421, "4.4.1", "cannot connect to %s port %s: %s",
	    c->host, c->port, c->connect_err != 0 ?
	    evutil_socket_error_to_string(c->connect_err) : "timeout");
}

static void
smtpc_resolved(int err, struct evutil_addrinfo *res, void *arg)
{
	struct smtpc *c = arg;

	if (err == EVUTIL_EAI_CANCEL)
		return;		/* c may be gone */
	c->dns_req = NULL;
	if (err != 0 || res == NULL) {
		if (res != NULL)
			evutil_freeaddrinfo(res);
		smtpc_fail(c, 421, "4.4.3", "cannot resolve %s: %s", c->host,
		    err != 0 ? evutil_gai_strerror(err) : "no address");
		return;
	}
	c->addrs = c->addr_next = res;
	smtpc_try_connect(c);
}

static void
smtpc_resolve(struct smtpc *c)
{
	struct evutil_addrinfo hints, *res = NULL;
	struct evdns_getaddrinfo_request *req;
	const char *name = c->host;
	int err;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	hints.ai_flags = EVUTIL_AI_NUMERICSERV;
	smtpc_stage(c, SMTPC_STAGE_CONNECT);
	if (c->dns != NULL) {
		/* The callback may run before this returns (numeric host,
		 * /etc/hosts); then the request is NULL. */
		req = evdns_getaddrinfo(c->dns, name, c->port, &hints,
		    smtpc_resolved, c);
		c->dns_req = req;
		return;
	}
	if (strcmp(name, "localhost") == 0)
		name = "127.0.0.1";
	hints.ai_flags |= EVUTIL_AI_NUMERICHOST;
	err = evutil_getaddrinfo(name, c->port, &hints, &res);
	if (err != 0) {
		smtpc_fail(c, 421, "4.4.3", "%s is not an IP address and no "
		    "resolver was given", c->host);
		return;
	}
	smtpc_resolved(0, res, c);
}

/* --- TLS --- */

static int
smtpc_is_ip(const char *host)
{
	unsigned char a[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, a) == 1 ||
	    inet_pton(AF_INET6, host, a) == 1;
}

static SSL *
smtpc_ssl_new(struct smtpc *c)
{
	SSL *ssl;

	if ((ssl = SSL_new(c->ssl_ctx)) == NULL)
		return NULL;
	if (!c->tls_verify) {
		SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL);
		if (!smtpc_is_ip(c->host))
			SSL_set_tlsext_host_name(ssl, c->host);
		return ssl;
	}
	SSL_set_verify(ssl, SSL_VERIFY_PEER, NULL);
	if (smtpc_is_ip(c->host)) {
		if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl),
		    c->host) == 1)
			return ssl;
	} else {
		SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		if (SSL_set_tlsext_host_name(ssl, c->host) == 1 &&
		    SSL_set1_host(ssl, c->host) == 1)
			return ssl;
	}
	SSL_free(ssl);
	return NULL;
}

/* Put a TLS filter over the connection and start the handshake. */
static void
smtpc_start_tls(struct smtpc *c)
{
	struct bufferevent *tb;
	SSL *ssl;

	if ((ssl = smtpc_ssl_new(c)) == NULL) {
		smtpc_fail(c, 421, "4.7.0", "cannot set up TLS");
		return;
	}
	tb = bufferevent_openssl_filter_new(c->base, c->bev, ssl,
	    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
	if (tb == NULL) {
		smtpc_fail(c, 421, "4.7.0", "cannot set up TLS");
		return;
	}
	c->bev = tb;
	bufferevent_openssl_set_allow_dirty_shutdown(tb, 1);
	smtpc_bev_setup(c);
	smtpc_stage(c, SMTPC_STAGE_TLS);
}

static void
smtpc_tls_failed(struct smtpc *c)
{
	SSL *ssl = bufferevent_openssl_get_ssl(c->bev);
	unsigned long e = bufferevent_get_openssl_error(c->bev);
	long vr = ssl != NULL ? SSL_get_verify_result(ssl) : X509_V_OK;
	char err[256];

	if (c->tls_verify && vr != X509_V_OK)
		smtpc_fail(c, 421, "4.7.5", "TLS certificate not accepted: %s",
		    X509_verify_cert_error_string(vr));
	else if (e != 0) {
		ERR_error_string_n(e, err, sizeof err);
		smtpc_fail(c, 421, "4.7.0", "TLS handshake failed: %s", err);
	} else
		smtpc_fail(c, 421, "4.7.0", "TLS handshake failed: "
		    "connection closed");
}

static void
smtpc_send_ehlo(struct smtpc *c)
{
	c->caps = 0;
	c->size_max = 0;
	smtpc_send(c, "EHLO %s\r\n", c->helo);
	smtpc_stage(c, SMTPC_STAGE_EHLO);
}

static void
smtpc_tls_ready(struct smtpc *c)
{
	SSL *ssl = bufferevent_openssl_get_ssl(c->bev);

	c->tls_active = 1;
	log_debug("smtpc %s:%s: %s %s", c->host, c->port,
	    SSL_get_version(ssl), SSL_get_cipher_name(ssl));
	if (c->tls == SMTPC_TLS_SMTPS)
		smtpc_stage(c, SMTPC_STAGE_GREETING);
	else
		smtpc_send_ehlo(c);
}

/* --- bufferevent callbacks --- */

static void
smtpc_connected(struct smtpc *c)
{
	if (c->tls == SMTPC_TLS_SMTPS)
		smtpc_start_tls(c);
	else
		smtpc_stage(c, SMTPC_STAGE_GREETING);
}

static void
smtpc_eventcb(struct bufferevent *bev, short what, void *arg)
{
	struct smtpc *c = arg;
	int err = EVUTIL_SOCKET_ERROR();

	if (c->closing)
		return;
	if (what & BEV_EVENT_CONNECTED) {
		if (c->stage == SMTPC_STAGE_TLS)
			smtpc_tls_ready(c);
		else if (c->stage == SMTPC_STAGE_CONNECT)
			smtpc_connected(c);
		return;
	}
	if (c->stage == SMTPC_STAGE_CONNECT) {
		c->connect_err = err;
		log_info("smtpc %s:%s: connect: %s", c->host, c->port,
		    evutil_socket_error_to_string(err));
		smtpc_bev_free(c);
		smtpc_try_connect(c);
	} else if (c->stage == SMTPC_STAGE_TLS)
		smtpc_tls_failed(c);
	else if (c->stage == SMTPC_STAGE_QUIT)
		smtpc_close_clean(c, NULL);
	else if (what & BEV_EVENT_EOF)
		smtpc_fail(c, 421, "4.4.2", "connection closed by the relay");
	else
		smtpc_fail(c, 421, "4.4.2", "connection error: %s",
		    evutil_socket_error_to_string(err));
}

/* --- reading replies --- */

/* Append n bytes of reply text, control bytes replaced, to r->text. */
static void
smtpc_reply_text(struct smtpc_reply *r, const char *s, size_t n)
{
	size_t len = strlen(r->text);

	if (len > 0 && len < sizeof r->text - 1 && n > 0)
		r->text[len++] = ' ';
	for (size_t i = 0; i < n && len < sizeof r->text - 1; i++) {
		unsigned char ch = (unsigned char)s[i];
		r->text[len++] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
	}
	r->text[len] = '\0';
}


/* If s starts with an enhanced status code (RFC 3463) of class cls, copy
 * it to out (when not NULL); returns its length with the following space,
 * 0 when there is none. */
static size_t
smtpc_reply_enhanced(int cls, const char *s, size_t n, char *out,
    size_t outsz)
{
	size_t i;
	int part, digits;

	if (n < 5 || s[0] != '0' + cls || s[1] != '.')
		return 0;
	for (i = 2, part = 0; part < 2; part++) {
		for (digits = 0; i < n && s[i] >= '0' && s[i] <= '9' &&
		    digits < 3; i++)
			digits++;
		if (digits == 0)
			return 0;
		if (part == 0 && (i >= n || s[i++] != '.'))
			return 0;
	}
	if (i < n && s[i] != ' ')
		return 0;
	if (out != NULL && i < outsz) {
		memcpy(out, s, i);
		out[i] = '\0';
	}
	return i < n ? i + 1 : i;
}

static int
smtpc_keyword(const char *s, size_t n, const char *kw, const char **rest)
{
	size_t kl = strlen(kw);

	if (n < kl || strncasecmp(s, kw, kl) != 0)
		return 0;
	if (n > kl && s[kl] != ' ' && s[kl] != '=')
		return 0;
	*rest = s + kl;
	return 1;
}

static void
smtpc_auth_mechs(struct smtpc *c, const char *s, const char *end)
{
	const char *w;

	while (s < end) {
		while (s < end && (*s == ' ' || *s == '='))
			s++;
		for (w = s; s < end && *s != ' '; s++)
			;
		if (s - w == 5 && strncasecmp(w, "PLAIN", 5) == 0)
			c->caps |= CAP_AUTH_PLAIN;
		else if (s - w == 5 && strncasecmp(w, "LOGIN", 5) == 0)
			c->caps |= CAP_AUTH_LOGIN;
	}
}

static void
smtpc_size_cap(struct smtpc *c, const char *s, const char *end)
{
	c->caps |= CAP_SIZE;
	c->size_max = 0;
	while (s < end && *s == ' ')
		s++;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (c->size_max > ((size_t)1 << 48))
			break;
		c->size_max = c->size_max * 10 + (size_t)(*s - '0');
	}
}

/* One EHLO keyword line (RFC 5321 4.1.1.1). */
static void
smtpc_capability(struct smtpc *c, const char *s, size_t n)
{
	const char *rest;

	if (smtpc_keyword(s, n, "PIPELINING", &rest))
		c->caps |= CAP_PIPELINING;
	else if (smtpc_keyword(s, n, "STARTTLS", &rest))
		c->caps |= CAP_STARTTLS;
	else if (smtpc_keyword(s, n, "8BITMIME", &rest))
		c->caps |= CAP_8BITMIME;
	else if (smtpc_keyword(s, n, "SMTPUTF8", &rest))
		c->caps |= CAP_SMTPUTF8;
	else if (smtpc_keyword(s, n, "AUTH", &rest))
		smtpc_auth_mechs(c, rest, s + n);
	else if (smtpc_keyword(s, n, "SIZE", &rest))
		smtpc_size_cap(c, rest, s + n);
}

static int
smtpc_is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* Add one line (line end removed) to the reply being read. Returns 1 when
 * the reply is complete, 0 when more lines follow, -1 (with *err) when the
 * line is not acceptable. */
static int
smtpc_reply_line(struct smtpc *c, const char *s, size_t n, const char **err)
{
	struct smtpc_reply *r = &c->reply;
	const char *t = s + 4;
	size_t tn = n > 4 ? n - 4 : 0, e;
	int code;

	if (n < 3 || s[0] < '2' || s[0] > '5' || !smtpc_is_digit(s[1]) ||
	    !smtpc_is_digit(s[2]) || (n > 3 && s[3] != ' ' && s[3] != '-')) {
		*err = "not an SMTP reply";
		return -1;
	}
	code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	if (c->reply_lines == 0)
		r->code = code;
	else if (code != r->code) {
		*err = "reply code changes between lines";
		return -1;
	} else if (c->stage == SMTPC_STAGE_EHLO)
		smtpc_capability(c, t, tn);
	if (++c->reply_lines > SMTPC_MAX_REPLY_LINES) {
		*err = "too many reply lines";
		return -1;
	}
	e = smtpc_reply_enhanced(code / 100, t, tn,
	    c->reply_lines == 1 ? r->enhanced : NULL, sizeof r->enhanced);
	smtpc_reply_text(r, t + e, tn - e);
	return n == 3 || s[3] == ' ';
}

static void	smtpc_dispatch(struct smtpc *, struct smtpc_reply *);

/* Take one line off the input; returns 1 when one was handled, 0 when a
 * whole line is not there yet, -1 when the connection was closed. */
static int
smtpc_read_line(struct smtpc *c, struct evbuffer *in)
{
	char line[SMTPC_MAX_LINE];
	struct smtpc_reply r;
	struct evbuffer_ptr eol;
	size_t eol_len = 0, n;
	const char *err = NULL;
	int done;

	eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_CRLF);
	/* + 1: the CR of a CRLF whose LF is still on its way */
	if (eol.pos == -1 && evbuffer_get_length(in) <= SMTPC_MAX_LINE + 1)
		return 0;
	if (eol.pos == -1 || (size_t)eol.pos > SMTPC_MAX_LINE) {
		smtpc_fail(c, 421, "4.5.0", "reply line longer than %d bytes",
		    SMTPC_MAX_LINE);
		return -1;
	}
	n = (size_t)eol.pos;
	evbuffer_remove(in, line, n);
	evbuffer_drain(in, eol_len);
	if ((done = smtpc_reply_line(c, line, n, &err)) == -1) {
		smtpc_fail(c, 421, "4.5.0", "bad reply from the relay: %s",
		    err);
		return -1;
	}
	if (done) {
		r = c->reply;
		r.stage = c->stage;
		memset(&c->reply, 0, sizeof c->reply);
		c->reply_lines = 0;
		smtpc_dispatch(c, &r);
	}
	return c->closing ? -1 : 1;
}

static void
smtpc_readcb(struct bufferevent *bev, void *arg)
{
	struct smtpc *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	while (!c->closing && smtpc_read_line(c, in) == 1)
		;
}

/* --- session set-up: greeting, EHLO, STARTTLS, AUTH --- */

static void
smtpc_on_greeting(struct smtpc *c, const struct smtpc_reply *r)
{
	if (r->code != 220)
		smtpc_fail_reply(c, r);
	else
		smtpc_send_ehlo(c);
}

static void
smtpc_on_ehlo(struct smtpc *c, const struct smtpc_reply *r)
{
	if (r->code == 250)
		smtpc_post_hello(c);
	else if (r->code >= 500) {
		c->caps = 0;
		smtpc_send(c, "HELO %s\r\n", c->helo);
		smtpc_stage(c, SMTPC_STAGE_HELO);
	} else
		smtpc_fail_reply(c, r);
}

static void
smtpc_on_helo(struct smtpc *c, const struct smtpc_reply *r)
{
	if (r->code == 250)
		smtpc_post_hello(c);
	else
		smtpc_fail_reply(c, r);
}

static void
smtpc_on_starttls(struct smtpc *c, const struct smtpc_reply *r)
{
	if (r->code != 220) {
		smtpc_fail_reply(c, r);
		return;
	}
	/* Bytes after the 220 were sent in cleartext: a man in the middle
	 * could use them to forge replies read as if over TLS. */
	if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0) {
		smtpc_fail(c, 421, "4.7.0", "relay sent data after its "
		    "STARTTLS reply");
		return;
	}
	smtpc_start_tls(c);
}

static void
smtpc_send_b64(struct smtpc *c, const char *prefix, const unsigned char *p,
    size_t n)
{
	unsigned char out[4 * ((2 * SMTPC_MAX_NAME + 2 + 2) / 3) + 1];

	EVP_EncodeBlock(out, p, (int)n);
	smtpc_send(c, "%s%s\r\n", prefix, (char *)out);
	OPENSSL_cleanse(out, sizeof out);
}

static void
smtpc_send_auth_plain(struct smtpc *c)
{
	unsigned char msg[2 * SMTPC_MAX_NAME + 2];
	size_t ul = strlen(c->user), pl = strlen(c->pass);

	msg[0] = '\0';
	memcpy(msg + 1, c->user, ul);
	msg[1 + ul] = '\0';
	memcpy(msg + 2 + ul, c->pass, pl);
	smtpc_send_b64(c, "AUTH PLAIN ", msg, 2 + ul + pl);
	OPENSSL_cleanse(msg, sizeof msg);
}

/* Choose a mechanism and send AUTH; closes when AUTH is not possible. */
static void
smtpc_start_auth(struct smtpc *c)
{
	if (!c->tls_active && !c->loopback) {
		smtpc_fail(c, 421, "4.7.0", "refusing to send the password "
		    "in cleartext");
		return;
	}
	c->auth_step = 0;
	if (c->caps & CAP_AUTH_PLAIN)
		smtpc_send_auth_plain(c);
	else if (c->caps & CAP_AUTH_LOGIN)
		smtpc_send(c, "AUTH LOGIN\r\n");
	else {
		smtpc_fail(c, 421, "4.7.0", "relay offers neither AUTH PLAIN "
		    "nor AUTH LOGIN");
		return;
	}
	smtpc_stage(c, SMTPC_STAGE_AUTH);
}

static void
smtpc_on_auth(struct smtpc *c, const struct smtpc_reply *r)
{
	if (r->code == 235) {
		c->authed = 1;
		smtpc_post_hello(c);
	} else if (r->code == 334 && c->auth_step == 0 &&
	    !(c->caps & CAP_AUTH_PLAIN)) {
		c->auth_step = 1;
		smtpc_send_b64(c, "", (unsigned char *)c->user,
		    strlen(c->user));
		smtpc_stage(c, SMTPC_STAGE_AUTH);
	} else if (r->code == 334 && c->auth_step == 1) {
		c->auth_step = 2;
		smtpc_send_b64(c, "", (unsigned char *)c->pass,
		    strlen(c->pass));
		smtpc_stage(c, SMTPC_STAGE_AUTH);
	} else
		smtpc_fail_reply(c, r);
}

/* After EHLO/HELO: STARTTLS if required, AUTH if configured, then ready. */
static void
smtpc_post_hello(struct smtpc *c)
{
	if (c->tls == SMTPC_TLS_STARTTLS && !c->tls_active) {
		if (!(c->caps & CAP_STARTTLS)) {
			smtpc_fail(c, 421, "4.7.0", "relay does not offer "
			    "STARTTLS; refusing to continue in cleartext");
			return;
		}
		smtpc_send(c, "STARTTLS\r\n");
		smtpc_stage(c, SMTPC_STAGE_STARTTLS);
		return;
	}
	if (c->user != NULL && !c->authed) {
		smtpc_start_auth(c);
		return;
	}
	log_debug("smtpc %s:%s: ready, capabilities 0x%x", c->host, c->port,
	    c->caps);
	smtpc_next_job(c);
}

/* --- transactions --- */

static void
smtpc_job_result(struct smtpc *c, const struct smtpc_reply *r)
{
	if (!c->have_job || c->job_done)
		return;
	c->job_done = 1;
	c->cb.result(c->ctx, &c->job, r);
}

static void
smtpc_job_refuse(struct smtpc *c, int code, const char *enh,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Give the job a local reply without sending it. */
static void
smtpc_job_refuse(struct smtpc *c, int code, const char *enh,
    const char *fmt, ...)
{
	struct smtpc_reply r;
	va_list ap;

	va_start(ap, fmt);
	smtpc_set_reply(&r, code, enh, fmt, ap);
	va_end(ap);
	r.stage = SMTPC_STAGE_MAIL;
	smtpc_job_result(c, &r);
}

/* Returns 1 if the address may go into a command, sets *utf8 when it has
 * non-ASCII bytes. */
static int
smtpc_addr_ok(const char *a, int *utf8)
{
	size_t n = 0;

	if (a == NULL)
		return 0;
	for (; a[n] != '\0'; n++) {
		unsigned char ch = (unsigned char)a[n];
		if (ch < 0x21 || ch == 0x7f || ch == '<' || ch == '>')
			return 0;
		if (ch >= 0x80)
			*utf8 = 1;
	}
	return n <= SMTPC_MAX_ADDR;
}

static int
smtpc_has_8bit(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] >= 0x80)
			return 1;
	return 0;
}

/* Whether the job's message has a byte >= 0x80. */
static int
smtpc_job_8bit(const struct smtpc_job *j)
{
	if (j->nsegs == 0)
		return smtpc_has_8bit(j->data, j->len);
	for (size_t i = 0; i < j->nsegs; i++)
		if (smtpc_has_8bit(j->segs[i].data, j->segs[i].len))
			return 1;
	return 0;
}

/* Refuse a job that cannot be sent on this connection. */
static int
smtpc_job_check(struct smtpc *c, int *utf8)
{
	const struct smtpc_job *j = &c->job;

	*utf8 = 0;
	if (!smtpc_addr_ok(j->mail_from, utf8) ||
	    !smtpc_addr_ok(j->rcpt, utf8) || j->rcpt[0] == '\0') {
		smtpc_job_refuse(c, 553, "5.1.3", "invalid address");
		return -1;
	}
	if (j->data == NULL && j->nsegs == 0 && j->len > 0) {
		smtpc_job_refuse(c, 554, "5.6.0", "no message data");
		return -1;
	}
	if (*utf8 && !(c->caps & CAP_SMTPUTF8)) {
		smtpc_job_refuse(c, 553, "5.6.7", "non-ASCII address and the "
		    "relay does not offer SMTPUTF8");
		return -1;
	}
	if (c->size_max > 0 && j->len > c->size_max) {
		smtpc_job_refuse(c, 552, "5.3.4", "message larger than the "
		    "relay's limit of %zu bytes", c->size_max);
		return -1;
	}
	return 0;
}

/* Send MAIL (and with PIPELINING, RCPT and DATA in the same write). */
static int
smtpc_start_txn(struct smtpc *c)
{
	const struct smtpc_job *j = &c->job;
	int utf8;

	if (smtpc_job_check(c, &utf8) == -1)
		return -1;
	smtpc_send(c, "MAIL FROM:<%s>", j->mail_from);
	if (c->caps & CAP_SIZE)
		smtpc_send(c, " SIZE=%zu", j->len);
	if ((c->caps & CAP_8BITMIME) && smtpc_job_8bit(j))
		smtpc_send(c, " BODY=8BITMIME");
	if (utf8)
		smtpc_send(c, " SMTPUTF8");
	smtpc_send(c, "\r\n");
	c->pipelined = (c->caps & CAP_PIPELINING) != 0;
	if (c->pipelined)
		smtpc_send(c, "RCPT TO:<%s>\r\nDATA\r\n", j->rcpt);
	smtpc_stage(c, SMTPC_STAGE_MAIL);
	return 0;
}

/* Ask the caller for jobs until one is in flight or none is left. */
static void
smtpc_next_job(struct smtpc *c)
{
	while (!c->closing) {
		if (c->quit_pending) {
			smtpc_send_quit(c);
			return;
		}
		memset(&c->job, 0, sizeof c->job);
		c->have_job = c->job_done = 0;
		if (!c->cb.next(c->ctx, &c->job)) {
			if (c->quit_pending)
				smtpc_send_quit(c);
			else
				smtpc_stage(c, SMTPC_STAGE_IDLE);
			return;
		}
		c->have_job = 1;
		if (smtpc_start_txn(c) == 0)
			return;
	}
}

static void
smtpc_txn_end(struct smtpc *c)
{
	c->have_job = 0;
	smtpc_next_job(c);
}

/* Reset the transaction after a refused step. */
static void
smtpc_send_rset(struct smtpc *c)
{
	smtpc_send(c, "RSET\r\n");
	smtpc_stage(c, SMTPC_STAGE_RSET);
}

static void
smtpc_on_mail(struct smtpc *c, const struct smtpc_reply *r)
{
	if (r->code / 100 != 2)
		smtpc_job_result(c, r);
	if (c->pipelined)
		smtpc_stage(c, SMTPC_STAGE_RCPT);
	else if (c->job_done)
		smtpc_send_rset(c);
	else {
		smtpc_send(c, "RCPT TO:<%s>\r\n", c->job.rcpt);
		smtpc_stage(c, SMTPC_STAGE_RCPT);
	}
}

static void
smtpc_on_rcpt(struct smtpc *c, const struct smtpc_reply *r)
{
	if (r->code / 100 != 2)
		smtpc_job_result(c, r);
	if (c->pipelined)
		smtpc_stage(c, SMTPC_STAGE_DATA);
	else if (c->job_done)
		smtpc_send_rset(c);
	else {
		smtpc_send(c, "DATA\r\n");
		smtpc_stage(c, SMTPC_STAGE_DATA);
	}
}

/* p[0..n) into the output: by reference when the piece s allows it, else
 * copied. */
static void
smtpc_add_run(struct evbuffer *out, const struct smtpc_seg *s, const char *p,
    size_t n)
{
	if (n == 0)
		return;
	if (s != NULL && s->release != NULL) {
		s->hold(s->arg);
		if (evbuffer_add_reference(out, p, n, s->release, s->arg) == 0)
			return;
		s->release(p, n, s->arg);
	}
	evbuffer_add(out, p, n);
}

/* One piece of the message, dot-stuffed (RFC 5321 4.5.2); *bol: the next
 * byte starts a line. */
static void
smtpc_add_piece(struct evbuffer *out, const struct smtpc_seg *s,
    const char *p, size_t n, int *bol)
{
	const char *nl;
	size_t start = 0, pos = 0;

	if (n == 0)
		return;
	if (*bol && p[0] == '.')
		evbuffer_add(out, ".", 1);
	while (pos < n && (nl = memchr(p + pos, '\n', n - pos)) != NULL) {
		pos = (size_t)(nl - p) + 1;
		if (pos < n && p[pos] == '.') {
			smtpc_add_run(out, s, p + start, pos - start);
			evbuffer_add(out, ".", 1);
			start = pos;
		}
	}
	smtpc_add_run(out, s, p + start, n - start);
	*bol = p[n - 1] == '\n';
}

/* The job's message into the output, dot-stuffed, ending with CRLF "."
 * CRLF. */
static void
smtpc_add_body(struct evbuffer *out, const struct smtpc_job *j)
{
	char tail[2] = { 0, 0 };
	int bol = 1;

	if (j == NULL || j->len == 0) {
		evbuffer_add(out, ".\r\n", 3);
		return;
	}
	if (j->nsegs == 0) {
		evbuffer_expand(out, j->len + j->len / 32 + 8);
		smtpc_add_piece(out, NULL, j->data, j->len, &bol);
		if (j->len >= 2)
			memcpy(tail, j->data + j->len - 2, 2);
	} else
		for (size_t i = 0; i < j->nsegs; i++) {
			const struct smtpc_seg *s = &j->segs[i];
			smtpc_add_piece(out, s, s->data, s->len, &bol);
			if (s->len >= 2)
				memcpy(tail, s->data + s->len - 2, 2);
			else if (s->len == 1) {
				tail[0] = tail[1];
				tail[1] = s->data[0];
			}
		}
	if (tail[0] != '\r' || tail[1] != '\n')
		evbuffer_add(out, "\r\n", 2);
	evbuffer_add(out, ".\r\n", 3);
}

static void
smtpc_on_data(struct smtpc *c, const struct smtpc_reply *r)
{
	if (r->code != 354) {
		smtpc_job_result(c, r);
		smtpc_send_rset(c);
		return;
	}
	/* A 354 after a refused MAIL or RCPT: end the empty message. */
	smtpc_add_body(bufferevent_get_output(c->bev), c->job_done ? NULL :
	    &c->job);
	c->stage = SMTPC_STAGE_BODY;
	c->body_flushed = 0;
	smtpc_arm(c, c->to.data_block);	/* see smtpc_sent_cb() */
}

static void
smtpc_on_body(struct smtpc *c, const struct smtpc_reply *r)
{
	smtpc_job_result(c, r);
	smtpc_txn_end(c);
}

static void
smtpc_on_rset(struct smtpc *c, const struct smtpc_reply *r)
{
	if (r->code / 100 == 2)
		smtpc_txn_end(c);
	else {
		c->have_job = 0;
		smtpc_send_quit(c);
	}
}

static void
smtpc_dispatch(struct smtpc *c, struct smtpc_reply *r)
{
	log_debug("smtpc %s:%s: %s reply %d %s", c->host, c->port,
	    smtpc_stage_name(c->stage), r->code, r->text);
	if (r->code == 421 && c->stage != SMTPC_STAGE_QUIT) {
		smtpc_job_result(c, r);
		smtpc_fail_reply(c, r);
		return;
	}
	switch (c->stage) {
	case SMTPC_STAGE_GREETING:
		smtpc_on_greeting(c, r);
		break;
	case SMTPC_STAGE_EHLO:
		smtpc_on_ehlo(c, r);
		break;
	case SMTPC_STAGE_HELO:
		smtpc_on_helo(c, r);
		break;
	case SMTPC_STAGE_STARTTLS:
		smtpc_on_starttls(c, r);
		break;
	case SMTPC_STAGE_AUTH:
		smtpc_on_auth(c, r);
		break;
	case SMTPC_STAGE_MAIL:
		smtpc_on_mail(c, r);
		break;
	case SMTPC_STAGE_RCPT:
		smtpc_on_rcpt(c, r);
		break;
	case SMTPC_STAGE_DATA:
		smtpc_on_data(c, r);
		break;
	case SMTPC_STAGE_BODY:
		smtpc_on_body(c, r);
		break;
	case SMTPC_STAGE_RSET:
		smtpc_on_rset(c, r);
		break;
	case SMTPC_STAGE_QUIT:
		smtpc_close_clean(c, r);
		break;
	default:
		smtpc_fail(c, 421, "4.5.0", "unexpected reply %d from the "
		    "relay", r->code);
		break;
	}
}

/* --- creating connections and TLS contexts --- */

static int
smtpc_name_ok(const char *s, int allow_empty)
{
	size_t n;

	if (s == NULL)
		return allow_empty;
	for (n = 0; s[n] != '\0'; n++)
		if ((unsigned char)s[n] <= 0x20 || s[n] == 0x7f)
			return 0;
	return n <= SMTPC_MAX_NAME && (n > 0 || allow_empty);
}

static int
smtpc_port_ok(const char *p)
{
	char *end;
	long v;

	if (p == NULL || *p < '0' || *p > '9')
		return 0;
	errno = 0;
	v = strtol(p, &end, 10);
	return errno == 0 && *end == '\0' && v >= 1 && v <= 65535;
}

static const char *
smtpc_config_error(const struct smtpc_config *cfg, SSL_CTX *ssl_ctx)
{
	if (!smtpc_name_ok(cfg->host, 0))
		return "invalid host";
	if (!smtpc_port_ok(cfg->port))
		return "invalid port";
	if (!smtpc_name_ok(cfg->helo, 1))
		return "invalid EHLO name";
	if (cfg->tls != SMTPC_TLS_NONE && ssl_ctx == NULL)
		return "TLS without an SSL_CTX";
	if ((cfg->user == NULL) != (cfg->pass == NULL))
		return "user without password or password without user";
	if (cfg->user != NULL && (strlen(cfg->user) > SMTPC_MAX_NAME ||
	    strlen(cfg->pass) > SMTPC_MAX_NAME || cfg->user[0] == '\0'))
		return "invalid user or password";
	return NULL;
}

static int
smtpc_default(int v, int def)
{
	return v > 0 ? v : def;
}

static void
smtpc_set_timeouts(struct smtpc_timeouts *to, const struct smtpc_timeouts *in)
{
	to->connect = smtpc_default(in->connect, 30);
	to->greeting = smtpc_default(in->greeting, 300);
	to->ehlo = smtpc_default(in->ehlo, 300);
	to->mail = smtpc_default(in->mail, 300);
	to->rcpt = smtpc_default(in->rcpt, 300);
	to->data_init = smtpc_default(in->data_init, 120);
	to->data_block = smtpc_default(in->data_block, 180);
	to->data_term = smtpc_default(in->data_term, 600);
	to->idle = smtpc_default(in->idle, SMTPC_IDLE_TIMEOUT);
}

struct smtpc *
smtpc_connect(struct event_base *base, struct evdns_base *dns,
    SSL_CTX *ssl_ctx, const struct smtpc_config *cfg,
    const struct smtpc_callbacks *cb, void *ctx)
{
	struct smtpc *c;
	const char *err;

	if ((err = smtpc_config_error(cfg, ssl_ctx)) != NULL) {
		log_warnx("smtpc: %s", err);
		return NULL;
	}
	c = xcalloc(1, sizeof *c);
	c->base = base;
	c->dns = dns;
	if (cfg->tls != SMTPC_TLS_NONE) {
		if (SSL_CTX_up_ref(ssl_ctx) != 1)
			fatalx("smtpc: SSL_CTX_up_ref");
		c->ssl_ctx = ssl_ctx;
	}
	c->cb = *cb;
	c->ctx = ctx;
	c->host = xstrdup(cfg->host);
	c->port = xstrdup(cfg->port);
	c->helo = xstrdup(cfg->helo != NULL && cfg->helo[0] != '\0' ?
	    cfg->helo : "localhost");
	c->user = cfg->user != NULL ? xstrdup(cfg->user) : NULL;
	c->pass = cfg->pass != NULL ? xstrdup(cfg->pass) : NULL;
	c->tls = cfg->tls;
	c->tls_verify = cfg->tls_verify;
	smtpc_set_timeouts(&c->to, &cfg->timeouts);
	c->timer = evtimer_new(base, smtpc_timer_cb, c);
	c->defer = event_new(base, -1, 0, smtpc_defer_cb, c);
	if (c->timer == NULL || c->defer == NULL)
		fatalx("smtpc: event_new");
	c->stage = SMTPC_STAGE_CONNECT;
	event_active(c->defer, EV_TIMEOUT, 1);
	return c;
}

SSL_CTX *
smtpc_ssl_ctx_new(const struct smtpc_config *cfg)
{
	SSL_CTX *ctx;
	int ok;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		log_warnx("smtpc: SSL_CTX_new failed");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_verify(ctx, cfg->tls_verify ? SSL_VERIFY_PEER :
	    SSL_VERIFY_NONE, NULL);
	if (!cfg->tls_verify)
		return ctx;
	if (cfg->ca_file != NULL)
		ok = SSL_CTX_load_verify_locations(ctx, cfg->ca_file, NULL);
	else
		ok = SSL_CTX_set_default_verify_paths(ctx);
	if (ok != 1) {
		log_warnx("smtpc: cannot load CA certificates from %s",
		    cfg->ca_file != NULL ? cfg->ca_file : "the system store");
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}
