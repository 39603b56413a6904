/*
 * Blob of a thread's rendered post bodies (see bodycache.h).
 */
#include <config.h>

#include <string.h>

#include "web/bodycache.h"

#define BODYCACHE_HEAD	sizeof(uint32_t)
#define BODYCACHE_ENTRY	(sizeof(int64_t) + 2 * sizeof(uint32_t))

void
bodycache_wr_init(struct bodycache_wr *wr)
{
	memset(wr, 0, sizeof *wr);
}

void
bodycache_wr_add(struct bodycache_wr *wr, int64_t post_id, const char *frag,
    size_t len)
{
	if (wr->full || wr->count >= BODYCACHE_POSTS_MAX ||
	    wr->data.len + len > UINT32_MAX) {
		wr->full = 1;
		return;
	}
	uint32_t off = (uint32_t)wr->data.len, n = (uint32_t)len;
	buf_append(&wr->index, &post_id, sizeof post_id);
	buf_append(&wr->index, &off, sizeof off);
	buf_append(&wr->index, &n, sizeof n);
	buf_append(&wr->data, frag, len);
	wr->count++;
}

int
bodycache_wr_finish(struct bodycache_wr *wr, struct buf *blob)
{
	int rc = -1;
	if (!wr->full) {
		buf_reserve(blob, BODYCACHE_HEAD + wr->index.len + wr->data.len);
		buf_append(blob, &wr->count, sizeof wr->count);
		buf_append(blob, wr->index.data, wr->index.len);
		buf_append(blob, wr->data.data, wr->data.len);
		rc = 0;
	}
	bodycache_wr_free(wr);
	return rc;
}

void
bodycache_wr_free(struct bodycache_wr *wr)
{
	buf_free(&wr->index);
	buf_free(&wr->data);
	bodycache_wr_init(wr);
}

const char *
bodycache_find(const char *blob, size_t len, uint32_t pos, int64_t post_id,
    size_t *frag_len)
{
	uint32_t count;
	if (blob == NULL || len < BODYCACHE_HEAD)
		return NULL;
	memcpy(&count, blob, sizeof count);
	size_t data = BODYCACHE_HEAD + (size_t)count * BODYCACHE_ENTRY;
	if (count > BODYCACHE_POSTS_MAX || pos >= count || data > len)
		return NULL;
	const char *e = blob + BODYCACHE_HEAD + (size_t)pos * BODYCACHE_ENTRY;
	int64_t id;
	uint32_t off, n;
	memcpy(&id, e, sizeof id);
	memcpy(&off, e + sizeof id, sizeof off);
	memcpy(&n, e + sizeof id + sizeof off, sizeof n);
	if (id != post_id || (size_t)off + n > len - data)
		return NULL;
	*frag_len = n;
	return blob + data + off;
}
