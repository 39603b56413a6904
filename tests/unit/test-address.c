/* Unit tests for mail/address.c: SMTP paths, header mailboxes,
 * normalisation and list addresses. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/buf.h"
#include "mail/address.h"

#define LD "lists.example.org"

/* Parse a path that must be valid; check the address and the rest. */
static void
path_ok(const char *arg, const char *want, const char *want_rest)
{
	struct buf a = BUF_INIT;
	const char *rest = NULL;

	if (address_parse_path(arg, &a, &rest) != 0)
		fail_msg("refused: %s", arg);
	assert_string_equal(buf_cstr(&a), want);
	assert_string_equal(rest, want_rest);
	buf_free(&a);
}

static void
path_bad(const char *arg)
{
	struct buf a = BUF_INIT;
	const char *rest = NULL;

	buf_puts(&a, "old");
	if (address_parse_path(arg, &a, &rest) != -1)
		fail_msg("accepted: %s", arg);
	assert_int_equal(a.len, 0);
	assert_null(rest);
	buf_free(&a);
}

static void
test_path_valid(void **state)
{
	path_ok("<a@example.org>", "a@example.org", "");
	path_ok("<A.B@Example.ORG> SIZE=1234 BODY=8BITMIME", "A.B@example.org",
	    "SIZE=1234 BODY=8BITMIME");
	path_ok("  <a@b.example>   SMTPUTF8", "a@b.example", "SMTPUTF8");
	path_ok("<>", "", "");
	path_ok("<> SIZE=10", "", "SIZE=10");
	path_ok("<@relay.example,@r2.example:user@Example.NET>",
	    "user@example.net", "");
	path_ok("<\"john doe\"@example.org>", "\"john doe\"@example.org", "");
	path_ok("<\"a\\\"b>\"@example.org>", "\"a\\\"b>\"@example.org", "");
	path_ok("<Postmaster>", "Postmaster", "");
	path_ok("<POSTMASTER> x", "POSTMASTER", "x");
	path_ok("<a@[192.0.2.1]>", "a@[192.0.2.1]", "");
	path_ok("<a@[IPv6:2001:DB8::1]>", "a@[ipv6:2001:db8::1]", "");
	path_ok("<x+tag=1/2!#$%&'*-?^_`{|}~@localhost>",
	    "x+tag=1/2!#$%&'*-?^_`{|}~@localhost", "");
	path_ok("<a@b.example> ", "a@b.example", "");
}

static void
test_path_invalid(void **state)
{
	path_bad("");
	path_bad("a@b.example");
	path_bad("<a@b.example");
	path_bad("<a @b.example>");
	path_bad("<a@ b.example>");
	path_bad("<a@b .example>");
	path_bad("<a@b.example>x");
	path_bad("<a@b.example>>");
	path_bad("<;sleep 1;>");
	path_bad("<a;sleep 1;@b.example>");
	path_bad("<a\x01@b.example>");
	path_bad("<a\t@b.example>");
	path_bad("<\"a\x01\"@b.example>");
	path_bad("<\"\"@b.example>");
	path_bad("<\"abc@b.example>");
	path_bad("<a@-b.example>");
	path_bad("<a@b-.example>");
	path_bad("<a@b..example>");
	path_bad("<a@b.example.>");
	path_bad("<a@.b.example>");
	path_bad("<a@b_c.example>");
	path_bad("<a..b@c.example>");
	path_bad("<.a@c.example>");
	path_bad("<a.@c.example>");
	path_bad("<a@>");
	path_bad("<@b.example>");
	path_bad("<a>");
	path_bad("<a@[192.0.2]>");
	path_bad("<a@[192.0.2.256]>");
	path_bad("<a@[IPv6:zz::1]>");
	path_bad("<a@[tag:stuff]>");
	path_bad("<a@[192.0.2.1>");
	path_bad("<\xc3\xa9@b.example>");
	path_bad("<a@\xc3\xa9.example>");
	path_bad("<@bad_route:a@b.example>");
	path_bad("<@r.example a@b.example>");
	path_bad("<@r.example,r2.example:a@b.example>");
	path_bad("<a@b@c.example>");
}

