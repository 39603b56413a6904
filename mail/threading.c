/*
 * Thread resolution (see threading.h).
 */
#include <config.h>

#include <string.h>

#include "daemon/db.h"
#include "daemon/store_post.h"
#include "mail/subject.h"
#include "mail/threading.h"

/* The i-th (0-based) space-separated id of list into out; 1 when found. */
static int
threading_nth(const char *list, int i, struct buf *out)
{
	buf_reset(out);
	for (int k = 0; *list; k++) {
		while (*list == ' ')
			list++;
		const char *e = strchr(list, ' ');
		size_t n = e ? (size_t)(e - list) : strlen(list);
		if (n && k == i) {
			buf_append(out, list, n);
			return 1;
		}
		list += n;
	}
	return 0;
}

static int
threading_count(const char *list)
{
	int n = 0;
	struct buf tmp = BUF_INIT;
	while (threading_nth(list, n, &tmp))
		n++;
	buf_free(&tmp);
	return n;
}

int
threading_resolve(struct db *db, int64_t group_id, const char *slug,
    const char *prefix, const struct parsed *p, unsigned flags,
    struct threading_result *out)
{
	struct buf id = BUF_INIT;
	int64_t post, thread;
	int rc = 0;
	memset(out, 0, sizeof *out);
	subject_normalize_prefix(&out->subject_norm, p->subject, slug, prefix);
	if (p->in_reply_to[0] && threading_nth(p->in_reply_to, 0, &id) &&
	    (rc = store_post_by_msgid(db, group_id, buf_cstr(&id), &post,
	    &thread)) == 1) {
		out->how = "in-reply-to";
		goto found;
	}
	int nrefs = threading_count(p->references);
	for (int i = nrefs - 1; rc != -1 && i >= 0 && i >= nrefs - THREADING_MAX_REFS;
	    i--) {
		threading_nth(p->references, i, &id);
		if ((rc = store_post_by_msgid(db, group_id, buf_cstr(&id), &post,
		    &thread)) == 1) {
			out->how = "references";
			goto found;
		}
	}
	if (rc != -1 && (flags & THREADING_WEB) == 0 &&
	    subject_is_reply(p->subject) && out->subject_norm.len > 0 &&
	    (rc = store_thread_by_subject(db, group_id, buf_cstr(&out->subject_norm),
	    db_now() - THREADING_SUBJECT_WINDOW, &thread, &post)) == 1) {
		out->how = "subject";
		goto found;
	}
	buf_free(&id);
	out->how = "new";
	return rc == -1 ? -1 : 0;
found:
	out->thread_id = thread;
	out->parent_id = post;
	buf_free(&id);
	return 0;
}
