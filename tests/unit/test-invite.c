/* Unit tests for daemon/invite.c (the address list and its limits, what
 * inviting and accepting write) and daemon/store_invite.c (the token
 * stored hashed, replaced by a new invitation, single use, revocation,
 * expiry). */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/buf.h"
#include "daemon/db.h"
#include "daemon/invite.h"
#include "daemon/schema.h"
#include "daemon/store_group.h"
#include "daemon/store_invite.h"
#include "tests/unit/fixture_db.h"

static void
test_parse(void **state)
{
	(void)state;
	struct invite_list l;
	struct buf bad = BUF_INIT, text = BUF_INIT;
	assert_int_equal(invite_parse(" a@example.org,\n\tB@example.org;"
	    "A@EXAMPLE.ORG c@example.org ", &l, &bad), INVITE_PARSE_OK);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.addr[0], "a@example.org");
	assert_string_equal(l.addr[1], "B@example.org");
	assert_string_equal(l.addr[2], "c@example.org");
	invite_list_free(&l);
	assert_int_equal(l.n, 0);
	assert_int_equal(invite_parse("a@example.org, nope, c@example.org", &l,
	    &bad), INVITE_PARSE_BAD);
	assert_string_equal(buf_cstr(&bad), "nope");
	assert_int_equal(l.n, 0);
	assert_int_equal(invite_parse("a@example.org <b@example.org>", &l,
	    &bad), INVITE_PARSE_BAD);
	assert_int_equal(invite_parse(" ,;\n", &l, &bad), INVITE_PARSE_EMPTY);
	assert_int_equal(invite_parse("", &l, &bad), INVITE_PARSE_EMPTY);
	assert_int_equal(invite_parse(NULL, &l, &bad), INVITE_PARSE_EMPTY);
	/* INVITE_BATCH_MAX addresses pass, one more does not; repeats of
	 * the same address do not count */
	for (int i = 0; i < INVITE_BATCH_MAX; i++)
		buf_printf(&text, "m%d@example.org m%d@example.org\n", i, i);
	assert_int_equal(invite_parse(buf_cstr(&text), &l, &bad),
	    INVITE_PARSE_OK);
	assert_int_equal(l.n, INVITE_BATCH_MAX);
	invite_list_free(&l);
	buf_puts(&text, "one-more@example.org");
	assert_int_equal(invite_parse(buf_cstr(&text), &l, &bad),
	    INVITE_PARSE_TOO_MANY);
	assert_int_equal(l.n, 0);
	/* INVITE_TEXT_MAX bytes pass, one more is refused before parsing */
	buf_reset(&text);
	buf_puts(&text, "a@example.org");
	while (text.len < INVITE_TEXT_MAX)
		buf_putc(&text, ' ');
	assert_int_equal(invite_parse(buf_cstr(&text), &l, &bad),
	    INVITE_PARSE_OK);
	invite_list_free(&l);
	buf_putc(&text, ' ');
	assert_int_equal(invite_parse(buf_cstr(&text), &l, &bad),
	    INVITE_PARSE_TOO_LONG);
	buf_free(&bad);
	buf_free(&text);
}

struct fixture {
	struct db	*db;
	struct group	 g, h;
};

static int
setup(void **state)
{
	static struct fixture f;
	struct buf err = BUF_INIT;
	f.db = fixture_db_open();
	if (f.db == NULL || schema_migrate(f.db, &err) == -1 ||
	    store_group_add(f.db, "alpha", "Alpha", "Notes.", "private", "fr",
	    &err) == -1 || store_group_add(f.db, "beta", "Beta", "", "public",
	    "en", &err) == -1 || store_group_get(f.db, "alpha", &f.g) != 1 ||
	    store_group_get(f.db, "beta", &f.h) != 1)
		return -1;
	buf_free(&err);
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	store_group_clear(&f->g);
	store_group_clear(&f->h);
	return fixture_db_close(&f->db);
}

