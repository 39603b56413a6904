/*
 * The database schema: ordered migrations applied by PRAGMA user_version.
 */
#ifndef MAJLIS_SCHEMA_H
#define MAJLIS_SCHEMA_H

#include "daemon/buf.h"

struct db;

/* Bring the database to the latest schema version, each migration in its own
 * transaction. Returns 0, or -1 with err set. Idempotent. */
int	schema_migrate(struct db *, struct buf *err);
/* The schema version this binary writes. */
int	schema_version(void);

#endif
