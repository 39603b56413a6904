/*
 * Bans (see store_ban.h): the table "bans" of schema migration 8. The
 * matching itself is daemon/ban.c; this file only reads and writes rows.
 */
#include <config.h>

#include <string.h>

#include "daemon/db.h"
#include "daemon/store_ban.h"

int64_t
store_ban_add(struct db *db, int64_t group_id, enum ban_kind kind,
    const char *value, int subdomains, const char *by)
{
	int64_t n = db_int(db, "SELECT count(*) FROM bans WHERE"
	    " coalesce(group_id, 0) = ?", -1, "i", group_id);
	if (n == -1)
		return -1;
	if (db_int(db, "SELECT count(*) FROM bans WHERE coalesce(group_id, 0) ="
	    " ? AND value = ?", -1, "it", group_id, value) > 0)
		return 0;
	if (n >= STORE_BAN_MAX)
		return -2;
	if (db_run(db, "INSERT INTO bans(group_id, kind, value, subdomains,"
	    " added_by, created) VALUES (nullif(?, 0), ?, ?, ?, ?, ?)", "ittdti",
	    group_id, ban_kind_name(kind), value, subdomains ? 1 : 0,
	    by ? by : "", db_now()) == -1)
		return -1;
	return db_last_id(db);
}

int
store_ban_remove(struct db *db, int64_t id)
{
	if (db_run(db, "DELETE FROM bans WHERE id = ?", "i", id) == -1)
		return -1;
	return db_changes(db) > 0;
}

int
store_ban_remove_address(struct db *db, int64_t group_id, const char *addr)
{
	if (db_run(db, "DELETE FROM bans WHERE coalesce(group_id, 0) = ? AND"
	    " kind = 'address' AND value = lower(?)", "it", group_id,
	    addr) == -1)
		return -1;
	return db_changes(db) > 0;
}

#define STORE_BAN_COLS "b.id, coalesce(b.group_id, 0), coalesce(g.slug, ''),"\
	" b.kind, b.value, b.subdomains, b.added_by, b.created FROM bans b"\
	" LEFT JOIN groups g ON g.id = b.group_id"

static void
store_ban_row(sqlite3_stmt *st, struct ban_row *r)
{
	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(st, 0);
	r->group_id = sqlite3_column_int64(st, 1);
	r->slug = db_col_text(st, 2);
	if (ban_kind_from_name(db_col_text(st, 3), &r->kind) == -1)
		r->kind = BAN_ADDRESS;
	r->value = db_col_text(st, 4);
	r->subdomains = sqlite3_column_int(st, 5);
	r->added_by = db_col_text(st, 6);
	r->created = sqlite3_column_int64(st, 7);
}

int
store_ban_get(struct db *db, int64_t id, struct ban_row *out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " STORE_BAN_COLS
	    " WHERE b.id = ?", "i", id);
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc == 1)
		store_ban_row(st, out);
	return rc;
}

int
store_ban_each(struct db *db, enum store_ban_scope scope, int64_t group_id,
    int (*fn)(void *, const struct ban_row *), void *arg)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " STORE_BAN_COLS " WHERE ?1 = 0"
	    " OR (?1 = 1 AND b.group_id IS NULL) OR (?1 = 2 AND b.group_id = ?2)"
	    " ORDER BY coalesce(g.slug, ''), b.id", "di", (int)scope, group_id);
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = db_step(db, st)) == 1) {
		struct ban_row r;
		store_ban_row(st, &r);
		if (fn(arg, &r) == -1) {
			sqlite3_reset(st);
			return 0;
		}
	}
	return rc;
}

int
store_ban_check(struct db *db, int64_t group_id, const char *addr,
    struct buf *why)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT kind, value, subdomains FROM bans"
	    " WHERE group_id IS NULL OR group_id = ? ORDER BY id", "i", group_id);
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = db_step(db, st)) == 1) {
		enum ban_kind k;
		const char *v = db_col_text(st, 1);
		if (ban_kind_from_name(db_col_text(st, 0), &k) == -1 ||
		    !ban_match(k, v, sqlite3_column_int(st, 2), addr))
			continue;
		buf_reset(why);
		buf_printf(why, "%s %s", ban_kind_name(k), v);
		sqlite3_reset(st);
		return 1;
	}
	return rc;
}
