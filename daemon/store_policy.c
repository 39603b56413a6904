/*
 * Posting policies of a group (see store_policy.h).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "daemon/db.h"
#include "daemon/digest.h"
#include "daemon/json.h"
#include "daemon/mimetypes.h"
#include "daemon/store_policy.h"
#include "daemon/xalloc.h"
#include "mail/charset.h"

static const char *const policy_posts[] = { "members", "anyone", "announce",
	NULL };
static const char *const policy_languages[] = { "ar", "fr", "en", NULL };
static const char *const policy_visibilities[] = { "public", "members",
	"private", NULL };
static const char *const policy_mime_actions[] = { "strip", "hold", NULL };
static const char *const policy_reply_tos[] = { "list", "author", "both",
	NULL };
static const char *const policy_weekdays[] = { "sun", "mon", "tue", "wed",
	"thu", "fri", "sat" };

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
	    " coalesce(p.member_notices, 1), coalesce(p.mime_types, ''),"
	    " coalesce(p.mime_action, 'strip'), coalesce(p.subject_prefix,"
	    " '[' || g.slug || ']'), coalesce(p.reply_to, 'list'),"
	    " coalesce(p.pending_hours, 0) FROM groups g"
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
	p->mime_types = xstrdup(db_col_text(st, 8));
	xstrlcpy(p->mime_action, db_col_text(st, 9), sizeof p->mime_action);
	p->subject_prefix = xstrdup(db_col_text(st, 10));
	xstrlcpy(p->reply_to, db_col_text(st, 11), sizeof p->reply_to);
	p->pending_hours = sqlite3_column_int(st, 12);
	sqlite3_reset(st);
	if (store_digest_schedule_get(db, group_id, &p->digest) == -1) {
		store_policy_clear(p);
		return -1;
	}
	return 1;
}

void
store_policy_clear(struct group_policy *p)
{
	free(p->description);
	free(p->mime_types);
	free(p->subject_prefix);
	memset(p, 0, sizeof *p);
}

int
store_policy_prefix_parse(const char *in, struct buf *out)
{
	buf_reset(out);
	in += strspn(in, " ");
	size_t n = strlen(in);
	while (n > 0 && in[n - 1] == ' ')
		n--;
	buf_append(out, in, n);
	buf_cstr(out);
	if (n > STORE_POLICY_PREFIX_MAX || !charset_utf8_valid(in, n))
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c < 0x20 || c == 0x7f || (c == 0xc2 && i + 1 < n &&
		    (unsigned char)in[i + 1] < 0xa0))	/* C1: U+0080..9F */
			return -1;
	}
	return 0;
}

/* The fields added after the first policy page: 0, or -1 with err set. */
static int
policy_check_more(const struct group_policy *p, struct buf *err)
{
	struct buf tmp = BUF_INIT;
	const char *why;
	const char *mt = p->mime_types ? p->mime_types : "";
	const char *pre = p->subject_prefix ? p->subject_prefix : "";
	int bad = 1;
	if (mimetypes_parse(mt, &tmp, &why) == -1 || strcmp(buf_cstr(&tmp),
	    mt) != 0)
		buf_puts(err, "allowed MIME types: type/subtype or type/*,"
		    " separated by commas");
	else if (!policy_in(p->mime_action, policy_mime_actions))
		buf_puts(err, "other MIME types: strip or hold");
	else if (store_policy_prefix_parse(pre, &tmp) == -1 ||
	    strcmp(buf_cstr(&tmp), pre) != 0)
		buf_printf(err, "subject prefix: at most %d bytes of UTF-8"
		    " without control characters", STORE_POLICY_PREFIX_MAX);
	else if (!policy_in(p->reply_to, policy_reply_tos))
		buf_puts(err, "reply-to: list, author or both");
	else if (p->pending_hours != 0 && (p->pending_hours <
	    STORE_POLICY_PENDING_HOURS_MIN || p->pending_hours >
	    STORE_POLICY_PENDING_HOURS_MAX))
		buf_printf(err, "reminder interval: 0 (the site's) or %d to %d"
		    " hours", STORE_POLICY_PENDING_HOURS_MIN,
		    STORE_POLICY_PENDING_HOURS_MAX);
	else if (p->digest.weekday < 0 || p->digest.weekday > 6)
		buf_puts(err, "digest weekday: sun to sat");
	else if (p->digest.hour < 0 || p->digest.hour > 23)
		buf_puts(err, "digest hour: 0 to 23");
	else if (!digest_tz_valid(p->digest.tz))
		buf_puts(err, "digest time zone: an IANA name such as"
		    " Africa/Casablanca");
	else
		bad = 0;
	buf_free(&tmp);
	return bad ? -1 : 0;
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
		return policy_check_more(p, err);
	return -1;
}

/* Write the digest schedule when it differs from the stored one (a group
 * that never chose one keeps following the defaults): 0 or -1. */
static int
policy_set_digest(struct db *db, int64_t group_id,
    const struct digest_schedule *s)
{
	struct digest_schedule cur;
	if (store_digest_schedule_get(db, group_id, &cur) == -1)
		return -1;
	if (cur.weekday == s->weekday && cur.hour == s->hour &&
	    strcmp(cur.tz, s->tz) == 0)
		return 0;
	return store_digest_schedule_set(db, group_id, s);
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
	    " max_kib, rate_per_hour, member_notices, mime_types, mime_action,"
	    " subject_prefix, reply_to, pending_hours) VALUES (?, ?, ?, ?, ?,"
	    " ?, ?, ?, ?, ?) ON CONFLICT(group_id) DO UPDATE SET"
	    " first_post_held = excluded.first_post_held, max_kib ="
	    " excluded.max_kib, rate_per_hour = excluded.rate_per_hour,"
	    " member_notices = excluded.member_notices, mime_types ="
	    " excluded.mime_types, mime_action = excluded.mime_action,"
	    " subject_prefix = excluded.subject_prefix, reply_to ="
	    " excluded.reply_to, pending_hours = excluded.pending_hours",
	    "iddddttttd", group_id, p->first_post_held, p->max_kib,
	    p->rate_per_hour, p->member_notices, p->mime_types ? p->mime_types :
	    "", p->mime_action, p->subject_prefix ? p->subject_prefix : "",
	    p->reply_to, p->pending_hours) == -1 ||
	    policy_set_digest(db, group_id, &p->digest) == -1) {
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
	json_kv_string(&j, "mime_types", p->mime_types ? p->mime_types : "");
	json_kv_string(&j, "mime_action", p->mime_action);
	json_kv_string(&j, "subject_prefix", p->subject_prefix ?
	    p->subject_prefix : "");
	json_kv_string(&j, "reply_to", p->reply_to);
	json_kv_int(&j, "pending_hours", p->pending_hours);
	json_kv_string(&j, "digest_weekday", store_policy_weekday_name(
	    p->digest.weekday));
	json_kv_int(&j, "digest_hour", p->digest.hour);
	json_kv_string(&j, "digest_tz", p->digest.tz);
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

const char *
store_policy_weekday_name(int weekday)
{
	return weekday >= 0 && weekday < 7 ? policy_weekdays[weekday] : "";
}

int
store_policy_weekday(const char *name)
{
	for (int i = 0; name != NULL && i < 7; i++)
		if (strcmp(name, policy_weekdays[i]) == 0)
			return i;
	return -1;
}
