/*
 * Password hashing on a worker thread (see hashq.h). The loop and the
 * worker share two lists under one mutex: jobs to run and jobs done; the
 * worker writes a byte to a pipe after each job, and the loop's read event
 * takes the done list and runs the callbacks. The count of jobs per
 * client lives on the loop's side only (taken in hashq_put, given back
 * before the callback), so it needs no lock.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "daemon/hashq.h"
#include "daemon/log.h"
#include "daemon/xalloc.h"

enum hashq_op {
	HASHQ_OP_HASH,
	HASHQ_OP_VERIFY,
	HASHQ_OP_CHANGE
};

struct hashq_job {
	enum hashq_op		 op;
	char			 hash[PASSWORD_HASH_MAX + 1];	/* in and out */
	char			 pw[PASSWORD_MAX + 1];
	char			 new_pw[PASSWORD_MAX + 1];
	int			 result;
	int			 client;	/* slot in clients[], or -1 */
	hashq_cb		 cb;
	void			*arg;
	struct hashq_job	*next;
};

/* A client address with jobs waiting for their callback (n > 0), or a
 * free slot (n == 0): at most one slot per job, so HASHQ_QUEUE_MAX. */
struct hashq_client {
	char			 addr[HASHQ_CLIENT_MAX + 1];
	unsigned		 n;
};

struct hashq {
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	pthread_t		 thread;
	int			 stop;
	struct hashq_job	*todo, **todo_tail;	/* FIFO */
	struct hashq_job	*done, **done_tail;	/* FIFO */
	size_t			 pending;	/* queued + running + done */
	struct hashq_client	 clients[HASHQ_QUEUE_MAX];	/* loop only */
	int			 wake[2];	/* pipe: worker -> loop */
	struct event		*ev;
};

/* The slot of addr (loop's thread): its own, else a free one taken for
 * it; NULL when none is free. */
static struct hashq_client *
hashq_client_slot(struct hashq *q, const char *addr)
{
	struct hashq_client *free_slot = NULL;
	for (size_t i = 0; i < HASHQ_QUEUE_MAX; i++) {
		struct hashq_client *c = &q->clients[i];
		if (c->n > 0 && strcmp(c->addr, addr) == 0)
			return c;
		if (c->n == 0 && free_slot == NULL)
			free_slot = c;
	}
	if (free_slot != NULL)
		memcpy(free_slot->addr, addr, strlen(addr) + 1);
	return free_slot;
}

/* A job leaves the queue (loop's thread): its client's count goes down. */
static void
hashq_job_done(struct hashq *q, struct hashq_job *j)
{
	q->pending--;
	if (j->client >= 0)
		q->clients[j->client].n--;
}

static void
hashq_job_free(struct hashq_job *j)
{
	sodium_memzero(j, sizeof *j);
	free(j);
}

static void
hashq_run(struct hashq_job *j)
{
	switch (j->op) {
	case HASHQ_OP_HASH:
		j->result = password_hash(j->pw, j->hash) == 0 ? HASHQ_OK :
		    HASHQ_FAILED;
		break;
	case HASHQ_OP_VERIFY:
		j->result = password_verify(j->hash, j->pw) ? HASHQ_OK :
		    HASHQ_NO_MATCH;
		break;
	case HASHQ_OP_CHANGE:
		if (!password_verify(j->hash, j->pw))
			j->result = HASHQ_NO_MATCH;
		else
			j->result = password_hash(j->new_pw, j->hash) == 0 ?
			    HASHQ_OK : HASHQ_FAILED;
		break;
	}
	if (j->result != HASHQ_OK || j->op == HASHQ_OP_VERIFY)
		j->hash[0] = '\0';
	sodium_memzero(j->pw, sizeof j->pw);
	sodium_memzero(j->new_pw, sizeof j->new_pw);
}

static void *
hashq_worker(void *arg)
{
	struct hashq *q = arg;
	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->stop && q->todo == NULL)
			pthread_cond_wait(&q->cv, &q->mu);
		if (q->stop)
			break;
		struct hashq_job *j = q->todo;
		q->todo = j->next;
		if (q->todo == NULL)
			q->todo_tail = &q->todo;
		pthread_mutex_unlock(&q->mu);
		hashq_run(j);
		pthread_mutex_lock(&q->mu);
		j->next = NULL;
		*q->done_tail = j;
		q->done_tail = &j->next;
		/* a full pipe already holds a wake-up: nothing lost */
		ssize_t n = write(q->wake[1], "", 1);
		(void)n;
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

/* The loop's side: run the callbacks of the jobs done. */
static void
hashq_wake(evutil_socket_t fd, short what, void *arg)
{
	struct hashq *q = arg;
	char drain[64];
	(void)what;
	while (read(fd, drain, sizeof drain) > 0)
		;
	pthread_mutex_lock(&q->mu);
	struct hashq_job *list = q->done;
	q->done = NULL;
	q->done_tail = &q->done;
	pthread_mutex_unlock(&q->mu);
	while (list != NULL) {
		struct hashq_job *j = list;
		list = j->next;
		hashq_job_done(q, j);
		j->cb(j->result, j->hash, j->arg);
		hashq_job_free(j);
	}
}

