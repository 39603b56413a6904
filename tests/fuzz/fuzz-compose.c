/*
 * libFuzzer target for mail/compose.c: text parts, system messages and the
 * part kept from a raw message, built from fuzzed strings. Output must be
 * CRLF lines of at most COMPOSE_LINE_MAX bytes with exactly the header
 * fields expected, and the text must come back out unchanged.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/buf.h"
#include "daemon/store_group.h"
#include "mail/address.h"
#include "mail/charset.h"
#include "mail/compose.h"
#include "mail/header.h"
#include "mail/rfc2047.h"
#include "tests/fuzz/fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

enum { P_TEXT, P_SUBJECT, P_FROM_NAME, P_FROM_ADDR, P_TO, P_REPLY_TO,
    P_DOMAIN, P_LIST_ID, P_IRT, P_DATE, P_RAW, P_COUNT };

#define FUZZ_MAX_FIELDS	32

static int
fuzz_same(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

/* Every line of out ends in CRLF (no other CR or LF) and has at most
 * COMPOSE_LINE_MAX bytes; the header block (up to the first empty line) is
 * printable ASCII, TAB and SP. Returns the offset of the body. */
static size_t
fuzz_check_lines(const struct buf *out)
{
	size_t col = 0, body = 0;
	int in_header = 1;

	if (out->len < 2 || memcmp(out->data + out->len - 2, "\r\n", 2) != 0)
		fuzz_fail("compose: output does not end in CRLF");
	for (size_t i = 0; i < out->len; i++) {
		unsigned char c = (unsigned char)out->data[i];
		if (c == '\r') {
			if (i + 1 >= out->len || out->data[i + 1] != '\n')
				fuzz_fail("compose: bare CR");
			if (in_header && col == 0) {
				in_header = 0;
				body = i + 2;
			}
			i++;
			col = 0;
			continue;
		}
		if (c == '\n')
			fuzz_fail("compose: bare LF");
		if (++col > COMPOSE_LINE_MAX)
			fuzz_fail("compose: line too long");
		if (in_header && c != '\t' && (c < ' ' || c >= 0x7f))
			fuzz_fail("compose: header byte not printable ASCII");
	}
	if (in_header)
		fuzz_fail("compose: no end of header");
	return body;
}

/* The field names of the header block, in order, must be exactly want
 * (NULL-terminated). */
static void
fuzz_check_names(const struct buf *out, const char *const *want)
{
	struct header_field f;
	size_t pos = 0, i = 0;

	while (header_next(out->data, out->len, &pos, &f)) {
		if (want[i] == NULL || !header_is(&f, want[i]) ||
		    strncmp(f.name, want[i], f.name_len) != 0)
			fuzz_fail("compose: unexpected header field");
		i++;
	}
	if (want[i] != NULL)
		fuzz_fail("compose: header field missing");
}

static void
fuzz_qp_decode(struct buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '=' && i + 2 < n && s[i + 1] == '\r' &&
		    s[i + 2] == '\n') {
			i += 2;
			continue;
		}
		if (s[i] == '=') {
			char hex[3] = { 0 };
			if (i + 2 >= n)
				fuzz_fail("compose: truncated =XX");
			hex[0] = s[i + 1];
			hex[1] = s[i + 2];
			if (strspn(hex, "0123456789ABCDEF") != 2)
				fuzz_fail("compose: bad =XX");
			buf_putc(out, (char)strtol(hex, NULL, 16));
			i += 2;
			continue;
		}
		if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') {
			buf_putc(out, '\n');
			i++;
			continue;
		}
		buf_putc(out, s[i]);
	}
}

/*
 * The body of a text part (starting at body in out) decodes back to text:
 * CRLF and LF as line ends, a final line end added. cte is the value of
 * Content-Transfer-Encoding found in the header.
 */
static void
fuzz_check_text_body(const struct buf *out, size_t body, const char *text)
{
	struct buf want = BUF_INIT, got = BUF_INIT, cte = BUF_INIT, ct = BUF_INIT;
	size_t n = strlen(text), hlen = body;
	int ascii = 1;

	for (size_t i = 0; i < n; i++) {
		ascii &= (unsigned char)text[i] < 0x80;
		if (text[i] == '\r' && i + 1 < n && text[i + 1] == '\n')
			continue;
		buf_putc(&want, text[i]);
	}
	if (want.len > 0 && want.data[want.len - 1] != '\n')
		buf_putc(&want, '\n');

	if (!header_get(out->data, hlen, "Content-Type", &ct) ||
	    strcmp(buf_cstr(&ct), "text/plain; charset=utf-8") != 0)
		fuzz_fail("compose: text part Content-Type");
	if (!header_get(out->data, hlen, "Content-Transfer-Encoding", &cte))
		fuzz_fail("compose: no Content-Transfer-Encoding");
	const char *c = buf_cstr(&cte);
	if (strcmp(c, "quoted-printable") == 0)
		fuzz_qp_decode(&got, out->data + body, out->len - body);
	else if ((strcmp(c, "7bit") == 0 && ascii) ||
	    (strcmp(c, "8bit") == 0 && !ascii)) {
		for (size_t i = body; i < out->len; i++)
			if (out->data[i] != '\r')
				buf_putc(&got, out->data[i]);
	} else
		fuzz_fail("compose: wrong Content-Transfer-Encoding");
	if (!fuzz_same(got.data, got.len, want.data, want.len))
		fuzz_fail("compose: text part does not decode to the text");
	buf_free(&want);
	buf_free(&got);
	buf_free(&cte);
	buf_free(&ct);
}

