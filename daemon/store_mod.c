/*
 * Moderation: its SQL (see store_mod.h).
 */
#include <config.h>

#include <ctype.h>
#include <string.h>

#include "daemon/db.h"
#include "daemon/store_ban.h"
#include "daemon/store_mod.h"
#include "daemon/xalloc.h"

int
store_mod_role(struct db *db, int64_t member_id, int64_t group_id,
    char *role, size_t rolesz)
{
	struct buf b = BUF_INIT;
	int rc = db_text(db, &b, "SELECT role FROM memberships WHERE"
	    " member_id = ? AND group_id = ?", "ii", member_id, group_id);
	if (rc == 1)
		xstrlcpy(role, buf_cstr(&b), rolesz);
	buf_free(&b);
	return rc;
}

/* The groups a member moderates (?1 member, ?2 is_admin). */
#define STORE_MOD_GROUPS \
	"SELECT g.id FROM groups g WHERE ?2 <> 0 OR EXISTS (SELECT 1 FROM" \
	" memberships ms WHERE ms.group_id = g.id AND ms.member_id = ?1 AND" \
	" ms.role IN ('moderator', 'owner'))"

int
store_mod_groups(struct db *db, int64_t member_id, int is_admin,
    int (*fn)(void *, const struct mod_group *), void *arg)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT g.id, g.slug, g.name, (SELECT"
	    " count(*) FROM held h WHERE h.group_id = g.id AND h.state ="
	    " 'pending') FROM groups g WHERE g.id IN (" STORE_MOD_GROUPS ")"
	    " ORDER BY g.slug", "ii", member_id, (int64_t)is_admin);
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = db_step(db, st)) == 1) {
		struct mod_group mg = { sqlite3_column_int64(st, 0),
		    db_col_text(st, 1), db_col_text(st, 2),
		    sqlite3_column_int64(st, 3) };
		if (fn(arg, &mg) == -1) {
			sqlite3_reset(st);
			return 0;
		}
	}
	return rc;
}

int
store_mod_pending(struct db *db, int64_t member_id, int is_admin,
    int64_t *pending)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT count(*), (SELECT count(*) FROM"
	    " held WHERE state = 'pending' AND group_id IN (" STORE_MOD_GROUPS
	    ")) FROM (" STORE_MOD_GROUPS ")", "ii", member_id, (int64_t)is_admin);
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc != 1)
		return rc == 0 ? 0 : -1;
	int64_t groups = sqlite3_column_int64(st, 0);
	*pending = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	return groups > 0;
}

int
store_mod_held_set_text(struct db *db, int64_t held_id, const char *from_name,
    const char *text)
{
	return db_run(db, "UPDATE held SET from_name = ?, text = ? WHERE id = ?",
	    "tti", from_name ? from_name : "", text ? text : "", held_id);
}

int
store_mod_held_text(struct db *db, int64_t held_id, struct buf *from_name,
    struct buf *text)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT from_name, text FROM held WHERE"
	    " id = ?", "i", held_id);
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc == 1) {
		buf_puts(from_name, db_col_text(st, 0));
		buf_append(text, sqlite3_column_blob(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1));
		sqlite3_reset(st);
	}
	return rc;
}

/* A ban from the held queue is an exact-address ban of daemon/store_ban.c;
 * allowing an address lifts it, banning one takes it off the allow list. */
int
store_mod_sender_set(struct db *db, int64_t group_id, const char *addr,
    enum store_mod_sender kind, const char *by)
{
	if (store_ban_remove_address(db, group_id, addr) == -1 ||
	    db_run(db, "DELETE FROM group_senders WHERE group_id = ? AND"
	    " address = ?", "it", group_id, addr) == -1)
		return -1;
	if (kind == STORE_MOD_SENDER_NONE)
		return 0;
	if (kind == STORE_MOD_SENDER_BAN) {
		struct buf low = BUF_INIT;
		for (const char *p = addr; *p; p++)
			buf_putc(&low, (char)tolower((unsigned char)*p));
		int64_t id = store_ban_add(db, group_id, BAN_ADDRESS,
		    buf_cstr(&low), 0, by);
		buf_free(&low);
		return id == -1 ? -1 : 0;
	}
	return db_run(db, "INSERT INTO group_senders(group_id, address, kind,"
	    " added_by, created) VALUES (?, ?, 'allow', ?, ?)", "itti", group_id,
	    addr, by ? by : "", db_now());
}

