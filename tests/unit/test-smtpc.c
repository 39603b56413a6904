/*
 * Unit tests for mail/smtpc.c: the client talks to a scripted SMTP server
 * listening on 127.0.0.1 on the same event_base (STARTTLS and SMTPS with a
 * certificate made at start-up).
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

/* ---------------------------------------------------------------------
 * Scripted server
 */

/* A hook's answer: NULL for the default reply, FAKE_SILENT for none,
 * FAKE_DROP to close the connection, else the raw reply bytes. */
static const char FAKE_SILENT[] = "<silent>";
static const char FAKE_DROP[] = "<drop>";

#define EHLO_DEFAULT \
	"250-fake.test greets you\r\n250-PIPELINING\r\n250-8BITMIME\r\n" \
	"250 SIZE 10000000\r\n"
#define EHLO_LOCKSTEP	"250-fake.test\r\n250 8BITMIME\r\n"

struct fake;
typedef const char *(*fake_hook)(struct fake *, const char *line);

struct fconn {
	struct fake		*f;
	struct bufferevent	*bev;
	int			 in_data, rcpt_ok, tls, login_step;
	struct buf		 msg;
	struct fconn		*next;
};

struct fake {
	struct event_base	*base;
	struct evconnlistener	*lev;
	char			 port[8];
	const char		*greeting;
	const char		*ehlo;
	fake_hook		 hook;
	SSL_CTX			*ssl;	/* for STARTTLS (and SMTPS if smtps) */
	int			 smtps;
	struct fconn		*conns;
	int			 nconns, ehlos, helos, mails, rcpts, datas;
	int			 msgs, rsets, quits, starttls;
	int			 auth_tls, auth_clear, auth_ok;
	int			 pipelined_reads, split_reads;
	struct buf		 cmds;		/* command lines, "\n" after each */
	struct buf		 lastmsg;	/* as received, still stuffed */
};

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

static int
fake_is(const char *line, const char *verb)
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

	if (fc->login_step > 0 || fake_is(line, "AUTH "))
		return fake_auth(fc, line);
	if (fake_is(line, "EHLO "))
		return f->ehlo != NULL ? f->ehlo : EHLO_DEFAULT;
	if (fake_is(line, "HELO "))
		return "250 fake.test\r\n";
	if (fake_is(line, "MAIL FROM:"))
		return "250 2.1.0 ok\r\n";
	if (fake_is(line, "RCPT TO:"))
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
	if (fake_is(line, "EHLO "))
		f->ehlos++;
	else if (fake_is(line, "HELO "))
		f->helos++;
	else if (fake_is(line, "MAIL FROM:"))
		f->mails++;
	else if (fake_is(line, "RCPT TO:"))
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
	if (fake_is(line, "MAIL FROM:"))
		fc->rcpt_ok = 0;
	if (fake_is(line, "RCPT TO:") && reply[0] == '2')
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

#define MAXJOBS	128

struct tjob {
	const char	*from, *rcpt, *data;
	size_t		 len;	/* 0: strlen(data) */
};

struct tres {
	int		 n, code, local;
	enum smtpc_stage stage;
	char		 enhanced[16], text[512];
};

struct client {
	struct event_base	*base;
	struct smtpc		*c[8];
	int			 nconn, nclosed;
	const struct tjob	*jobs;
	int			 njobs, taken, hold, quit_when_done, quit_in_next;
	struct evdns_base	*dns;
	struct tres		 res[MAXJOBS];
	int			 nres;
	struct smtpc_reply	 why;
};

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

static const struct smtpc_callbacks cl_cb = { cl_next, cl_result, cl_closed };

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

/* Open n connections and run the loop until all are closed. */
static void
client_run(struct client *cl, const struct smtpc_config *cfg, SSL_CTX *ssl,
    int n)
{
	struct timeval guard = { 20, 0 };

	for (int i = 0; i < n; i++) {
		cl->c[i] = smtpc_connect(cl->base, cl->dns, ssl, cfg, &cl_cb,
		    cl);
		assert_non_null(cl->c[i]);
	}
	cl->nconn = n;
	event_base_loopexit(cl->base, &guard);
	event_base_dispatch(cl->base);
	assert_int_equal(cl->nclosed, n);
	for (int i = 0; i < cl->njobs && i < cl->taken; i++)
		assert_int_equal(cl->res[i].n, 1);
}

/* One connection to a fresh fake server set up by the caller. */
struct env {
	struct event_base	*base;
	struct fake		 f;
	struct client		 cl;
	struct smtpc_config	 cfg;
};

static void
env_init(struct env *e, const struct tjob *jobs, int njobs)
{
	e->base = event_base_new();
	assert_non_null(e->base);
	fake_init(&e->f, e->base);
	client_init(&e->cl, e->base, jobs, njobs);
	cfg_init(&e->cfg, &e->f);
}

static void
env_free(struct env *e)
{
	fake_free(&e->f);
	event_base_free(e->base);
}

static void
assert_res(const struct tres *t, int code, int local, enum smtpc_stage st)
{
	assert_int_equal(t->n, 1);
	assert_int_equal(t->code, code);
	assert_int_equal(t->local, local);
	assert_int_equal(t->stage, st);
}

#define NJOBS(a)	((int)(sizeof(a) / sizeof((a)[0])))

static const struct tjob one_job[] = {
	{ "list-bounces+abc@list.test", "member@example.org",
	    "Subject: hi\r\n\r\nhello\r\n", 0 },
};

/* ---------------------------------------------------------------------
 * Tests: transactions
 */

static void
test_simple(void **state)
{
	struct env e;

	env_init(&e, one_job, 1);
	client_run(&e.cl, &e.cfg, NULL, 1);
	assert_res(&e.cl.res[0], 250, 0, SMTPC_STAGE_BODY);
	assert_string_equal(e.cl.res[0].enhanced, "2.0.0");
	assert_string_equal(e.cl.res[0].text, "queued");
	assert_string_equal(buf_cstr(&e.f.cmds),
	    "EHLO client.test\n"
	    "MAIL FROM:<list-bounces+abc@list.test> SIZE=22\n"
	    "RCPT TO:<member@example.org>\n"
	    "DATA\n"
	    "QUIT\n");
	assert_string_equal(buf_cstr(&e.f.lastmsg), one_job[0].data);
	assert_int_equal(e.cl.why.code, 221);
	assert_int_equal(e.cl.why.local, 0);
	env_free(&e);
}