/* A part's string: the bytes up to a NUL, UTF-8 repaired. */
static char *
fuzz_utf8(const struct fuzz_part *part)
{
	struct buf b = BUF_INIT;

	charset_utf8_repair(&b, part->p, strnlen(part->p, part->n));
	return buf_steal(&b);
}

static void
fuzz_text_part(const char *text)
{
	static const char *const want[] = { "Content-Type",
	    "Content-Transfer-Encoding", NULL };
	struct buf out = BUF_INIT;
	size_t body;

	compose_mime_part_text(&out, text);
	body = fuzz_check_lines(&out);
	fuzz_check_names(&out, want);
	fuzz_check_text_body(&out, body, text);
	buf_free(&out);
}

/* The display text of s cut to max bytes, as compose cuts it. */
static void
fuzz_display_cut(struct buf *out, const char *s, size_t max)
{
	size_t n;

	charset_display(out, s, strlen(s));
	if (out->len <= max)
		return;
	n = max;
	while (n > 0 && ((unsigned char)out->data[n] & 0xc0) == 0x80)
		n--;
	/* the encoder cleans the cut text again: no trailing space */
	while (n > 0 && out->data[n - 1] == ' ')
		n--;
	buf_truncate(out, n);
}

static void
fuzz_check_subject(const struct buf *out, size_t hlen, const char *subject)
{
	struct buf v = BUF_INIT, dec = BUF_INIT, want = BUF_INIT;

	if (!header_get(out->data, hlen, "Subject", &v))
		fuzz_fail("compose_system: no Subject");
	rfc2047_decode(&dec, buf_cstr(&v), v.len);
	fuzz_display_cut(&want, subject, COMPOSE_SUBJECT_MAX);
	if (!fuzz_same(dec.data, dec.len, want.data, want.len))
		fuzz_fail("compose_system: Subject does not decode back");
	buf_free(&v);
	buf_free(&dec);
	buf_free(&want);
}

/* The From display name decodes back; a plain valid address comes back. */
static void
fuzz_check_from(const struct buf *out, size_t hlen, const char *name,
    const char *addr)
{
	struct buf v = BUF_INIT, pn = BUF_INIT, pa = BUF_INIT, dec = BUF_INIT;
	struct buf want = BUF_INIT, norm = BUF_INIT;
	int plain = address_valid(addr) && strpbrk(addr, "\"\\(),:;<>[]") == NULL;

	if (!header_get(out->data, hlen, "From", &v))
		fuzz_fail("compose_system: no From");
	if (address_parse_mailbox(buf_cstr(&v), &pn, &pa) == 0) {
		rfc2047_decode(&dec, buf_cstr(&pn), pn.len);
		fuzz_display_cut(&want, name, GROUP_NAME_MAX);
		if (!fuzz_same(dec.data, dec.len, want.data, want.len))
			fuzz_fail("compose_system: From name does not decode back");
		address_normalize(&norm, addr);
		if (plain && strcmp(buf_cstr(&pa), buf_cstr(&norm)) != 0)
			fuzz_fail("compose_system: From address changed");
	} else if (plain)
		fuzz_fail("compose_system: From with a valid address unreadable");
	buf_free(&v);
	buf_free(&pn);
	buf_free(&pa);
	buf_free(&dec);
	buf_free(&want);
	buf_free(&norm);
}

