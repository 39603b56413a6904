/*
 * Groups, members and memberships: the SQL behind them.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "daemon/db.h"
#include "daemon/log.h"
#include "daemon/store_group.h"
#include "daemon/token.h"
#include "daemon/xalloc.h"

#define GROUP_COLS \
	"g.id, g.slug, g.name, g.description, g.visibility, g.language, " \
	"g.post_policy, g.created, g.archived, coalesce(p.subject_prefix, " \
	"'[' || g.slug || ']'), coalesce(p.reply_to, 'list')"
/* The groups with their list-copy settings (schema migration 16). */
#define GROUP_FROM \
	" FROM groups g LEFT JOIN group_policy p ON p.group_id = g.id"
#define MEMBERSHIP_COLS \
	"ms.group_id, ms.member_id, m.email, m.name, ms.role, ms.delivery, " \
	"ms.moderated, ms.receive_own, ms.bounce_score, ms.suspended, " \
	"ms.unsub_token, ms.joined"

void
store_group_clear(struct group *g)
{
	free(g->name);
	free(g->description);
	free(g->subject_prefix);
	memset(g, 0, sizeof *g);
}

void
store_group_copy(struct group *dst, const struct group *src)
{
	*dst = *src;
	dst->name = src->name != NULL ? xstrdup(src->name) : NULL;
	dst->description = src->description != NULL ?
	    xstrdup(src->description) : NULL;
	dst->subject_prefix = src->subject_prefix != NULL ?
	    xstrdup(src->subject_prefix) : NULL;
}

void
store_membership_clear(struct membership *m)
{
	free(m->email);
	free(m->name);
	memset(m, 0, sizeof *m);
}

static void
store_group_row(sqlite3_stmt *st, struct group *g)
{
	memset(g, 0, sizeof *g);
	g->id = sqlite3_column_int64(st, 0);
	xstrlcpy(g->slug, db_col_text(st, 1), sizeof g->slug);
	g->name = xstrdup(db_col_text(st, 2));
	g->description = xstrdup(db_col_text(st, 3));
	xstrlcpy(g->visibility, db_col_text(st, 4), sizeof g->visibility);
	xstrlcpy(g->language, db_col_text(st, 5), sizeof g->language);
	xstrlcpy(g->post_policy, db_col_text(st, 6), sizeof g->post_policy);
	g->created = sqlite3_column_int64(st, 7);
	g->archived = sqlite3_column_int(st, 8);
	g->subject_prefix = xstrdup(db_col_text(st, 9));
	xstrlcpy(g->reply_to, db_col_text(st, 10), sizeof g->reply_to);
}

static void
store_membership_row(sqlite3_stmt *st, struct membership *m)
{
	memset(m, 0, sizeof *m);
	m->group_id = sqlite3_column_int64(st, 0);
	m->member_id = sqlite3_column_int64(st, 1);
	m->email = xstrdup(db_col_text(st, 2));
	m->name = xstrdup(db_col_text(st, 3));
	xstrlcpy(m->role, db_col_text(st, 4), sizeof m->role);
	xstrlcpy(m->delivery, db_col_text(st, 5), sizeof m->delivery);
	m->moderated = sqlite3_column_int(st, 6);
	m->receive_own = sqlite3_column_int(st, 7);
	m->bounce_score = sqlite3_column_int(st, 8);
	m->suspended = sqlite3_column_int(st, 9);
	xstrlcpy(m->unsub_token, db_col_text(st, 10), sizeof m->unsub_token);
	m->joined = sqlite3_column_int64(st, 11);
}

static int
store_in(const char *v, const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (strcmp(v, *allowed) == 0)
			return 1;
	return 0;
}

static const char *const store_visibilities[] = { "public", "members", "private", NULL };
static const char *const store_languages[] = { "ar", "fr", "en", NULL };
static const char *const store_roles[] = { "member", "moderator", "owner", NULL };
static const char *const store_deliveries[] = { "each", "daily", "weekly", "none", NULL };