int
store_mod_sender_get(struct db *db, int64_t group_id, const char *addr)
{
	int64_t banned = db_int(db, "SELECT count(*) FROM bans WHERE group_id = ?"
	    " AND kind = 'address' AND value = lower(?)", -1, "it", group_id,
	    addr);
	if (banned != 0)
		return banned == -1 ? -1 : STORE_MOD_SENDER_BAN;
	struct buf b = BUF_INIT;
	int rc = db_text(db, &b, "SELECT kind FROM group_senders WHERE"
	    " group_id = ? AND address = ?", "it", group_id, addr);
	if (rc == 1)
		rc = STORE_MOD_SENDER_ALLOW;
	buf_free(&b);
	return rc;
}

int
store_mod_token_add(struct db *db, int64_t held_id, int64_t member_id,
    const char *action, char out[TOKEN_LEN + 1])
{
	char hash[TOKEN_HASH_LEN + 1];
	int64_t now = db_now();
	token_random(out);
	token_hash(out, hash);
	return db_run(db, "INSERT INTO mod_tokens(hash, held_id, member_id,"
	    " action, created, expires) VALUES (?, ?, ?, ?, ?, ?)", "tiitii",
	    hash, held_id, member_id, action, now, now + STORE_MOD_TOKEN_TTL);
}

int
store_mod_token_peek(struct db *db, const char *token, struct mod_token *out)
{
	char hash[TOKEN_HASH_LEN + 1];
	if (strlen(token) != TOKEN_LEN)
		return 0;
	token_hash(token, hash);
	sqlite3_stmt *st = db_stmt(db, "SELECT held_id, member_id, action FROM"
	    " mod_tokens WHERE hash = ? AND used = 0 AND expires >= ?", "ti",
	    hash, db_now());
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc == 1) {
		memset(out, 0, sizeof *out);
		out->held_id = sqlite3_column_int64(st, 0);
		out->member_id = sqlite3_column_int64(st, 1);
		xstrlcpy(out->action, db_col_text(st, 2), sizeof out->action);
		sqlite3_reset(st);
	}
	return rc;
}

int
store_mod_token_use(struct db *db, const char *token, struct mod_token *out)
{
	int rc = store_mod_token_peek(db, token, out);
	if (rc != 1)
		return rc;
	char hash[TOKEN_HASH_LEN + 1];
	token_hash(token, hash);
	if (db_run(db, "UPDATE mod_tokens SET used = 1 WHERE hash = ? AND"
	    " used = 0", "t", hash) == -1)
		return -1;
	return db_changes(db) > 0;
}

int
store_mod_post_hide(struct db *db, int64_t post_id, int hidden)
{
	if (db_run(db, "UPDATE posts SET hidden = ? WHERE id = ? AND hidden <> ?",
	    "did", hidden, post_id, hidden) == -1)
		return -1;
	return db_changes(db) > 0;
}

int
store_mod_thread_get(struct db *db, int64_t thread_id, struct mod_thread *t)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT group_id, locked, pinned, subject"
	    " FROM threads WHERE id = ?", "i", thread_id);
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc == 1) {
		t->id = thread_id;
		t->group_id = sqlite3_column_int64(st, 0);
		t->locked = sqlite3_column_int(st, 1);
		t->pinned = sqlite3_column_int(st, 2);
		t->subject = xstrdup(db_col_text(st, 3));
		sqlite3_reset(st);
	}
	return rc;
}

int
store_mod_thread_locked(struct db *db, int64_t thread_id)
{
	return (int)db_int(db, "SELECT locked <> 0 FROM threads WHERE id = ?", 0,
	    "i", thread_id);
}

int
store_mod_thread_set(struct db *db, int64_t thread_id, int pin, int on)
{
	int rc = pin ? db_run(db, "UPDATE threads SET pinned = ? WHERE id = ? AND"
	    " pinned <> ?", "did", on, thread_id, on) : db_run(db, "UPDATE"
	    " threads SET locked = ? WHERE id = ? AND locked <> ?", "did", on,
	    thread_id, on);
	if (rc == -1)
		return -1;
	return db_changes(db) > 0;
}

int
store_mod_thread_where(struct db *db, int64_t thread_id, int64_t *group_id,
    int64_t *merged_into)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT group_id, coalesce(merged_into, 0)"
	    " FROM threads WHERE id = ?", "i", thread_id);
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc == 1) {
		*group_id = sqlite3_column_int64(st, 0);
		*merged_into = sqlite3_column_int64(st, 1);
		sqlite3_reset(st);
	}
	return rc;
}

int64_t
store_mod_thread_clashes(struct db *db, int64_t thread_id, int64_t group_id)
{
	return db_int(db, "SELECT count(*) FROM posts a JOIN posts b ON"
	    " b.group_id = ?2 AND b.message_id = a.message_id AND b.id <> a.id"
	    " WHERE a.thread_id = ?1", -1, "ii", thread_id, group_id);
}

