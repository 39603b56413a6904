/*
 * The rendered bodies of a thread's posts (text with quotes and signatures
 * folded, or Markdown, and the list of attachments) kept for signed-in
 * readers. Their pages differ from one reader to the next only around the
 * bodies (dates in the reader's time zone, reply, edit and moderation
 * links), so one blob per thread and language is kept in the page cache
 * (web/pagecache.h) at the thread's version, and each post's fragment is
 * found again by its position and id. Pure functions on memory.
 *
 * The blob: a 32-bit count, then per post its 64-bit id and the 32-bit
 * offset and length of its fragment in the data after the index (native
 * byte order: the blob never leaves the process).
 */
#ifndef MAJLIS_BODYCACHE_H
#define MAJLIS_BODYCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/buf.h"

/* Posts of one blob; a longer thread is rendered for each reader. */
#define BODYCACHE_POSTS_MAX	1000

/* A blob being built: add the fragments in the order of the posts. */
struct bodycache_wr {
	struct buf	 index;
	struct buf	 data;
	uint32_t	 count;
	int		 full;	/* over BODYCACHE_POSTS_MAX: no blob */
};

void	bodycache_wr_init(struct bodycache_wr *);
void	bodycache_wr_add(struct bodycache_wr *, int64_t post_id,
	    const char *frag, size_t len);
/* The blob in *blob (appended); 0, or -1 when none can be made (too many
 * posts). The writer is freed either way. */
int	bodycache_wr_finish(struct bodycache_wr *, struct buf *blob);
void	bodycache_wr_free(struct bodycache_wr *);

/* The fragment of post_id, the pos-th post of the thread, in blob[0..len);
 * NULL (and the caller renders) when the blob is not well formed or does
 * not hold that post at that position. */
const char *bodycache_find(const char *blob, size_t len, uint32_t pos,
	    int64_t post_id, size_t *frag_len);

#endif
