/*
 * Unit-test fixture: a fresh database file in a temporary directory of its
 * own (/tmp/majlis-PROGRAM-XXXXXX), and its removal. One at a time per test
 * program.
 */
#ifndef MAJLIS_TESTS_FIXTURE_DB_H
#define MAJLIS_TESTS_FIXTURE_DB_H

#include "daemon/db.h"

/* Make the directory and open t.db in it (db_open, no schema). Returns the
 * database, or NULL when either step failed. */
struct db *fixture_db_open(void);

/* Close *db (NULL after) and remove the directory. 0, or -1 when the
 * removal failed. */
int	fixture_db_close(struct db **db);

/* The same as cmocka group setup and teardown: *state is the database. */
int	fixture_db_setup(void **state);
int	fixture_db_teardown(void **state);

#endif
