/*
 * SQLite connection: pragmas, a per-connection cache of prepared statements
 * keyed by the SQL literal's address, and typed binding helpers.
 */
#include <config.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/db.h"
#include "daemon/log.h"
#include "daemon/schema.h"
#include "daemon/xalloc.h"

#define DB_CACHE_INITIAL 64

struct db_cached {
	const char	*sql;
	sqlite3_stmt	*stmt;
};

struct db {
	sqlite3			*h;
	struct db_cached	*cache;
	size_t			 ncache, capcache;
};

static int
db_pragmas(struct db *db)
{
	return db_exec(db,
	    "PRAGMA journal_mode=WAL;"
	    "PRAGMA synchronous=FULL;"
	    "PRAGMA foreign_keys=ON;"
	    "PRAGMA temp_store=MEMORY;");
}

struct db *
db_open(const char *path, struct buf *err)
{
	struct db *db = xcalloc(1, sizeof *db);
	int rc = sqlite3_open_v2(path, &db->h,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		buf_printf(err, "%s: %s", path, db->h ? sqlite3_errmsg(db->h) :
		    sqlite3_errstr(rc));
		db_close(&db);
		return NULL;
	}
	sqlite3_busy_timeout(db->h, DB_BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(db->h, 1);
	if (db_pragmas(db) == -1 || schema_migrate(db, err) == -1) {
		if (err->len == 0)
			buf_printf(err, "%s: %s", path, sqlite3_errmsg(db->h));
		db_close(&db);
		return NULL;
	}
	return db;
}

void
db_close(struct db **dbp)
{
	struct db *db = *dbp;
	if (db == NULL)
		return;
	for (size_t i = 0; i < db->ncache; i++)
		sqlite3_finalize(db->cache[i].stmt);
	free(db->cache);
	sqlite3_close(db->h);
	free(db);
	*dbp = NULL;
}

sqlite3 *
db_handle(struct db *db)
{
	return db->h;
}

int
db_exec(struct db *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_warnx("db: %s", msg ? msg : sqlite3_errmsg(db->h));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
db_begin(struct db *db)
{
	return db_exec(db, "BEGIN IMMEDIATE");
}

int
db_commit(struct db *db)
{
	if (db_exec(db, "COMMIT") == -1) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

void
db_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

static sqlite3_stmt *
db_cache_get(struct db *db, const char *sql)
{
	for (size_t i = 0; i < db->ncache; i++)
		if (db->cache[i].sql == sql)
			return db->cache[i].stmt;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL) != SQLITE_OK) {
		log_warnx("db: prepare: %s: %s", sqlite3_errmsg(db->h), sql);
		return NULL;
	}
	if (db->ncache == db->capcache) {
		db->capcache = db->capcache ? db->capcache * 2 : DB_CACHE_INITIAL;
		db->cache = xreallocarray(db->cache, db->capcache, sizeof *db->cache);
	}
	db->cache[db->ncache].sql = sql;
	db->cache[db->ncache].stmt = st;
	db->ncache++;
	return st;
}

static int
db_bind(struct db *db, sqlite3_stmt *st, const char *types, va_list ap)
{
	int rc = SQLITE_OK;
	for (int i = 1; types && *types && rc == SQLITE_OK; types++, i++) {
		switch (*types) {
		case 'i':
			rc = sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
			break;
		case 'd':
			rc = sqlite3_bind_int(st, i, va_arg(ap, int));
			break;
		case 't': {
			const char *s = va_arg(ap, const char *);
			rc = s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC) :
			    sqlite3_bind_null(st, i);
			break;
		}
		case 'b': {
			const void *p = va_arg(ap, const void *);
			size_t n = va_arg(ap, size_t);
			rc = sqlite3_bind_blob64(st, i, p ? p : "", n, SQLITE_STATIC);
			break;
		}
		case 'n':
			rc = sqlite3_bind_null(st, i);
			break;
		default:
			fatalx("db_bind: bad type '%c'", *types);
		}
	}
	if (rc != SQLITE_OK) {
		log_warnx("db: bind: %s", sqlite3_errmsg(db->h));
		return -1;
	}
	return 0;
}

static sqlite3_stmt *
db_vstmt(struct db *db, const char *sql, const char *types, va_list ap)
{
	sqlite3_stmt *st = db_cache_get(db, sql);
	if (st == NULL)
		return NULL;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (db_bind(db, st, types, ap) == -1)
		return NULL;
	return st;
}

sqlite3_stmt *
db_stmt(struct db *db, const char *sql, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	sqlite3_stmt *st = db_vstmt(db, sql, types, ap);
	va_end(ap);
	return st;
}

int
db_step(struct db *db, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return 0;
	}
	log_warnx("db: step: %s: %s", sqlite3_errmsg(db->h), sqlite3_sql(st));
	sqlite3_reset(st);
	return -1;
}

int
db_run(struct db *db, const char *sql, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	sqlite3_stmt *st = db_vstmt(db, sql, types, ap);
	va_end(ap);
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = db_step(db, st)) == 1)
		;
	return rc;
}

int64_t
db_int(struct db *db, const char *sql, int64_t dflt, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	sqlite3_stmt *st = db_vstmt(db, sql, types, ap);
	va_end(ap);
	if (st == NULL)
		return dflt;
	int64_t v = dflt;
	if (db_step(db, st) == 1) {
		if (sqlite3_column_type(st, 0) != SQLITE_NULL)
			v = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	return v;
}

int
db_text(struct db *db, struct buf *out, const char *sql, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	sqlite3_stmt *st = db_vstmt(db, sql, types, ap);
	va_end(ap);
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc == 1) {
		buf_append(out, sqlite3_column_blob(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0));
		sqlite3_reset(st);
	}
	return rc;
}

const char *
db_col_text(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	return s ? (const char *)s : "";
}

int64_t
db_last_id(struct db *db)
{
	return sqlite3_last_insert_rowid(db->h);
}

int
db_changes(struct db *db)
{
	return sqlite3_changes(db->h);
}

int64_t
db_now(void)
{
#ifdef MAJLIS_TEST_CLOCK
	const char *s = getenv("MAJLIS_TEST_NOW");
	if (s && *s)
		return strtoll(s, NULL, 10);
#endif
	return (int64_t)time(NULL);
}