/* Recompute a thread's post count and last activity from its posts. */
static int
store_mod_thread_recount(struct db *db, int64_t thread_id)
{
	return db_run(db, "UPDATE threads SET post_count = (SELECT count(*) FROM"
	    " posts WHERE thread_id = ?1), last_post = coalesce((SELECT"
	    " max(created) FROM posts WHERE thread_id = ?1), last_post),"
	    " created = coalesce((SELECT min(created) FROM posts WHERE"
	    " thread_id = ?1), created) WHERE id = ?1", "i", thread_id);
}

int
store_mod_thread_move(struct db *db, int64_t thread_id, int64_t group_id)
{
	if (db_run(db, "UPDATE threads SET group_id = ?2 WHERE id = ?1 AND"
	    " group_id <> ?2 AND merged_into IS NULL", "ii", thread_id,
	    group_id) == -1)
		return -1;
	if (db_changes(db) == 0)
		return 0;
	if (db_run(db, "UPDATE posts SET group_id = ?2 WHERE thread_id = ?1",
	    "ii", thread_id, group_id) == -1 || db_run(db, "UPDATE threads SET"
	    " group_id = ?2 WHERE merged_into = ?1", "ii", thread_id,
	    group_id) == -1)
		return -1;
	return 1;
}

int
store_mod_thread_split(struct db *db, int64_t post_id, const char *subject,
    int64_t *new_thread, int64_t *moved)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT p.thread_id, p.group_id,"
	    " p.created FROM posts p WHERE p.id = ? AND p.parent_id IS NOT NULL"
	    " AND EXISTS (SELECT 1 FROM posts q WHERE q.thread_id = p.thread_id"
	    " AND q.id <> p.id AND (q.created < p.created OR (q.created ="
	    " p.created AND q.id < p.id)))", "i", post_id);
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc != 1)
		return rc;
	int64_t old = sqlite3_column_int64(st, 0);
	int64_t group_id = sqlite3_column_int64(st, 1);
	int64_t created = sqlite3_column_int64(st, 2);
	sqlite3_reset(st);
	if (db_run(db, "INSERT INTO threads(group_id, subject, subject_norm,"
	    " created, last_post) VALUES (?, ?, '', ?, ?)", "itii", group_id,
	    subject, created, created) == -1)
		return -1;
	*new_thread = db_last_id(db);
	if (db_run(db, "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION SELECT p.id"
	    " FROM posts p JOIN sub ON p.parent_id = sub.id WHERE p.thread_id ="
	    " ?2) UPDATE posts SET thread_id = ?3 WHERE id IN (SELECT id FROM"
	    " sub)", "iii", post_id, old, *new_thread) == -1)
		return -1;
	*moved = db_changes(db);
	if (db_run(db, "UPDATE posts SET parent_id = NULL WHERE id = ?", "i",
	    post_id) == -1 || store_mod_thread_recount(db, old) == -1 ||
	    store_mod_thread_recount(db, *new_thread) == -1)
		return -1;
	return 1;
}

int
store_mod_thread_merge(struct db *db, int64_t from, int64_t into,
    int64_t *moved)
{
	if (db_run(db, "UPDATE posts SET thread_id = ?2, group_id = (SELECT"
	    " group_id FROM threads WHERE id = ?2) WHERE thread_id = ?1", "ii",
	    from, into) == -1)
		return -1;
	*moved = db_changes(db);
	if (db_run(db, "UPDATE threads SET merged_into = ?2, post_count = 0"
	    " WHERE id = ?1 AND merged_into IS NULL", "ii", from, into) == -1)
		return -1;
	if (db_changes(db) == 0)
		return 0;
	if (db_run(db, "UPDATE threads SET merged_into = ?2 WHERE merged_into ="
	    " ?1", "ii", from, into) == -1 || store_mod_thread_recount(db,
	    into) == -1)
		return -1;
	return 1;
}

int
store_mod_thread_subject(struct db *db, int64_t thread_id, const char *subject)
{
	if (db_run(db, "UPDATE threads SET subject = ?2 WHERE id = ?1 AND"
	    " subject <> ?2", "it", thread_id, subject) == -1)
		return -1;
	return db_changes(db) > 0;
}

