/*
 * Parser pool (see parsepool.h). Each worker is a bufferevent on its
 * socketpair; a request is one IPC record, the answer one record. EOF or a
 * deadline on a busy worker fails its job; the supervisor starts a new
 * worker and hands its socket to the engine.
 */
#include <config.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "daemon/ipc.h"
#include "daemon/log.h"
#include "mail/parser.h"
#include "daemon/xalloc.h"
#include "mail/parsepool.h"

struct parsepool_job {
	uint64_t		 id;
	struct buf		 record;	/* the encoded request */
	struct parsepool_job	*next;
};

struct parsepool_worker {
	struct parsepool	*pool;
	struct bufferevent	*bev;
	struct event		*deadline;
	pid_t			 pid;
	struct parsepool_job	*job;		/* in flight, or NULL */
	int			 served;	/* jobs sent, <= PARSER_MAX_JOBS */
	int			 dead;
};

struct parsepool {
	struct event_base	*base;
	int			 timeout;
	parsepool_cb		 cb;
	void			*arg;
	struct parsepool_worker	*workers[PARSEPOOL_MAX_WORKERS];
	int			 nworkers;
	struct parsepool_job	*head, *tail;
	size_t			 queued;
	size_t			 inflight;
	struct event		*reap;		/* frees dead workers later */
};

static void parsepool_dispatch(struct parsepool *);

static void
parsepool_job_free(struct parsepool_job *j)
{
	buf_free(&j->record);
	free(j);
}

static void
parsepool_fail(struct parsepool_worker *w, enum parsepool_status st)
{
	struct parsepool_job *j = w->job;
	if (j == NULL)
		return;
	w->job = NULL;
	w->pool->inflight--;
	w->pool->cb(w->pool->arg, j->id, st, NULL);
	parsepool_job_free(j);
}

static void
parsepool_kill(struct parsepool_worker *w, enum parsepool_status st)
{
	if (w->dead)
		return;
	w->dead = 1;
	if (w->pid > 0)
		kill(w->pid, SIGKILL);
	bufferevent_disable(w->bev, EV_READ | EV_WRITE);
	event_del(w->deadline);
	parsepool_fail(w, st);
	event_active(w->pool->reap, 0, 0);
}

static void
parsepool_reap(evutil_socket_t fd, short ev, void *arg)
{
	struct parsepool *p = arg;
	int n = 0;
	for (int i = 0; i < p->nworkers; i++) {
		struct parsepool_worker *w = p->workers[i];
		if (!w->dead) {
			p->workers[n++] = w;
			continue;
		}
		bufferevent_free(w->bev);
		event_free(w->deadline);
		free(w);
	}
	p->nworkers = n;
	parsepool_dispatch(p);
}

static void
parsepool_deadline(evutil_socket_t fd, short ev, void *arg)
{
	struct parsepool_worker *w = arg;
	log_warnx("parser %d: no answer within %d s, killed", (int)w->pid,
	    w->pool->timeout);
	parsepool_kill(w, PARSEPOOL_TIMEOUT);
}

static void
parsepool_read(struct bufferevent *bev, void *arg)
{
	struct parsepool_worker *w = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	for (;;) {
		size_t avail = evbuffer_get_length(in);
		unsigned char *h = evbuffer_pullup(in, avail < IPC_HEADER_LEN ?
		    -1 : IPC_HEADER_LEN);
		uint32_t type, len;
		int rc = h ? ipc_peek_header(h, avail, IPC_MAX_RECORD, &type,
		    &len) : 0;
		if (rc == 0 || (rc == 1 && avail < IPC_HEADER_LEN + (size_t)len))
			return;
		if (rc == -1 || type != IPC_PARSE_RESULT || w->job == NULL) {
			log_warnx("parser %d: unexpected record", (int)w->pid);
			parsepool_kill(w, PARSEPOOL_CRASHED);
			return;
		}
		unsigned char *rec = evbuffer_pullup(in, IPC_HEADER_LEN + (ssize_t)len);
		struct parsed p;
		uint64_t job;
		if (parsed_decode(rec + IPC_HEADER_LEN, len, &job, &p) == -1 ||
		    job != w->job->id) {
			log_warnx("parser %d: malformed result", (int)w->pid);
			parsepool_kill(w, PARSEPOOL_CRASHED);
			return;
		}
		evbuffer_drain(in, IPC_HEADER_LEN + (size_t)len);
		event_del(w->deadline);
		struct parsepool_job *j = w->job;
		w->job = NULL;
		w->pool->inflight--;
		w->pool->cb(w->pool->arg, j->id, PARSEPOOL_DONE, &p);
		parsed_clear(&p);
		parsepool_job_free(j);
		parsepool_dispatch(w->pool);
	}
}

