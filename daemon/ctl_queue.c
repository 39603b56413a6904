/*
 * majlisctl queue list|retry: the outbox as the operator sees it, and
 * making deliveries due now (the daemon's scheduler picks them up); a
 * failed digest copy whose shared body is gone is refused with the reason.
 */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "daemon/ctl.h"
#include "daemon/db.h"
#include "daemon/store_outbox.h"

struct ctl_queue_listing {
	struct json		*json;
	struct ctl_table	*table;
	int			 all;	/* sent rows too */
};

static void
ctl_queue_json(struct json *j, const struct outbox_row *r)
{
	json_begin_object(j);
	json_kv_int(j, "id", r->id);
	json_kv_string(j, "kind", r->kind);
	json_key(j, "post_id");
	if (r->post_id)
		json_int(j, r->post_id);
	else
		json_null(j);
	json_key(j, "group_id");
	if (r->group_id)
		json_int(j, r->group_id);
	else
		json_null(j);
	json_kv_string(j, "rcpt", r->rcpt);
	json_kv_string(j, "state", r->state);
	json_kv_int(j, "attempts", r->attempts);
	ctl_json_time(j, "created", r->created);
	ctl_json_time(j, "next_attempt", r->next_attempt);
	ctl_json_time(j, "updated", r->updated);
	json_kv_string(j, "last_reply", r->last_reply);
	json_end_object(j);
}

static int
ctl_queue_list_cb(void *arg, const struct outbox_row *r)
{
	struct ctl_queue_listing *l = arg;

	if (!l->all && strcmp(r->state, "sent") == 0)
		return 0;
	if (l->json) {
		ctl_queue_json(l->json, r);
		return 0;
	}
	ctl_table_addf(l->table, "%" PRId64, r->id);
	ctl_table_add(l->table, r->kind);
	ctl_table_add(l->table, r->rcpt);
	ctl_table_add(l->table, r->state);
	ctl_table_addf(l->table, "%d", r->attempts);
	if (strcmp(r->state, "queued") == 0)
		ctl_table_add_time(l->table, r->next_attempt);
	else
		ctl_table_add(l->table, NULL);
	ctl_table_add(l->table, r->last_reply);
	return 0;
}

int
ctl_queue_list(struct ctl *ctl, int argc, char **argv)
{
	static const char *const heads[] = { "ID", "KIND", "RCPT", "STATE",
	    "ATTEMPTS", "NEXT ATTEMPT", "LAST REPLY" };
	enum { O_JSON, O_ALL };
	struct ctl_opt opts[] = {
		{ "--json", 0, 0, NULL }, { "--all", 0, 0, NULL },
	};
	struct ctl_queue_listing l = { NULL, NULL, 0 };
	struct buf out = BUF_INIT;
	struct ctl_table t;
	struct json j;
	int npos, rc;

	if ((rc = ctl_args(ctl, argc, argv, opts, 2, NULL, 0, 0, &npos)) != 0)
		return rc;
	l.all = opts[O_ALL].seen;
	json_init(&j, &out);
	ctl_table_init(&t, 7, heads);
	if (opts[O_JSON].seen) {
		l.json = &j;
		json_begin_array(&j);
	} else
		l.table = &t;
	if (store_outbox_each(ctl->db, 0, ctl_queue_list_cb, &l) == -1)
		rc = ctl_err(CTL_EXIT_FAILURE, "cannot list the queue");
	else if (opts[O_JSON].seen) {
		json_end_array(&j);
		rc = ctl_json_out(&j, &out);
	} else
		rc = ctl_table_print(&t);
	ctl_table_free(&t);
	buf_free(&out);
	return rc;
}

int
ctl_queue_retry(struct ctl *ctl, int argc, char **argv)
{
	struct buf target = BUF_INIT, detail = BUF_INIT;
	const char *pos[1];
	int64_t id = 0, n;
	int npos, rc;

	if ((rc = ctl_args(ctl, argc, argv, NULL, 0, pos, 0, 1, &npos)) != 0 ||
	    (npos == 1 && (rc = ctl_parse_id(pos[0], &id)) != 0) ||
	    (rc = ctl_begin(ctl)) != 0)
		return rc;
	int gone = id > 0 ? store_outbox_body_gone(ctl->db, id) : 0;
	n = gone != 0 ? -1 : store_outbox_retry(ctl->db, id);
	if (gone == 1)
		rc = ctl_err(CTL_EXIT_CONFLICT, "outbox %" PRId64 " is a digest"
		    " copy whose body was dropped when no queued copy used it any"
		    " more; it cannot be sent again (its posts stay on the"
		    " group's web pages)", id);
	else if (n == -1)
		rc = ctl_err(CTL_EXIT_FAILURE, "cannot reschedule the queue");
	else if (id > 0 && n == 0)
		rc = ctl_err(CTL_EXIT_NOTFOUND, "no queued or failed delivery %"
		    PRId64, id);
	else {
		if (id > 0)
			buf_printf(&target, "outbox %" PRId64, id);
		else
			buf_puts(&target, "outbox");
		buf_printf(&detail, "%" PRId64 " due now", n);
		rc = ctl_audit(ctl, "queue.retry", 0, buf_cstr(&target),
		    buf_cstr(&detail));
	}
	buf_free(&target);
	buf_free(&detail);
	if (rc != 0)
		return ctl_rollback(ctl, rc);
	if ((rc = ctl_commit(ctl)) != 0)
		return rc;
	printf("%" PRId64 " deliver%s due now\n", n, n == 1 ? "y" : "ies");
	return ctl_out(NULL, 0);
}