static void
test_store(void **state)
{
	struct fixture *f = *state;
	char t1[TOKEN_LEN + 1], t2[TOKEN_LEN + 1], t3[TOKEN_LEN + 1];
	struct invite inv;
	assert_int_equal(store_invite_put(f->db, f->g.id, "x@example.org",
	    "own@example.org", 3600, t1), 0);
	assert_int_equal(strlen(t1), TOKEN_LEN);
	/* only the hash is stored */
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM invites WHERE"
	    " hash = ?", -1, "t", t1), 0);
	assert_int_equal(store_invite_get(f->db, t1, &inv), 1);
	assert_int_equal(inv.group_id, f->g.id);
	assert_string_equal(inv.email, "x@example.org");
	assert_string_equal(inv.invited_by, "own@example.org");
	assert_int_equal(inv.expires - inv.created, 3600);
	/* a new invitation of the same address (any case) replaces the link;
	 * the same address in another group is another invitation */
	assert_int_equal(store_invite_put(f->db, f->g.id, "X@example.org",
	    "own@example.org", 3600, t2), 0);
	assert_int_equal(store_invite_get(f->db, t1, &inv), 0);
	assert_int_equal(store_invite_get(f->db, t2, &inv), 1);
	assert_int_equal(store_invite_put(f->db, f->h.id, "x@example.org",
	    "own@example.org", 3600, t3), 0);
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM invites", -1,
	    NULL), 2);
	/* single use */
	assert_int_equal(store_invite_take(f->db, t2, &inv), 1);
	assert_int_equal(store_invite_take(f->db, t2, &inv), 0);
	assert_int_equal(store_invite_get(f->db, t2, &inv), 0);
	/* revoked: only in its group */
	assert_int_equal(store_invite_revoke(f->db, f->g.id, "x@example.org"),
	    0);
	assert_int_equal(store_invite_revoke(f->db, f->h.id, "x@example.org"),
	    1);
	assert_int_equal(store_invite_get(f->db, t3, &inv), 0);
	/* expired: refused, not listed, dropped by the next invitation */
	assert_int_equal(store_invite_put(f->db, f->g.id, "old@example.org",
	    "own@example.org", -1, t1), 0);
	assert_int_equal(store_invite_get(f->db, t1, &inv), 0);
	assert_int_equal(store_invite_take(f->db, t1, &inv), 0);
	assert_int_equal(store_invite_revoke(f->db, f->g.id,
	    "old@example.org"), 0);
	assert_int_equal(store_invite_put(f->db, f->g.id, "new@example.org",
	    "own@example.org", 3600, t2), 0);
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM invites WHERE"
	    " email = 'old@example.org'", -1, NULL), 0);
	/* not tokens: wrong length, unknown */
	assert_int_equal(store_invite_get(f->db, "short", &inv), 0);
	assert_int_equal(store_invite_get(f->db, "AAAAAAAAAAAAAAAAAAAAAAAA",
	    &inv), 0);
	assert_int_equal(store_invite_revoke(f->db, f->g.id, "new@example.org"),
	    1);
}

static int
count_rows(void *arg, const struct invite *inv)
{
	(void)inv;
	return ++*(int *)arg == 2 ? -1 : 0;
}

