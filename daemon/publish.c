/*
 * Publishing (see publish.h).
 */
#include <config.h>

#include "daemon/db.h"
#include "daemon/log.h"
#include "daemon/publish.h"
#include "daemon/store_outbox.h"

int64_t
publish_post(struct db *db, const struct post_new *p,
    const struct publish_attachment *att, size_t natt, int64_t *copies)
{
	int64_t post, thread;
	*copies = 0;
	int rc = store_post_by_msgid(db, p->group_id, p->message_id, &post,
	    &thread);
	if (rc != 0)
		return rc == 1 ? 0 : -1;
	int64_t id = store_post_add(db, p);
	if (id == -1)
		return -1;
	for (size_t i = 0; i < natt; i++)
		if (store_attachment_add(db, id, att[i].filename,
		    att[i].content_type, att[i].data, att[i].len) == -1)
			return -1;
	int64_t n = store_outbox_fanout(db, id, p->group_id, p->member_id);
	if (n == -1)
		return -1;
	*copies = n;
	log_info("published post %lld in group %lld (%s), %lld copies",
	    (long long)id, (long long)p->group_id, p->source, (long long)n);
	return id;
}
