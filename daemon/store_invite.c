/*
 * Pending invitations: the SQL (see store_invite.h).
 */
#include <config.h>

#include <string.h>

#include "daemon/db.h"
#include "daemon/store_invite.h"
#include "daemon/xalloc.h"

int
store_invite_put(struct db *db, int64_t group_id, const char *email,
    const char *invited_by, int64_t ttl, char out[TOKEN_LEN + 1])
{
	char hash[TOKEN_HASH_LEN + 1];
	int64_t now = db_now();
	token_random(out);
	token_hash(out, hash);
	if (db_run(db, "DELETE FROM invites WHERE expires < ?", "i", now) == -1)
		return -1;
	return db_run(db, "INSERT INTO invites(group_id, email, hash, invited_by,"
	    " created, expires) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT"
	    " (group_id, email) DO UPDATE SET hash = ?3, invited_by = ?4,"
	    " created = ?5, expires = ?6", "itttii", group_id, email, hash,
	    invited_by, now, now + ttl);
}

static void
store_invite_row(sqlite3_stmt *st, struct invite *out)
{
	memset(out, 0, sizeof *out);
	out->group_id = sqlite3_column_int64(st, 0);
	xstrlcpy(out->email, db_col_text(st, 1), sizeof out->email);
	xstrlcpy(out->invited_by, db_col_text(st, 2), sizeof out->invited_by);
	out->created = sqlite3_column_int64(st, 3);
	out->expires = sqlite3_column_int64(st, 4);
}

int
store_invite_get(struct db *db, const char *token, struct invite *out)
{
	char hash[TOKEN_HASH_LEN + 1];
	if (strlen(token) != TOKEN_LEN)
		return 0;
	token_hash(token, hash);
	sqlite3_stmt *st = db_stmt(db, "SELECT group_id, email, invited_by,"
	    " created, expires FROM invites WHERE hash = ? AND expires >= ?",
	    "ti", hash, db_now());
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc == 1)
		store_invite_row(st, out);
	sqlite3_reset(st);
	return rc;
}

int
store_invite_take(struct db *db, const char *token, struct invite *out)
{
	int rc = store_invite_get(db, token, out);
	if (rc != 1)
		return rc;
	char hash[TOKEN_HASH_LEN + 1];
	token_hash(token, hash);
	if (db_run(db, "DELETE FROM invites WHERE hash = ?", "t", hash) == -1)
		return -1;
	return db_changes(db) > 0;
}

int
store_invite_created(struct db *db, int64_t group_id, const char *email,
    int64_t *created)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT created FROM invites WHERE"
	    " group_id = ? AND email = ? AND expires >= ?", "iti", group_id,
	    email, db_now());
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc == 1)
		*created = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc;
}

int
store_invite_revoke(struct db *db, int64_t group_id, const char *email)
{
	if (db_run(db, "DELETE FROM invites WHERE group_id = ? AND email = ?"
	    " AND expires >= ?", "iti", group_id, email, db_now()) == -1)
		return -1;
	return db_changes(db) > 0;
}

int
store_invite_each(struct db *db, int64_t group_id, int limit,
    int (*fn)(void *, const struct invite *), void *arg)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT group_id, email, invited_by,"
	    " created, expires FROM invites WHERE group_id = ? AND expires >= ?"
	    " ORDER BY created, id LIMIT ?", "iii", group_id, db_now(),
	    (int64_t)limit);
	if (st == NULL)
		return -1;
	int rc;
	struct invite inv;
	while ((rc = db_step(db, st)) == 1) {
		store_invite_row(st, &inv);
		if (fn(arg, &inv) == -1)
			break;
	}
	sqlite3_reset(st);
	return rc == -1 ? -1 : 0;
}
