/*
 * Accounts, sessions and rate limits: the SQL (see store_account.h).
 */
#include <config.h>

#include <string.h>

#include "daemon/account.h"
#include "daemon/db.h"
#include "daemon/store_account.h"
#include "daemon/xalloc.h"

#define STORE_ACCOUNT_COLS "m.id, m.email, m.name, m.locale, m.timezone," \
	" coalesce(m.password_hash, ''), m.password_hash IS NOT NULL, m.is_admin"

static void
store_account_row(sqlite3_stmt *st, int c, struct account *a)
{
	memset(a, 0, sizeof *a);
	a->id = sqlite3_column_int64(st, c);
	xstrlcpy(a->email, db_col_text(st, c + 1), sizeof a->email);
	xstrlcpy(a->name, db_col_text(st, c + 2), sizeof a->name);
	xstrlcpy(a->locale, db_col_text(st, c + 3), sizeof a->locale);
	xstrlcpy(a->timezone, db_col_text(st, c + 4), sizeof a->timezone);
	xstrlcpy(a->password_hash, db_col_text(st, c + 5),
	    sizeof a->password_hash);
	a->has_password = sqlite3_column_int(st, c + 6);
	a->is_admin = sqlite3_column_int(st, c + 7);
}

static int
store_account_one(struct db *db, sqlite3_stmt *st, struct account *a)
{
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc == 1)
		store_account_row(st, 0, a);
	sqlite3_reset(st);
	return rc;
}

int
store_account_by_email(struct db *db, const char *email, struct account *a)
{
	return store_account_one(db, db_stmt(db, "SELECT " STORE_ACCOUNT_COLS
	    " FROM members m WHERE m.email = ?", "t", email), a);
}

int
store_account_by_id(struct db *db, int64_t id, struct account *a)
{
	return store_account_one(db, db_stmt(db, "SELECT " STORE_ACCOUNT_COLS
	    " FROM members m WHERE m.id = ?", "i", id), a);
}

int
store_account_set_password(struct db *db, int64_t member_id, const char *hash)
{
	if (db_run(db, "UPDATE members SET password_hash = ? WHERE id = ?",
	    "ti", hash, member_id) == -1)
		return -1;
	return db_run(db, "UPDATE tokens SET used = 1 WHERE kind = ? AND used = 0"
	    " AND email = (SELECT email FROM members WHERE id = ?)"
	    " COLLATE NOCASE", "ti", ACCOUNT_KIND_RESET, member_id);
}

int
store_account_hash_is(struct db *db, int64_t member_id, const char *hash)
{
	return (int)db_int(db, "SELECT count(*) FROM members WHERE id = ?"
	    " AND coalesce(password_hash, '') = ?", -1, "it", member_id, hash);
}

int
store_account_set_name(struct db *db, int64_t member_id, const char *name)
{
	return db_run(db, "UPDATE members SET name = ? WHERE id = ?", "ti", name,
	    member_id);
}

int
store_account_set_admin(struct db *db, int64_t member_id, int is_admin)
{
	return db_run(db, "UPDATE members SET is_admin = ? WHERE id = ?", "di",
	    is_admin ? 1 : 0, member_id);
}

int
store_account_set_profile(struct db *db, int64_t member_id, const char *name,
    const char *locale, const char *timezone)
{
	return db_run(db, "UPDATE members SET name = ?, locale = ?, timezone = ?"
	    " WHERE id = ?", "ttti", name, locale, timezone, member_id);
}

int
store_account_groups(struct db *db, int64_t member_id,
    int (*fn)(void *, const struct account_group *), void *arg)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT g.id, g.slug, g.name,"
	    " ms.delivery, ms.receive_own FROM memberships ms JOIN groups g ON"
	    " g.id = ms.group_id WHERE ms.member_id = ? ORDER BY g.slug", "i",
	    member_id);
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = db_step(db, st)) == 1) {
		struct account_group ag = {
			.group_id = sqlite3_column_int64(st, 0),
			.slug = db_col_text(st, 1), .name = db_col_text(st, 2),
			.delivery = db_col_text(st, 3),
			.receive_own = sqlite3_column_int(st, 4) };
		if (fn(arg, &ag) == -1) {
			rc = 0;
			break;
		}
	}
	sqlite3_reset(st);
	return rc == -1 ? -1 : 0;
}

int
store_account_pending_add(struct db *db, const char *token_hash,
    const char *password_hash, const char *locale)
{
	return db_run(db, "INSERT INTO account_pending(token_hash, password_hash,"
	    " locale) VALUES (?, ?, ?)", "ttt", token_hash, password_hash, locale);
}

