/*
 * The SQL of daemon/store_digestreply.h.
 */
#include <config.h>

#include "daemon/db.h"
#include "daemon/store_digestreply.h"

int
store_digestreply_thread(struct db *db, int64_t group_id, int64_t thread_id,
    int64_t *root)
{
	int64_t id = db_int(db, "SELECT coalesce(min(id), 0) FROM posts WHERE"
	    " thread_id = ? AND group_id = ?", -1, "ii", thread_id, group_id);
	if (id == -1)
		return -1;
	*root = id;
	return id > 0;
}

int
store_digestreply_subjects(struct db *db, int64_t group_id, int max,
    int (*fn)(void *, int64_t thread_id, const char *subject), void *arg)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id, subject FROM threads WHERE"
	    " group_id = ? ORDER BY last_post DESC, id DESC LIMIT ?", "id",
	    group_id, max);
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = db_step(db, st)) == 1)
		if (fn(arg, sqlite3_column_int64(st, 0),
		    db_col_text(st, 1)) == -1) {
			sqlite3_reset(st);
			return 0;
		}
	return rc;
}

int
store_digestreply_bodies(struct db *db, int64_t group_id, int threads,
    int posts, int (*fn)(void *, int64_t thread_id, int64_t post_id,
    const char *body), void *arg)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT p.thread_id, p.id, p.body FROM"
	    " posts p WHERE p.group_id = ? AND p.thread_id IN (SELECT id FROM"
	    " threads WHERE group_id = ? ORDER BY last_post DESC, id DESC LIMIT"
	    " ?) ORDER BY p.id DESC LIMIT ?", "iidd", group_id, group_id,
	    threads, posts);
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = db_step(db, st)) == 1)
		if (fn(arg, sqlite3_column_int64(st, 0), sqlite3_column_int64(st,
		    1), db_col_text(st, 2)) == -1) {
			sqlite3_reset(st);
			return 0;
		}
	return rc;
}

int
store_digestreply_notice_take(struct db *db, int64_t group_id,
    const char *email, int64_t now, int64_t min)
{
	/* the group's rows whose window is over say nothing any more */
	if (db_run(db, "DELETE FROM digestreply_notice WHERE group_id = ? AND"
	    " sent <= ? AND email <> ?", "iit", group_id, now - min, email) == -1)
		return -1;
	if (db_run(db, "INSERT INTO digestreply_notice(group_id, email, sent)"
	    " VALUES (?, ?, ?) ON CONFLICT(group_id, email) DO UPDATE SET"
	    " sent = excluded.sent WHERE sent <= excluded.sent - ?", "itii",
	    group_id, email, now, min) == -1)
		return -1;
	return db_changes(db) > 0;
}
