/* Unit tests for mail/compose.c: dates and ids, the copy of a post (every
 * field checked, encodings round-tripped, injection attempts), system
 * messages, text parts, quoted-printable and parts built from raw mail. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "daemon/buf.h"
#include "daemon/store_group.h"
#include "daemon/store_post.h"
#include "mail/compose.h"
#include "mail/header.h"
#include "mail/rfc2047.h"

#define DOMAIN	"lists.example.org"
#define SITE	"https://majlis.example.org"
#define SLUG	"cloud-souverain"
#define TOKEN	"AbCdEfGhIjKlMnOpQrStUvWx"

/*
 * Helpers.
 */

/* Every line ends in CRLF, no CR or LF elsewhere, no line over max. */
static void
check_lines(const char *s, size_t n, size_t max)
{
	size_t col = 0;

	assert_true(n >= 2);
	assert_memory_equal(s + n - 2, "\r\n", 2);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r') {
			assert_true(i + 1 < n && s[i + 1] == '\n');
			i++;
			col = 0;
			continue;
		}
		assert_true(s[i] != '\n');
		col++;
		if (col > max)
			fail_msg("line over %zu at offset %zu", max, i);
	}
}

/* A header line over max: only "Name: word" (a field never starts with a
 * fold, so one long first word may pass COMPOSE_LINE_SOFT). */
static void
check_long_line(const char *s, size_t n)
{
	const char *sp = memchr(s, ' ', n);

	assert_true(n <= COMPOSE_LINE_MAX);
	assert_true(sp != NULL && sp > s && sp[-1] == ':');
	assert_null(memchr(sp + 1, ' ', n - (size_t)(sp + 1 - s)));
}

/* Header lines (up to the blank line) are ASCII, no bare controls, at most
 * max long (but see check_long_line) and no continuation line is blank;
 * returns the header length. */
static size_t
check_header(const char *s, size_t n, size_t max)
{
	size_t body = header_body_offset(s, n), start = 0;

	assert_true(body >= 4 && body <= n);
	assert_memory_equal(s + body - 4, "\r\n\r\n", 4);
	check_lines(s, body, COMPOSE_LINE_MAX);
	for (size_t i = 0; i + 1 < body; i++)
		if (s[i] == '\r') {
			if (i - start > max)
				check_long_line(s + start, i - start);
			start = i + 2;
		}
	for (size_t i = 0; i < body; i++) {
		unsigned char c = (unsigned char)s[i];
		assert_true(c == '\r' || c == '\n' || (c >= ' ' && c < 0x7f));
		if (c == '\n' && i + 1 < body - 2)
			assert_true(s[i + 1] != ' ' || s[i + 2] > ' ');
	}
	return body;
}

/* The unfolded value of the only field called name. */
static const char *
field(struct buf *tmp, const struct buf *msg, const char *name)
{
	buf_reset(tmp);
	assert_int_equal(header_count(msg->data, msg->len, name), 1);
	assert_true(header_get(msg->data, msg->len, name, tmp));
	return buf_cstr(tmp);
}

/* The field decoded as display text. */
static const char *
decoded(struct buf *tmp, const struct buf *msg, const char *name)
{
	struct buf raw = BUF_INIT;

	field(&raw, msg, name);
	buf_reset(tmp);
	rfc2047_decode(tmp, raw.data, raw.len);
	buf_free(&raw);
	return buf_cstr(tmp);
}

static size_t
count_str(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* Quoted-printable decoding (soft breaks removed, "=XX" decoded). */
static void
qp_decode(struct buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '=') {
			buf_putc(out, s[i]);
			continue;
		}
		assert_true(i + 2 < n);
		if (s[i + 1] == '\r' && s[i + 2] == '\n') {
			i += 2;
			continue;
		}
		unsigned int v;
		char hex[3] = { s[i + 1], s[i + 2], '\0' };
		assert_int_equal(sscanf(hex, "%2X", &v), 1);
		assert_true((hex[0] >= '0' && hex[0] <= '9') ||
		    (hex[0] >= 'A' && hex[0] <= 'F'));
		buf_putc(out, (char)v);
		i += 2;
	}
}

/* The text of a part after its header block. */
static const char *
part_body(const struct buf *part, size_t *n)
{
	size_t off = header_body_offset(part->data, part->len);

	*n = part->len - off;
	return part->data + off;
}

/* The sample corpus, as test-prescan finds it; NULL when absent. */
static int
corpus_read(const char *name, struct buf *out)
{
	const char *env = getenv("MAJLIS_CORPUS");
	const char *src = getenv("MAJLIS_SRCDIR");
	char path[4096], chunk[4096];
	FILE *f;
	size_t n;

	if (env != NULL)
		snprintf(path, sizeof path, "%s/%s", env, name);
	else if (src != NULL)
		snprintf(path, sizeof path, "%s/tests/corpus/%s", src, name);
	else
		return -1;
	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(out, chunk, n);
	fclose(f);
	return 0;
}

/*
 * A group and a post to copy.
 */

struct fixture {
	struct group	 g;
	struct post	 p;
	struct compose_copy c;
	struct buf	 msg;
	struct buf	 tmp;
};

static const char part_ascii[] =
    "Content-Type: text/plain; charset=us-ascii\r\n"
    "Content-Transfer-Encoding: 7bit\r\n"
    "\r\n"
    "Hello all,\r\n\r\nsee you on Thursday.\r\n";

static void
fixture_init(struct fixture *fx, const char *author, const char *group,
    const char *subject)
{
	memset(fx, 0, sizeof *fx);
	fx->g.id = 3;
	snprintf(fx->g.slug, sizeof fx->g.slug, "%s", SLUG);
	fx->g.name = strdup(group);
	fx->p.id = 42;
	fx->p.thread_id = 17;
	fx->p.group_id = 3;
	fx->p.author_name = strdup(author);
	fx->p.author_email = strdup("amelie.dupre@example.fr");
	fx->p.subject = strdup(subject);
	fx->p.body = strdup("Hello all,\n\nsee you on Thursday.\n");
	buf_puts(&fx->p.mime_part, part_ascii);
	fx->p.message_id = strdup("20261112091403.4711@mail.example.fr");
	fx->p.refs = strdup("");
	fx->p.parent_message_id = strdup("");
	fx->p.created = 1795424400;
	fx->c.group = &fx->g;
	fx->c.post = &fx->p;
	fx->c.rcpt = "karim@example.net";
	fx->c.unsub_token = TOKEN;
	fx->c.list_domain = DOMAIN;
	fx->c.site_url = SITE "/";
}

static void
fixture_set(char **field, const char *value)
{
	free(*field);
	*field = strdup(value);
}

static void
fixture_copy(struct fixture *fx)
{
	buf_reset(&fx->msg);
	compose_post_copy(&fx->msg, &fx->c);
	check_header(fx->msg.data, fx->msg.len, COMPOSE_LINE_MAX);
	check_lines(fx->msg.data, fx->msg.len, COMPOSE_LINE_MAX);
}

