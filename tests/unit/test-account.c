/* Unit tests for accounts: session cookies and tokens, password limits and
 * hashes, time zone names, session and rate-limit storage, read access. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon/account.h"
#include "daemon/db.h"
#include "daemon/password.h"
#include "daemon/store_account.h"
#include "daemon/store_group.h"
#include "daemon/store_token.h"
#include "web/access.h"
#include "web/account.h"
#include "web/i18n.h"
#include "web/session.h"
#include "tests/unit/fixture_db.h"

static void
test_cookie_find(void **state)
{
	char v[64];
	(void)state;
	assert_int_equal(session_cookie_find("a=1; majlis_session=abc; b=2",
	    "majlis_session", v, sizeof v), 1);
	assert_string_equal(v, "abc");
	assert_int_equal(session_cookie_find("majlis_session=x", "majlis_session",
	    v, sizeof v), 1);
	assert_string_equal(v, "x");
	/* a longer name with the same prefix is another cookie */
	assert_int_equal(session_cookie_find("xmajlis_session=1; majlis_sessionx=2",
	    "majlis_session", v, sizeof v), 0);
	assert_int_equal(session_cookie_find(NULL, "a", v, sizeof v), 0);
	assert_int_equal(session_cookie_find("a", "a", v, sizeof v), 0);
	/* a value that does not fit is not truncated into another */
	assert_int_equal(session_cookie_find("a=0123456789", "a", v, 10), 0);
	assert_int_equal(session_cookie_find("a=012345678", "a", v, 10), 1);
	/* first of two wins */
	assert_int_equal(session_cookie_find("a=1;a=2", "a", v, sizeof v), 1);
	assert_string_equal(v, "1");
}

static void
test_tokens(void **state)
{
	char a[PASSWORD_TOKEN_LEN + 1], b[PASSWORD_TOKEN_LEN + 1];
	char da[PASSWORD_DIGEST_LEN + 1], db2[PASSWORD_DIGEST_LEN + 1];
	(void)state;
	password_token(a);
	password_token(b);
	assert_int_equal(strlen(a), PASSWORD_TOKEN_LEN);
	assert_string_not_equal(a, b);
	assert_true(password_token_wellformed(a));
	password_token_digest(a, da);
	password_token_digest(b, db2);
	assert_int_equal(strlen(da), PASSWORD_DIGEST_LEN);
	assert_string_not_equal(da, db2);
	assert_null(strstr(da, a));
	char again[PASSWORD_DIGEST_LEN + 1];
	password_token_digest(a, again);
	assert_string_equal(da, again);
	/* form: length and alphabet */
	char bad[PASSWORD_TOKEN_LEN + 2];
	memcpy(bad, a, sizeof a);
	bad[PASSWORD_TOKEN_LEN - 1] = '\0';
	assert_false(password_token_wellformed(bad));
	memcpy(bad, a, sizeof a);
	bad[0] = '.';
	assert_false(password_token_wellformed(bad));
	memcpy(bad, a, PASSWORD_TOKEN_LEN);
	bad[PASSWORD_TOKEN_LEN] = 'x';
	bad[PASSWORD_TOKEN_LEN + 1] = '\0';
	assert_false(password_token_wellformed(bad));
}

static void
test_password(void **state)
{
	char pw[PASSWORD_MAX + 2];
	(void)state;
	memset(pw, 'p', sizeof pw);
	pw[PASSWORD_MIN - 1] = '\0';
	assert_false(password_acceptable(pw));
	pw[PASSWORD_MIN - 1] = 'p';
	pw[PASSWORD_MIN] = '\0';
	assert_true(password_acceptable(pw));
	pw[PASSWORD_MIN] = 'p';
	pw[PASSWORD_MAX] = '\0';
	assert_true(password_acceptable(pw));
	pw[PASSWORD_MAX] = 'p';
	pw[PASSWORD_MAX + 1] = '\0';
	assert_false(password_acceptable(pw));
	char h[PASSWORD_HASH_MAX + 1];
	assert_int_equal(password_hash(pw, h), -1);	/* over the limit */
	assert_int_equal(password_hash("correct horse", h), 0);
	assert_non_null(strstr(h, "$argon2id$"));
	assert_null(strstr(h, "correct horse"));
	assert_true(password_verify(h, "correct horse"));
	assert_false(password_verify(h, "correct horsE"));
	assert_false(password_verify("", "correct horse"));
	assert_false(password_verify(h, pw));
}

