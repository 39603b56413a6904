/*
 * The outbox's SQL.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "daemon/db.h"
#include "daemon/store_outbox.h"
#include "daemon/xalloc.h"

#define OUTBOX_COLS \
	"o.id, o.kind, coalesce(o.post_id, 0), coalesce(o.group_id, 0), " \
	"coalesce(o.member_id, 0), o.rcpt, o.message, o.state, o.attempts, " \
	"o.created, o.next_attempt, o.updated, o.last_reply, " \
	"coalesce(ms.unsub_token, ''), coalesce(o.body_id, 0)"
#define OUTBOX_FROM \
	" FROM outbox o LEFT JOIN memberships ms ON ms.group_id = o.group_id" \
	" AND ms.member_id = o.member_id"

void
store_outbox_clear(struct outbox_row *r)
{
	free(r->rcpt);
	free(r->last_reply);
	buf_free(&r->message);
	memset(r, 0, sizeof *r);
}

int64_t
store_outbox_fanout(struct db *db, int64_t post_id, int64_t group_id,
    int64_t author_member_id)
{
	int64_t now = db_now();
	if (db_run(db, "INSERT INTO outbox(kind, post_id, group_id, member_id,"
	    " rcpt, created, next_attempt, updated)"
	    " SELECT 'post', ?, ms.group_id, ms.member_id, m.email, ?, ?, ?"
	    " FROM memberships ms JOIN members m ON m.id = ms.member_id"
	    " WHERE ms.group_id = ? AND ms.delivery = 'each' AND"
	    " ms.suspended = 0 AND (ms.member_id <> ? OR ms.receive_own = 1)"
	    " ORDER BY ms.member_id", "iiiiii", post_id, now, now, now, group_id,
	    author_member_id) == -1)
		return -1;
	return db_changes(db);
}

int64_t
store_outbox_add_system(struct db *db, int64_t group_id, int64_t member_id,
    const char *rcpt, const char *msg, size_t len)
{
	int64_t now = db_now();
	if (db_run(db, "INSERT INTO outbox(kind, group_id, member_id, rcpt,"
	    " message, created, next_attempt, updated) VALUES ('system',"
	    " nullif(?, 0), nullif(?, 0), ?, ?, ?, ?, ?)", "iitbiii", group_id,
	    member_id, rcpt, msg, len, now, now, now) == -1)
		return -1;
	return db_last_id(db);
}

int64_t
store_outbox_add_digest(struct db *db, int64_t group_id, int64_t member_id,
    const char *rcpt, int64_t body_id)
{
	int64_t now = db_now();
	if (db_run(db, "INSERT INTO outbox(kind, group_id, member_id, rcpt,"
	    " body_id, created, next_attempt, updated) VALUES ('system', ?, ?,"
	    " ?, ?, ?, ?, ?)", "iitiiii", group_id, member_id, rcpt, body_id,
	    now, now, now) == -1)
		return -1;
	return db_last_id(db);
}

static void
store_outbox_row(sqlite3_stmt *st, struct outbox_row *r)
{
	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(st, 0);
	xstrlcpy(r->kind, db_col_text(st, 1), sizeof r->kind);
	r->post_id = sqlite3_column_int64(st, 2);
	r->group_id = sqlite3_column_int64(st, 3);
	r->member_id = sqlite3_column_int64(st, 4);
	r->rcpt = xstrdup(db_col_text(st, 5));
	if (sqlite3_column_type(st, 6) != SQLITE_NULL)
		buf_append(&r->message, sqlite3_column_blob(st, 6),
		    (size_t)sqlite3_column_bytes(st, 6));
	xstrlcpy(r->state, db_col_text(st, 7), sizeof r->state);
	r->attempts = sqlite3_column_int(st, 8);
	r->created = sqlite3_column_int64(st, 9);
	r->next_attempt = sqlite3_column_int64(st, 10);
	r->updated = sqlite3_column_int64(st, 11);
	r->last_reply = xstrdup(db_col_text(st, 12));
	xstrlcpy(r->unsub_token, db_col_text(st, 13), sizeof r->unsub_token);
	r->body_id = sqlite3_column_int64(st, 14);
}

static int
store_outbox_iterate(struct db *db, sqlite3_stmt *st,
    int (*fn)(void *, const struct outbox_row *), void *arg)
{
	int rc;
	while ((rc = db_step(db, st)) == 1) {
		struct outbox_row r;
		store_outbox_row(st, &r);
		int stop = fn(arg, &r);
		store_outbox_clear(&r);
		if (stop == -1) {
			sqlite3_reset(st);
			return 0;
		}
	}
	return rc;
}

int
store_outbox_due(struct db *db, int64_t now, int64_t cur_next, int64_t cur_id,
    int max, int (*fn)(void *, const struct outbox_row *), void *arg)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " OUTBOX_COLS OUTBOX_FROM
	    " WHERE o.state = 'queued' AND o.next_attempt <= ? AND"
	    " (o.next_attempt, o.id) > (?, ?) ORDER BY o.next_attempt, o.id"
	    " LIMIT ?",
	    "iiid", now, cur_next, cur_id, max);
	if (st == NULL)
		return -1;
	return store_outbox_iterate(db, st, fn, arg);
}

int
store_outbox_update(struct db *db, int64_t id, const char *state, int attempts,
    int64_t next_attempt, const char *reply)
{
	return db_run(db, "UPDATE outbox SET state = ?, attempts = ?,"
	    " next_attempt = ?, updated = ?, last_reply = ? WHERE id = ?",
	    "tdiiti", state, attempts, next_attempt, db_now(), reply, id);
}

int
store_outbox_each(struct db *db, int max,
    int (*fn)(void *, const struct outbox_row *), void *arg)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " OUTBOX_COLS OUTBOX_FROM
	    " ORDER BY o.id DESC LIMIT ?", "d", max > 0 ? max : -1);
	if (st == NULL)
		return -1;
	return store_outbox_iterate(db, st, fn, arg);
}

int
store_outbox_body_gone(struct db *db, int64_t id)
{
	return (int)db_int(db, "SELECT count(*) FROM outbox o WHERE o.id = ? AND"
	    " o.body_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM digest_bodies b"
	    " WHERE b.id = o.body_id)", -1, "i", id);
}

int64_t
store_outbox_retry(struct db *db, int64_t id)
{
	int rc;
	if (id > 0)
		rc = db_run(db, "UPDATE outbox SET state = 'queued', next_attempt = ?"
		    " WHERE id = ? AND state <> 'sent' AND (body_id IS NULL OR"
		    " EXISTS (SELECT 1 FROM digest_bodies b WHERE b.id ="
		    " outbox.body_id))", "ii", db_now(), id);
	else
		rc = db_run(db, "UPDATE outbox SET next_attempt = ? WHERE"
		    " state = 'queued'", "i", db_now());
	return rc == -1 ? -1 : db_changes(db);
}

int64_t
store_outbox_count(struct db *db, const char *state)
{
	return db_int(db, "SELECT count(*) FROM outbox WHERE state = ?", 0, "t",
	    state);
}
