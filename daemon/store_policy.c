/*
 * Posting policies of a group (see store_policy.h).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "daemon/db.h"
#include "daemon/json.h"
#include "daemon/store_policy.h"
#include "daemon/xalloc.h"
#include "mail/charset.h"

static const char *const policy_posts[] = { "members", "anyone", "announce",
	NULL };
static const char *const policy_languages[] = { "ar", "fr", "en", NULL };
static const char *const policy_visibilities[] = { "public", "members",
	"private", NULL };

static int
policy_in(const char *v, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(v, *set) == 0)
			return 1;
	return 0;
}

int
store_policy_get(struct db *db, int64_t group_id, struct group_policy *p)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT g.post_policy, g.language,"
	    " g.visibility, g.description, coalesce(p.first_post_held, 0),"
	    " coalesce(p.max_kib, 0), coalesce(p.rate_per_hour, 0),"
	    " coalesce(p.member_notices, 1) FROM groups g"
	    " LEFT JOIN group_policy p ON p.group_id = g.id WHERE g.id = ?", "i",
	    group_id);
	if (st == NULL)
		return -1;
	int rc = db_step(db, st);
	if (rc != 1)
		return rc;
	memset(p, 0, sizeof *p);
	xstrlcpy(p->post_policy, db_col_text(st, 0), sizeof p->post_policy);
	xstrlcpy(p->language, db_col_text(st, 1), sizeof p->language);
	xstrlcpy(p->visibility, db_col_text(st, 2), sizeof p->visibility);
	p->description = xstrdup(db_col_text(st, 3));
	p->first_post_held = sqlite3_column_int(st, 4);
	p->max_kib = sqlite3_column_int(st, 5);
	p->rate_per_hour = sqlite3_column_int(st, 6);
	p->member_notices = sqlite3_column_int(st, 7);
	sqlite3_reset(st);
	return 1;
}

void
store_policy_clear(struct group_policy *p)
{
	free(p->description);
	memset(p, 0, sizeof *p);
}

int
store_policy_check(const struct group_policy *p, struct buf *err)
{
	const char *d = p->description ? p->description : "";
	if (!policy_in(p->post_policy, policy_posts))
		buf_puts(err, "who may post: members, anyone or announce");
	else if (!policy_in(p->language, policy_languages))
		buf_puts(err, "language: ar, fr or en");
	else if (!policy_in(p->visibility, policy_visibilities))
		buf_puts(err, "visibility: public, members or private");
	else if (strlen(d) > STORE_POLICY_DESCRIPTION_MAX ||
	    !charset_utf8_valid(d, strlen(d)))
		buf_printf(err, "description: valid UTF-8, at most %d bytes",
		    STORE_POLICY_DESCRIPTION_MAX);
	else if (p->first_post_held != 0 && p->first_post_held != 1)
		buf_puts(err, "first post held: 0 or 1");
	else if (p->member_notices != 0 && p->member_notices != 1)
		buf_puts(err, "member notices: 0 or 1");
	else if (p->max_kib < 0 || p->max_kib > STORE_POLICY_KIB_MAX)
		buf_printf(err, "size limit: 0 (none) to %d KiB",
		    STORE_POLICY_KIB_MAX);
	else if (p->rate_per_hour < 0 || p->rate_per_hour > STORE_POLICY_RATE_MAX)
		buf_printf(err, "posts per hour: 0 (no limit) to %d",
		    STORE_POLICY_RATE_MAX);
	else
		return 0;
	return -1;
}

int
store_policy_set(struct db *db, int64_t group_id,
    const struct group_policy *p, struct buf *err)
{
	if (store_policy_check(p, err) == -1)
		return -1;
	if (db_run(db, "UPDATE groups SET post_policy = ?, language = ?,"
	    " visibility = ?, description = ? WHERE id = ?", "tttti",
	    p->post_policy, p->language, p->visibility,
	    p->description ? p->description : "", group_id) == -1 ||
	    db_run(db, "INSERT INTO group_policy(group_id, first_post_held,"
	    " max_kib, rate_per_hour, member_notices) VALUES (?, ?, ?, ?, ?) ON"
	    " CONFLICT(group_id) DO UPDATE SET first_post_held ="
	    " excluded.first_post_held, max_kib = excluded.max_kib, rate_per_hour"
	    " = excluded.rate_per_hour, member_notices = excluded.member_notices",
	    "idddd", group_id, p->first_post_held, p->max_kib, p->rate_per_hour,
	    p->member_notices) == -1) {
		buf_puts(err, "cannot save the policy");
		return -1;
	}
	return 0;
}

void
store_policy_json(struct buf *out, const struct group_policy *p)
{
	struct json j;
	json_init(&j, out);
	json_begin_object(&j);
	json_kv_string(&j, "post_policy", p->post_policy);
	json_kv_bool(&j, "first_post_held", p->first_post_held);
	json_kv_int(&j, "max_kib", p->max_kib);
	json_kv_int(&j, "rate_per_hour", p->rate_per_hour);
	json_kv_bool(&j, "member_notices", p->member_notices);
	json_kv_string(&j, "language", p->language);
	json_kv_string(&j, "visibility", p->visibility);
	json_kv_string(&j, "description", p->description ? p->description : "");
	json_end_object(&j);
}

int64_t
store_policy_posts_since(struct db *db, int64_t group_id, int64_t member_id,
    int64_t since)
{
	return db_int(db, "SELECT count(*) FROM posts WHERE group_id = ? AND"
	    " member_id = ? AND created >= ?", -1, "iii", group_id, member_id,
	    since);
}