static void
test_zones(void **state)
{
	(void)state;
	assert_true(i18n_zone_valid("UTC"));
	assert_true(i18n_zone_valid("Europe/Paris"));
	assert_true(i18n_zone_valid("Africa/Casablanca"));
	assert_true(i18n_zone_valid("America/Argentina/Buenos_Aires"));
	assert_true(i18n_zone_valid("Etc/GMT+3"));
	assert_false(i18n_zone_valid(""));
	assert_false(i18n_zone_valid("Europe"));		/* a directory */
	assert_false(i18n_zone_valid("Nowhere/City"));
	assert_false(i18n_zone_valid("../../../etc/passwd"));
	assert_false(i18n_zone_valid("/etc/passwd"));
	assert_false(i18n_zone_valid("Europe/../Europe/Paris"));
	assert_false(i18n_zone_valid("Europe//Paris"));
	assert_false(i18n_zone_valid("Europe/Paris/"));
	assert_false(i18n_zone_valid("Europe/Paris\n"));
	assert_false(i18n_zone_valid("Europe/Par is"));
	assert_false(i18n_zone_valid("zone.tab"));
	char longname[I18N_ZONE_MAX + 2];
	memset(longname, 'A', sizeof longname);
	longname[I18N_ZONE_MAX + 1] = '\0';
	assert_false(i18n_zone_valid(longname));
	/* dates follow the zone of the request */
	struct buf d = BUF_INIT;
	i18n_set_zone(NULL);
	i18n_date(&d, I18N_EN, 1763888400);	/* 2025-11-23 09:00 UTC */
	assert_string_equal(buf_cstr(&d), "23 November 2025, 09:00");
	buf_reset(&d);
	i18n_set_zone("Asia/Tokyo");
	i18n_date(&d, I18N_FR, 1763888400);
	assert_string_equal(buf_cstr(&d), "23 novembre 2025 à 18:00");
	buf_reset(&d);
	i18n_set_zone("Nowhere/City");
	i18n_date(&d, I18N_EN, 1763888400);
	assert_string_equal(buf_cstr(&d), "23 November 2025, 09:00");
	buf_reset(&d);
	i18n_set_zone("America/New_York");
	i18n_date(&d, I18N_EN, 1763888400);
	assert_string_equal(buf_cstr(&d), "23 November 2025, 04:00");
	buf_reset(&d);
	i18n_set_zone(NULL);
	i18n_date(&d, I18N_EN, 1763888400);
	assert_string_equal(buf_cstr(&d), "23 November 2025, 09:00");
	/* the end of a request gives TZ back: the process's local time is
	 * the reader's no more */
	assert_int_equal(setenv("TZ", "Pacific/Auckland", 1), 0);
	tzset();
	i18n_set_zone("Asia/Tokyo");
	buf_reset(&d);
	i18n_date(&d, I18N_EN, 1763888400);
	assert_string_equal(buf_cstr(&d), "23 November 2025, 18:00");
	i18n_set_zone(NULL);
	assert_string_equal(getenv("TZ"), "Pacific/Auckland");
	time_t t = 1763888400;
	struct tm tm;
	assert_non_null(localtime_r(&t, &tm));
	assert_int_equal(tm.tm_hour, 22);	/* NZDT, UTC+13 */
	buf_free(&d);
}

