/* Unit tests for daemon/store_policy.c: a group's policy with its defaults,
 * saved and read back, every field's limit crossed (MIME types, action,
 * subject prefix, Reply-To, reminder interval, digest schedule), the
 * subject prefix as typed, the audit JSON, and the reminder interval of
 * held mail per group overriding the site's. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/buf.h"
#include "daemon/db.h"
#include "daemon/schema.h"
#include "daemon/store_group.h"
#include "daemon/store_held.h"
#include "daemon/store_inbound.h"
#include "daemon/store_mod.h"
#include "daemon/store_policy.h"
#include "daemon/xalloc.h"
#include "tests/unit/fixture_db.h"

struct fixture {
	struct db	*db;
	int64_t		 ga, gb;
};

static int
setup(void **state)
{
	static struct fixture f;
	struct buf err = BUF_INIT;
	f.db = fixture_db_open();
	if (f.db == NULL || schema_migrate(f.db, &err) == -1 ||
	    db_begin(f.db) == -1)
		return -1;
	f.ga = store_group_add(f.db, "alpha", "Alpha", "", "public", "en", &err);
	f.gb = store_group_add(f.db, "beta", "Beta", "", "public", "fr", &err);
	if (f.ga <= 0 || f.gb <= 0 || db_commit(f.db) == -1)
		return -1;
	buf_free(&err);
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	return fixture_db_close(&f->db);
}

static void
test_defaults(void **state)
{
	struct fixture *f = *state;
	struct group_policy p;
	assert_int_equal(store_policy_get(f->db, f->ga, &p), 1);
	assert_string_equal(p.mime_types, "");
	assert_string_equal(p.mime_action, "strip");
	assert_string_equal(p.subject_prefix, "[alpha]");
	assert_string_equal(p.reply_to, "list");
	assert_int_equal(p.pending_hours, 0);
	assert_int_equal(p.digest.weekday, 1);
	assert_int_equal(p.digest.hour, 8);
	assert_string_equal(p.digest.tz, "Africa/Casablanca");
	struct buf err = BUF_INIT;
	assert_int_equal(store_policy_check(&p, &err), 0);
	store_policy_clear(&p);
	assert_int_equal(store_policy_get(f->db, 999999, &p), 0);
	buf_free(&err);
}

static void
test_roundtrip(void **state)
{
	struct fixture *f = *state;
	struct group_policy p;
	struct buf err = BUF_INIT, json = BUF_INIT;
	assert_int_equal(store_policy_get(f->db, f->gb, &p), 1);
	free(p.mime_types);
	p.mime_types = xstrdup("text/*, application/pdf");
	snprintf(p.mime_action, sizeof p.mime_action, "hold");
	free(p.subject_prefix);
	p.subject_prefix = xstrdup("");
	snprintf(p.reply_to, sizeof p.reply_to, "author");
	p.pending_hours = 6;
	p.digest.weekday = 5;
	p.digest.hour = 17;
	snprintf(p.digest.tz, sizeof p.digest.tz, "Europe/Paris");
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(store_policy_set(f->db, f->gb, &p, &err), 0);
	assert_int_equal(db_commit(f->db), 0);
	store_policy_clear(&p);
	assert_int_equal(store_policy_get(f->db, f->gb, &p), 1);
	assert_string_equal(p.mime_types, "text/*, application/pdf");
	assert_string_equal(p.mime_action, "hold");
	assert_string_equal(p.subject_prefix, "");
	assert_string_equal(p.reply_to, "author");
	assert_int_equal(p.pending_hours, 6);
	assert_int_equal(p.digest.weekday, 5);
	assert_int_equal(p.digest.hour, 17);
	assert_string_equal(p.digest.tz, "Europe/Paris");
	store_policy_json(&json, &p);
	assert_non_null(strstr(buf_cstr(&json), "\"mime_types\":\"text/*,"
	    " application/pdf\",\"mime_action\":\"hold\",\"subject_prefix\":"
	    "\"\",\"reply_to\":\"author\",\"pending_hours\":6,"
	    "\"digest_weekday\":\"fri\",\"digest_hour\":17,"
	    "\"digest_tz\":\"Europe/Paris\""));
	store_policy_clear(&p);
	/* the other group keeps its defaults */
	assert_int_equal(store_policy_get(f->db, f->ga, &p), 1);
	assert_string_equal(p.subject_prefix, "[alpha]");
	assert_string_equal(p.reply_to, "list");
	store_policy_clear(&p);
	buf_free(&err);
	buf_free(&json);
}

