/* Unit tests for the storage layer: schema, groups, memberships, posts,
 * outbox fan-out, tokens, held messages. Uses a temporary database file. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/db.h"
#include "daemon/schema.h"
#include "daemon/store_group.h"
#include "daemon/store_held.h"
#include "daemon/store_inbound.h"
#include "daemon/store_outbox.h"
#include "daemon/store_post.h"
#include "daemon/store_token.h"
#include "tests/unit/fixture_db.h"

static void
test_schema_idempotent(void **state)
{
	struct db *db = *state;
	struct buf err = BUF_INIT;
	assert_int_equal(schema_migrate(db, &err), 0);
	assert_int_equal(db_int(db, "PRAGMA user_version", -1, NULL),
	    schema_version());
	assert_int_equal(db_int(db, "PRAGMA foreign_keys", -1, NULL), 1);
	buf_free(&err);
}

static void
test_group_and_members(void **state)
{
	struct db *db = *state;
	struct buf err = BUF_INIT;
	int64_t g = store_group_add(db, "cloud", "Cloud", "", "public", "fr", &err);
	assert_true(g > 0);
	assert_int_equal(store_group_add(db, "cloud", "Again", "", "public", "fr",
	    &err), -1);
	assert_non_null(strstr(buf_cstr(&err), "already exists"));
	buf_reset(&err);
	assert_int_equal(store_group_add(db, "x", "X", "", "secret", "fr", &err), -1);
	buf_reset(&err);
	assert_int_equal(store_group_add(db, "x", "X", "", "public", "de", &err), -1);

	int64_t a = store_member_ensure(db, "Alice@Example.org", "Alice");
	int64_t b = store_member_ensure(db, "bob@example.org", "");
	assert_true(a > 0 && b > 0 && a != b);
	assert_int_equal(store_member_ensure(db, "alice@example.org", "Other"), a);
	assert_int_equal(store_membership_add(db, g, a, "member", "each", &err), 1);
	assert_int_equal(store_membership_add(db, g, a, "member", "each", &err), 0);
	assert_int_equal(store_membership_add(db, g, b, "owner", "weekly", &err), 1);
	assert_int_equal(store_membership_add(db, g, b, "boss", "each", &err), -1);

	struct membership m;
	assert_int_equal(store_membership_get(db, g, "ALICE@example.org", &m), 1);
	assert_string_equal(m.name, "Alice");
	assert_string_equal(m.delivery, "each");
	assert_int_equal(strlen(m.unsub_token), TOKEN_LEN);
	char tok[64];
	snprintf(tok, sizeof tok, "%s", m.unsub_token);
	store_membership_clear(&m);
	assert_int_equal(store_membership_by_token(db, tok, &m), 1);
	assert_int_equal(m.member_id, a);
	store_membership_clear(&m);

	buf_reset(&err);
	assert_int_equal(store_membership_set(db, g, a, "delivery", "never", &err), -1);
	assert_int_equal(store_membership_set(db, g, a, "moderated", "yes", &err), 1);
	assert_int_equal(store_membership_bounce(db, g, a, 3), 3);
	assert_int_equal(store_group_count_members(db, g), 2);
	assert_int_equal(store_membership_remove(db, g, b), 1);
	assert_int_equal(store_membership_remove(db, g, b), 0);
	buf_free(&err);
}

static void
test_post_thread_outbox(void **state)
{
	struct db *db = *state;
	struct buf err = BUF_INIT;
	int64_t g = store_group_add(db, "posts", "Posts", "", "public", "en", &err);
	int64_t m[4];
	const char *addrs[] = { "a@x.org", "b@x.org", "c@x.org", "d@x.org" };
	const char *modes[] = { "each", "each", "weekly", "each" };
	for (int i = 0; i < 4; i++) {
		m[i] = store_member_ensure(db, addrs[i], "");
		assert_int_equal(store_membership_add(db, g, m[i], "member",
		    modes[i], &err), 1);
	}
	assert_int_equal(store_membership_set(db, g, m[3], "suspended", "yes",
	    &err), 1);
	assert_int_equal(db_begin(db), 0);
	struct post_new pn = { .group_id = g, .member_id = m[0],
	    .author_name = "A", .author_email = "a@x.org", .subject = "Hello",
	    .subject_norm = "hello", .body = "body", .mime_part = "X", .mime_part_len = 1,
	    .message_id = "id1@x.org", .source = "mail" };
	int64_t p1 = store_post_add(db, &pn);
	assert_true(p1 > 0);
	/* a, c (weekly) and d (suspended) get nothing: only b */
	assert_int_equal(store_outbox_fanout(db, p1, g, m[0]), 1);
	assert_int_equal(db_commit(db), 0);

	int64_t pid, tid;
	assert_int_equal(store_post_by_msgid(db, g, "id1@x.org", &pid, &tid), 1);
	assert_int_equal(pid, p1);
	int64_t t2, first;
	assert_int_equal(store_thread_by_subject(db, g, "hello", 0, &t2, &first), 1);
	assert_int_equal(t2, tid);
	assert_int_equal(first, p1);
	assert_int_equal(store_thread_by_subject(db, g, "hello", db_now() + 10,
	    &t2, &first), 0);

	struct post_new reply = pn;
	reply.thread_id = tid;
	reply.parent_id = p1;
	reply.message_id = "id2@x.org";
	assert_int_equal(db_begin(db), 0);
	int64_t p2 = store_post_add(db, &reply);
	assert_int_equal(db_commit(db), 0);
	struct post p;
	assert_int_equal(store_post_get(db, p2, &p), 1);
	assert_string_equal(p.parent_message_id, "id1@x.org");
	store_post_clear(&p);
	assert_int_equal(db_int(db, "SELECT post_count FROM threads WHERE id = ?",
	    0, "i", tid), 2);
	/* the same Message-ID twice in one group is refused */
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(store_post_add(db, &reply), -1);
	db_rollback(db);
	buf_free(&err);
}

