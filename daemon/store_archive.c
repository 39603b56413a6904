/*
 * The read queries of the web archive (see store_archive.h). Hidden posts
 * are never returned; every thread lookup is bound to its group.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "daemon/db.h"
#include "daemon/store_archive.h"
#include "daemon/xalloc.h"

int
store_archive_group_counts(struct db *db, int64_t group_id,
    struct archive_group *out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT (SELECT count(*) FROM threads"
	    " WHERE group_id = ?1 AND merged_into IS NULL), count(*),"
	    " coalesce(max(created), 0) FROM posts"
	    " WHERE group_id = ?1 AND hidden = 0", "i", group_id);
	if (st == NULL || db_step(db, st) != 1)
		return -1;
	out->threads = sqlite3_column_int64(st, 0);
	out->posts = sqlite3_column_int64(st, 1);
	out->last_post = sqlite3_column_int64(st, 2);
	sqlite3_reset(st);
	return 0;
}

struct groups_ctx {
	struct db	*db;
	int		(*fn)(void *, const struct archive_group *);
	void		*arg;
	int		 error;
};

static int
store_archive_group_cb(void *arg, const struct group *g)
{
	struct groups_ctx *c = arg;
	struct archive_group ag = { .g = g };
	if (store_archive_group_counts(c->db, g->id, &ag) == -1) {
		c->error = 1;
		return -1;
	}
	return c->fn(c->arg, &ag);
}

int
store_archive_groups(struct db *db, int (*fn)(void *,
    const struct archive_group *), void *arg)
{
	struct groups_ctx c = { db, fn, arg, 0 };
	if (store_group_each(db, store_archive_group_cb, &c) == -1 || c.error)
		return -1;
	return 0;
}

static void
store_archive_thread_row(sqlite3_stmt *st, struct thread *t)
{
	t->id = sqlite3_column_int64(st, 0);
	t->group_id = sqlite3_column_int64(st, 1);
	t->created = sqlite3_column_int64(st, 2);
	t->last_post = sqlite3_column_int64(st, 3);
	t->post_count = sqlite3_column_int(st, 4);
	t->locked = sqlite3_column_int(st, 5);
	t->pinned = sqlite3_column_int(st, 6);
	t->subject = xstrdup(db_col_text(st, 7));
}

int
store_archive_threads(struct db *db, int64_t group_id, int64_t offset,
    int64_t limit, int (*fn)(void *, const struct thread *), void *arg)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id, group_id, created, last_post,"
	    " post_count, locked, pinned, subject FROM threads WHERE group_id = ?"
	    " AND merged_into IS NULL ORDER BY pinned DESC, last_post DESC,"
	    " id DESC LIMIT ? OFFSET ?",
	    "iii", group_id, limit, offset);
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = db_step(db, st)) == 1) {
		struct thread t;
		store_archive_thread_row(st, &t);
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
store_archive_thread(struct db *db, int64_t group_id, int64_t thread_id,
    struct thread *out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id, group_id, created, last_post,"
	    " post_count, locked, pinned, subject FROM threads WHERE id = ? AND"
	    " group_id = ? AND merged_into IS NULL", "ii", thread_id, group_id);
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc == 1) {
		store_archive_thread_row(st, out);
		sqlite3_reset(st);
	}
	return rc;
}

/* Run a prepared post query (columns as below) and call fn per row. */
#define ARCHIVE_POST_COLS "id, thread_id, coalesce(parent_id, 0), created," \
	" author_name, subject, body, inbound_id IS NOT NULL," \
	" coalesce(member_id, 0), source = 'web', edited"

static int
store_archive_post_rows(struct db *db, sqlite3_stmt *st,
    int (*fn)(void *, const struct archive_post *), void *arg)
{
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = db_step(db, st)) == 1) {
		struct archive_post p;
		p.id = sqlite3_column_int64(st, 0);
		p.thread_id = sqlite3_column_int64(st, 1);
		p.parent_id = sqlite3_column_int64(st, 2);
		p.created = sqlite3_column_int64(st, 3);
		p.author_name = db_col_text(st, 4);
		p.subject = db_col_text(st, 5);
		p.body = db_col_text(st, 6);
		p.from_mail = sqlite3_column_int(st, 7);
		p.member_id = sqlite3_column_int64(st, 8);
		p.from_web = sqlite3_column_int(st, 9);
		p.edited = sqlite3_column_int64(st, 10);
		if (fn(arg, &p) == -1) {
			sqlite3_reset(st);
			return 0;
		}
	}
	return rc;
}

int
store_archive_posts(struct db *db, int64_t thread_id,
    int (*fn)(void *, const struct archive_post *), void *arg)
{
	return store_archive_post_rows(db, db_stmt(db, "SELECT "
	    ARCHIVE_POST_COLS " FROM posts WHERE thread_id = ? AND hidden = 0"
	    " ORDER BY created, id", "i", thread_id), fn, arg);
}

int
store_archive_recent(struct db *db, int64_t group_id, int64_t limit,
    int (*fn)(void *, const struct archive_post *), void *arg)
{
	return store_archive_post_rows(db, db_stmt(db, "SELECT "
	    ARCHIVE_POST_COLS " FROM posts WHERE group_id = ? AND hidden = 0"
	    " ORDER BY created DESC, id DESC LIMIT ?", "ii", group_id, limit),
	    fn, arg);
}

int
store_archive_attachments(struct db *db, int64_t post_id,
    int (*fn)(void *, const struct archive_attachment *), void *arg)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id, filename, content_type, size"
	    " FROM attachments WHERE post_id = ? ORDER BY id", "i", post_id);
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = db_step(db, st)) == 1) {
		struct archive_attachment a;
		memset(&a, 0, sizeof a);
		a.id = sqlite3_column_int64(st, 0);
		a.post_id = post_id;
		a.filename = (char *)db_col_text(st, 1);
		a.content_type = (char *)db_col_text(st, 2);
		a.size = sqlite3_column_int64(st, 3);
		if (fn(arg, &a) == -1) {
			sqlite3_reset(st);
			return 0;
		}
	}
	return rc;
}

int
store_archive_attachment(struct db *db, int64_t id,
    struct archive_attachment *out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT a.id, a.post_id, p.group_id,"
	    " a.size, a.filename, a.content_type, a.data FROM attachments a"
	    " JOIN posts p ON p.id = a.post_id WHERE a.id = ? AND p.hidden = 0",
	    "i", id);
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc != 1)
		return rc;
	memset(out, 0, sizeof *out);
	out->id = sqlite3_column_int64(st, 0);
	out->post_id = sqlite3_column_int64(st, 1);
	out->group_id = sqlite3_column_int64(st, 2);
	out->size = sqlite3_column_int64(st, 3);
	out->filename = xstrdup(db_col_text(st, 4));
	out->content_type = xstrdup(db_col_text(st, 5));
	const void *data = sqlite3_column_blob(st, 6);
	buf_append(&out->data, data ? data : "", (size_t)sqlite3_column_bytes(st, 6));
	sqlite3_reset(st);
	return 1;
}

void
store_archive_attachment_clear(struct archive_attachment *a)
{
	free(a->filename);
	free(a->content_type);
	buf_free(&a->data);
	memset(a, 0, sizeof *a);
}

int
store_archive_is_member(struct db *db, int64_t group_id, int64_t member_id)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT 1 FROM memberships WHERE"
	    " group_id = ? AND member_id = ? AND suspended = 0", "ii", group_id,
	    member_id);
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc == 1)
		sqlite3_reset(st);
	return rc;
}
