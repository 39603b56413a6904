/*
 * The digests' SQL (see store_digest.h).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "daemon/db.h"
#include "daemon/store_digest.h"
#include "daemon/xalloc.h"

/* Seconds in a volume (a year of the group's life). */
#define STORE_DIGEST_VOLUME_SECONDS	(365LL * 86400 + 86400 / 4)

#define DIGEST_COLS "id, group_id, kind, period_start, period_end, volume," \
	" issue, base_post_id, max_post_id, state"

void
store_digest_member_clear(struct digest_member *m)
{
	free(m->email);
	free(m->name);
	memset(m, 0, sizeof *m);
}

void
store_digest_post_clear(struct digest_post *p)
{
	free(p->thread_subject);
	free(p->author_name);
	free(p->subject);
	free(p->body);
	free(p->message_id);
	free(p->attachments);
	memset(p, 0, sizeof *p);
}

int
store_digest_schedule_get(struct db *db, int64_t group_id,
    struct digest_schedule *out)
{
	out->weekday = DIGEST_DEFAULT_WEEKDAY;
	out->hour = DIGEST_DEFAULT_HOUR;
	xstrlcpy(out->tz, DIGEST_DEFAULT_TZ, sizeof out->tz);
	sqlite3_stmt *st = db_stmt(db, "SELECT weekday, hour, timezone FROM"
	    " digest_schedule WHERE group_id = ?", "i", group_id);
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc == 1) {
		out->weekday = sqlite3_column_int(st, 0);
		out->hour = sqlite3_column_int(st, 1);
		xstrlcpy(out->tz, db_col_text(st, 2), sizeof out->tz);
		sqlite3_reset(st);
	}
	return rc == -1 ? -1 : 0;
}

int
store_digest_schedule_set(struct db *db, int64_t group_id,
    const struct digest_schedule *s)
{
	return db_run(db, "INSERT INTO digest_schedule(group_id, weekday, hour,"
	    " timezone) VALUES (?, ?, ?, ?) ON CONFLICT(group_id) DO UPDATE SET"
	    " weekday = excluded.weekday, hour = excluded.hour,"
	    " timezone = excluded.timezone", "iddt", group_id, s->weekday,
	    s->hour, s->tz);
}

static void
store_digest_row(sqlite3_stmt *st, struct digest_row *d)
{
	memset(d, 0, sizeof *d);
	d->id = sqlite3_column_int64(st, 0);
	d->group_id = sqlite3_column_int64(st, 1);
	xstrlcpy(d->kind, db_col_text(st, 2), sizeof d->kind);
	d->period_start = sqlite3_column_int64(st, 3);
	d->period_end = sqlite3_column_int64(st, 4);
	d->volume = sqlite3_column_int(st, 5);
	d->issue = sqlite3_column_int(st, 6);
	d->base_post_id = sqlite3_column_int64(st, 7);
	d->max_post_id = sqlite3_column_int64(st, 8);
	xstrlcpy(d->state, db_col_text(st, 9), sizeof d->state);
}

static int
store_digest_one(struct db *db, sqlite3_stmt *st, struct digest_row *out)
{
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc == 1) {
		store_digest_row(st, out);
		sqlite3_reset(st);
	}
	return rc;
}

int
store_digest_last(struct db *db, int64_t group_id, const char *kind,
    struct digest_row *out)
{
	return store_digest_one(db, db_stmt(db, "SELECT " DIGEST_COLS " FROM"
	    " digests WHERE group_id = ? AND kind = ? ORDER BY period_end DESC"
	    " LIMIT 1", "it", group_id, kind), out);
}

int
store_digest_get(struct db *db, int64_t id, struct digest_row *out)
{
	return store_digest_one(db, db_stmt(db, "SELECT " DIGEST_COLS " FROM"
	    " digests WHERE id = ?", "i", id), out);
}

int
store_digest_next_sending(struct db *db, struct digest_row *out)
{
	return store_digest_one(db, db_stmt(db, "SELECT " DIGEST_COLS " FROM"
	    " digests WHERE state = 'sending' ORDER BY id LIMIT 1", ""), out);
}

int64_t
store_digest_create(struct db *db, int64_t group_id, const char *kind,
    int64_t period_start_dflt, int64_t period_end, int64_t group_created)
{
	if (db_int(db, "SELECT count(*) FROM digests WHERE group_id = ? AND"
	    " kind = ? AND period_end = ?", 0, "iti", group_id, kind,
	    period_end) > 0)
		return 0;
	struct digest_row last;
	int64_t start = period_start_dflt;
	int rc = store_digest_last(db, group_id, kind, &last);
	if (rc == -1)
		return -1;
	if (rc == 1)
		start = last.period_end;
	int64_t age = period_end - group_created;
	int volume = 1 + (int)((age > 0 ? age : 0) / STORE_DIGEST_VOLUME_SECONDS);
	int issue = 1 + (int)db_int(db, "SELECT count(*) FROM digests WHERE"
	    " group_id = ? AND kind = ? AND volume = ?", 0, "itd", group_id,
	    kind, volume);
	int64_t base = db_int(db, "SELECT coalesce(max(id), 0) FROM posts"
	    " WHERE group_id = ? AND created < ?", 0, "ii", group_id, start);
	int64_t max = db_int(db, "SELECT coalesce(max(id), 0) FROM posts"
	    " WHERE group_id = ?", 0, "i", group_id);
	if (db_run(db, "INSERT INTO digests(group_id, kind, period_start,"
	    " period_end, volume, issue, base_post_id, max_post_id, created)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", "itiiddiii", group_id, kind,
	    start, period_end, volume, issue, base, max, db_now()) == -1)
		return -1;
	return db_last_id(db);
}

