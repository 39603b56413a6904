/*
 * Long work off the event loop: one worker thread runs the jobs queued from
 * the loop, in order, and each job's done callback runs back on the loop.
 * A job must own everything it reads (no database handle, no time zone,
 * nothing the loop changes meanwhile); the loop must not touch it between
 * workq_push and its done callback.
 */
#ifndef MAJLIS_WORKQ_H
#define MAJLIS_WORKQ_H

#include <stddef.h>

struct event_base;
struct workq;

/* Runs on the worker thread. */
typedef void	(*workq_run_cb)(void *job);
/* Runs on the loop's thread, once per job pushed: after run (cancelled
 * 0), or from workq_free for a job whose done() had not run yet
 * (cancelled 1: run may or may not have happened). The job is the
 * callback's again. */
typedef void	(*workq_done_cb)(void *ctx, void *job, int cancelled);

/* A queue whose worker thread is started now, waking base through a pipe.
 * NULL (logged) when the thread or the pipe cannot be made. */
struct workq	*workq_new(struct event_base *base, workq_run_cb run,
		    workq_done_cb done, void *ctx);
/* Queue job; done() runs later on the loop, never from inside this call. */
void		 workq_push(struct workq *, void *job);
/* Jobs queued, running or waiting for their done(). */
size_t		 workq_pending(const struct workq *);
/* Stop the worker (a running job is finished first), call done() with
 * cancelled 1 for every job whose done() has not run, and free. NULL is
 * fine. */
void		 workq_free(struct workq **);

#endif