int
store_mod_pending_due(struct db *db, int64_t now, int64_t site_interval,
    int (*fn)(void *, const struct mod_pending_group *), void *arg)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT g.id, g.slug, g.name, count(*)"
	    " FROM groups g JOIN held h ON h.group_id = g.id AND h.state ="
	    " 'pending' LEFT JOIN mod_pending_notices n ON n.group_id = g.id"
	    " LEFT JOIN group_policy p ON p.group_id = g.id"
	    " WHERE n.last_sent IS NULL OR n.last_sent <= ?1 -"
	    " coalesce(nullif(p.pending_hours, 0) * 3600, ?2) GROUP BY g.id"
	    " HAVING min(h.created) <= ?1 - coalesce(nullif(max(p.pending_hours),"
	    " 0) * 3600, ?2) ORDER BY g.id", "ii", now, site_interval);
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = db_step(db, st)) == 1) {
		struct mod_pending_group pg = { sqlite3_column_int64(st, 0),
		    sqlite3_column_int64(st, 3), db_col_text(st, 1),
		    db_col_text(st, 2) };
		if (fn(arg, &pg) == -1) {
			sqlite3_reset(st);
			return 0;
		}
	}
	return rc;
}

int
store_mod_pending_sent(struct db *db, int64_t group_id, int64_t now,
    int64_t pending)
{
	return db_run(db, "INSERT INTO mod_pending_notices(group_id, last_sent,"
	    " pending) VALUES (?1, ?2, ?3) ON CONFLICT(group_id) DO UPDATE SET"
	    " last_sent = ?2, pending = ?3", "iii", group_id, now, pending);
}

int
store_mod_pending_held(struct db *db, int64_t group_id, int max,
    int (*fn)(void *, const struct mod_pending_held *), void *arg)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id, created, sender, subject,"
	    " reason FROM held WHERE group_id = ? AND state = 'pending' ORDER BY"
	    " id LIMIT ?", "ii", group_id, (int64_t)max);
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = db_step(db, st)) == 1) {
		struct mod_pending_held ph = { sqlite3_column_int64(st, 0),
		    sqlite3_column_int64(st, 1), db_col_text(st, 2),
		    db_col_text(st, 3), db_col_text(st, 4) };
		if (fn(arg, &ph) == -1) {
			sqlite3_reset(st);
			return 0;
		}
	}
	return rc;
}

int
store_mod_moderators(struct db *db, int64_t group_id,
    int (*fn)(void *, const struct mod_moderator *), void *arg)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT m.id, m.email, m.name, m.locale"
	    " FROM memberships ms JOIN members m ON m.id = ms.member_id WHERE"
	    " ms.group_id = ? AND ms.role IN ('moderator', 'owner') AND"
	    " ms.suspended = 0 ORDER BY m.id", "i", group_id);
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = db_step(db, st)) == 1) {
		struct mod_moderator mm = { sqlite3_column_int64(st, 0),
		    db_col_text(st, 1), db_col_text(st, 2), db_col_text(st, 3) };
		if (fn(arg, &mm) == -1) {
			sqlite3_reset(st);
			return 0;
		}
	}
	return rc;
}

int
store_mod_audit(struct db *db, const char *actor, const char *action,
    int64_t group_id, const char *target, const char *detail,
    const char *before, const char *after)
{
	return db_run(db, "INSERT INTO audit_log(time, actor, action, group_id,"
	    " target, detail, before_json, after_json) VALUES (?, ?, ?,"
	    " nullif(?, 0), ?, ?, ?, ?)", "ittitttt", db_now(), actor, action,
	    group_id, target ? target : "", detail ? detail : "",
	    before ? before : "", after ? after : "");
}

int
store_mod_audit_each(struct db *db, int64_t member_id, int is_admin,
    int64_t group_id, const char *action,
    int (*fn)(void *, const struct mod_audit *), void *arg)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT a.id, a.time,"
	    " coalesce(a.group_id, 0), coalesce(g.slug, ''), a.actor, a.action,"
	    " a.target, a.detail, a.before_json, a.after_json FROM audit_log a"
	    " LEFT JOIN groups g ON g.id = a.group_id WHERE (?2 <> 0 OR"
	    " a.group_id IN (" STORE_MOD_GROUPS ")) AND (?3 = 0 OR a.group_id ="
	    " ?3) AND (?4 = '' OR a.action = ?4) ORDER BY a.id DESC LIMIT ?5",
	    "iiiti", member_id, (int64_t)is_admin, group_id, action ? action : "",
	    (int64_t)STORE_MOD_LOG_MAX);
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = db_step(db, st)) == 1) {
		struct mod_audit a = { sqlite3_column_int64(st, 0),
		    sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
		    db_col_text(st, 3), db_col_text(st, 4), db_col_text(st, 5),
		    db_col_text(st, 6), db_col_text(st, 7), db_col_text(st, 8),
		    db_col_text(st, 9) };
		if (fn(arg, &a) == -1) {
			sqlite3_reset(st);
			return 0;
		}
	}
	return rc;
}