static void
test_send_accept(void **state)
{
	struct fixture *f = *state;
	struct buf err = BUF_INIT;
	assert_int_equal(db_begin(f->db), 0);
	int64_t mem = store_member_ensure(f->db, "mem@example.org", "");
	assert_int_equal(store_membership_add(f->db, f->g.id, mem, "member",
	    "each", &err), 1);
	int64_t outbox = db_int(f->db, "SELECT count(*) FROM outbox", -1, NULL);
	/* a member gets no mail */
	assert_int_equal(invite_send(f->db, "lists.example.org",
	    "https://majlis.example.org", &f->g, "MEM@example.org",
	    "own@example.org"), INVITE_IS_MEMBER);
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM outbox", -1,
	    NULL), outbox);
	assert_int_equal(invite_send(f->db, "lists.example.org",
	    "https://majlis.example.org", &f->g, "new@example.org",
	    "own@example.org"), INVITE_SENT);
	assert_int_equal(invite_send(f->db, "lists.example.org",
	    "https://majlis.example.org", &f->g, "two@example.org",
	    "own@example.org"), INVITE_SENT);
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM outbox", -1,
	    NULL), outbox + 2);
	/* again at once (a second click): no second mail; once
	 * INVITE_RESEND_MIN seconds have passed, a new one */
	assert_int_equal(invite_send(f->db, "lists.example.org",
	    "https://majlis.example.org", &f->g, "two@example.org",
	    "own@example.org"), INVITE_RECENT);
	assert_int_equal(db_run(f->db, "UPDATE invites SET created = created -"
	    " ? WHERE email = 'two@example.org'", "i",
	    (int64_t)(INVITE_RESEND_MIN - 10)), 0);
	assert_int_equal(invite_send(f->db, "lists.example.org",
	    "https://majlis.example.org", &f->g, "two@example.org",
	    "own@example.org"), INVITE_RECENT);
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM outbox", -1,
	    NULL), outbox + 2);
	assert_int_equal(db_run(f->db, "UPDATE invites SET created = created -"
	    " 10 WHERE email = 'two@example.org'", ""), 0);
	assert_int_equal(invite_send(f->db, "lists.example.org",
	    "https://majlis.example.org", &f->g, "two@example.org",
	    "own@example.org"), INVITE_SENT);
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM outbox", -1,
	    NULL), outbox + 3);
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM audit_log WHERE"
	    " action = 'member.invite' AND actor = 'own@example.org'", -1,
	    NULL), 3);
	int rows = 0;
	assert_int_equal(store_invite_each(f->db, f->g.id, INVITE_LIST_MAX,
	    count_rows, &rows), 0);
	assert_int_equal(rows, 2);
	rows = 0;
	assert_int_equal(store_invite_each(f->db, f->g.id, 1, count_rows,
	    &rows), 0);
	assert_int_equal(rows, 1);
	/* the mail holds the link; accepting it makes a member */
	char t[TOKEN_LEN + 1];
	assert_int_equal(store_invite_put(f->db, f->g.id, "new@example.org",
	    "own@example.org", INVITE_TTL, t), 0);
	struct invite info;
	outbox = db_int(f->db, "SELECT count(*) FROM outbox", -1, NULL);
	assert_int_equal(invite_accept(f->db, "lists.example.org", t, &info),
	    INVITE_JOINED);
	/* the membership notice, on by default */
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM outbox", -1,
	    NULL), outbox + 1);
	struct membership ms;
	assert_int_equal(store_membership_get(f->db, f->g.id, "new@example.org",
	    &ms), 1);
	assert_string_equal(ms.role, "member");
	assert_string_equal(ms.delivery, "each");
	store_membership_clear(&ms);
	assert_int_equal(invite_accept(f->db, "lists.example.org", t, &info),
	    INVITE_INVALID);
	/* a member since: the link is used up all the same */
	assert_int_equal(store_invite_put(f->db, f->g.id, "mem@example.org",
	    "own@example.org", INVITE_TTL, t), 0);
	assert_int_equal(invite_accept(f->db, "lists.example.org", t, &info),
	    INVITE_ALREADY);
	assert_int_equal(store_invite_get(f->db, t, &info), 0);
	/* an archived group: no invitation, and a pending link waits for the
	 * group to reopen */
	assert_int_equal(store_invite_put(f->db, f->g.id, "late@example.org",
	    "own@example.org", INVITE_TTL, t), 0);
	assert_int_equal(store_group_set_archived(f->db, f->g.id, 1), 1);
	f->g.archived = 1;
	assert_int_equal(invite_send(f->db, "lists.example.org",
	    "https://majlis.example.org", &f->g, "other@example.org",
	    "own@example.org"), INVITE_ARCHIVED);
	assert_int_equal(store_invite_revoke(f->db, f->g.id,
	    "other@example.org"), 0);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(invite_accept(f->db, "lists.example.org", t, &info),
	    INVITE_CLOSED);
	db_rollback(f->db);
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(store_invite_get(f->db, t, &info), 1);
	assert_int_equal(store_group_set_archived(f->db, f->g.id, 0), 1);
	f->g.archived = 0;
	/* the group turned membership notices off: none */
	assert_int_equal(db_run(f->db, "INSERT INTO group_policy(group_id,"
	    " member_notices) VALUES (?, 0)", "i", f->g.id), 0);
	outbox = db_int(f->db, "SELECT count(*) FROM outbox", -1, NULL);
	assert_int_equal(invite_accept(f->db, "lists.example.org", t, &info),
	    INVITE_JOINED);
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM outbox", -1,
	    NULL), outbox);
	/* revoked */
	assert_int_equal(invite_revoke(f->db, &f->g, "two@example.org",
	    "own@example.org"), 1);
	assert_int_equal(invite_revoke(f->db, &f->g, "two@example.org",
	    "own@example.org"), 0);
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM audit_log WHERE"
	    " action = 'member.invite-revoke'", -1, NULL), 1);
	assert_int_equal(db_commit(f->db), 0);
	buf_free(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_store),
		cmocka_unit_test(test_send_accept),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
