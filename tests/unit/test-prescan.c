/* Unit tests for mail/prescan.c: limits, boundaries, generated hostile
 * messages and the sample corpus. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <cmocka.h>

#include "daemon/buf.h"
#include "mail/prescan.h"

static enum prescan_status
scan(const char *s, struct prescan_info *info)
{
	return prescan_message(s, strlen(s), info);
}

static enum prescan_status
scan_buf(const struct buf *b, struct prescan_info *info)
{
	return prescan_message(b->data, b->len, info);
}

/* A multipart nested n deep, one text leaf at the bottom. */
static void
gen_nested(struct buf *b, int n)
{
	buf_puts(b, "From: a@example.net\r\n"
	    "Content-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n");
	for (int k = 1; k < n; k++)
		buf_printf(b, "--b%d\r\nContent-Type: multipart/mixed; "
		    "boundary=\"b%d\"\r\n\r\n", k - 1, k);
	buf_printf(b, "--b%d\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
	    "--b%d--\r\n", n - 1, n - 1);
	for (int k = n - 2; k >= 0; k--)
		buf_printf(b, "--b%d--\r\n", k);
}

/* A multipart with n sibling parts. */
static void
gen_siblings(struct buf *b, int n)
{
	buf_puts(b, "From: a@example.net\r\n"
	    "Content-Type: multipart/mixed; boundary=sib\r\n\r\npreamble\r\n");
	for (int k = 0; k < n; k++)
		buf_puts(b, "--sib\r\n\r\nx\r\n");
	buf_puts(b, "--sib--\r\n");
}

/* A top-level header block of exactly total bytes, then a body. */
static void
gen_header_bytes(struct buf *b, size_t total)
{
	size_t left = total - 11;

	buf_puts(b, "From: a@b\r\n");
	while (left > 0) {
		size_t n = left > 1000 ? 1000 : left;
		if (left - n < 7 && left != n)
			n = left - 7;
		buf_puts(b, "X-P: ");
		for (size_t i = 0; i < n - 7; i++)
			buf_putc(b, 'a');
		buf_puts(b, "\r\n");
		left -= n;
	}
	buf_puts(b, "\r\nbody\r\n");
}

static void
test_simple(void **state)
{
	struct prescan_info info;
	const char *m = "From: a@example.net\r\nSubject: hi\r\n\r\nbody\r\n";

	assert_int_equal(scan(m, &info), PRESCAN_OK);
	assert_int_equal(info.depth, 0);
	assert_int_equal(info.parts, 0);
	assert_int_equal(info.boundary_missing, 0);
	assert_int_equal(info.header_len, 36);
	assert_string_equal(m + info.header_len, "body\r\n");
	assert_int_equal(info.received_count, 0);
}

static void
test_no_header(void **state)
{
	struct prescan_info info;

	assert_int_equal(prescan_message("", 0, &info), PRESCAN_NO_HEADER);
	assert_int_equal(scan("\r\nbody\r\n", &info), PRESCAN_NO_HEADER);
	assert_int_equal(scan("just some text\r\n", &info), PRESCAN_NO_HEADER);
	assert_int_equal(scan(" From: a@b\r\n\r\nx", &info), PRESCAN_NO_HEADER);
	assert_int_equal(scan("From a@b Mon Nov 16\r\n", &info),
	    PRESCAN_NO_HEADER);
	assert_int_equal(scan(":x\r\n\r\n", &info), PRESCAN_NO_HEADER);
	assert_int_equal(scan("From : a@b\r\n\r\nx", &info), PRESCAN_OK);
}

static void
test_header_only(void **state)
{
	struct prescan_info info;
	const char *m = "From: a@example.net\r\nSubject: no body\r\n";

	assert_int_equal(scan(m, &info), PRESCAN_OK);
	assert_int_equal(info.header_len, strlen(m));
	m = "From: a@example.net\r\nSubject: no final line end";
	assert_int_equal(scan(m, &info), PRESCAN_OK);
	assert_int_equal(info.header_len, strlen(m));
	m = "From: a@example.net\r\nContent-Type: multipart/mixed; "
	    "boundary=x\r\n";
	assert_int_equal(scan(m, &info), PRESCAN_OK);
	assert_int_equal(info.depth, 1);
	assert_int_equal(info.boundary_missing, 1);
}

