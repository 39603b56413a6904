/*
 * Full-text search of the archive: turning a reader's words into a safe
 * FTS5 query, and the one query that finds visible posts the reader may
 * read (index: table post_fts over view post_search_text, kept by
 * triggers on posts, see daemon/schema.c).
 */
#ifndef MAJLIS_STORE_SEARCH_H
#define MAJLIS_STORE_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/buf.h"

struct db;

#define SEARCH_QUERY_MAX	256	/* bytes of a query */
#define SEARCH_TERMS_MAX	8	/* words or quoted phrases */
#define SEARCH_PER_PAGE		20
#define SEARCH_PAGES_MAX	25
/* Results counted at most; past it a page says "more than". */
#define SEARCH_COUNT_MAX	(SEARCH_PER_PAGE * SEARCH_PAGES_MAX)
/* Matching posts ranked at most, the newest: relevance orders the
 * newest SEARCH_CANDIDATES_MAX matches, so a word found in every post
 * costs no more than this many. At least SEARCH_COUNT_MAX. */
#define SEARCH_CANDIDATES_MAX	2000
/* Milliseconds one search may run on the engine's loop before SQLite is
 * interrupted (progress handler) and the reader asked for precise words. */
#define SEARCH_BUDGET_MS	300
/* Keys of query words kept for highlighting. */
#define SEARCH_KEYS_MAX		32

enum search_parse {
	SEARCH_OK,
	SEARCH_EMPTY,		/* no word to look for */
	SEARCH_TOO_LONG,	/* over SEARCH_QUERY_MAX bytes */
	SEARCH_TOO_MANY		/* over SEARCH_TERMS_MAX terms */
};

/* A parsed query. */
struct search_query {
	struct buf	 match;	/* the FTS5 MATCH expression */
	struct buf	 keys;	/* match keys of its words, each NUL-ended */
	int		 nkeys;
	int		 nterms;
};

/* Who searches, and where: the viewer (member_id 0: anonymous), an
 * optional group slug (NULL: every group the viewer may read) and the
 * time allowed in milliseconds (0: SEARCH_BUDGET_MS; negative: already
 * spent, which tests use to see the interruption). */
struct search_scope {
	int64_t		 member_id;
	int		 is_admin;
	const char	*group_slug;
	int		 budget_ms;
};

/* One result, borrowed for the duration of the callback. */
struct search_hit {
	int64_t		 post_id, thread_id, created;
	const char	*group_slug, *group_name;
	const char	*subject, *body, *author_name;
};

void	store_search_query_init(struct search_query *);
void	store_search_query_free(struct search_query *);
/*
 * Parse the reader's text q[0..len) into sq (initialised): words split at
 * white space, "quoted phrases" kept together (an unbalanced quote runs
 * to the end), each folded (fold_text) and written as a quoted FTS5
 * string with '"' doubled, so no operator, column filter, prefix or
 * syntax of the reader's reaches FTS5. Words are searched in subject,
 * body and author name; a word with '@' also in the author's address,
 * only when with_email (signed-in readers: addresses are not shown to
 * anonymous readers). Terms without any letter or digit are dropped.
 */
enum search_parse store_search_parse(struct search_query *sq, const char *q,
	    size_t len, int with_email);
/*
 * Run sq in scope: *total gets the number of matching posts the viewer
 * may read (at most SEARCH_COUNT_MAX + 1), and fn is called for at most
 * limit of them after skipping offset, best first (bm25, subject and
 * author weighing more than body) among the newest SEARCH_CANDIDATES_MAX. Hidden posts and
 * groups the viewer may not read (public: anyone; members: signed-in
 * members; private: that group's members; administrators: all) never
 * match nor count. Returns 0; 1 when the search ran out of time
 * (*total is 0 and the caller discards what fn got); -1 on another error
 * (logged; callers answer "no results").
 */
int	store_search_run(struct db *, const struct search_query *sq,
	    const struct search_scope *, int64_t offset, int64_t limit,
	    int64_t *total, int (*fn)(void *, const struct search_hit *),
	    void *arg);

#endif
