/*
 * Unit-test fixture (see fixture_db.h): a database in a temporary
 * directory named after the test program.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "daemon/buf.h"
#include "daemon/db.h"
#include "tests/unit/fixture_db.h"

static char fixture_dir[256];

struct db *
fixture_db_open(void)
{
	struct buf err = BUF_INIT;
	struct db *db;
	char path[300];

	snprintf(fixture_dir, sizeof fixture_dir, "/tmp/majlis-%s-XXXXXX",
	    program_invocation_short_name);
	if (mkdtemp(fixture_dir) == NULL)
		return NULL;
	snprintf(path, sizeof path, "%s/t.db", fixture_dir);
	db = db_open(path, &err);
	buf_free(&err);
	return db;
}

int
fixture_db_close(struct db **db)
{
	char cmd[300];

	db_close(db);
	snprintf(cmd, sizeof cmd, "rm -rf %s", fixture_dir);
	return system(cmd) == 0 ? 0 : -1;
}

int
fixture_db_setup(void **state)
{
	*state = fixture_db_open();
	return *state != NULL ? 0 : -1;
}

int
fixture_db_teardown(void **state)
{
	struct db *db = *state;

	return fixture_db_close(&db);
}
