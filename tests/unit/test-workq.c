/* Unit tests for daemon/workq.c: jobs run on the worker thread in order
 * and their done callbacks come back on the loop's thread in order; the
 * loop serves its other events while a job runs (a job that cannot end
 * before the loop has served one); freeing the queue hands every job back
 * once, cancelled. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>
#include <cmocka.h>

#include <event2/event.h>

#include "daemon/workq.h"

#define JOBS	8
#define EVENTS	(2 * JOBS + 4)

struct trace {
	struct event_base	*base;
	pthread_t		 loop;
	int			 release[2];	/* loop -> a waiting job */
	char			 what[EVENTS];	/* 'l' loop event, 'd' done */
	int			 tag[EVENTS];
	int			 cancelled[EVENTS];
	int			 n;
};

struct job {
	struct trace	*t;
	int		 tag;
	int		 wait;		/* run blocks until the loop releases */
	int		 ran;
	pthread_t	 by;
};

static void
job_run(void *arg)
{
	struct job *j = arg;
	char c;
	if (j->wait)
		assert_int_equal(read(j->t->release[0], &c, 1), 1);
	j->by = pthread_self();
	j->ran = 1;
}

static void
job_done(void *ctx, void *arg, int cancelled)
{
	struct trace *t = ctx;
	struct job *j = arg;
	assert_true(pthread_equal(pthread_self(), t->loop));
	assert_true(t->n < EVENTS);
	t->what[t->n] = 'd';
	t->tag[t->n] = j->tag;
	t->cancelled[t->n++] = cancelled;
	if (!cancelled) {
		assert_int_equal(j->ran, 1);
		assert_false(pthread_equal(j->by, t->loop));
	}
	free(j);
}

static struct job *
job_new(struct trace *t, int tag, int wait)
{
	struct job *j = calloc(1, sizeof *j);
	assert_non_null(j);
	j->t = t;
	j->tag = tag;
	j->wait = wait;
	return j;
}

static void
trace_init(struct trace *t)
{
	memset(t, 0, sizeof *t);
	t->base = event_base_new();
	assert_non_null(t->base);
	t->loop = pthread_self();
	assert_int_equal(pipe(t->release), 0);
}

static void
trace_free(struct trace *t)
{
	close(t->release[0]);
	close(t->release[1]);
	event_base_free(t->base);
}

static void
count_dones(struct trace *t, int want)
{
	for (;;) {
		int d = 0;
		for (int i = 0; i < t->n; i++)
			d += t->what[i] == 'd';
		if (d >= want)
			return;
		assert_int_equal(event_base_loop(t->base, EVLOOP_ONCE), 0);
	}
}

static void
test_order(void **state)
{
	(void)state;
	struct trace t;
	trace_init(&t);
	struct workq *q = workq_new(t.base, job_run, job_done, &t);
	assert_non_null(q);
	for (int i = 0; i < JOBS; i++)
		workq_push(q, job_new(&t, i, 0));
	assert_int_equal(workq_pending(q), JOBS);
	assert_int_equal(t.n, 0);	/* never from inside push */
	count_dones(&t, JOBS);
	assert_int_equal(t.n, JOBS);
	for (int i = 0; i < JOBS; i++) {
		assert_int_equal(t.what[i], 'd');
		assert_int_equal(t.tag[i], i);
		assert_int_equal(t.cancelled[i], 0);
	}
	assert_int_equal(workq_pending(q), 0);
	workq_free(&q);
	assert_null(q);
	assert_int_equal(t.n, JOBS);
	trace_free(&t);
}

/* A loop event while job 0 runs: it writes the byte job 0 waits for. */
static void
loop_event(evutil_socket_t fd, short ev, void *arg)
{
	struct trace *t = arg;
	t->what[t->n] = 'l';
	t->tag[t->n++] = -1;
	assert_int_equal(write(t->release[1], "", 1), 1);
}

static void
test_loop_serves_while_job_runs(void **state)
{
	(void)state;
	struct trace t;
	trace_init(&t);
	struct workq *q = workq_new(t.base, job_run, job_done, &t);
	assert_non_null(q);
	workq_push(q, job_new(&t, 0, 1));
	workq_push(q, job_new(&t, 1, 0));
	struct event *ev = evtimer_new(t.base, loop_event, &t);
	struct timeval now = { 0, 0 };
	evtimer_add(ev, &now);
	count_dones(&t, 2);
	/* job 0 could only end after the loop served its event */
	assert_int_equal(t.n, 3);
	assert_int_equal(t.what[0], 'l');
	assert_int_equal(t.what[1], 'd');
	assert_int_equal(t.tag[1], 0);
	assert_int_equal(t.what[2], 'd');
	assert_int_equal(t.tag[2], 1);
	event_free(ev);
	workq_free(&q);
	trace_free(&t);
}

static void
test_free_cancels(void **state)
{
	(void)state;
	struct trace t;
	trace_init(&t);
	struct workq *q = workq_new(t.base, job_run, job_done, &t);
	assert_non_null(q);
	workq_push(q, job_new(&t, 0, 1));
	for (int i = 1; i < JOBS; i++)
		workq_push(q, job_new(&t, i, 0));
	assert_int_equal(write(t.release[1], "", 1), 1);
	/* the loop never ran: every job comes back cancelled, in order,
	 * whether or not it ran, and is freed by its callback */
	workq_free(&q);
	assert_null(q);
	assert_int_equal(t.n, JOBS);
	for (int i = 0; i < JOBS; i++) {
		assert_int_equal(t.what[i], 'd');
		assert_int_equal(t.tag[i], i);
		assert_int_equal(t.cancelled[i], 1);
	}
	workq_free(&q);	/* NULL is fine */
	trace_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_loop_serves_while_job_runs),
		cmocka_unit_test(test_free_cancels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
