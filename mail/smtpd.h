/*
 * SMTP and LMTP server sessions on libevent bufferevents. The session knows
 * nothing of groups or the database: recipients and messages go to hooks.
 */
#ifndef MAJLIS_SMTPD_H
#define MAJLIS_SMTPD_H

#include <stddef.h>

#include <event2/event.h>
#include <openssl/ssl.h>

#include "daemon/buf.h"

#define SMTPD_MAX_LINE		4096	/* bytes in a command line, CRLF excluded */
#define SMTPD_MAX_PATH		256	/* bytes in a path, brackets included (RFC 5321) */
#define SMTPD_MAX_RCPTS		100	/* default accepted recipients per message */
#define SMTPD_MAX_ERRORS	20	/* bad or refused commands before 421 */
#define SMTPD_MAX_SESSIONS	1000	/* default concurrent sessions */
#define SMTPD_MAX_MESSAGE_SIZE	(25 * 1024 * 1024)	/* default SIZE */
#define SMTPD_MIN_DATA_RATE	1024	/* bytes/s a DATA transfer must keep */
#define SMTPD_CMD_TIMEOUT	300	/* default seconds for a command line */
#define SMTPD_DATA_TIMEOUT	600	/* default seconds for DATA (at least) */
#define SMTPD_LINGER		5	/* seconds to flush the last reply */
#define SMTPD_INPUT_HIWAT	(64 * 1024)	/* input buffered while paused */
#define SMTPD_OUTPUT_HIWAT	(64 * 1024)	/* replies queued before pausing */

struct smtpd_server;
struct smtpd_session;

/* Zero fields take the defaults above. The strings and the SSL_CTX are
 * copied or referenced: the SSL_CTX must outlive the server. */
struct smtpd_config {
	int		 lmtp;		/* LHLO, one reply per recipient after DATA */
	const char	*hostname;	/* greeting and EHLO name; NULL: gethostname */
	size_t		 max_message_size; /* SIZE; enforced while streaming */
	size_t		 max_rcpts;	/* accepted recipients, then 452 4.5.3 */
	size_t		 max_sessions;	/* beyond: 421 4.3.2 at connect */
	SSL_CTX		*tls;		/* NULL: STARTTLS not offered */
	int		 cmd_timeout;	/* seconds for a complete command line */
	int		 data_timeout;	/* seconds for DATA; extended to
					 * size / SMTPD_MIN_DATA_RATE */
};

/* The transaction as the hooks see it; valid during the hook call (and for
 * the data hook until smtpd_data_done). */
struct smtpd_envelope {
	const char	*helo;		/* HELO/EHLO/LHLO argument */
	const char	*mail_from;	/* reverse path without brackets; "" for <> */
	char	       **rcpts;		/* accepted recipients, without brackets */
	size_t		 nrcpts;
	const char	*peer;		/* "1.2.3.4:5678", "[::1]:25", "unix" */
	int		 tls;		/* STARTTLS done */
	int		 esmtp;		/* EHLO or LHLO, not HELO */
	int		 smtputf8;	/* MAIL ... SMTPUTF8 */
	int		 body_8bitmime;	/* MAIL ... BODY=8BITMIME */
	size_t		 size;		/* MAIL ... SIZE=, 0 when not given */
};

struct smtpd_hooks {
	/* Accept (return 0) or refuse (return -1 and put the whole one-line
	 * 4xx/5xx reply, e.g. "550 5.1.1 <x>: no such list", in reply; an
	 * empty or malformed reply means "550 5.1.1 Recipient refused") a
	 * recipient. Synchronous. A refusal counts toward SMTPD_MAX_ERRORS. */
	int	(*rcpt)(void *arg, const struct smtpd_envelope *,
		    const char *rcpt, struct buf *reply);
	/* A whole message, dot-unstuffed, CRLF line ends, NUL-terminated
	 * (len excludes it). msg and the envelope stay valid until
	 * smtpd_data_done; the hook must call smtpd_data_done(session, ...)
	 * exactly once, from inside the hook or later. */
	void	(*data)(void *arg, struct smtpd_session *,
		    const struct smtpd_envelope *, const char *msg, size_t len);
};

/* A server serving sessions on base; config and hooks are copied. Never
 * NULL. Free with smtpd_server_free. */
struct smtpd_server *smtpd_server_new(struct event_base *,
	    const struct smtpd_config *, const struct smtpd_hooks *, void *arg);

/* Listen on "127.0.0.1:2525", "[::1]:25" (numeric addresses only) or
 * "unix:/path" (a stale socket is replaced, mode 0666). May be called for
 * several addresses. Returns 0, or -1 after logging why. */
int	smtpd_server_listen(struct smtpd_server *, const char *addr);

/* Accept connections on fd, a socket already bound and listening (e.g.
 * opened by the supervisor); the server closes it. Returns 0 or -1. */
int	smtpd_server_listen_fd(struct smtpd_server *, int fd);

/* Serve an already connected socket; the server owns fd from now on (closed
 * with the session, or at once if refused). peer is copied (NULL: "unknown"). */
void	smtpd_server_accept_fd(struct smtpd_server *, int fd, const char *peer);

/* Answer the DATA of session: ok with reply NULL gives
 * "250 2.0.0 Ok: queued"; !ok with reply NULL gives "451 4.3.0 ...". A reply
 * must be one line "ddd x.y.z text" without CRLF (else the default is used).
 * LMTP repeats it once per recipient. Call exactly once per data hook call;
 * the session may be freed right after (later, from the event loop), so the
 * caller must forget it. */
void	smtpd_data_done(struct smtpd_session *, int ok, const char *reply);

/* Stop listening; every session answers 421 4.3.2 and closes (a session
 * waiting for smtpd_data_done sends its data reply first). Run the loop
 * until smtpd_server_sessions() is 0 to let them finish. */
void	smtpd_server_shutdown(struct smtpd_server *);

/* Close the listeners and free every session at once (pending data hooks
 * must not call smtpd_data_done afterwards), then the server; *srv = NULL. */
void	smtpd_server_free(struct smtpd_server **);

/* Number of live sessions (including those waiting to be freed). */
size_t	smtpd_server_sessions(const struct smtpd_server *);

#endif
