/*
 * Delivery (see delivery.h). Rows are loaded in (next_attempt, id) order
 * behind a cursor; an id set keeps loaded rows from being loaded twice.
 * Results are written in one transaction per loop iteration. A copy whose
 * result was not written before a crash is sent again: at most the copies
 * in flight are duplicated. When a DKIM key is configured, every copy is
 * built on the loop and signed by the signing thread (mail/dkim.c) just
 * before it goes to the relay, up to DELIVERY_SIGN_AHEAD copies ahead of
 * the connections; the copies of one post share one body hash.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "daemon/config.h"
#include "daemon/db.h"
#include "daemon/engine.h"
#include "daemon/idset.h"
#include "daemon/log.h"
#include "daemon/store_digest.h"
#include "daemon/store_group.h"
#include "daemon/store_outbox.h"
#include "daemon/store_post.h"
#include "daemon/xalloc.h"
#include "mail/bounce.h"
#include "mail/compose.h"
#include "mail/delivery.h"
#include "mail/digest.h"
#include "mail/dkim.h"
#include "mail/smtpc.h"

/* The local reply to a copy whose post or digest body is gone. */
#define DELIVERY_GONE		"the post or digest no longer exists"

/* Digest bodies kept loaded: the copies of one digest take turns between
 * its variants (languages, zones) in member order. */
#define DELIVERY_BODIES		16

/* Copies built and being signed or signed ahead of the connections, and
 * their bytes: a digest copy is megabytes, and building dozens of them at
 * once would hold the loop and the memory (one is always let through). */
#define DELIVERY_SIGN_AHEAD		64
#define DELIVERY_SIGN_AHEAD_BYTES	(16 * 1024 * 1024)

/* A digest body loaded for its copies, shared by reference: by its slot
 * while loaded, by the copies built from it, and by every piece of it a
 * relay connection's output still holds (freed at the last). */
struct delivery_tpl {
	int			 refs;
	struct digest_template	 t;
};

struct delivery_job {
	struct outbox_row	 row;
	struct buf		 msg;		/* whole, or the copy's own bytes */
	struct buf		 mail_from;
	struct smtpc_reply	 reply;
	/* a digest copy sent without signing: its pieces, by reference to
	 * tpl's parts and into msg */
	struct delivery_tpl	*tpl;
	struct smtpc_seg	 segs[DIGEST_SEGS_MAX];
	size_t			 nsegs, len;
	size_t			 ahead;		/* bytes counted in ahead_bytes */
	struct delivery_job	*next;
};

/* A slot of the loaded digest bodies (tpl NULL: free). */
struct delivery_body {
	int64_t			 id;
	uint64_t		 used;		/* body_clock when last used */
	struct delivery_tpl	*tpl;
};

struct delivery {
	struct engine		*e;
	struct event		*tick;
	struct event		*flush;
	struct delivery_job	*head, *tail;		/* loaded, waiting */
	size_t			 queued;
	struct delivery_job	*done;			/* results to write */
	struct idset		 loaded;
	int64_t			 cur_next, cur_id;
	struct smtpc		*conns[DELIVERY_MAX_CONNECTIONS];
	int			 nconns;
	int64_t			 conn_retry_at;
	int			 conn_backoff;
	int			 stopping;
	/* the post being fanned out, kept for its many copies */
	int64_t			 post_id;
	struct post		 post;
	struct group		 group;
	/* digest bodies being sent, kept for their many copies */
	struct delivery_body	 bodies[DELIVERY_BODIES];
	uint64_t		 body_clock;
	struct dkim_queue	*signer;	/* NULL: no signing */
	int64_t			 body_key;	/* changes with each post loaded */
	size_t			 signing;	/* jobs in the signer */
	size_t			 ahead_bytes;	/* theirs and the ready ones' */
	int			 held_by_bytes;
	struct delivery_job	*ready, *ready_tail;	/* built and signed */
	size_t			 nready;
};

int64_t
delivery_backoff(int attempts, int64_t min_delay, int64_t max_delay)
{
	int64_t d = min_delay;
	for (int i = 1; i < attempts && d < max_delay; i++)
		d *= 2;
	return d < max_delay ? d : max_delay;
}

