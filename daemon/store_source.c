/*
 * The IMAP sources' SQL (see store_source.h).
 */
#include <config.h>

#include <string.h>

#include "daemon/db.h"
#include "daemon/store_source.h"

int
store_source_sync(struct db *db, const char *name, const char *url,
    int64_t uidvalidity, int64_t *last_uid, int *reset)
{
	*reset = 0;
	if (db_run(db, "INSERT INTO sources(name, url, uidvalidity, updated)"
	    " VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET url ="
	    " excluded.url", "ttii", name, url, uidvalidity, db_now()) == -1)
		return -1;
	int64_t stored = db_int(db, "SELECT uidvalidity FROM sources WHERE"
	    " name = ?", -1, "t", name);
	if (stored == -1)
		return -1;
	if (stored != uidvalidity) {
		if (db_run(db, "UPDATE sources SET uidvalidity = ?, last_uid = 0"
		    " WHERE name = ?", "it", uidvalidity, name) == -1)
			return -1;
		*reset = stored != 0;
	}
	*last_uid = db_int(db, "SELECT last_uid FROM sources WHERE name = ?",
	    -1, "t", name);
	return *last_uid == -1 ? -1 : 0;
}

int
store_source_seen(struct db *db, const char *name, const char *hash,
    const char *message_id)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT 1 FROM source_seen WHERE source"
	    " = ?1 AND (hash = ?2 OR (?3 <> '' AND message_id = ?3)) LIMIT 1",
	    "ttt", name, hash, message_id);
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	sqlite3_reset(st);
	return rc;
}

int
store_source_record(struct db *db, const char *name, const char *hash,
    const char *message_id, int64_t inbound_id, int64_t uidvalidity,
    int64_t uid)
{
	if (inbound_id > 0)
		return db_run(db, "INSERT INTO source_seen(source, hash,"
		    " message_id, inbound_id, uidvalidity, uid, created) VALUES"
		    " (?, ?, ?, ?, ?, ?, ?)", "tttiiii", name, hash, message_id,
		    inbound_id, uidvalidity, uid, db_now());
	return db_run(db, "INSERT INTO source_seen(source, hash, message_id,"
	    " uidvalidity, uid, created) VALUES (?, ?, ?, ?, ?, ?)", "tttiii",
	    name, hash, message_id, uidvalidity, uid, db_now());
}

int
store_source_advance(struct db *db, const char *name, int64_t uidvalidity,
    int64_t uid, int outcome)
{
	if (db_run(db, "UPDATE sources SET last_uid = max(last_uid, ?1),"
	    " fetched = fetched + 1, committed = committed + (?2 = 1),"
	    " duplicates = duplicates + (?2 = 2), refused = refused + (?2 = 3),"
	    " updated = ?3 WHERE name = ?4 AND uidvalidity = ?5", "iditi", uid,
	    outcome, db_now(), name, uidvalidity) == -1)
		return -1;
	return db_changes(db) > 0 ? 1 : 0;
}

int
store_source_status(struct db *db, const char *name, const char *state,
    const char *error, int success)
{
	int64_t now = db_now();
	if (db_run(db, "INSERT INTO sources(name, state, updated) VALUES (?, ?, ?)"
	    " ON CONFLICT(name) DO UPDATE SET state = excluded.state, updated ="
	    " excluded.updated", "tti", name, state, now) == -1)
		return -1;
	if (error != NULL && *error != '\0' && db_run(db, "UPDATE sources SET"
	    " last_error = ?, last_error_at = ? WHERE name = ?", "tit", error,
	    now, name) == -1)
		return -1;
	if (success && db_run(db, "UPDATE sources SET last_success = ? WHERE"
	    " name = ?", "it", now, name) == -1)
		return -1;
	return 0;
}

int
store_source_list(struct db *db, int (*cb)(void *, const struct source_row *),
    void *arg)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT name, url, state, uidvalidity,"
	    " last_uid, last_success, last_error, last_error_at, fetched,"
	    " committed, duplicates, refused, updated FROM sources ORDER BY name",
	    NULL);
	if (st == NULL)
		return -1;
	int rc, ret = 0;
	while ((rc = db_step(db, st)) == 1) {
		struct source_row r;
		r.name = (char *)db_col_text(st, 0);
		r.url = (char *)db_col_text(st, 1);
		r.state = (char *)db_col_text(st, 2);
		r.uidvalidity = sqlite3_column_int64(st, 3);
		r.last_uid = sqlite3_column_int64(st, 4);
		r.last_success = sqlite3_column_int64(st, 5);
		r.last_error = (char *)db_col_text(st, 6);
		r.last_error_at = sqlite3_column_int64(st, 7);
		r.fetched = sqlite3_column_int64(st, 8);
		r.committed = sqlite3_column_int64(st, 9);
		r.duplicates = sqlite3_column_int64(st, 10);
		r.refused = sqlite3_column_int64(st, 11);
		r.updated = sqlite3_column_int64(st, 12);
		if ((ret = cb(arg, &r)) != 0)
			break;
	}
	sqlite3_reset(st);
	return rc == -1 ? -1 : ret;
}
