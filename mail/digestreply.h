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
struct group;
struct parsed;

#define DIGESTREPLY_IDS_MAX	64	/* distinct ids taken from one body */
#define DIGESTREPLY_MSGID_MAX	998	/* a Message-ID found in a link */
#define DIGESTREPLY_THREADS_MAX	200	/* recent thread subjects compared */
#define DIGESTREPLY_SUBJECT_MIN	6	/* shorter subjects are never matched */
/* A quoted line (blanks collapsed) shorter than this is never compared
 * with the posts' text; at most DIGESTREPLY_QUOTE_LINES_MAX distinct lines
 * of a reply are, against at most DIGESTREPLY_QUOTE_POSTS_MAX posts. */
#define DIGESTREPLY_QUOTE_MIN		40
#define DIGESTREPLY_QUOTE_LINES_MAX	8
#define DIGESTREPLY_QUOTE_POSTS_MAX	500
/* Seconds within which the author of held digest replies in one group is
 * told at most once. */
#define DIGESTREPLY_NOTICE_MIN	3600
/* Bytes of the author's subject quoted in the notice (then "…"). */
#define DIGESTREPLY_NOTICE_SUBJECT_MAX	200

/* Does the subject answer a digest of group slug ("Re: [slug] Weekly
 * digest", in en, fr or ar; the group's own subject prefix, NULL for
 * none but "[slug]", in place of the tag)? 1 or 0. */
int	digestreply_is(const char *subject, const char *slug,
	    const char *prefix);

/* The thread ids of links ".../g/SLUG/t/ID" in text, distinct, in order,
 * at most max: their count. *foreign (when not NULL) receives the number
 * of links to threads of other groups. */
size_t	digestreply_links(const char *text, const char *slug, int64_t *ids,
	    size_t max, size_t *foreign);

/* The Message-IDs of the digest's reply links in text ("In-Reply-To=" in
 * a mailto, percent-decoded, brackets removed), each followed by a NUL,
 * into out; at most DIGESTREPLY_IDS_MAX, longer ones skipped. Their
 * count. */
size_t	digestreply_msgids(const char *text, struct buf *out);

/* The lines of text that are not quoted ('>' first), into out. */
void	digestreply_unquoted(struct buf *out, const char *text);

/* The quoted lines of text ('>' first; the marks and blanks around them
 * taken off, runs of blanks made one space) of at least
 * DIGESTREPLY_QUOTE_MIN bytes, distinct, each followed by a NUL, into
 * out; at most DIGESTREPLY_QUOTE_LINES_MAX. Their count. */
size_t	digestreply_quoted(struct buf *out, const char *text);

/*
 * The thread (and parent post) a digest reply p in group (id, slug)
 * belongs to: the one thread its reply links or web links point to, or
 * among several (the whole digest quoted) or none, the one recent thread
 * whose subject its own unquoted text names, else the one recent thread
 * with posts whose text holds its quoted lines (digestreply_quoted; under
 * the newest such post). 1 with *thread and *parent set, 0 when no single
 * thread is found, -1 on a database error.
 */
int	digestreply_resolve(struct db *, int64_t group_id, const char *slug,
	    const struct parsed *p, int64_t *thread, int64_t *parent);

/* What the notice to the author of a held digest reply says. */
struct digestreply_notice {
	const char	*lang;		/* "en", "fr" or "ar" (else "en") */
	const char	*group;		/* the group's name */
	const char	*subject;	/* the author's subject */
	const char	*link;		/* the group's web page */
};

/*
 * Append the subject and the text of the notice n (UTF-8): the reply
 * could not be matched to one discussion and waits for a moderator; to
 * answer one post, the "Reply" link under it in the digest, or the web
 * page; the author's subject quoted (at most DIGESTREPLY_NOTICE_SUBJECT_MAX
 * bytes). An Arabic text opens each line with U+200F and isolates the
 * group's name and the subject; the link stands on a line of its own.
 */
void	digestreply_notice_text(struct buf *subject, struct buf *text,
	    const struct digestreply_notice *n);

/*
 * Tell email, the author of the held digest reply p (raw: the whole
 * message, for its Content-Language; may be NULL) to group g, why it waits
 * and how to answer one post: one system mail from the group's owner
 * address through the outbox, in the author's web account language, else
 * the message's Content-Language, else the digest's language (a French or
 * Arabic subject), else the group's; at most one per author and group
 * within DIGESTREPLY_NOTICE_MIN seconds of now. Inside the caller's
 * transaction. 1 queued, 0 one was sent within that time, -1 error.
 */
int	digestreply_notice(struct db *, const struct group *g,
	    const char *list_domain, const char *site_url, const char *email,
	    const struct parsed *p, const struct buf *raw, int64_t now);

#endif