static void
delivery_tpl_hold(void *arg)
{
	struct delivery_tpl *tp = arg;
	tp->refs++;
}

static void
delivery_tpl_unref(struct delivery_tpl **tpp)
{
	struct delivery_tpl *tp = *tpp;
	if (tp == NULL)
		return;
	if (--tp->refs == 0) {
		digest_template_free(&tp->t);
		free(tp);
	}
	*tpp = NULL;
}

/* A relay connection's output is done with a piece of a body. */
static void
delivery_tpl_release(const void *data, size_t len, void *arg)
{
	struct delivery_tpl *tp = arg;
	delivery_tpl_unref(&tp);
}

static void
delivery_job_free(struct delivery_job *j)
{
	delivery_tpl_unref(&j->tpl);
	store_outbox_clear(&j->row);
	buf_free(&j->msg);
	buf_free(&j->mail_from);
	free(j);
}

static int
delivery_load_row(void *arg, const struct outbox_row *r)
{
	struct delivery *d = arg;
	d->cur_next = r->next_attempt;
	d->cur_id = r->id;
	if (!idset_add(&d->loaded, r->id))
		return 0;
	struct delivery_job *j = xcalloc(1, sizeof *j);
	j->row = *r;	/* take the strings: the iterator's copy is cleared */
	j->row.rcpt = xstrdup(r->rcpt);
	j->row.last_reply = xstrdup(r->last_reply);
	buf_init(&j->row.message);
	buf_append(&j->row.message, r->message.data, r->message.len);
	if (d->tail)
		d->tail->next = j;
	else
		d->head = j;
	d->tail = j;
	d->queued++;
	return 0;
}

static void
delivery_fill(struct delivery *d)
{
	if (d->stopping || d->queued >= DELIVERY_LOW_WATER)
		return;
	size_t before = d->loaded.count;
	int64_t n0 = d->cur_id;
	if (store_outbox_due(d->e->db, db_now(), d->cur_next, d->cur_id,
	    DELIVERY_BATCH, delivery_load_row, d) == -1)
		return;
	if (d->cur_id == n0 || d->loaded.count == before)
		d->cur_next = d->cur_id = 0;	/* reached the end: rescan next time */
}

/* Jobs loaded, being signed or signed: what connections are wanted for. */
static size_t
delivery_work(const struct delivery *d)
{
	return d->queued + d->signing + d->nready;
}

/* Jobs a connection could take now. Idle connections are woken only for
 * these: one woken for nothing would ask again at once (and a signed job
 * wakes them itself), a busy loop that would starve the loop's I/O. */
static size_t
delivery_takeable(const struct delivery *d)
{
	return d->signer ? d->nready : d->queued;
}

static int delivery_next(void *ctx, struct smtpc_job *job);
static void delivery_result(void *ctx, const struct smtpc_job *job,
    const struct smtpc_reply *r);
static void delivery_closed(void *ctx, struct smtpc *c,
    const struct smtpc_reply *why);
static const struct smtpc_callbacks delivery_cb = { delivery_next,
    delivery_result, delivery_closed };

static void
delivery_connect(struct delivery *d)
{
	const struct config *cfg = d->e->cfg;
	int want = cfg->relay_connections < DELIVERY_MAX_CONNECTIONS ?
	    cfg->relay_connections : DELIVERY_MAX_CONNECTIONS;
	if (d->stopping || delivery_work(d) == 0 ||
	    db_now() < d->conn_retry_at)
		return;
	if (delivery_takeable(d) > 0)
		for (int i = 0; i < d->nconns; i++)
			smtpc_wakeup(d->conns[i]);
	if ((size_t)d->nconns >= delivery_work(d))
		return;
	struct smtpc_config sc;
	memset(&sc, 0, sizeof sc);
	sc.host = cfg->relay.host;
	sc.port = cfg->relay.port;
	sc.tls = cfg->relay.tls == CONFIG_RELAY_SMTPS ? SMTPC_TLS_SMTPS :
	    cfg->relay.tls == CONFIG_RELAY_STARTTLS ? SMTPC_TLS_STARTTLS :
	    SMTPC_TLS_NONE;
	sc.tls_verify = cfg->relay_tls_verify;
	sc.ca_file = cfg->relay_ca_file;
	sc.user = cfg->relay.user;
	sc.pass = cfg->relay.password;
	sc.helo = cfg->hostname;
	while (d->nconns < want && (size_t)d->nconns < delivery_work(d)) {
		struct smtpc *c = smtpc_connect(d->e->base, d->e->dns,
		    d->e->relay_tls, &sc, &delivery_cb, d);
		if (c == NULL) {
			d->conn_retry_at = db_now() + DELIVERY_CONN_BACKOFF_MAX;
			return;
		}
		d->conns[d->nconns++] = c;
	}
}

