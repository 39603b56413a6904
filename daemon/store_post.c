/*
 * Threads, posts and attachments: the SQL behind them.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "daemon/db.h"
#include "daemon/store_post.h"
#include "daemon/xalloc.h"

#define POST_COLS \
	"p.id, p.thread_id, p.group_id, coalesce(p.parent_id, 0), " \
	"coalesce(p.member_id, 0), p.author_name, p.author_email, p.subject, " \
	"p.body, p.mime_part, p.message_id, p.refs, " \
	"coalesce(pp.message_id, ''), p.created, p.source, p.hidden"

void
store_post_clear(struct post *p)
{
	free(p->author_name);
	free(p->author_email);
	free(p->subject);
	free(p->body);
	buf_free(&p->mime_part);
	free(p->message_id);
	free(p->refs);
	free(p->parent_message_id);
	memset(p, 0, sizeof *p);
}

int64_t
store_post_add(struct db *db, const struct post_new *p)
{
	int64_t now = db_now(), thread_id = p->thread_id;
	if (thread_id == 0) {
		if (db_run(db, "INSERT INTO threads(group_id, subject, subject_norm,"
		    " created, last_post) VALUES (?, ?, ?, ?, ?)", "ittii",
		    p->group_id, p->subject, p->subject_norm, now, now) == -1)
			return -1;
		thread_id = db_last_id(db);
	}
	if (db_run(db, "INSERT INTO posts(thread_id, group_id, parent_id,"
	    " member_id, author_name, author_email, subject, body, mime_part,"
	    " message_id, refs, created, source, inbound_id) VALUES"
	    " (?, ?, nullif(?, 0), nullif(?, 0), ?, ?, ?, ?, ?, ?, ?, ?, ?,"
	    " nullif(?, 0))", "iiiittttbttiti", thread_id, p->group_id,
	    p->parent_id, p->member_id, p->author_name, p->author_email,
	    p->subject, p->body, p->mime_part, p->mime_part_len, p->message_id,
	    p->refs ? p->refs : "", now, p->source, p->inbound_id) == -1)
		return -1;
	int64_t id = db_last_id(db);
	if (db_run(db, "UPDATE threads SET last_post = ?, post_count ="
	    " post_count + 1 WHERE id = ?", "ii", now, thread_id) == -1)
		return -1;
	return id;
}

int
store_post_by_msgid(struct db *db, int64_t group_id, const char *msgid,
    int64_t *post_id, int64_t *thread_id)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id, thread_id FROM posts WHERE"
	    " group_id = ? AND message_id = ?", "it", group_id, msgid);
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc == 1) {
		*post_id = sqlite3_column_int64(st, 0);
		*thread_id = sqlite3_column_int64(st, 1);
		sqlite3_reset(st);
	}
	return rc;
}

int
store_thread_by_subject(struct db *db, int64_t group_id, const char *norm,
    int64_t since, int64_t *thread_id, int64_t *first_post_id)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT t.id, (SELECT min(id) FROM posts"
	    " WHERE thread_id = t.id) FROM threads t WHERE t.group_id = ? AND"
	    " t.subject_norm = ? AND t.last_post >= ? AND t.merged_into IS NULL"
	    " ORDER BY t.last_post DESC"
	    " LIMIT 1", "iti", group_id, norm, since);
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc == 1) {
		*thread_id = sqlite3_column_int64(st, 0);
		*first_post_id = sqlite3_column_int64(st, 1);
		sqlite3_reset(st);
	}
	return rc;
}

static void
store_post_row(sqlite3_stmt *st, struct post *p)
{
	memset(p, 0, sizeof *p);
	p->id = sqlite3_column_int64(st, 0);
	p->thread_id = sqlite3_column_int64(st, 1);
	p->group_id = sqlite3_column_int64(st, 2);
	p->parent_id = sqlite3_column_int64(st, 3);
	p->member_id = sqlite3_column_int64(st, 4);
	p->author_name = xstrdup(db_col_text(st, 5));
	p->author_email = xstrdup(db_col_text(st, 6));
	p->subject = xstrdup(db_col_text(st, 7));
	p->body = xstrdup(db_col_text(st, 8));
	buf_append(&p->mime_part, sqlite3_column_blob(st, 9),
	    (size_t)sqlite3_column_bytes(st, 9));
	p->message_id = xstrdup(db_col_text(st, 10));
	p->refs = xstrdup(db_col_text(st, 11));
	p->parent_message_id = xstrdup(db_col_text(st, 12));
	p->created = sqlite3_column_int64(st, 13);
	xstrlcpy(p->source, db_col_text(st, 14), sizeof p->source);
	p->hidden = sqlite3_column_int(st, 15);
}

int
store_post_get(struct db *db, int64_t id, struct post *out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " POST_COLS " FROM posts p"
	    " LEFT JOIN posts pp ON pp.id = p.parent_id WHERE p.id = ?", "i", id);
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc == 1) {
		store_post_row(st, out);
		sqlite3_reset(st);
	}
	return rc;
}

int
store_post_each_in_thread(struct db *db, int64_t thread_id,
    int (*fn)(void *, const struct post *), void *arg)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " POST_COLS " FROM posts p"
	    " LEFT JOIN posts pp ON pp.id = p.parent_id WHERE p.thread_id = ?"
	    " ORDER BY p.created, p.id", "i", thread_id);
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = db_step(db, st)) == 1) {
		struct post p;
		store_post_row(st, &p);
		int stop = fn(arg, &p);
		store_post_clear(&p);
		if (stop == -1) {
			sqlite3_reset(st);
			return 0;
		}
	}
	return rc;
}

int
store_thread_each(struct db *db, int64_t group_id,
    int (*fn)(void *, const struct thread *), void *arg)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id, group_id, created, last_post,"
	    " post_count, locked, pinned, subject FROM threads WHERE group_id = ?"
	    " AND merged_into IS NULL ORDER BY pinned DESC, last_post DESC,"
	    " id DESC", "i", group_id);
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = db_step(db, st)) == 1) {
		struct thread t;
		t.id = sqlite3_column_int64(st, 0);
		t.group_id = sqlite3_column_int64(st, 1);
		t.created = sqlite3_column_int64(st, 2);
		t.last_post = sqlite3_column_int64(st, 3);
		t.post_count = sqlite3_column_int(st, 4);
		t.locked = sqlite3_column_int(st, 5);
		t.pinned = sqlite3_column_int(st, 6);
		t.subject = xstrdup(db_col_text(st, 7));
		int stop = fn(arg, &t);
		free(t.subject);
		if (stop == -1) {
			sqlite3_reset(st);
			return 0;
		}
	}
	return rc;
}

int
store_attachment_add(struct db *db, int64_t post_id, const char *filename,
    const char *content_type, const void *data, size_t len)
{
	return db_run(db, "INSERT INTO attachments(post_id, filename,"
	    " content_type, size, data) VALUES (?, ?, ?, ?, ?)", "ittib", post_id,
	    filename, content_type, (int64_t)len, data, len);
}

int64_t
store_attachment_count(struct db *db, int64_t post_id)
{
	return db_int(db, "SELECT count(*) FROM attachments WHERE post_id = ?", 0,
	    "i", post_id);
}

int
store_post_raw(struct db *db, int64_t post_id, struct buf *out)
{
	return db_text(db, out, "SELECT i.raw FROM posts p JOIN inbound i ON"
	    " i.id = p.inbound_id WHERE p.id = ?", "i", post_id);
}

int64_t
store_thread_version(struct db *db, int64_t thread_id)
{
	return db_int(db, "SELECT version FROM threads WHERE id = ?", -1, "i",
	    thread_id);
}
