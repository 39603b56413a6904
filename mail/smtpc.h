/*
 * Asynchronous outbound SMTP client: hands list copies to the relay over
 * libevent bufferevents, one recipient per transaction, many transactions
 * per connection, PIPELINING, STARTTLS/SMTPS and AUTH through OpenSSL.
 * The process must ignore SIGPIPE (a relay closing mid-write).
 */
#ifndef MAJLIS_SMTPC_H
#define MAJLIS_SMTPC_H

#include <stddef.h>

#include <openssl/types.h>

struct event_base;
struct evdns_base;
struct smtpc;

/* Longest reply line we accept, line end excluded (RFC 5321 says 512). */
#define SMTPC_MAX_LINE		2048
/* Most lines in one reply (an EHLO reply has about a dozen). */
#define SMTPC_MAX_REPLY_LINES	200
/* Longest address between the angle brackets (RFC 5321 4.5.3.1.3). */
#define SMTPC_MAX_ADDR		254
/* Longest host name, EHLO name, user name or password. */
#define SMTPC_MAX_NAME		255
/* Seconds an idle connection waits for smtpc_wakeup() before QUIT. */
#define SMTPC_IDLE_TIMEOUT	30
/* Seconds we wait for the reply to QUIT. */
#define SMTPC_QUIT_TIMEOUT	10
/* Largest single write() of a connection, in bytes. */
#define SMTPC_MAX_WRITE		(256 * 1024)

enum smtpc_tls {
	SMTPC_TLS_NONE,		/* cleartext (smtp://) */
	SMTPC_TLS_STARTTLS,	/* STARTTLS required (smtp+starttls://) */
	SMTPC_TLS_SMTPS		/* TLS from the first byte (smtps://) */
};

/* Where a connection or transaction was when a reply came or it failed. */
enum smtpc_stage {
	SMTPC_STAGE_CONNECT,	/* resolving and TCP connect */
	SMTPC_STAGE_TLS,	/* TLS handshake */
	SMTPC_STAGE_GREETING,
	SMTPC_STAGE_EHLO,
	SMTPC_STAGE_HELO,
	SMTPC_STAGE_STARTTLS,
	SMTPC_STAGE_AUTH,
	SMTPC_STAGE_IDLE,	/* ready, waiting for a job */
	SMTPC_STAGE_MAIL,
	SMTPC_STAGE_RCPT,
	SMTPC_STAGE_DATA,	/* waiting for 354 */
	SMTPC_STAGE_BODY,	/* message sent, waiting for the final reply */
	SMTPC_STAGE_RSET,
	SMTPC_STAGE_QUIT
};

/* Timeouts in seconds; 0 takes the default (RFC 5321 4.5.3.2 where it
 * gives one): connect 30 (also the TLS handshake), greeting 300, ehlo 300
 * (also HELO, STARTTLS, AUTH), mail 300 (also RSET), rcpt 300, data_init
 * 120, data_block 180 (no write progress), data_term 600, idle
 * SMTPC_IDLE_TIMEOUT. */
struct smtpc_timeouts {
	int	connect, greeting, ehlo, mail, rcpt;
	int	data_init, data_block, data_term, idle;
};

struct smtpc_config {
	const char	*host;		/* IP literal, "localhost", or a name
					 * (names need an evdns_base) */
	const char	*port;		/* decimal, 1-65535 */
	enum smtpc_tls	 tls;
	int		 tls_verify;	/* 1: check chain and host name */
	const char	*ca_file;	/* trust anchors; NULL: system store */
	const char	*user, *pass;	/* AUTH PLAIN or LOGIN; NULL: no AUTH.
					 * Sent only over TLS or to loopback. */
	const char	*helo;		/* our EHLO name; NULL: "localhost" */
	struct smtpc_timeouts timeouts;
};

/*
 * A piece of a message (see smtpc_job.segs). Without release its bytes
 * are copied into the connection's output like data's; with release the
 * connection may send them by reference instead, holding them past
 * result(): it calls hold(arg) for each reference it takes and
 * release(data, len, arg) once that reference is sent or dropped (the
 * signature of libevent's evbuffer_ref_cleanup_cb).
 */