static const char *const store_group_reserved[] = {
	"-request", "-join", "-leave", "-owner", "-bounces", "-confirm",
	"-moderate", NULL
};

int
store_group_slug_valid(const char *slug)
{
	size_t len = strlen(slug);
	if (len == 0 || len >= GROUP_SLUG_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = slug[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (c == '-' && i > 0)))
			return 0;
	}
	for (const char *const *r = store_group_reserved; *r; r++) {
		size_t n = strlen(*r);
		if (len >= n && strcmp(slug + len - n, *r) == 0)
			return 0;
	}
	return 1;
}

int
store_group_edit(struct db *db, int64_t group_id, const char *name,
    const char *description, const char *visibility)
{
	if (db_run(db, "UPDATE groups SET name = ?2, description = ?3,"
	    " visibility = ?4 WHERE id = ?1 AND (name <> ?2 OR description <> ?3"
	    " OR visibility <> ?4)", "ittt", group_id, name,
	    description, visibility) == -1)
		return -1;
	return db_changes(db) > 0;
}

int
store_group_set_archived(struct db *db, int64_t group_id, int archived)
{
	if (db_run(db, "UPDATE groups SET archived = ?2 WHERE id = ?1 AND"
	    " archived <> ?2", "ii", group_id, (int64_t)archived) == -1)
		return -1;
	return db_changes(db) > 0;
}

int
store_group_delete(struct db *db, int64_t group_id)
{
	if (db_run(db, "CREATE TEMP TABLE IF NOT EXISTS group_gone_inbound("
	    "id INTEGER PRIMARY KEY)", "") == -1 ||
	    db_run(db, "DELETE FROM temp.group_gone_inbound", "") == -1 ||
	    db_run(db, "INSERT OR IGNORE INTO temp.group_gone_inbound SELECT"
	    " inbound_id FROM posts WHERE group_id = ?1 AND inbound_id IS NOT"
	    " NULL UNION SELECT inbound_id FROM held WHERE group_id = ?1", "i",
	    group_id) == -1 ||
	    db_run(db, "DELETE FROM temp.group_gone_inbound WHERE id IN (SELECT"
	    " inbound_id FROM posts WHERE group_id <> ?1 UNION SELECT inbound_id"
	    " FROM held WHERE group_id <> ?1)", "i", group_id) == -1 ||
	    db_run(db, "UPDATE audit_log SET group_id = NULL WHERE group_id = ?",
	    "i", group_id) == -1 ||
	    db_run(db, "DELETE FROM groups WHERE id = ?", "i", group_id) == -1)
		return -1;
	if (db_changes(db) == 0)
		return 0;
	if (db_run(db, "UPDATE source_seen SET inbound_id = NULL WHERE"
	    " inbound_id IN (SELECT id FROM temp.group_gone_inbound)", "") == -1 ||
	    db_run(db, "DELETE FROM inbound WHERE id IN (SELECT id FROM"
	    " temp.group_gone_inbound)", "") == -1)
		return -1;
	return 1;
}

int64_t
store_group_add(struct db *db, const char *slug, const char *name,
    const char *description, const char *visibility, const char *language,
    struct buf *err)
{
	if (!store_in(visibility, store_visibilities)) {
		buf_printf(err, "visibility must be public, members or private");
		return -1;
	}
	if (!store_in(language, store_languages)) {
		buf_printf(err, "language must be ar, fr or en");
		return -1;
	}
	if (strlen(name) == 0 || strlen(name) > GROUP_NAME_MAX) {
		buf_printf(err, "a group name has 1 to %d bytes", GROUP_NAME_MAX);
		return -1;
	}
	if (db_int(db, "SELECT 1 FROM groups WHERE slug = ?", 0, "t", slug)) {
		buf_printf(err, "group %s already exists", slug);
		return -1;
	}
	if (db_run(db, "INSERT INTO groups(slug, name, description, visibility,"
	    " language, created) VALUES (?, ?, ?, ?, ?, ?)", "ttttti", slug, name, description, visibility, language,
	    db_now()) == -1) {
		buf_printf(err, "cannot add group %s", slug);
		return -1;
	}
	return db_last_id(db);
}