static void
fixture_free(struct fixture *fx)
{
	store_group_clear(&fx->g);
	store_post_clear(&fx->p);
	buf_free(&fx->msg);
	buf_free(&fx->tmp);
}

/*
 * Dates and Message-IDs.
 */

static void
date_eq(int64_t t, const char *expect)
{
	struct buf b = BUF_INIT;

	compose_date(&b, t);
	assert_string_equal(buf_cstr(&b), expect);
	buf_free(&b);
}

static void
test_date(void **state)
{
	(void)state;
	date_eq(1795424400, "Mon, 23 Nov 2026 09:00:00 +0000");
	date_eq(1772694489, "Thu, 5 Mar 2026 07:08:09 +0000");
	date_eq(0, "Thu, 1 Jan 1970 00:00:00 +0000");
	date_eq(-1, "Wed, 31 Dec 1969 23:59:59 +0000");
	/* beyond a 4-digit year: the epoch rather than a bad date */
	date_eq(INT64_MAX, "Thu, 1 Jan 1970 00:00:00 +0000");
	date_eq(INT64_MIN, "Thu, 1 Jan 1970 00:00:00 +0000");
	date_eq(253402300800LL, "Thu, 1 Jan 1970 00:00:00 +0000");
	date_eq(253402300799LL, "Fri, 31 Dec 9999 23:59:59 +0000");
}

static void
test_message_id(void **state)
{
	struct buf a = BUF_INIT, b = BUF_INIT;

	(void)state;
	compose_message_id(&a, DOMAIN);
	compose_message_id(&b, DOMAIN);
	assert_int_equal(a.len, strlen("majlis.") + 24 + 1 + strlen(DOMAIN));
	assert_memory_equal(a.data, "majlis.", 7);
	assert_string_equal(a.data + 7 + 24, "@" DOMAIN);
	for (size_t i = 7; i < 7 + 24; i++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
		    "opqrstuvwxyz0123456789-_", a.data[i]));
	assert_string_not_equal(a.data, b.data);
	buf_reset(&a);
	compose_message_id(&a, "evil>\r\nBcc: x@y");
	assert_string_equal(a.data + 7 + 24, "@evilBccx@y");
	buf_reset(&a);
	compose_message_id(&a, "");
	assert_string_equal(a.data + 7 + 24, "@invalid");
	buf_reset(&a);
	compose_message_id(&a, NULL);
	assert_string_equal(a.data + 7 + 24, "@invalid");
	buf_free(&a);
	buf_free(&b);
}

/*
 * The copy of a post.
 */

static void
test_copy_exact(void **state)
{
	struct fixture fx;
	static const char expect[] =
	    "Date: Mon, 23 Nov 2026 09:00:00 +0000\r\n"
	    "From: Karim Haddad via Digital Sovereignty <" SLUG "@" DOMAIN ">\r\n"
	    "Reply-To: <" SLUG "@" DOMAIN ">\r\n"
	    "To: <" SLUG "@" DOMAIN ">\r\n"
	    "Subject: Re: [" SLUG "] Agenda for Thursday\r\n"
	    "Message-ID: <reply.1@example.net>\r\n"
	    "In-Reply-To: <20261112091403.4711@mail.example.fr>\r\n"
	    "References: <root@example.net> <20261112091403.4711@mail.example.fr>\r\n"
	    "List-Id: Digital Sovereignty <" SLUG "." DOMAIN ">\r\n"
	    "List-Post: <mailto:" SLUG "@" DOMAIN ">\r\n"
	    "List-Help: <mailto:" SLUG "-request@" DOMAIN "?subject=help>\r\n"
	    "List-Archive: <" SITE "/g/" SLUG "/t/17>\r\n"
	    "List-Unsubscribe: <" SITE "/u/" TOKEN ">,\r\n"
	    " <mailto:" SLUG "-leave@" DOMAIN "?subject=unsubscribe>\r\n"
	    "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
	    "Precedence: list\r\n"
	    "X-Loop: " SLUG "@" DOMAIN "\r\n"
	    "MIME-Version: 1.0\r\n";
	static const char *const order[] = { "Date", "From", "Reply-To", "To",
	    "Subject", "Message-ID", "In-Reply-To", "References", "List-Id",
	    "List-Post", "List-Help", "List-Archive", "List-Unsubscribe",
	    "List-Unsubscribe-Post", "Precedence", "X-Loop", "MIME-Version",
	    "Content-Type", "Content-Transfer-Encoding" };
	struct header_field f;
	size_t pos = 0, i = 0, body;

	(void)state;
	fixture_init(&fx, "Karim Haddad", "Digital Sovereignty",
	    "Re: Agenda for Thursday");
	fixture_set(&fx.p.message_id, "reply.1@example.net");
	fixture_set(&fx.p.refs, "root@example.net");
	fixture_set(&fx.p.parent_message_id,
	    "20261112091403.4711@mail.example.fr");
	fixture_copy(&fx);
	assert_int_equal(fx.msg.len, strlen(expect) + strlen(part_ascii));
	assert_memory_equal(fx.msg.data, expect, strlen(expect));
	assert_memory_equal(fx.msg.data + strlen(expect), part_ascii,
	    strlen(part_ascii));
	/* parsed back, field by field and in order */
	while (header_next(fx.msg.data, fx.msg.len, &pos, &f)) {
		assert_true(i < sizeof order / sizeof order[0]);
		assert_true(header_is(&f, order[i]));
		i++;
	}
	assert_int_equal(i, sizeof order / sizeof order[0]);
	assert_string_equal(field(&fx.tmp, &fx.msg, "References"),
	    "<root@example.net> <20261112091403.4711@mail.example.fr>");
	assert_string_equal(field(&fx.tmp, &fx.msg, "List-Unsubscribe"),
	    "<" SITE "/u/" TOKEN ">, <mailto:" SLUG "-leave@" DOMAIN
	    "?subject=unsubscribe>");
	body = check_header(fx.msg.data, fx.msg.len, COMPOSE_LINE_SOFT);
	assert_string_equal(fx.msg.data + body,
	    "Hello all,\r\n\r\nsee you on Thursday.\r\n");
	/* the author's address is never written, nor the recipient's */
	assert_null(strstr(fx.msg.data, "amelie.dupre"));
	assert_null(strstr(fx.msg.data, "karim@example.net"));
	fixture_free(&fx);
}

