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
#include "daemon/store_outbox.h"
#include "daemon/store_post.h"
#include "mail/compose.h"
#include "mail/digest.h"
#include "tests/unit/fixture_db.h"

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

/* The copy of t for who made of pieces (as delivery sends it without
 * signing) is the copy digest_personalise makes. */
static void
assert_pieces_whole(const struct digest_template *t,
    const struct digest_personal *who, const char *whole, size_t len)
{
	struct digest_seg segs[DIGEST_SEGS_MAX];
	struct buf own = BUF_INIT, joined = BUF_INIT;
	size_t n = digest_personalise_segs(&own, segs, t, who);
	size_t shared = 0;
	assert_true(n > 0 && n <= DIGEST_SEGS_MAX);
	for (size_t i = 0; i < n; i++) {
		const struct buf *from = segs[i].part == DIGEST_NPARTS ? &own :
		    &t->part[segs[i].part];
		assert_true(segs[i].off + segs[i].len <= from->len);
		buf_append(&joined, from->data + segs[i].off, segs[i].len);
		if (segs[i].part != DIGEST_NPARTS)
			shared += segs[i].len;
	}
	assert_int_equal(joined.len, len);
	assert_memory_equal(joined.data, whole, len);
	/* the template's bytes are referenced, not copied into own */
	assert_true(own.len + shared == len);
	assert_true(shared > own.len);
	buf_free(&own);
	buf_free(&joined);
}

/* The copy of outbox row id as delivery makes it from its stored body:
 * 0, or -1 when the body is gone or malformed. */
static int
copy_of(struct db *db, int64_t id, struct buf *msg)
{
	struct digest_body b;
	struct digest_template t;
	struct buf token = BUF_INIT;
	int64_t body = db_int(db, "SELECT coalesce(body_id, 0) FROM outbox"
	    " WHERE id = ?", 0, "i", id);
	int64_t mid = db_int(db, "SELECT member_id FROM outbox WHERE id = ?", 0,
	    "i", id);
	int64_t gid = db_int(db, "SELECT group_id FROM outbox WHERE id = ?", 0,
	    "i", id);
	db_text(db, &token, "SELECT ms.unsub_token FROM outbox o JOIN"
	    " memberships ms ON ms.group_id = o.group_id AND ms.member_id ="
	    " o.member_id WHERE o.id = ?", "i", id);
	int rc = -1;
	if (store_digest_body_get(db, body, &b) == 1 &&
	    digest_template_take(&t, &b) == 0) {
		struct digest_personal who = { mid, gid, buf_cstr(&token) };
		size_t from = msg->len;
		digest_personalise(msg, &t, &who);
		assert_pieces_whole(&t, &who, msg->data + from, msg->len - from);
		digest_template_free(&t);
		rc = 0;
	}
	buf_free(&token);
	return rc;
}