/* Local part 64, label 63, whole 254: each one more is refused. */
static void
test_path_limits(void **state)
{
	struct buf arg = BUF_INIT, want = BUF_INIT, a = BUF_INIT;
	char local[ADDRESS_MAX_LOCAL + 2], label[ADDRESS_MAX_LABEL + 2];

	memset(local, 'l', sizeof local - 1);
	local[ADDRESS_MAX_LOCAL] = '\0';
	memset(label, 'd', sizeof label - 1);
	label[ADDRESS_MAX_LABEL] = '\0';

	buf_printf(&arg, "<%s@%s.%s.%.61s>", local, label, label, label);
	assert_int_equal(arg.len, ADDRESS_MAX_LEN + 2);
	assert_int_equal(address_parse_path(buf_cstr(&arg), &a, NULL), 0);
	assert_int_equal(a.len, ADDRESS_MAX_LEN);
	buf_reset(&arg);
	buf_printf(&arg, "<%s@%s.%s.%.62s>", local, label, label, label);
	assert_int_equal(address_parse_path(buf_cstr(&arg), &a, NULL), -1);

	local[ADDRESS_MAX_LOCAL] = 'l';
	local[ADDRESS_MAX_LOCAL + 1] = '\0';
	buf_reset(&arg);
	buf_printf(&arg, "<%s@b.example>", local);
	assert_int_equal(address_parse_path(buf_cstr(&arg), &a, NULL), -1);

	label[ADDRESS_MAX_LABEL] = 'd';
	label[ADDRESS_MAX_LABEL + 1] = '\0';
	buf_reset(&arg);
	buf_printf(&arg, "<a@%s.example>", label);
	assert_int_equal(address_parse_path(buf_cstr(&arg), &a, NULL), -1);

	/* a 1 MB argument */
	buf_reset(&arg);
	buf_putc(&arg, '<');
	for (int i = 0; i < 1024 * 1024; i++)
		buf_putc(&arg, 'a');
	buf_puts(&arg, "@b.example>");
	assert_int_equal(address_parse_path(buf_cstr(&arg), &a, NULL), -1);
	buf_free(&arg);
	buf_free(&want);
	buf_free(&a);
}

static void
mbox_ok(const char *hdr, const char *want_name, const char *want_addr)
{
	struct buf n = BUF_INIT, a = BUF_INIT;

	if (address_parse_mailbox(hdr, &n, &a) != 0)
		fail_msg("refused: %s", hdr);
	assert_string_equal(buf_cstr(&n), want_name);
	assert_string_equal(buf_cstr(&a), want_addr);
	buf_free(&n);
	buf_free(&a);
}

static void
mbox_bad(const char *hdr)
{
	struct buf n = BUF_INIT, a = BUF_INIT;

	buf_puts(&n, "old");
	buf_puts(&a, "old");
	if (address_parse_mailbox(hdr, &n, &a) != -1)
		fail_msg("accepted: %s", hdr);
	assert_int_equal(n.len, 0);
	assert_int_equal(a.len, 0);
	buf_free(&n);
	buf_free(&a);
}