static void
test_bare_lf(void **state)
{
	struct prescan_info info;
	const char *m = "From: a@example.net\n"
	    "Content-Type: multipart/alternative;\n boundary=\"lf\"\n\n"
	    "--lf\nContent-Type: text/plain\n\nA\n"
	    "--lf\nContent-Type: text/html\n\n<p>A</p>\n--lf--\n";

	assert_int_equal(scan(m, &info), PRESCAN_OK);
	assert_int_equal(info.depth, 1);
	assert_int_equal(info.parts, 2);
	assert_int_equal(info.boundary_missing, 0);
	assert_string_equal(m + info.header_len, "--lf\nContent-Type: "
	    "text/plain\n\nA\n--lf\nContent-Type: text/html\n\n<p>A</p>\n"
	    "--lf--\n");
}

static void
test_nesting_limit(void **state)
{
	struct prescan_info info;
	struct buf b = BUF_INIT;

	gen_nested(&b, PRESCAN_MAX_DEPTH);
	assert_int_equal(scan_buf(&b, &info), PRESCAN_OK);
	assert_int_equal(info.depth, PRESCAN_MAX_DEPTH);
	assert_int_equal(info.parts, PRESCAN_MAX_DEPTH);
	assert_int_equal(info.boundary_missing, 0);
	buf_reset(&b);
	gen_nested(&b, PRESCAN_MAX_DEPTH + 1);
	assert_int_equal(scan_buf(&b, &info), PRESCAN_TOO_DEEP);
	assert_int_equal(info.depth, PRESCAN_MAX_DEPTH + 1);
	buf_reset(&b);
	gen_nested(&b, 30000);
	assert_int_equal(scan_buf(&b, &info), PRESCAN_TOO_DEEP);
	assert_int_equal(info.depth, PRESCAN_MAX_DEPTH + 1);
	buf_free(&b);
}

/* Encapsulated messages count as nesting too, unless encoded. */
static void
test_message_nesting(void **state)
{
	struct prescan_info info;
	struct buf b = BUF_INIT;

	buf_puts(&b, "From: a@example.net\r\n");
	for (int k = 0; k < PRESCAN_MAX_DEPTH; k++)
		buf_puts(&b, "Content-Type: message/rfc822\r\n\r\n"
		    "From: b@example.net\r\n");
	buf_puts(&b, "\r\ninnermost\r\n");
	assert_int_equal(scan_buf(&b, &info), PRESCAN_OK);
	assert_int_equal(info.depth, PRESCAN_MAX_DEPTH);
	buf_reset(&b);
	buf_puts(&b, "From: a@example.net\r\n");
	for (int k = 0; k < 30000; k++)
		buf_puts(&b, "Content-Type: Message/RFC822\r\n\r\n");
	assert_int_equal(scan_buf(&b, &info), PRESCAN_TOO_DEEP);
	buf_reset(&b);
	buf_puts(&b, "From: a@example.net\r\n");
	for (int k = 0; k < 100; k++)
		buf_puts(&b, "Content-Type: message/rfc822\r\n"
		    "Content-Transfer-Encoding: base64\r\n\r\n");
	assert_int_equal(scan_buf(&b, &info), PRESCAN_OK);
	assert_int_equal(info.depth, 0);
	buf_free(&b);
}

static void
test_parts_limit(void **state)
{
	struct prescan_info info;
	struct buf b = BUF_INIT;

	gen_siblings(&b, PRESCAN_MAX_PARTS);
	assert_int_equal(scan_buf(&b, &info), PRESCAN_OK);
	assert_int_equal(info.parts, PRESCAN_MAX_PARTS);
	assert_int_equal(info.depth, 1);
	buf_reset(&b);
	gen_siblings(&b, PRESCAN_MAX_PARTS + 1);
	assert_int_equal(scan_buf(&b, &info), PRESCAN_TOO_MANY_PARTS);
	assert_int_equal(info.parts, PRESCAN_MAX_PARTS + 1);
	buf_reset(&b);
	gen_siblings(&b, 100000);
	assert_int_equal(scan_buf(&b, &info), PRESCAN_TOO_MANY_PARTS);
	assert_int_equal(info.parts, PRESCAN_MAX_PARTS + 1);
	buf_free(&b);
}

