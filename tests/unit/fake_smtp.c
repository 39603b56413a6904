/*
 * The smtpc unit tests' fixture (see fake_smtp.h): the scripted server and
 * the client harness.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "daemon/buf.h"
#include "daemon/xalloc.h"
#include "mail/smtpc.h"
#include "tests/unit/fake_smtp.h"

/* ---------------------------------------------------------------------
 * Scripted server
 */

const char FAKE_SILENT[] = "<silent>";
const char FAKE_DROP[] = "<drop>";

static void	fake_readcb(struct bufferevent *, void *);
static void	fake_eventcb(struct bufferevent *, short, void *);

static void
fconn_free(struct fconn *fc)
{
	struct fconn **pp;

	for (pp = &fc->f->conns; *pp != fc; pp = &(*pp)->next)
		;
	*pp = fc->next;
	bufferevent_free(fc->bev);
	buf_free(&fc->msg);
	free(fc);
}

static void
fake_tls(struct fconn *fc)
{
	SSL *ssl = SSL_new(fc->f->ssl);

	fc->bev = bufferevent_openssl_filter_new(fc->f->base, fc->bev, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	assert_non_null(fc->bev);
	bufferevent_setcb(fc->bev, fake_readcb, NULL, fake_eventcb, fc);
	bufferevent_enable(fc->bev, EV_READ | EV_WRITE);
	fc->tls = 1;
}

/* Note whether MAIL, RCPT and DATA came in one read. */
static void
fake_note_read(struct fake *f, struct evbuffer *in)
{
	size_t n = evbuffer_get_length(in);
	const char *p = (const char *)evbuffer_pullup(in, -1);

	if (n == 0 || memmem(p, n, "MAIL FROM:", 10) == NULL)
		return;
	if (memmem(p, n, "\r\nRCPT TO:", 10) != NULL &&
	    memmem(p, n, "\r\nDATA\r\n", 8) != NULL)
		f->pipelined_reads++;
	else
		f->split_reads++;
}

int
fake_smtp_is(const char *line, const char *verb)
{
	return strncasecmp(line, verb, strlen(verb)) == 0;
}

static const char *
fake_auth(struct fconn *fc, const char *line)
{
	struct fake *f = fc->f;

	if (fc->login_step == 0) {
		if (fc->tls)
			f->auth_tls++;
		else
			f->auth_clear++;
	}
	if (strcmp(line, "AUTH PLAIN AHVzZXIAc2VjcmV0") == 0 ||
	    (fc->login_step == 2 && strcmp(line, "c2VjcmV0") == 0)) {
		fc->login_step = 0;
		f->auth_ok++;
		return "235 2.7.0 ok\r\n";
	}
	if (strcmp(line, "AUTH LOGIN") == 0) {
		fc->login_step = 1;
		return "334 VXNlcm5hbWU6\r\n";
	}
	if (fc->login_step == 1 && strcmp(line, "dXNlcg==") == 0) {
		fc->login_step = 2;
		return "334 UGFzc3dvcmQ6\r\n";
	}
	fc->login_step = 0;
	return "535 5.7.8 bad credentials\r\n";
}

static const char *
fake_default(struct fconn *fc, const char *line)
{
	struct fake *f = fc->f;

	if (fc->login_step > 0 || fake_smtp_is(line, "AUTH "))
		return fake_auth(fc, line);
	if (fake_smtp_is(line, "EHLO "))
		return f->ehlo != NULL ? f->ehlo : EHLO_DEFAULT;
	if (fake_smtp_is(line, "HELO "))
		return "250 fake.test\r\n";
	if (fake_smtp_is(line, "MAIL FROM:"))
		return "250 2.1.0 ok\r\n";
	if (fake_smtp_is(line, "RCPT TO:"))
		return "250 2.1.5 ok\r\n";
	if (strcmp(line, "DATA") == 0)
		return fc->rcpt_ok ? "354 go ahead\r\n" :
		    "554 5.5.1 no valid recipients\r\n";
	if (strcmp(line, "RSET") == 0)
		return "250 2.0.0 reset\r\n";
	if (strcmp(line, "QUIT") == 0)
		return "221 2.0.0 bye\r\n";
	if (strcmp(line, "STARTTLS") == 0)
		return "220 2.0.0 go ahead\r\n";
	if (strcmp(line, "<EOM>") == 0)
		return "250 2.0.0 queued\r\n";
	return "500 5.5.2 what?\r\n";
}

static void
fake_count(struct fake *f, const char *line)
{
	if (fake_smtp_is(line, "EHLO "))
		f->ehlos++;
	else if (fake_smtp_is(line, "HELO "))
		f->helos++;
	else if (fake_smtp_is(line, "MAIL FROM:"))
		f->mails++;
	else if (fake_smtp_is(line, "RCPT TO:"))
		f->rcpts++;
	else if (strcmp(line, "DATA") == 0)
		f->datas++;
	else if (strcmp(line, "RSET") == 0)
		f->rsets++;
	else if (strcmp(line, "QUIT") == 0)
		f->quits++;
	else if (strcmp(line, "STARTTLS") == 0)
		f->starttls++;
}

/* Handle one command line (or "<EOM>"); returns 0 when reading must stop
 * (connection gone or switched to TLS). */
static int
fake_command(struct fconn *fc, const char *line)
{
	struct fake *f = fc->f;
	const char *reply = NULL;

	if (strcmp(line, "<EOM>") != 0) {
		buf_puts(&f->cmds, line);
		buf_putc(&f->cmds, '\n');
		fake_count(f, line);
	}
	if (f->hook != NULL)
		reply = f->hook(f, line);
	if (reply == NULL)
		reply = fake_default(fc, line);
	if (reply == FAKE_DROP) {
		fconn_free(fc);
		return 0;
	}
	if (reply == FAKE_SILENT)
		return 1;
	if (fake_smtp_is(line, "MAIL FROM:"))
		fc->rcpt_ok = 0;
	if (fake_smtp_is(line, "RCPT TO:") && reply[0] == '2')
		fc->rcpt_ok = 1;
	if (strncmp(reply, "354", 3) == 0) {
		fc->in_data = 1;
		buf_reset(&fc->msg);
	}
	bufferevent_write(fc->bev, reply, strlen(reply));
	if (strcmp(line, "STARTTLS") == 0 && reply[0] == '2' && f->ssl) {
		fake_tls(fc);
		return 0;
	}
	return 1;
}

static int
fake_line(struct fconn *fc, const char *line, size_t n)
{
	struct fake *f = fc->f;

	if (!fc->in_data)
		return fake_command(fc, line);
	if (n == 1 && line[0] == '.') {
		fc->in_data = 0;
		f->msgs++;
		buf_reset(&f->lastmsg);
		buf_append(&f->lastmsg, fc->msg.data, fc->msg.len);
		return fake_command(fc, "<EOM>");
	}
	buf_append(&fc->msg, line, n);
	buf_puts(&fc->msg, "\r\n");
	return 1;
}

static void
fake_readcb(struct bufferevent *bev, void *arg)
{
	struct fconn *fc = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	char *line;
	size_t n;

	fake_note_read(fc->f, in);
	while ((line = evbuffer_readln(in, &n, EVBUFFER_EOL_CRLF_STRICT))) {
		int go_on = fake_line(fc, line, n);
		free(line);
		if (!go_on)
			return;
	}
}

static void
fake_eventcb(struct bufferevent *bev, short what, void *arg)
{
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		fconn_free(arg);
}

static void
fake_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct fake *f = arg;
	struct fconn *fc = xcalloc(1, sizeof *fc);

	fc->f = f;
	fc->bev = bufferevent_socket_new(f->base, fd, BEV_OPT_CLOSE_ON_FREE);
	fc->next = f->conns;
	f->conns = fc;
	f->nconns++;
	bufferevent_setcb(fc->bev, fake_readcb, NULL, fake_eventcb, fc);
	bufferevent_enable(fc->bev, EV_READ | EV_WRITE);
	if (f->smtps)
		fake_tls(fc);
	bufferevent_write(fc->bev, f->greeting, strlen(f->greeting));
}