static void
fuzz_system(struct fuzz_part *parts, unsigned flags)
{
	char *s[P_COUNT];
	const char *want[FUZZ_MAX_FIELDS];
	struct compose_system cs;
	struct buf out = BUF_INIT, irt = BUF_INIT;
	size_t body, w = 0;
	int64_t date = 0;

	for (int i = 0; i < P_COUNT; i++)
		s[i] = fuzz_utf8(&parts[i]);
	if (parts[P_DATE].n >= sizeof date)
		memcpy(&date, parts[P_DATE].p, sizeof date);
	memset(&cs, 0, sizeof cs);
	cs.from_name = (flags & 2) ? NULL : s[P_FROM_NAME];
	cs.from_addr = s[P_FROM_ADDR];
	cs.to = s[P_TO];
	cs.reply_to = (flags & 4) ? NULL : s[P_REPLY_TO];
	cs.subject = s[P_SUBJECT];
	cs.text = s[P_TEXT];
	cs.list_domain = s[P_DOMAIN];
	cs.list_id = (flags & 8) ? NULL : s[P_LIST_ID];
	cs.in_reply_to = (flags & 16) ? NULL : s[P_IRT];
	cs.auto_submitted = flags & 1;
	cs.date = date;
	compose_system(&out, &cs);

	body = fuzz_check_lines(&out);
	want[w++] = "Date";
	want[w++] = "From";
	want[w++] = "To";
	if (cs.reply_to != NULL && *cs.reply_to != '\0')
		want[w++] = "Reply-To";
	want[w++] = "Subject";
	want[w++] = "Message-ID";
	if (header_get(out.data, body, "In-Reply-To", &irt)) {
		want[w++] = "In-Reply-To";
		want[w++] = "References";
		if (cs.in_reply_to == NULL)
			fuzz_fail("compose_system: In-Reply-To from nowhere");
	}
	if (cs.auto_submitted) {
		want[w++] = "Auto-Submitted";
		want[w++] = "X-Auto-Response-Suppress";
	}
	if (cs.list_id != NULL && *cs.list_id != '\0')
		want[w++] = "List-Id";
	want[w++] = "MIME-Version";
	want[w++] = "Content-Type";
	want[w++] = "Content-Transfer-Encoding";
	want[w] = NULL;
	fuzz_check_names(&out, want);
	fuzz_check_subject(&out, body, s[P_SUBJECT]);
	fuzz_check_from(&out, body, cs.from_name ? cs.from_name : "",
	    cs.from_addr);
	fuzz_check_text_body(&out, body, s[P_TEXT]);

	buf_free(&out);
	buf_free(&irt);
	for (int i = 0; i < P_COUNT; i++)
		free(s[i]);
}

/* The unfolded value of field name in the header block m[0..n), blanks
 * trimmed on both sides (0 when there is no such field). */
static int
fuzz_field(const char *m, size_t n, const char *name, struct buf *v)
{
	struct header_field f;
	size_t pos = 0, start = 0;

	buf_reset(v);
	while (header_next(m, n, &pos, &f)) {
		if (!header_is(&f, name))
			continue;
		for (size_t i = 0; i < f.value_len; i++)
			if (f.value[i] != '\r' && f.value[i] != '\n')
				buf_putc(v, f.value[i]);
		while (start < v->len && (v->data[start] == ' ' ||
		    v->data[start] == '\t'))
			start++;
		while (v->len > start && (v->data[v->len - 1] == ' ' ||
		    v->data[v->len - 1] == '\t'))
			buf_truncate(v, v->len - 1);
		if (start > 0) {
			memmove(v->data, v->data + start, v->len - start);
			buf_truncate(v, v->len - start);
		}
		return 1;
	}
	return 0;
}

/* Is the entity m[0..n) a multipart or message with a quoted-printable or
 * base64 transfer encoding (which RFC 2045 6.4 forbids)? */
static int
fuzz_encoded_composite(const char *m, size_t n)
{
	struct buf ct = BUF_INIT, cte = BUF_INIT;
	int bad;

	bad = fuzz_field(m, n, "Content-Type", &ct) &&
	    (strncasecmp(buf_cstr(&ct), "multipart/", 10) == 0 ||
	    strncasecmp(buf_cstr(&ct), "message/", 8) == 0) &&
	    fuzz_field(m, n, "Content-Transfer-Encoding", &cte) &&
	    (strcasecmp(buf_cstr(&cte), "quoted-printable") == 0 ||
	    strcasecmp(buf_cstr(&cte), "base64") == 0);
	buf_free(&ct);
	buf_free(&cte);
	return bad;
}

/* The part kept from a raw message: CRLF lines, and only the kept fields,
 * each at most once, Content-Type first. */
static void
fuzz_raw(const struct fuzz_part *raw)
{
	static const char *const kept[] = { "Content-Type",
	    "Content-Transfer-Encoding", "Content-Disposition",
	    "Content-Language", "Content-ID" };
	struct buf out = BUF_INIT;
	struct header_field f;
	size_t pos = 0, nf = 0;
	int seen[5] = { 0 };

	compose_mime_part_check(raw->p, raw->n);
	compose_mime_part_from_raw(&out, raw->p, raw->n, NULL);
	fuzz_check_lines(&out);
	while (header_next(out.data, out.len, &pos, &f)) {
		size_t k;
		for (k = 0; k < 5; k++)
			if (header_is(&f, kept[k]) &&
			    strncmp(f.name, kept[k], f.name_len) == 0)
				break;
		if (k == 5 || seen[k]++ || (nf == 0 && k != 0))
			fuzz_fail("compose_mime_part_from_raw: header fields");
		nf++;
	}
	if (nf == 0)
		fuzz_fail("compose_mime_part_from_raw: no Content-Type");
	/* compose never encodes a multipart (one that came in so is kept) */
	if (fuzz_encoded_composite(out.data, out.len) &&
	    !fuzz_encoded_composite(raw->p, raw->n))
		fuzz_fail("compose_mime_part_from_raw: multipart encoded");
	buf_free(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part parts[P_COUNT];
	char *text;

	if (size < 1)
		return 0;
	fuzz_split(data + 1, size - 1, parts, P_COUNT);
	text = fuzz_utf8(&parts[P_TEXT]);
	fuzz_text_part(text);
	free(text);
	fuzz_system(parts, data[0]);
	fuzz_raw(&parts[P_RAW]);
	return 0;
}
