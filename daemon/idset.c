/*
 * Id set (see idset.h): linear probing, tombstones, rehash at 3/4 use.
 */
#include <config.h>

#include <stdlib.h>

#include "daemon/idset.h"
#include "daemon/xalloc.h"

#define IDSET_MIN_CAP 64

static size_t
idset_hash(int64_t id, size_t cap)
{
	uint64_t x = (uint64_t)id * 0x9e3779b97f4a7c15ull;
	return (size_t)(x >> 17) & (cap - 1);
}

static void
idset_rehash(struct idset *s, size_t cap)
{
	int64_t *old = s->slots;
	size_t oldcap = s->cap;
	s->slots = xcalloc(cap, sizeof *s->slots);
	s->cap = cap;
	s->count = s->used = 0;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i] > 0)
			idset_add(s, old[i]);
	free(old);
}

int
idset_add(struct idset *s, int64_t id)
{
	if (s->cap == 0 || (s->used + 1) * 4 > s->cap * 3)
		idset_rehash(s, s->cap == 0 ? IDSET_MIN_CAP :
		    (s->count + 1) * 4 > s->cap * 2 ? s->cap * 2 : s->cap);
	size_t i = idset_hash(id, s->cap), tomb = (size_t)-1;
	for (;; i = (i + 1) & (s->cap - 1)) {
		if (s->slots[i] == id)
			return 0;
		if (s->slots[i] == -1 && tomb == (size_t)-1)
			tomb = i;
		if (s->slots[i] == 0)
			break;
	}
	if (tomb != (size_t)-1)
		i = tomb;
	else
		s->used++;
	s->slots[i] = id;
	s->count++;
	return 1;
}

static size_t
idset_find(const struct idset *s, int64_t id)
{
	if (s->cap == 0)
		return (size_t)-1;
	for (size_t i = idset_hash(id, s->cap);; i = (i + 1) & (s->cap - 1)) {
		if (s->slots[i] == id)
			return i;
		if (s->slots[i] == 0)
			return (size_t)-1;
	}
}

int
idset_remove(struct idset *s, int64_t id)
{
	size_t i = idset_find(s, id);
	if (i == (size_t)-1)
		return 0;
	s->slots[i] = -1;
	s->count--;
	return 1;
}

int
idset_has(const struct idset *s, int64_t id)
{
	return idset_find(s, id) != (size_t)-1;
}

void
idset_free(struct idset *s)
{
	free(s->slots);
	s->slots = NULL;
	s->cap = s->count = s->used = 0;
}
