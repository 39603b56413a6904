/*
 * Read permission on groups (see access.h).
 */
#include <config.h>

#include <string.h>

#include "daemon/store_archive.h"
#include "daemon/store_group.h"
#include "web/access.h"

int
access_group_read(struct db *db, const struct viewer *v,
    const struct group *g)
{
	if (strcmp(g->visibility, "public") == 0)
		return 1;
	if (v->member_id == 0)
		return 0;
	if (v->is_admin)
		return 1;
	if (strcmp(g->visibility, "members") == 0)
		return 1;
	return store_archive_is_member(db, g->id, v->member_id);
}