static void
test_header_size(void **state)
{
	struct prescan_info info;
	struct buf b = BUF_INIT;

	gen_header_bytes(&b, PRESCAN_MAX_HEADER_BLOCK);
	assert_int_equal(scan_buf(&b, &info), PRESCAN_OK);
	assert_int_equal(info.header_len, PRESCAN_MAX_HEADER_BLOCK + 2);
	buf_reset(&b);
	gen_header_bytes(&b, PRESCAN_MAX_HEADER_BLOCK + 1);
	assert_int_equal(scan_buf(&b, &info), PRESCAN_HEADER_TOO_BIG);
	buf_reset(&b);
	/* 5 MB in one header line */
	buf_puts(&b, "From: a@example.net\r\nX-Big: ");
	for (int i = 0; i < 5 * 1024 * 1024; i++)
		buf_putc(&b, 'a');
	buf_puts(&b, "\r\n\r\nbody\r\n");
	assert_int_equal(scan_buf(&b, &info), PRESCAN_HEADER_TOO_BIG);
	buf_free(&b);
}

/* The header block limit applies to part headers too. */
static void
test_part_header_size(void **state)
{
	struct prescan_info info;
	struct buf b = BUF_INIT;

	buf_puts(&b, "From: a@example.net\r\nContent-Type: multipart/mixed; "
	    "boundary=p\r\n\r\n--p\r\nX-Big: ");
	for (int i = 0; i < PRESCAN_MAX_HEADER_BLOCK; i++)
		buf_putc(&b, 'a');
	buf_puts(&b, "\r\n\r\nbody\r\n--p--\r\n");
	assert_int_equal(scan_buf(&b, &info), PRESCAN_HEADER_TOO_BIG);
	buf_free(&b);
}

static void
test_header_lines(void **state)
{
	struct prescan_info info;
	struct buf b = BUF_INIT;

	buf_puts(&b, "From: a@example.net\r\n");
	for (int i = 1; i < PRESCAN_MAX_HEADER_LINES; i++)
		buf_puts(&b, i % 2 ? "X-A: b\r\n" : " folded\r\n");
	buf_puts(&b, "\r\nbody\r\n");
	assert_int_equal(scan_buf(&b, &info), PRESCAN_OK);
	buf_truncate(&b, b.len - 8);
	buf_puts(&b, "X-A: b\r\n\r\nbody\r\n");
	assert_int_equal(scan_buf(&b, &info), PRESCAN_TOO_MANY_HEADERS);
	buf_free(&b);
}

static void
parens(struct buf *b, const char *field, int n)
{
	buf_printf(b, "From: a@example.net\r\n%s: ", field);
	for (int i = 0; i < n; i++)
		buf_putc(b, '(');
	buf_putc(b, 'x');
	for (int i = 0; i < n; i++)
		buf_putc(b, ')');
	buf_puts(b, "\r\n\r\nbody\r\n");
}

static void
test_comment_depth(void **state)
{
	struct prescan_info info;
	struct buf b = BUF_INIT;

	parens(&b, "Sender", PRESCAN_MAX_COMMENT_DEPTH);
	assert_int_equal(scan_buf(&b, &info), PRESCAN_OK);
	buf_reset(&b);
	parens(&b, "Sender", PRESCAN_MAX_COMMENT_DEPTH + 1);
	assert_int_equal(scan_buf(&b, &info), PRESCAN_COMMENT_TOO_DEEP);
	buf_reset(&b);
	parens(&b, "Subject", PRESCAN_MAX_COMMENT_DEPTH + 10);
	assert_int_equal(scan_buf(&b, &info), PRESCAN_OK);
	buf_reset(&b);
	/* 150,000 nested parentheses in From: is over the size limit first */
	buf_puts(&b, "From: a@example.net ");
	for (int i = 0; i < 150000; i++)
		buf_putc(&b, '(');
	buf_puts(&b, "\r\n\r\nbody\r\n");
	assert_int_equal(scan_buf(&b, &info), PRESCAN_HEADER_TOO_BIG);
	buf_free(&b);
}

