/*
 * The IMAP fetcher process: libetpan's blocking IMAP client in a thread per
 * source, the server certificate verified with OpenSSL, IDLE or polling,
 * a watchdog for stuck sessions, and the exactly-once hand-over to the
 * engine (records of mail/fetchipc.h) before a message is flagged, moved
 * or deleted on the server.
 */
#ifndef MAJLIS_FETCHER_H
#define MAJLIS_FETCHER_H

#include <stddef.h>

#include "daemon/buf.h"

struct config;
struct config_source;

#define FETCHER_MAX_FDS		256	/* RLIMIT_NOFILE: libetpan's select()
					   aborts at fd >= 1024 */
#define FETCHER_IO_TIMEOUT	60	/* seconds for one network read/write */
/* one IMAP command may take imap_timeout seconds (the watchdog's limit) */
#define FETCHER_WATCHDOG_GRACE	10	/* seconds after a cancel before exit */
#define FETCHER_REPLY_TIMEOUT	120	/* seconds for the engine's answer */
#define FETCHER_IDLE_MAX	(28 * 60) /* IDLE re-issued before 29 min */
#define FETCHER_BACKOFF_MIN	1	/* seconds before the first retry */
#define FETCHER_BACKOFF_MAX	300	/* longest wait between attempts */
#define FETCHER_MEMORY_BASE	((size_t)256 << 20) /* RLIMIT_AS beyond 4
					   times max_message_size per source */
#define FETCHER_STACK_SIZE	((size_t)2 << 20) /* of each session thread */
#define FETCHER_ARENAS_MAX	2	/* malloc arenas (each reserves 64M of
					   address space): shared by sessions */
#define FETCHER_SKIP_MAX	4096	/* UIDs left alone in one session */
#define FETCHER_BATCH_MAX	500	/* messages taken per round */

/* The password of a source: the URL's, or the first line of its
 * imap_password_file (trailing CR/LF and spaces cut). Returns 0 with out
 * set, or -1 with err set (unreadable, empty, longer than
 * IMAPURL_CRED_MAX, control characters). */
int	fetcher_password(const struct config_source *, struct buf *out,
	    struct buf *err);

/* Check a DER certificate chain (leaf first) against the trust store
 * (ca_file, or the system's when NULL) and the host name or IP address.
 * Returns 0, or -1 with err set to the reason. */
int	fetcher_verify_chain(const unsigned char *const *der,
	    const size_t *len, size_t n, const char *host, const char *ca_file,
	    struct buf *err);

/* Run the fetcher process on sock (its channel to the engine): one
 * session thread per configured source (a source whose password file
 * cannot be read reports an error and does not run); never returns. Exits
 * when the engine's channel closes, with status 1 when no source can run,
 * or with status 3 when the watchdog finds a session that does not stop
 * (the supervisor starts a new fetcher). */
void	fetcher_main(const struct config *, int sock)
	    __attribute__((noreturn));

#endif
