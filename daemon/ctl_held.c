/*
 * majlisctl held list|approve|reject|discard: moderation from the command
 * line. An approval releases the inbound message; the running daemon then
 * publishes it by itself.
 */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "daemon/ctl.h"
#include "daemon/db.h"
#include "daemon/moddecide.h"
#include "daemon/store_digestreply.h"
#include "daemon/store_group.h"
#include "daemon/store_held.h"
#include "daemon/store_inbound.h"

struct ctl_held_listing {
	struct json		*json;
	struct ctl_table	*table;
};

static int
ctl_held_list_cb(void *arg, const struct held *h)
{
	struct ctl_held_listing *l = arg;

	if (l->json) {
		struct json *j = l->json;
		json_begin_object(j);
		json_kv_int(j, "id", h->id);
		json_kv_string(j, "group", h->slug);
		json_kv_int(j, "inbound_id", h->inbound_id);
		json_kv_string(j, "sender", h->sender);
		json_kv_string(j, "subject", h->subject);
		json_kv_string(j, "reason", h->reason);
		json_kv_string(j, "state", h->state);
		ctl_json_time(j, "created", h->created);
		json_end_object(j);
		return 0;
	}
	ctl_table_addf(l->table, "%" PRId64, h->id);
	ctl_table_add(l->table, h->slug);
	ctl_table_add_time(l->table, h->created);
	ctl_table_add(l->table, h->sender);
	ctl_table_add(l->table, h->reason);
	ctl_table_add(l->table, h->subject);
	return 0;
}

int
ctl_held_list(struct ctl *ctl, int argc, char **argv)
{
	static const char *const heads[] = { "ID", "GROUP", "HELD SINCE",
	    "FROM", "REASON", "SUBJECT" };
	struct ctl_opt opts[] = { { "--json", 0, 0, NULL } };
	struct ctl_held_listing l = { NULL, NULL };
	struct buf out = BUF_INIT;
	struct ctl_table t;
	const char *pos[1];
	struct group g;
	struct json j;
	int npos, rc;

	memset(&g, 0, sizeof g);
	if ((rc = ctl_args(ctl, argc, argv, opts, 1, pos, 0, 1, &npos)) != 0 ||
	    (npos == 1 && (rc = ctl_group_get(ctl, pos[0], &g)) != 0))
		return rc;
	json_init(&j, &out);
	ctl_table_init(&t, 6, heads);
	if (opts[0].seen) {
		l.json = &j;
		json_begin_array(&j);
	} else
		l.table = &t;
	if (store_held_each(ctl->db, g.id, ctl_held_list_cb, &l) == -1)
		rc = ctl_err(CTL_EXIT_FAILURE, "cannot list the held messages");
	else if (opts[0].seen) {
		json_end_array(&j);
		rc = ctl_json_out(&j, &out);
	} else
		rc = ctl_table_print(&t);
	ctl_table_free(&t);
	buf_free(&out);
	store_group_clear(&g);
	return rc;
}

int
ctl_held_rejected(struct ctl *ctl, const struct held *h, const char *reason)
{
	return moddecide_notify_rejected(ctl->db, ctl->cfg.list_domain, h,
	    reason);
}

/* What follows a decision in the same transaction: the release of an
 * approved message, the hook of a rejected one. */
static int
ctl_held_after(struct ctl *ctl, const struct held *h, const char *state,
    const char *note)
{
	if (strcmp(state, "approved") == 0 &&
	    store_inbound_release(ctl->db, h->inbound_id) == -1)
		return ctl_err(CTL_EXIT_FAILURE, "cannot release inbound message"
		    " %" PRId64, h->inbound_id);
	if (strcmp(state, "rejected") == 0 &&
	    ctl_held_rejected(ctl, h, note) == -1)
		return ctl_err(CTL_EXIT_FAILURE, "cannot notify the sender of held"
		    " message %" PRId64, h->id);
	return 0;
}

/* Place held message h in thread (> 0) of its group when it is approved:
 * 0, or the exit code. */
static int
ctl_held_place(struct ctl *ctl, const struct held *h, int64_t thread)
{
	int64_t root;
	int rc = store_digestreply_thread(ctl->db, h->group_id, thread, &root);
	if (rc == 0)
		return ctl_err(CTL_EXIT_NOTFOUND, "group %s has no thread %"
		    PRId64, h->slug, thread);
	if (rc == -1 || store_held_place(ctl->db, h->id, thread) == -1)
		return ctl_err(CTL_EXIT_FAILURE, "cannot place held message %"
		    PRId64 " in thread %" PRId64, h->id, thread);
	return 0;
}