static void
test_copy_no_parent_no_token(void **state)
{
	struct fixture fx;

	(void)state;
	fixture_init(&fx, "", "", "Hello");
	fx.c.unsub_token = NULL;
	fx.c.site_url = SITE;
	fixture_copy(&fx);
	assert_string_equal(field(&fx.tmp, &fx.msg, "From"),
	    "A member via " SLUG " <" SLUG "@" DOMAIN ">");
	assert_string_equal(field(&fx.tmp, &fx.msg, "Subject"),
	    "[" SLUG "] Hello");
	assert_string_equal(field(&fx.tmp, &fx.msg, "List-Id"),
	    "<" SLUG "." DOMAIN ">");
	assert_string_equal(field(&fx.tmp, &fx.msg, "List-Unsubscribe"),
	    "<mailto:" SLUG "-leave@" DOMAIN "?subject=unsubscribe>");
	assert_string_equal(field(&fx.tmp, &fx.msg, "List-Archive"),
	    "<" SITE "/g/" SLUG "/t/17>");
	assert_int_equal(header_count(fx.msg.data, fx.msg.len,
	    "List-Unsubscribe-Post"), 0);
	assert_int_equal(header_count(fx.msg.data, fx.msg.len, "In-Reply-To"),
	    0);
	assert_int_equal(header_count(fx.msg.data, fx.msg.len, "References"),
	    0);
	fx.c.unsub_token = "";
	fixture_copy(&fx);
	assert_int_equal(header_count(fx.msg.data, fx.msg.len,
	    "List-Unsubscribe-Post"), 0);
	fixture_free(&fx);
}

static void
test_copy_french(void **state)
{
	struct fixture fx;

	(void)state;
	fixture_init(&fx, "Am\xc3\xa9lie Dupr\xc3\xa9", "Cloud souverain",
	    "R\xc3\xa9union du comit\xc3\xa9 - \xc3\xa9t\xc3\xa9 2026");
	fixture_copy(&fx);
	check_header(fx.msg.data, fx.msg.len, COMPOSE_LINE_SOFT);
	assert_string_equal(decoded(&fx.tmp, &fx.msg, "From"),
	    "Am\xc3\xa9lie Dupr\xc3\xa9 via Cloud souverain <" SLUG "@"
	    DOMAIN ">");
	assert_string_equal(decoded(&fx.tmp, &fx.msg, "Subject"),
	    "[" SLUG "] R\xc3\xa9union du comit\xc3\xa9 - \xc3\xa9t\xc3\xa9 2026");
	assert_non_null(strstr(field(&fx.tmp, &fx.msg, "From"), "=?UTF-8?"));
	assert_non_null(strstr(field(&fx.tmp, &fx.msg, "Subject"), "=?UTF-8?"));
	/* French reply prefix: one Re:, one tag */
	fixture_set(&fx.p.subject, "R\xc3\xa9" "f : [" SLUG "] R\xc3\xa9union");
	fixture_copy(&fx);
	assert_string_equal(decoded(&fx.tmp, &fx.msg, "Subject"),
	    "Re: [" SLUG "] R\xc3\xa9union");
	fixture_free(&fx);
}

static void
test_copy_arabic(void **state)
{
	struct fixture fx;
	/* محمد العربي, السيادة الرقمية, اجتماع اللجنة يوم الخميس */
	const char *name = "\xd9\x85\xd8\xad\xd9\x85\xd8\xaf "
	    "\xd8\xa7\xd9\x84\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a";
	const char *group = "\xd8\xa7\xd9\x84\xd8\xb3\xd9\x8a\xd8\xa7\xd8\xaf"
	    "\xd8\xa9 \xd8\xa7\xd9\x84\xd8\xb1\xd9\x82\xd9\x85\xd9\x8a\xd8\xa9";
	const char *subj = "\xd8\xa7\xd8\xac\xd8\xaa\xd9\x85\xd8\xa7\xd8\xb9 "
	    "\xd8\xa7\xd9\x84\xd9\x84\xd8\xac\xd9\x86\xd8\xa9 \xd9\x8a\xd9\x88"
	    "\xd9\x85 \xd8\xa7\xd9\x84\xd8\xae\xd9\x85\xd9\x8a\xd8\xb3";
	struct buf expect = BUF_INIT;

	(void)state;
	fixture_init(&fx, name, group, subj);
	fixture_copy(&fx);
	check_header(fx.msg.data, fx.msg.len, COMPOSE_LINE_SOFT);
	buf_printf(&expect, "%s via %s <" SLUG "@" DOMAIN ">", name, group);
	assert_string_equal(decoded(&fx.tmp, &fx.msg, "From"), expect.data);
	buf_reset(&expect);
	buf_printf(&expect, "[" SLUG "] %s", subj);
	assert_string_equal(decoded(&fx.tmp, &fx.msg, "Subject"), expect.data);
	buf_reset(&expect);
	buf_printf(&expect, "%s <" SLUG "." DOMAIN ">", group);
	assert_string_equal(decoded(&fx.tmp, &fx.msg, "List-Id"), expect.data);
	/* Arabic reply prefix */
	buf_reset(&expect);
	buf_printf(&expect, "\xd8\xb1\xd8\xaf: %s", subj);
	fixture_set(&fx.p.subject, expect.data);
	fixture_copy(&fx);
	buf_reset(&expect);
	buf_printf(&expect, "Re: [" SLUG "] %s", subj);
	assert_string_equal(decoded(&fx.tmp, &fx.msg, "Subject"), expect.data);
	buf_free(&expect);
	fixture_free(&fx);
}

/* No header field can be smuggled in through any value. */
static void
test_copy_injection(void **state)
{
	struct fixture fx;
	const char *evil = "x\r\nBcc: evil@x\r\n\r\nbody";
	size_t body;

	(void)state;
	fixture_init(&fx, "Eve\r\nBcc: evil@x", "G\r\nBcc: evil@x\nX: y",
	    "Hi\r\nBcc: evil@x");
	fixture_set(&fx.p.message_id, "id@x>\r\nBcc: evil@x");
	fixture_set(&fx.p.refs, "a@x\r\nBcc: evil@x <b@x>\nBcc:evil@x");
	fixture_set(&fx.p.parent_message_id, "p@x\r\nBcc: evil@x");
	snprintf(fx.g.slug, sizeof fx.g.slug, "%s", "s\r\nBcc:e");
	fx.c.unsub_token = evil;
	fx.c.site_url = evil;
	fx.c.list_domain = "d\r\nBcc: evil@x";
	fixture_copy(&fx);
	body = check_header(fx.msg.data, fx.msg.len, COMPOSE_LINE_SOFT);
	assert_int_equal(header_count(fx.msg.data, fx.msg.len, "Bcc"), 0);
	assert_int_equal(header_count(fx.msg.data, fx.msg.len, "X"), 0);
	for (size_t i = 0; i < body; i++)
		if (i == 0 || fx.msg.data[i - 1] == '\n')
			assert_memory_not_equal(fx.msg.data + i, "Bcc", 3);
	assert_string_equal(decoded(&fx.tmp, &fx.msg, "Subject"),
	    "[sBcce] Hi Bcc: evil@x");
	assert_string_equal(field(&fx.tmp, &fx.msg, "From"),
	    "\"Eve Bcc: evil@x via G Bcc: evil@x X: y\" <sBcce@dBccevilx>");
	assert_string_equal(field(&fx.tmp, &fx.msg, "Message-ID"),
	    "<id@xBcc:evil@x>");
	/* only usable ids in References; the parent is left out when bad */
	assert_string_equal(field(&fx.tmp, &fx.msg, "References"),
	    "<a@x> <evil@x> <b@x> <Bcc:evil@x>");
	assert_int_equal(header_count(fx.msg.data, fx.msg.len, "In-Reply-To"),
	    0);
	/* the first blank line is the end of the part's own header */
	assert_ptr_equal(strstr(fx.msg.data, "\r\n\r\n"),
	    fx.msg.data + body - 4);
	assert_memory_equal(fx.msg.data + body, "Hello all,", 10);
	/* what header-injection-2047.eml's encoded-words decode to, raw */
	fixture_set(&fx.p.subject,
	    "Hello\r\nBcc: victim@example.com\r\nX-Evil: 1");
	fixture_set(&fx.p.author_name, "Eve\r\nBcc: x@example.com");
	fixture_copy(&fx);
	check_header(fx.msg.data, fx.msg.len, COMPOSE_LINE_SOFT);
	assert_int_equal(header_count(fx.msg.data, fx.msg.len, "Bcc"), 0);
	assert_int_equal(header_count(fx.msg.data, fx.msg.len, "X-Evil"), 0);
	fixture_free(&fx);
}

