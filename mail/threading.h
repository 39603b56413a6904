/*
 * Which thread and parent a mail post joins, in the order DESIGN.md gives:
 * In-Reply-To, then the last known References, then the normalised subject
 * of a reply within THREADING_SUBJECT_WINDOW, else a new thread. Only within
 * the same group. (Our own Message-IDs carry the reply token, so replies to
 * our copies resolve at the first step.) A post written on the web is never
 * threaded by subject: a web topic starts a thread whatever its subject
 * says, a web reply names its parent in In-Reply-To.
 */
#ifndef MAJLIS_THREADING_H
#define MAJLIS_THREADING_H

#include <stdint.h>

#include "daemon/buf.h"
#include "mail/parsed.h"

struct db;

#define THREADING_SUBJECT_WINDOW	(30 * 24 * 3600)
#define THREADING_MAX_REFS		5

/* flags of threading_resolve */
#define THREADING_WEB	0x1	/* written on the web: no subject step */

struct threading_result {
	int64_t		 thread_id;	/* 0: start a new thread */
	int64_t		 parent_id;	/* 0: none */
	const char	*how;		/* "in-reply-to", "references", "subject", "new" */
	struct buf	 subject_norm;	/* normalised subject (for a new thread) */
};

/* Resolve for a post in group (id, slug, subject prefix of its copies:
 * NULL for "[slug]"; subject_normalize_prefix); flags is 0 or
 * THREADING_WEB. Returns 0, or -1 on a database error. Free
 * out->subject_norm with buf_free. */
int	threading_resolve(struct db *, int64_t group_id, const char *slug,
	    const char *prefix, const struct parsed *p, unsigned flags,
	    struct threading_result *out);

#endif
