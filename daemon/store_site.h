/*
 * Site settings in the database: rows "site.KEY" of the settings table
 * (schema migration 1; other keys there are not settings, see
 * store_held.c). Values are text; the checks are daemon/site.c's.
 */
#ifndef MAJLIS_STORE_SITE_H
#define MAJLIS_STORE_SITE_H

#include "daemon/buf.h"

struct db;

/* Call fn for each site setting (key without its "site." prefix, value);
 * stops when fn returns -1. 0 or -1. */
int	store_site_each(struct db *, int (*fn)(void *, const char *key,
	    const char *value), void *arg);
/* Set the setting key (without prefix) to value: 0 or -1. */
int	store_site_set(struct db *, const char *key, const char *value);

#endif