static void
test_twenty_jobs_one_connection(void **state)
{
	static struct tjob jobs[20];
	static char rcpts[20][32];
	struct env e;

	for (int i = 0; i < 20; i++) {
		snprintf(rcpts[i], sizeof rcpts[i], "m%d@example.org", i);
		jobs[i] = (struct tjob){ "", rcpts[i], "x\r\n", 0 };
	}
	env_init(&e, jobs, 20);
	client_run(&e.cl, &e.cfg, NULL, 1);
	for (int i = 0; i < 20; i++)
		assert_res(&e.cl.res[i], 250, 0, SMTPC_STAGE_BODY);
	assert_int_equal(e.f.nconns, 1);
	assert_int_equal(e.f.msgs, 20);
	assert_int_equal(e.f.ehlos, 1);
	/* PIPELINING: each MAIL, RCPT and DATA arrived in one read. */
	assert_int_equal(e.f.pipelined_reads, 20);
	assert_int_equal(e.f.split_reads, 0);
	assert_non_null(strstr(buf_cstr(&e.f.cmds), "MAIL FROM:<> SIZE=3\n"));
	env_free(&e);
}

static void
test_lockstep_without_pipelining(void **state)
{
	static const struct tjob jobs[] = {
		{ "a@list.test", "b@example.org", "one\r\n", 0 },
		{ "a@list.test", "c@example.org", "two\r\n", 0 },
	};
	struct env e;

	env_init(&e, jobs, 2);
	e.f.ehlo = EHLO_LOCKSTEP;
	client_run(&e.cl, &e.cfg, NULL, 1);
	assert_res(&e.cl.res[0], 250, 0, SMTPC_STAGE_BODY);
	assert_res(&e.cl.res[1], 250, 0, SMTPC_STAGE_BODY);
	assert_int_equal(e.f.pipelined_reads, 0);
	assert_int_equal(e.f.split_reads, 2);
	assert_int_equal(e.f.msgs, 2);
	env_free(&e);
}

static const char *
hook_rcpt_bad(struct fake *f, const char *line)
{
	if (fake_is(line, "RCPT TO:<bad"))
		return "550 5.1.1 no such user\r\n";
	if (fake_is(line, "RCPT TO:<full"))
		return "452 4.2.2 mailbox full\r\n";
	return NULL;
}

static const struct tjob rcpt_jobs[] = {
	{ "l@list.test", "ok1@example.org", "one\r\n", 0 },
	{ "l@list.test", "bad@example.org", "two\r\n", 0 },
	{ "l@list.test", "full@example.org", "three\r\n", 0 },
	{ "l@list.test", "ok2@example.org", "four\r\n", 0 },
};

static void
check_rcpt_jobs(struct env *e)
{
	assert_res(&e->cl.res[0], 250, 0, SMTPC_STAGE_BODY);
	assert_res(&e->cl.res[1], 550, 0, SMTPC_STAGE_RCPT);
	assert_string_equal(e->cl.res[1].enhanced, "5.1.1");
	assert_string_equal(e->cl.res[1].text, "no such user");
	assert_res(&e->cl.res[2], 452, 0, SMTPC_STAGE_RCPT);
	assert_string_equal(e->cl.res[2].enhanced, "4.2.2");
	assert_res(&e->cl.res[3], 250, 0, SMTPC_STAGE_BODY);
	assert_int_equal(e->f.msgs, 2);
	assert_int_equal(e->f.rsets, 2);
	assert_string_equal(buf_cstr(&e->f.lastmsg), "four\r\n");
	assert_int_equal(e->f.nconns, 1);
}

static void
test_rcpt_rejected_pipelined(void **state)
{
	struct env e;

	env_init(&e, rcpt_jobs, NJOBS(rcpt_jobs));
	e.f.hook = hook_rcpt_bad;
	client_run(&e.cl, &e.cfg, NULL, 1);
	check_rcpt_jobs(&e);
	/* The DATA sent with the refused RCPT got 554 and no body. */
	assert_int_equal(e.f.datas, 4);
	env_free(&e);
}

static void
test_rcpt_rejected_lockstep(void **state)
{
	struct env e;

	env_init(&e, rcpt_jobs, NJOBS(rcpt_jobs));
	e.f.hook = hook_rcpt_bad;
	e.f.ehlo = EHLO_LOCKSTEP;
	client_run(&e.cl, &e.cfg, NULL, 1);
	check_rcpt_jobs(&e);
	assert_int_equal(e.f.datas, 2);
	env_free(&e);
}

static const char *
hook_354_anyway(struct fake *f, const char *line)
{
	if (fake_is(line, "RCPT TO:<bad"))
		return "550 5.1.1 no such user\r\n";
	if (strcmp(line, "DATA") == 0)
		return "354 go ahead anyway\r\n";
	return NULL;
}

static void
test_354_after_rejected_rcpt(void **state)
{
	static const struct tjob jobs[] = {
		{ "l@list.test", "bad@example.org", "secret\r\n", 0 },
		{ "l@list.test", "ok@example.org", "fine\r\n", 0 },
	};
	struct env e;

	env_init(&e, jobs, 2);
	e.f.hook = hook_354_anyway;
	client_run(&e.cl, &e.cfg, NULL, 1);
	assert_res(&e.cl.res[0], 550, 0, SMTPC_STAGE_RCPT);
	assert_res(&e.cl.res[1], 250, 0, SMTPC_STAGE_BODY);
	/* The first "message" was ended empty: its body never went out. */
	assert_int_equal(e.f.msgs, 2);
	assert_null(strstr(buf_cstr(&e.f.lastmsg), "secret"));
	assert_string_equal(buf_cstr(&e.f.lastmsg), "fine\r\n");
	env_free(&e);
}

static const char *
hook_mail_refused(struct fake *f, const char *line)
{
	if (fake_is(line, "MAIL FROM:<refused"))
		return "553 5.1.8 sender refused\r\n";
	if (fake_is(line, "RCPT TO:") && f->mails == 1)
		return "503 5.5.1 need MAIL\r\n";
	return NULL;
}

static void
test_mail_refused(void **state)
{
	static const struct tjob jobs[] = {
		{ "refused@list.test", "a@example.org", "one\r\n", 0 },
		{ "l@list.test", "b@example.org", "two\r\n", 0 },
	};
	struct env e;

	env_init(&e, jobs, 2);
	e.f.hook = hook_mail_refused;
	client_run(&e.cl, &e.cfg, NULL, 1);
	assert_res(&e.cl.res[0], 553, 0, SMTPC_STAGE_MAIL);
	assert_res(&e.cl.res[1], 250, 0, SMTPC_STAGE_BODY);
	assert_int_equal(e.f.msgs, 1);
	env_free(&e);
}