/* Digest copies of member in the outbox and whether the last contains s. */
static int64_t
copies(struct db *db, int64_t mid, const char *s, int *has)
{
	struct buf msg = BUF_INIT;
	int64_t last = db_int(db, "SELECT max(id) FROM outbox WHERE member_id"
	    " = ? AND kind = 'system'", 0, "i", mid);
	*has = 0;
	if (last > 0) {
		assert_int_equal(copy_of(db, last, &msg), 0);
		*has = strstr(buf_cstr(&msg), s) != NULL;
	}
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
	while ((n = digest_send_slice(db, &site, &d, 1, &q, NULL)) > 0)
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

/* Shared bodies: one per variant, copies personalised at delivery, the
 * body dropped once no queued copy needs it. */
static void
test_shared_bodies(void **state)
{
	struct db *db = *state;
	struct buf err = BUF_INIT;
	assert_int_equal(db_begin(db), 0);
	int64_t gid = store_group_add(db, "shared", "Shared", "", "public", "en",
	    &err);
	assert_int_equal(db_commit(db), 0);
	int64_t a = add_member(db, gid, "a@shared", "weekly");
	int64_t b = add_member(db, gid, "b@shared", "weekly");
	int64_t c = add_member(db, gid, "c@shared", "weekly");
	assert_int_equal(db_run(db, "UPDATE members SET locale = 'fr' WHERE"
	    " id = ?", "i", c), 0);
	add_post(db, gid, "Shared topic", 0);
	int64_t bodies0 = store_digest_body_count(db);
	assert_int_equal(send_all(db, gid, 6000), 3);
	/* a and b share one body, c (French) has its own; rows hold none */
	int64_t ba = db_int(db, "SELECT body_id FROM outbox WHERE member_id = ?",
	    0, "i", a);
	assert_true(ba > 0);
	assert_int_equal(db_int(db, "SELECT body_id FROM outbox WHERE"
	    " member_id = ?", 0, "i", b), ba);
	assert_int_not_equal(db_int(db, "SELECT body_id FROM outbox WHERE"
	    " member_id = ?", 0, "i", c), ba);
	assert_int_equal(db_int(db, "SELECT count(*) FROM outbox WHERE"
	    " body_id IS NOT NULL AND message IS NOT NULL", -1, ""), 0);
	assert_int_equal(store_digest_body_count(db), bodies0 + 2);
	/* each copy carries its own member's token and id, not another's */
	struct buf ta = BUF_INIT, tb = BUF_INIT, ma = BUF_INIT, want = BUF_INIT;
	db_text(db, &ta, "SELECT unsub_token FROM memberships WHERE member_id"
	    " = ?", "i", a);
	db_text(db, &tb, "SELECT unsub_token FROM memberships WHERE member_id"
	    " = ?", "i", b);
	int64_t oa = db_int(db, "SELECT id FROM outbox WHERE member_id = ?", 0,
	    "i", a);
	assert_int_equal(copy_of(db, oa, &ma), 0);
	buf_printf(&want, "List-Unsubscribe: <http://x/u/%s>", buf_cstr(&ta));
	assert_non_null(strstr(buf_cstr(&ma), buf_cstr(&want)));
	buf_reset(&want);
	buf_printf(&want, "Unsubscribe: http://x/u/%s\r\n", buf_cstr(&ta));
	assert_non_null(strstr(buf_cstr(&ma), buf_cstr(&want)));
	buf_reset(&want);
	buf_printf(&want, "Message-ID: <digest.%lld.%lld.shared@",
	    (long long)db_int(db, "SELECT max(id) FROM digests", 0, ""),
	    (long long)a);
	assert_non_null(strstr(buf_cstr(&ma), buf_cstr(&want)));
	assert_null(strstr(buf_cstr(&ma), buf_cstr(&tb)));
	/* the body stays while one copy of it waits, and goes after */
	int64_t ob = db_int(db, "SELECT id FROM outbox WHERE member_id = ?", 0,
	    "i", b);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(store_outbox_update(db, oa, "sent", 1, 0, "250"), 0);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(db_int(db, "SELECT count(*) FROM digest_bodies WHERE"
	    " id = ?", 0, "i", ba), 1);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(store_outbox_update(db, ob, "failed", 1, 0, "550"), 0);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(db_int(db, "SELECT count(*) FROM digest_bodies WHERE"
	    " id = ?", 0, "i", ba), 0);
	struct buf gone = BUF_INIT;
	assert_int_equal(copy_of(db, ob, &gone), -1);
	/* a deleted copy takes the last body with it */
	assert_int_equal(db_run(db, "DELETE FROM outbox WHERE member_id = ?",
	    "i", c), 0);
	assert_int_equal(store_digest_body_count(db), bodies0);
	buf_free(&gone);
	buf_free(&ta);
	buf_free(&tb);
	buf_free(&ma);
	buf_free(&want);
	buf_free(&err);
}

/* The engine's slices: a body not yet stored stops the slice before its
 * member and comes back as a job; the job renders from its own snapshot
 * (the posts' times in the member's zone, whatever TZ says meanwhile);
 * once stored the slices go on, and the digest is done only then. */
static void
test_async_slices(void **state)
{
	struct db *db = *state;
	struct buf err = BUF_INIT;
	struct digest_site site = { "lists.example.org", "http://x" };
	assert_int_equal(db_begin(db), 0);
	int64_t gid = store_group_add(db, "async", "Async", "", "public", "en",
	    &err);
	assert_int_equal(db_commit(db), 0);
	int64_t a = add_member(db, gid, "a@async", "weekly");
	add_member(db, gid, "b@async", "weekly");
	int64_t c = add_member(db, gid, "c@async", "weekly");
	assert_int_equal(db_run(db, "UPDATE members SET locale = 'fr',"
	    " timezone = 'Asia/Dubai' WHERE id = ?", "i", c), 0);
	int64_t pid = add_post(db, gid, "Async topic", 0);
	assert_int_equal(db_run(db, "UPDATE posts SET created = 1795000000"
	    " WHERE id = ?", "i", pid), 0);
	int64_t id = digest_issue_now(db, gid, DIGEST_WEEKLY, 1795100000);
	assert_true(id > 0);
	struct digest_row d;
	assert_int_equal(store_digest_get(db, id, &d), 1);
	int64_t bodies0 = store_digest_body_count(db);
	int want_handled[] = { 0, 2, 1, 0 }, want_queued[] = { 0, 2, 1, 0 };
	for (int round = 0; round < 4; round++) {
		struct digest_render *need = (void *)&err;
		int q = -1;
		int n = digest_send_slice_async(db, &site, &d, 10, &q, &need,
		    NULL);
		assert_int_equal(n, want_handled[round]);
		assert_int_equal(q, want_queued[round]);
		assert_int_equal(store_digest_body_count(db), bodies0 +
		    (round + 1 < 3 ? round : 2));
		assert_int_equal(store_digest_get(db, id, &d), 1);
		assert_string_equal(d.state, round < 3 ? "sending" : "done");
		if (round == 3) {
			assert_null(need);
			break;
		}
		if (round == 2) {
			assert_null(need);
			continue;
		}
		assert_non_null(need);
		assert_int_equal(digest_render_digest(need), id);
		/* the render reads no TZ: another zone now changes nothing */
		char *saved = digest_tz_push("Pacific/Kiritimati");
		if (round == 0) {
			/* as on the render thread: a connection of its own */
			const char *path = sqlite3_db_filename(db_handle(db),
			    "main");
			assert_true(digest_render_job(need, path) > 0);
			digest_tz_pop(saved);
		} else {
			assert_int_equal(digest_render_run(need, db), 0);
			digest_tz_pop(saved);
			assert_int_equal(db_begin(db), 0);
			assert_true(digest_render_store(db, need) > 0);
			assert_int_equal(db_commit(db), 0);
		}
		digest_render_free(&need);
		assert_null(need);
	}
	/* the French copy in Dubai time, the English one in UTC (default) */
	struct tm dubai, casa;
	assert_int_equal(digest_localtime(1795000000, "Asia/Dubai", &dubai), 0);
	assert_int_equal(digest_localtime(1795000000, "UTC", &casa), 0);
	assert_int_not_equal(dubai.tm_hour, casa.tm_hour);
	char want[64];
	int has;
	snprintf(want, sizeof want, "Date: %d %s %d %02d:%02d\r\n",
	    dubai.tm_mday, "nov.", dubai.tm_year + 1900, dubai.tm_hour,
	    dubai.tm_min);
	assert_int_equal(copies(db, c, want, &has), 1);
	assert_true(has);
	snprintf(want, sizeof want, "Date: %d Nov %d %02d:%02d\r\n",
	    casa.tm_mday, casa.tm_year + 1900, casa.tm_hour, casa.tm_min);
	assert_int_equal(copies(db, a, want, &has), 1);
	assert_true(has);
	buf_free(&err);
}

/* The slices' cursor: members are taken in id order after it, and the
 * last slice looks from the first member again, so that one who switched
 * to the digest meanwhile with a lower id is not left out. The render job
 * reads its posts again: one hidden between the slice and the render is
 * left out of the body, and with every one hidden no body is stored. */
static void
test_slice_cursor(void **state)
{
	struct db *db = *state;
	struct buf err = BUF_INIT;
	struct digest_site site = { "lists.example.org", "http://x" };
	const char *path = sqlite3_db_filename(db_handle(db), "main");
	assert_int_equal(db_begin(db), 0);
	int64_t gid = store_group_add(db, "cursor", "Cursor", "", "public",
	    "en", &err);
	assert_int_equal(db_commit(db), 0);
	int64_t x = add_member(db, gid, "x@cursor", "each");
	int64_t a = add_member(db, gid, "a@cursor", "weekly");
	int64_t b = add_member(db, gid, "b@cursor", "weekly");
	int64_t p1 = add_post(db, gid, "Cursor one", 0);
	add_post(db, gid, "Cursor two", 0);
	int64_t id = digest_issue_now(db, gid, DIGEST_WEEKLY, db_now() + 60);
	assert_true(id > 0);
	struct digest_row d;
	assert_int_equal(store_digest_get(db, id, &d), 1);
	int64_t after = 0;
	int q;
	struct digest_render *need = NULL;
	/* a needs the body first; p1 is hidden before it is rendered */
	assert_int_equal(digest_send_slice_async(db, &site, &d, 1, &q, &need,
	    &after), 0);
	assert_non_null(need);
	assert_int_equal(after, 0);
	assert_int_equal(db_run(db, "UPDATE posts SET hidden = 1 WHERE id = ?",
	    "i", p1), 0);
	assert_true(digest_render_job(need, path) > 0);
	digest_render_free(&need);
	assert_int_equal(digest_send_slice_async(db, &site, &d, 1, &q, &need,
	    &after), 1);
	assert_null(need);
	assert_int_equal(after, a);
	int has;
	assert_int_equal(copies(db, a, "Cursor two", &has), 1);
	assert_true(has);
	assert_int_equal(copies(db, a, "Cursor one", &has), 1);
	assert_false(has);
	/* x, whose id is below the cursor, comes to the digest with an old
	 * mark (as from the daily one) */
	assert_int_equal(db_run(db, "UPDATE memberships SET delivery = 'weekly'"
	    " WHERE group_id = ? AND member_id = ?", "ii", gid, x), 0);
	assert_int_equal(db_run(db, "UPDATE digest_marks SET last_post_id = 0"
	    " WHERE group_id = ? AND member_id = ?", "ii", gid, x), 0);
	assert_int_equal(digest_send_slice_async(db, &site, &d, 1, &q, &need,
	    &after), 1);
	assert_int_equal(after, b);
	assert_int_equal(digest_send_slice_async(db, &site, &d, 1, &q, &need,
	    &after), 1);
	assert_int_equal(after, x);
	assert_int_equal(copies(db, x, "Cursor two", &has), 1);
	assert_true(has);
	assert_int_equal(digest_send_slice_async(db, &site, &d, 1, &q, &need,
	    &after), 0);
	assert_null(need);
	assert_int_equal(store_digest_get(db, id, &d), 1);
	assert_string_equal(d.state, "done");
	assert_int_equal(copies(db, b, "Cursor two", &has), 1);

	/* a job whose posts were all hidden since stores nothing */
	int64_t p3 = add_post(db, gid, "Cursor three", 0);
	id = digest_issue_now(db, gid, DIGEST_WEEKLY, db_now() + 120);
	assert_true(id > 0);
	assert_int_equal(store_digest_get(db, id, &d), 1);
	after = 0;
	assert_int_equal(digest_send_slice_async(db, &site, &d, 10, &q, &need,
	    &after), 0);
	assert_non_null(need);
	assert_int_equal(db_run(db, "UPDATE posts SET hidden = 1 WHERE id = ?",
	    "i", p3), 0);
	int64_t bodies = store_digest_body_count(db);
	assert_int_equal(digest_render_job(need, path), 0);
	assert_int_equal(store_digest_body_count(db), bodies);
	digest_render_free(&need);
	/* the slices then find nothing new for anyone */
	while (digest_send_slice_async(db, &site, &d, 10, &q, &need,
	    &after) > 0)
		assert_int_equal(q, 0);
	assert_null(need);
	assert_int_equal(store_digest_get(db, id, &d), 1);
	assert_string_equal(d.state, "done");
	buf_free(&err);
}

/* The plain part is wrapped to DIGEST_TEXT_COLS columns at blanks: long
 * lines of words (Arabic counted in characters) and quoted lines (which
 * keep their marks) are cut, a longer URL stays whole. */
static void
test_plain_columns(void **state)
{
	struct db *db = *state;
	struct buf err = BUF_INIT, body = BUF_INIT, msg = BUF_INIT;
	assert_int_equal(db_begin(db), 0);
	int64_t gid = store_group_add(db, "cols", "Cols", "", "public", "en",
	    &err);
	assert_int_equal(db_commit(db), 0);
	int64_t mid = add_member(db, gid, "r@cols", "weekly");
	for (int i = 0; i < 30; i++)
		buf_puts(&body, "word ");
	buf_puts(&body, "end\n");
	for (int i = 0; i < 30; i++)
		buf_puts(&body, "كلمة ");
	buf_puts(&body, "نهاية\nSee https://example.org/");
	for (int i = 0; i < DIGEST_TEXT_COLS; i++)
		buf_putc(&body, 'x');
	buf_puts(&body, " here\n\nOn Mon, A wrote:\n");
	buf_puts(&body, "> quoted quoted quoted quoted quoted quoted quoted"
	    " quoted quoted quoted quoted quoted\n");
	struct post_new p = { gid, 0, 0, 0, "Author", "a@example.org",
	    "Columns", "Columns", buf_cstr(&body), "", 0, "cols@example.org",
	    "", "mail", 0 };
	assert_int_equal(db_begin(db), 0);
	assert_true(store_post_add(db, &p) > 0);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(send_all(db, gid, 7000), 1);
	int64_t o = db_int(db, "SELECT max(id) FROM outbox WHERE member_id = ?",
	    0, "i", mid);
	assert_int_equal(copy_of(db, o, &msg), 0);
	const char *t = strstr(buf_cstr(&msg), "Content-Type: text/plain");
	assert_non_null(t);
	const char *end = strstr(t, "\r\n--=_");
	assert_non_null(end);
	size_t longest = 0, urls = 0, words = 0, quoted = 0;
	for (const char *l = t; l < end; ) {
		const char *e = strstr(l, "\r\n");
		size_t cols = 0;
		for (const char *c = l; c < e; c++)
			cols += ((unsigned char)*c & 0xC0) != 0x80;
		if (strncmp(l, "https://example.org/xxx", 23) == 0)
			urls++;
		else if (memchr(l, ':', (size_t)(e - l)) == NULL && cols > longest)
			longest = cols;
		words += strncmp(l, "word word", 9) == 0;
		quoted += strncmp(l, "> quoted", 8) == 0;
		l = e + 2;
	}
	assert_true(longest <= DIGEST_TEXT_COLS);
	assert_true(longest > DIGEST_TEXT_COLS - 10);
	assert_int_equal(urls, 1);	/* on a line of its own, whole */
	assert_int_equal(words, 2);
	assert_int_equal(quoted, 2);
	assert_non_null(strstr(t, "word end\r\n"));
	assert_non_null(strstr(t, "كلمة\r\nنهاية\r\n"));	/* 79 columns */
	buf_free(&body);
	buf_free(&msg);
	buf_free(&err);
}

/* A line too long for 8bit (a word of more than 998 bytes): the text part
 * is encoded for each copy in quoted-printable, the token in it. */
static void
test_text_qp(void **state)
{
	struct db *db = *state;
	struct buf err = BUF_INIT, body = BUF_INIT, msg = BUF_INIT;
	struct buf tok = BUF_INIT, want = BUF_INIT;
	assert_int_equal(db_begin(db), 0);
	int64_t gid = store_group_add(db, "qp", "QP", "", "public", "en", &err);
	assert_int_equal(db_commit(db), 0);
	int64_t mid = add_member(db, gid, "r@qp", "weekly");
	for (int i = 0; i < COMPOSE_LINE_MAX + 10; i++)
		buf_putc(&body, 'y');
	buf_puts(&body, "\n");
	struct post_new p = { gid, 0, 0, 0, "Author", "a@example.org",
	    "Long", "Long", buf_cstr(&body), "", 0, "qp@example.org", "",
	    "mail", 0 };
	assert_int_equal(db_begin(db), 0);
	assert_true(store_post_add(db, &p) > 0);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(send_all(db, gid, 8000), 1);
	int64_t o = db_int(db, "SELECT max(id) FROM outbox WHERE member_id = ?",
	    0, "i", mid);
	assert_int_equal(copy_of(db, o, &msg), 0);
	assert_non_null(strstr(buf_cstr(&msg), "Content-Type: text/plain;"
	    " charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable"));
	db_text(db, &tok, "SELECT unsub_token FROM memberships WHERE member_id"
	    " = ?", "i", mid);
	buf_printf(&want, "/u/%s\r\n", buf_cstr(&tok));
	assert_non_null(strstr(buf_cstr(&msg), buf_cstr(&want)));
	buf_free(&body);
	buf_free(&msg);
	buf_free(&tok);
	buf_free(&want);
	buf_free(&err);
}

/* Stored holes are checked before a copy is made from them. */
static void
test_template_holes(void **state)
{
	struct digest_template t;
	memset(&t, 0, sizeof t);
	buf_puts(&t.part[DIGEST_PART_HEAD], "X-A: \r\n");
	buf_puts(&t.part[DIGEST_PART_TEXT], "text ");
	buf_puts(&t.part[DIGEST_PART_HTML], "<p></p>");
	snprintf(t.boundary, sizeof t.boundary, "b");
	assert_int_equal(digest_template_set_holes(&t, "T 0\nH 0\n0 5 m\n"
	    "1 5 u\n"), 0);
	assert_int_equal(t.nholes, 2);
	struct digest_personal who = { 42, 7, "TOKEN" };
	struct buf out = BUF_INIT;
	digest_personalise(&out, &t, &who);
	assert_non_null(strstr(buf_cstr(&out), "X-A: 42\r\n"));
	assert_non_null(strstr(buf_cstr(&out), "text TOKEN\r\n"));
	/* past its part, backwards, an unknown kind or part, garbage, no
	 * flags, an encoded HTML prefix longer than the part or after a hole */
	assert_int_equal(digest_template_set_holes(&t, "T 0\nH 0\n1 6 u\n"),
	    -1);
	assert_int_equal(digest_template_set_holes(&t, "T 0\nH 0\n1 3 u\n"
	    "1 2 u\n"), -1);
	assert_int_equal(digest_template_set_holes(&t, "T 0\nH 0\n1 3 x\n"),
	    -1);
	assert_int_equal(digest_template_set_holes(&t, "T 0\nH 0\n3 0 u\n"),
	    -1);
	assert_int_equal(digest_template_set_holes(&t, "T 0\nH 0\n1 -1 u\n"),
	    -1);
	assert_int_equal(digest_template_set_holes(&t, "T 0\nH 0\n1 2 u"), -1);
	assert_int_equal(digest_template_set_holes(&t, "1 2 u\n"), -1);
	assert_int_equal(digest_template_set_holes(&t, "T 0\nH 8\n"), -1);
	assert_int_equal(digest_template_set_holes(&t, "T 0\nH 3\n2 1 u\n"),
	    -1);
	/* DIGEST_HOLES_MAX holes are read, one more is refused */
	struct buf many = BUF_INIT;
	buf_puts(&many, "T 0\nH 0\n");
	for (int i = 0; i < DIGEST_HOLES_MAX; i++)
		buf_puts(&many, "1 0 u\n");
	assert_int_equal(digest_template_set_holes(&t, buf_cstr(&many)), 0);
	buf_puts(&many, "1 0 u\n");
	assert_int_equal(digest_template_set_holes(&t, buf_cstr(&many)), -1);
	buf_free(&many);
	buf_free(&out);
	digest_template_free(&t);
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

/* The runner's next check: the earliest slot after now over the groups
 * that are not archived, never now itself. */
static void
test_next_due(void **state)
{
	struct db *db = *state;
	struct buf err = BUF_INIT;
	assert_int_equal(db_begin(db), 0);
	int64_t gid = store_group_add(db, "early", "Early", "", "public", "en",
	    &err);
	struct digest_schedule s = sched(1, 3, "UTC");
	assert_int_equal(store_digest_schedule_set(db, gid, &s), 0);
	assert_int_equal(db_commit(db), 0);
	/* Wednesday 10 Feb 2027, 03:00 UTC: every other group's slot is at 07:00
	 * UTC or later */
	int64_t slot = 1802228400;
	assert_int_equal(digest_next_due(db, slot - 5), slot);
	assert_int_equal(digest_next_due(db, slot - 1), slot);
	int64_t after = digest_next_due(db, slot);
	assert_true(after > slot);
	assert_true(after <= slot + 86400);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(store_group_set_archived(db, gid, 1), 1);
	assert_int_equal(db_commit(db), 0);
	assert_true(digest_next_due(db, slot - 5) > slot);
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
		cmocka_unit_test(test_next_due),
		cmocka_unit_test(test_shared_bodies),
		cmocka_unit_test(test_async_slices),
		cmocka_unit_test(test_template_holes),
		cmocka_unit_test(test_slice_cursor),
		cmocka_unit_test(test_plain_columns),
		cmocka_unit_test(test_text_qp),
	};
	return cmocka_run_group_tests(tests, fixture_db_setup,
	    fixture_db_teardown);
}