/* Load the post (and its group) for a copy, reusing the last one. */
static int
delivery_post(struct delivery *d, int64_t post_id)
{
	if (d->post_id == post_id)
		return 0;
	store_post_clear(&d->post);
	store_group_clear(&d->group);
	d->post_id = 0;
	d->body_key++;
	if (store_post_get(d->e->db, post_id, &d->post) != 1)
		return -1;
	if (store_group_get_id(d->e->db, d->post.group_id, &d->group) != 1) {
		store_post_clear(&d->post);
		return -1;
	}
	d->post_id = post_id;
	return 0;
}

/* The stored digest body of a copy, loaded once and kept while it is
 * among the DELIVERY_BODIES last used (a copy or a connection still
 * using one evicted keeps it alive); NULL when it is gone. Borrowed. */
static struct delivery_tpl *
delivery_body(struct delivery *d, int64_t body_id)
{
	struct delivery_body *slot = &d->bodies[0];
	struct digest_body b;
	for (int i = 0; i < DELIVERY_BODIES; i++) {
		struct delivery_body *x = &d->bodies[i];
		if (x->tpl != NULL && x->id == body_id) {
			x->used = ++d->body_clock;
			return x->tpl;
		}
		if (x->used < slot->used)
			slot = x;
	}
	delivery_tpl_unref(&slot->tpl);
	slot->id = 0;
	slot->used = 0;
	if (store_digest_body_get(d->e->db, body_id, &b) != 1)
		return NULL;
	struct delivery_tpl *tp = xcalloc(1, sizeof *tp);
	if (digest_template_take(&tp->t, &b) == -1) {
		log_warnx("digest body %lld is malformed", (long long)body_id);
		free(tp);
		return NULL;
	}
	tp->refs = 1;
	slot->tpl = tp;
	slot->id = body_id;
	slot->used = ++d->body_clock;
	return tp;
}

/* A digest copy as pieces: the body's parts by reference, the copy's own
 * bytes in j->msg (sent without signing only: the signer needs the whole
 * message). */
static void
delivery_build_pieces(struct delivery_job *j, struct delivery_tpl *tp,
    const struct digest_personal *who)
{
	struct digest_seg segs[DIGEST_SEGS_MAX];
	size_t n = digest_personalise_segs(&j->msg, segs, &tp->t, who);
	tp->refs++;
	j->tpl = tp;
	j->len = 0;
	for (size_t i = 0; i < n; i++) {
		struct smtpc_seg *s = &j->segs[i];
		memset(s, 0, sizeof *s);
		if (segs[i].part == DIGEST_NPARTS)
			s->data = j->msg.data + segs[i].off;
		else {
			s->data = tp->t.part[segs[i].part].data + segs[i].off;
			s->hold = delivery_tpl_hold;
			s->release = delivery_tpl_release;
			s->arg = tp;
		}
		s->len = segs[i].len;
		j->len += s->len;
	}
	j->nsegs = n;
}

/* A system message, or a digest copy made from its stored body. */
static int
delivery_build_system(struct delivery *d, struct delivery_job *j)
{
	if (j->row.body_id == 0) {
		buf_append(&j->msg, j->row.message.data, j->row.message.len);
		return 0;
	}
	struct delivery_tpl *tp = delivery_body(d, j->row.body_id);
	if (tp == NULL)
		return -1;
	struct digest_personal who = { j->row.member_id, j->row.group_id,
	    j->row.unsub_token };
	if (d->signer == NULL)
		delivery_build_pieces(j, tp, &who);
	else
		digest_personalise(&j->msg, &tp->t, &who);
	return 0;
}

/* Build the bytes and envelope of a job; -1 when its post or digest body
 * is gone. */