static void
test_copy_slug_once(void **state)
{
	struct fixture fx;
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "Hello", "[" SLUG "] Hello" },
		{ "[" SLUG "] Hello", "[" SLUG "] Hello" },
		{ "Re: [" SLUG "] Hello", "Re: [" SLUG "] Hello" },
		{ "[" SLUG "] Re: [" SLUG "] RE: Hello", "Re: [" SLUG "] Hello" },
		{ "\r\n[" SLUG "] Hello", "[" SLUG "] Hello" },
		{ "", "[" SLUG "] (no subject)" },
	};

	(void)state;
	fixture_init(&fx, "A", "B", "");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fixture_set(&fx.p.subject, cases[i].in);
		fixture_copy(&fx);
		assert_string_equal(decoded(&fx.tmp, &fx.msg, "Subject"),
		    cases[i].out);
		assert_int_equal(count_str(fx.tmp.data, "[" SLUG "]"), 1);
	}
	fixture_free(&fx);
}

/* The group's own subject prefix (empty, custom, hostile) and its
 * Reply-To (list, author, both; the list when the author's address is
 * unusable), while From stays the list. */
static void
test_copy_policy(void **state)
{
	struct fixture fx;
	static const struct {
		const char *prefix, *in, *out;
	} cases[] = {
		{ "[WG Cloud]", "Hello", "[WG Cloud] Hello" },
		{ "[WG Cloud]", "Re: [wg cloud] Hello", "Re: [WG Cloud] Hello" },
		{ "[WG Cloud]", "[" SLUG "] Re: [WG Cloud] Hello",
		    "Re: [WG Cloud] Hello" },
		{ "WG:", "WG: Hello", "WG: Hello" },
		{ "WG", "WGS meeting", "WG WGS meeting" },
		{ "", "Re: [" SLUG "] Hello", "Re: Hello" },
		{ "", "", "(no subject)" },
		{ "[a]\r\nBcc: x@evil.example", "Hi", "[a] Bcc: x@evil.example Hi" },
		{ "[سحابة]", "Hello", "[سحابة] Hello" },
	};
	(void)state;
	fixture_init(&fx, "A", "B", "");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		free(fx.g.subject_prefix);
		fx.g.subject_prefix = strdup(cases[i].prefix);
		fixture_set(&fx.p.subject, cases[i].in);
		fixture_copy(&fx);
		assert_string_equal(decoded(&fx.tmp, &fx.msg, "Subject"),
		    cases[i].out);
		assert_null(strstr(fx.msg.data, "\r\nBcc:"));
	}
	static const struct {
		const char *mode, *author, *reply_to;
	} rt[] = {
		{ "", "amelie@example.fr", "<" SLUG "@" DOMAIN ">" },
		{ "list", "amelie@example.fr", "<" SLUG "@" DOMAIN ">" },
		{ "author", "amelie@example.fr", "<amelie@example.fr>" },
		{ "both", "amelie@example.fr",
		    "<" SLUG "@" DOMAIN ">, <amelie@example.fr>" },
		{ "author", "", "<" SLUG "@" DOMAIN ">" },
		{ "author", "no-at-sign", "<" SLUG "@" DOMAIN ">" },
		{ "both", "a@b@c", "<" SLUG "@" DOMAIN ">" },
		{ "author", "x@evil.example>\r\nBcc: y@evil.example",
		    "<" SLUG "@" DOMAIN ">" },
		{ "both", "x>\r\n@evil.example", "<" SLUG "@" DOMAIN ">, "
		    "<x@evil.example>" },
	};
	for (size_t i = 0; i < sizeof rt / sizeof rt[0]; i++) {
		snprintf(fx.g.reply_to, sizeof fx.g.reply_to, "%s", rt[i].mode);
		fixture_set(&fx.p.author_email, rt[i].author);
		fixture_copy(&fx);
		assert_string_equal(field(&fx.tmp, &fx.msg, "Reply-To"),
		    rt[i].reply_to);
		assert_non_null(strstr(field(&fx.tmp, &fx.msg, "From"),
		    "<" SLUG "@" DOMAIN ">"));
		assert_null(strstr(fx.msg.data, "\r\nBcc:"));
	}
	fixture_free(&fx);
}

static void
test_copy_references(void **state)
{
	struct fixture fx;
	struct buf refs = BUF_INIT, expect = BUF_INIT;

	(void)state;
	fixture_init(&fx, "A", "B", "Re: x");
	for (int i = 0; i < 30; i++)
		buf_printf(&refs, "%sr%d@x", i ? " " : "", i);
	/* the parent somewhere in the middle, our own id too */
	buf_puts(&refs, " r7@x self@x");
	fixture_set(&fx.p.refs, refs.data);
	fixture_set(&fx.p.parent_message_id, "r7@x");
	fixture_set(&fx.p.message_id, "self@x");
	fixture_copy(&fx);
	buf_puts(&expect, "<r0@x>");
	for (int i = 22; i < 30; i++)
		buf_printf(&expect, " <r%d@x>", i);
	buf_puts(&expect, " <r7@x>");
	assert_string_equal(field(&fx.tmp, &fx.msg, "References"),
	    expect.data);
	assert_int_equal(count_str(fx.tmp.data, "<"), COMPOSE_REFS_MAX);
	assert_string_equal(field(&fx.tmp, &fx.msg, "In-Reply-To"), "<r7@x>");
	/* no parent: the first and the latest nine */
	fixture_set(&fx.p.parent_message_id, "");
	fixture_copy(&fx);
	buf_reset(&expect);
	buf_puts(&expect, "<r0@x>");
	for (int i = 22; i < 30; i++)
		buf_printf(&expect, " <r%d@x>", i);
	buf_puts(&expect, " <r7@x>");
	assert_string_equal(field(&fx.tmp, &fx.msg, "References"),
	    expect.data);
	/* the parent alone when refs are empty; brackets tolerated */
	fixture_set(&fx.p.refs, "<a@x>,<b@x>");
	fixture_set(&fx.p.parent_message_id, "p@x");
	fixture_copy(&fx);
	assert_string_equal(field(&fx.tmp, &fx.msg, "References"),
	    "<a@x> <b@x> <p@x>");
	fixture_set(&fx.p.refs, "");
	fixture_copy(&fx);
	assert_string_equal(field(&fx.tmp, &fx.msg, "References"), "<p@x>");
	/* an id over COMPOSE_MSGID_MAX is left out */
	buf_reset(&refs);
	for (int i = 0; i < COMPOSE_MSGID_MAX; i++)
		buf_putc(&refs, 'a');
	buf_puts(&refs, "@x q@x");
	fixture_set(&fx.p.refs, refs.data);
	fixture_copy(&fx);
	assert_string_equal(field(&fx.tmp, &fx.msg, "References"),
	    "<q@x> <p@x>");
	buf_free(&refs);
	buf_free(&expect);
	fixture_free(&fx);
}