int
store_group_get(struct db *db, const char *slug, struct group *out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " GROUP_COLS
	    GROUP_FROM " WHERE g.slug = ?", "t", slug);
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc == 1) {
		store_group_row(st, out);
		sqlite3_reset(st);
	}
	return rc;
}

int
store_group_get_id(struct db *db, int64_t id, struct group *out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " GROUP_COLS
	    GROUP_FROM " WHERE g.id = ?", "i", id);
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc == 1) {
		store_group_row(st, out);
		sqlite3_reset(st);
	}
	return rc;
}

int
store_group_each(struct db *db, int (*fn)(void *, const struct group *),
    void *arg)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " GROUP_COLS
	    GROUP_FROM " ORDER BY g.slug", NULL);
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = db_step(db, st)) == 1) {
		struct group g;
		store_group_row(st, &g);
		int stop = fn(arg, &g);
		store_group_clear(&g);
		if (stop == -1) {
			sqlite3_reset(st);
			return 0;
		}
	}
	return rc;
}

int64_t
store_group_count_members(struct db *db, int64_t group_id)
{
	return db_int(db, "SELECT count(*) FROM memberships WHERE group_id = ?",
	    0, "i", group_id);
}

int64_t
store_member_ensure(struct db *db, const char *email, const char *name)
{
	int64_t id = db_int(db, "SELECT id FROM members WHERE email = ?", -1,
	    "t", email);
	if (id != -1) {
		if (name && *name)
			db_run(db, "UPDATE members SET name = ? WHERE id = ? AND"
			    " name = ''", "ti", name, id);
		return id;
	}
	if (db_run(db, "INSERT INTO members(email, name, created) VALUES"
	    " (?, ?, ?)", "tti", email, name ? name : "", db_now()) == -1)
		return -1;
	return db_last_id(db);
}

int64_t
store_member_find_or_add(struct db *db, const char *email, const char *name)
{
	int64_t id = db_int(db, "SELECT id FROM members WHERE email = ?", -1,
	    "t", email);
	if (id != -1)
		return id;
	return store_member_ensure(db, email, name);
}

int
store_membership_add(struct db *db, int64_t group_id, int64_t member_id,
    const char *role, const char *delivery, struct buf *err)
{
	if (!store_in(role, store_roles)) {
		buf_printf(err, "role must be member, moderator or owner");
		return -1;
	}
	if (!store_in(delivery, store_deliveries)) {
		buf_printf(err, "delivery must be each, daily, weekly or none");
		return -1;
	}
	if (db_int(db, "SELECT 1 FROM memberships WHERE group_id = ? AND"
	    " member_id = ?", 0, "ii", group_id, member_id))
		return 0;
	char token[TOKEN_LEN + 1];
	token_random(token);
	if (db_run(db, "INSERT INTO memberships(group_id, member_id, role,"
	    " delivery, unsub_token, joined) VALUES (?, ?, ?, ?, ?, ?)",
	    "iittti", group_id, member_id, role, delivery, token,
	    db_now()) == -1) {
		buf_printf(err, "cannot add the membership");
		return -1;
	}
	return 1;
}

int
store_membership_get(struct db *db, int64_t group_id, const char *email,
    struct membership *out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " MEMBERSHIP_COLS
	    " FROM memberships ms JOIN members m ON m.id = ms.member_id"
	    " WHERE ms.group_id = ? AND m.email = ?", "it", group_id, email);
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc == 1) {
		store_membership_row(st, out);
		sqlite3_reset(st);
	}
	return rc;
}

int
store_membership_by_member(struct db *db, int64_t group_id, int64_t member_id,
    struct membership *out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " MEMBERSHIP_COLS
	    " FROM memberships ms JOIN members m ON m.id = ms.member_id"
	    " WHERE ms.group_id = ? AND ms.member_id = ?", "ii", group_id,
	    member_id);
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc == 1) {
		store_membership_row(st, out);
		sqlite3_reset(st);
	}
	return rc;
}

