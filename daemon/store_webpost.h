/*
 * The SQL of writing from the web: how many posts a member sent from the
 * web lately (rate limit), what became of one (published, held, still
 * waiting), and the edit of a web post by its author.
 */
#ifndef MAJLIS_STORE_WEBPOST_H
#define MAJLIS_STORE_WEBPOST_H

#include <stdint.h>

struct db;

/* What became of a web post's inbound row. */
struct webpost_outcome {
	char	 state[16];	/* new, done, held, quarantined */
	int64_t	 post_id;	/* 0: no post (yet) */
	int64_t	 thread_id;
	int64_t	 group_id;
};

/* Inbound rows written from the web by member_id received at or after
 * since; -1 on error. */
int64_t	store_webpost_count_since(struct db *, int64_t member_id,
	    int64_t since);
/* The outcome of inbound row id when member_id wrote it from the web:
 * 1 found, 0 no such row of that member, -1 error. */
int	store_webpost_outcome(struct db *, int64_t inbound_id,
	    int64_t member_id, struct webpost_outcome *out);
/* Replace the text of post_id with body and mark it edited at now, when
 * it is a visible web post of member_id created at or after since (the
 * edit window). 1 edited, 0 not allowed (nothing changed), -1 error. */
int	store_webpost_edit(struct db *, int64_t post_id, int64_t member_id,
	    const char *body, int64_t since, int64_t now);

#endif