/* Huge and hostile values: lines stay within limits. */
static void
test_copy_long_values(void **state)
{
	struct fixture fx;
	struct buf big = BUF_INIT, word = BUF_INIT;

	(void)state;
	for (int i = 0; i < 5000; i++)
		buf_puts(&big, i % 7 ? "\xd8\xb3" : " ");
	for (int i = 0; i < 3000; i++)
		buf_putc(&word, 'w');
	fixture_init(&fx, big.data, big.data, big.data);
	fixture_copy(&fx);
	check_header(fx.msg.data, fx.msg.len, COMPOSE_LINE_SOFT);
	field(&fx.tmp, &fx.msg, "Subject");
	fixture_set(&fx.p.subject, word.data);
	fixture_set(&fx.p.author_name, word.data);
	fixture_set(&fx.g.name, word.data);
	fixture_copy(&fx);
	decoded(&fx.tmp, &fx.msg, "Subject");
	assert_int_equal(fx.tmp.len, COMPOSE_SUBJECT_MAX);
	/* a 5000-char line in the text: quoted-printable, lines of 76 */
	buf_reset(&fx.p.mime_part);
	buf_reset(&big);
	for (int i = 0; i < 5000; i++)
		buf_putc(&big, "abc d\xc3\xa9=\t"[i % 9]);
	fixture_set(&fx.p.body, big.data);
	fixture_copy(&fx);
	assert_non_null(strstr(fx.msg.data,
	    "Content-Transfer-Encoding: quoted-printable\r\n"));
	check_lines(fx.msg.data, fx.msg.len, COMPOSE_LINE_MAX);
	buf_free(&big);
	buf_free(&word);
	fixture_free(&fx);
}

/* Pieces taken from data are cut at their named limits. */
static void
test_copy_limits(void **state)
{
	struct fixture fx;
	struct buf dom = BUF_INIT, url = BUF_INIT, name = BUF_INIT;
	struct buf expect = BUF_INIT, id = BUF_INIT;
	const char *v;

	(void)state;
	for (int i = 0; i < COMPOSE_PIECE_MAX + 10; i++)
		buf_putc(&dom, 'd');
	buf_puts(&url, "https://");
	for (int i = 0; i < COMPOSE_URL_MAX; i++)
		buf_putc(&url, 'u');
	for (int i = 0; i < COMPOSE_NAME_MAX + 10; i++)
		buf_putc(&name, 'n');
	fixture_init(&fx, name.data, "G", "s");
	fx.c.list_domain = dom.data;
	fx.c.site_url = url.data;
	fixture_copy(&fx);
	buf_truncate(&dom, COMPOSE_PIECE_MAX);
	buf_printf(&expect, "<" SLUG "@%s>", dom.data);
	assert_string_equal(field(&fx.tmp, &fx.msg, "To"), expect.data);
	buf_truncate(&url, COMPOSE_URL_MAX);
	buf_reset(&expect);
	buf_printf(&expect, "<%s/g/" SLUG "/t/17>", url.data);
	assert_string_equal(field(&fx.tmp, &fx.msg, "List-Archive"),
	    expect.data);
	buf_truncate(&name, COMPOSE_NAME_MAX);
	buf_reset(&expect);
	buf_printf(&expect, "%s via G <" SLUG "@%s>", name.data, dom.data);
	assert_string_equal(decoded(&fx.tmp, &fx.msg, "From"), expect.data);
	/* a Message-ID of COMPOSE_MSGID_MAX is kept, one more is not */
	for (int i = 0; i < COMPOSE_MSGID_MAX - 2; i++)
		buf_putc(&id, 'i');
	buf_puts(&id, "@x");
	fixture_set(&fx.p.refs, id.data);
	fixture_copy(&fx);
	v = field(&fx.tmp, &fx.msg, "References");
	assert_int_equal(strlen(v), COMPOSE_MSGID_MAX + 2);
	buf_reset(&id);
	buf_putc(&id, 'i');
	buf_puts(&id, fx.p.refs);
	fixture_set(&fx.p.refs, id.data);
	fixture_copy(&fx);
	assert_int_equal(header_count(fx.msg.data, fx.msg.len, "References"),
	    0);
	buf_free(&dom);
	buf_free(&url);
	buf_free(&name);
	buf_free(&expect);
	buf_free(&id);
	fixture_free(&fx);
}

/*
 * System messages.
 */

static void
test_system(void **state)
{
	struct buf msg = BUF_INIT, tmp = BUF_INIT;
	struct compose_system s = { .from_name = "Cloud souverain",
	    .from_addr = SLUG "-request@" DOMAIN, .to = "karim@example.net",
	    .reply_to = SLUG "-confirm+TOK@" DOMAIN,
	    .subject = "Confirmez votre inscription \xc3\xa0 " SLUG,
	    .text = "Bonjour,\n\nR\xc3\xa9pondez \xc3\xa0 ce message.\n",
	    .list_domain = DOMAIN, .list_id = SLUG "." DOMAIN,
	    .in_reply_to = "req.1@example.net", .auto_submitted = 1,
	    .date = 1795424400 };
	size_t body;

	(void)state;
	compose_system(&msg, &s);
	body = check_header(msg.data, msg.len, COMPOSE_LINE_SOFT);
	check_lines(msg.data, msg.len, COMPOSE_LINE_MAX);
	assert_string_equal(field(&tmp, &msg, "Date"),
	    "Mon, 23 Nov 2026 09:00:00 +0000");
	assert_string_equal(field(&tmp, &msg, "From"),
	    "Cloud souverain <" SLUG "-request@" DOMAIN ">");
	assert_string_equal(field(&tmp, &msg, "To"), "<karim@example.net>");
	assert_string_equal(field(&tmp, &msg, "Reply-To"),
	    "<" SLUG "-confirm+TOK@" DOMAIN ">");
	assert_string_equal(decoded(&tmp, &msg, "Subject"),
	    "Confirmez votre inscription \xc3\xa0 " SLUG);
	field(&tmp, &msg, "Message-ID");
	assert_memory_equal(tmp.data, "<majlis.", 8);
	assert_string_equal(tmp.data + tmp.len - strlen(DOMAIN) - 2,
	    "@" DOMAIN ">");
	assert_string_equal(field(&tmp, &msg, "In-Reply-To"),
	    "<req.1@example.net>");
	assert_string_equal(field(&tmp, &msg, "References"),
	    "<req.1@example.net>");
	assert_string_equal(field(&tmp, &msg, "Auto-Submitted"),
	    "auto-replied");
	assert_string_equal(field(&tmp, &msg, "List-Id"),
	    "<" SLUG "." DOMAIN ">");
	assert_string_equal(field(&tmp, &msg, "MIME-Version"), "1.0");
	assert_string_equal(field(&tmp, &msg, "Content-Type"),
	    "text/plain; charset=utf-8");
	assert_string_equal(field(&tmp, &msg, "Content-Transfer-Encoding"),
	    "8bit");
	assert_string_equal(msg.data + body,
	    "Bonjour,\r\n\r\nR\xc3\xa9pondez \xc3\xa0 ce message.\r\n");
	buf_free(&msg);
	buf_free(&tmp);
}

