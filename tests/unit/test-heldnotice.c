/*
 * Unit tests for mail/heldnotice.c and daemon/heldreason.c: the
 * moderators' notice of a held message, one per moderator in their
 * account's language (English by default), each with its own approve and
 * reject tokens, the reason in words, a digest reply's hint; the notice of
 * a mail to the owner address; suspended moderators and members left out.
 */
#include <config.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "daemon/config.h"
#include "daemon/db.h"
#include "daemon/engine.h"
#include "daemon/heldreason.h"
#include "daemon/store_group.h"
#include "daemon/store_held.h"
#include "daemon/store_inbound.h"
#include "mail/heldnotice.h"
#include "tests/unit/fixture_db.h"

static int64_t
add(struct db *db, int64_t gid, const char *email, const char *role,
    const char *locale, int suspended)
{
	struct buf err = BUF_INIT;
	int64_t mid = store_member_ensure(db, email, "");
	assert_int_equal(store_membership_add(db, gid, mid, role, "each", &err),
	    1);
	assert_int_equal(db_run(db, "UPDATE members SET locale = ? WHERE id = ?",
	    "ti", locale, mid), 0);
	assert_int_equal(db_run(db, "UPDATE memberships SET suspended = ? WHERE"
	    " member_id = ?", "ii", suspended, mid), 0);
	buf_free(&err);
	return mid;
}

/* The newest message queued for rcpt, or "". */
static const char *
queued(struct db *db, const char *rcpt, struct buf *out)
{
	buf_reset(out);
	assert_int_equal(db_text(db, out, "SELECT coalesce((SELECT CAST(message"
	    " AS TEXT) FROM outbox WHERE rcpt = ? ORDER BY id DESC LIMIT 1),"
	    " '')", "t", rcpt), 1);
	return buf_cstr(out);
}

