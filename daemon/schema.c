/*
 * The whole schema, in order. A migration is appended, never edited once
 * released; user_version counts the migrations applied.
 */
#include <config.h>

#include <stdio.h>

#include <sqlite3.h>

#include "daemon/db.h"
#include "daemon/log.h"
#include "daemon/schema.h"

static const char *const schema_migrations[] = {
/* 1: the mailing-list core */
"CREATE TABLE settings("
"  key TEXT PRIMARY KEY,"
"  value TEXT NOT NULL);"
"CREATE TABLE groups("
"  id INTEGER PRIMARY KEY,"
"  slug TEXT NOT NULL UNIQUE,"
"  name TEXT NOT NULL,"
"  description TEXT NOT NULL DEFAULT '',"
"  visibility TEXT NOT NULL DEFAULT 'public'"
"    CHECK (visibility IN ('public','members','private')),"
"  language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('ar','fr','en')),"
"  post_policy TEXT NOT NULL DEFAULT 'members'"
"    CHECK (post_policy IN ('members','anyone','announce')),"
"  created INTEGER NOT NULL,"
"  archived INTEGER NOT NULL DEFAULT 0);"
"CREATE TABLE members("
"  id INTEGER PRIMARY KEY,"
"  email TEXT NOT NULL UNIQUE COLLATE NOCASE,"
"  name TEXT NOT NULL DEFAULT '',"
"  locale TEXT NOT NULL DEFAULT 'en',"
"  timezone TEXT NOT NULL DEFAULT 'UTC',"
"  password_hash TEXT,"
"  is_admin INTEGER NOT NULL DEFAULT 0,"
"  created INTEGER NOT NULL);"
"CREATE TABLE memberships("
"  group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,"
"  member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,"
"  role TEXT NOT NULL DEFAULT 'member'"
"    CHECK (role IN ('member','moderator','owner')),"
"  delivery TEXT NOT NULL DEFAULT 'each'"
"    CHECK (delivery IN ('each','daily','weekly','none')),"
"  moderated INTEGER NOT NULL DEFAULT 0,"
"  receive_own INTEGER NOT NULL DEFAULT 0,"
"  bounce_score INTEGER NOT NULL DEFAULT 0,"
"  suspended INTEGER NOT NULL DEFAULT 0,"
"  unsub_token TEXT NOT NULL UNIQUE,"
"  joined INTEGER NOT NULL,"
"  PRIMARY KEY (group_id, member_id));"
"CREATE INDEX memberships_member ON memberships(member_id);"
"CREATE TABLE inbound("
"  id INTEGER PRIMARY KEY,"
"  received INTEGER NOT NULL,"
"  mail_from TEXT NOT NULL,"
"  rcpts TEXT NOT NULL,"
"  peer TEXT NOT NULL DEFAULT '',"
"  raw BLOB NOT NULL,"
"  state TEXT NOT NULL DEFAULT 'new'"
"    CHECK (state IN ('new','done','held','quarantined')),"
"  approved INTEGER NOT NULL DEFAULT 0,"
"  note TEXT NOT NULL DEFAULT '');"
"CREATE INDEX inbound_new ON inbound(id) WHERE state = 'new';"
"CREATE TABLE threads("
"  id INTEGER PRIMARY KEY,"
"  group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,"
"  subject TEXT NOT NULL,"
"  subject_norm TEXT NOT NULL,"
"  created INTEGER NOT NULL,"
"  last_post INTEGER NOT NULL,"
"  post_count INTEGER NOT NULL DEFAULT 0,"
"  locked INTEGER NOT NULL DEFAULT 0,"
"  pinned INTEGER NOT NULL DEFAULT 0);"
"CREATE INDEX threads_group_last ON threads(group_id, last_post DESC);"
"CREATE INDEX threads_norm ON threads(group_id, subject_norm, last_post);"
"CREATE TABLE posts("
"  id INTEGER PRIMARY KEY,"
"  thread_id INTEGER NOT NULL REFERENCES threads(id) ON DELETE CASCADE,"
"  group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,"
"  parent_id INTEGER REFERENCES posts(id),"
"  member_id INTEGER REFERENCES members(id) ON DELETE SET NULL,"
"  author_name TEXT NOT NULL,"
"  author_email TEXT NOT NULL,"
"  subject TEXT NOT NULL,"
"  body TEXT NOT NULL,"
"  mime_part BLOB NOT NULL,"
"  message_id TEXT NOT NULL,"
"  refs TEXT NOT NULL DEFAULT '',"
"  created INTEGER NOT NULL,"
"  source TEXT NOT NULL DEFAULT 'mail' CHECK (source IN ('mail','web')),"
"  inbound_id INTEGER REFERENCES inbound(id),"
"  hidden INTEGER NOT NULL DEFAULT 0);"
"CREATE UNIQUE INDEX posts_msgid ON posts(group_id, message_id);"
"CREATE INDEX posts_thread ON posts(thread_id, created);"
"CREATE TABLE attachments("
"  id INTEGER PRIMARY KEY,"
"  post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,"
"  filename TEXT NOT NULL,"
"  content_type TEXT NOT NULL,"
"  size INTEGER NOT NULL,"
"  data BLOB NOT NULL);"
"CREATE INDEX attachments_post ON attachments(post_id);"
"CREATE TABLE outbox("
"  id INTEGER PRIMARY KEY,"
"  kind TEXT NOT NULL CHECK (kind IN ('post','system')),"
"  post_id INTEGER REFERENCES posts(id) ON DELETE CASCADE,"
"  group_id INTEGER REFERENCES groups(id) ON DELETE CASCADE,"
"  member_id INTEGER REFERENCES members(id) ON DELETE CASCADE,"
"  rcpt TEXT NOT NULL,"
"  message BLOB,"
"  state TEXT NOT NULL DEFAULT 'queued'"
"    CHECK (state IN ('queued','sent','failed')),"
"  attempts INTEGER NOT NULL DEFAULT 0,"
"  created INTEGER NOT NULL,"
"  next_attempt INTEGER NOT NULL,"
"  updated INTEGER NOT NULL,"
"  last_reply TEXT NOT NULL DEFAULT '');"
"CREATE INDEX outbox_due ON outbox(next_attempt, id) WHERE state = 'queued';"
"CREATE TABLE held("
"  id INTEGER PRIMARY KEY,"
"  group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,"
"  inbound_id INTEGER NOT NULL REFERENCES inbound(id),"
"  sender TEXT NOT NULL,"
"  subject TEXT NOT NULL,"
"  reason TEXT NOT NULL,"
"  created INTEGER NOT NULL,"
"  state TEXT NOT NULL DEFAULT 'pending'"
"    CHECK (state IN ('pending','approved','rejected','discarded')),"
"  decided_by TEXT NOT NULL DEFAULT '',"
"  decided_at INTEGER,"
"  note TEXT NOT NULL DEFAULT '',"
"  UNIQUE (group_id, inbound_id));"
"CREATE TABLE tokens("
"  hash TEXT PRIMARY KEY,"
"  kind TEXT NOT NULL,"
"  group_id INTEGER REFERENCES groups(id) ON DELETE CASCADE,"
"  email TEXT NOT NULL DEFAULT '',"
"  name TEXT NOT NULL DEFAULT '',"
"  created INTEGER NOT NULL,"
"  expires INTEGER NOT NULL,"
"  used INTEGER NOT NULL DEFAULT 0);"
"CREATE TABLE bounces("
"  id INTEGER PRIMARY KEY,"
"  group_id INTEGER REFERENCES groups(id) ON DELETE CASCADE,"
"  member_id INTEGER REFERENCES members(id) ON DELETE CASCADE,"
"  outbox_id INTEGER,"
"  received INTEGER NOT NULL,"
"  status TEXT NOT NULL DEFAULT '',"
"  diagnostic TEXT NOT NULL DEFAULT '');"
"CREATE TABLE audit_log("
"  id INTEGER PRIMARY KEY,"
"  time INTEGER NOT NULL,"
"  actor TEXT NOT NULL,"
"  action TEXT NOT NULL,"
"  group_id INTEGER,"
"  target TEXT NOT NULL DEFAULT '',"
"  detail TEXT NOT NULL DEFAULT '');",
/* 2: IMAP sources: position, status, counters, and what was taken */
"CREATE TABLE sources("
"  name TEXT PRIMARY KEY,"
"  url TEXT NOT NULL DEFAULT '',"
"  state TEXT NOT NULL DEFAULT 'new',"
"  uidvalidity INTEGER NOT NULL DEFAULT 0,"
"  last_uid INTEGER NOT NULL DEFAULT 0,"
"  last_success INTEGER NOT NULL DEFAULT 0,"
"  last_error TEXT NOT NULL DEFAULT '',"
"  last_error_at INTEGER NOT NULL DEFAULT 0,"
"  fetched INTEGER NOT NULL DEFAULT 0,"
"  committed INTEGER NOT NULL DEFAULT 0,"
"  duplicates INTEGER NOT NULL DEFAULT 0,"
"  refused INTEGER NOT NULL DEFAULT 0,"
"  updated INTEGER NOT NULL DEFAULT 0);"
"CREATE TABLE source_seen("
"  id INTEGER PRIMARY KEY,"
"  source TEXT NOT NULL,"
"  hash TEXT NOT NULL,"
"  message_id TEXT NOT NULL DEFAULT '',"
"  inbound_id INTEGER REFERENCES inbound(id),"
"  uidvalidity INTEGER NOT NULL,"
"  uid INTEGER NOT NULL,"
"  created INTEGER NOT NULL);"
"CREATE INDEX source_seen_hash ON source_seen(source, hash);"
"CREATE INDEX source_seen_msgid ON source_seen(source, message_id)"
"  WHERE message_id <> '';",
/* 3: web accounts: sessions (token stored hashed), rate-limit buckets and
 * registrations waiting for their confirmation */
"CREATE TABLE sessions("
"  id INTEGER PRIMARY KEY,"
"  hash TEXT NOT NULL UNIQUE,"
"  member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,"
"  created INTEGER NOT NULL,"
"  last_seen INTEGER NOT NULL,"
"  expires INTEGER NOT NULL,"
"  csrf TEXT NOT NULL);"
"CREATE INDEX sessions_member ON sessions(member_id);"
"CREATE TABLE rate_limits("
"  key TEXT PRIMARY KEY,"
"  window_start INTEGER NOT NULL,"
"  count INTEGER NOT NULL);"
"CREATE TABLE account_pending("
"  token_hash TEXT PRIMARY KEY REFERENCES tokens(hash) ON DELETE CASCADE,"
"  password_hash TEXT NOT NULL,"
"  locale TEXT NOT NULL DEFAULT 'en');",
/* 4: writing from the web: when a post was last edited (0: never), and the
 * web posts of a member by time (peer "web:ID", for the posting rate limit) */
"ALTER TABLE posts ADD COLUMN edited INTEGER NOT NULL DEFAULT 0;"
"CREATE INDEX inbound_web ON inbound(peer, received) WHERE peer GLOB 'web:*';",
/* 5: full-text search over visible posts (daemon/store_search.c). FTS5
 * indexes the view post_search_text, which folds the text in SQL itself,
 * in two views since SQLite's parser limits nesting (the mapping of
 * fold_cp in daemon/fold.c; test-search checks that both agree), so
 * every connection, majlisctl's and the sqlite3 shell's
 * alike, keeps the index right through the triggers; unicode61 with
 * remove_diacritics 2 then folds case and Latin accents. Hidden posts
 * are not in the view, hence not indexed. */
#define SCHEMA_UNMARK(x) \
"replace(replace(replace(replace(replace(replace(replace(replace(replace(" \
"replace(replace(replace(replace(replace(replace(replace(replace(replace(" \
"replace(replace(replace(replace(replace(" x \
",char(1611),''),char(1612),''),char(1613),''),char(1614),'')" \
",char(1615),''),char(1616),''),char(1617),''),char(1618),'')" \
",char(1619),''),char(1620),''),char(1621),''),char(1622),'')" \
",char(1623),''),char(1624),''),char(1625),''),char(1626),'')" \
",char(1627),''),char(1628),''),char(1629),''),char(1630),'')" \
",char(1631),''),char(1648),''),char(1600),'')"
#define SCHEMA_UNIFY(x) \
"replace(replace(replace(replace(replace(replace(replace(replace(replace(" \
"replace(" x \
",char(1570),char(1575)),char(1571),char(1575))" \
",char(1573),char(1575)),char(1649),char(1575))" \
",char(1609),char(1610)),char(1577),char(1607)),char(339),'oe')" \
",char(338),'oe'),char(230),'ae'),char(198),'ae')"
#define SCHEMA_FTS_COLS "subject, body, author, email"
"CREATE VIEW post_search_unmarked AS SELECT id, "
SCHEMA_UNMARK("subject") " AS subject, " SCHEMA_UNMARK("body") " AS body, "
SCHEMA_UNMARK("author_name") " AS author, author_email AS email"
"  FROM posts WHERE hidden = 0;"
"CREATE VIEW post_search_text AS SELECT id, "
SCHEMA_UNIFY("subject") " AS subject, " SCHEMA_UNIFY("body") " AS body, "
SCHEMA_UNIFY("author") " AS author, email FROM post_search_unmarked;"
"CREATE VIRTUAL TABLE post_fts USING fts5(" SCHEMA_FTS_COLS ","
"  content='post_search_text', content_rowid='id',"
"  tokenize='unicode61 remove_diacritics 2');"
"INSERT INTO post_fts(post_fts, rank) VALUES('rank', 'bm25(4, 1, 2, 1)');"
"CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN"
"  INSERT INTO post_fts(rowid, " SCHEMA_FTS_COLS ") SELECT id, "
SCHEMA_FTS_COLS " FROM post_search_text WHERE id = new.id; END;"
"CREATE TRIGGER posts_fts_unindex BEFORE UPDATE OF subject, body,"
"  author_name, author_email, hidden ON posts BEGIN"
"  INSERT INTO post_fts(post_fts, rowid, " SCHEMA_FTS_COLS ") SELECT"
"  'delete', id, " SCHEMA_FTS_COLS " FROM post_search_text"
"  WHERE id = old.id; END;"
"CREATE TRIGGER posts_fts_reindex AFTER UPDATE OF subject, body,"
"  author_name, author_email, hidden ON posts BEGIN"
"  INSERT INTO post_fts(rowid, " SCHEMA_FTS_COLS ") SELECT id, "
SCHEMA_FTS_COLS " FROM post_search_text WHERE id = new.id; END;"
"CREATE TRIGGER posts_fts_delete BEFORE DELETE ON posts BEGIN"
"  INSERT INTO post_fts(post_fts, rowid, " SCHEMA_FTS_COLS ") SELECT"
"  'delete', id, " SCHEMA_FTS_COLS " FROM post_search_text"
"  WHERE id = old.id; END;"
"INSERT INTO post_fts(post_fts) VALUES('rebuild');",
#undef SCHEMA_FTS_COLS
#undef SCHEMA_UNIFY
#undef SCHEMA_UNMARK
/* 6: moderation: the text of a held message as the processor extracted it
 * (shown in the panel), per-group allowed and banned senders, single-use
 * tokens of the approve/reject addresses (bound to a held message and a
 * moderator), the state before and after an audited action, and the log
 * by group */
"ALTER TABLE held ADD COLUMN text TEXT NOT NULL DEFAULT '';"
"ALTER TABLE held ADD COLUMN from_name TEXT NOT NULL DEFAULT '';"
"CREATE INDEX held_pending ON held(group_id, id) WHERE state = 'pending';"
"CREATE TABLE group_senders("
"  group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,"
"  address TEXT NOT NULL COLLATE NOCASE,"
"  kind TEXT NOT NULL CHECK (kind IN ('allow','ban')),"
"  added_by TEXT NOT NULL DEFAULT '',"
"  created INTEGER NOT NULL,"
"  PRIMARY KEY (group_id, address));"
"CREATE TABLE mod_tokens("
"  hash TEXT PRIMARY KEY,"
"  held_id INTEGER NOT NULL REFERENCES held(id) ON DELETE CASCADE,"
"  member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,"
"  action TEXT NOT NULL CHECK (action IN ('approve','reject')),"
"  created INTEGER NOT NULL,"
"  expires INTEGER NOT NULL,"
"  used INTEGER NOT NULL DEFAULT 0);"
"CREATE INDEX mod_tokens_held ON mod_tokens(held_id);"
"ALTER TABLE audit_log ADD COLUMN before_json TEXT NOT NULL DEFAULT '';"
"ALTER TABLE audit_log ADD COLUMN after_json TEXT NOT NULL DEFAULT '';"
"CREATE INDEX audit_log_group ON audit_log(group_id, id);",
/* 7: digests: the schedule of a group (default weekly Monday 08:00
 * Africa/Casablanca, daily at the same hour), one row per digest issued
 * (period, volume and issue, the posts it may carry), a row per member it
 * went to (written in the transaction of their outbox row, so a restart
 * never sends it twice), and per member the last post a digest or an
 * each-post copy gave them: set by triggers when a member joins or turns
 * to a digest, moved by every digest sent */
"CREATE TABLE digest_schedule("
"  group_id INTEGER PRIMARY KEY REFERENCES groups(id) ON DELETE CASCADE,"
"  weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),"
"  hour INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),"
"  timezone TEXT NOT NULL);"
"CREATE TABLE digests("
"  id INTEGER PRIMARY KEY,"
"  group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,"
"  kind TEXT NOT NULL CHECK (kind IN ('daily','weekly')),"
"  period_start INTEGER NOT NULL,"
"  period_end INTEGER NOT NULL,"
"  volume INTEGER NOT NULL,"
"  issue INTEGER NOT NULL,"
"  base_post_id INTEGER NOT NULL,"
"  max_post_id INTEGER NOT NULL,"
"  state TEXT NOT NULL DEFAULT 'sending' CHECK (state IN ('sending','done')),"
"  created INTEGER NOT NULL,"
"  finished INTEGER NOT NULL DEFAULT 0,"
"  UNIQUE (group_id, kind, period_end));"
"CREATE INDEX digests_sending ON digests(id) WHERE state = 'sending';"
"CREATE TABLE digest_copies("
"  digest_id INTEGER NOT NULL REFERENCES digests(id) ON DELETE CASCADE,"
"  member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,"
"  outbox_id INTEGER,"
"  posts INTEGER NOT NULL,"
"  created INTEGER NOT NULL,"
"  PRIMARY KEY (digest_id, member_id));"
"CREATE TABLE digest_marks("
"  group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,"
"  member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,"
"  last_post_id INTEGER NOT NULL,"
"  PRIMARY KEY (group_id, member_id));"
"CREATE TRIGGER digest_mark_join AFTER INSERT ON memberships"
"  WHEN new.delivery IN ('daily','weekly') BEGIN"
"  INSERT OR REPLACE INTO digest_marks(group_id, member_id, last_post_id)"
"  SELECT new.group_id, new.member_id, coalesce(max(id), 0) FROM posts"
"  WHERE group_id = new.group_id; END;"
"CREATE TRIGGER digest_mark_switch AFTER UPDATE OF delivery ON memberships"
"  WHEN new.delivery IN ('daily','weekly') AND"
"  old.delivery NOT IN ('daily','weekly') BEGIN"
"  INSERT OR REPLACE INTO digest_marks(group_id, member_id, last_post_id)"
"  SELECT new.group_id, new.member_id, coalesce(max(id), 0) FROM posts"
"  WHERE group_id = new.group_id; END;",
/* 8: bans: per group or site-wide (group_id NULL), an exact address, a
 * domain (with or without its subdomains) or a glob pattern, all stored
 * lowercased (daemon/ban.c); the addresses banned from the held queue so
 * far move here from group_senders */
"CREATE TABLE bans("
"  id INTEGER PRIMARY KEY,"
"  group_id INTEGER REFERENCES groups(id) ON DELETE CASCADE,"
"  kind TEXT NOT NULL CHECK (kind IN ('address','domain','pattern')),"
"  value TEXT NOT NULL,"
"  subdomains INTEGER NOT NULL DEFAULT 0,"
"  added_by TEXT NOT NULL DEFAULT '',"
"  created INTEGER NOT NULL);"
"CREATE UNIQUE INDEX bans_value ON bans(coalesce(group_id, 0), value);"
"INSERT OR IGNORE INTO bans(group_id, kind, value, added_by, created)"
"  SELECT group_id, 'address', lower(address), added_by, created"
"  FROM group_senders WHERE kind = 'ban';"
"DELETE FROM group_senders WHERE kind = 'ban';",
/* 9: thread operations: a thread merged into another keeps its row, empty,
 * with the thread it went to, so that its URL redirects there and its id
 * is never given to a new thread (web/mod_thread.c) */
"ALTER TABLE threads ADD COLUMN merged_into INTEGER REFERENCES threads(id)"
"  ON DELETE CASCADE;"
"CREATE INDEX threads_merged ON threads(merged_into)"
"  WHERE merged_into IS NOT NULL;",
/* 10: posting policies of a group beyond post_policy (daemon/store_policy.c):
 * hold a member's first post, a size limit in KiB and a posting rate per
 * member per hour (0: none); no row means all three off */
"CREATE TABLE group_policy("
"  group_id INTEGER PRIMARY KEY REFERENCES groups(id) ON DELETE CASCADE,"
"  first_post_held INTEGER NOT NULL DEFAULT 0,"
"  max_kib INTEGER NOT NULL DEFAULT 0,"
"  rate_per_hour INTEGER NOT NULL DEFAULT 0);",
/* 11: reminders of pending held messages to a group's moderators
 * (daemon/modpending.c): when the last one went, so that one goes at most
 * once an interval, across restarts */
"CREATE TABLE mod_pending_notices("
"  group_id INTEGER PRIMARY KEY REFERENCES groups(id) ON DELETE CASCADE,"
"  last_sent INTEGER NOT NULL,"
"  pending INTEGER NOT NULL);",
/* 12: a digest's body is stored once per variant (digest, first post,
 * language, time zone) as a template with holes for each member's values
 * (mail/digest.c); its outbox rows point to it (message NULL) and are
 * personalised when they are sent. A body goes once its digest is done
 * and no row waiting to be sent needs it (the triggers, and
 * store_digest_finish); ids are never reused, since delivery keeps the
 * bodies it loaded by id. */
"CREATE TABLE digest_bodies("
"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
"  digest_id INTEGER NOT NULL REFERENCES digests(id) ON DELETE CASCADE,"
"  mark INTEGER NOT NULL,"
"  locale TEXT NOT NULL,"
"  timezone TEXT NOT NULL,"
"  head BLOB NOT NULL,"
"  text BLOB NOT NULL,"
"  html BLOB NOT NULL,"
"  holes TEXT NOT NULL,"
"  boundary TEXT NOT NULL,"
"  created INTEGER NOT NULL,"
"  UNIQUE (digest_id, mark, locale, timezone));"
"ALTER TABLE outbox ADD COLUMN body_id INTEGER;"
"CREATE INDEX outbox_body_queued ON outbox(body_id)"
"  WHERE body_id IS NOT NULL AND state = 'queued';"
"CREATE TRIGGER digest_body_sent AFTER UPDATE OF state ON outbox"
"  WHEN new.body_id IS NOT NULL AND new.state <> 'queued' BEGIN"
"  DELETE FROM digest_bodies WHERE id = new.body_id AND NOT EXISTS"
"  (SELECT 1 FROM outbox WHERE body_id = new.body_id AND state = 'queued')"
"  AND (SELECT state FROM digests d WHERE d.id = digest_bodies.digest_id)"
"  = 'done'; END;"
"CREATE TRIGGER digest_body_deleted AFTER DELETE ON outbox"
"  WHEN old.body_id IS NOT NULL BEGIN"
"  DELETE FROM digest_bodies WHERE id = old.body_id AND NOT EXISTS"
"  (SELECT 1 FROM outbox WHERE body_id = old.body_id AND state = 'queued')"
"  AND (SELECT state FROM digests d WHERE d.id = digest_bodies.digest_id)"
"  = 'done'; END;",
/* 13: whether members get a notice when an owner changes their membership
 * (daemon/modnotice.c); on unless the group turns it off */
"ALTER TABLE group_policy ADD COLUMN member_notices INTEGER NOT NULL"
"  DEFAULT 1;",
/* 14: a version per thread, moved by every change to its posts, to their
 * attachments or to its subject, through triggers, so that writes from
 * any connection (majlisctl, the sqlite3 shell) count: the web keeps a
 * thread's rendered posts while its version stays the same
 * (web/pagecache.c) */
"ALTER TABLE threads ADD COLUMN version INTEGER NOT NULL DEFAULT 0;"
"CREATE TRIGGER threads_version_post_insert AFTER INSERT ON posts BEGIN"
"  UPDATE threads SET version = version + 1 WHERE id = new.thread_id; END;"
"CREATE TRIGGER threads_version_post_update AFTER UPDATE ON posts BEGIN"
"  UPDATE threads SET version = version + 1"
"  WHERE id IN (old.thread_id, new.thread_id); END;"
"CREATE TRIGGER threads_version_post_delete AFTER DELETE ON posts BEGIN"
"  UPDATE threads SET version = version + 1 WHERE id = old.thread_id; END;"
"CREATE TRIGGER threads_version_file_insert AFTER INSERT ON attachments"
"  BEGIN UPDATE threads SET version = version + 1 WHERE id ="
"  (SELECT thread_id FROM posts WHERE id = new.post_id); END;"
"CREATE TRIGGER threads_version_file_delete AFTER DELETE ON attachments"
"  BEGIN UPDATE threads SET version = version + 1 WHERE id ="
"  (SELECT thread_id FROM posts WHERE id = old.post_id); END;"
"CREATE TRIGGER threads_version_subject AFTER UPDATE OF subject ON threads"
"  BEGIN UPDATE threads SET version = version + 1 WHERE id = new.id; END;",
/* 15: invitations by mail from a group's members page (daemon/invite.h):
 * one pending invitation per group and address (a new one replaces its
 * token), the token stored hashed, the row gone once used or revoked */
"CREATE TABLE invites("
"  id INTEGER PRIMARY KEY,"
"  group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,"
"  email TEXT NOT NULL COLLATE NOCASE,"
"  hash TEXT NOT NULL UNIQUE,"
"  invited_by TEXT NOT NULL,"
"  created INTEGER NOT NULL,"
"  expires INTEGER NOT NULL,"
"  UNIQUE (group_id, email));",
/* 16: the rest of a group's policies (daemon/store_policy.c): allowed MIME
 * types ('' allows all) and what happens to other parts (strip or hold),
 * the subject prefix of list copies (NULL: "[slug]"), the Reply-To of list
 * copies (list, author or both) and the reminder interval of pending held
 * mail in hours (0: the site's mod_pending_interval) */
"ALTER TABLE group_policy ADD COLUMN mime_types TEXT NOT NULL DEFAULT '';"
"ALTER TABLE group_policy ADD COLUMN mime_action TEXT NOT NULL"
"  DEFAULT 'strip';"
"ALTER TABLE group_policy ADD COLUMN subject_prefix TEXT;"
"ALTER TABLE group_policy ADD COLUMN reply_to TEXT NOT NULL DEFAULT 'list';"
"ALTER TABLE group_policy ADD COLUMN pending_hours INTEGER NOT NULL"
"  DEFAULT 0;",
/* 17: when the author of a reply to a digest that could not be placed was
 * last told so (mail/digestreply.c: at most one notice an hour) */
"CREATE TABLE digestreply_notice ("
"  group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,"
"  email TEXT NOT NULL COLLATE NOCASE,"
"  sent INTEGER NOT NULL,"
"  PRIMARY KEY (group_id, email));",
/* 18: the thread a moderator placed a held message in when approving it
 * (a reply to a digest that named no one thread; 0: none chosen) */
"ALTER TABLE held ADD COLUMN place_thread INTEGER NOT NULL DEFAULT 0;",
};

#define SCHEMA_NMIGRATIONS \
	((int)(sizeof schema_migrations / sizeof schema_migrations[0]))

int
schema_version(void)
{
	return SCHEMA_NMIGRATIONS;
}

int
schema_migrate(struct db *db, struct buf *err)
{
	for (;;) {
		if (db_begin(db) == -1) {
			buf_puts(err, "cannot start a transaction for migration");
			return -1;
		}
		int v = (int)db_int(db, "PRAGMA user_version", 0, NULL);
		if (v > SCHEMA_NMIGRATIONS) {
			db_rollback(db);
			buf_printf(err, "database schema version %d is newer than "
			    "this majlis (%d)", v, SCHEMA_NMIGRATIONS);
			return -1;
		}
		if (v == SCHEMA_NMIGRATIONS) {
			db_rollback(db);
			return 0;
		}
		char pragma[64];
		snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", v + 1);
		if (db_exec(db, schema_migrations[v]) == -1 ||
		    db_exec(db, pragma) == -1 || db_commit(db) == -1) {
			db_rollback(db);
			buf_printf(err, "migration %d failed: %s", v + 1,
			    sqlite3_errmsg(db_handle(db)));
			return -1;
		}
		log_info("database migrated to schema version %d", v + 1);
	}
}
