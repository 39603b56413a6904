/* Unit tests for daemon/webpost.c: the message a web post becomes (header
 * fields, RFC 2047 encoding of Arabic and French text, In-Reply-To and
 * References, the format=flowed body and its quoted-printable fallback),
 * read back through majlis's own pre-scan and parser; the checks and
 * their limits. */
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
#include "daemon/webpost.h"
#include "mail/parser.h"
#include "mail/prescan.h"

#define T0	1795000000	/* a fixed date */

static struct webpost
base(void)
{
	struct webpost p = { .author_name = "Alice Martin",
	    .author_email = "alice@example.org", .slug = "cloud-souverain",
	    .list_domain = "lists.example.org", .subject = "Hosting plan",
	    .body = "Hello all,\n\nhere is the *plan*.\n", .date = T0 };
	return p;
}

/* Build p, check the raw message's shape and parse it into out. */
static void
build_parse(const struct webpost *p, struct buf *raw, struct buf *msgid,
    struct parsed *out)
{
	buf_reset(raw);
	assert_int_equal(webpost_build(raw, p, msgid), 0);
	const char *hdr_end = strstr(buf_cstr(raw), "\r\n\r\n");
	assert_non_null(hdr_end);
	for (const char *s = raw->data; s < hdr_end; s++)
		assert_true((unsigned char)*s < 0x80 && *s != '\0');
	/* every line ends in CRLF and is at most 998 bytes */
	size_t col = 0;
	for (size_t i = 0; i < raw->len; i++) {
		if (raw->data[i] == '\n') {
			assert_true(i > 0 && raw->data[i - 1] == '\r');
			col = 0;
		} else if (raw->data[i] != '\r')
			assert_true(++col <= WEBPOST_LINE_MAX);
	}
	struct prescan_info info;
	assert_int_equal(prescan_message(raw->data, raw->len, &info),
	    PRESCAN_OK);
	parser_parse(raw->data, raw->len, out);
	assert_true(out->ok);
}

/* The value of header name in raw (first one, unfolded), or "". */
static void
header(const struct buf *raw, const char *name, struct buf *out)
{
	buf_reset(out);
	char key[64];
	snprintf(key, sizeof key, "\r\n%s: ", name);
	const char *s = strstr(buf_cstr(raw), key);
	if (s == NULL)
		return;
	for (s += strlen(key); !(s[0] == '\r' && s[2] != ' ' &&
	    s[2] != '\t'); s++)
		if (*s != '\r' && *s != '\n')
			buf_putc(out, *s);
}

static void
test_headers(void **state)
{
	struct webpost p = base();
	struct buf raw = BUF_INIT, id = BUF_INIT, h = BUF_INIT;
	struct parsed pd;
	build_parse(&p, &raw, &id, &pd);
	assert_true(strncmp(buf_cstr(&raw), "Date: ", 6) == 0);
	header(&raw, "From", &h);
	assert_string_equal(buf_cstr(&h), "Alice Martin <alice@example.org>");
	header(&raw, "To", &h);
	assert_string_equal(buf_cstr(&h), "<cloud-souverain@lists.example.org>");
	header(&raw, "Subject", &h);
	assert_string_equal(buf_cstr(&h), "Hosting plan");
	header(&raw, "Content-Type", &h);
	assert_string_equal(buf_cstr(&h),
	    "text/plain; charset=utf-8; format=flowed");
	header(&raw, "Content-Transfer-Encoding", &h);
	assert_string_equal(buf_cstr(&h), "7bit");
	header(&raw, "MIME-Version", &h);
	assert_string_equal(buf_cstr(&h), "1.0");
	header(&raw, "In-Reply-To", &h);
	assert_int_equal(h.len, 0);
	header(&raw, "References", &h);
	assert_int_equal(h.len, 0);
	/* our Message-ID, of the list domain, given back to the caller */
	assert_true(strncmp(buf_cstr(&id), "majlis.", 7) == 0);
	assert_non_null(strstr(buf_cstr(&id), "@lists.example.org"));
	assert_string_equal(pd.message_id, buf_cstr(&id));
	assert_string_equal(pd.from_addr, "alice@example.org");
	assert_string_equal(pd.from_name, "Alice Martin");
	assert_string_equal(pd.subject, "Hosting plan");
	assert_string_equal(pd.text, "Hello all,\n\nhere is the *plan*.\n");
	/* a second build has another Message-ID */
	struct buf raw2 = BUF_INIT, id2 = BUF_INIT;
	assert_int_equal(webpost_build(&raw2, &p, &id2), 0);
	assert_string_not_equal(buf_cstr(&id), buf_cstr(&id2));
	parsed_clear(&pd);
	buf_free(&raw);
	buf_free(&raw2);
	buf_free(&id);
	buf_free(&id2);
	buf_free(&h);
}

