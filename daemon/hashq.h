/*
 * Password hashing off the event loop: the worker thread of a workq
 * (daemon/workq.h) runs the Argon2id work of daemon/password.c (about
 * 0.1 s a hash) for jobs queued from the loop, in order, and each job's
 * callback runs back on the loop.
 */
#ifndef MAJLIS_HASHQ_H
#define MAJLIS_HASHQ_H

#include <stddef.h>

#include "daemon/password.h"

struct event_base;
struct hashq;

/* Jobs queued or running at once; one more is refused (the web answers
 * 503), so a flood of sign-ins cannot queue minutes of work. */
#define HASHQ_QUEUE_MAX		32
/* Jobs of one client address queued or running at once: within the
 * per-address rate limits one client could otherwise fill the whole
 * queue and every password page would answer 503 for everyone else. */
#define HASHQ_PER_CLIENT_MAX	4
/* Bytes of a client address (an IPv6 address in text is at most 45). */
#define HASHQ_CLIENT_MAX	64

/* What queueing a job returns when it is refused. */
#define HASHQ_REFUSED		(-1)	/* queue full, or a value too long */
#define HASHQ_REFUSED_CLIENT	(-2)	/* that client has its share */

/* What a callback receives as result. */
#define HASHQ_CANCELLED		(-2)	/* queue freed before the job ended */
#define HASHQ_FAILED		(-1)	/* hashing failed (out of memory) */
#define HASHQ_NO_MATCH		0	/* verify: the password does not match */
#define HASHQ_OK		1	/* hashed, or verified (and hashed) */

/* Runs on the loop's thread. hash is the new hash (HASHQ_OK of a hash or
 * verify-and-hash job), else "". Neither string outlives the call. */
typedef void	(*hashq_cb)(int result, const char *hash, void *arg);

/* A queue with its worker thread, waking base; NULL (logged) when the
 * thread or its pipe cannot be made. */
struct hashq	*hashq_new(struct event_base *base);
/* Stop the worker (the running job finishes first), then call every
 * job's callback with HASHQ_CANCELLED, and free. NULL is fine. */
void		 hashq_free(struct hashq **);

/* Queue a job for client (the requester's address, counted against
 * HASHQ_PER_CLIENT_MAX; NULL or "" for none); pw (and hash) are copied.
 * 0 when queued: cb runs later on the loop, never from inside these
 * calls. HASHQ_REFUSED when the queue is full (HASHQ_QUEUE_MAX) or a
 * password is over PASSWORD_MAX bytes or client over HASHQ_CLIENT_MAX;
 * HASHQ_REFUSED_CLIENT when client has HASHQ_PER_CLIENT_MAX jobs waiting
 * for their callback. When refused, cb never runs. */
/* Hash pw: HASHQ_OK with the hash, or HASHQ_FAILED. */
int		 hashq_hash(struct hashq *, const char *client, const char *pw,
		    hashq_cb, void *arg);
/* Check pw against hash ("" for no account: the same work is spent, see
 * password_verify): HASHQ_OK or HASHQ_NO_MATCH. */
int		 hashq_verify(struct hashq *, const char *client,
		    const char *hash, const char *pw, hashq_cb, void *arg);
/* Check old_pw against hash, and only when it matches hash new_pw:
 * HASHQ_OK with the new hash, HASHQ_NO_MATCH or HASHQ_FAILED. */
int		 hashq_change(struct hashq *, const char *client,
		    const char *hash, const char *old_pw, const char *new_pw,
		    hashq_cb, void *arg);
/* Jobs queued, running or waiting for their callback: in all, and of
 * one client. */
size_t		 hashq_pending(const struct hashq *);
size_t		 hashq_pending_client(const struct hashq *, const char *client);

#endif
