/*
 * The engine process: one libevent loop serving SMTP/LMTP, HTTP, outbound
 * delivery and the scheduler over one SQLite connection. The struct is the
 * shared context every engine module receives.
 */
#ifndef MAJLIS_ENGINE_H
#define MAJLIS_ENGINE_H

#include <openssl/types.h>

struct config;
struct db;
struct delivery;
struct digest_runner;
struct event_base;
struct evdns_base;
struct fetchin;
struct event;
struct httpd;
struct modpending_runner;
struct intake;
struct parsepool;
struct process;
struct smtpd_server;

struct engine {
	struct event_base	*base;
	struct evdns_base	*dns;
	const struct config	*cfg;
	struct db		*db;
	char			*secret;	/* site secret (VERP MACs) */
	struct intake		*intake;
	struct process		*process;
	struct parsepool	*pool;
	struct delivery		*delivery;
	struct fetchin		*fetchin;	/* IMAP fetcher channel */
	struct digest_runner	*digest;	/* digest timer (daemon/digest.c) */
	struct modpending_runner *modpending;	/* daemon/modpending.c */
	struct smtpd_server	*smtp, *lmtp;
	struct httpd		*httpd;
	SSL_CTX			*server_tls;	/* STARTTLS, HTTPS; NULL: none */
	SSL_CTX			*relay_tls;	/* client context for the relay */
	int			 ctl_fd;	/* channel to the supervisor */
	struct event		*drain;		/* shutdown: waits for work to end */
	int			 stopping;
};

/* Run the engine: bind listeners, drop privileges, open the database, serve
 * until the supervisor says stop. ctl_fd is the supervisor's channel (parser
 * sockets arrive on it). Returns the process exit status. */
int	engine_main(const struct config *, int ctl_fd);

#endif