static void
test_mailbox_forms(void **state)
{
	mbox_ok("Am\xc3\xa9lie Dupr\xc3\xa9 <amelie.dupre@Example.FR>",
	    "Am\xc3\xa9lie Dupr\xc3\xa9", "amelie.dupre@example.fr");
	mbox_ok("=?ISO-8859-1?Q?Am=E9lie_Dupr=E9?= <amelie.dupre@example.fr>",
	    "=?ISO-8859-1?Q?Am=E9lie_Dupr=E9?=", "amelie.dupre@example.fr");
	mbox_ok("=?utf-8?Q?Karim_Ben=C3=AFssa?=\r\n <karim@diaspora.example.ca>",
	    "=?utf-8?Q?Karim_Ben=C3=AFssa?=", "karim@diaspora.example.ca");
	mbox_ok("\"Quoted, Name\" <Jean.X@B.example>", "Quoted, Name",
	    "Jean.X@b.example");
	mbox_ok("MAILER-DAEMON@mx.example.com (Mail Delivery System)",
	    "Mail Delivery System", "MAILER-DAEMON@mx.example.com");
	mbox_ok("a@b.example", "", "a@b.example");
	mbox_ok("  <a@b.example>  ", "", "a@b.example");
	mbox_ok("<a@b.example> (Jean)", "Jean", "a@b.example");
	mbox_ok("\"<script>alert(1)</script>\" <mallory@example.net>",
	    "<script>alert(1)</script>", "mallory@example.net");
	mbox_ok("\"cloud-souverain@lists.example.org\" "
	    "<cloud-souverain@lists.example.org>",
	    "cloud-souverain@lists.example.org",
	    "cloud-souverain@lists.example.org");
	mbox_ok("Youssef Tazi <y.tazi@ministere.example.ma>", "Youssef Tazi",
	    "y.tazi@ministere.example.ma");
	mbox_ok("a@b.example, c@d.example", "", "a@b.example");
	mbox_ok("Jean <a@b.example>, Marie <c@d.example>", "Jean",
	    "a@b.example");
	mbox_ok("Team: Jean <x@y.example>, z@w.example;", "Jean",
	    "x@y.example");
	mbox_ok("Team: x@y.example;", "", "x@y.example");
	mbox_ok("Dupr\xc3\xa9, Am\xc3\xa9lie <a@b.example>",
	    "Dupr\xc3\xa9, Am\xc3\xa9lie", "a@b.example");
	mbox_ok("a@b.example (Jean (the) Dupont)", "Jean (the) Dupont",
	    "a@b.example");
	mbox_ok("(c1) Jean (c2) Dupont <a@b.example> (c3)", "Jean Dupont",
	    "a@b.example");
	mbox_ok("\"Jean \\\"JD\\\" Dupont\" <a@b.example>", "Jean \"JD\" Dupont",
	    "a@b.example");
	mbox_ok("\"Je\x01" "an\r\n  Dupont\" <a@b.example>", "Jean Dupont",
	    "a@b.example");
	mbox_ok("Jean <@relay.example:a@B.example>", "Jean", "a@b.example");
	mbox_ok("Jean < a @ B.example >", "Jean", "a@b.example");
	mbox_ok("<\"a b\"@b.example>", "", "\"a b\"@b.example");
	mbox_ok("\"x\" <\xd8\xa3\xd8\xad\xd9\x85\xd8\xaf@example.ma>", "x",
	    "\xd8\xa3\xd8\xad\xd9\x85\xd8\xaf@example.ma");
	mbox_ok("=?UTF-8?B?2YHYp9i32YXYqQ==?= <fz.benali@example.com>",
	    "=?UTF-8?B?2YHYp9i32YXYqQ==?=", "fz.benali@example.com");
	mbox_ok("John.Q.Public <j@[192.0.2.7]>", "John.Q.Public",
	    "j@[192.0.2.7]");
}

static void
test_mailbox_invalid(void **state)
{
	mbox_bad("");
	mbox_bad("   ");
	mbox_bad("Jean");
	mbox_bad("Jean <>");
	mbox_bad("Jean <a@>");
	mbox_bad("Jean <a>");
	mbox_bad("Jean <a@b..example>");
	mbox_bad("Jean <a@b.example");
	mbox_bad("Jean <a@b_c.example>");
	mbox_bad("undisclosed-recipients:;");
	mbox_bad("@b.example");
	mbox_bad("(only a comment)");
	mbox_bad("Jean <.a@b.example>");
}

static void
comment_nest(struct buf *b, int n)
{
	buf_puts(b, "a@b.example ");
	for (int i = 0; i < n; i++)
		buf_putc(b, '(');
	buf_putc(b, 'x');
	for (int i = 0; i < n; i++)
		buf_putc(b, ')');
}