/* Set one field of a good policy with fn and check it: the result. */
static int
check_with(struct fixture *f, void (*fn)(struct group_policy *, int), int v)
{
	struct group_policy p;
	struct buf err = BUF_INIT;
	assert_int_equal(store_policy_get(f->db, f->ga, &p), 1);
	fn(&p, v);
	int rc = store_policy_check(&p, &err);
	if (rc == -1)
		assert_true(err.len > 0);
	store_policy_clear(&p);
	buf_free(&err);
	return rc;
}

static void
set_hours(struct group_policy *p, int v)
{
	p->pending_hours = v;
}

static void
set_hour(struct group_policy *p, int v)
{
	p->digest.hour = v;
}

static void
set_weekday(struct group_policy *p, int v)
{
	p->digest.weekday = v;
}

/* v bytes of prefix ('x'), or a prefix with control character v when
 * v < 0 (-v). */
static void
set_prefix(struct group_policy *p, int v)
{
	free(p->subject_prefix);
	p->subject_prefix = xcalloc(1, v > 0 ? (size_t)v + 1 : 4);
	if (v > 0)
		memset(p->subject_prefix, 'x', (size_t)v);
	else
		p->subject_prefix[0] = 'a', p->subject_prefix[1] = (char)-v;
}

static void
set_mime(struct group_policy *p, int v)
{
	static const char *const lists[] = { "text/*, image/png", "text/*,"
	    "image/png", "Text/*", "text", "" };
	free(p->mime_types);
	p->mime_types = xstrdup(lists[v]);
}

static void
set_enum(struct group_policy *p, int v)
{
	static const char *const acts[] = { "strip", "hold", "drop" };
	static const char *const rts[] = { "list", "both", "none" };
	snprintf(p->mime_action, sizeof p->mime_action, "%s", acts[v % 3]);
	snprintf(p->reply_to, sizeof p->reply_to, "%s", rts[v / 3]);
}

static void
set_tz(struct group_policy *p, int v)
{
	static const char *const zones[] = { "Asia/Beirut", "Mars/Olympus",
	    "../etc/passwd", "" };
	snprintf(p->digest.tz, sizeof p->digest.tz, "%s", zones[v]);
}

static void
test_limits(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(check_with(f, set_hours, 0), 0);
	assert_int_equal(check_with(f, set_hours, STORE_POLICY_PENDING_HOURS_MIN),
	    0);
	assert_int_equal(check_with(f, set_hours, STORE_POLICY_PENDING_HOURS_MAX),
	    0);
	assert_int_equal(check_with(f, set_hours,
	    STORE_POLICY_PENDING_HOURS_MAX + 1), -1);
	assert_int_equal(check_with(f, set_hours, -1), -1);
	assert_int_equal(check_with(f, set_hour, 23), 0);
	assert_int_equal(check_with(f, set_hour, 24), -1);
	assert_int_equal(check_with(f, set_hour, -1), -1);
	assert_int_equal(check_with(f, set_weekday, 0), 0);
	assert_int_equal(check_with(f, set_weekday, 6), 0);
	assert_int_equal(check_with(f, set_weekday, 7), -1);
	assert_int_equal(check_with(f, set_prefix, STORE_POLICY_PREFIX_MAX), 0);
	assert_int_equal(check_with(f, set_prefix, STORE_POLICY_PREFIX_MAX + 1),
	    -1);
	assert_int_equal(check_with(f, set_prefix, -'\t'), -1);
	assert_int_equal(check_with(f, set_prefix, -'\n'), -1);
	assert_int_equal(check_with(f, set_prefix, -0x7f), -1);
	assert_int_equal(check_with(f, set_mime, 0), 0);
	assert_int_equal(check_with(f, set_mime, 1), -1);	/* not normalised */
	assert_int_equal(check_with(f, set_mime, 2), -1);
	assert_int_equal(check_with(f, set_mime, 3), -1);
	assert_int_equal(check_with(f, set_mime, 4), 0);
	assert_int_equal(check_with(f, set_enum, 0), 0);	/* strip, list */
	assert_int_equal(check_with(f, set_enum, 4), 0);	/* hold, both */
	assert_int_equal(check_with(f, set_enum, 2), -1);	/* drop */
	assert_int_equal(check_with(f, set_enum, 6), -1);	/* none */
	assert_int_equal(check_with(f, set_tz, 0), 0);
	for (int i = 1; i < 4; i++)
		assert_int_equal(check_with(f, set_tz, i), -1);
}

