/* Unit tests for daemon/modperm.c (the role × action matrix, and the check
 * against memberships: a moderator of one group has no right in another),
 * daemon/moddecide.c (action names, the reason taken from a mail reply)
 * and the tokens of daemon/store_mod.c (single use, expiry). */
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
#include "daemon/moddecide.h"
#include "daemon/modperm.h"
#include "daemon/schema.h"
#include "daemon/store_group.h"
#include "daemon/store_held.h"
#include "daemon/store_inbound.h"
#include "daemon/store_mod.h"
#include "tests/unit/fixture_db.h"

/* The whole matrix written out: 1 where the role may do the action. */
static const int want[MODPERM_NROLES][MODPERM_NACTIONS] = {
	/*		 queue decide allow ban log members roles posts */
	[MODPERM_NONE] =	{ 0, 0, 0, 0, 0, 0, 0, 0 },
	[MODPERM_MEMBER] =	{ 0, 0, 0, 0, 0, 0, 0, 0 },
	[MODPERM_MODERATOR] =	{ 1, 1, 1, 1, 1, 0, 0, 1 },
	[MODPERM_OWNER] =	{ 1, 1, 1, 1, 1, 1, 1, 1 },
	[MODPERM_ADMIN] =	{ 1, 1, 1, 1, 1, 1, 1, 1 },
};

static void
test_matrix(void **state)
{
	(void)state;
	for (int r = 0; r < MODPERM_NROLES; r++)
		for (int a = 0; a < MODPERM_NACTIONS; a++)
			assert_int_equal(modperm_allows((enum modperm_role)r,
			    (enum modperm_action)a), want[r][a]);
	/* out of range is refused */
	assert_int_equal(modperm_allows(MODPERM_OWNER, MODPERM_NACTIONS), 0);
	assert_int_equal(modperm_allows(MODPERM_NROLES, MODPERM_QUEUE), 0);
	assert_int_equal(modperm_allows((enum modperm_role)-1, MODPERM_QUEUE),
	    0);
}

static void
test_roles(void **state)
{
	(void)state;
	assert_int_equal(modperm_role("member", 0), MODPERM_MEMBER);
	assert_int_equal(modperm_role("moderator", 0), MODPERM_MODERATOR);
	assert_int_equal(modperm_role("owner", 0), MODPERM_OWNER);
	assert_int_equal(modperm_role("Owner", 0), MODPERM_NONE);
	assert_int_equal(modperm_role("", 0), MODPERM_NONE);
	assert_int_equal(modperm_role(NULL, 0), MODPERM_NONE);
	assert_int_equal(modperm_role(NULL, 1), MODPERM_ADMIN);
	assert_int_equal(modperm_role("member", 1), MODPERM_ADMIN);
}

