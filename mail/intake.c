/*
 * Intake (see intake.h). The data hook queues the message; a deferred event
 * commits everything queued in one BEGIN IMMEDIATE ... COMMIT with
 * synchronous=FULL, then answers every session. Sessions that finish DATA
 * while a commit is running join the next one: group commit.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "daemon/config.h"
#include "daemon/db.h"
#include "daemon/engine.h"
#include "daemon/log.h"
#include "daemon/store_group.h"
#include "daemon/store_mod.h"
#include "daemon/store_inbound.h"
#include "daemon/xalloc.h"
#include "mail/address.h"
#include "mail/compose.h"
#include "mail/intake.h"
#include "mail/process.h"

struct intake_msg {
	struct smtpd_session	*session;
	const char		*msg;
	size_t			 len;
	struct buf		 rcpts;
	struct buf		 received;
	char			*mail_from;
	char			*peer;
	struct intake_msg	*next;
};

struct intake {
	struct engine		*e;
	struct event		*commit;
	struct intake_msg	*head, *tail;
	size_t			 pending;
};

static int
intake_rcpt(void *arg, const struct smtpd_envelope *env, const char *rcpt,
    struct buf *reply)
{
	struct intake *in = arg;
	struct list_address la;
	struct group g;
	if (address_list_split(rcpt, in->e->cfg->list_domain, &la) == -1) {
		buf_printf(reply, "550 5.1.1 <%s>: no such address here", rcpt);
		return -1;
	}
	int rc = store_group_get(in->e->db, la.slug, &g);
	if (rc == -1) {
		buf_puts(reply, "451 4.3.0 temporary failure, try again later");
		return -1;
	}
	if (rc == 0) {
		buf_printf(reply, "550 5.1.1 <%s>: no such group", rcpt);
		return -1;
	}
	int archived = g.archived;
	store_group_clear(&g);
	if (archived && la.kind == ADDR_POST) {
		buf_printf(reply, "550 5.7.1 <%s>: this group is archived", rcpt);
		return -1;
	}
	if (la.kind == ADDR_MODERATE) {
		struct mod_token t;
		rc = store_mod_token_peek(in->e->db, la.token, &t);
		if (rc == -1) {
			buf_puts(reply, "451 4.3.0 temporary failure, try again later");
			return -1;
		}
		if (rc == 0) {
			buf_printf(reply, "550 5.1.1 <%s>: unknown, used or expired"
			    " moderation address", rcpt);
			return -1;
		}
	}
	return 0;
}

static void
intake_received(struct buf *out, const struct engine *e,
    const struct smtpd_envelope *env, int lmtp)
{
	struct buf date = BUF_INIT;
	compose_date(&date, db_now());
	buf_printf(out, "Received: from ");
	for (const char *p = env->helo ? env->helo : ""; *p; p++)
		buf_putc(out, (*p > ' ' && *p < 0x7f && *p != '(' && *p != ')') ?
		    *p : '?');
	buf_printf(out, " (%s)\r\n\tby %s (majlis) with %s%s;\r\n\t%s\r\n",
	    env->peer ? env->peer : "", e->cfg->hostname, lmtp ? "LMTP" :
	    env->esmtp ? "ESMTP" : "SMTP", env->tls ? "S" : "",
	    buf_cstr(&date));
	buf_free(&date);
}

static void
intake_msg_free(struct intake_msg *m)
{
	buf_free(&m->rcpts);
	buf_free(&m->received);
	free(m->mail_from);
	free(m->peer);
	free(m);
}

static void
intake_queue(struct intake *in, struct smtpd_session *s,
    const struct smtpd_envelope *env, const char *msg, size_t len, int lmtp)
{
	struct intake_msg *m = xcalloc(1, sizeof *m);
	m->session = s;
	m->msg = msg;
	m->len = len;
	for (size_t i = 0; i < env->nrcpts; i++)
		buf_printf(&m->rcpts, "%s%s", i ? "\n" : "", env->rcpts[i]);
	m->mail_from = xstrdup(env->mail_from);
	m->peer = xstrdup(env->peer ? env->peer : "");
	intake_received(&m->received, in->e, env, lmtp);
	if (in->tail)
		in->tail->next = m;
	else
		in->head = m;
	in->tail = m;
	in->pending++;
	event_active(in->commit, 0, 0);
}

static void
intake_data_smtp(void *arg, struct smtpd_session *s,
    const struct smtpd_envelope *env, const char *msg, size_t len)
{
	intake_queue(arg, s, env, msg, len, 0);
}

static void
intake_data_lmtp(void *arg, struct smtpd_session *s,
    const struct smtpd_envelope *env, const char *msg, size_t len)
{
	intake_queue(arg, s, env, msg, len, 1);
}

const struct smtpd_hooks intake_hooks = { intake_rcpt, intake_data_smtp };
const struct smtpd_hooks intake_hooks_lmtp = { intake_rcpt, intake_data_lmtp };

/* Insert one message; the raw copy is the Received line then the data. */
static int64_t
intake_store(struct intake *in, struct intake_msg *m, struct buf *tmp)
{
	buf_reset(tmp);
	buf_append(tmp, m->received.data, m->received.len);
	buf_append(tmp, m->msg, m->len);
	return store_inbound_add(in->e->db, m->mail_from, buf_cstr(&m->rcpts),
	    m->peer, tmp->data, tmp->len);
}

static void
intake_commit(evutil_socket_t fd, short ev, void *arg)
{
	struct intake *in = arg;
	struct intake_msg *batch = in->head, *m;
	int64_t ids[INTAKE_MAX_BATCH];
	size_t n = 0;
	struct buf tmp = BUF_INIT;
	int ok = db_begin(in->e->db) == 0;
	for (m = batch; m && n < INTAKE_MAX_BATCH && ok; m = m->next, n++)
		if ((ids[n] = intake_store(in, m, &tmp)) == -1)
			ok = 0;
	if (ok)
		ok = db_commit(in->e->db) == 0;
	else
		db_rollback(in->e->db);
	buf_free(&tmp);
	if (!ok)
		n = 0;
	/* answer and drop the first n (committed) or, on failure, the batch */
	size_t answered = 0, limit = ok ? n : INTAKE_MAX_BATCH;
	while (in->head && answered < limit) {
		m = in->head;
		in->head = m->next;
		if (in->head == NULL)
			in->tail = NULL;
		in->pending--;
		if (ok) {
			char reply[96];
			snprintf(reply, sizeof reply, "250 2.0.0 Ok: queued as %lld",
			    (long long)ids[answered]);
			smtpd_data_done(m->session, 1, reply);
		} else
			smtpd_data_done(m->session, 0, NULL);
		intake_msg_free(m);
		answered++;
	}
	if (ok)
		for (size_t i = 0; i < n; i++)
			process_enqueue(in->e->process, ids[i]);
	if (!ok)
		log_warnx("intake: commit of %zu message(s) failed, answered 451",
		    answered);
	if (in->head)
		event_active(in->commit, 0, 0);
}

struct intake *
intake_new(struct engine *e)
{
	struct intake *in = xcalloc(1, sizeof *in);
	in->e = e;
	in->commit = event_new(e->base, -1, 0, intake_commit, in);
	return in;
}

void
intake_free(struct intake **inp)
{
	struct intake *in = *inp;
	if (in == NULL)
		return;
	while (in->head) {
		struct intake_msg *m = in->head;
		in->head = m->next;
		smtpd_data_done(m->session, 0, NULL);
		intake_msg_free(m);
	}
	event_free(in->commit);
	free(in);
	*inp = NULL;
}

size_t
intake_pending(const struct intake *in)
{
	return in->pending;
}
