/*
 * Password hashing on a worker thread (see hashq.h): the jobs run on a
 * workq (daemon/workq.h), which runs them in order and calls back on the
 * loop. hashq keeps its own rules on the loop's side: the queue bound and
 * the count of jobs per client (taken in hashq_put, given back before the
 * callback), so they need no lock.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "daemon/hashq.h"
#include "daemon/log.h"
#include "daemon/workq.h"
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
};

/* A client address with jobs waiting for their callback (n > 0), or a
 * free slot (n == 0): at most one slot per job, so HASHQ_QUEUE_MAX. */
struct hashq_client {
	char			 addr[HASHQ_CLIENT_MAX + 1];
	unsigned		 n;
};

struct hashq {
	struct workq		*wq;	/* its jobs: queued + running + done */
	struct hashq_client	 clients[HASHQ_QUEUE_MAX];	/* loop only */
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
	if (j->client >= 0)
		q->clients[j->client].n--;
}

static void
hashq_job_free(struct hashq_job *j)
{
	sodium_memzero(j, sizeof *j);
	free(j);
}

/* The worker thread's part (workq_run_cb). */
static void
hashq_run(void *job)
{
	struct hashq_job *j = job;
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

/* Back on the loop (workq_done_cb): the job's callback, with
 * HASHQ_CANCELLED when the queue is being freed. */
static void
hashq_done(void *ctx, void *job, int cancelled)
{
	struct hashq *q = ctx;
	struct hashq_job *j = job;
	hashq_job_done(q, j);
	if (cancelled)
		j->cb(HASHQ_CANCELLED, "", j->arg);
	else
		j->cb(j->result, j->hash, j->arg);
	hashq_job_free(j);
}

struct hashq *
hashq_new(struct event_base *base)
{
	struct hashq *q = xcalloc(1, sizeof *q);
	password_init();
	q->wq = workq_new(base, hashq_run, hashq_done, q);
	if (q->wq == NULL) {
		log_warnx("hashq: no worker thread");
		free(q);
		return NULL;
	}
	return q;
}

void
hashq_free(struct hashq **qp)
{
	struct hashq *q = *qp;
	if (q == NULL)
		return;
	size_t pending = workq_pending(q->wq);
	if (pending > 0)
		log_info("hashq: %zu password job(s) cancelled at shutdown",
		    pending);
	/* waits for the running job, then cancels the rest in order */
	workq_free(&q->wq);
	free(q);
	*qp = NULL;
}

static int
hashq_put(struct hashq *q, const char *client, enum hashq_op op,
    const char *hash, const char *pw, const char *new_pw, hashq_cb cb,
    void *arg)
{
	if (workq_pending(q->wq) >= HASHQ_QUEUE_MAX ||
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
	workq_push(q->wq, j);
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
	return workq_pending(q->wq);
}

size_t
hashq_pending_client(const struct hashq *q, const char *client)
{
	for (size_t i = 0; i < HASHQ_QUEUE_MAX; i++)
		if (q->clients[i].n > 0 && strcmp(q->clients[i].addr, client) == 0)
			return q->clients[i].n;
	return 0;
}