static void
test_system_minimal_hostile(void **state)
{
	struct buf msg = BUF_INIT, tmp = BUF_INIT;
	struct compose_system s = { .from_addr = "a@b\r\nBcc: e@x",
	    .to = "c@d>\r\nBcc: e@x", .subject = "S\r\nBcc: e@x",
	    .from_name = "N\r\nBcc: e@x", .reply_to = "",
	    .in_reply_to = "bad id\r\nBcc: x", .list_domain = DOMAIN };
	struct compose_system empty = { 0 };
	struct buf msg2 = BUF_INIT;

	(void)state;
	compose_system(&msg, &s);
	check_header(msg.data, msg.len, COMPOSE_LINE_SOFT);
	assert_int_equal(header_count(msg.data, msg.len, "Bcc"), 0);
	assert_int_equal(header_count(msg.data, msg.len, "Reply-To"), 0);
	assert_int_equal(header_count(msg.data, msg.len, "In-Reply-To"), 0);
	assert_int_equal(header_count(msg.data, msg.len, "Auto-Submitted"), 0);
	assert_int_equal(header_count(msg.data, msg.len, "List-Id"), 0);
	assert_string_equal(field(&tmp, &msg, "To"), "<c@dBcce@x>");
	assert_string_equal(field(&tmp, &msg, "From"),
	    "\"N Bcc: e@x\" <a@bBcce@x>");
	assert_string_equal(field(&tmp, &msg, "Subject"), "S Bcc: e@x");
	/* the date is now: this year */
	buf_reset(&tmp);
	compose_date(&tmp, (int64_t)time(NULL));
	buf_truncate(&tmp, tmp.len - 15);
	field(&msg2, &msg, "Date");
	assert_memory_equal(msg2.data + msg2.len - 20, tmp.data + tmp.len - 5, 5);
	buf_free(&msg2);
	/* everything NULL still gives a well-formed message */
	buf_reset(&msg);
	compose_system(&msg, &empty);
	check_header(msg.data, msg.len, COMPOSE_LINE_SOFT);
	assert_string_equal(field(&tmp, &msg, "To"), "<>");
	assert_int_equal(header_count(msg.data, msg.len, "Message-ID"), 1);
	buf_free(&msg);
	buf_free(&tmp);
}

/*
 * Text parts.
 */

static void
text_eq(const char *in, const char *expect)
{
	struct buf b = BUF_INIT;

	compose_mime_part_text(&b, in);
	assert_string_equal(buf_cstr(&b), expect);
	buf_free(&b);
}

#define TEXT_HEAD(cte) "Content-Type: text/plain; charset=utf-8\r\n" \
	"Content-Transfer-Encoding: " cte "\r\n\r\n"

static void
test_text_part(void **state)
{
	(void)state;
	text_eq("Hello\nworld", TEXT_HEAD("7bit") "Hello\r\nworld\r\n");
	text_eq("Hello\r\nworld\r\n", TEXT_HEAD("7bit") "Hello\r\nworld\r\n");
	text_eq("", TEXT_HEAD("7bit"));
	text_eq(NULL, TEXT_HEAD("7bit"));
	text_eq("\n\n", TEXT_HEAD("7bit") "\r\n\r\n");
	text_eq("Bonjour \xc3\xa0 tous\n",
	    TEXT_HEAD("8bit") "Bonjour \xc3\xa0 tous\r\n");
	/* invalid UTF-8 is repaired, not declared as UTF-8 */
	text_eq("caf\xe9\n", TEXT_HEAD("8bit") "caf\xef\xbf\xbd\r\n");
	/* a bare CR: quoted-printable */
	text_eq("a\rb\n", TEXT_HEAD("quoted-printable") "a=0Db\r\n");
	/* trailing blanks and "=" in quoted-printable */
	text_eq("x = y \r\nz\t\r", TEXT_HEAD("quoted-printable")
	    "x =3D y=20\r\nz\t=0D\r\n");
}