static void
test_sessions_store(void **state)
{
	struct db *db = *state;
	int64_t m = store_member_ensure(db, "s@example.org", "S");
	assert_true(m > 0);
	struct session_row s;
	assert_true(store_session_add(db, "h1", m, 1000, 1000 + 500, "c1") > 0);
	assert_int_equal(store_session_get(db, "h1", 1001, 100, &s), 1);
	assert_int_equal(s.account.id, m);
	assert_string_equal(s.csrf, "c1");
	assert_false(s.account.has_password);
	/* idle: last_seen + idle must be after now */
	assert_int_equal(store_session_get(db, "h1", 1100, 100, &s), 0);
	int64_t sid = db_int(db, "SELECT id FROM sessions WHERE hash = 'h1'", -1,
	    NULL);
	assert_int_equal(store_session_touch(db, sid, 1090), 0);
	assert_int_equal(store_session_get(db, "h1", 1100, 100, &s), 1);
	assert_int_equal(s.id, sid);
	/* absolute expiry */
	assert_int_equal(store_session_touch(db, sid, 1499), 0);
	assert_int_equal(store_session_get(db, "h1", 1500, 100, &s), 0);
	assert_int_equal(store_session_get(db, "nope", 1001, 100, &s), 0);
	assert_int_equal(store_session_count(db, m), 1);
	assert_int_equal(store_session_purge(db, 1500, 100), 0);
	assert_int_equal(store_session_count(db, m), 0);
	assert_true(store_session_add(db, "h2", m, 1000, 2000, "c") > 0);
	assert_true(store_session_add(db, "h3", m, 1000, 2000, "c") > 0);
	assert_int_equal(store_session_count(db, m), 2);
	assert_int_equal(store_session_delete_member(db, m), 0);
	assert_int_equal(store_session_count(db, m), 0);
}

static void
test_rate_store(void **state)
{
	struct db *db = *state;
	for (int i = 0; i < 3; i++)
		assert_int_equal(store_rate_hit(db, "k", 60, 3, 100 + i), 1);
	assert_int_equal(store_rate_ok(db, "k", 60, 3, 110), 0);
	assert_int_equal(store_rate_hit(db, "k", 60, 3, 110), 0);
	assert_int_equal(store_rate_ok(db, "other", 60, 3, 110), 1);
	/* the window ends 60 s after its first event */
	assert_int_equal(store_rate_hit(db, "k", 60, 3, 159), 0);
	assert_int_equal(store_rate_hit(db, "k", 60, 3, 160), 1);
	assert_int_equal(store_rate_hit(db, "k", 60, 3, 161), 1);
	assert_int_equal(store_rate_clear(db, "k"), 0);
	assert_int_equal(store_rate_ok(db, "k", 60, 3, 162), 1);
	/* purge forgets buckets whose window began before the limit */
	assert_int_equal(store_rate_hit(db, "old", 60, 1, 100), 1);
	assert_int_equal(store_rate_hit(db, "new", 60, 1, 200), 1);
	assert_int_equal(store_rate_purge(db, 150), 0);
	assert_int_equal(db_int(db, "SELECT count(*) FROM rate_limits WHERE key"
	    " IN ('old', 'new')", -1, NULL), 1);
	assert_int_equal(store_rate_ok(db, "new", 1000, 1, 201), 0);
}

/* Every limit of web/account.h: max events pass, the next is refused,
 * and the bucket is per value (case folded) and per window. */
static void
test_account_limits(void **state)
{
	struct db *db = *state;
	struct buf key = BUF_INIT, other = BUF_INIT;
	assert_int_equal(account_nlimits, 6);
	for (int i = 0; i < account_nlimits; i++) {
		const struct account_limit *l = &account_limits[i];
		assert_true(l->max > 0 && l->window > 0);
		account_limit_key(&key, l->prefix, "Who@Example.ORG");
		account_limit_key(&other, l->prefix, "who@example.org");
		assert_string_equal(buf_cstr(&key), buf_cstr(&other));
		int64_t t = 5000;
		for (int k = 0; k < l->max; k++)
			assert_int_equal(store_rate_hit(db, buf_cstr(&key),
			    l->window, l->max, t + k), 1);
		assert_int_equal(store_rate_hit(db, buf_cstr(&key), l->window,
		    l->max, t + l->max), 0);
		assert_int_equal(store_rate_ok(db, buf_cstr(&key), l->window,
		    l->max, t + l->max), 0);
		account_limit_key(&other, l->prefix, "someone@example.org");
		assert_int_equal(store_rate_hit(db, buf_cstr(&other), l->window,
		    l->max, t), 1);
		assert_int_equal(store_rate_hit(db, buf_cstr(&key), l->window,
		    l->max, t + l->window), 1);
	}
	assert_int_equal(ACCOUNT_LOGIN_FAIL_MAX, account_limits[1].max);
	buf_free(&key);
	buf_free(&other);
}