static void
test_tokens(void **state)
{
	struct db *db = *state;
	char tok[TOKEN_LEN + 1];
	struct token_info ti;
	assert_int_equal(store_token_add(db, "subscribe", 0, "x@y.org", "X", 60,
	    tok), 0);
	assert_int_equal(strlen(tok), TOKEN_LEN);
	assert_int_equal(store_token_peek(db, tok, &ti), 1);
	assert_string_equal(ti.email, "x@y.org");
	assert_int_equal(store_token_use(db, tok, &ti), 1);
	assert_int_equal(store_token_use(db, tok, &ti), 0);
	assert_int_equal(store_token_peek(db, "short", &ti), 0);
	assert_int_equal(store_token_add(db, "subscribe", 0, "x@y.org", "X", -1,
	    tok), 0);
	assert_int_equal(store_token_use(db, tok, &ti), 0);	/* expired */
}

static void
test_held_decide_once(void **state)
{
	struct db *db = *state;
	struct buf err = BUF_INIT;
	int64_t g = store_group_add(db, "held", "Held", "", "public", "en", &err);
	int64_t in = store_inbound_add(db, "s@x.org", "held@l.org", "", "raw", 3);
	int64_t h = store_held_add(db, g, in, "s@x.org", "subj", "non-member");
	assert_true(h > 0);
	assert_int_equal(store_held_add(db, g, in, "s@x.org", "subj", "again"), 0);
	int64_t placed = -1;
	assert_int_equal(store_held_approved(db, g, in, &placed), 0);
	assert_int_equal(placed, -1);			/* pending: untouched */
	assert_int_equal(store_held_place(db, h, 7), 0);
	assert_int_equal(store_held_decide(db, h, "approved", "cli", ""), 1);
	assert_int_equal(store_held_decide(db, h, "rejected", "cli", ""), 0);
	assert_int_equal(store_held_place(db, h, 9), 0);	/* decided: kept */
	assert_int_equal(store_held_approved(db, g, in, &placed), 1);
	assert_int_equal(placed, 7);
	int64_t in2 = store_inbound_add(db, "s@x.org", "held@l.org", "", "raw",
	    3);
	int64_t h2 = store_held_add(db, g, in2, "s@x.org", "subj", "non-member");
	assert_int_equal(store_held_decide(db, h2, "approved", "cli", ""), 1);
	assert_int_equal(store_held_approved(db, g, in2, &placed), 1);
	assert_int_equal(placed, 0);			/* none chosen */
	struct buf s = BUF_INIT;
	assert_int_equal(store_site_secret(db, &s), 0);
	assert_true(s.len >= 40);
	struct buf s2 = BUF_INIT;
	assert_int_equal(store_site_secret(db, &s2), 0);
	assert_string_equal(buf_cstr(&s), buf_cstr(&s2));
	buf_free(&s);
	buf_free(&s2);
	buf_free(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema_idempotent),
		cmocka_unit_test(test_group_and_members),
		cmocka_unit_test(test_post_thread_outbox),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_held_decide_once),
	};
	return cmocka_run_group_tests(tests, fixture_db_setup,
	    fixture_db_teardown);
}