static void
parsepool_event(struct bufferevent *bev, short what, void *arg)
{
	struct parsepool_worker *w = arg;
	if (w->job)
		log_warnx("parser %d: died while parsing job %llu", (int)w->pid,
		    (unsigned long long)w->job->id);
	else
		log_info("parser %d: exited", (int)w->pid);
	parsepool_kill(w, PARSEPOOL_CRASHED);
}

struct parsepool *
parsepool_new(struct event_base *base, int timeout, parsepool_cb cb, void *arg)
{
	struct parsepool *p = xcalloc(1, sizeof *p);
	p->base = base;
	p->timeout = timeout > 0 ? timeout : 10;
	p->cb = cb;
	p->arg = arg;
	p->reap = event_new(base, -1, 0, parsepool_reap, p);
	return p;
}

void
parsepool_free(struct parsepool **pp)
{
	struct parsepool *p = *pp;
	if (p == NULL)
		return;
	for (int i = 0; i < p->nworkers; i++) {
		struct parsepool_worker *w = p->workers[i];
		if (w->job)
			parsepool_job_free(w->job);
		bufferevent_free(w->bev);
		event_free(w->deadline);
		free(w);
	}
	while (p->head) {
		struct parsepool_job *j = p->head;
		p->head = j->next;
		parsepool_job_free(j);
	}
	event_free(p->reap);
	free(p);
	*pp = NULL;
}

void
parsepool_add_worker(struct parsepool *p, int fd, pid_t pid)
{
	if (p->nworkers == PARSEPOOL_MAX_WORKERS) {
		log_warnx("parser pool full, closing worker %d", (int)pid);
		close(fd);
		return;
	}
	evutil_make_socket_nonblocking(fd);
	struct parsepool_worker *w = xcalloc(1, sizeof *w);
	w->pool = p;
	w->pid = pid;
	w->bev = bufferevent_socket_new(p->base, fd, BEV_OPT_CLOSE_ON_FREE);
	w->deadline = evtimer_new(p->base, parsepool_deadline, w);
	bufferevent_setcb(w->bev, parsepool_read, NULL, parsepool_event, w);
	bufferevent_enable(w->bev, EV_READ);
	p->workers[p->nworkers++] = w;
	parsepool_dispatch(p);
}

int
parsepool_submit(struct parsepool *p, uint64_t job, const char *raw,
    size_t len)
{
	if (p->queued >= PARSEPOOL_MAX_QUEUE)
		return -1;
	struct parsepool_job *j = xcalloc(1, sizeof *j);
	j->id = job;
	ipc_begin_record(&j->record, IPC_PARSE_REQUEST);
	ipc_put_u64(&j->record, job);
	ipc_put_data(&j->record, raw, len);
	ipc_end_record(&j->record);
	if (p->tail)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	p->queued++;
	parsepool_dispatch(p);
	return 0;
}

static void
parsepool_dispatch(struct parsepool *p)
{
	for (int i = 0; i < p->nworkers && p->head; i++) {
		struct parsepool_worker *w = p->workers[i];
		/* a worker that had its share is about to exit by itself */
		if (w->dead || w->job || w->served >= PARSER_MAX_JOBS)
			continue;
		struct parsepool_job *j = p->head;
		p->head = j->next;
		if (p->head == NULL)
			p->tail = NULL;
		j->next = NULL;
		p->queued--;
		p->inflight++;
		w->job = j;
		w->served++;
		bufferevent_write(w->bev, j->record.data, j->record.len);
		buf_free(&j->record);
		struct timeval tv = { p->timeout, 0 };
		evtimer_add(w->deadline, &tv);
	}
}

size_t
parsepool_pending(const struct parsepool *p)
{
	return p->queued + p->inflight;
}

int
parsepool_workers(const struct parsepool *p)
{
	int n = 0;
	for (int i = 0; i < p->nworkers; i++)
		n += !p->workers[i]->dead;
	return n;
}