struct smtpc_seg {
	const char	*data;
	size_t		 len;
	void		(*hold)(void *arg);
	void		(*release)(const void *data, size_t len, void *arg);
	void		*arg;
};

/* One copy to deliver: one envelope, one recipient. The strings and data
 * are the caller's and must stay valid until result() for this job. */
struct smtpc_job {
	const char	*mail_from;	/* "" sends MAIL FROM:<> */
	const char	*rcpt;
	const char	*data;		/* message, CRLF line ends, not
					 * dot-stuffed (we stuff while sending) */
	size_t		 len;		/* of data, or of all segs */
	/* when nsegs > 0: the message is segs[0..nsegs) in order (data is
	 * not read); the array too stays valid until result() */
	const struct smtpc_seg *segs;
	size_t		 nsegs;
	void		*arg;		/* the caller's, untouched */
};

struct smtpc_reply {
	int		 code;		/* 2xx success, 4xx temporary, 5xx
					 * permanent; 221 for a clean close */
	char		 enhanced[16];	/* "4.4.2" or "" */
	char		 text[512];	/* reply text, lines joined by ' ',
					 * control bytes replaced by '?' */
	enum smtpc_stage stage;
	int		 local;		/* 1: made up by us (timeout, lost
					 * connection, bad reply, refused job) */
};

/* Callbacks run from the event loop, never inside an smtpc_*() call; they
 * may call smtpc_wakeup(), smtpc_quit() and smtpc_connect(). */
struct smtpc_callbacks {
	/* The connection can start a transaction: fill *job and return 1, or
	 * return 0 when there is nothing to send now. */
	int	(*next)(void *ctx, struct smtpc_job *job);
	/* Exactly once per job taken by next(): the final reply, or the
	 * refused MAIL/RCPT/DATA. A failure of the connection during the
	 * transaction gives a local 421; a job that cannot be sent here
	 * (bad address, over the relay's SIZE, non-ASCII address without
	 * SMTPUTF8) a local 5xx with stage MAIL, at once. */
	void	(*result)(void *ctx, const struct smtpc_job *job,
		    const struct smtpc_reply *r);
	/* The connection is gone (code 221 after a clean QUIT, else why it
	 * failed); always called once, from the event loop, after the last
	 * result(). c is freed when this returns. */
	void	(*closed)(void *ctx, struct smtpc *c,
		    const struct smtpc_reply *why);
};

/* Start a connection on base: resolve (with dns when the host is a name;
 * dns may be NULL for IP literals and "localhost"), connect, TLS, EHLO,
 * AUTH, then ask cb->next() for jobs. ssl_ctx (needed unless tls is
 * SMTPC_TLS_NONE) is referenced, the caller keeps its own reference. cfg's
 * strings are copied. No callback runs before this returns. Returns NULL
 * (and logs) when cfg is invalid; every later failure comes through
 * cb->closed(). */
struct smtpc *smtpc_connect(struct event_base *base, struct evdns_base *dns,
	    SSL_CTX *ssl_ctx, const struct smtpc_config *cfg,
	    const struct smtpc_callbacks *cb, void *ctx);

/* More jobs may be available: an idle connection calls next() soon (from
 * the event loop, never inside this call). */
void	 smtpc_wakeup(struct smtpc *c);

/* Finish the current transaction if any, send QUIT and close; closed()
 * follows. A connection not yet connected closes at once. */
void	 smtpc_quit(struct smtpc *c);

/* A TLS client context for cfg: TLS 1.2 or later, unexpected EOF treated
 * as EOF, peer verification against cfg->ca_file or the system store when
 * cfg->tls_verify is set. The caller frees it with SSL_CTX_free(). Returns
 * NULL (and logs) on error. */
SSL_CTX	*smtpc_ssl_ctx_new(const struct smtpc_config *cfg);

/* A stage's name for logs ("RCPT"). */
const char *smtpc_stage_name(enum smtpc_stage);

#endif
