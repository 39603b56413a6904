/* Unit tests for small engine modules: header access, html2text, classify,
 * idset, list command parsing and delivery backoff. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/idset.h"
#include "daemon/xalloc.h"
#include "mail/classify.h"
#include "mail/delivery.h"
#include "mail/header.h"
#include "mail/html2text.h"
#include "mail/listcmd.h"

static void
test_header(void **state)
{
	const char *m = "From: a@b\r\nSubject: one\r\n two\r\nReferences: <x@y>"
	    "\r\n <bad id@z> <z@w>\r\nNoColon\r\nReceived: r1\r\nReceived: r2\r\n"
	    "\r\nbody\r\n";
	size_t len = strlen(m);
	struct buf b = BUF_INIT;
	assert_int_equal(header_get(m, len, "subject", &b), 1);
	assert_string_equal(buf_cstr(&b), "one two");
	assert_int_equal(header_count(m, len, "Received"), 2);
	assert_string_equal(m + header_body_offset(m, len), "body\r\n");
	buf_reset(&b);
	assert_int_equal(header_get(m, len, "References", &b), 1);
	struct buf ids = BUF_INIT;
	assert_int_equal(header_msgids(&ids, b.data, b.len, 20), 2);
	assert_string_equal(buf_cstr(&ids), "x@y z@w");
	buf_reset(&ids);
	assert_int_equal(header_msgids(&ids, b.data, b.len, 1), 1);
	assert_string_equal(buf_cstr(&ids), "z@w");	/* the last ones kept */
	assert_int_equal(header_get(m, len, "X-None", &b), 0);
	assert_int_equal(header_body_offset("a: b", 4), 4);
	buf_free(&b);
	buf_free(&ids);
}

static void
test_msgid_limit(void **state)
{
	struct buf v = BUF_INIT, out = BUF_INIT;
	buf_putc(&v, '<');
	for (int i = 0; i < HEADER_MSGID_MAX - 1; i++)
		buf_putc(&v, 'a');
	buf_puts(&v, "@b>");	/* HEADER_MSGID_MAX + 1 characters inside */
	assert_int_equal(header_msgids(&out, v.data, v.len, 5), 0);
	buf_reset(&v);
	buf_putc(&v, '<');
	for (int i = 0; i < HEADER_MSGID_MAX - 1; i++)
		buf_putc(&v, 'a');
	buf_puts(&v, "@>");	/* exactly HEADER_MSGID_MAX */
	assert_int_equal(header_msgids(&out, v.data, v.len, 5), 1);
	buf_free(&v);
	buf_free(&out);
}

