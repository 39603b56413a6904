/*
 * Single-use tokens: the SQL. Only the SHA-256 of a token is stored.
 */
#include <config.h>

#include <string.h>

#include "daemon/db.h"
#include "daemon/store_token.h"
#include "daemon/xalloc.h"

int
store_token_add(struct db *db, const char *kind, int64_t group_id,
    const char *email, const char *name, int64_t ttl, char out[TOKEN_LEN + 1])
{
	char hash[TOKEN_HASH_LEN + 1];
	int64_t now = db_now();
	token_random(out);
	token_hash(out, hash);
	return db_run(db, "INSERT INTO tokens(hash, kind, group_id, email, name,"
	    " created, expires) VALUES (?, ?, nullif(?, 0), ?, ?, ?, ?)",
	    "ttittii", hash, kind, group_id, email, name ? name : "", now,
	    now + ttl);
}

int
store_token_peek(struct db *db, const char *token, struct token_info *info)
{
	char hash[TOKEN_HASH_LEN + 1];
	if (strlen(token) != TOKEN_LEN)
		return 0;
	token_hash(token, hash);
	sqlite3_stmt *st = db_stmt(db, "SELECT kind, coalesce(group_id, 0), email,"
	    " name, created, expires, used FROM tokens WHERE hash = ?", "t", hash);
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc != 1)
		return rc;
	memset(info, 0, sizeof *info);
	xstrlcpy(info->kind, db_col_text(st, 0), sizeof info->kind);
	info->group_id = sqlite3_column_int64(st, 1);
	xstrlcpy(info->email, db_col_text(st, 2), sizeof info->email);
	xstrlcpy(info->name, db_col_text(st, 3), sizeof info->name);
	info->created = sqlite3_column_int64(st, 4);
	info->expires = sqlite3_column_int64(st, 5);
	info->used = sqlite3_column_int(st, 6);
	sqlite3_reset(st);
	return !info->used && info->expires >= db_now();
}

int
store_token_use(struct db *db, const char *token, struct token_info *info)
{
	int rc = store_token_peek(db, token, info);
	if (rc != 1)
		return rc;
	char hash[TOKEN_HASH_LEN + 1];
	token_hash(token, hash);
	if (db_run(db, "UPDATE tokens SET used = 1 WHERE hash = ? AND used = 0",
	    "t", hash) == -1)
		return -1;
	return db_changes(db) > 0;
}