static void
test_prefix_parse(void **state)
{
	(void)state;
	struct buf out = BUF_INIT;
	assert_int_equal(store_policy_prefix_parse("  [WG Cloud] ", &out), 0);
	assert_string_equal(buf_cstr(&out), "[WG Cloud]");
	assert_int_equal(store_policy_prefix_parse("[سحابة]", &out), 0);
	assert_int_equal(store_policy_prefix_parse("", &out), 0);
	assert_string_equal(buf_cstr(&out), "");
	assert_int_equal(store_policy_prefix_parse("a\r\nBcc: x", &out), -1);
	assert_int_equal(store_policy_prefix_parse("a\xc2\x85", &out), -1);
	assert_int_equal(store_policy_prefix_parse("\xff", &out), -1);
	buf_free(&out);
}

static int
due_cb(void *arg, const struct mod_pending_group *pg)
{
	struct buf *b = arg;
	buf_printf(b, "%s ", pg->slug);
	return 0;
}

/* The groups due for a reminder at now, "slug slug ". */
static const char *
due(struct fixture *f, struct buf *b, int64_t now, int64_t site)
{
	buf_reset(b);
	assert_int_equal(store_mod_pending_due(f->db, now, site, due_cb, b), 0);
	return buf_cstr(b);
}

static void
test_pending_interval(void **state)
{
	struct fixture *f = *state;
	struct group_policy p;
	struct buf err = BUF_INIT, b = BUF_INIT;
	const int64_t day = 86400, t = db_now();
	/* alpha reminds every hour, beta follows the site (a day) */
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(store_policy_get(f->db, f->ga, &p), 1);
	p.pending_hours = STORE_POLICY_PENDING_HOURS_MIN;
	assert_int_equal(store_policy_set(f->db, f->ga, &p, &err), 0);
	store_policy_clear(&p);
	int64_t in = store_inbound_add(f->db, "x@example.net", "alpha@l.example",
	    "", "Subject: x\r\n\r\nx\r\n", 17);
	assert_true(in > 0);
	assert_true(store_held_add(f->db, f->ga, in, "x@example.net", "x",
	    "non-member") > 0);
	assert_true(store_held_add(f->db, f->gb, in, "x@example.net", "x",
	    "non-member") > 0);
	assert_int_equal(db_commit(f->db), 0);
	assert_string_equal(due(f, &b, t + 3600 - 5, day), "");
	assert_string_equal(due(f, &b, t + 3600 + 5, day), "alpha ");
	assert_string_equal(due(f, &b, t + day + 5, day), "alpha beta ");
	/* after alpha's reminder, the next one is an hour later */
	assert_int_equal(store_mod_pending_sent(f->db, f->ga, t + 3600 + 5, 1), 0);
	assert_string_equal(due(f, &b, t + 7200, day), "");
	assert_string_equal(due(f, &b, t + 7200 + 10, day), "alpha ");
	/* back to 0: the site's interval again */
	assert_int_equal(store_policy_get(f->db, f->ga, &p), 1);
	p.pending_hours = 0;
	assert_int_equal(store_policy_set(f->db, f->ga, &p, &err), 0);
	store_policy_clear(&p);
	assert_string_equal(due(f, &b, t + 7200 + 10, day), "");
	/* the group's maximum: 30 days, whatever the site says */
	assert_int_equal(store_policy_get(f->db, f->gb, &p), 1);
	p.pending_hours = STORE_POLICY_PENDING_HOURS_MAX;
	assert_int_equal(store_policy_set(f->db, f->gb, &p, &err), 0);
	store_policy_clear(&p);
	assert_string_equal(due(f, &b, t + 29 * day, 60), "alpha ");
	assert_string_equal(due(f, &b, t + 30 * day + 5, 60), "alpha beta ");
	buf_free(&err);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_prefix_parse),
		cmocka_unit_test(test_pending_interval),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