static void
fake_init(struct fake *f, struct event_base *base)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;

	memset(f, 0, sizeof *f);
	f->base = base;
	f->greeting = "220 fake.test ESMTP\r\n";
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	f->lev = evconnlistener_new_bind(base, fake_accept, f,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, -1,
	    (struct sockaddr *)&sin, sizeof sin);
	assert_non_null(f->lev);
	assert_int_equal(getsockname(evconnlistener_get_fd(f->lev),
	    (struct sockaddr *)&sin, &len), 0);
	snprintf(f->port, sizeof f->port, "%d", ntohs(sin.sin_port));
}

static void
fake_free(struct fake *f)
{
	while (f->conns != NULL)
		fconn_free(f->conns);
	if (f->lev != NULL)
		evconnlistener_free(f->lev);
	buf_free(&f->cmds);
	buf_free(&f->lastmsg);
}

/* ---------------------------------------------------------------------
 * Client side
 */

static int
cl_next(void *ctx, struct smtpc_job *job)
{
	struct client *cl = ctx;
	const struct tjob *t;

	if (cl->hold || cl->taken >= cl->njobs)
		return 0;
	t = &cl->jobs[cl->taken];
	job->mail_from = t->from;
	job->rcpt = t->rcpt;
	job->data = t->data;
	job->len = t->len != 0 || t->data == NULL ? t->len : strlen(t->data);
	job->arg = (void *)(intptr_t)cl->taken;
	cl->taken++;
	if (cl->quit_in_next)
		smtpc_quit(cl->c[0]);
	return 1;
}