int
store_account_pending_get(struct db *db, const char *token_hash,
    char hash[ACCOUNT_HASH_MAX + 1], char locale[4])
{
	sqlite3_stmt *st = db_stmt(db, "SELECT password_hash, locale FROM"
	    " account_pending WHERE token_hash = ?", "t", token_hash);
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc == 1) {
		xstrlcpy(hash, db_col_text(st, 0), ACCOUNT_HASH_MAX + 1);
		xstrlcpy(locale, db_col_text(st, 1), 4);
	}
	sqlite3_reset(st);
	return rc;
}

int64_t
store_session_add(struct db *db, const char *hash, int64_t member_id,
    int64_t now, int64_t expires, const char *csrf)
{
	if (db_run(db, "INSERT INTO sessions(hash, member_id, created, last_seen,"
	    " expires, csrf) VALUES (?, ?, ?, ?, ?, ?)", "tiiiit", hash,
	    member_id, now, now, expires, csrf) == -1)
		return -1;
	return db_last_id(db);
}

int
store_session_get(struct db *db, const char *hash, int64_t now, int64_t idle,
    struct session_row *s)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT s.id, s.created, s.last_seen,"
	    " s.expires, s.csrf, " STORE_ACCOUNT_COLS " FROM sessions s JOIN"
	    " members m ON m.id = s.member_id WHERE s.hash = ? AND s.expires > ?"
	    " AND s.last_seen + ? > ?", "tiii", hash, now, idle, now);
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc == 1) {
		memset(s, 0, sizeof *s);
		s->id = sqlite3_column_int64(st, 0);
		s->created = sqlite3_column_int64(st, 1);
		s->last_seen = sqlite3_column_int64(st, 2);
		s->expires = sqlite3_column_int64(st, 3);
		xstrlcpy(s->csrf, db_col_text(st, 4), sizeof s->csrf);
		store_account_row(st, 5, &s->account);
	}
	sqlite3_reset(st);
	return rc;
}

int
store_session_touch(struct db *db, int64_t id, int64_t now)
{
	return db_run(db, "UPDATE sessions SET last_seen = ? WHERE id = ?", "ii",
	    now, id);
}

int
store_session_exists(struct db *db, int64_t id)
{
	return (int)db_int(db, "SELECT count(*) FROM sessions WHERE id = ?", -1,
	    "i", id);
}

int
store_session_delete(struct db *db, int64_t id)
{
	return db_run(db, "DELETE FROM sessions WHERE id = ?", "i", id);
}

int
store_session_delete_member(struct db *db, int64_t member_id)
{
	return db_run(db, "DELETE FROM sessions WHERE member_id = ?", "i",
	    member_id);
}

int
store_session_purge(struct db *db, int64_t now, int64_t idle)
{
	return db_run(db, "DELETE FROM sessions WHERE expires <= ? OR"
	    " last_seen + ? <= ?", "iii", now, idle, now);
}

int64_t
store_session_count(struct db *db, int64_t member_id)
{
	return db_int(db, "SELECT count(*) FROM sessions WHERE member_id = ?", -1,
	    "i", member_id);
}

/* The count of key's bucket in its current window at now, 0 when none or
 * when the window is over; -1 on error. */
static int64_t
store_rate_count(struct db *db, const char *key, int64_t window, int64_t now)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT window_start, count FROM"
	    " rate_limits WHERE key = ?", "t", key);
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	int64_t count = 0;
	if (rc == 1 && sqlite3_column_int64(st, 0) + window > now)
		count = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	return rc == -1 ? -1 : count;
}

int
store_rate_ok(struct db *db, const char *key, int64_t window, int max,
    int64_t now)
{
	int64_t c = store_rate_count(db, key, window, now);
	return c == -1 ? -1 : c < max;
}

int
store_rate_hit(struct db *db, const char *key, int64_t window, int max,
    int64_t now)
{
	int64_t c = store_rate_count(db, key, window, now);
	if (c == -1)
		return -1;
	if (c >= max)
		return 0;
	int rc;
	if (c == 0)
		rc = db_run(db, "INSERT INTO rate_limits(key, window_start, count)"
		    " VALUES (?, ?, 1) ON CONFLICT(key) DO UPDATE SET"
		    " window_start = excluded.window_start, count = 1", "ti", key,
		    now);
	else
		rc = db_run(db, "UPDATE rate_limits SET count = count + 1 WHERE"
		    " key = ?", "t", key);
	return rc == -1 ? -1 : 1;
}

int
store_rate_clear(struct db *db, const char *key)
{
	return db_run(db, "DELETE FROM rate_limits WHERE key = ?", "t", key);
}

int
store_rate_purge(struct db *db, int64_t before)
{
	return db_run(db, "DELETE FROM rate_limits WHERE window_start < ?", "i",
	    before);
}
