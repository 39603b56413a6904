/*
 * Site settings: the SQL (see store_site.h).
 */
#include <config.h>

#include "daemon/db.h"
#include "daemon/store_site.h"

#define STORE_SITE_PREFIX	"site."

int
store_site_each(struct db *db, int (*fn)(void *, const char *, const char *),
    void *arg)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT substr(key, ?1), value FROM"
	    " settings WHERE substr(key, 1, ?2) = ?3 ORDER BY key", "iit",
	    (int64_t)sizeof STORE_SITE_PREFIX, (int64_t)(sizeof
	    STORE_SITE_PREFIX - 1), STORE_SITE_PREFIX);
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = db_step(db, st)) == 1)
		if (fn(arg, db_col_text(st, 0), db_col_text(st, 1)) == -1)
			break;
	sqlite3_reset(st);
	return rc == -1 ? -1 : 0;
}

int
store_site_set(struct db *db, const char *key, const char *value)
{
	return db_run(db, "INSERT INTO settings(key, value) VALUES (?1 || ?2,"
	    " ?3) ON CONFLICT(key) DO UPDATE SET value = ?3", "ttt",
	    STORE_SITE_PREFIX, key, value);
}
