/*
 * Account pages: sign-in (/login), sign-out (/logout), registration with
 * confirmation by mail (/register, /register/TOKEN, which also lets a
 * member known only by mail claim their account), password reset
 * (/reset, /reset/TOKEN). Sign-in failures are answered alike whether
 * the address has an account or not; registration and reset answer
 * "check your mail" whatever the address.
 */
#ifndef MAJLIS_ACCOUNT_WEB_H
#define MAJLIS_ACCOUNT_WEB_H

#include <stdint.h>

#include "daemon/buf.h"

struct web_req;

/* Rate limits: events per client address or per account address within a
 * window of seconds (fixed window from the first event). Over a limit the
 * page answers 429. */
#define ACCOUNT_LOGIN_WINDOW		(15 * 60)
#define ACCOUNT_LOGIN_IP_MAX		30	/* sign-in attempts per address */
#define ACCOUNT_LOGIN_FAIL_MAX		5	/* failures per account */
#define ACCOUNT_REGISTER_WINDOW		3600
#define ACCOUNT_REGISTER_IP_MAX		10
#define ACCOUNT_REGISTER_EMAIL_MAX	3
#define ACCOUNT_RESET_WINDOW		3600
#define ACCOUNT_RESET_IP_MAX		10
#define ACCOUNT_RESET_EMAIL_MAX		3
/* The longest window above: older buckets are forgotten. */
#define ACCOUNT_RATE_KEEP		3600

/* One rate limit, for the tests that cross each. */
struct account_limit {
	const char	*prefix;	/* of the bucket key */
	int64_t		 window;
	int		 max;
};
extern const struct account_limit account_limits[];
extern const int account_nlimits;

/* The limits, in the order of account_limits[]. */
enum account_lim { ACCOUNT_LIM_LOGIN_IP, ACCOUNT_LIM_LOGIN_FAIL,
	ACCOUNT_LIM_REGISTER_IP, ACCOUNT_LIM_REGISTER_EMAIL, ACCOUNT_LIM_RESET_IP,
	ACCOUNT_LIM_RESET_EMAIL };

/* Count one event of a limit for value (a client or account address):
 * 1 within the limit, 0 over it (Retry-After set; answer 429), -1 error.
 * account_limit_ok only looks; account_limit_clear forgets the bucket. */
int	account_limit_hit(struct web_req *, enum account_lim, const char *value);
int	account_limit_ok(struct web_req *, enum account_lim, const char *value);
void	account_limit_clear(struct web_req *, enum account_lim,
	    const char *value);

/* The bucket key of a limit for a value (client or account address;
 * ASCII case folded). */
void	account_limit_key(struct buf *out, const char *prefix,
	    const char *value);

/* Answer a small page: title (plain text) as <h1>, then html (trusted
 * markup). Never cached. Shared with web/settings.c. */
void	account_page(struct web_req *, int code, const char *title,
	    const char *html);
/* Answer 303 See Other to path (ours, a literal). */
void	account_redirect(struct web_req *, const char *path);

/* Password work off the event loop (daemon/hashq.h), for the handlers of
 * sign-in, registration, reset and password change (web/settings.c). */
enum account_job {
	ACCOUNT_JOB_HASH,	/* hash pw */
	ACCOUNT_JOB_VERIFY,	/* check pw against hash ("" for none) */
	ACCOUNT_JOB_CHANGE	/* check pw against hash, then hash new_pw */
};
/* The second half of a handler, run on the loop when the job ends with
 * result and hash as daemon/hashq.h says (never HASHQ_CANCELLED: such a
 * request is answered 503 without it); member as passed; was the stored
 * hash the job checked against ("" for ACCOUNT_JOB_HASH). The account may
 * have changed while the job waited: before acting on a match, fn checks
 * inside its transaction that the member's hash is still was
 * (store_account_hash_is). It answers w. */
typedef void	(*account_hashed_fn)(struct web_req *w, int result,
		    const char *hash, int64_t member, const char *was);
/* Queue the job for the client's address (session_peer) and suspend w
 * (httpd_suspend) until fn ran; the strings are copied. When the queue is
 * full, or the client has HASHQ_PER_CLIENT_MAX jobs in it, w is answered
 * 503 with Retry-After at once. The handler returns right after this
 * call. */
void	account_hash_job(struct web_req *, enum account_job, const char *hash,
	    const char *pw, const char *new_pw, int64_t member,
	    account_hashed_fn fn);

#endif