static void
test_access(void **state)
{
	struct db *db = *state;
	struct buf err = BUF_INIT;
	int64_t pub = store_group_add(db, "pub", "P", "", "public", "en", &err);
	int64_t mem = store_group_add(db, "mem", "M", "", "members", "en", &err);
	int64_t priv = store_group_add(db, "priv", "V", "", "private", "en", &err);
	assert_true(pub > 0 && mem > 0 && priv > 0);
	int64_t in = store_member_ensure(db, "in@example.org", "");
	int64_t out = store_member_ensure(db, "out@example.org", "");
	assert_int_equal(store_membership_add(db, priv, in, "member", "each",
	    &err), 1);
	struct group g[3];
	assert_int_equal(store_group_get(db, "pub", &g[0]), 1);
	assert_int_equal(store_group_get(db, "mem", &g[1]), 1);
	assert_int_equal(store_group_get(db, "priv", &g[2]), 1);
	struct viewer anon = { 0 }, vin = { .member_id = in },
	    vout = { .member_id = out }, admin = { .member_id = out, .is_admin = 1 };
	static const int want[4][3] = {
		{ 1, 0, 0 }, { 1, 1, 1 }, { 1, 1, 0 }, { 1, 1, 1 } };
	const struct viewer *vs[4] = { &anon, &vin, &vout, &admin };
	for (int v = 0; v < 4; v++)
		for (int i = 0; i < 3; i++)
			assert_int_equal(access_group_read(db, vs[v], &g[i]),
			    want[v][i]);
	for (int i = 0; i < 3; i++)
		store_group_clear(&g[i]);
	buf_free(&err);
}

static void
test_account_checks(void **state)
{
	char name[ACCOUNT_NAME_MAX + 2], addr[ACCOUNT_EMAIL_MAX + 2];
	(void)state;
	assert_true(account_email_valid("a@example.org"));
	assert_false(account_email_valid("a@"));
	assert_false(account_email_valid("no-at.example.org"));
	assert_false(account_email_valid("a b@example.org"));
	assert_false(account_email_valid(""));
	/* one byte over ACCOUNT_EMAIL_MAX is refused whatever the syntax */
	memset(addr, 'a', sizeof addr);
	memcpy(addr + ACCOUNT_EMAIL_MAX + 1 - 12, "@example.org", 12);
	addr[ACCOUNT_EMAIL_MAX + 1] = '\0';
	assert_int_equal(strlen(addr), ACCOUNT_EMAIL_MAX + 1);
	assert_false(account_email_valid(addr));
	assert_true(account_name_valid("Amélie"));
	assert_true(account_name_valid("يوسف"));
	assert_false(account_name_valid(""));
	assert_false(account_name_valid("   "));
	assert_false(account_name_valid("a\nb"));
	assert_false(account_name_valid("a\tb"));
	memset(name, 'n', sizeof name);
	name[ACCOUNT_NAME_MAX] = '\0';
	assert_true(account_name_valid(name));
	name[ACCOUNT_NAME_MAX] = 'n';
	name[ACCOUNT_NAME_MAX + 1] = '\0';
	assert_false(account_name_valid(name));
}