#define DIGEST_MEMBERS_WHERE \
	" FROM memberships ms JOIN members m ON m.id = ms.member_id" \
	" LEFT JOIN digest_marks dm ON dm.group_id = ms.group_id AND" \
	" dm.member_id = ms.member_id WHERE ms.group_id = ? AND" \
	" ms.delivery = ? AND ms.suspended = 0 AND NOT EXISTS (SELECT 1 FROM" \
	" digest_copies c WHERE c.digest_id = ? AND c.member_id = ms.member_id)"

int
store_digest_members(struct db *db, const struct digest_row *d, int64_t after,
    int max, int (*fn)(void *, const struct digest_member *), void *arg)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT ms.member_id, m.email, m.name,"
	    " m.locale, m.timezone, ms.unsub_token, coalesce(dm.last_post_id, ?)"
	    DIGEST_MEMBERS_WHERE " AND ms.member_id > ? ORDER BY ms.member_id"
	    " LIMIT ?", "iitiid", d->base_post_id, d->group_id, d->kind, d->id,
	    after, max);
	if (st == NULL)
		return -1;
	int rc, n = 0;
	while ((rc = db_step(db, st)) == 1) {
		struct digest_member m;
		memset(&m, 0, sizeof m);
		m.member_id = sqlite3_column_int64(st, 0);
		m.email = xstrdup(db_col_text(st, 1));
		m.name = xstrdup(db_col_text(st, 2));
		xstrlcpy(m.locale, db_col_text(st, 3), sizeof m.locale);
		xstrlcpy(m.timezone, db_col_text(st, 4), sizeof m.timezone);
		xstrlcpy(m.unsub_token, db_col_text(st, 5), sizeof m.unsub_token);
		m.mark = sqlite3_column_int64(st, 6);
		n++;
		int stop = fn(arg, &m);
		store_digest_member_clear(&m);
		if (stop == -1) {
			sqlite3_reset(st);
			break;
		}
	}
	return rc == -1 ? -1 : n;
}

int64_t
store_digest_low_mark(struct db *db, const struct digest_row *d)
{
	return db_int(db, "SELECT coalesce(min(coalesce(dm.last_post_id, ?)), ?)"
	    DIGEST_MEMBERS_WHERE, d->max_post_id, "iiiti", d->base_post_id,
	    d->max_post_id, d->group_id, d->kind, d->id);
}

int
store_digest_posts(struct db *db, int64_t group_id, int64_t after,
    int64_t upto, int max, int (*fn)(void *, const struct digest_post *),
    void *arg)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT * FROM (SELECT p.id, p.thread_id,"
	    " coalesce(p.parent_id, 0), p.created, t.subject, p.author_name,"
	    " p.subject, p.body, p.message_id, (SELECT min(id) FROM posts f"
	    " WHERE f.thread_id = p.thread_id), (SELECT coalesce(group_concat("
	    "a.id || char(9) || a.filename || char(10), ''), '') FROM attachments"
	    " a WHERE a.post_id = p.id) FROM posts p JOIN threads t ON"
	    " t.id = p.thread_id WHERE p.group_id = ? AND p.id > ? AND p.id <= ?"
	    " AND p.hidden = 0 ORDER BY p.id DESC LIMIT ?) ORDER BY 1",
	    "iiid", group_id, after, upto, max);
	if (st == NULL)
		return -1;
	int rc, n = 0;
	while ((rc = db_step(db, st)) == 1) {
		struct digest_post p;
		memset(&p, 0, sizeof p);
		p.id = sqlite3_column_int64(st, 0);
		p.thread_id = sqlite3_column_int64(st, 1);
		p.parent_id = sqlite3_column_int64(st, 2);
		p.created = sqlite3_column_int64(st, 3);
		p.thread_subject = xstrdup(db_col_text(st, 4));
		p.author_name = xstrdup(db_col_text(st, 5));
		p.subject = xstrdup(db_col_text(st, 6));
		p.body = xstrdup(db_col_text(st, 7));
		p.message_id = xstrdup(db_col_text(st, 8));
		p.thread_first = sqlite3_column_int64(st, 9);
		p.attachments = xstrdup(db_col_text(st, 10));
		n++;
		int stop = fn(arg, &p);
		store_digest_post_clear(&p);
		if (stop == -1) {
			sqlite3_reset(st);
			break;
		}
	}
	return rc == -1 ? -1 : n;
}