static const char *
hook_final(struct fake *f, const char *line)
{
	if (strcmp(line, "<EOM>") == 0 && f->msgs == 1)
		return "554 5.7.1 message refused\r\n";
	if (strcmp(line, "<EOM>") == 0 && f->msgs == 2)
		return "451 4.3.0 try later\r\n";
	if (strcmp(line, "<EOM>") == 0)
		return "250-2.0.0 first\r\n250-2.0.0 second\r\n250 third\r\n";
	return NULL;
}

static void
test_final_reply(void **state)
{
	static const struct tjob jobs[] = {
		{ "l@list.test", "a@example.org", "one\r\n", 0 },
		{ "l@list.test", "b@example.org", "two\r\n", 0 },
		{ "l@list.test", "c@example.org", "three\r\n", 0 },
	};
	struct env e;

	env_init(&e, jobs, 3);
	e.f.hook = hook_final;
	client_run(&e.cl, &e.cfg, NULL, 1);
	assert_res(&e.cl.res[0], 554, 0, SMTPC_STAGE_BODY);
	assert_string_equal(e.cl.res[0].enhanced, "5.7.1");
	assert_res(&e.cl.res[1], 451, 0, SMTPC_STAGE_BODY);
	assert_res(&e.cl.res[2], 250, 0, SMTPC_STAGE_BODY);
	assert_string_equal(e.cl.res[2].enhanced, "2.0.0");
	assert_string_equal(e.cl.res[2].text, "first second third");
	assert_int_equal(e.f.rsets, 0);
	env_free(&e);
}

static const char *
hook_drop_eom(struct fake *f, const char *line)
{
	return strcmp(line, "<EOM>") == 0 ? FAKE_DROP : NULL;
}

static void
test_drop_after_data(void **state)
{
	struct env e;

	env_init(&e, rcpt_jobs, NJOBS(rcpt_jobs));
	e.f.hook = hook_drop_eom;
	client_run(&e.cl, &e.cfg, NULL, 1);
	assert_int_equal(e.cl.taken, 1);
	assert_res(&e.cl.res[0], 421, 1, SMTPC_STAGE_BODY);
	assert_string_equal(e.cl.res[0].enhanced, "4.4.2");
	assert_int_equal(e.cl.why.code, 421);
	assert_int_equal(e.cl.why.local, 1);
	env_free(&e);
}

static const char *
hook_421(struct fake *f, const char *line)
{
	return fake_is(line, "RCPT") ? "421 4.3.2 shutting down\r\n" : NULL;
}

static void
test_421_closes(void **state)
{
	struct env e;

	env_init(&e, rcpt_jobs, NJOBS(rcpt_jobs));
	e.f.hook = hook_421;
	client_run(&e.cl, &e.cfg, NULL, 1);
	assert_int_equal(e.cl.taken, 1);
	assert_res(&e.cl.res[0], 421, 0, SMTPC_STAGE_RCPT);
	assert_int_equal(e.cl.why.code, 421);
	assert_int_equal(e.cl.why.local, 0);
	assert_int_equal(e.f.quits, 0);
	env_free(&e);
}

static void
test_dot_stuffing(void **state)
{
	static const struct tjob jobs[] = {
		{ "l@list.test", "a@example.org",
		    ".start\r\nmid\r\n..two\r\n.\r\nend", 0 },
		{ "l@list.test", "b@example.org", "a\n.b\r\n", 0 },
		{ "l@list.test", "c@example.org", NULL, 0 },
		{ "l@list.test", "d@example.org", ".", 0 },
	};
	struct env e;
	const char *msgs[4];
	int i;

	env_init(&e, jobs, 1);
	for (i = 0; i < 4; i++) {
		/* One job per connection to look at each message. */
		e.cl.jobs = &jobs[i];
		e.cl.taken = e.cl.nres = e.cl.nclosed = 0;
		memset(e.cl.res, 0, sizeof e.cl.res);
		client_run(&e.cl, &e.cfg, NULL, 1);
		assert_res(&e.cl.res[0], 250, 0, SMTPC_STAGE_BODY);
		msgs[i] = xstrdup(buf_cstr(&e.f.lastmsg));
	}
	assert_string_equal(msgs[0],
	    "..start\r\nmid\r\n...two\r\n..\r\nend\r\n");
	assert_string_equal(msgs[1], "a\n..b\r\n");
	assert_string_equal(msgs[2], "");
	assert_string_equal(msgs[3], "..\r\n");
	for (i = 0; i < 4; i++)
		free((char *)msgs[i]);
	env_free(&e);
}

static void
test_large_message(void **state)
{
	static struct tjob jobs[1];
	struct buf b = BUF_INIT;
	struct env e;

	for (int i = 0; i < 20000; i++)
		buf_printf(&b, "%sline %d of a long message\r\n",
		    i % 7 == 0 ? "." : "", i);
	jobs[0] = (struct tjob){ "l@list.test", "a@example.org", b.data, 0 };
	env_init(&e, jobs, 1);
	client_run(&e.cl, &e.cfg, NULL, 1);
	assert_res(&e.cl.res[0], 250, 0, SMTPC_STAGE_BODY);
	assert_int_equal(e.f.lastmsg.len, b.len + (20000 + 6) / 7);
	assert_memory_equal(e.f.lastmsg.data, "..line 0 of", 11);
	buf_free(&b);
	env_free(&e);
}

/* ---------------------------------------------------------------------
 * Tests: hostile or broken relays
 */

static const char *hostile_reply;

static const char *
hook_hostile_eom(struct fake *f, const char *line)
{
	return strcmp(line, "<EOM>") == 0 ? hostile_reply : NULL;
}

/* Send one job to a relay giving reply as its final reply; check the
 * job's result. */
static void
run_hostile(const char *reply, int code, int local, const char *text)
{
	struct env e;

	hostile_reply = reply;
	env_init(&e, one_job, 1);
	e.f.hook = hook_hostile_eom;
	client_run(&e.cl, &e.cfg, NULL, 1);
	assert_int_equal(e.cl.res[0].n, 1);
	assert_int_equal(e.cl.res[0].code, code);
	assert_int_equal(e.cl.res[0].local, local);
	assert_non_null(strstr(e.cl.res[0].text, text));
	if (local) {
		assert_int_equal(e.cl.why.code, 421);
		assert_int_equal(e.cl.why.local, 1);
	}
	env_free(&e);
}