static void
test_mailbox_comment_depth(void **state)
{
	struct buf h = BUF_INIT, n = BUF_INIT, a = BUF_INIT, want = BUF_INIT;

	comment_nest(&h, ADDRESS_MAX_COMMENT_DEPTH);
	assert_int_equal(address_parse_mailbox(buf_cstr(&h), &n, &a), 0);
	for (int i = 1; i < ADDRESS_MAX_COMMENT_DEPTH; i++)
		buf_putc(&want, '(');
	buf_putc(&want, 'x');
	for (int i = 1; i < ADDRESS_MAX_COMMENT_DEPTH; i++)
		buf_putc(&want, ')');
	assert_string_equal(buf_cstr(&n), buf_cstr(&want));
	assert_string_equal(buf_cstr(&a), "a@b.example");
	buf_reset(&h);
	comment_nest(&h, ADDRESS_MAX_COMMENT_DEPTH + 1);
	assert_int_equal(address_parse_mailbox(buf_cstr(&h), &n, &a), -1);
	buf_reset(&h);
	comment_nest(&h, 150000);
	assert_int_equal(address_parse_mailbox(buf_cstr(&h), &n, &a), -1);
	/* a deep comment after the first mailbox is never read */
	buf_reset(&h);
	buf_puts(&h, "x@y.example, ");
	comment_nest(&h, 1000);
	assert_int_equal(address_parse_mailbox(buf_cstr(&h), &n, &a), 0);
	assert_string_equal(buf_cstr(&a), "x@y.example");
	buf_free(&h);
	buf_free(&n);
	buf_free(&a);
	buf_free(&want);
}

static void
test_mailbox_limits(void **state)
{
	struct buf h = BUF_INIT, n = BUF_INIT, a = BUF_INIT;
	char local[ADDRESS_MAX_LOCAL + 2];

	memset(local, 'l', sizeof local - 1);
	local[ADDRESS_MAX_LOCAL] = '\0';
	buf_printf(&h, "J <%s@b.example>", local);
	assert_int_equal(address_parse_mailbox(buf_cstr(&h), &n, &a), 0);
	local[ADDRESS_MAX_LOCAL] = 'l';
	local[ADDRESS_MAX_LOCAL + 1] = '\0';
	buf_reset(&h);
	buf_printf(&h, "J <%s@b.example>", local);
	assert_int_equal(address_parse_mailbox(buf_cstr(&h), &n, &a), -1);
	buf_free(&h);
	buf_free(&n);
	buf_free(&a);
}

static void
test_valid(void **state)
{
	assert_int_equal(address_valid("a@b.example"), 1);
	assert_int_equal(address_valid("\"a b\"@b.example"), 1);
	assert_int_equal(address_valid("a@b.example "), 0);
	assert_int_equal(address_valid("<a@b.example>"), 0);
	assert_int_equal(address_valid("a"), 0);
	assert_int_equal(address_valid(""), 0);
	assert_int_equal(address_valid("a@"), 0);
}

static void
test_normalize_equal(void **state)
{
	struct buf o = BUF_INIT;

	buf_puts(&o, "old");
	address_normalize(&o, "Jean.Dupont@EXAMPLE.Org");
	assert_string_equal(buf_cstr(&o), "Jean.Dupont@example.org");
	address_normalize(&o, "nodomain");
	assert_string_equal(buf_cstr(&o), "nodomain");
	address_normalize(&o, "\"A@B\"@C.D");
	assert_string_equal(buf_cstr(&o), "\"A@B\"@c.d");
	buf_free(&o);
	assert_int_equal(address_equal("Jean@B.example", "jean@b.EXAMPLE"), 1);
	assert_int_equal(address_equal("a@b.example", "a@b.examples"), 0);
	assert_int_equal(address_equal("a@b.examples", "a@b.example"), 0);
	assert_int_equal(address_equal("a@b.example", "b@b.example"), 0);
	assert_int_equal(address_equal("", ""), 1);
}