/* Decide held message id in one transaction: decision (an approval into
 * thread when thread > 0), follow-up, audit. */
static int
ctl_held_decide(struct ctl *ctl, int64_t id, const char *state,
    const char *action, const char *note, int64_t thread)
{
	struct buf detail = BUF_INIT;
	struct held h;
	int rc;

	if ((rc = ctl_begin(ctl)) != 0)
		return rc;
	rc = store_held_get(ctl->db, id, &h);
	if (rc == 0)
		return ctl_rollback(ctl, ctl_err(CTL_EXIT_NOTFOUND,
		    "no held message %" PRId64, id));
	if (rc == -1)
		return ctl_rollback(ctl, ctl_err(CTL_EXIT_FAILURE,
		    "cannot read held message %" PRId64, id));
	if (thread > 0 && strcmp(h.state, "pending") == 0 &&
	    (rc = ctl_held_place(ctl, &h, thread)) != 0) {
		store_held_clear(&h);
		return ctl_rollback(ctl, rc);
	}
	rc = store_held_decide(ctl->db, id, state, CTL_ACTOR, note);
	if (rc == 0)
		rc = ctl_err(CTL_EXIT_CONFLICT, "held message %" PRId64
		    ": already decided (%s)", id, h.state);
	else if (rc == -1)
		rc = ctl_err(CTL_EXIT_FAILURE, "cannot decide held message %"
		    PRId64, id);
	else if ((rc = ctl_held_after(ctl, &h, state, note)) == 0) {
		buf_printf(&detail, "held %" PRId64 " inbound %" PRId64, id,
		    h.inbound_id);
		if (thread > 0)
			buf_printf(&detail, " into thread %" PRId64, thread);
		if (note)
			buf_printf(&detail, ": %s", note);
		rc = ctl_audit(ctl, action, h.group_id, h.sender,
		    buf_cstr(&detail));
	}
	store_held_clear(&h);
	buf_free(&detail);
	if (rc != 0)
		return ctl_rollback(ctl, rc);
	if ((rc = ctl_commit(ctl)) != 0)
		return rc;
	printf("%s\n", state);
	return ctl_out(NULL, 0);
}

/* The commands without options but the ID. */
static int
ctl_held_simple(struct ctl *ctl, int argc, char **argv, const char *state,
    const char *action)
{
	const char *pos[1];
	int64_t id;
	int npos, rc;

	if ((rc = ctl_args(ctl, argc, argv, NULL, 0, pos, 1, 1, &npos)) != 0 ||
	    (rc = ctl_parse_id(pos[0], &id)) != 0)
		return rc;
	return ctl_held_decide(ctl, id, state, action, NULL, 0);
}

int
ctl_held_approve(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_opt opts[] = { { "--thread", 1, 0, NULL } };
	const char *pos[1];
	int64_t id, thread = 0;
	int npos, rc;

	if ((rc = ctl_args(ctl, argc, argv, opts, 1, pos, 1, 1, &npos)) != 0 ||
	    (rc = ctl_parse_id(pos[0], &id)) != 0 ||
	    (opts[0].value && (rc = ctl_parse_id(opts[0].value, &thread)) != 0))
		return rc;
	return ctl_held_decide(ctl, id, "approved", "held.approve", NULL,
	    thread);
}

int
ctl_held_discard(struct ctl *ctl, int argc, char **argv)
{
	return ctl_held_simple(ctl, argc, argv, "discarded", "held.discard");
}

int
ctl_held_reject(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_opt opts[] = { { "--reason", 1, 0, NULL } };
	const char *pos[1], *reason;
	int64_t id;
	int npos, rc;

	if ((rc = ctl_args(ctl, argc, argv, opts, 1, pos, 1, 1, &npos)) != 0 ||
	    (rc = ctl_parse_id(pos[0], &id)) != 0)
		return rc;
	reason = opts[0].value;
	if (reason != NULL && *reason == '\0')
		reason = NULL;
	if (reason != NULL && !ctl_valid_text(reason, CTL_REASON_MAX, 1))
		return ctl_err(CTL_EXIT_USAGE, "bad reason: at most %d bytes of"
		    " UTF-8 text", CTL_REASON_MAX);
	return ctl_held_decide(ctl, id, "rejected", "held.reject", reason, 0);
}