static void
test_tiny_and_garbage_replies(void **state)
{
	run_hostile("2\r\n", 421, 1, "not an SMTP reply");
	run_hostile("25\r\n", 421, 1, "not an SMTP reply");
	run_hostile("\r\n", 421, 1, "not an SMTP reply");
	run_hostile("hello world\r\n", 421, 1, "not an SMTP reply");
	run_hostile("2500 ok\r\n", 421, 1, "not an SMTP reply");
	run_hostile("150 what\r\n", 421, 1, "not an SMTP reply");
	run_hostile("250-one\r\n550 two\r\n", 421, 1, "changes");
	/* Three bytes are a whole reply; NUL and control bytes are shown. */
	run_hostile("250\r\n", 250, 0, "");
	run_hostile("250 a\001b\r\n", 250, 0, "a?b");
	run_hostile("250 x\n", 250, 0, "x");
}

static const char *
hook_partial_then_drop(struct fake *f, const char *line)
{
	if (fake_is(line, "MAIL")) {
		struct fconn *fc = f->conns;
		bufferevent_write(fc->bev, "25", 2);
		return FAKE_SILENT;
	}
	if (fake_is(line, "DATA"))
		return FAKE_DROP;
	return NULL;
}

static void
test_partial_reply_then_close(void **state)
{
	struct env e;

	env_init(&e, one_job, 1);
	e.f.hook = hook_partial_then_drop;
	client_run(&e.cl, &e.cfg, NULL, 1);
	assert_res(&e.cl.res[0], 421, 1, SMTPC_STAGE_MAIL);
	env_free(&e);
}

static struct buf huge;

static const char *
hook_huge_rcpt(struct fake *f, const char *line)
{
	return fake_is(line, "RCPT") ? buf_cstr(&huge) : NULL;
}

static const char *
hook_huge_ehlo(struct fake *f, const char *line)
{
	return fake_is(line, "EHLO") ? buf_cstr(&huge) : NULL;
}

static void
test_million_line_reply(void **state)
{
	struct env e;

	buf_reserve(&huge, 7000010);
	for (int i = 0; i < 1000000; i++)
		buf_append(&huge, "250-x\r\n", 7);
	buf_puts(&huge, "250 ok\r\n");

	env_init(&e, one_job, 1);
	e.f.hook = hook_huge_rcpt;
	client_run(&e.cl, &e.cfg, NULL, 1);
	assert_res(&e.cl.res[0], 421, 1, SMTPC_STAGE_RCPT);
	assert_non_null(strstr(e.cl.res[0].text, "too many reply lines"));
	env_free(&e);

	env_init(&e, one_job, 1);
	e.f.hook = hook_huge_ehlo;
	client_run(&e.cl, &e.cfg, NULL, 1);
	assert_int_equal(e.cl.taken, 0);
	assert_int_equal(e.cl.why.code, 421);
	assert_int_equal(e.cl.why.stage, SMTPC_STAGE_EHLO);
	env_free(&e);
	buf_free(&huge);
}

static void
test_reply_line_limit(void **state)
{
	struct buf b = BUF_INIT;

	/* Exactly SMTPC_MAX_LINE bytes is accepted, one more is not. */
	buf_puts(&b, "250 ");
	while (b.len < SMTPC_MAX_LINE)
		buf_putc(&b, 'x');
	buf_puts(&b, "\r\n");
	run_hostile(buf_cstr(&b), 250, 0, "xxxx");
	buf_truncate(&b, b.len - 2);
	buf_puts(&b, "y\r\n");
	run_hostile(buf_cstr(&b), 421, 1, "longer than");
	/* No line end at all. */
	buf_reset(&b);
	for (int i = 0; i < 100000; i++)
		buf_putc(&b, 'z');
	run_hostile(buf_cstr(&b), 421, 1, "longer than");
	buf_free(&b);
}

static void
test_reply_lines_limit(void **state)
{
	struct buf b = BUF_INIT;

	for (int i = 0; i < SMTPC_MAX_REPLY_LINES; i++)
		buf_puts(&b, i == SMTPC_MAX_REPLY_LINES - 1 ?
		    "250 last\r\n" : "250-l\r\n");
	run_hostile(buf_cstr(&b), 250, 0, "last");
	buf_reset(&b);
	for (int i = 0; i <= SMTPC_MAX_REPLY_LINES; i++)
		buf_puts(&b, i == SMTPC_MAX_REPLY_LINES ? "250 last\r\n" :
		    "250-l\r\n");
	run_hostile(buf_cstr(&b), 421, 1, "too many reply lines");
	buf_free(&b);
}

static const char *
hook_silent_rcpt(struct fake *f, const char *line)
{
	if (fake_is(line, "RCPT") || strcmp(line, "DATA") == 0)
		return FAKE_SILENT;
	return NULL;
}

static void
test_stage_timeout(void **state)
{
	struct env e;

	env_init(&e, rcpt_jobs, NJOBS(rcpt_jobs));
	e.f.hook = hook_silent_rcpt;
	e.cfg.timeouts.rcpt = 1;
	client_run(&e.cl, &e.cfg, NULL, 1);
	assert_int_equal(e.cl.taken, 1);
	assert_res(&e.cl.res[0], 421, 1, SMTPC_STAGE_RCPT);
	assert_string_equal(e.cl.res[0].enhanced, "4.4.2");
	assert_non_null(strstr(e.cl.res[0].text, "timeout"));
	assert_int_equal(e.cl.why.code, 421);
	env_free(&e);
}

static const char *
hook_stop_reading(struct fake *f, const char *line)
{
	if (strcmp(line, "DATA") == 0)
		bufferevent_disable(f->conns->bev, EV_READ);
	return NULL;
}

static const char *
hook_silent_eom(struct fake *f, const char *line)
{
	return strcmp(line, "<EOM>") == 0 ? FAKE_SILENT : NULL;
}