static void
split_ok(const char *addr, const char *slug, enum address_kind kind,
    const char *token)
{
	struct list_address la;

	if (address_list_split(addr, LD, &la) != 0)
		fail_msg("refused: %s", addr);
	assert_string_equal(la.slug, slug);
	assert_int_equal(la.kind, kind);
	assert_string_equal(la.token, token);
}

static void
split_bad(const char *addr)
{
	struct list_address la;

	if (address_list_split(addr, LD, &la) != -1)
		fail_msg("accepted: %s", addr);
	assert_string_equal(la.slug, "");
	assert_string_equal(la.token, "");
}

static void
test_list_split(void **state)
{
	split_ok("cloud-souverain@" LD, "cloud-souverain", ADDR_POST, "");
	split_ok("cloud-souverain-request@LISTS.Example.org",
	    "cloud-souverain", ADDR_REQUEST, "");
	split_ok("Cloud-Souverain-Request@" LD, "cloud-souverain",
	    ADDR_REQUEST, "");
	split_ok("souverainete-join@" LD, "souverainete", ADDR_JOIN, "");
	split_ok("souverainete-leave@" LD, "souverainete", ADDR_LEAVE, "");
	split_ok("souverainete-owner@" LD, "souverainete", ADDR_OWNER, "");
	split_ok("cloud-souverain-bounces+AbC_1-x@" LD, "cloud-souverain",
	    ADDR_BOUNCES, "AbC_1-x");
	split_ok("a-confirm+T@" LD, "a", ADDR_CONFIRM, "T");
	split_ok("x9-moderate+tok3n@" LD, "x9", ADDR_MODERATE, "tok3n");
	split_ok("request@" LD, "request", ADDR_POST, "");
	split_ok("0-owner@" LD, "0", ADDR_OWNER, "");
}

static void
test_list_split_invalid(void **state)
{
	split_bad("cloud-souverain@example.org");
	split_bad("cloud-souverain@" LD ".evil");
	split_bad("cloud-souverain@sub." LD);
	split_bad("cloud-souverain");
	split_bad("@" LD);
	split_bad("cloud-souverain-bounces@" LD);
	split_bad("cloud-souverain-confirm@" LD);
	split_bad("cloud-souverain+tag@" LD);
	split_bad("cloud-souverain-request+x@" LD);
	split_bad("cloud-souverain-bounces+@" LD);
	split_bad("cloud-souverain-bounces+a.b@" LD);
	split_bad("cloud-souverain-bounces+a+b@" LD);
	split_bad("-bounces+abc@" LD);
	split_bad("-x@" LD);
	split_bad("a_b@" LD);
	split_bad("x-request-request@" LD);
	split_bad("\"cloud\"@" LD);
	split_bad("caf\xc3\xa9@" LD);
	split_bad("-request@" LD);
}

static void
test_list_limits(void **state)
{
	struct buf a = BUF_INIT;
	struct list_address la;
	char slug[ADDRESS_MAX_SLUG + 2], tok[ADDRESS_MAX_TOKEN + 2];

	memset(slug, 's', sizeof slug - 1);
	slug[ADDRESS_MAX_SLUG] = '\0';
	memset(tok, 'T', sizeof tok - 1);
	tok[ADDRESS_MAX_TOKEN] = '\0';
	assert_int_equal(address_slug_valid(slug), 1);
	buf_printf(&a, "%s-bounces+%s@%s", slug, tok, LD);
	assert_int_equal(address_list_split(buf_cstr(&a), LD, &la), 0);
	assert_string_equal(la.slug, slug);
	assert_string_equal(la.token, tok);

	tok[ADDRESS_MAX_TOKEN] = 'T';
	tok[ADDRESS_MAX_TOKEN + 1] = '\0';
	buf_reset(&a);
	buf_printf(&a, "%s-bounces+%s@%s", slug, tok, LD);
	assert_int_equal(address_list_split(buf_cstr(&a), LD, &la), -1);

	slug[ADDRESS_MAX_SLUG] = 's';
	slug[ADDRESS_MAX_SLUG + 1] = '\0';
	assert_int_equal(address_slug_valid(slug), 0);
	buf_reset(&a);
	buf_printf(&a, "%s@%s", slug, LD);
	assert_int_equal(address_list_split(buf_cstr(&a), LD, &la), -1);
	buf_reset(&a);
	buf_printf(&a, "%s-request@%s", slug, LD);
	assert_int_equal(address_list_split(buf_cstr(&a), LD, &la), -1);
	buf_free(&a);
}