struct fixture {
	struct db	*db;
	int64_t		 ga, gb, mod_a, own_b, mem, out;
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
	f.ga = store_group_add(f.db, "alpha", "Alpha", "", "public", "en",
	    &err);
	f.gb = store_group_add(f.db, "beta", "Beta", "", "public", "en", &err);
	f.mod_a = store_member_ensure(f.db, "moda@example.org", "A");
	f.own_b = store_member_ensure(f.db, "ownb@example.org", "B");
	f.mem = store_member_ensure(f.db, "mem@example.org", "M");
	f.out = store_member_ensure(f.db, "out@example.org", "O");
	if (store_membership_add(f.db, f.ga, f.mod_a, "moderator", "each",
	    &err) == -1 || store_membership_add(f.db, f.gb, f.mod_a, "member",
	    "each", &err) == -1 || store_membership_add(f.db, f.gb, f.own_b,
	    "owner", "each", &err) == -1 || store_membership_add(f.db, f.ga,
	    f.mem, "member", "each", &err) == -1 || db_commit(f.db) == -1)
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
test_check(void **state)
{
	struct fixture *f = *state;
	for (int a = 0; a < MODPERM_NACTIONS; a++) {
		enum modperm_action act = (enum modperm_action)a;
		/* the moderator of alpha is a plain member of beta */
		assert_int_equal(modperm_check(f->db, f->mod_a, 0, f->ga, act),
		    want[MODPERM_MODERATOR][a]);
		assert_int_equal(modperm_check(f->db, f->mod_a, 0, f->gb, act), 0);
		assert_int_equal(modperm_check(f->db, f->own_b, 0, f->gb, act), 1);
		assert_int_equal(modperm_check(f->db, f->own_b, 0, f->ga, act), 0);
		assert_int_equal(modperm_check(f->db, f->mem, 0, f->ga, act), 0);
		assert_int_equal(modperm_check(f->db, f->out, 0, f->ga, act), 0);
		assert_int_equal(modperm_check(f->db, f->out, 1, f->ga, act), 1);
		/* nobody, and no group */
		assert_int_equal(modperm_check(f->db, 0, 1, f->ga, act), 0);
		assert_int_equal(modperm_check(f->db, f->own_b, 1, 0, act), 0);
		assert_int_equal(modperm_check(f->db, f->mod_a, 0, 999, act), 0);
	}
}

static void
test_tokens(void **state)
{
	struct fixture *f = *state;
	char tok[TOKEN_LEN + 1];
	struct mod_token t;
	assert_int_equal(db_begin(f->db), 0);
	int64_t in = store_inbound_add(f->db, "s@example.net",
	    "alpha@lists.example.org", "", "x", 1);
	int64_t h = store_held_add(f->db, f->ga, in, "s@example.net", "s",
	    "non-member");
	assert_true(h > 0);
	assert_int_equal(store_mod_token_add(f->db, h, f->mod_a, "reject", tok),
	    0);
	assert_int_equal(store_mod_token_peek(f->db, tok, &t), 1);
	assert_int_equal(t.held_id, h);
	assert_int_equal(t.member_id, f->mod_a);
	assert_string_equal(t.action, "reject");
	/* valid for STORE_MOD_TOKEN_TTL seconds, until the last one */
	char hash[TOKEN_HASH_LEN + 1];
	token_hash(tok, hash);
	int64_t made = db_int(f->db, "SELECT created FROM mod_tokens WHERE"
	    " hash = ?", 0, "t", hash);
	assert_int_equal(db_int(f->db, "SELECT expires FROM mod_tokens WHERE"
	    " hash = ?", 0, "t", hash), made + STORE_MOD_TOKEN_TTL);
	assert_int_equal(db_run(f->db, "UPDATE mod_tokens SET expires = ? WHERE"
	    " hash = ?", "it", db_now() - 1, hash), 0);
	assert_int_equal(store_mod_token_peek(f->db, tok, &t), 0);
	assert_int_equal(store_mod_token_use(f->db, tok, &t), 0);
	assert_int_equal(db_run(f->db, "UPDATE mod_tokens SET expires = ? WHERE"
	    " hash = ?", "it", db_now() + 60, hash), 0);
	assert_int_equal(store_mod_token_use(f->db, tok, &t), 1);
	assert_int_equal(store_mod_token_use(f->db, tok, &t), 0);
	assert_int_equal(store_mod_token_peek(f->db, tok, &t), 0);
	/* a wrong or shortened token */
	tok[0] = tok[0] == 'A' ? 'B' : 'A';
	assert_int_equal(store_mod_token_peek(f->db, tok, &t), 0);
	assert_int_equal(store_mod_token_peek(f->db, "short", &t), 0);
	assert_int_equal(db_commit(f->db), 0);
}

static void
check_reason(const char *text, const char *want_reason)
{
	struct buf out = BUF_INIT;
	moddecide_reason_from_text(&out, text);
	assert_string_equal(buf_cstr(&out), want_reason);
	buf_free(&out);
}

static void
test_reason(void **state)
{
	(void)state;
	check_reason("Off topic.\n> quoted", "Off topic.");
	check_reason("\n  \t\n  Spaced out  \r\nmore", "Spaced out");
	check_reason("> only a quote\nthen text", "");
	check_reason("On Monday, the list wrote:\n> held", "");
	check_reason("", "");
	check_reason(NULL, "");
	/* at most MODDECIDE_REASON_MAX bytes, cut before a partial character */
	struct buf in = BUF_INIT, out = BUF_INIT;
	for (int i = 0; i < MODDECIDE_REASON_MAX - 1; i++)
		buf_putc(&in, 'a');
	buf_puts(&in, "\xd8\xb3" "bc");		/* U+0633 across the limit */
	moddecide_reason_from_text(&out, buf_cstr(&in));
	assert_int_equal(out.len, MODDECIDE_REASON_MAX - 1);
	buf_reset(&in);
	for (int i = 0; i < MODDECIDE_REASON_MAX; i++)
		buf_putc(&in, 'a');
	moddecide_reason_from_text(&out, buf_cstr(&in));
	assert_int_equal(out.len, MODDECIDE_REASON_MAX);
	buf_putc(&in, 'b');
	moddecide_reason_from_text(&out, buf_cstr(&in));
	assert_int_equal(out.len, MODDECIDE_REASON_MAX);
	buf_free(&in);
	buf_free(&out);
}

static void
test_actions(void **state)
{
	(void)state;
	enum moddecide_action a;
	for (int i = 0; i < MODDECIDE_NACTIONS; i++) {
		assert_int_equal(moddecide_parse(moddecide_name(
		    (enum moddecide_action)i), &a), 0);
		assert_int_equal(a, i);
	}
	assert_int_equal(moddecide_parse("Approve", &a), -1);
	assert_int_equal(moddecide_parse("", &a), -1);
	assert_int_equal(moddecide_parse(NULL, &a), -1);
	assert_int_equal(moddecide_perm(MODDECIDE_BAN), MODPERM_BAN);
	assert_int_equal(moddecide_perm(MODDECIDE_APPROVE_ALLOW), MODPERM_ALLOW);
	assert_int_equal(moddecide_perm(MODDECIDE_REJECT), MODPERM_DECIDE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_reason),
		cmocka_unit_test(test_actions),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