static void
test_comment_rules(void **state)
{
	struct prescan_info info;
	struct buf b = BUF_INIT;
	struct buf p = BUF_INIT;

	for (int i = 0; i <= PRESCAN_MAX_COMMENT_DEPTH; i++)
		buf_putc(&p, '(');
	/* inside a quoted string: not comments */
	buf_printf(&b, "From: \"%s\" <a@example.net>\r\n\r\nx\r\n",
	    buf_cstr(&p));
	assert_int_equal(scan_buf(&b, &info), PRESCAN_OK);
	buf_reset(&b);
	/* escaped in a comment: not nested */
	buf_puts(&b, "From: a@example.net (");
	for (int i = 0; i < 60; i++)
		buf_puts(&b, "\\(");
	buf_puts(&b, ")\r\n\r\nx\r\n");
	assert_int_equal(scan_buf(&b, &info), PRESCAN_OK);
	buf_reset(&b);
	/* folded over lines, in a part header */
	buf_puts(&b, "From: a@example.net\r\nContent-Type: multipart/mixed; "
	    "boundary=p\r\n\r\n--p\r\nContent-Type: text/plain\r\n");
	for (int i = 0; i <= PRESCAN_MAX_COMMENT_DEPTH; i++)
		buf_puts(&b, " (\r\n");
	buf_puts(&b, "\r\nx\r\n--p--\r\n");
	assert_int_equal(scan_buf(&b, &info), PRESCAN_COMMENT_TOO_DEEP);
	buf_free(&b);
	buf_free(&p);
}

static void
test_nul(void **state)
{
	struct prescan_info info;
	const char m[] = "From: a@example.net\r\nSubject: a\0b\r\n\r\nbody\r\n";
	const char body[] = "From: a@example.net\r\n\r\nbo\0dy\r\n";
	const char part[] = "From: a@example.net\r\nContent-Type: multipart/"
	    "mixed; boundary=p\r\n\r\n--p\r\nX-A: \0\r\n\r\nx\r\n--p--\r\n";

	assert_int_equal(prescan_message(m, sizeof m - 1, &info),
	    PRESCAN_NUL_IN_HEADER);
	assert_int_equal(prescan_message(body, sizeof body - 1, &info),
	    PRESCAN_OK);
	assert_int_equal(prescan_message(part, sizeof part - 1, &info),
	    PRESCAN_NUL_IN_HEADER);
}

static enum prescan_status
with_ct(const char *ct, struct prescan_info *info)
{
	struct buf b = BUF_INIT;
	enum prescan_status st;

	buf_printf(&b, "From: a@example.net\r\nContent-Type: %s\r\n\r\nx\r\n",
	    ct);
	st = scan_buf(&b, info);
	buf_free(&b);
	return st;
}

static void
test_boundary_chars(void **state)
{
	struct prescan_info info;
	char b70[PRESCAN_MAX_BOUNDARY + 1], ct[200];

	assert_int_equal(with_ct("multipart/mixed; boundary=\"\\\"\"", &info),
	    PRESCAN_BAD_BOUNDARY);
	assert_int_equal(with_ct("multipart/mixed; boundary=\"\"", &info),
	    PRESCAN_BAD_BOUNDARY);
	assert_int_equal(with_ct("multipart/mixed; boundary=\"ab \"", &info),
	    PRESCAN_BAD_BOUNDARY);
	assert_int_equal(with_ct("multipart/mixed; boundary=\"a\\b\"", &info),
	    PRESCAN_BAD_BOUNDARY);
	assert_int_equal(with_ct("multipart/mixed; boundary=\"abc", &info),
	    PRESCAN_BAD_BOUNDARY);
	assert_int_equal(with_ct("multipart/mixed; boundary=a{b}", &info),
	    PRESCAN_BAD_BOUNDARY);
	assert_int_equal(with_ct("multipart/mixed; boundary=\"a\tb\"", &info),
	    PRESCAN_BAD_BOUNDARY);
	assert_int_equal(with_ct("multipart/mixed; boundary=ok; "
	    "boundary=\"\\\"\"", &info), PRESCAN_BAD_BOUNDARY);
	assert_int_equal(with_ct("multipart/mixed; boundary=\"a b'()+_,-./:=?Z"
	    "9\"", &info), PRESCAN_OK);
	assert_int_equal(info.depth, 1);
	/* not a multipart: the parameter is never used */
	assert_int_equal(with_ct("text/plain; boundary=\"\\\"\"", &info),
	    PRESCAN_OK);
	/* a multipart without boundary is a single part */
	assert_int_equal(with_ct("multipart/mixed", &info), PRESCAN_OK);
	assert_int_equal(info.depth, 0);
	assert_int_equal(info.boundary_missing, 0);

	memset(b70, 'q', PRESCAN_MAX_BOUNDARY);
	b70[PRESCAN_MAX_BOUNDARY] = '\0';
	snprintf(ct, sizeof ct, "multipart/mixed; boundary=\"%s\"", b70);
	assert_int_equal(with_ct(ct, &info), PRESCAN_OK);
	snprintf(ct, sizeof ct, "multipart/mixed; boundary=%sq", b70);
	assert_int_equal(with_ct(ct, &info), PRESCAN_BAD_BOUNDARY);
}