static void
test_register_claim_reset(void **state)
{
	struct db *db = *state;
	char tok[TOKEN_LEN + 1], tok2[TOKEN_LEN + 1], h[PASSWORD_HASH_MAX + 1];
	int64_t id = 0;
	struct account a;
	assert_int_equal(password_hash("first password", h), 0);
	/* a new address: no member until confirmed */
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(account_register_request(db, "new@example.org", "New",
	    h, "fr", tok), 0);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(store_account_by_email(db, "new@example.org", &a), 0);
	assert_int_equal(account_register_confirm(db, "AAAAAAAAAAAAAAAAAAAAAAAA",
	    &id), 0);
	assert_int_equal(account_register_confirm(db, tok, &id), 1);
	assert_int_equal(store_account_by_email(db, "NEW@example.org", &a), 1);
	assert_int_equal(a.id, id);
	assert_true(a.has_password);
	assert_string_equal(a.locale, "fr");
	assert_string_equal(a.name, "New");
	assert_true(password_verify(a.password_hash, "first password"));
	assert_int_equal(account_register_confirm(db, tok, &id), 0);	/* used */
	/* a member known by mail claims the same row, groups kept */
	struct buf err = BUF_INIT;
	int64_t g = store_group_add(db, "claimg", "G", "", "public", "en", &err);
	int64_t mail = store_member_ensure(db, "mail@example.org", "");
	assert_int_equal(store_membership_add(db, g, mail, "member", "daily",
	    &err), 1);
	assert_int_equal(account_register_request(db, "Mail@example.org", "M",
	    h, "ar", tok), 0);
	assert_int_equal(account_register_confirm(db, tok, &id), 1);
	assert_int_equal(id, mail);
	assert_int_equal(db_int(db, "SELECT count(*) FROM members WHERE email ="
	    " 'mail@example.org'", -1, NULL), 1);
	assert_int_equal(db_int(db, "SELECT count(*) FROM memberships WHERE"
	    " member_id = ?", -1, "i", mail), 1);
	/* a second registration confirmed later does not change the password */
	char other[PASSWORD_HASH_MAX + 1];
	assert_int_equal(password_hash("other password", other), 0);
	assert_int_equal(account_register_request(db, "mail@example.org", "X",
	    other, "en", tok2), 0);
	assert_int_equal(account_register_confirm(db, tok2, &id), 1);
	assert_int_equal(store_account_by_id(db, mail, &a), 1);
	assert_true(password_verify(a.password_hash, "first password"));
	assert_string_equal(a.name, "M");
	/* a registration token is not a reset token, and the reverse */
	assert_int_equal(account_register_request(db, "r@example.org", "R", h,
	    "en", tok), 0);
	assert_int_equal(account_reset_confirm(db, tok, other, &id), 0);
	assert_int_equal(account_reset_request(db, "mail@example.org", tok2), 0);
	assert_int_equal(account_register_confirm(db, tok2, &id), 0);
	/* reset: new password, every session ends, token used once */
	assert_true(store_session_add(db, "sx", mail, db_now(), db_now() + 99,
	    "c") > 0);
	assert_int_equal(account_reset_confirm(db, tok2, other, &id), 1);
	assert_int_equal(id, mail);
	assert_int_equal(store_session_count(db, mail), 0);
	assert_int_equal(store_account_by_id(db, mail, &a), 1);
	assert_true(password_verify(a.password_hash, "other password"));
	assert_int_equal(account_reset_confirm(db, tok2, h, &id), 0);
	/* reset of an address without an account changes nothing */
	int64_t bare = store_member_ensure(db, "bare@example.org", "");
	assert_int_equal(account_reset_request(db, "bare@example.org", tok), 0);
	assert_int_equal(account_reset_confirm(db, tok, h, &id), 0);
	assert_int_equal(store_account_by_id(db, bare, &a), 1);
	assert_false(a.has_password);
	/* nothing of a token in clear in the database */
	assert_int_equal(db_int(db, "SELECT count(*) FROM tokens WHERE hash = ?"
	    " OR email = ?", -1, "tt", tok, tok), 0);
	buf_free(&err);
}

static void
test_account_create(void **state)
{
	struct db *db = *state;
	struct buf err = BUF_INIT;
	struct account a;
	assert_int_equal(account_create(db, "bad", "X", "long enough pw", 0,
	    &err), -1);
	assert_non_null(strstr(buf_cstr(&err), "address"));
	buf_reset(&err);
	assert_int_equal(account_create(db, "c@example.org", "X", "short", 0,
	    &err), -1);
	assert_non_null(strstr(buf_cstr(&err), "password"));
	buf_reset(&err);
	assert_int_equal(account_create(db, "c@example.org", "a\nb",
	    "long enough pw", 0, &err), -1);
	buf_reset(&err);
	int64_t id = account_create(db, "c@example.org", "Chadia",
	    "long enough pw", 1, &err);
	assert_true(id > 0);
	assert_int_equal(store_account_by_id(db, id, &a), 1);
	assert_true(a.has_password && a.is_admin);
	assert_string_equal(a.name, "Chadia");
	assert_true(password_verify(a.password_hash, "long enough pw"));
	/* again: same member, new password, admin cleared, name kept */
	assert_int_equal(account_create(db, "C@example.org", NULL,
	    "another long pw", 0, &err), id);
	assert_int_equal(store_account_by_id(db, id, &a), 1);
	assert_false(a.is_admin);
	assert_string_equal(a.name, "Chadia");
	assert_true(password_verify(a.password_hash, "another long pw"));
	buf_free(&err);
}

