/*
 * A set of positive 64-bit ids (open addressing, grows), for tracking what
 * is in flight without asking the database.
 */
#ifndef MAJLIS_IDSET_H
#define MAJLIS_IDSET_H

#include <stddef.h>
#include <stdint.h>

struct idset {
	int64_t	*slots;		/* 0 empty, -1 deleted */
	size_t	 cap, count, used;
};

#define IDSET_INIT { NULL, 0, 0, 0 }

/* Add id (> 0): 1 added, 0 already there. */
int	idset_add(struct idset *, int64_t id);
/* Remove id: 1 removed, 0 absent. */
int	idset_remove(struct idset *, int64_t id);
int	idset_has(const struct idset *, int64_t id);
void	idset_free(struct idset *);

#endif
