/* Unit tests for daemon/ban.c (parsing ban values, the glob matcher and its
 * bound on adversarial patterns, domains with and without subdomains) and
 * daemon/store_ban.c (scopes, duplicates, the per-scope limit, the check,
 * and the held queue's exact-address bans of daemon/store_mod.c). */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/ban.h"
#include "daemon/buf.h"
#include "daemon/db.h"
#include "daemon/schema.h"
#include "daemon/store_ban.h"
#include "daemon/store_group.h"
#include "daemon/store_mod.h"
#include "tests/unit/fixture_db.h"

static int
parse(const char *v, enum ban_kind *k, struct buf *norm)
{
	const char *err = NULL;
	int rc = ban_parse(v, k, norm, &err);
	if (rc == -1)
		assert_non_null(err);
	return rc;
}

static void
test_parse(void **state)
{
	(void)state;
	struct buf n = BUF_INIT;
	enum ban_kind k;
	assert_int_equal(parse("  Spammer@Example.COM ", &k, &n), 0);
	assert_int_equal(k, BAN_ADDRESS);
	assert_string_equal(buf_cstr(&n), "spammer@example.com");
	assert_int_equal(parse("@Example.com", &k, &n), 0);
	assert_int_equal(k, BAN_DOMAIN);
	assert_string_equal(buf_cstr(&n), "@example.com");
	assert_int_equal(parse("*@*.spam.example", &k, &n), 0);
	assert_int_equal(k, BAN_PATTERN);
	assert_int_equal(parse("sales?@x.org", &k, &n), 0);
	assert_int_equal(k, BAN_PATTERN);
	/* bad values */
	assert_int_equal(parse("", &k, &n), -1);
	assert_int_equal(parse("   ", &k, &n), -1);
	assert_int_equal(parse("nobody", &k, &n), -1);
	assert_int_equal(parse("a@b@c", &k, &n), -1);
	assert_int_equal(parse("@", &k, &n), -1);
	assert_int_equal(parse("@bad..example", &k, &n), -1);
	assert_int_equal(parse("@.example", &k, &n), -1);
	assert_int_equal(parse("a b@example.com", &k, &n), -1);
	assert_int_equal(parse("a\x01@example.com", &k, &n), -1);
	assert_int_equal(parse("\xc3\xa9@example.com", &k, &n), -1);
	/* the pattern cap: BAN_PATTERN_MAX bytes pass, one more fails */
	char pat[BAN_PATTERN_MAX + 2];
	memset(pat, 'a', sizeof pat);
	pat[0] = '*';
	pat[BAN_PATTERN_MAX] = '\0';
	assert_int_equal(parse(pat, &k, &n), 0);
	pat[BAN_PATTERN_MAX] = 'a';
	pat[BAN_PATTERN_MAX + 1] = '\0';
	assert_int_equal(parse(pat, &k, &n), -1);
	/* the value cap */
	char addr[BAN_VALUE_MAX + 2];
	memset(addr, 'b', sizeof addr);
	memcpy(addr + BAN_VALUE_MAX - 12, "@example.com", 12);
	addr[BAN_VALUE_MAX] = '\0';
	assert_int_equal(parse(addr, &k, &n), 0);
	memset(addr, 'b', sizeof addr);
	memcpy(addr + BAN_VALUE_MAX + 1 - 12, "@example.com", 13);
	assert_int_equal(strlen(addr), BAN_VALUE_MAX + 1);
	assert_int_equal(parse(addr, &k, &n), -1);
	enum ban_kind back;
	assert_int_equal(ban_kind_from_name("domain", &back), 0);
	assert_int_equal(back, BAN_DOMAIN);
	assert_int_equal(ban_kind_from_name("regex", &back), -1);
	assert_string_equal(ban_kind_name(BAN_PATTERN), "pattern");
	buf_free(&n);
}

static void
test_glob(void **state)
{
	(void)state;
	assert_int_equal(ban_glob("*", "", NULL), 1);
	assert_int_equal(ban_glob("", "", NULL), 1);
	assert_int_equal(ban_glob("", "a", NULL), 0);
	assert_int_equal(ban_glob("?", "", NULL), 0);
	assert_int_equal(ban_glob("a*b", "ab", NULL), 1);
	assert_int_equal(ban_glob("a*b", "aXXXb", NULL), 1);
	assert_int_equal(ban_glob("a*b", "aXXXbc", NULL), 0);
	assert_int_equal(ban_glob("*b", "abab", NULL), 1);
	assert_int_equal(ban_glob("*@*.spam.example", "X@mx.SPAM.example", NULL),
	    1);
	assert_int_equal(ban_glob("*@*.spam.example", "x@spam.example", NULL), 0);
	assert_int_equal(ban_glob("sales?@x.org", "sales1@x.org", NULL), 1);
	assert_int_equal(ban_glob("sales?@x.org", "sales@x.org", NULL), 0);
	assert_int_equal(ban_glob("sales?@x.org", "sales12@x.org", NULL), 0);
	assert_int_equal(ban_glob("a**b", "ab", NULL), 1);
	assert_int_equal(ban_glob("*a*a*", "aa", NULL), 1);
	assert_int_equal(ban_glob("*a*a*", "ab", NULL), 0);
}

