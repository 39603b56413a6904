/*
 * Writing from the web: the SQL behind it (see store_webpost.h).
 */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "daemon/db.h"
#include "daemon/store_webpost.h"
#include "daemon/webpost.h"
#include "daemon/xalloc.h"

/* "web:ID", the inbound peer of member_id's web posts. */
static void
store_webpost_peer(char *out, size_t n, int64_t member_id)
{
	snprintf(out, n, "%s%" PRId64, WEBPOST_PEER_PREFIX, member_id);
}

int64_t
store_webpost_count_since(struct db *db, int64_t member_id, int64_t since)
{
	char peer[32];
	store_webpost_peer(peer, sizeof peer, member_id);
	/* the GLOB term repeats the partial index's, so the index is used */
	return db_int(db, "SELECT count(*) FROM inbound WHERE peer GLOB 'web:*'"
	    " AND peer = ? AND received >= ?", -1, "ti", peer, since);
}

int
store_webpost_outcome(struct db *db, int64_t inbound_id, int64_t member_id,
    struct webpost_outcome *out)
{
	char peer[32];
	store_webpost_peer(peer, sizeof peer, member_id);
	sqlite3_stmt *st = db_stmt(db, "SELECT i.state, coalesce(p.id, 0),"
	    " coalesce(p.thread_id, 0), coalesce(p.group_id, 0) FROM inbound i"
	    " LEFT JOIN posts p ON p.inbound_id = i.id WHERE i.id = ? AND"
	    " i.peer = ? ORDER BY p.id LIMIT 1", "it", inbound_id, peer);
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc == 1) {
		memset(out, 0, sizeof *out);
		xstrlcpy(out->state, db_col_text(st, 0), sizeof out->state);
		out->post_id = sqlite3_column_int64(st, 1);
		out->thread_id = sqlite3_column_int64(st, 2);
		out->group_id = sqlite3_column_int64(st, 3);
		sqlite3_reset(st);
	}
	return rc;
}

int
store_webpost_edit(struct db *db, int64_t post_id, int64_t member_id,
    const char *body, int64_t since, int64_t now)
{
	if (db_begin(db) == -1)
		return -1;
	if (db_run(db, "UPDATE posts SET body = ?, edited = ? WHERE id = ? AND"
	    " member_id = ? AND source = 'web' AND hidden = 0 AND created >= ?",
	    "tiiii", body, now, post_id, member_id, since) == -1) {
		db_rollback(db);
		return -1;
	}
	int n = db_changes(db);
	if (db_commit(db) == -1)
		return -1;
	return n > 0 ? 1 : 0;
}