static void
test_body_timeouts(void **state)
{
	static struct tjob jobs[1];
	size_t big = 32 * 1024 * 1024;
	char *data = xmalloc(big);
	struct env e;

	/* The relay stops reading: no write progress for data_block. */
	memset(data, 'a', big);
	for (size_t i = 998; i < big; i += 1000)
		memcpy(data + i, "\r\n", 2);
	jobs[0] = (struct tjob){ "l@list.test", "a@example.org", data, big };
	env_init(&e, jobs, 1);
	e.f.ehlo = "250-fake\r\n250 PIPELINING\r\n";
	e.f.hook = hook_stop_reading;
	e.cfg.timeouts.data_block = 1;
	client_run(&e.cl, &e.cfg, NULL, 1);
	assert_res(&e.cl.res[0], 421, 1, SMTPC_STAGE_BODY);
	assert_string_equal(e.cl.res[0].text, "timeout sending the message");
	env_free(&e);

	/* All sent, no final reply within data_term. */
	env_init(&e, one_job, 1);
	e.f.hook = hook_silent_eom;
	e.cfg.timeouts.data_term = 1;
	client_run(&e.cl, &e.cfg, NULL, 1);
	assert_res(&e.cl.res[0], 421, 1, SMTPC_STAGE_BODY);
	assert_string_equal(e.cl.res[0].text,
	    "timeout waiting for the final reply");
	assert_int_equal(e.f.msgs, 1);
	env_free(&e);
	free(data);
}

static void
test_greeting_timeout_and_refusal(void **state)
{
	struct env e;

	env_init(&e, one_job, 1);
	e.f.greeting = "";
	e.cfg.timeouts.greeting = 1;
	client_run(&e.cl, &e.cfg, NULL, 1);
	assert_int_equal(e.cl.taken, 0);
	assert_int_equal(e.cl.why.code, 421);
	assert_int_equal(e.cl.why.stage, SMTPC_STAGE_GREETING);
	env_free(&e);

	env_init(&e, one_job, 1);
	e.f.greeting = "554-5.3.2 go away\r\n554 5.3.2 really\r\n";
	client_run(&e.cl, &e.cfg, NULL, 1);
	assert_int_equal(e.cl.taken, 0);
	assert_int_equal(e.cl.why.code, 554);
	assert_int_equal(e.cl.why.local, 0);
	assert_string_equal(e.cl.why.text, "go away really");
	assert_int_equal(e.f.ehlos, 0);
	env_free(&e);
}

static const char *
hook_ehlo_502(struct fake *f, const char *line)
{
	return fake_is(line, "EHLO") ? "502 5.5.1 EHLO not here\r\n" : NULL;
}

static void
test_ehlo_502_helo(void **state)
{
	struct env e;

	env_init(&e, rcpt_jobs, 2);
	e.f.hook = hook_ehlo_502;
	client_run(&e.cl, &e.cfg, NULL, 1);
	assert_res(&e.cl.res[0], 250, 0, SMTPC_STAGE_BODY);
	assert_res(&e.cl.res[1], 250, 0, SMTPC_STAGE_BODY);
	assert_int_equal(e.f.helos, 1);
	assert_int_equal(e.f.split_reads, 2);
	assert_non_null(strstr(buf_cstr(&e.f.cmds),
	    "EHLO client.test\nHELO client.test\n"
	    "MAIL FROM:<l@list.test>\nRCPT TO:<ok1@example.org>\nDATA\n"));
	env_free(&e);
}

static void
test_connect_refused(void **state)
{
	struct env e;
	char port[8];

	env_init(&e, one_job, 1);
	/* The listener's port, once it is closed, refuses connections. */
	memcpy(port, e.f.port, sizeof port);
	evconnlistener_free(e.f.lev);
	e.f.lev = NULL;
	e.cfg.port = port;
	client_run(&e.cl, &e.cfg, NULL, 1);
	assert_int_equal(e.cl.taken, 0);
	assert_int_equal(e.cl.why.code, 421);
	assert_string_equal(e.cl.why.enhanced, "4.4.1");
	assert_non_null(strstr(e.cl.why.text, "cannot connect to 127.0.0.1 "
	    "port"));
	assert_int_equal(e.cl.why.stage, SMTPC_STAGE_CONNECT);
	env_free(&e);
}

/* ---------------------------------------------------------------------
 * Tests: jobs, extensions, life cycle
 */

static const char *
hook_size_100(struct fake *f, const char *line)
{
	if (fake_is(line, "EHLO"))
		return "250-fake\r\n250-PIPELINING\r\n250 SIZE 100\r\n";
	return NULL;
}

static void
test_refused_jobs(void **state)
{
	static char big[201];
	static struct tjob jobs[] = {
		{ "l@list.test", "a@b\r\nRCPT TO:<evil@x>", "x\r\n", 0 },
		{ "l@list.test", "", "x\r\n", 0 },
		{ "l@list.test", "<a@b>", "x\r\n", 0 },
		{ "l@list.test", "\xc3\xa9@example.org", "x\r\n", 0 },
		{ "l@list.test", "a@example.org", big, 0 },
		{ NULL, "a@example.org", "x\r\n", 0 },
		{ "l@list.test", "ok@example.org", "x\r\n", 0 },
	};
	struct env e;

	memset(big, 'b', 200);
	env_init(&e, jobs, NJOBS(jobs));
	e.f.hook = hook_size_100;
	client_run(&e.cl, &e.cfg, NULL, 1);
	for (int i = 0; i < 3; i++) {
		assert_res(&e.cl.res[i], 553, 1, SMTPC_STAGE_MAIL);
		assert_string_equal(e.cl.res[i].enhanced, "5.1.3");
	}
	assert_res(&e.cl.res[3], 553, 1, SMTPC_STAGE_MAIL);
	assert_string_equal(e.cl.res[3].enhanced, "5.6.7");
	assert_res(&e.cl.res[4], 552, 1, SMTPC_STAGE_MAIL);
	assert_res(&e.cl.res[5], 553, 1, SMTPC_STAGE_MAIL);
	assert_res(&e.cl.res[6], 250, 0, SMTPC_STAGE_BODY);
	assert_int_equal(e.f.mails, 1);
	assert_null(strstr(buf_cstr(&e.f.cmds), "evil"));
	env_free(&e);
}

static const char *
hook_utf8(struct fake *f, const char *line)
{
	if (fake_is(line, "EHLO"))
		return "250-fake\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
		    "250 SMTPUTF8\r\n";
	return NULL;
}