int
store_membership_by_token(struct db *db, const char *token,
    struct membership *out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " MEMBERSHIP_COLS
	    " FROM memberships ms JOIN members m ON m.id = ms.member_id"
	    " WHERE ms.unsub_token = ?", "t", token);
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc == 1) {
		store_membership_row(st, out);
		sqlite3_reset(st);
	}
	return rc;
}

int
store_membership_remove(struct db *db, int64_t group_id, int64_t member_id)
{
	if (db_run(db, "DELETE FROM memberships WHERE group_id = ? AND"
	    " member_id = ?", "ii", group_id, member_id) == -1)
		return -1;
	return db_changes(db) > 0;
}

int
store_membership_set(struct db *db, int64_t group_id, int64_t member_id,
    const char *field, const char *value, struct buf *err)
{
	int rc;
	if (strcmp(field, "delivery") == 0) {
		if (!store_in(value, store_deliveries)) {
			buf_printf(err, "delivery must be each, daily, weekly or none");
			return -1;
		}
		rc = db_run(db, "UPDATE memberships SET delivery = ? WHERE"
		    " group_id = ? AND member_id = ?", "tii", value, group_id,
		    member_id);
	} else if (strcmp(field, "role") == 0) {
		if (!store_in(value, store_roles)) {
			buf_printf(err, "role must be member, moderator or owner");
			return -1;
		}
		rc = db_run(db, "UPDATE memberships SET role = ? WHERE"
		    " group_id = ? AND member_id = ?", "tii", value, group_id,
		    member_id);
	} else if (strcmp(field, "moderated") == 0 ||
	    strcmp(field, "receive_own") == 0 || strcmp(field, "suspended") == 0) {
		int v;
		if (strcmp(value, "yes") == 0 || strcmp(value, "1") == 0)
			v = 1;
		else if (strcmp(value, "no") == 0 || strcmp(value, "0") == 0)
			v = 0;
		else {
			buf_printf(err, "%s must be yes or no", field);
			return -1;
		}
		if (field[0] == 'm')
			rc = db_run(db, "UPDATE memberships SET moderated = ? WHERE"
			    " group_id = ? AND member_id = ?", "dii", v, group_id,
			    member_id);
		else if (field[0] == 'r')
			rc = db_run(db, "UPDATE memberships SET receive_own = ?"
			    " WHERE group_id = ? AND member_id = ?", "dii", v,
			    group_id, member_id);
		else
			rc = db_run(db, "UPDATE memberships SET suspended = ?,"
			    " bounce_score = CASE WHEN ? = 0 THEN 0 ELSE"
			    " bounce_score END WHERE group_id = ? AND member_id = ?",
			    "ddii", v, v, group_id, member_id);
	} else {
		buf_printf(err, "unknown membership field %s", field);
		return -1;
	}
	if (rc == -1) {
		buf_printf(err, "cannot change %s", field);
		return -1;
	}
	return db_changes(db) > 0;
}

int
store_membership_each(struct db *db, int64_t group_id,
    int (*fn)(void *, const struct membership *), void *arg)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " MEMBERSHIP_COLS
	    " FROM memberships ms JOIN members m ON m.id = ms.member_id"
	    " WHERE ms.group_id = ? ORDER BY m.email", "i", group_id);
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = db_step(db, st)) == 1) {
		struct membership m;
		store_membership_row(st, &m);
		int stop = fn(arg, &m);
		store_membership_clear(&m);
		if (stop == -1) {
			sqlite3_reset(st);
			return 0;
		}
	}
	return rc;
}

int
store_membership_bounce(struct db *db, int64_t group_id, int64_t member_id,
    int n)
{
	if (db_run(db, "UPDATE memberships SET bounce_score = bounce_score + ?"
	    " WHERE group_id = ? AND member_id = ?", "dii", n, group_id,
	    member_id) == -1)
		return -1;
	return (int)db_int(db, "SELECT bounce_score FROM memberships WHERE"
	    " group_id = ? AND member_id = ?", -1, "ii", group_id, member_id);
}
