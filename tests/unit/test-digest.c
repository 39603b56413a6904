/* Unit tests of digests: schedule math in IANA zones (DST), missed slots,
 * mailto encoding, per-member selection and exactly-once recording. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/db.h"
#include "daemon/digest.h"
#include "daemon/store_digest.h"
#include "daemon/store_group.h"
#include "daemon/store_post.h"
#include "mail/digest.h"

static char dbdir[] = "/tmp/majlis-test-digest-XXXXXX";

static int
setup(void **state)
{
	if (mkdtemp(dbdir) == NULL)
		return -1;
	char path[256];
	snprintf(path, sizeof path, "%s/t.db", dbdir);
	struct buf err = BUF_INIT;
	struct db *db = db_open(path, &err);
	buf_free(&err);
	*state = db;
	return db ? 0 : -1;
}

static int
teardown(void **state)
{
	struct db *db = *state;
	db_close(&db);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dbdir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct digest_schedule
sched(int weekday, int hour, const char *tz)
{
	struct digest_schedule s = { weekday, hour, "" };
	snprintf(s.tz, sizeof s.tz, "%s", tz);
	return s;
}

static void
test_slots_casablanca(void **state)
{
	struct digest_schedule s = sched(1, 8, "Africa/Casablanca");
	/* Wed 18 Nov 2026 12:00Z; Monday 08:00 is 07:00Z (UTC+1) */
	assert_int_equal(digest_slot_prev(1795003200, &s, DIGEST_WEEKLY),
	    1794812400);
	assert_int_equal(digest_slot_next(1795003200, &s, DIGEST_WEEKLY),
	    1795417200);
	/* at the slot itself: that slot, and the next one a week later */
	assert_int_equal(digest_slot_prev(1794812400, &s, DIGEST_WEEKLY),
	    1794812400);
	assert_int_equal(digest_slot_next(1794812400, &s, DIGEST_WEEKLY),
	    1795417200);
	assert_int_equal(digest_slot_prev(1794812399, &s, DIGEST_WEEKLY),
	    1794812400 - 7 * 86400);
	/* daily: 08:00 the same day */
	assert_int_equal(digest_slot_prev(1795003200, &s, DIGEST_DAILY),
	    1795003200 - 5 * 3600);
}

static void
test_slots_paris_dst(void **state)
{
	struct digest_schedule s = sched(1, 8, "Europe/Paris");
	/* October: Mon 19 08:00 CEST = 06:00Z, Mon 26 08:00 CET = 07:00Z */
	assert_int_equal(digest_slot_next(1792389600, &s, DIGEST_WEEKLY),
	    1792998000);
	assert_int_equal(digest_slot_prev(1792998000 - 1, &s, DIGEST_WEEKLY),
	    1792389600);
	/* daily across the change: Sat 24 06:00Z, Sun 25 07:00Z */
	assert_int_equal(digest_slot_next(1792821600, &s, DIGEST_DAILY),
	    1792911600);
	assert_int_equal(digest_slot_prev(1792909800, &s, DIGEST_DAILY),
	    1792821600);
	/* March: Sat 28 08:00 CET = 07:00Z, Sun 29 08:00 CEST = 06:00Z */
	assert_int_equal(digest_slot_next(1774681200, &s, DIGEST_DAILY),
	    1774764000);
	/* 02:00 does not exist on 29 March: the slot is 03:00 CEST */
	struct digest_schedule gap = sched(0, 2, "Europe/Paris");
	assert_int_equal(digest_slot_next(1774699200, &gap, DIGEST_WEEKLY),
	    1774746000);
	/* TZ is restored */
	assert_null(getenv("TZ"));
}