static void
qp_roundtrip(const char *in, size_t n, const char *expect, size_t en)
{
	struct buf part = BUF_INIT, dec = BUF_INIT;
	const char *body;
	size_t blen;

	compose_mime_part_text(&part, in);
	(void)n;
	assert_non_null(strstr(part.data,
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"));
	body = part_body(&part, &blen);
	check_lines(body, blen, COMPOSE_QP_LINE);
	for (size_t i = 0; i < blen; i++) {
		unsigned char c = (unsigned char)body[i];
		assert_true(c == '\r' || c == '\n' || c == '\t' ||
		    (c >= ' ' && c < 0x7f));
		if (c == '\r' && i > 0)
			assert_true(body[i - 1] != ' ' && body[i - 1] != '\t');
	}
	qp_decode(&dec, body, blen);
	assert_int_equal(dec.len, en);
	assert_memory_equal(dec.data, expect, en);
	buf_free(&part);
	buf_free(&dec);
}

static void
test_text_part_qp(void **state)
{
	struct buf in = BUF_INIT, expect = BUF_INIT;

	(void)state;
	/* a 5000-char line with spaces, tabs, "=", French and Arabic */
	for (int i = 0; i < 5000; i++)
		buf_puts(&in, (const char *[]){ "a", " ", "=", "\t",
		    "\xc3\xa9", "\xd8\xb3", "." }[i % 7]);
	buf_puts(&in, "\nshort line \n");
	buf_append(&expect, in.data, in.len - 13);
	buf_puts(&expect, "\r\nshort line \r\n");
	qp_roundtrip(in.data, in.len, expect.data, expect.len);
	/* exactly COMPOSE_LINE_MAX stays 8bit, one more turns QP */
	buf_reset(&in);
	for (int i = 0; i < COMPOSE_LINE_MAX; i++)
		buf_putc(&in, 'x');
	buf_reset(&expect);
	compose_mime_part_text(&expect, in.data);
	assert_non_null(strstr(expect.data, "7bit"));
	buf_putc(&in, 'x');
	buf_reset(&expect);
	buf_append(&expect, in.data, in.len);
	buf_puts(&expect, "\r\n");
	qp_roundtrip(in.data, in.len, expect.data, expect.len);
	/* a line of only spaces */
	buf_reset(&in);
	for (int i = 0; i < 2000; i++)
		buf_putc(&in, ' ');
	buf_reset(&expect);
	buf_append(&expect, in.data, in.len);
	buf_puts(&expect, "\r\n");
	qp_roundtrip(in.data, in.len, expect.data, expect.len);
	buf_free(&in);
	buf_free(&expect);
}

/*
 * Parts from raw mail.
 */

static void
raw_eq(const char *raw, const char *expect)
{
	struct buf b = BUF_INIT;

	compose_mime_part_from_raw(&b, raw, strlen(raw), NULL);
	assert_string_equal(buf_cstr(&b), expect);
	buf_free(&b);
}

static void
test_raw_corpus_qp(void **state)
{
	struct buf raw = BUF_INIT, part = BUF_INIT;
	size_t off;

	(void)state;
	if (corpus_read("fr-latin1-qp.eml", &raw) == -1)
		skip();
	compose_mime_part_from_raw(&part, raw.data, raw.len, NULL);
	off = header_body_offset(raw.data, raw.len);
	assert_int_equal(part.len, strlen(
	    "Content-Type: text/plain; charset=ISO-8859-1\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n") +
	    raw.len - off);
	assert_memory_equal(part.data,
	    "Content-Type: text/plain; charset=ISO-8859-1\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
	    part.len - (raw.len - off));
	assert_memory_equal(part.data + part.len - (raw.len - off),
	    raw.data + off, raw.len - off);
	assert_non_null(strstr(part.data, "La r=E9union du comit=E9"));
	assert_int_equal(compose_mime_part_check(raw.data, raw.len), 1);
	buf_free(&raw);
	buf_free(&part);
}

static void
test_raw_corpus_boundary(void **state)
{
	struct buf raw = BUF_INIT, part = BUF_INIT;

	(void)state;
	if (corpus_read("boundary-never-present.eml", &raw) == -1)
		skip();
	compose_mime_part_from_raw(&part, raw.data, raw.len,
	    "This body never contains the declared boundary.\nSecond line.\n");
	assert_string_equal(part.data, TEXT_HEAD("7bit")
	    "This body never contains the declared boundary.\r\n"
	    "Second line.\r\n");
	assert_null(strstr(part.data, "multipart"));
	buf_free(&raw);
	buf_free(&part);
}

static void
test_raw_no_content_type(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	raw_eq("From: a@b\r\nSubject: x\r\n\r\nhello\r\n",
	    "Content-Type: text/plain; charset=us-ascii\r\n\r\nhello\r\n");
	raw_eq("From: a@b\r\n\r\nd\xc3\xa9j\xc3\xa0\r\n",
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\nd\xc3\xa9j\xc3\xa0\r\n");
	/* 8-bit but not UTF-8: read as windows-1252 */
	raw_eq("From: a@b\r\n\r\ncaf\xe9 \x80\r\n",
	    TEXT_HEAD("8bit") "caf\xc3\xa9 \xe2\x82\xac\r\n");
	assert_int_equal(compose_mime_part_check("\r\n\r\ncaf\xe9", 8), 0);
	/* nothing at all, no blank line, NULL */
	raw_eq("", "Content-Type: text/plain; charset=us-ascii\r\n\r\n");
	raw_eq("From: a@b\r\n",
	    "Content-Type: text/plain; charset=us-ascii\r\n\r\n");
	compose_mime_part_from_raw(&b, NULL, 100, NULL);
	assert_string_equal(buf_cstr(&b),
	    "Content-Type: text/plain; charset=us-ascii\r\n\r\n");
	/* a body without final line end gets one; bare LF and CR mended */
	raw_eq("Content-Type: text/plain\r\n\r\na\nb\rc\r\nd",
	    "Content-Type: text/plain\r\n\r\na\r\nb\r\nc\r\nd\r\n");
	buf_free(&b);
}

static void
test_raw_fields(void **state)
{
	struct buf b = BUF_INIT, raw = BUF_INIT;

	(void)state;
	/* kept fields, canonical names, fixed order, folds kept; the rest
	 * (MIME-Version, From, Content-Description) dropped */
	raw_eq("From: a@b\r\n"
	    "MIME-Version: 1.0\r\n"
	    "content-disposition: inline;\r\n\tfilename=\"a b.txt\"\r\n"
	    "Content-ID: <c1@x>\r\n"
	    "Content-Language: fr\r\n"
	    "Content-Description: d\r\n"
	    "CONTENT-TYPE: text/plain;\r\n charset=\"utf-8\"\r\n"
	    "Content-Type: text/html\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n"
	    "\r\n"
	    "x\r\n",
	    "Content-Type: text/plain;\r\n charset=\"utf-8\"\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n"
	    "Content-Disposition: inline;\r\n\tfilename=\"a b.txt\"\r\n"
	    "Content-Language: fr\r\n"
	    "Content-ID: <c1@x>\r\n"
	    "\r\n"
	    "x\r\n");
	/* bare LF line ends in the header become CRLF */
	raw_eq("Content-Type: text/plain;\n charset=us-ascii\n\nx\n",
	    "Content-Type: text/plain;\r\n charset=us-ascii\r\n\r\nx\r\n");
	/* 8-bit bytes, a bare CR or a blank continuation line: folded again */
	raw_eq("Content-Type: text/plain; name=\"caf\xc3\xa9.txt\"\r\n\r\nx\r\n",
	    "Content-Type: text/plain; name=\"caf.txt\"\r\n\r\nx\r\n");
	raw_eq("Content-Type: text/plain;\rBcc: x\r\n\r\nx\r\n",
	    "Content-Type: text/plain;Bcc: x\r\n\r\nx\r\n");
	raw_eq("Content-Type: text/plain;\r\n \r\n charset=x\r\n\r\nx\r\n",
	    "Content-Type: text/plain; charset=x\r\n\r\nx\r\n");
	/* a very long parameter: folded at spaces, cut before 998 */
	buf_puts(&raw, "Content-Type: text/plain;");
	for (int i = 0; i < 100; i++)
		buf_printf(&raw, " p%d=\"v%d\";", i, i);
	buf_puts(&raw, " name=\"");
	for (int i = 0; i < 3000; i++)
		buf_putc(&raw, 'n');
	buf_puts(&raw, "\"\r\n\r\nbody\r\n");
	compose_mime_part_from_raw(&b, raw.data, raw.len, NULL);
	check_header(b.data, b.len, COMPOSE_LINE_MAX);
	assert_int_equal(header_count(b.data, b.len, "Content-Type"), 1);
	assert_string_equal(b.data + b.len - 8, "\r\nbody\r\n");
	buf_free(&b);
	buf_free(&raw);
}

/* A long line in an identity body: quoted-printable, same bytes decoded. */
static void
test_raw_long_identity(void **state)
{
	struct buf raw = BUF_INIT, part = BUF_INIT, dec = BUF_INIT;
	struct buf expect = BUF_INIT;
	const char *body;
	size_t n;

	(void)state;
	buf_puts(&raw, "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\nfirst\r\n");
	for (int i = 0; i < 5000; i++)
		buf_puts(&expect, i % 3 ? "\xd8\xb3" : "= ");
	buf_putc(&expect, '\0');
	buf_puts(&expect, "\r\nlast\r\n");
	buf_append(&raw, expect.data, expect.len);
	assert_int_equal(compose_mime_part_check(raw.data, raw.len), 1);
	compose_mime_part_from_raw(&part, raw.data, raw.len, NULL);
	assert_memory_equal(part.data,
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\nfirst\r\n", 95);
	body = part_body(&part, &n);
	check_lines(body, n, COMPOSE_QP_LINE);
	qp_decode(&dec, body, n);
	assert_int_equal(dec.len, 7 + expect.len);
	assert_memory_equal(dec.data + 7, expect.data, expect.len);
	buf_free(&raw);
	buf_free(&part);
	buf_free(&dec);
	buf_free(&expect);
}

static void
test_raw_long_base64(void **state)
{
	struct buf raw = BUF_INIT, part = BUF_INIT, flat = BUF_INIT;
	const char *body;
	size_t n;

	(void)state;
	buf_puts(&raw, "Content-Type: application/pdf\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n");
	for (int i = 0; i < 3000; i++)
		buf_putc(&raw, "QUJDRA+/"[i % 8]);
	buf_puts(&raw, "==\r\n");
	compose_mime_part_from_raw(&part, raw.data, raw.len, NULL);
	body = part_body(&part, &n);
	check_lines(body, n, COMPOSE_B64_LINE);
	for (size_t i = 0; i < n; i++)
		if (body[i] != '\r' && body[i] != '\n')
			buf_putc(&flat, body[i]);
	assert_int_equal(flat.len, 3002);
	assert_memory_equal(flat.data, raw.data + raw.len - 3004, 3002);
	assert_non_null(strstr(part.data, "Content-Transfer-Encoding: base64\r\n"));
	buf_free(&raw);
	buf_free(&part);
	buf_free(&flat);
}

static void
test_raw_long_qp(void **state)
{
	struct buf raw = BUF_INIT, part = BUF_INIT, d1 = BUF_INIT;
	struct buf d2 = BUF_INIT;
	const char *body;
	size_t n, off;

	(void)state;
	buf_puts(&raw, "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	off = raw.len;
	for (int i = 0; i < 2000; i++)
		buf_puts(&raw, i % 2 ? "=C3=A9" : "ab");
	buf_puts(&raw, "=\r\nend\r\n");
	compose_mime_part_from_raw(&part, raw.data, raw.len, NULL);
	body = part_body(&part, &n);
	check_lines(body, n, COMPOSE_QP_LINE);
	qp_decode(&d1, raw.data + off, raw.len - off);
	qp_decode(&d2, body, n);
	assert_int_equal(d1.len, d2.len);
	assert_memory_equal(d1.data, d2.data, d1.len);
	buf_free(&raw);
	buf_free(&part);
	buf_free(&d1);
	buf_free(&d2);
}

/* A multipart that needs mending can only be offered as text. */
static void
test_raw_multipart_long(void **state)
{
	struct buf raw = BUF_INIT, part = BUF_INIT;

	(void)state;
	buf_puts(&raw, "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	    "--b\r\n\r\n");
	for (int i = 0; i < 1500; i++)
		buf_putc(&raw, 'x');
	buf_puts(&raw, "\r\n--b--\r\n");
	assert_int_equal(compose_mime_part_check(raw.data, raw.len), 0);
	compose_mime_part_from_raw(&part, raw.data, raw.len, NULL);
	assert_memory_equal(part.data, TEXT_HEAD("quoted-printable"),
	    strlen(TEXT_HEAD("quoted-printable")));
	check_lines(part.data, part.len, COMPOSE_QP_LINE);
	/* a sane multipart is kept as it is */
	buf_reset(&raw);
	buf_puts(&raw, "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	    "--b\r\n\r\nx\r\n--b--\r\n");
	buf_reset(&part);
	compose_mime_part_from_raw(&part, raw.data, raw.len, NULL);
	assert_string_equal(part.data, raw.data);
	assert_int_equal(compose_mime_part_check(raw.data, raw.len), 1);
	buf_free(&raw);
	buf_free(&part);
}

/* Every corpus message gives a part with sane lines. */
static void
test_raw_corpus_all(void **state)
{
	static const char *const names[] = { "apple-flowed-fr.eml",
	    "ar-cp1256-b64.eml", "ar-utf8-gmail-reply.eml",
	    "attachment-rfc2231.eml", "auto-reply-ooo.eml",
	    "boundary-never-present.eml", "crash-boundary-quote.eml",
	    "digest-reply.eml", "dsn-bounce.eml", "fr-latin1-qp.eml",
	    "header-injection-2047.eml", "html-only-xss.eml",
	    "outlook-reply-no-refs.eml", "request-subscribe.eml" };
	struct buf raw = BUF_INIT, part = BUF_INIT;
	size_t off;

	(void)state;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		buf_reset(&raw);
		buf_reset(&part);
		if (corpus_read(names[i], &raw) == -1)
			skip();
		compose_mime_part_from_raw(&part, raw.data, raw.len, NULL);
		off = check_header(part.data, part.len, COMPOSE_LINE_MAX);
		check_lines(part.data, part.len, COMPOSE_LINE_MAX);
		assert_int_equal(header_count(part.data, part.len,
		    "Content-Type"), 1);
		/* corpus bodies are clean: copied byte for byte */
		assert_int_equal(part.len - off, raw.len -
		    header_body_offset(raw.data, raw.len));
	}
	buf_free(&raw);
	buf_free(&part);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_message_id),
		cmocka_unit_test(test_copy_exact),
		cmocka_unit_test(test_copy_no_parent_no_token),
		cmocka_unit_test(test_copy_french),
		cmocka_unit_test(test_copy_arabic),
		cmocka_unit_test(test_copy_injection),
		cmocka_unit_test(test_copy_slug_once),
		cmocka_unit_test(test_copy_policy),
		cmocka_unit_test(test_copy_references),
		cmocka_unit_test(test_copy_long_values),
		cmocka_unit_test(test_copy_limits),
		cmocka_unit_test(test_system),
		cmocka_unit_test(test_system_minimal_hostile),
		cmocka_unit_test(test_text_part),
		cmocka_unit_test(test_text_part_qp),
		cmocka_unit_test(test_raw_corpus_qp),
		cmocka_unit_test(test_raw_corpus_boundary),
		cmocka_unit_test(test_raw_no_content_type),
		cmocka_unit_test(test_raw_fields),
		cmocka_unit_test(test_raw_long_identity),
		cmocka_unit_test(test_raw_long_base64),
		cmocka_unit_test(test_raw_long_qp),
		cmocka_unit_test(test_raw_multipart_long),
		cmocka_unit_test(test_raw_corpus_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