/* Header names in any case, folded values, comments and odd spacing. */
static void
test_content_type_syntax(void **state)
{
	struct prescan_info info;
	const char *m = "From: a@example.net\r\n"
	    "content-TYPE : (c) Multipart (x) / Related ;\r\n"
	    "\ttype=\"text/html\"; (a; boundary=no)\r\n"
	    "  BOUNDARY = \"xy z\"\r\n\r\n"
	    "--xy z\r\n\r\none\r\n--xy z  \t\r\n\r\ntwo\r\n--xy zz\r\n"
	    "--xy z--\r\nepilogue\r\n";

	assert_int_equal(scan(m, &info), PRESCAN_OK);
	assert_int_equal(info.depth, 1);
	assert_int_equal(info.parts, 2);
	assert_int_equal(info.boundary_missing, 0);
}

/* The first Content-Type that parses decides; later ones are checked. */
static void
test_duplicate_content_type(void **state)
{
	struct prescan_info info;
	const char *m = "From: a@example.net\r\n"
	    "Content-Type: garbage\r\n"
	    "Content-Type: multipart/mixed; boundary=one\r\n"
	    "Content-Type: text/plain\r\n\r\n--one\r\n\r\nx\r\n--one--\r\n";

	assert_int_equal(scan(m, &info), PRESCAN_OK);
	assert_int_equal(info.depth, 1);
	assert_int_equal(info.parts, 1);
	m = "From: a@example.net\r\nContent-Type: text/plain\r\n"
	    "Content-Type: multipart/mixed; boundary=\"\"\r\n\r\nx\r\n";
	assert_int_equal(scan(m, &info), PRESCAN_BAD_BOUNDARY);
}

static void
test_boundary_missing(void **state)
{
	struct prescan_info info;
	const char *inner = "From: a@example.net\r\n"
	    "Content-Type: multipart/mixed; boundary=out\r\n\r\n"
	    "--out\r\nContent-Type: multipart/alternative; boundary=in\r\n\r\n"
	    "no inner boundary\r\n--out--\r\n";
	const char *prefix = "From: a@example.net\r\n"
	    "Content-Type: multipart/mixed; boundary=abc\r\n\r\n"
	    "--abcd\r\n--abc-\r\nx\r\n";

	assert_int_equal(scan(inner, &info), PRESCAN_OK);
	assert_int_equal(info.depth, 2);
	assert_int_equal(info.parts, 1);
	assert_int_equal(info.boundary_missing, 1);
	assert_int_equal(scan(prefix, &info), PRESCAN_OK);
	assert_int_equal(info.parts, 0);
	assert_int_equal(info.boundary_missing, 1);
}

/* An outer delimiter ends an unclosed inner multipart; delimiters after a
 * close one still count (libetpan keeps looking). */