static void
test_notices(void **state)
{
	struct db *db = *state;
	struct config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.list_domain = "lists.example.org";
	cfg.site_url = "https://s.example";
	struct engine e = { .cfg = &cfg, .db = db };
	struct buf err = BUF_INIT, m = BUF_INIT;
	struct group g;

	assert_int_equal(db_begin(db), 0);
	assert_true(store_group_add(db, "obs", "Observatoire", "", "public",
	    "fr", &err) > 0);
	assert_int_equal(store_group_get(db, "obs", &g), 1);
	add(db, g.id, "en@x.org", "moderator", "", 0);
	add(db, g.id, "fr@x.org", "owner", "fr", 0);
	add(db, g.id, "ar@x.org", "moderator", "ar", 0);
	add(db, g.id, "off@x.org", "moderator", "en", 1);
	add(db, g.id, "member@x.org", "member", "en", 0);
	int64_t in = store_inbound_add(db, "a@y.org", "obs@lists.example.org",
	    "", "raw", 3);
	int64_t h = store_held_add(db, g.id, in, "a@y.org", "Re: [obs] Weekly"
	    " digest", HELDREASON_DIGEST_REPLY);
	struct heldnotice n = { .held_id = h, .reason = HELDREASON_DIGEST_REPLY,
	    .from_name = "Amina", .sender = "a@y.org",
	    .subject = "Re: [obs] Weekly digest", .text = "Merci !" };
	assert_int_equal(heldnotice_queue(&e, &g, &n), 0);
	assert_int_equal(db_commit(db), 0);

	assert_int_equal(db_int(db, "SELECT count(*) FROM outbox", 0, NULL), 3);
	assert_string_equal(queued(db, "off@x.org", &m), "");
	assert_string_equal(queued(db, "member@x.org", &m), "");
	/* no language set: English */
	const char *s = queued(db, "en@x.org", &m);
	assert_non_null(strstr(s, "From: Observatoire <obs-owner@"
	    "lists.example.org>\r\n"));
	assert_non_null(strstr(s, "Subject: Held for moderation: Re: [obs] Weekly"
	    " digest\r\n"));
	assert_non_null(strstr(s, "Content-Language: en\r\n"));
	assert_non_null(strstr(s, "Auto-Submitted: auto-replied\r\n"));
	assert_non_null(strstr(s, "A message to the group \"Observatoire\" is"
	    " held for moderation."));
	assert_non_null(strstr(s, "From:    Amina a@y.org"));
	assert_non_null(strstr(s, "Reason:  reply to a digest"));
	assert_non_null(strstr(s, "approve it into the thread it belongs to"));
	assert_non_null(strstr(s, "  https://s.example/mod/held/"));
	assert_non_null(strstr(s, "obs-moderate+"));
	assert_non_null(strstr(s, "Merci !"));
	/* French, the reason in words */
	s = queued(db, "fr@x.org", &m);
	assert_non_null(strstr(s, "Content-Language: fr\r\n"));
	assert_non_null(strstr(s, "Un message au groupe « Observatoire » est"
	    " retenu pour modération."));
	assert_non_null(strstr(s, "Motif :   réponse à un résumé, sans fil"
	    " désigné"));
	assert_non_null(strstr(s, "Pour l'approuver, écrivez à"));
	/* Arabic: every line of the notice's own text opens with an RLM */
	s = queued(db, "ar@x.org", &m);
	assert_non_null(strstr(s, "Content-Language: ar\r\n"));
	assert_non_null(strstr(s, "\xe2\x80\x8f" "السبب: رد على ملخص"));
	assert_non_null(strstr(s, "\xe2\x80\x8f" "رسالة إلى المجموعة «"
	    "Observatoire» محجوزة للإشراف."));
	/* each moderator's own tokens: six distinct in all */
	assert_int_equal(db_int(db, "SELECT count(DISTINCT hash) FROM"
	    " mod_tokens WHERE held_id = ?", 0, "i", h), 6);

	/* a mail to the owner address: no reason, no tokens, no hold */
	assert_int_equal(db_begin(db), 0);
	struct heldnotice o = { .reason = "message for the moderators",
	    .from_name = "", .sender = "b@y.org", .subject = "",
	    .text = "Bonjour" };
	assert_int_equal(heldnotice_queue(&e, &g, &o), 0);
	assert_int_equal(db_commit(db), 0);
	s = queued(db, "fr@x.org", &m);
	assert_non_null(strstr(s, "Subject: Aux =?UTF-8?Q?mod=C3=A9rateurs?="));
	assert_non_null(strstr(s, "Un message a été écrit aux modérateurs du"
	    " groupe « Observatoire »."));
	assert_non_null(strstr(s, "De :      b@y.org\r\n"));
	assert_null(strstr(s, "Motif"));
	assert_null(strstr(s, "obs-moderate+"));
	s = queued(db, "en@x.org", &m);
	assert_non_null(strstr(s, "Subject: To the moderators of Observatoire:"
	    " (no subject)\r\n"));
	store_group_clear(&g);
	buf_free(&m);
	buf_free(&err);
}

static void
test_reason_words(void **state)
{
	(void)state;
	static const char *reasons[] = { HELDREASON_NON_MEMBER,
	    HELDREASON_MODERATED, HELDREASON_ANNOUNCE, HELDREASON_TOO_LARGE,
	    HELDREASON_RATE, HELDREASON_FIRST_POST, HELDREASON_MIME,
	    HELDREASON_LOCKED, HELDREASON_DIGEST_REPLY };
	for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
		assert_string_equal(heldreason_text(reasons[i], "en"), reasons[i]);
		assert_string_equal(heldreason_text(reasons[i], NULL), reasons[i]);
		assert_string_not_equal(heldreason_text(reasons[i], "fr"),
		    reasons[i]);
		assert_string_not_equal(heldreason_text(reasons[i], "ar"),
		    reasons[i]);
	}
	assert_string_equal(heldreason_text("non-member", "fr"),
	    "expéditeur non membre");
	/* a reason an older majlis recorded: as it is */
	assert_string_equal(heldreason_text("something else", "ar"),
	    "something else");
	assert_null(heldreason_text(NULL, "fr"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notices),
		cmocka_unit_test(test_reason_words),
	};
	return cmocka_run_group_tests(tests, fixture_db_setup,
	    fixture_db_teardown);
}
