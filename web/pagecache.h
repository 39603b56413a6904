/*
 * Rendered HTML fragments kept between requests (the posts of a thread as
 * an anonymous reader sees them), keyed by a string and a version that
 * the database moves whenever the source changes (threads.version).
 * Bounded in entries and in bytes; the least recently used entry goes
 * first. Used on the event loop's thread only.
 */
#ifndef MAJLIS_PAGECACHE_H
#define MAJLIS_PAGECACHE_H

#include <stddef.h>
#include <stdint.h>

struct pagecache;

#define PAGECACHE_ENTRIES	64		/* fragments kept */
#define PAGECACHE_BYTES		(8 * 1024 * 1024)	/* their total size */
#define PAGECACHE_ENTRY_MAX	(512 * 1024)	/* a larger one is not kept */
#define PAGECACHE_KEY_MAX	127		/* bytes of a key */

/* A cache of at most entries fragments and bytes bytes in all (the web
 * uses PAGECACHE_ENTRIES and PAGECACHE_BYTES; tests pass small ones). */
struct pagecache *pagecache_new(size_t entries, size_t bytes);
void		 pagecache_free(struct pagecache **);

/* The fragment kept under key at exactly this version, its length in
 * *len; NULL when there is none (an entry of another version is dropped).
 * The pointer is valid until the next pagecache_put or pagecache_free. */
const char	*pagecache_get(struct pagecache *, const char *key,
		    int64_t version, size_t *len);
/* Keep a copy of data[0..len) under key and version, replacing what key
 * held and evicting the least recently used entries to stay within the
 * limits. 0, or -1 when not kept: key over PAGECACHE_KEY_MAX bytes, or
 * len over PAGECACHE_ENTRY_MAX or the byte limit. */
int		 pagecache_put(struct pagecache *, const char *key,
		    int64_t version, const char *data, size_t len);
/* Entries and bytes kept now. */
size_t		 pagecache_count(const struct pagecache *);
size_t		 pagecache_bytes(const struct pagecache *);

#endif