static int
delivery_build(struct delivery *d, struct delivery_job *j)
{
	const struct config *cfg = d->e->cfg;
	struct buf token = BUF_INIT;
	bounce_verp_token(&token, d->e->secret, j->row.id);
	if (strcmp(j->row.kind, "system") == 0) {
		if (delivery_build_system(d, j) == -1) {
			buf_free(&token);
			return -1;
		}
		struct group g;
		if (j->row.group_id && store_group_get_id(d->e->db, j->row.group_id,
		    &g) == 1) {
			buf_printf(&j->mail_from, "%s-bounces+%s@%s", g.slug,
			    buf_cstr(&token), cfg->list_domain);
			store_group_clear(&g);
		}
		buf_free(&token);
		return 0;
	}
	if (delivery_post(d, j->row.post_id) == -1) {
		buf_free(&token);
		return -1;
	}
	struct compose_copy cc = { &d->group, &d->post, j->row.rcpt,
	    j->row.unsub_token, cfg->list_domain, cfg->site_url };
	compose_post_copy(&j->msg, &cc);
	buf_printf(&j->mail_from, "%s-bounces+%s@%s", d->group.slug,
	    buf_cstr(&token), cfg->list_domain);
	buf_free(&token);
	return 0;
}

static void
delivery_finish(struct delivery *d, struct delivery_job *j)
{
	j->next = d->done;
	d->done = j;
	event_active(d->flush, 0, 0);
}

/* A job that will not be sent this time: a local reply recorded. */
static void
delivery_local(struct delivery *d, struct delivery_job *j, int code,
    const char *why)
{
	j->reply.code = code;
	j->reply.local = 1;
	xstrlcpy(j->reply.text, why, sizeof j->reply.text);
	delivery_finish(d, j);
}

static struct delivery_job *
delivery_pop(struct delivery *d)
{
	struct delivery_job *j = d->head;
	d->head = j->next;
	if (d->head == NULL)
		d->tail = NULL;
	j->next = NULL;
	d->queued--;
	return j;
}

/* Build the next jobs and hand them to the signing thread. */
static void
delivery_presign(struct delivery *d)
{
	while (d->head && !d->stopping &&
	    d->signing + d->nready < DELIVERY_SIGN_AHEAD &&
	    (d->ahead_bytes < DELIVERY_SIGN_AHEAD_BYTES ||
	    d->signing + d->nready == 0)) {
		struct delivery_job *j = delivery_pop(d);
		if (delivery_build(d, j) == -1) {
			delivery_local(d, j, 554, DELIVERY_GONE);
			continue;
		}
		d->signing++;
		j->ahead = j->msg.len;
		d->ahead_bytes += j->ahead;
		dkim_queue_push(d->signer, &j->msg, db_now(),
		    strcmp(j->row.kind, "system") != 0 ? d->body_key : 0, j);
	}
	/* said once each time the bytes, not the count, hold the next back */
	int held = d->head && !d->stopping &&
	    d->signing + d->nready < DELIVERY_SIGN_AHEAD &&
	    d->ahead_bytes >= DELIVERY_SIGN_AHEAD_BYTES;
	if (held && !d->held_by_bytes)
		log_debug("delivery: %zu copies of %zu bytes ahead of the relay:"
		    " the next wait", d->signing + d->nready, d->ahead_bytes);
	d->held_by_bytes = held;
}

/* From the signing thread, on the loop. */
static void
delivery_signed(void *ctx, void *arg, int rc)
{
	struct delivery *d = ctx;
	struct delivery_job *j = arg;

	d->signing--;
	if (rc != 0) {
		d->ahead_bytes -= j->ahead;
		j->ahead = 0;
	}
	if (rc == DKIM_CANCELLED) {
		delivery_job_free(j);
		return;
	}
	if (rc == -1) {
		/* retried later, never sent unsigned (DMARC would refuse it) */
		delivery_local(d, j, 451, "DKIM signing failed");
		return;
	}
	if (d->ready_tail)
		d->ready_tail->next = j;
	else
		d->ready = j;
	d->ready_tail = j;
	d->nready++;
	for (int i = 0; i < d->nconns; i++)
		smtpc_wakeup(d->conns[i]);
}