struct hashq *
hashq_new(struct event_base *base)
{
	struct hashq *q = xcalloc(1, sizeof *q);
	password_init();
	q->wake[0] = q->wake[1] = -1;
	if (pipe(q->wake) == -1) {
		log_warn("hashq: pipe");
		goto fail;
	}
	for (int i = 0; i < 2; i++)
		if (fcntl(q->wake[i], F_SETFL, O_NONBLOCK) == -1 ||
		    fcntl(q->wake[i], F_SETFD, FD_CLOEXEC) == -1) {
			log_warn("hashq: fcntl");
			goto fail;
		}
	q->todo_tail = &q->todo;
	q->done_tail = &q->done;
	q->ev = event_new(base, q->wake[0], EV_READ | EV_PERSIST, hashq_wake, q);
	if (q->ev == NULL || event_add(q->ev, NULL) == -1) {
		log_warnx("hashq: cannot watch the pipe");
		goto fail;
	}
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	/* the worker takes no signal: they stay with the loop's thread */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(&q->thread, NULL, hashq_worker, q);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		errno = rc;
		log_warn("hashq: pthread_create");
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

static void
hashq_cancel_list(struct hashq *q, struct hashq_job *list)
{
	while (list != NULL) {
		struct hashq_job *j = list;
		list = j->next;
		hashq_job_done(q, j);
		j->cb(HASHQ_CANCELLED, "", j->arg);
		hashq_job_free(j);
	}
}

void
hashq_free(struct hashq **qp)
{
	struct hashq *q = *qp;
	if (q == NULL)
		return;
	pthread_mutex_lock(&q->mu);
	q->stop = 1;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->thread, NULL);
	/* the worker is gone: no lock needed */
	if (q->pending > 0)
		log_info("hashq: %zu password job(s) cancelled at shutdown",
		    q->pending);
	hashq_cancel_list(q, q->done);
	hashq_cancel_list(q, q->todo);
	event_free(q->ev);
	close(q->wake[0]);
	close(q->wake[1]);
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	free(q);
	*qp = NULL;
}

static int
hashq_put(struct hashq *q, const char *client, enum hashq_op op,
    const char *hash, const char *pw, const char *new_pw, hashq_cb cb,
    void *arg)
{
	if (q->pending >= HASHQ_QUEUE_MAX ||
	    strnlen(pw, PASSWORD_MAX + 1) > PASSWORD_MAX ||
	    (new_pw != NULL && strnlen(new_pw, PASSWORD_MAX + 1) > PASSWORD_MAX)
	    || (hash != NULL && strnlen(hash, PASSWORD_HASH_MAX + 1) >
	    PASSWORD_HASH_MAX) || (client != NULL &&
	    strnlen(client, HASHQ_CLIENT_MAX + 1) > HASHQ_CLIENT_MAX))
		return HASHQ_REFUSED;
	struct hashq_client *c = NULL;
	if (client != NULL && *client != '\0') {
		/* pending < HASHQ_QUEUE_MAX: a slot is free if addr has none */
		c = hashq_client_slot(q, client);
		if (c == NULL || c->n >= HASHQ_PER_CLIENT_MAX)
			return HASHQ_REFUSED_CLIENT;
		c->n++;
	}
	struct hashq_job *j = xcalloc(1, sizeof *j);
	j->op = op;
	j->client = c != NULL ? (int)(c - q->clients) : -1;
	if (hash != NULL)
		memcpy(j->hash, hash, strlen(hash) + 1);
	memcpy(j->pw, pw, strlen(pw) + 1);
	if (new_pw != NULL)
		memcpy(j->new_pw, new_pw, strlen(new_pw) + 1);
	j->cb = cb;
	j->arg = arg;
	q->pending++;
	pthread_mutex_lock(&q->mu);
	*q->todo_tail = j;
	q->todo_tail = &j->next;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return 0;
}

int
hashq_hash(struct hashq *q, const char *client, const char *pw, hashq_cb cb,
    void *arg)
{
	return hashq_put(q, client, HASHQ_OP_HASH, NULL, pw, NULL, cb, arg);
}

int
hashq_verify(struct hashq *q, const char *client, const char *hash,
    const char *pw, hashq_cb cb, void *arg)
{
	return hashq_put(q, client, HASHQ_OP_VERIFY, hash ? hash : "", pw, NULL,
	    cb, arg);
}

int
hashq_change(struct hashq *q, const char *client, const char *hash,
    const char *old_pw, const char *new_pw, hashq_cb cb, void *arg)
{
	return hashq_put(q, client, HASHQ_OP_CHANGE, hash ? hash : "", old_pw,
	    new_pw, cb, arg);
}

size_t
hashq_pending(const struct hashq *q)
{
	return q->pending;
}

size_t
hashq_pending_client(const struct hashq *q, const char *client)
{
	for (size_t i = 0; i < HASHQ_QUEUE_MAX; i++)
		if (q->clients[i].n > 0 && strcmp(q->clients[i].addr, client) == 0)
			return q->clients[i].n;
	return 0;
}