int
store_digest_post_times(struct db *db, int64_t group_id, int64_t after,
    int64_t upto, int max, int (*fn)(void *, int64_t id, int64_t created),
    void *arg)
{
	/* by the rowid range, not the group's index: the rows of a period
	 * are few next to the group's whole history */
	sqlite3_stmt *st = db_stmt(db, "SELECT * FROM (SELECT p.id, p.created"
	    " FROM posts p WHERE +p.group_id = ? AND p.id > ? AND p.id <= ?"
	    " AND p.hidden = 0 ORDER BY p.id DESC LIMIT ?) ORDER BY 1",
	    "iiid", group_id, after, upto, max);
	if (st == NULL)
		return -1;
	int rc, n = 0;
	while ((rc = db_step(db, st)) == 1) {
		n++;
		if (fn(arg, sqlite3_column_int64(st, 0),
		    sqlite3_column_int64(st, 1)) == -1) {
			sqlite3_reset(st);
			break;
		}
	}
	return rc == -1 ? -1 : n;
}

int
store_digest_record(struct db *db, const struct digest_row *d,
    int64_t member_id, int64_t outbox_id, int posts)
{
	if (db_run(db, "INSERT OR IGNORE INTO digest_copies(digest_id, member_id,"
	    " outbox_id, posts, created) VALUES (?, ?, nullif(?, 0), ?, ?)",
	    "iiidi", d->id, member_id, outbox_id, posts, db_now()) == -1)
		return -1;
	if (db_changes(db) == 0)
		return 0;
	if (db_run(db, "INSERT INTO digest_marks(group_id, member_id,"
	    " last_post_id) VALUES (?, ?, ?) ON CONFLICT(group_id, member_id)"
	    " DO UPDATE SET last_post_id = max(last_post_id,"
	    " excluded.last_post_id)", "iii", d->group_id, member_id,
	    d->max_post_id) == -1)
		return -1;
	return 1;
}

int
store_digest_finish(struct db *db, int64_t id)
{
	if (db_run(db, "UPDATE digests SET state = 'done', finished = ? WHERE"
	    " id = ?", "ii", db_now(), id) == -1)
		return -1;
	return db_run(db, "DELETE FROM digest_bodies WHERE digest_id = ? AND"
	    " NOT EXISTS (SELECT 1 FROM outbox o WHERE o.body_id ="
	    " digest_bodies.id AND o.state = 'queued')", "i", id);
}

void
store_digest_body_clear(struct digest_body *b)
{
	buf_free(&b->head);
	buf_free(&b->text);
	buf_free(&b->html);
	free(b->holes);
	free(b->boundary);
	memset(b, 0, sizeof *b);
}

int64_t
store_digest_body_find(struct db *db, const struct digest_body_key *k)
{
	return db_int(db, "SELECT id FROM digest_bodies WHERE digest_id = ? AND"
	    " mark = ? AND locale = ? AND timezone = ?", 0, "iitt", k->digest_id,
	    k->mark, k->locale, k->timezone);
}

int64_t
store_digest_body_add(struct db *db, const struct digest_body_key *k,
    const struct buf *head, const struct buf *text, const struct buf *html,
    const char *holes, const char *boundary, int64_t created)
{
	if (db_run(db, "INSERT INTO digest_bodies(digest_id, mark, locale,"
	    " timezone, head, text, html, holes, boundary, created) VALUES"
	    " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "iittbbbtti", k->digest_id,
	    k->mark, k->locale, k->timezone, buf_cstr(head), head->len,
	    buf_cstr(text), text->len, buf_cstr(html), html->len, holes,
	    boundary, created) == -1)
		return -1;
	return db_last_id(db);
}

static void
store_digest_blob(sqlite3_stmt *st, int col, struct buf *out)
{
	buf_init(out);
	buf_append(out, sqlite3_column_blob(st, col),
	    (size_t)sqlite3_column_bytes(st, col));
}

int
store_digest_body_get(struct db *db, int64_t id, struct digest_body *out)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = db_stmt(db, "SELECT id, digest_id, head, text, html,"
	    " holes, boundary FROM digest_bodies WHERE id = ?", "i", id);
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc == 1) {
		out->id = sqlite3_column_int64(st, 0);
		out->digest_id = sqlite3_column_int64(st, 1);
		store_digest_blob(st, 2, &out->head);
		store_digest_blob(st, 3, &out->text);
		store_digest_blob(st, 4, &out->html);
		out->holes = xstrdup(db_col_text(st, 5));
		out->boundary = xstrdup(db_col_text(st, 6));
		sqlite3_reset(st);
	}
	return rc;
}

int64_t
store_digest_body_count(struct db *db)
{
	return db_int(db, "SELECT count(*) FROM digest_bodies", 0, NULL);
}

int64_t
store_digest_copies(struct db *db, int64_t id)
{
	return db_int(db, "SELECT count(*) FROM digest_copies WHERE digest_id = ?"
	    " AND outbox_id IS NOT NULL", 0, "i", id);
}
