/*
 * Replies to a digest ("Re: [slug] Weekly digest, ..."): which thread the
 * reply is about, from what it quotes of the digest (a post's reply link,
 * its thread's web link) or the thread subject it names.
 */
#ifndef MAJLIS_DIGESTREPLY_H
#define MAJLIS_DIGESTREPLY_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/buf.h"

struct db;
struct parsed;

#define DIGESTREPLY_IDS_MAX	64	/* distinct ids taken from one body */
#define DIGESTREPLY_MSGID_MAX	998	/* a Message-ID found in a link */
#define DIGESTREPLY_THREADS_MAX	200	/* recent thread subjects compared */
#define DIGESTREPLY_SUBJECT_MIN	6	/* shorter subjects are never matched */

/* Does the subject answer a digest of group slug ("Re: [slug] Weekly
 * digest", in en, fr or ar)? 1 or 0. */
int	digestreply_is(const char *subject, const char *slug);

/* The thread ids of links ".../g/SLUG/t/ID" in text, distinct, in order,
 * at most max: their count. */
size_t	digestreply_links(const char *text, const char *slug, int64_t *ids,
	    size_t max);

/* The Message-IDs of the digest's reply links in text ("In-Reply-To=" in
 * a mailto, percent-decoded, brackets removed), each followed by a NUL,
 * into out; at most DIGESTREPLY_IDS_MAX, longer ones skipped. Their
 * count. */
size_t	digestreply_msgids(const char *text, struct buf *out);

/* The lines of text that are not quoted ('>' first), into out. */
void	digestreply_unquoted(struct buf *out, const char *text);

/*
 * The thread (and parent post) a digest reply p in group (id, slug)
 * belongs to: the one thread its reply links or web links point to, or
 * among several (the whole digest quoted) or none, the one recent thread
 * whose subject its own unquoted text names. 1 with *thread and *parent
 * set, 0 when no single thread is found, -1 on a database error.
 */
int	digestreply_resolve(struct db *, int64_t group_id, const char *slug,
	    const struct parsed *p, int64_t *thread, int64_t *parent);

#endif
