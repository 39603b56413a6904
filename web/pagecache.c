/*
 * Cache of rendered fragments (see pagecache.h): a small array searched
 * linearly (it holds PAGECACHE_ENTRIES at most), a use counter for the
 * least recently used.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "daemon/xalloc.h"
#include "web/pagecache.h"

struct pagecache_entry {
	char		 key[PAGECACHE_KEY_MAX + 1];	/* "" when free */
	int64_t		 version;
	char		*data;
	size_t		 len;
	uint64_t	 used;		/* tick of the last get or put */
};

struct pagecache {
	struct pagecache_entry	*e;
	size_t			 n;		/* slots */
	size_t			 max_bytes;
	size_t			 bytes;		/* kept now */
	size_t			 count;
	uint64_t		 tick;
};

struct pagecache *
pagecache_new(size_t entries, size_t bytes)
{
	struct pagecache *c = xcalloc(1, sizeof *c);
	c->n = entries > 0 ? entries : 1;
	c->e = xcalloc(c->n, sizeof *c->e);
	c->max_bytes = bytes;
	return c;
}

static void
pagecache_drop(struct pagecache *c, struct pagecache_entry *e)
{
	if (e->key[0] == '\0')
		return;
	c->bytes -= e->len;
	c->count--;
	free(e->data);
	memset(e, 0, sizeof *e);
}

void
pagecache_free(struct pagecache **cp)
{
	struct pagecache *c = *cp;
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		pagecache_drop(c, &c->e[i]);
	free(c->e);
	free(c);
	*cp = NULL;
}

static struct pagecache_entry *
pagecache_find(struct pagecache *c, const char *key)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->e[i].key[0] != '\0' && strcmp(c->e[i].key, key) == 0)
			return &c->e[i];
	return NULL;
}

const char *
pagecache_get(struct pagecache *c, const char *key, int64_t version,
    size_t *len)
{
	struct pagecache_entry *e = pagecache_find(c, key);
	if (e == NULL)
		return NULL;
	if (e->version != version) {
		pagecache_drop(c, e);
		return NULL;
	}
	e->used = ++c->tick;
	*len = e->len;
	return e->data;
}

/* The least recently used entry, or NULL when the cache is empty. */
static struct pagecache_entry *
pagecache_oldest(struct pagecache *c)
{
	struct pagecache_entry *old = NULL;
	for (size_t i = 0; i < c->n; i++)
		if (c->e[i].key[0] != '\0' && (old == NULL ||
		    c->e[i].used < old->used))
			old = &c->e[i];
	return old;
}

int
pagecache_put(struct pagecache *c, const char *key, int64_t version,
    const char *data, size_t len)
{
	size_t klen = strnlen(key, PAGECACHE_KEY_MAX + 1);
	if (klen == 0 || klen > PAGECACHE_KEY_MAX || len > PAGECACHE_ENTRY_MAX ||
	    len > c->max_bytes)
		return -1;
	struct pagecache_entry *e = pagecache_find(c, key);
	if (e != NULL)
		pagecache_drop(c, e);
	while (c->count == c->n || c->bytes + len > c->max_bytes)
		pagecache_drop(c, pagecache_oldest(c));
	for (e = c->e; e->key[0] != '\0'; e++)
		;
	memcpy(e->key, key, klen + 1);
	e->version = version;
	e->data = xmalloc(len + 1);
	memcpy(e->data, data, len);
	e->data[len] = '\0';
	e->len = len;
	e->used = ++c->tick;
	c->bytes += len;
	c->count++;
	return 0;
}

size_t
pagecache_count(const struct pagecache *c)
{
	return c->count;
}

size_t
pagecache_bytes(const struct pagecache *c)
{
	return c->bytes;
}