static void
test_slug_valid(void **state)
{
	assert_int_equal(address_slug_valid("cloud-souverain"), 1);
	assert_int_equal(address_slug_valid("a"), 1);
	assert_int_equal(address_slug_valid("0abc"), 1);
	assert_int_equal(address_slug_valid("a-"), 1);
	assert_int_equal(address_slug_valid("a--b"), 1);
	assert_int_equal(address_slug_valid("requests"), 1);
	assert_int_equal(address_slug_valid(""), 0);
	assert_int_equal(address_slug_valid("Cloud"), 0);
	assert_int_equal(address_slug_valid("-a"), 0);
	assert_int_equal(address_slug_valid("a_b"), 0);
	assert_int_equal(address_slug_valid("a.b"), 0);
	assert_int_equal(address_slug_valid("a+b"), 0);
	assert_int_equal(address_slug_valid("caf\xc3\xa9"), 0);
	assert_int_equal(address_slug_valid("a-request"), 0);
	assert_int_equal(address_slug_valid("a-join"), 0);
	assert_int_equal(address_slug_valid("a-leave"), 0);
	assert_int_equal(address_slug_valid("a-owner"), 0);
	assert_int_equal(address_slug_valid("a-bounces"), 0);
	assert_int_equal(address_slug_valid("a-confirm"), 0);
	assert_int_equal(address_slug_valid("a-moderate"), 0);
}

static void
test_list_format(void **state)
{
	struct buf o = BUF_INIT;
	struct list_address la;
	static const char *tokens[] = { NULL, NULL, NULL, NULL, NULL,
	    "Tb0", "Tc1", "Tm2" };

	buf_puts(&o, "old");
	address_list_format(&o, "cloud-souverain", ADDR_REQUEST, NULL, LD);
	assert_string_equal(buf_cstr(&o),
	    "cloud-souverain-request@lists.example.org");
	address_list_format(&o, "cloud-souverain", ADDR_POST, "ignored", LD);
	assert_string_equal(buf_cstr(&o), "cloud-souverain@lists.example.org");
	address_list_format(&o, "cloud-souverain", ADDR_BOUNCES, "T0k", LD);
	assert_string_equal(buf_cstr(&o),
	    "cloud-souverain-bounces+T0k@lists.example.org");
	for (int k = ADDR_POST; k <= ADDR_MODERATE; k++) {
		address_list_format(&o, "souverainete", k, tokens[k], LD);
		assert_int_equal(address_list_split(buf_cstr(&o), LD, &la), 0);
		assert_string_equal(la.slug, "souverainete");
		assert_int_equal(la.kind, k);
		assert_string_equal(la.token, tokens[k] ? tokens[k] : "");
	}
	buf_free(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_valid),
		cmocka_unit_test(test_path_invalid),
		cmocka_unit_test(test_path_limits),
		cmocka_unit_test(test_mailbox_forms),
		cmocka_unit_test(test_mailbox_invalid),
		cmocka_unit_test(test_mailbox_comment_depth),
		cmocka_unit_test(test_mailbox_limits),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_normalize_equal),
		cmocka_unit_test(test_list_split),
		cmocka_unit_test(test_list_split_invalid),
		cmocka_unit_test(test_list_limits),
		cmocka_unit_test(test_slug_valid),
		cmocka_unit_test(test_list_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