static void
test_zone_names(void **state)
{
	assert_true(digest_tz_valid("Africa/Casablanca"));
	assert_true(digest_tz_valid("UTC"));
	assert_false(digest_tz_valid("Nowhere/Atlantis"));
	assert_false(digest_tz_valid("../../etc/passwd"));
	assert_false(digest_tz_valid("/etc/localtime"));
	assert_false(digest_tz_valid(""));
	char longname[DIGEST_TZ_MAX + 2];
	memset(longname, 'A', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	assert_false(digest_tz_valid(longname));
	struct digest_schedule bad = sched(1, 8, "Nowhere/Atlantis");
	assert_int_equal(digest_slot_prev(1795003200, &bad, DIGEST_WEEKLY), -1);
}

static void
test_mailto(void **state)
{
	struct buf b = BUF_INIT;
	digest_mailto(&b, "cloud@lists.example.org", "Re: Réunion & co?",
	    "abc+1@x.org");
	assert_string_equal(buf_cstr(&b), "mailto:cloud@lists.example.org"
	    "?subject=Re%3A%20R%C3%A9union%20%26%20co%3F"
	    "&In-Reply-To=%3Cabc%2B1%40x.org%3E");
	buf_reset(&b);
	digest_mailto(&b, "a@b", "x", NULL);
	assert_string_equal(buf_cstr(&b), "mailto:a@b?subject=x");
	buf_free(&b);
}

static int64_t
add_post(struct db *db, int64_t gid, const char *subject, int64_t thread)
{
	static int n;
	char msgid[64];
	snprintf(msgid, sizeof msgid, "p%d@example.org", ++n);
	struct post_new p = { gid, thread, 0, 0, "Author", "a@example.org",
	    subject, subject, "Body of the post\n", "", 0, msgid, "", "mail",
	    0 };
	assert_int_equal(db_begin(db), 0);
	int64_t id = store_post_add(db, &p);
	assert_true(id > 0);
	assert_int_equal(db_commit(db), 0);
	return id;
}

static int64_t
add_member(struct db *db, int64_t gid, const char *email,
    const char *delivery)
{
	struct buf err = BUF_INIT;
	assert_int_equal(db_begin(db), 0);
	int64_t mid = store_member_ensure(db, email, "");
	assert_int_equal(store_membership_add(db, gid, mid, "member", delivery,
	    &err), 1);
	assert_int_equal(db_commit(db), 0);
	buf_free(&err);
	return mid;
}

/* Digest copies of member in the outbox and whether the last contains s. */
static int64_t
copies(struct db *db, int64_t mid, const char *s, int *has)
{
	struct buf msg = BUF_INIT;
	db_text(db, &msg, "SELECT message FROM outbox WHERE member_id = ? AND"
	    " kind = 'system' ORDER BY id DESC LIMIT 1", "i", mid);
	*has = strstr(buf_cstr(&msg), s) != NULL;
	buf_free(&msg);
	return db_int(db, "SELECT count(*) FROM outbox WHERE member_id = ? AND"
	    " kind = 'system'", 0, "i", mid);
}

static int
send_all(struct db *db, int64_t gid, int64_t now)
{
	struct digest_site site = { "lists.example.org", "http://x" };
	int64_t id = digest_issue_now(db, gid, DIGEST_WEEKLY, now);
	assert_true(id >= 0);
	if (id == 0)
		return 0;
	struct digest_row d;
	assert_int_equal(store_digest_get(db, id, &d), 1);
	int n, q, total = 0;
	while ((n = digest_send_slice(db, &site, &d, 1, &q)) > 0)
		total += q;
	assert_int_equal(n, 0);
	return total;
}

static void
test_selection(void **state)
{
	struct db *db = *state;
	struct buf err = BUF_INIT;
	assert_int_equal(db_begin(db), 0);
	int64_t gid = store_group_add(db, "wg", "WG", "", "public", "en", &err);
	assert_int_equal(db_commit(db), 0);
	int64_t alice = add_member(db, gid, "alice@x", "weekly");
	int64_t bob = add_member(db, gid, "bob@x", "each");
	int64_t carol = add_member(db, gid, "carol@x", "daily");
	int has;
	add_post(db, gid, "First topic", 0);
	assert_int_equal(send_all(db, gid, 1000), 1);	/* alice only */
	assert_int_equal(copies(db, alice, "First topic", &has), 1);
	assert_true(has);
	assert_int_equal(copies(db, bob, "", &has), 0);
	assert_int_equal(copies(db, carol, "", &has), 0);
	/* nothing new: no digest at all */
	assert_int_equal(send_all(db, gid, 2000), 0);
	/* bob turns to weekly after post 2: he gets post 3 only */
	add_post(db, gid, "Second topic", 0);
	assert_int_equal(store_membership_set(db, gid, bob, "delivery",
	    "weekly", &err), 1);
	add_post(db, gid, "Third topic", 0);
	assert_int_equal(send_all(db, gid, 3000), 2);
	assert_int_equal(copies(db, alice, "Second topic", &has), 2);
	assert_true(has);
	assert_int_equal(copies(db, bob, "Third topic", &has), 1);
	assert_true(has);
	copies(db, bob, "Second topic", &has);
	assert_false(has);
	copies(db, alice, "First topic", &has);
	assert_false(has);
	/* a recorded member is never recorded twice */
	struct digest_row d;
	assert_int_equal(store_digest_last(db, gid, "weekly", &d), 1);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(store_digest_record(db, &d, alice, 0, 0), 0);
	db_rollback(db);
	buf_free(&err);
}

static void
test_posts_max(void **state)
{
	struct db *db = *state;
	struct buf err = BUF_INIT;
	assert_int_equal(db_begin(db), 0);
	int64_t gid = store_group_add(db, "big", "Big", "", "public", "en", &err);
	assert_int_equal(db_commit(db), 0);
	int64_t mid = add_member(db, gid, "reader@big", "weekly");
	int64_t first = add_post(db, gid, "Oldest topic", 0);
	int64_t thread = db_int(db, "SELECT thread_id FROM posts WHERE id = ?",
	    0, "i", first);
	for (int i = 0; i < DIGEST_POSTS_MAX; i++)
		add_post(db, gid, "Topic", thread);
	int has;
	assert_int_equal(send_all(db, gid, 5000), 1);
	/* one post past the cap: the newest DIGEST_POSTS_MAX are carried */
	char want[64];
	snprintf(want, sizeof want, "Message: %d\r\n", DIGEST_POSTS_MAX);
	assert_int_equal(copies(db, mid, want, &has), 1);
	assert_true(has);
	snprintf(want, sizeof want, "Message: %d\r\n", DIGEST_POSTS_MAX + 1);
	copies(db, mid, want, &has);
	assert_false(has);
	copies(db, mid, "Subject: Oldest topic\r\n", &has);
	assert_false(has);
	buf_free(&err);
}

static void
test_missed_slots(void **state)
{
	struct db *db = *state;
	struct buf err = BUF_INIT;
	assert_int_equal(db_begin(db), 0);
	int64_t gid = store_group_add(db, "late", "Late", "", "public", "en",
	    &err);
	assert_int_equal(db_run(db, "UPDATE groups SET created = 1000 WHERE"
	    " id = ?", "i", gid), 0);
	assert_int_equal(db_commit(db), 0);
	struct digest_schedule s = sched(1, 8, "Africa/Casablanca");
	int64_t now = 1795003200;
	int before = (int)db_int(db, "SELECT count(*) FROM digests", 0, "");
	assert_true(digest_issue_due(db, now) >= 2);	/* daily and weekly */
	assert_int_equal(digest_issue_due(db, now), 0);
	/* three weeks down: one weekly digest, covering the gap */
	int64_t later = now + 21 * 86400;
	int64_t wk0 = db_int(db, "SELECT count(*) FROM digests WHERE group_id"
	    " = ? AND kind = 'weekly'", 0, "i", gid);
	assert_true(digest_issue_due(db, later) >= 2);
	assert_int_equal(db_int(db, "SELECT count(*) FROM digests WHERE"
	    " group_id = ? AND kind = 'weekly'", 0, "i", gid), wk0 + 1);
	struct digest_row d;
	assert_int_equal(store_digest_last(db, gid, "weekly", &d), 1);
	assert_int_equal(d.period_end, digest_slot_prev(later, &s,
	    DIGEST_WEEKLY));
	assert_int_equal(d.period_start, digest_slot_prev(now, &s,
	    DIGEST_WEEKLY));
	assert_true(db_int(db, "SELECT count(*) FROM digests", 0, "") > before);
	buf_free(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slots_casablanca),
		cmocka_unit_test(test_slots_paris_dst),
		cmocka_unit_test(test_zone_names),
		cmocka_unit_test(test_mailto),
		cmocka_unit_test(test_selection),
		cmocka_unit_test(test_posts_max),
		cmocka_unit_test(test_missed_slots),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