static void
test_encoded_words(void **state)
{
	static const struct { const char *name, *subject, *body; } cases[] = {
	    { "فاطمة الزهراء بنعلي", "اجتماع مجموعة العمل حول السيادة الرقمية"
	      " والحوسبة السحابية في الرباط",
	      "مرحبا بالجميع،\nهذا **اقتراح** للنقاش.\n" },
	    { "Amélie Dupré", "Réunion à Genève : hébergement « souverain »",
	      "Bonjour à tous,\n\nvoici l’ordre du jour.\n" },
	    { "O'Brien, \"Pat\"", "=?UTF-8?Q?not_a_word?= stays text",
	      "plain\n" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct webpost p = base();
		p.author_name = cases[i].name;
		p.subject = cases[i].subject;
		p.body = cases[i].body;
		struct buf raw = BUF_INIT, id = BUF_INIT, h = BUF_INIT;
		struct parsed pd;
		build_parse(&p, &raw, &id, &pd);
		assert_string_equal(pd.from_name, cases[i].name);
		assert_string_equal(pd.subject, cases[i].subject);
		assert_string_equal(pd.from_addr, "alice@example.org");
		assert_string_equal(pd.text, cases[i].body);
		header(&raw, "Content-Transfer-Encoding", &h);
		assert_string_equal(buf_cstr(&h), i < 2 ? "8bit" : "7bit");
		if (i < 2) {
			header(&raw, "Subject", &h);
			assert_non_null(strstr(buf_cstr(&h), "=?UTF-8?"));
		}
		parsed_clear(&pd);
		buf_free(&raw);
		buf_free(&id);
		buf_free(&h);
	}
}

static void
test_no_injection(void **state)
{
	struct webpost p = base();
	p.author_name = "Eve\r\nBcc: victim@example.net";
	p.subject = "Hi\r\nX-Evil: 1\nCc: x@example.net";
	struct buf raw = BUF_INIT, id = BUF_INIT;
	struct parsed pd;
	build_parse(&p, &raw, &id, &pd);
	assert_null(strstr(buf_cstr(&raw), "\r\nBcc:"));
	assert_null(strstr(buf_cstr(&raw), "\r\nX-Evil:"));
	assert_null(strstr(buf_cstr(&raw), "\r\nCc:"));
	assert_string_equal(pd.subject, "Hi X-Evil: 1 Cc: x@example.net");
	parsed_clear(&pd);
	/* an address or a group we cannot write in a header: refused */
	static const char *const bad[] = { "", "alice", "a b@example.org",
	    "a@example.org>\r\nBcc: x@y", "<a@b>", "@example.org", "a@", NULL };
	for (int i = 0; bad[i]; i++) {
		p.author_email = bad[i];
		buf_reset(&raw);
		assert_int_equal(webpost_build(&raw, &p, &id), -1);
		assert_int_equal(raw.len, 0);
	}
	p = base();
	p.slug = "x>y";
	assert_int_equal(webpost_build(&raw, &p, &id), -1);
	buf_free(&raw);
	buf_free(&id);
}

static void
test_reply_threading(void **state)
{
	struct webpost p = base();
	p.subject = "Re: Hosting plan";
	p.parent_msgid = "CAF+mail.1@mx.example.org";
	p.parent_refs = "root.0@example.org  majlis.abc@lists.example.org";
	struct buf raw = BUF_INIT, id = BUF_INIT, h = BUF_INIT;
	struct parsed pd;
	build_parse(&p, &raw, &id, &pd);
	header(&raw, "In-Reply-To", &h);
	assert_string_equal(buf_cstr(&h), "<CAF+mail.1@mx.example.org>");
	header(&raw, "References", &h);
	assert_string_equal(buf_cstr(&h), "<root.0@example.org>"
	    " <majlis.abc@lists.example.org> <CAF+mail.1@mx.example.org>");
	assert_string_equal(pd.in_reply_to, "CAF+mail.1@mx.example.org");
	assert_string_equal(pd.references, "root.0@example.org"
	    " majlis.abc@lists.example.org CAF+mail.1@mx.example.org");
	parsed_clear(&pd);
	/* unusable ids in the parent's References are left out; the parent
	 * named twice appears once, last */
	p.parent_refs = "bad id <x@y> CAF+mail.1@mx.example.org \"q\"@z";
	build_parse(&p, &raw, &id, &pd);
	header(&raw, "References", &h);
	assert_string_equal(buf_cstr(&h),
	    "<x@y> <CAF+mail.1@mx.example.org>");
	parsed_clear(&pd);
	/* an unusable parent: no threading fields at all */
	p.parent_msgid = "no at sign";
	build_parse(&p, &raw, &id, &pd);
	assert_null(strstr(buf_cstr(&raw), "In-Reply-To"));
	assert_null(strstr(buf_cstr(&raw), "References"));
	parsed_clear(&pd);
	buf_free(&raw);
	buf_free(&id);
	buf_free(&h);
}

static void
test_references_cap(void **state)
{
	struct buf refs = BUF_INIT, raw = BUF_INIT, id = BUF_INIT, h = BUF_INIT;
	/* exactly the cap (parent included), then one more than it */
	for (int extra = 0; extra <= 1; extra++) {
		int n = WEBPOST_REFS_MAX - 1 + extra;
		buf_reset(&refs);
		for (int i = 0; i < n; i++)
			buf_printf(&refs, "%sid%d@example.org", i ? " " : "", i);
		struct webpost p = base();
		p.parent_msgid = "parent@example.org";
		p.parent_refs = buf_cstr(&refs);
		struct parsed pd;
		build_parse(&p, &raw, &id, &pd);
		header(&raw, "References", &h);
		int count = 0;
		for (const char *s = buf_cstr(&h); (s = strchr(s, '<')); s++)
			count++;
		assert_int_equal(count, WEBPOST_REFS_MAX);
		assert_true(strncmp(buf_cstr(&h), "<id0@example.org> ", 18) == 0);
		char last[64];
		snprintf(last, sizeof last, "<id%d@example.org> "
		    "<parent@example.org>", n - 1);
		assert_non_null(strstr(buf_cstr(&h), last));
		/* over the cap the oldest after the first is dropped */
		assert_true((strstr(buf_cstr(&h), "<id1@example.org>") != NULL) ==
		    (extra == 0));
		parsed_clear(&pd);
	}
	buf_free(&refs);
	buf_free(&raw);
	buf_free(&id);
	buf_free(&h);
}

/* The body lines of raw (after the blank line), checked against width. */
static void
body_lines_within(const struct buf *raw, size_t width)
{
	const char *s = strstr(buf_cstr(raw), "\r\n\r\n") + 4;
	while (*s) {
		const char *e = strstr(s, "\r\n");
		assert_non_null(e);
		size_t chars = 0;
		for (const char *c = s; c < e; c++)
			if (((unsigned char)*c & 0xc0) != 0x80)
				chars++;
		assert_true(chars <= width);
		s = e + 2;
	}
}

static void
test_flowed(void **state)
{
	struct buf body = BUF_INIT, want = BUF_INIT, raw = BUF_INIT,
	    id = BUF_INIT;
	/* a long French paragraph, a long Arabic one, a quote, code, "From " */
	for (int i = 0; i < 30; i++)
		buf_puts(&body, "souveraineté numérique ");
	buf_puts(&body, "fin.\r\n");
	for (int i = 0; i < 30; i++)
		buf_puts(&body, "السيادة الرقمية ");
	buf_puts(&body, "نهاية.\r\n\r\n> quoted ");
	for (int i = 0; i < 20; i++)
		buf_puts(&body, "words again ");
	buf_puts(&body, "end\r\n>> deeper\r\n>\r\n    indented code\r\n"
	    "From the start\r\ntrailing spaces   \r\n-- \r\nsig\r\n");
	struct webpost p = base();
	p.body = buf_cstr(&body);
	struct parsed pd;
	build_parse(&p, &raw, &id, &pd);
	body_lines_within(&raw, WEBPOST_FLOW_WIDTH);
	assert_non_null(strstr(buf_cstr(&raw), "\r\n From the start\r\n"));
	assert_non_null(strstr(buf_cstr(&raw), "\r\n     indented code\r\n"));
	/* what a flowed reader gets back: the text, CRLF as LF, trailing
	 * spaces gone, quote marks followed by one space */
	for (size_t i = 0; i < body.len; i++)
		if (body.data[i] != '\r')
			buf_putc(&want, body.data[i]);
	char *w = buf_steal(&want);
	char *t = strstr(w, "spaces   \n");
	memmove(t + 6, t + 9, strlen(t + 9) + 1);
	t = strstr(w, "-- \n");
	memmove(t + 2, t + 3, strlen(t + 3) + 1);
	assert_string_equal(pd.text, w);
	free(w);
	parsed_clear(&pd);
	/* control characters other than TAB are dropped */
	buf_reset(&raw);
	webpost_flowed(&raw, "a\x01\x7f" "b\tc\x1b");
	assert_string_equal(buf_cstr(&raw), "ab\tc\r\n");
	buf_free(&body);
	buf_free(&raw);
	buf_free(&id);
}

static void
test_long_word_qp(void **state)
{
	struct buf body = BUF_INIT, raw = BUF_INIT, id = BUF_INIT, h = BUF_INIT;
	/* a line of exactly WEBPOST_LINE_MAX bytes stays 8bit; one byte more
	 * makes the body quoted-printable */
	for (size_t extra = 0; extra <= 1; extra++) {
		buf_reset(&body);
		buf_puts(&body, "https://example.org/");
		while (body.len < WEBPOST_LINE_MAX - 2 + extra)
			buf_putc(&body, 'x');
		buf_puts(&body, "é\nnext = line with trailing tab\t\n");
		struct webpost p = base();
		p.body = buf_cstr(&body);
		struct parsed pd;
		build_parse(&p, &raw, &id, &pd);
		header(&raw, "Content-Transfer-Encoding", &h);
		assert_string_equal(buf_cstr(&h), extra ? "quoted-printable" :
		    "8bit");
		if (extra)
			body_lines_within(&raw, WEBPOST_QP_LINE);
		assert_string_equal(pd.text, buf_cstr(&body));
		parsed_clear(&pd);
	}
	buf_free(&body);
	buf_free(&raw);
	buf_free(&id);
	buf_free(&h);
}

static void
test_check_limits(void **state)
{
	struct buf s = BUF_INIT, b = BUF_INIT;
	assert_int_equal(webpost_check("Sujet", "Corps"), WEBPOST_OK);
	assert_int_equal(webpost_check(" \t\r\n", "Corps"),
	    WEBPOST_SUBJECT_EMPTY);
	assert_int_equal(webpost_check(NULL, "Corps"), WEBPOST_SUBJECT_EMPTY);
	assert_int_equal(webpost_check("Sujet", "\r\n  \r\n"),
	    WEBPOST_BODY_EMPTY);
	assert_int_equal(webpost_check("Sujet", "a\xff"), WEBPOST_BAD_TEXT);
	assert_int_equal(webpost_check("\xc3(", "b"), WEBPOST_BAD_TEXT);
	/* subject: 2-byte characters up to the limit, then one byte more */
	while (s.len < WEBPOST_SUBJECT_MAX)
		buf_puts(&s, "é");
	assert_int_equal(s.len, WEBPOST_SUBJECT_MAX);
	assert_int_equal(webpost_check(buf_cstr(&s), "b"), WEBPOST_OK);
	buf_putc(&s, 'x');
	assert_int_equal(webpost_check(buf_cstr(&s), "b"),
	    WEBPOST_SUBJECT_LONG);
	while (b.len < WEBPOST_BODY_MAX)
		buf_putc(&b, b.len % 60 == 59 ? '\n' : 'a');
	assert_int_equal(webpost_check("s", buf_cstr(&b)), WEBPOST_OK);
	buf_putc(&b, ' ');
	assert_int_equal(webpost_check("s", buf_cstr(&b)), WEBPOST_BODY_LONG);
	buf_free(&s);
	buf_free(&b);
}

static void
test_reply_subject_and_peer(void **state)
{
	struct buf out = BUF_INIT, longs = BUF_INIT;
	webpost_reply_subject(&out, "Hosting plan");
	assert_string_equal(buf_cstr(&out), "Re: Hosting plan");
	webpost_reply_subject(&out, "RE : Hosting plan");
	assert_string_equal(buf_cstr(&out), "RE : Hosting plan");
	webpost_reply_subject(&out, "رد: السيادة الرقمية");
	assert_string_equal(buf_cstr(&out), "رد: السيادة الرقمية");
	webpost_reply_subject(&out, "Réf : ordre du jour");
	assert_string_equal(buf_cstr(&out), "Réf : ordre du jour");
	while (longs.len < 2 * WEBPOST_SUBJECT_MAX)
		buf_puts(&longs, "ج");
	webpost_reply_subject(&out, buf_cstr(&longs));
	assert_true(out.len <= WEBPOST_SUBJECT_MAX);
	assert_int_equal(webpost_check(buf_cstr(&out), "b"), WEBPOST_OK);

	assert_int_equal(webpost_peer_member("web:42"), 42);
	assert_int_equal(webpost_peer_member("web:0"), 0);
	assert_int_equal(webpost_peer_member("web:"), 0);
	assert_int_equal(webpost_peer_member("web:12x"), 0);
	assert_int_equal(webpost_peer_member("web:-3"), 0);
	assert_int_equal(webpost_peer_member("127.0.0.1"), 0);
	assert_int_equal(webpost_peer_member("imap:web:1"), 0);
	assert_int_equal(webpost_peer_member(""), 0);
	assert_int_equal(webpost_peer_member(NULL), 0);
	buf_free(&out);
	buf_free(&longs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_encoded_words),
		cmocka_unit_test(test_no_injection),
		cmocka_unit_test(test_reply_threading),
		cmocka_unit_test(test_references_cap),
		cmocka_unit_test(test_flowed),
		cmocka_unit_test(test_long_word_qp),
		cmocka_unit_test(test_check_limits),
		cmocka_unit_test(test_reply_subject_and_peer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