static void
test_8bitmime_smtputf8(void **state)
{
	static const struct tjob jobs[] = {
		{ "l@list.test", "\xd8\xb9@example.org", "x\r\n", 0 },
		{ "l@list.test", "a@example.org", "caf\xc3\xa9\r\n", 0 },
		{ "l@list.test", "a@example.org", "plain\r\n", 0 },
	};
	struct env e;

	env_init(&e, jobs, 3);
	e.f.hook = hook_utf8;
	client_run(&e.cl, &e.cfg, NULL, 1);
	for (int i = 0; i < 3; i++)
		assert_res(&e.cl.res[i], 250, 0, SMTPC_STAGE_BODY);
	assert_non_null(strstr(buf_cstr(&e.f.cmds),
	    "MAIL FROM:<l@list.test> SMTPUTF8\n"
	    "RCPT TO:<\xd8\xb9@example.org>\n"));
	assert_non_null(strstr(buf_cstr(&e.f.cmds),
	    "MAIL FROM:<l@list.test> BODY=8BITMIME\n"));
	assert_non_null(strstr(buf_cstr(&e.f.cmds),
	    "MAIL FROM:<l@list.test>\n"));
	env_free(&e);
}

static void
test_idle_then_quit(void **state)
{
	struct env e;

	env_init(&e, one_job, 1);
	e.cl.hold = 1;
	e.cfg.timeouts.idle = 1;
	client_run(&e.cl, &e.cfg, NULL, 1);
	assert_int_equal(e.cl.taken, 0);
	assert_int_equal(e.f.quits, 1);
	assert_int_equal(e.cl.why.code, 221);
	assert_int_equal(e.cl.why.local, 0);
	env_free(&e);
}

static void
release_jobs(evutil_socket_t fd, short what, void *arg)
{
	struct client *cl = arg;

	cl->hold = 0;
	smtpc_wakeup(cl->c[0]);
}

static void
test_wakeup(void **state)
{
	struct timeval tv = { 0, 200000 };
	struct env e;

	env_init(&e, rcpt_jobs, 2);
	e.cl.hold = 1;
	event_base_once(e.base, -1, EV_TIMEOUT, release_jobs, &e.cl, &tv);
	client_run(&e.cl, &e.cfg, NULL, 1);
	assert_res(&e.cl.res[0], 250, 0, SMTPC_STAGE_BODY);
	assert_res(&e.cl.res[1], 250, 0, SMTPC_STAGE_BODY);
	assert_int_equal(e.f.nconns, 1);
	assert_int_equal(e.cl.why.code, 221);
	env_free(&e);
}

static void
test_quit_mid_transaction(void **state)
{
	struct env e;

	env_init(&e, rcpt_jobs, NJOBS(rcpt_jobs));
	e.cl.quit_in_next = 1;
	client_run(&e.cl, &e.cfg, NULL, 1);
	assert_int_equal(e.cl.taken, 1);
	assert_res(&e.cl.res[0], 250, 0, SMTPC_STAGE_BODY);
	assert_int_equal(e.f.quits, 1);
	assert_int_equal(e.cl.why.code, 221);
	env_free(&e);
}

static void
test_quit_before_connect(void **state)
{
	struct env e;
	struct timeval guard = { 5, 0 };

	env_init(&e, one_job, 1);
	e.cl.c[0] = smtpc_connect(e.base, NULL, NULL, &e.cfg, &cl_cb, &e.cl);
	assert_non_null(e.cl.c[0]);
	e.cl.nconn = 1;
	smtpc_quit(e.cl.c[0]);
	smtpc_quit(e.cl.c[0]);
	assert_int_equal(e.cl.nclosed, 0);	/* never inside the call */
	event_base_loopexit(e.base, &guard);
	event_base_dispatch(e.base);
	assert_int_equal(e.cl.nclosed, 1);
	assert_int_equal(e.cl.why.code, 221);
	assert_int_equal(e.cl.taken, 0);
	env_free(&e);
}

static void
test_parallel_connections(void **state)
{
	static struct tjob jobs[100];
	static char rcpts[100][32];
	struct env e;

	for (int i = 0; i < 100; i++) {
		snprintf(rcpts[i], sizeof rcpts[i], "m%d@example.org", i);
		jobs[i] = (struct tjob){ "l@list.test", rcpts[i], "x\r\n", 0 };
	}
	env_init(&e, jobs, 100);
	client_run(&e.cl, &e.cfg, NULL, 4);
	for (int i = 0; i < 100; i++)
		assert_res(&e.cl.res[i], 250, 0, SMTPC_STAGE_BODY);
	assert_int_equal(e.f.nconns, 4);
	assert_int_equal(e.f.msgs, 100);
	assert_int_equal(e.f.quits, 4);
	env_free(&e);
}

