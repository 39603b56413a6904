/*
 * Private to mail/smtpd.c (sessions and commands), smtpd_body.c (the DATA
 * scanner) and smtpd_server.c (server, listeners, accept): the session and
 * server structs and the functions they share. Not for other modules.
 */
#ifndef MAJLIS_SMTPD_INT_H
#define MAJLIS_SMTPD_INT_H

#include <stddef.h>
#include <time.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "daemon/buf.h"
#include "mail/smtpd.h"

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


/* smtpd.c: the session */

/* Seconds on the monotonic clock. */
time_t	smtpd_now(void);

/* Arm (or re-arm) a timer for sec seconds and msec milliseconds. */
void	smtpd_timer_arm(struct event *ev, long sec, long msec);

/* Queue one reply line (CRLF added); smtpd_flush hands the queue to the
 * connection. */
void	smtpd_reply(struct smtpd_session *s, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	smtpd_flush(struct smtpd_session *s);

/* Forget the transaction (envelope and message). */
void	smtpd_tx_reset(struct tx *t);

/* The envelope of the transaction, for the data hook; owned by s. */
const struct smtpd_envelope *smtpd_envelope(struct smtpd_session *s);

/* Re-arm the command timeout. */
void	smtpd_arm_cmd_timer(struct smtpd_session *s);

/* Free s from a deferred event (never inside its own callbacks). */
void	smtpd_schedule_free(struct smtpd_session *s, const char *reason);

/* Send what is queued, then free the session (after SMTPD_LINGER at most). */
void	smtpd_close(struct smtpd_session *s, const char *reason);

/* A session on connected socket fd, linked into srv; never NULL. */
struct smtpd_session *smtpd_session_new(struct smtpd_server *srv, int fd,
	    const char *peer);

/* Log, unlink and free s at once (the server's own loop only). */
void	smtpd_session_free(struct smtpd_session *s);

/* Server shutdown: 421 and close, unless s waits for its commit. */
void	smtpd_session_shutdown(struct smtpd_session *s);

/* smtpd_body.c: the DATA state machine */

/* Feed buffered input to the DATA scanner; at CRLF.CRLF refuse the message
 * or hand it to the data hook. 0 when it needs more input, else 1. */
int	smtpd_body_consume(struct smtpd_session *s);

/* The data reply: once, or once per recipient under LMTP. */
void	smtpd_body_reply(struct smtpd_session *s, const char *reply);

/* DATA deadline: data_timeout, extended while the client keeps
 * SMTPD_MIN_DATA_RATE. 1 when the timer was re-armed, 0 when it passed. */
int	smtpd_body_deadline_extend(struct smtpd_session *s);

#endif
