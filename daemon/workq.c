/*
 * The worker thread of workq.h. The loop and the worker share two FIFO
 * lists under one mutex, jobs to run and jobs done; the worker writes a
 * byte to a pipe when the done list stops being empty, and the loop's read
 * event takes the list and runs the done callbacks.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <event2/event.h>

#include "daemon/log.h"
#include "daemon/workq.h"
#include "daemon/xalloc.h"

struct workq_item {
	void			*job;
	struct workq_item	*next;
};

struct workq {
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	pthread_t		 thread;
	int			 stop;				/* under mu */
	struct workq_item	*todo, **todo_tail;		/* under mu */
	struct workq_item	*done, **done_tail;		/* under mu */
	size_t			 pending;	/* the loop's: pushed, not done */
	int			 wake[2];	/* pipe: worker -> loop */
	struct event		*ev;
	workq_run_cb		 run;
	workq_done_cb		 cb;
	void			*ctx;
};

static void *
workq_worker(void *arg)
{
	struct workq *q = arg;
	struct workq_item *it;

	pthread_mutex_lock(&q->mu);
	while (!q->stop) {
		if ((it = q->todo) == NULL) {
			pthread_cond_wait(&q->cv, &q->mu);
			continue;
		}
		if ((q->todo = it->next) == NULL)
			q->todo_tail = &q->todo;
		pthread_mutex_unlock(&q->mu);
		q->run(it->job);
		pthread_mutex_lock(&q->mu);
		it->next = NULL;
		if (q->done == NULL && write(q->wake[1], "", 1) == -1 &&
		    errno != EAGAIN)
			log_warn("workq: pipe");
		*q->done_tail = it;
		q->done_tail = &it->next;
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

/* On the loop: the done callbacks of the jobs the worker finished. */
static void
workq_wake(evutil_socket_t fd, short ev, void *arg)
{
	struct workq *q = arg;
	struct workq_item *list, *it;
	char drain[64];

	while (read(fd, drain, sizeof drain) > 0)
		;
	pthread_mutex_lock(&q->mu);
	list = q->done;
	q->done = NULL;
	q->done_tail = &q->done;
	pthread_mutex_unlock(&q->mu);
	while ((it = list) != NULL) {
		list = it->next;
		q->pending--;
		q->cb(q->ctx, it->job, 0);
		free(it);
	}
}

static int
workq_pipe(struct workq *q)
{
	if (pipe(q->wake) == -1) {
		log_warn("workq: pipe");
		return -1;
	}
	for (int i = 0; i < 2; i++)
		if (fcntl(q->wake[i], F_SETFL, O_NONBLOCK) == -1 ||
		    fcntl(q->wake[i], F_SETFD, FD_CLOEXEC) == -1) {
			log_warn("workq: fcntl");
			return -1;
		}
	return 0;
}

struct workq *
workq_new(struct event_base *base, workq_run_cb run, workq_done_cb done,
    void *ctx)
{
	struct workq *q = xcalloc(1, sizeof *q);
	q->run = run;
	q->cb = done;
	q->ctx = ctx;
	q->wake[0] = q->wake[1] = -1;
	q->todo_tail = &q->todo;
	q->done_tail = &q->done;
	if (workq_pipe(q) == -1)
		goto fail;
	q->ev = event_new(base, q->wake[0], EV_READ | EV_PERSIST, workq_wake, q);
	if (q->ev == NULL || event_add(q->ev, NULL) == -1) {
		log_warnx("workq: cannot watch the pipe");
		goto fail;
	}
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	/* the worker takes no signal: they stay with the loop's thread */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(&q->thread, NULL, workq_worker, q);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		errno = rc;
		log_warn("workq: pthread_create");
		pthread_cond_destroy(&q->cv);
		pthread_mutex_destroy(&q->mu);
		goto fail;
	}
	return q;
fail:
	if (q->ev != NULL)
		event_free(q->ev);
	for (int i = 0; i < 2; i++)
		if (q->wake[i] != -1)
			close(q->wake[i]);
	free(q);
	return NULL;
}

void
workq_push(struct workq *q, void *job)
{
	struct workq_item *it = xcalloc(1, sizeof *it);
	it->job = job;
	q->pending++;
	pthread_mutex_lock(&q->mu);
	*q->todo_tail = it;
	q->todo_tail = &it->next;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

size_t
workq_pending(const struct workq *q)
{
	return q->pending;
}

void
workq_free(struct workq **qp)
{
	struct workq *q = *qp;
	if (q == NULL)
		return;
	pthread_mutex_lock(&q->mu);
	q->stop = 1;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->thread, NULL);
	/* jobs the worker finished first keep their place ahead of the
	 * ones it never started; all are the loop's again */
	struct workq_item *lists[2] = { q->done, q->todo }, *it;
	for (int i = 0; i < 2; i++)
		while ((it = lists[i]) != NULL) {
			lists[i] = it->next;
			q->cb(q->ctx, it->job, 1);
			free(it);
		}
	event_free(q->ev);
	close(q->wake[0]);
	close(q->wake[1]);
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	free(q);
	*qp = NULL;
}