static void
test_html2text(void **state)
{
	const char *h = "<html><head><title>T</title><style>p{x}</style></head>"
	    "<body><p>Hello &amp; <b>bye</b>&#33;</p><script>alert(1)</script>"
	    "<blockquote>quoted<br>two</blockquote><p>caf&eacute; &#x4E2D; &bogus;"
	    "</p><!-- hidden --></body></html>";
	struct buf out = BUF_INIT;
	html2text(&out, h, strlen(h));
	assert_string_equal(buf_cstr(&out),
	    "Hello & bye!\n\n> quoted\n> two\n\ncafé 中 &bogus;");
	buf_reset(&out);
	html2text(&out, "<p>unterminated <b", 17);
	assert_string_equal(buf_cstr(&out), "unterminated");
	buf_reset(&out);
	html2text(&out, "&#0;&#xD800;&#99999999;\xff", 25);
	assert_string_equal(buf_cstr(&out), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbd");
	buf_free(&out);
}

static void
test_classify(void **state)
{
	struct parsed p;
	const char *why;
	parsed_init(&p);
	assert_int_equal(classify_message(&p, "a@b.org", "g", "l.org", 0, &why),
	    CLASSIFY_NORMAL);
	assert_int_equal(classify_message(&p, "", "g", "l.org", 0, &why),
	    CLASSIFY_AUTO);
	assert_int_equal(classify_message(&p, "MAILER-DAEMON@x.org", "g", "l.org",
	    0, &why), CLASSIFY_AUTO);
	free(p.precedence);
	p.precedence = xstrdup("list");
	assert_int_equal(classify_message(&p, "a@b.org", "g", "l.org", 0, &why),
	    CLASSIFY_NORMAL);
	assert_int_equal(classify_message(&p, "a@b.org", "g", "l.org", 1, &why),
	    CLASSIFY_AUTO);
	free(p.auto_submitted);
	p.auto_submitted = xstrdup("no");
	assert_int_equal(classify_message(&p, "a@b.org", "g", "l.org", 0, &why),
	    CLASSIFY_NORMAL);
	free(p.x_loop);
	p.x_loop = xstrdup("G@L.ORG");
	assert_int_equal(classify_message(&p, "a@b.org", "g", "l.org", 0, &why),
	    CLASSIFY_LOOP);
	free(p.x_loop);
	p.x_loop = xstrdup("");
	p.received_count = CLASSIFY_MAX_RECEIVED;
	assert_int_equal(classify_message(&p, "a@b.org", "g", "l.org", 0, &why),
	    CLASSIFY_NORMAL);
	p.received_count = CLASSIFY_MAX_RECEIVED + 1;
	assert_int_equal(classify_message(&p, "a@b.org", "g", "l.org", 0, &why),
	    CLASSIFY_LOOP);
	p.received_count = 0;
	free(p.list_id);
	p.list_id = xstrdup("group <g.l.org>");
	assert_int_equal(classify_message(&p, "a@b.org", "g", "l.org", 0, &why),
	    CLASSIFY_LOOP);
	parsed_clear(&p);
}

static void
test_idset(void **state)
{
	struct idset s = IDSET_INIT;
	for (int64_t i = 1; i <= 10000; i++)
		assert_int_equal(idset_add(&s, i * 7), 1);
	assert_int_equal(idset_add(&s, 7), 0);
	assert_int_equal(s.count, 10000);
	for (int64_t i = 1; i <= 10000; i += 2)
		assert_int_equal(idset_remove(&s, i * 7), 1);
	assert_int_equal(idset_remove(&s, 7), 0);
	assert_int_equal(s.count, 5000);
	assert_true(idset_has(&s, 14));
	assert_false(idset_has(&s, 21));
	for (int64_t i = 1; i <= 100000; i++) {	/* churn through tombstones */
		idset_add(&s, 1000000 + i);
		idset_remove(&s, 1000000 + i);
	}
	assert_int_equal(s.count, 5000);
	idset_free(&s);
}

static void
test_listcmd_parse(void **state)
{
	assert_int_equal(listcmd_parse("subscribe", ""), LISTCMD_SUBSCRIBE);
	assert_int_equal(listcmd_parse("Unsubscribe me", ""), LISTCMD_UNSUBSCRIBE);
	assert_int_equal(listcmd_parse("", "\n\nhelp\n"), LISTCMD_HELP);
	assert_int_equal(listcmd_parse("Re: hello", "désabonner\n"),
	    LISTCMD_UNSUBSCRIBE);
	assert_int_equal(listcmd_parse("اشتراك", ""), LISTCMD_SUBSCRIBE);
	assert_int_equal(listcmd_parse("subscribers list", ""), LISTCMD_NONE);
	/* only the first LISTCMD_SCAN_LINES lines are read */
	assert_int_equal(listcmd_parse("", "a\nb\nc\nd\nsubscribe\n"),
	    LISTCMD_SUBSCRIBE);
	assert_int_equal(listcmd_parse("", "a\nb\nc\nd\ne\nsubscribe\n"),
	    LISTCMD_NONE);
	/* the language of the word found */
	assert_int_equal(listcmd_words_lang("Re: hello", "désabonner\n"),
	    LISTCMD_FR);
	assert_int_equal(listcmd_words_lang("استلام يومي", ""), LISTCMD_AR);
	assert_int_equal(listcmd_words_lang("subscribe", "aide\n"),
	    LISTCMD_EN);
	assert_int_equal(listcmd_words_lang("hello", "world"), LISTCMD_EN);
}

static void
test_listcmd_delivery(void **state)
{
	assert_int_equal(listcmd_parse("delivery weekly", ""), LISTCMD_DELIVERY);
	assert_string_equal(listcmd_delivery_mode("Delivery DIGEST", ""),
	    "weekly");
	assert_string_equal(listcmd_delivery_mode("", "hi\n  delivery  nomail\r\n"),
	    "none");
	assert_string_equal(listcmd_delivery_mode("Réception quotidien", ""),
	    "daily");
	assert_string_equal(listcmd_delivery_mode("استلام فوري", ""), "each");
	assert_string_equal(listcmd_delivery_mode("", "delivery each\n"), "each");
	/* no mode, an unknown one, or a word that only starts like one */
	assert_null(listcmd_delivery_mode("delivery", ""));
	assert_null(listcmd_delivery_mode("delivery monthly", ""));
	assert_null(listcmd_delivery_mode("delivery weeklyish", ""));
	assert_int_equal(listcmd_parse("deliveryweekly", ""), LISTCMD_NONE);
	/* past LISTCMD_SCAN_LINES lines nothing is read */
	assert_null(listcmd_delivery_mode("", "a\nb\nc\nd\ne\ndelivery each\n"));
	assert_string_equal(listcmd_delivery_mode("", "a\nb\nc\nd\ndelivery each\n"),
	    "each");
}

static void
test_backoff(void **state)
{
	assert_int_equal(delivery_backoff(1, 60, 14400), 60);
	assert_int_equal(delivery_backoff(2, 60, 14400), 120);
	assert_int_equal(delivery_backoff(5, 60, 14400), 960);
	assert_int_equal(delivery_backoff(9, 60, 14400), 14400);
	assert_int_equal(delivery_backoff(1000, 60, 14400), 14400);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_msgid_limit),
		cmocka_unit_test(test_html2text),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_idset),
		cmocka_unit_test(test_listcmd_parse),
		cmocka_unit_test(test_listcmd_delivery),
		cmocka_unit_test(test_backoff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