/* A check done off the transaction is acted on only while the stored hash
 * is the one checked; setting a password voids every unused reset link. */
static void
test_password_changed_meanwhile(void **state)
{
	struct db *db = *state;
	struct buf err = BUF_INIT;
	struct account a;
	char t1[TOKEN_LEN + 1], t2[TOKEN_LEN + 1], t3[TOKEN_LEN + 1];
	char h2[PASSWORD_HASH_MAX + 1], h3[PASSWORD_HASH_MAX + 1];
	int64_t id = account_create(db, "race@example.org", "Race",
	    "first long password", 0, &err), got = 0;
	assert_true(id > 0);
	assert_int_equal(store_account_by_id(db, id, &a), 1);
	char was[ACCOUNT_HASH_MAX + 1];
	strcpy(was, a.password_hash);
	assert_int_equal(store_account_hash_is(db, id, was), 1);
	assert_int_equal(store_account_hash_is(db, id, ""), 0);
	/* the same password hashed again is another string (fresh salt) */
	assert_int_equal(password_hash("first long password", h2), 0);
	assert_int_equal(store_account_hash_is(db, id, h2), 0);
	/* two reset links: the first used voids the second */
	assert_int_equal(account_reset_request(db, "race@example.org", t1), 0);
	assert_int_equal(account_reset_request(db, "race@example.org", t2), 0);
	assert_int_equal(account_reset_confirm(db, t1, h2, &got), 1);
	assert_int_equal(store_account_hash_is(db, id, was), 0);
	assert_int_equal(store_account_hash_is(db, id, h2), 1);
	assert_int_equal(password_hash("third long password", h3), 0);
	assert_int_equal(account_reset_confirm(db, t2, h3, &got), 0);
	assert_int_equal(store_account_hash_is(db, id, h2), 1);
	/* a link mailed before a change in the settings is void after it;
	 * another member's link is not touched */
	int64_t other = account_create(db, "other@example.org", "O",
	    "other long password", 0, &err);
	assert_true(other > 0);
	assert_int_equal(account_reset_request(db, "RACE@example.org", t3), 0);
	assert_int_equal(account_reset_request(db, "other@example.org", t1), 0);
	assert_int_equal(store_account_set_password(db, id, h3), 0);
	assert_int_equal(account_reset_confirm(db, t3, h2, &got), 0);
	assert_int_equal(store_account_hash_is(db, id, h3), 1);
	assert_int_equal(account_reset_confirm(db, t1, h2, &got), 1);
	assert_int_equal(got, other);
	/* a member known only by mail has the hash "" */
	int64_t bare = store_member_ensure(db, "bare2@example.org", "");
	assert_int_equal(store_account_hash_is(db, bare, ""), 1);
	assert_int_equal(store_account_hash_is(db, bare, h3), 0);
	assert_int_equal(store_account_hash_is(db, 999999, ""), 0);
	/* a session read before it ended */
	int64_t s = store_session_add(db, "srace", id, db_now(), db_now() + 99,
	    "c");
	assert_true(s > 0);
	assert_int_equal(store_session_exists(db, s), 1);
	assert_int_equal(store_session_delete_member(db, id), 0);
	assert_int_equal(store_session_exists(db, s), 0);
	buf_free(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cookie_find),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_password),
		cmocka_unit_test(test_zones),
		cmocka_unit_test(test_sessions_store),
		cmocka_unit_test(test_rate_store),
		cmocka_unit_test(test_account_limits),
		cmocka_unit_test(test_access),
		cmocka_unit_test(test_account_checks),
		cmocka_unit_test(test_register_claim_reset),
		cmocka_unit_test(test_account_create),
		cmocka_unit_test(test_password_changed_meanwhile),
	};
	return cmocka_run_group_tests(tests, fixture_db_setup,
	    fixture_db_teardown);
}