/* The next signed job, or NULL. */
static struct delivery_job *
delivery_next_signed(struct delivery *d)
{
	struct delivery_job *j;

	delivery_presign(d);
	if ((j = d->ready) == NULL || d->stopping)
		return NULL;
	if ((d->ready = j->next) == NULL)
		d->ready_tail = NULL;
	j->next = NULL;
	d->nready--;
	d->ahead_bytes -= j->ahead;
	j->ahead = 0;
	delivery_presign(d);
	return j;
}

/* The next built job (no signing), or NULL. */
static struct delivery_job *
delivery_next_built(struct delivery *d)
{
	while (d->head && !d->stopping) {
		struct delivery_job *j = delivery_pop(d);
		if (delivery_build(d, j) == 0)
			return j;
		delivery_local(d, j, 554, DELIVERY_GONE);
	}
	return NULL;
}

static int
delivery_next(void *ctx, struct smtpc_job *job)
{
	struct delivery *d = ctx;
	struct delivery_job *j = d->signer ? delivery_next_signed(d) :
	    delivery_next_built(d);

	if (j == NULL) {
		if (d->queued < DELIVERY_LOW_WATER)
			event_active(d->tick, 0, 0);
		return 0;
	}
	job->mail_from = buf_cstr(&j->mail_from);
	job->rcpt = j->row.rcpt;
	job->data = j->msg.data;
	job->len = j->nsegs > 0 ? j->len : j->msg.len;
	job->segs = j->segs;
	job->nsegs = j->nsegs;
	job->arg = j;
	return 1;
}

static void
delivery_result(void *ctx, const struct smtpc_job *job,
    const struct smtpc_reply *r)
{
	struct delivery *d = ctx;
	struct delivery_job *j = job->arg;
	j->reply = *r;
	buf_free(&j->msg);
	delivery_tpl_unref(&j->tpl);	/* the relay's output holds its own */
	j->nsegs = 0;
	if (r->code >= 200 && r->code < 300)
		d->conn_backoff = 0;
	delivery_finish(d, j);
}

static void
delivery_closed(void *ctx, struct smtpc *c, const struct smtpc_reply *why)
{
	struct delivery *d = ctx;
	for (int i = 0; i < d->nconns; i++)
		if (d->conns[i] == c) {
			d->conns[i] = d->conns[--d->nconns];
			break;
		}
	if (why->code != 221 && !d->stopping) {
		d->conn_backoff = d->conn_backoff ? d->conn_backoff * 2 :
		    DELIVERY_CONN_BACKOFF_MIN;
		if (d->conn_backoff > DELIVERY_CONN_BACKOFF_MAX)
			d->conn_backoff = DELIVERY_CONN_BACKOFF_MAX;
		d->conn_retry_at = db_now() + d->conn_backoff;
		log_warnx("relay %s: %d %s (retry in %d s)",
		    d->e->cfg->relay.text_safe, why->code, why->text,
		    d->conn_backoff);
	}
}

/* Write one job's outcome (inside the flush transaction). */
static int
delivery_record(struct delivery *d, struct delivery_job *j)
{
	const struct config *cfg = d->e->cfg;
	const struct smtpc_reply *r = &j->reply;
	char reply[600];
	snprintf(reply, sizeof reply, "%d %s%s%s", r->code, r->enhanced,
	    r->enhanced[0] ? " " : "", r->text);
	int attempts = j->row.attempts + 1;
	int64_t now = db_now();
	if (r->code >= 200 && r->code < 300)
		return store_outbox_update(d->e->db, j->row.id, "sent", attempts,
		    now, reply);
	if (r->code >= 500) {
		log_info("copy %lld to <%s> failed: %s", (long long)j->row.id,
		    j->row.rcpt, reply);
		if (store_outbox_update(d->e->db, j->row.id, "failed", attempts,
		    now, reply) == -1)
			return -1;
		if (j->row.member_id && j->row.group_id && !r->local)
			return bounce_record(d->e, j->row.group_id, j->row.member_id,
			    j->row.id, r->enhanced, r->text);
		return 0;
	}
	int64_t next = now + delivery_backoff(attempts, cfg->retry_min_delay,
	    cfg->retry_max_delay);
	if (next - j->row.created > cfg->retry_max_age) {
		log_info("copy %lld to <%s> expired: %s", (long long)j->row.id,
		    j->row.rcpt, reply);
		return store_outbox_update(d->e->db, j->row.id, "failed", attempts,
		    now, reply);
	}
	return store_outbox_update(d->e->db, j->row.id, "queued", attempts, next,
	    reply);
}