static void
cl_result(void *ctx, const struct smtpc_job *job, const struct smtpc_reply *r)
{
	struct client *cl = ctx;
	struct tres *t = &cl->res[(intptr_t)job->arg];

	t->n++;
	t->code = r->code;
	t->local = r->local;
	t->stage = r->stage;
	memcpy(t->enhanced, r->enhanced, sizeof t->enhanced);
	memcpy(t->text, r->text, sizeof t->text);
	if (++cl->nres == cl->njobs && cl->quit_when_done)
		for (int i = 0; i < cl->nconn; i++)
			smtpc_quit(cl->c[i]);
}

static void
cl_closed(void *ctx, struct smtpc *c, const struct smtpc_reply *why)
{
	struct client *cl = ctx;

	cl->why = *why;
	if (++cl->nclosed == cl->nconn)
		event_base_loopbreak(cl->base);
}

const struct smtpc_callbacks fake_smtp_cb = { cl_next, cl_result, cl_closed };

static void
cfg_init(struct smtpc_config *cfg, const struct fake *f)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->host = "127.0.0.1";
	cfg->port = f->port;
	cfg->helo = "client.test";
	cfg->timeouts.connect = 5;
	cfg->timeouts.greeting = 5;
	cfg->timeouts.ehlo = 5;
	cfg->timeouts.mail = 5;
	cfg->timeouts.rcpt = 5;
	cfg->timeouts.data_init = 5;
	cfg->timeouts.data_block = 5;
	cfg->timeouts.data_term = 5;
}

static void
client_init(struct client *cl, struct event_base *base,
    const struct tjob *jobs, int njobs)
{
	memset(cl, 0, sizeof *cl);
	cl->base = base;
	cl->jobs = jobs;
	cl->njobs = njobs;
	cl->quit_when_done = 1;
}

void
fake_smtp_run(struct client *cl, const struct smtpc_config *cfg,
    SSL_CTX *ssl, int n)
{
	struct timeval guard = { 20, 0 };

	for (int i = 0; i < n; i++) {
		cl->c[i] = smtpc_connect(cl->base, cl->dns, ssl, cfg,
		    &fake_smtp_cb, cl);
		assert_non_null(cl->c[i]);
	}
	cl->nconn = n;
	event_base_loopexit(cl->base, &guard);
	event_base_dispatch(cl->base);
	assert_int_equal(cl->nclosed, n);
	for (int i = 0; i < cl->njobs && i < cl->taken; i++)
		assert_int_equal(cl->res[i].n, 1);
}

void
fake_smtp_env_init(struct env *e, const struct tjob *jobs, int njobs)
{
	e->base = event_base_new();
	assert_non_null(e->base);
	fake_init(&e->f, e->base);
	client_init(&e->cl, e->base, jobs, njobs);
	cfg_init(&e->cfg, &e->f);
}

void
fake_smtp_env_free(struct env *e)
{
	fake_free(&e->f);
	event_base_free(e->base);
}

void
fake_smtp_assert_res(const struct tres *t, int code, int local,
    enum smtpc_stage st)
{
	assert_int_equal(t->n, 1);
	assert_int_equal(t->code, code);
	assert_int_equal(t->local, local);
	assert_int_equal(t->stage, st);
}

const struct tjob fake_smtp_one_job[1] = {
	{ "list-bounces+abc@list.test", "member@example.org",
	    "Subject: hi\r\n\r\nhello\r\n", 0 },
};