static void
test_delimiter_rules(void **state)
{
	struct prescan_info info;
	const char *m = "From: a@example.net\r\n"
	    "Content-Type: multipart/mixed; boundary=out\r\n\r\n"
	    "--out\r\nContent-Type: multipart/alternative; boundary=in\r\n\r\n"
	    "--in\r\n\r\na\r\n--in\r\n\r\nb\r\n"
	    "--out\r\n\r\nc\r\n--out--\r\n--out\r\n\r\nd\r\n";
	const char *nohdr = "From: a@example.net\r\n"
	    "Content-Type: multipart/mixed; boundary=p\r\n\r\n"
	    "--p\r\nContent-Type: text/plain\r\n--p\r\nX: y\r\n--p--\r\n";

	assert_int_equal(scan(m, &info), PRESCAN_OK);
	assert_int_equal(info.depth, 2);
	assert_int_equal(info.parts, 5);
	assert_int_equal(info.boundary_missing, 0);
	assert_int_equal(scan(nohdr, &info), PRESCAN_OK);
	assert_int_equal(info.parts, 2);
	assert_int_equal(info.boundary_missing, 0);
}

/* Parts of a multipart/digest are messages by default. */
static void
test_digest(void **state)
{
	struct prescan_info info;
	const char *m = "From: a@example.net\r\n"
	    "Content-Type: multipart/digest; boundary=d\r\n\r\n"
	    "--d\r\n\r\nFrom: b@example.net\r\nReceived: x\r\n"
	    "Content-Type: multipart/mixed; boundary=e\r\n\r\n"
	    "--e\r\n\r\ntext\r\n--e--\r\n"
	    "--d\r\nContent-Type: text/plain\r\n\r\nplain\r\n--d--\r\n";

	assert_int_equal(scan(m, &info), PRESCAN_OK);
	assert_int_equal(info.depth, 3);
	assert_int_equal(info.parts, 3);
	assert_int_equal(info.received_count, 0);
}

static void
test_received_count(void **state)
{
	struct prescan_info info;
	const char *m = "Received: from a by b;\r\n\tMon, 16 Nov 2026\r\n"
	    "RECEIVED: from c by d\r\nX-Received: no\r\nreceived : e\r\n"
	    "From: a@example.net\r\nContent-Type: message/rfc822\r\n\r\n"
	    "Received: inner\r\nFrom: b@example.net\r\n\r\nbody\r\n";

	assert_int_equal(scan(m, &info), PRESCAN_OK);
	assert_int_equal(info.received_count, 3);
	assert_int_equal(info.depth, 1);
}

static void
test_status_str(void **state)
{
	assert_string_equal(prescan_status_str(PRESCAN_OK), "ok");
	assert_string_equal(prescan_status_str(PRESCAN_TOO_DEEP),
	    "MIME structure nested too deeply");
	assert_string_equal(prescan_status_str(PRESCAN_BAD_BOUNDARY),
	    "invalid MIME boundary");
	assert_string_equal(prescan_status_str(PRESCAN_NUL_IN_HEADER),
	    "NUL byte in header");
	assert_string_equal(prescan_status_str((enum prescan_status)99),
	    "unknown pre-scan status");
	for (int s = PRESCAN_OK; s <= PRESCAN_NUL_IN_HEADER; s++)
		for (int t = s + 1; t <= PRESCAN_NUL_IN_HEADER; t++)
			assert_string_not_equal(prescan_status_str(s),
			    prescan_status_str(t));
}

/* The two crash cases of the corpus, inline so they always run. */
static void
test_corpus_inline(void **state)
{
	struct prescan_info info;
	const char *crash = "From: a@example.net\r\n"
	    "To: cloud-souverain@lists.example.org\r\n"
	    "Subject: boundary\r\nMessage-ID: <crash-1@example.net>\r\n"
	    "Content-Type: multipart/mixed; boundary=\"\\\"\"\r\n\r\n"
	    "--\"\r\nx\r\n";
	const char *never = "From: a@example.net\r\n"
	    "To: cloud-souverain@lists.example.org\r\n"
	    "Subject: boundary never present\r\n"
	    "Message-ID: <crash-2@example.net>\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=\"abc123\"\r\n\r\n"
	    "This body never contains the declared boundary.\r\n"
	    "Second line.\r\n";

	assert_int_equal(scan(crash, &info), PRESCAN_BAD_BOUNDARY);
	assert_int_equal(scan(never, &info), PRESCAN_OK);
	assert_int_equal(info.boundary_missing, 1);
	assert_int_equal(info.depth, 1);
	assert_int_equal(info.parts, 0);
}

