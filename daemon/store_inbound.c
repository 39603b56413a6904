/*
 * The inbound queue's SQL.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "daemon/db.h"
#include "daemon/store_inbound.h"
#include "daemon/xalloc.h"

void
store_inbound_clear(struct inbound *in)
{
	free(in->mail_from);
	free(in->rcpts);
	free(in->peer);
	buf_free(&in->raw);
	memset(in, 0, sizeof *in);
}

int64_t
store_inbound_add(struct db *db, const char *mail_from, const char *rcpts,
    const char *peer, const char *raw, size_t len)
{
	if (db_run(db, "INSERT INTO inbound(received, mail_from, rcpts, peer, raw)"
	    " VALUES (?, ?, ?, ?, ?)", "itttb", db_now(), mail_from, rcpts, peer,
	    raw, len) == -1)
		return -1;
	return db_last_id(db);
}

int
store_inbound_get(struct db *db, int64_t id, struct inbound *out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id, received, mail_from, rcpts,"
	    " peer, raw, state, approved FROM inbound WHERE id = ?", "i", id);
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc != 1)
		return rc;
	memset(out, 0, sizeof *out);
	out->id = sqlite3_column_int64(st, 0);
	out->received = sqlite3_column_int64(st, 1);
	out->mail_from = xstrdup(db_col_text(st, 2));
	out->rcpts = xstrdup(db_col_text(st, 3));
	out->peer = xstrdup(db_col_text(st, 4));
	buf_append(&out->raw, sqlite3_column_blob(st, 5),
	    (size_t)sqlite3_column_bytes(st, 5));
	xstrlcpy(out->state, db_col_text(st, 6), sizeof out->state);
	out->approved = sqlite3_column_int(st, 7);
	sqlite3_reset(st);
	return 1;
}

int
store_inbound_pending(struct db *db, int64_t after, int64_t *ids, int max)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id FROM inbound WHERE state = 'new'"
	    " AND id > ? ORDER BY id LIMIT ?", "id", after, max);
	if (st == NULL)
		return -1;
	int n = 0, rc;
	while ((rc = db_step(db, st)) == 1)
		ids[n++] = sqlite3_column_int64(st, 0);
	return rc == -1 ? -1 : n;
}

int
store_inbound_set_raw(struct db *db, int64_t id, const char *raw, size_t len)
{
	return db_run(db, "UPDATE inbound SET raw = ? WHERE id = ?", "bi", raw,
	    len, id);
}

int
store_inbound_set_state(struct db *db, int64_t id, const char *state,
    const char *note)
{
	return db_run(db, "UPDATE inbound SET state = ?, note = ? WHERE id = ?",
	    "tti", state, note ? note : "", id);
}

int
store_inbound_release(struct db *db, int64_t id)
{
	return db_run(db, "UPDATE inbound SET state = 'new', approved = 1"
	    " WHERE id = ?", "i", id);
}