/* The (a+)+b of globs: many stars against a long run of a's that ends
 * with something else. A backtracking matcher tries every way of sharing
 * the a's among the stars (C(250, 20) ways); this one stays within
 * (P + 1) * (A + 1) comparisons. */
static void
test_glob_adversarial(void **state)
{
	(void)state;
	char pat[BAN_PATTERN_MAX + 1], addr[BAN_VALUE_MAX + 1];
	size_t p = 0;
	for (int i = 0; i < 20; i++) {
		pat[p++] = '*';
		pat[p++] = 'a';
	}
	pat[p++] = '*';
	pat[p++] = 'b';
	pat[p] = '\0';
	memset(addr, 'a', 250);
	memcpy(addr + 250, "c@x", 4);
	uint64_t steps = 0;
	assert_int_equal(ban_glob(pat, addr, &steps), 0);
	uint64_t bound = (uint64_t)(strlen(pat) + 1) * (strlen(addr) + 1);
	assert_true(steps > 0);
	assert_true(steps <= bound);
	/* and the same shape that does match */
	addr[250] = 'b';
	addr[251] = '\0';
	assert_int_equal(ban_glob(pat, addr, &steps), 1);
	assert_true(steps <= bound);
	/* ban_match goes through the same matcher */
	addr[250] = 'c';
	assert_int_equal(ban_match(BAN_PATTERN, pat, 0, addr), 0);
}

static void
test_domain(void **state)
{
	(void)state;
	assert_int_equal(ban_match(BAN_DOMAIN, "@example.com", 0,
	    "x@example.com"), 1);
	assert_int_equal(ban_match(BAN_DOMAIN, "@example.com", 0,
	    "x@EXAMPLE.com"), 1);
	assert_int_equal(ban_match(BAN_DOMAIN, "@example.com", 0,
	    "x@mx.example.com"), 0);
	assert_int_equal(ban_match(BAN_DOMAIN, "@example.com", 1,
	    "x@mx.example.com"), 1);
	/* a suffix that is not a label boundary never matches */
	assert_int_equal(ban_match(BAN_DOMAIN, "@example.com", 1,
	    "x@badexample.com"), 0);
	assert_int_equal(ban_match(BAN_DOMAIN, "@example.com", 1,
	    "x@example.com.evil"), 0);
	assert_int_equal(ban_match(BAN_DOMAIN, "@example.com", 1, "nodomain"), 0);
	assert_int_equal(ban_match(BAN_ADDRESS, "a@example.com", 0,
	    "A@Example.com"), 1);
	assert_int_equal(ban_match(BAN_ADDRESS, "a@example.com", 0,
	    "ab@example.com"), 0);
}

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
	f.gb = store_group_add(f.db, "beta", "Beta", "", "public", "en", &err);
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

static int
count_cb(void *arg, const struct ban_row *r)
{
	(void)r;
	(*(int *)arg)++;
	return 0;
}

static int
count(struct db *db, enum store_ban_scope s, int64_t gid)
{
	int n = 0;
	assert_int_equal(store_ban_each(db, s, gid, count_cb, &n), 0);
	return n;
}

