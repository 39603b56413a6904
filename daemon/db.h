/*
 * SQLite connection and thin helpers: cached prepared statements, values
 * always bound (never formatted into SQL), writes in BEGIN IMMEDIATE.
 */
#ifndef MAJLIS_DB_H
#define MAJLIS_DB_H

#include <stdint.h>
#include <sqlite3.h>

#include "daemon/buf.h"

#define DB_BUSY_TIMEOUT_MS	5000
#define DB_FILE_NAME		"majlis.db"

struct db;

/* Open (creating if needed) the database at path with WAL, synchronous=FULL,
 * foreign keys and busy_timeout, then apply migrations. Returns NULL and sets
 * err on failure. */
struct db *db_open(const char *path, struct buf *err);
/* Close the connection and finalise every cached statement; clears *dbp. */
void	 db_close(struct db **dbp);
sqlite3	*db_handle(struct db *);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. Return 0 or -1 (logged). */
int	 db_begin(struct db *);
int	 db_commit(struct db *);
void	 db_rollback(struct db *);
/* Run SQL text without parameters (schema, pragmas). 0 or -1 (logged). */
int	 db_exec(struct db *, const char *sql);

/*
 * Prepare (once per connection, cached by the address of sql, which must be a
 * string literal), reset, and bind the arguments described by types:
 *   'i' int64_t   'd' int (promoted)   't' const char * (NULL binds NULL)
 *   'b' const void *, size_t (blob)     'n' nothing: bind NULL
 * Returns the statement ready for sqlite3_step(), or NULL (logged).
 * The statement stays owned by the connection; do not finalise it.
 */
sqlite3_stmt *db_stmt(struct db *, const char *sql, const char *types, ...);
/* db_stmt + step to completion. Returns 0, or -1 (logged). */
int	 db_run(struct db *, const char *sql, const char *types, ...);
/* db_stmt + first column of the first row as integer; dflt when no row. */
int64_t	 db_int(struct db *, const char *sql, int64_t dflt, const char *types, ...);
/* db_stmt + first column of the first row as text appended to out; returns
 * 1 when a row was found, 0 when none, -1 on error. */
int	 db_text(struct db *, struct buf *out, const char *sql, const char *types, ...);
/* sqlite3_step on a db_stmt statement: SQLITE_ROW → 1, SQLITE_DONE → 0,
 * error → -1 (logged). */
int	 db_step(struct db *, sqlite3_stmt *);
/* Column helpers: text never NULL (""). */
const char *db_col_text(sqlite3_stmt *, int col);
int64_t	 db_last_id(struct db *);
int	 db_changes(struct db *);
/* The current time in seconds; tests may pin it with MAJLIS_TEST_NOW (only in
 * builds with --enable-debug). */
int64_t	 db_now(void);

#endif
