/*
 * Held messages, the audit log and site settings: their SQL.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "daemon/db.h"
#include "daemon/store_held.h"
#include "daemon/token.h"
#include "daemon/xalloc.h"

void
store_held_clear(struct held *h)
{
	free(h->sender);
	free(h->subject);
	free(h->reason);
	free(h->decided_by);
	free(h->note);
	memset(h, 0, sizeof *h);
}

int64_t
store_held_add(struct db *db, int64_t group_id, int64_t inbound_id,
    const char *sender, const char *subject, const char *reason)
{
	if (db_run(db, "INSERT OR IGNORE INTO held(group_id, inbound_id, sender,"
	    " subject, reason, created) VALUES (?, ?, ?, ?, ?, ?)", "iittti", group_id, inbound_id, sender, subject, reason, db_now()) == -1)
		return -1;
	return db_changes(db) ? db_last_id(db) : 0;
}

#define HELD_COLS \
	"h.id, h.group_id, h.inbound_id, h.created, coalesce(h.decided_at, 0), " \
	"g.slug, h.sender, h.subject, h.reason, h.state, h.decided_by, h.note"

static void
store_held_row(sqlite3_stmt *st, struct held *h)
{
	memset(h, 0, sizeof *h);
	h->id = sqlite3_column_int64(st, 0);
	h->group_id = sqlite3_column_int64(st, 1);
	h->inbound_id = sqlite3_column_int64(st, 2);
	h->created = sqlite3_column_int64(st, 3);
	h->decided_at = sqlite3_column_int64(st, 4);
	xstrlcpy(h->slug, db_col_text(st, 5), sizeof h->slug);
	h->sender = xstrdup(db_col_text(st, 6));
	h->subject = xstrdup(db_col_text(st, 7));
	h->reason = xstrdup(db_col_text(st, 8));
	xstrlcpy(h->state, db_col_text(st, 9), sizeof h->state);
	h->decided_by = xstrdup(db_col_text(st, 10));
	h->note = xstrdup(db_col_text(st, 11));
}

int
store_held_get(struct db *db, int64_t id, struct held *out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " HELD_COLS " FROM held h"
	    " JOIN groups g ON g.id = h.group_id WHERE h.id = ?", "i", id);
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc == 1) {
		store_held_row(st, out);
		sqlite3_reset(st);
	}
	return rc;
}

int
store_held_each(struct db *db, int64_t group_id,
    int (*fn)(void *, const struct held *), void *arg)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " HELD_COLS " FROM held h"
	    " JOIN groups g ON g.id = h.group_id WHERE h.state = 'pending' AND"
	    " (? = 0 OR h.group_id = ?) ORDER BY h.id", "ii", group_id, group_id);
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = db_step(db, st)) == 1) {
		struct held h;
		store_held_row(st, &h);
		int stop = fn(arg, &h);
		store_held_clear(&h);
		if (stop == -1) {
			sqlite3_reset(st);
			return 0;
		}
	}
	return rc;
}

int
store_held_decide(struct db *db, int64_t id, const char *state,
    const char *actor, const char *note)
{
	if (db_run(db, "UPDATE held SET state = ?, decided_by = ?, decided_at = ?,"
	    " note = ? WHERE id = ? AND state = 'pending'", "ttiti", state, actor,
	    db_now(), note ? note : "", id) == -1)
		return -1;
	return db_changes(db) > 0;
}

int
store_held_place(struct db *db, int64_t id, int64_t thread_id)
{
	return db_run(db, "UPDATE held SET place_thread = ? WHERE id = ? AND"
	    " state = 'pending'", "ii", thread_id, id);
}

int
store_held_approved(struct db *db, int64_t group_id, int64_t inbound_id,
    int64_t *thread_id)
{
	int64_t t = db_int(db, "SELECT place_thread FROM held WHERE group_id = ?"
	    " AND inbound_id = ? AND state = 'approved'", -1, "ii", group_id,
	    inbound_id);
	if (t < 0)
		return 0;
	*thread_id = t;
	return 1;
}

int
store_audit(struct db *db, const char *actor, const char *action,
    int64_t group_id, const char *target, const char *detail)
{
	return db_run(db, "INSERT INTO audit_log(time, actor, action, group_id,"
	    " target, detail) VALUES (?, ?, ?, nullif(?, 0), ?, ?)", "ittitt",
	    db_now(), actor, action, group_id, target ? target : "",
	    detail ? detail : "");
}

int
store_setting_get(struct db *db, const char *key, struct buf *out)
{
	return db_text(db, out, "SELECT value FROM settings WHERE key = ?", "t",
	    key) == 1;
}

int
store_setting_set(struct db *db, const char *key, const char *value)
{
	return db_run(db, "INSERT INTO settings(key, value) VALUES (?, ?)"
	    " ON CONFLICT(key) DO UPDATE SET value = excluded.value", "tt", key,
	    value);
}

int
store_site_secret(struct db *db, struct buf *out)
{
	if (store_setting_get(db, "secret", out))
		return 0;
	char a[TOKEN_LEN + 1], b[TOKEN_LEN + 1];
	token_random(a);
	token_random(b);
	buf_printf(out, "%s%s", a, b);
	int own = sqlite3_get_autocommit(db_handle(db));
	if (own && db_begin(db) == -1)
		return -1;
	if (db_run(db, "INSERT OR IGNORE INTO settings(key, value) VALUES"
	    " ('secret', ?)", "t", buf_cstr(out)) == -1) {
		if (own)
			db_rollback(db);
		return -1;
	}
	if (own && db_commit(db) == -1)
		return -1;
	buf_reset(out);
	return store_setting_get(db, "secret", out) ? 0 : -1;
}