static void
test_bad_config(void **state)
{
	struct env e;
	struct smtpc_config cfg;
	char longname[SMTPC_MAX_NAME + 2];

	env_init(&e, one_job, 1);
	memset(longname, 'h', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	cfg = e.cfg;
	cfg.port = "0";
	assert_null(smtpc_connect(e.base, NULL, NULL, &cfg, &cl_cb, &e.cl));
	cfg.port = "65536";
	assert_null(smtpc_connect(e.base, NULL, NULL, &cfg, &cl_cb, &e.cl));
	cfg.port = "25x";
	assert_null(smtpc_connect(e.base, NULL, NULL, &cfg, &cl_cb, &e.cl));
	cfg = e.cfg;
	cfg.host = "";
	assert_null(smtpc_connect(e.base, NULL, NULL, &cfg, &cl_cb, &e.cl));
	cfg.host = longname;
	assert_null(smtpc_connect(e.base, NULL, NULL, &cfg, &cl_cb, &e.cl));
	cfg = e.cfg;
	cfg.helo = "bad helo\r\nRSET";
	assert_null(smtpc_connect(e.base, NULL, NULL, &cfg, &cl_cb, &e.cl));
	cfg = e.cfg;
	cfg.user = "user";
	assert_null(smtpc_connect(e.base, NULL, NULL, &cfg, &cl_cb, &e.cl));
	cfg = e.cfg;
	cfg.tls = SMTPC_TLS_STARTTLS;
	assert_null(smtpc_connect(e.base, NULL, NULL, &cfg, &cl_cb, &e.cl));
	env_free(&e);
}

static void
test_name_without_resolver(void **state)
{
	struct env e;

	env_init(&e, one_job, 1);
	e.cfg.host = "relay.example.org";
	client_run(&e.cl, &e.cfg, NULL, 1);
	assert_int_equal(e.cl.why.code, 421);
	assert_string_equal(e.cl.why.enhanced, "4.4.3");
	env_free(&e);

	env_init(&e, one_job, 1);
	e.cfg.host = "localhost";
	client_run(&e.cl, &e.cfg, NULL, 1);
	assert_res(&e.cl.res[0], 250, 0, SMTPC_STAGE_BODY);
	env_free(&e);
}

/* A resolver that knows relay.test (::1 first, then 127.0.0.1) from a
 * hosts file and asks a name server that never answers for the rest. */
static struct evdns_base *
make_resolver(struct event_base *base, int *udp)
{
	struct evdns_base *dns = evdns_base_new(base, 0);
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	char hosts[] = "/tmp/test-smtpc-hosts-XXXXXX", ns[32];
	int fd = mkstemp(hosts);

	assert_true(fd != -1);
	assert_int_equal(write(fd, "::1 relay.test\n127.0.0.1 relay.test\n",
	    36), 36);
	close(fd);
	assert_int_equal(evdns_base_load_hosts(dns, hosts), 0);
	unlink(hosts);
	*udp = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(*udp, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(getsockname(*udp, (struct sockaddr *)&sin, &len), 0);
	snprintf(ns, sizeof ns, "127.0.0.1:%d", ntohs(sin.sin_port));
	assert_int_equal(evdns_base_nameserver_ip_add(dns, ns), 0);
	return dns;
}

static void
test_resolver(void **state)
{
	struct env e;
	int udp;

	/* From the hosts file; ::1 refuses, 127.0.0.1 answers. */
	env_init(&e, one_job, 1);
	e.cl.dns = make_resolver(e.base, &udp);
	e.cfg.host = "relay.test";
	client_run(&e.cl, &e.cfg, NULL, 1);
	assert_res(&e.cl.res[0], 250, 0, SMTPC_STAGE_BODY);
	evdns_base_free(e.cl.dns, 0);
	close(udp);
	env_free(&e);

	/* The name server is silent: the connect deadline cancels the
	 * query (ASan checks that the cancelled callback does not touch the
	 * freed connection). */
	env_init(&e, one_job, 1);
	e.cl.dns = make_resolver(e.base, &udp);
	e.cfg.host = "unknown.test";
	e.cfg.timeouts.connect = 1;
	client_run(&e.cl, &e.cfg, NULL, 1);
	assert_int_equal(e.cl.taken, 0);
	assert_int_equal(e.cl.why.code, 421);
	assert_string_equal(e.cl.why.enhanced, "4.4.3");
	assert_string_equal(e.cl.why.text, "timeout resolving unknown.test");
	event_base_loop(e.base, EVLOOP_NONBLOCK);
	evdns_base_free(e.cl.dns, 0);
	close(udp);
	env_free(&e);
}

/* ---------------------------------------------------------------------
 * Tests: STARTTLS, SMTPS, AUTH
 */

struct pki {
	SSL_CTX	*good;		/* server: cert for localhost, 127.0.0.1 */
	SSL_CTX	*other;		/* server: cert for other.test */
	char	 ca[64];	/* the good cert, as a CA file */
	char	 ca_other[64];
};

static struct pki pki;

static X509 *
make_cert(EVP_PKEY *key, const char *cn, const char *san)
{
	X509 *x = X509_new();
	X509_NAME *name;
	X509_EXTENSION *ext;
	X509V3_CTX v3;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, name);
	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san);
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	X509_sign(x, key, EVP_sha256());
	return x;
}

static SSL_CTX *
make_server(const char *cn, const char *san, char *ca, size_t casz)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = make_cert(key, cn, san);
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	FILE *fp;
	int fd;

	snprintf(ca, casz, "/tmp/test-smtpc-ca-XXXXXX");
	fd = mkstemp(ca);
	if (fd == -1 || (fp = fdopen(fd, "w")) == NULL)
		abort();
	PEM_write_X509(fp, x);
	fclose(fp);
	SSL_CTX_use_certificate(ctx, x);
	SSL_CTX_use_PrivateKey(ctx, key);
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	X509_free(x);
	EVP_PKEY_free(key);
	return ctx;
}

static int
pki_setup(void **state)
{
	pki.good = make_server("localhost", "DNS:localhost,IP:127.0.0.1",
	    pki.ca, sizeof pki.ca);
	pki.other = make_server("other.test", "DNS:other.test",
	    pki.ca_other, sizeof pki.ca_other);
	return 0;
}

static int
pki_teardown(void **state)
{
	SSL_CTX_free(pki.good);
	SSL_CTX_free(pki.other);
	unlink(pki.ca);
	unlink(pki.ca_other);
	return 0;
}

#define EHLO_TLS \
	"250-fake.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n" \
	"250-AUTH LOGIN PLAIN\r\n250 8BITMIME\r\n"

/* Run one job over TLS with AUTH. */
static void
run_tls(struct env *e, enum smtpc_tls tls, SSL_CTX *server, int verify,
    const char *ca, const char *host)
{
	SSL_CTX *ctx;

	env_init(e, one_job, 1);
	e->f.ehlo = EHLO_TLS;
	e->f.ssl = server;
	e->f.smtps = tls == SMTPC_TLS_SMTPS;
	e->cfg.tls = tls;
	e->cfg.tls_verify = verify;
	e->cfg.ca_file = ca;
	e->cfg.host = host;
	e->cfg.user = "user";
	e->cfg.pass = "secret";
	ctx = smtpc_ssl_ctx_new(&e->cfg);
	assert_non_null(ctx);
	client_run(&e->cl, &e->cfg, ctx, 1);
	SSL_CTX_free(ctx);
}

static void
test_starttls_auth(void **state)
{
	struct env e;

	run_tls(&e, SMTPC_TLS_STARTTLS, pki.good, 1, pki.ca, "localhost");
	assert_res(&e.cl.res[0], 250, 0, SMTPC_STAGE_BODY);
	assert_int_equal(e.f.starttls, 1);
	assert_int_equal(e.f.ehlos, 2);
	assert_int_equal(e.f.auth_tls, 1);
	assert_int_equal(e.f.auth_clear, 0);
	assert_int_equal(e.f.auth_ok, 1);
	assert_int_equal(e.cl.why.code, 221);
	env_free(&e);
}