static void
test_store(void **state)
{
	struct fixture *f = *state;
	struct buf why = BUF_INIT;
	assert_int_equal(db_begin(f->db), 0);
	int64_t a = store_ban_add(f->db, f->ga, BAN_DOMAIN, "@spam.example", 1,
	    "t");
	int64_t s = store_ban_add(f->db, 0, BAN_PATTERN, "*bot*@*", 0, "t");
	assert_true(a > 0 && s > 0);
	/* the same value twice in a scope: 0; in another scope: fine */
	assert_int_equal(store_ban_add(f->db, f->ga, BAN_DOMAIN, "@spam.example",
	    0, "t"), 0);
	assert_true(store_ban_add(f->db, f->gb, BAN_DOMAIN, "@spam.example", 0,
	    "t") > 0);
	assert_int_equal(count(f->db, STORE_BAN_ALL, 0), 3);
	assert_int_equal(count(f->db, STORE_BAN_SITE, 0), 1);
	assert_int_equal(count(f->db, STORE_BAN_GROUP, f->ga), 1);
	/* alpha's ban takes subdomains, beta's does not; the site's applies
	 * to both */
	assert_int_equal(store_ban_check(f->db, f->ga, "x@mx.spam.example",
	    &why), 1);
	assert_string_equal(buf_cstr(&why), "domain @spam.example");
	assert_int_equal(store_ban_check(f->db, f->gb, "x@mx.spam.example",
	    &why), 0);
	assert_int_equal(store_ban_check(f->db, f->gb, "x@spam.example", &why),
	    1);
	assert_int_equal(store_ban_check(f->db, f->gb, "robot@a.org", &why), 1);
	assert_string_equal(buf_cstr(&why), "pattern *bot*@*");
	assert_int_equal(store_ban_check(f->db, f->ga, "ok@a.org", &why), 0);
	/* get and remove */
	struct ban_row r;
	assert_int_equal(store_ban_get(f->db, a, &r), 1);
	assert_string_equal(r.slug, "alpha");
	assert_int_equal(r.kind, BAN_DOMAIN);
	assert_int_equal(r.subdomains, 1);
	assert_int_equal(store_ban_remove(f->db, a), 1);
	assert_int_equal(store_ban_remove(f->db, a), 0);
	assert_int_equal(store_ban_get(f->db, a, &r), 0);
	assert_int_equal(store_ban_check(f->db, f->ga, "x@mx.spam.example",
	    &why), 0);
	assert_int_equal(db_commit(f->db), 0);
	buf_free(&why);
}

/* STORE_BAN_MAX bans fit in a scope; one more is refused (-2), in that
 * scope only. */
static void
test_limit(void **state)
{
	struct fixture *f = *state;
	char v[64];
	assert_int_equal(db_begin(f->db), 0);
	int have = count(f->db, STORE_BAN_GROUP, f->gb);
	for (int i = have; i < STORE_BAN_MAX; i++) {
		snprintf(v, sizeof v, "user%d@limit.example", i);
		assert_true(store_ban_add(f->db, f->gb, BAN_ADDRESS, v, 0, "t") > 0);
	}
	assert_int_equal(count(f->db, STORE_BAN_GROUP, f->gb), STORE_BAN_MAX);
	assert_int_equal(store_ban_add(f->db, f->gb, BAN_ADDRESS,
	    "one-more@limit.example", 0, "t"), -2);
	assert_true(store_ban_add(f->db, f->ga, BAN_ADDRESS,
	    "one-more@limit.example", 0, "t") > 0);
	db_rollback(f->db);
	assert_int_equal(count(f->db, STORE_BAN_GROUP, f->gb), have);
}

/* The held queue's "ban sender" is an exact-address ban; allowing the
 * address lifts it. */
static void
test_sender(void **state)
{
	struct fixture *f = *state;
	struct buf why = BUF_INIT;
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(store_mod_sender_set(f->db, f->ga, "Held@Example.org",
	    STORE_MOD_SENDER_BAN, "mod"), 0);
	assert_int_equal(store_mod_sender_get(f->db, f->ga, "held@example.org"),
	    STORE_MOD_SENDER_BAN);
	assert_int_equal(store_ban_check(f->db, f->ga, "HELD@example.org", &why),
	    1);
	assert_int_equal(store_ban_check(f->db, f->gb, "held@example.org", &why),
	    0);
	assert_int_equal(store_mod_sender_set(f->db, f->ga, "held@example.org",
	    STORE_MOD_SENDER_ALLOW, "mod"), 0);
	assert_int_equal(store_mod_sender_get(f->db, f->ga, "held@example.org"),
	    STORE_MOD_SENDER_ALLOW);
	assert_int_equal(store_ban_check(f->db, f->ga, "held@example.org", &why),
	    0);
	assert_int_equal(store_mod_sender_set(f->db, f->ga, "held@example.org",
	    STORE_MOD_SENDER_NONE, "mod"), 0);
	assert_int_equal(store_mod_sender_get(f->db, f->ga, "held@example.org"),
	    STORE_MOD_SENDER_NONE);
	assert_int_equal(db_commit(f->db), 0);
	buf_free(&why);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_glob_adversarial),
		cmocka_unit_test(test_domain),
		cmocka_unit_test(test_store),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_sender),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
