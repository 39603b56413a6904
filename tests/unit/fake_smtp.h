/*
 * Test fixture of the smtpc unit tests: a scripted SMTP server on
 * 127.0.0.1 (hooks change its replies, counters record what it saw) and a
 * client harness that runs smtpc jobs against it on one event_base.
 */
#ifndef MAJLIS_TESTS_FAKE_SMTP_H
#define MAJLIS_TESTS_FAKE_SMTP_H

#include <stddef.h>

#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/ssl.h>

#include "daemon/buf.h"
#include "mail/smtpc.h"

/* A hook's answer: NULL for the default reply, FAKE_SILENT for none,
 * FAKE_DROP to close the connection, else the raw reply bytes. */
extern const char FAKE_SILENT[];
extern const char FAKE_DROP[];

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

/* One connection to a fresh fake server set up by the caller. */
struct env {
	struct event_base	*base;
	struct fake		 f;
	struct client		 cl;
	struct smtpc_config	 cfg;
};

#define NJOBS(a)	((int)(sizeof(a) / sizeof((a)[0])))

/* The callbacks of the harness: jobs from cl->jobs, results in cl->res. */
extern const struct smtpc_callbacks fake_smtp_cb;

/* One simple job (a short message to member@example.org). */
extern const struct tjob fake_smtp_one_job[1];

/* 1 when line starts with verb (any case). */
int	fake_smtp_is(const char *line, const char *verb);

/* A fresh event_base, fake server and client for jobs; free with
 * fake_smtp_env_free. */
void	fake_smtp_env_init(struct env *e, const struct tjob *jobs, int njobs);
void	fake_smtp_env_free(struct env *e);

/* Open n connections and run the loop until all are closed. */
void	fake_smtp_run(struct client *cl, const struct smtpc_config *cfg,
	    SSL_CTX *ssl, int n);

/* Assert one result: code, local or remote, and the stage. */
void	fake_smtp_assert_res(const struct tres *t, int code, int local,
	    enum smtpc_stage st);

#endif