static void
test_smtps_ip(void **state)
{
	struct env e;

	run_tls(&e, SMTPC_TLS_SMTPS, pki.good, 1, pki.ca, "127.0.0.1");
	assert_res(&e.cl.res[0], 250, 0, SMTPC_STAGE_BODY);
	assert_int_equal(e.f.starttls, 0);
	assert_int_equal(e.f.auth_tls, 1);
	assert_int_equal(e.cl.why.code, 221);
	env_free(&e);
}

static void
test_tls_bad_certificates(void **state)
{
	struct env e;

	/* Host name does not match. */
	run_tls(&e, SMTPC_TLS_STARTTLS, pki.other, 1, pki.ca_other,
	    "localhost");
	assert_int_equal(e.cl.taken, 0);
	assert_int_equal(e.cl.why.code, 421);
	assert_int_equal(e.cl.why.stage, SMTPC_STAGE_TLS);
	assert_non_null(strstr(e.cl.why.text, "certificate"));
	assert_int_equal(e.f.auth_clear + e.f.auth_tls, 0);
	env_free(&e);

	/* Unknown issuer. */
	run_tls(&e, SMTPC_TLS_SMTPS, pki.good, 1, pki.ca_other, "localhost");
	assert_int_equal(e.cl.taken, 0);
	assert_string_equal(e.cl.why.enhanced, "4.7.5");
	assert_non_null(strstr(e.cl.why.text, "certificate"));
	env_free(&e);

	/* Not verified when told so. */
	run_tls(&e, SMTPC_TLS_STARTTLS, pki.other, 0, NULL, "localhost");
	assert_res(&e.cl.res[0], 250, 0, SMTPC_STAGE_BODY);
	env_free(&e);
}

static const char *
hook_inject(struct fake *f, const char *line)
{
	if (strcmp(line, "STARTTLS") == 0)
		return "220 go ahead\r\n250-injected\r\n250 AUTH PLAIN\r\n";
	return NULL;
}

static void
test_starttls_refusals(void **state)
{
	struct env e;
	SSL_CTX *ctx;

	/* Required but not offered. */
	env_init(&e, one_job, 1);
	e.cfg.tls = SMTPC_TLS_STARTTLS;
	ctx = smtpc_ssl_ctx_new(&e.cfg);
	client_run(&e.cl, &e.cfg, ctx, 1);
	assert_int_equal(e.cl.taken, 0);
	assert_int_equal(e.cl.why.code, 421);
	assert_non_null(strstr(e.cl.why.text, "STARTTLS"));
	assert_int_equal(e.f.mails, 0);
	env_free(&e);

	/* Cleartext injected after the 220. */
	env_init(&e, one_job, 1);
	e.f.ehlo = EHLO_TLS;
	e.f.hook = hook_inject;
	e.cfg.tls = SMTPC_TLS_STARTTLS;
	client_run(&e.cl, &e.cfg, ctx, 1);
	assert_int_equal(e.cl.taken, 0);
	assert_non_null(strstr(e.cl.why.text, "after its STARTTLS reply"));
	assert_int_equal(e.f.mails, 0);
	env_free(&e);
	SSL_CTX_free(ctx);
}

static void
test_auth_cleartext_loopback(void **state)
{
	struct env e;

	env_init(&e, one_job, 1);
	e.f.ehlo = "250-fake\r\n250 AUTH=LOGIN\r\n";
	e.cfg.user = "user";
	e.cfg.pass = "secret";
	client_run(&e.cl, &e.cfg, NULL, 1);
	assert_res(&e.cl.res[0], 250, 0, SMTPC_STAGE_BODY);
	assert_int_equal(e.f.auth_clear, 1);
	assert_int_equal(e.f.auth_ok, 1);
	assert_non_null(strstr(buf_cstr(&e.f.cmds),
	    "AUTH LOGIN\ndXNlcg==\nc2VjcmV0\nMAIL"));
	env_free(&e);

	env_init(&e, one_job, 1);
	e.f.ehlo = "250-fake\r\n250 AUTH PLAIN\r\n";
	e.cfg.user = "user";
	e.cfg.pass = "wrong";
	client_run(&e.cl, &e.cfg, NULL, 1);
	assert_int_equal(e.cl.taken, 0);
	assert_int_equal(e.cl.why.code, 535);
	assert_int_equal(e.cl.why.stage, SMTPC_STAGE_AUTH);
	env_free(&e);

	env_init(&e, one_job, 1);
	e.cfg.user = "user";
	e.cfg.pass = "secret";
	client_run(&e.cl, &e.cfg, NULL, 1);
	assert_int_equal(e.cl.taken, 0);
	assert_non_null(strstr(e.cl.why.text, "AUTH"));
	env_free(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_twenty_jobs_one_connection),
		cmocka_unit_test(test_lockstep_without_pipelining),
		cmocka_unit_test(test_rcpt_rejected_pipelined),
		cmocka_unit_test(test_rcpt_rejected_lockstep),
		cmocka_unit_test(test_354_after_rejected_rcpt),
		cmocka_unit_test(test_mail_refused),
		cmocka_unit_test(test_final_reply),
		cmocka_unit_test(test_drop_after_data),
		cmocka_unit_test(test_421_closes),
		cmocka_unit_test(test_dot_stuffing),
		cmocka_unit_test(test_large_message),
		cmocka_unit_test(test_tiny_and_garbage_replies),
		cmocka_unit_test(test_partial_reply_then_close),
		cmocka_unit_test(test_million_line_reply),
		cmocka_unit_test(test_reply_line_limit),
		cmocka_unit_test(test_reply_lines_limit),
		cmocka_unit_test(test_stage_timeout),
		cmocka_unit_test(test_body_timeouts),
		cmocka_unit_test(test_greeting_timeout_and_refusal),
		cmocka_unit_test(test_ehlo_502_helo),
		cmocka_unit_test(test_connect_refused),
		cmocka_unit_test(test_refused_jobs),
		cmocka_unit_test(test_8bitmime_smtputf8),
		cmocka_unit_test(test_idle_then_quit),
		cmocka_unit_test(test_wakeup),
		cmocka_unit_test(test_quit_mid_transaction),
		cmocka_unit_test(test_quit_before_connect),
		cmocka_unit_test(test_parallel_connections),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_name_without_resolver),
		cmocka_unit_test(test_resolver),
		cmocka_unit_test(test_starttls_auth),
		cmocka_unit_test(test_smtps_ip),
		cmocka_unit_test(test_tls_bad_certificates),
		cmocka_unit_test(test_starttls_refusals),
		cmocka_unit_test(test_auth_cleartext_loopback),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, pki_setup, pki_teardown);
}