static void
delivery_flush(evutil_socket_t fd, short ev, void *arg)
{
	struct delivery *d = arg;
	struct delivery_job *list = d->done;
	if (list == NULL)
		return;
	if (db_begin(d->e->db) == -1) {
		event_active(d->flush, 0, 0);	/* try again next iteration */
		return;
	}
	int rc = 0;
	for (struct delivery_job *j = list; j && rc == 0; j = j->next)
		rc = delivery_record(d, j);
	if (rc == 0)
		rc = db_commit(d->e->db);
	else
		db_rollback(d->e->db);
	if (rc == -1) {
		log_warnx("delivery: could not record %s results, retrying",
		    "the");
		return;
	}
	d->done = NULL;
	while (list) {
		struct delivery_job *j = list;
		list = j->next;
		idset_remove(&d->loaded, j->row.id);
		delivery_job_free(j);
	}
}

static void
delivery_tick(evutil_socket_t fd, short ev, void *arg)
{
	struct delivery *d = arg;
	delivery_fill(d);
	if (d->signer)
		delivery_presign(d);
	delivery_connect(d);
}

struct delivery *
delivery_new(struct engine *e)
{
	struct delivery *d = xcalloc(1, sizeof *d);
	d->e = e;
	d->tick = event_new(e->base, -1, EV_PERSIST, delivery_tick, d);
	d->flush = event_new(e->base, -1, 0, delivery_flush, d);
	if (e->cfg->dkim_rsa != NULL) {
		struct dkim *k = dkim_new(e->cfg->list_domain, e->cfg->dkim_rsa,
		    e->cfg->dkim_selector, e->cfg->dkim_ed25519,
		    e->cfg->dkim_ed25519_selector);
		if (k == NULL || (d->signer = dkim_queue_new(k, e->base,
		    delivery_signed, d)) == NULL)
			fatalx("dkim: cannot sign with the configured keys");
		log_info("dkim: signing as %s with selector %s%s%s",
		    e->cfg->list_domain, e->cfg->dkim_selector,
		    e->cfg->dkim_ed25519 ? " and Ed25519 selector " : "",
		    e->cfg->dkim_ed25519 ? e->cfg->dkim_ed25519_selector : "");
	}
	struct timeval tv = { DELIVERY_TICK, 0 };
	event_add(d->tick, &tv);
	event_active(d->tick, 0, 0);
	return d;
}

void
delivery_kick(struct delivery *d)
{
	if (d)
		event_active(d->tick, 0, 0);
}

void
delivery_stop(struct delivery *d)
{
	d->stopping = 1;
	for (int i = 0; i < d->nconns; i++)
		smtpc_quit(d->conns[i]);
}

size_t
delivery_pending(const struct delivery *d)
{
	return d->loaded.count;
}

int
delivery_connections(const struct delivery *d)
{
	return d->nconns;
}

void
delivery_free(struct delivery **dp)
{
	struct delivery *d = *dp;
	if (d == NULL)
		return;
	dkim_queue_free(&d->signer);	/* frees the jobs it still had */
	delivery_flush(-1, 0, d);
	while (d->ready) {
		struct delivery_job *j = d->ready;
		d->ready = j->next;
		delivery_job_free(j);
	}
	while (d->head) {
		struct delivery_job *j = d->head;
		d->head = j->next;
		delivery_job_free(j);
	}
	while (d->done) {
		struct delivery_job *j = d->done;
		d->done = j->next;
		delivery_job_free(j);
	}
	event_free(d->tick);
	event_free(d->flush);
	idset_free(&d->loaded);
	store_post_clear(&d->post);
	store_group_clear(&d->group);
	for (int i = 0; i < DELIVERY_BODIES; i++)
		delivery_tpl_unref(&d->bodies[i].tpl);
	free(d);
	*dp = NULL;
}