struct corpus_expect {
	const char	*name;
	enum prescan_status st;
	int		 depth, parts, missing;
};

static const struct corpus_expect corpus[] = {
	{ "crash-boundary-quote.eml", PRESCAN_BAD_BOUNDARY, 0, 0, 0 },
	{ "boundary-never-present.eml", PRESCAN_OK, 1, 0, 1 },
	{ "ar-utf8-gmail-reply.eml", PRESCAN_OK, 1, 2, 0 },
	{ "attachment-rfc2231.eml", PRESCAN_OK, 1, 2, 0 },
	{ "dsn-bounce.eml", PRESCAN_OK, 1, 3, 0 },
	{ "fr-latin1-qp.eml", PRESCAN_OK, 0, 0, 0 },
	{ "outlook-reply-no-refs.eml", PRESCAN_OK, 0, 0, 0 },
	{ "apple-flowed-fr.eml", PRESCAN_OK, 0, 0, 0 },
};

/* The sample corpus: $MAJLIS_CORPUS, else $MAJLIS_SRCDIR/tests/corpus;
 * NULL when neither exists (the test is then skipped). */
static const char *
corpus_dir(void)
{
	static char path[4096];
	const char *env = getenv("MAJLIS_CORPUS");
	const char *src = getenv("MAJLIS_SRCDIR");
	DIR *d;

	if (env != NULL)
		snprintf(path, sizeof path, "%s", env);
	else if (src != NULL)
		snprintf(path, sizeof path, "%s/tests/corpus", src);
	else
		return NULL;
	if ((d = opendir(path)) == NULL)
		return NULL;
	closedir(d);
	return path;
}

static int
read_file(const char *path, struct buf *b)
{
	FILE *f = fopen(path, "rb");
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(b, chunk, n);
	fclose(f);
	return 0;
}

static void
check_corpus_file(const char *dir, const char *name)
{
	struct prescan_info info;
	struct buf path = BUF_INIT, b = BUF_INIT;
	const struct corpus_expect *e = NULL;

	for (size_t i = 0; i < sizeof corpus / sizeof corpus[0]; i++)
		if (strcmp(corpus[i].name, name) == 0)
			e = &corpus[i];
	buf_printf(&path, "%s/%s", dir, name);
	assert_int_equal(read_file(buf_cstr(&path), &b), 0);
	enum prescan_status st = scan_buf(&b, &info);
	if (st != (e ? e->st : PRESCAN_OK))
		fail_msg("%s: %s", name, prescan_status_str(st));
	assert_true(info.header_len > 0 && info.header_len <= b.len);
	if (e != NULL && st == PRESCAN_OK) {
		assert_int_equal(info.depth, e->depth);
		assert_int_equal(info.parts, e->parts);
		assert_int_equal(info.boundary_missing, e->missing);
	}
	buf_free(&path);
	buf_free(&b);
}

static void
test_corpus_files(void **state)
{
	const char *dir = corpus_dir();
	struct dirent *de;
	DIR *d;
	int n = 0;

	if (dir == NULL)
		skip();
	assert_non_null(d = opendir(dir));
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 4, ".eml") != 0)
			continue;
		check_corpus_file(dir, de->d_name);
		n++;
	}
	closedir(d);
	assert_true(n >= (int)(sizeof corpus / sizeof corpus[0]));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_no_header),
		cmocka_unit_test(test_header_only),
		cmocka_unit_test(test_bare_lf),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_message_nesting),
		cmocka_unit_test(test_parts_limit),
		cmocka_unit_test(test_header_size),
		cmocka_unit_test(test_part_header_size),
		cmocka_unit_test(test_header_lines),
		cmocka_unit_test(test_comment_depth),
		cmocka_unit_test(test_comment_rules),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_boundary_chars),
		cmocka_unit_test(test_content_type_syntax),
		cmocka_unit_test(test_duplicate_content_type),
		cmocka_unit_test(test_boundary_missing),
		cmocka_unit_test(test_delimiter_rules),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_received_count),
		cmocka_unit_test(test_status_str),
		cmocka_unit_test(test_corpus_inline),
		cmocka_unit_test(test_corpus_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
