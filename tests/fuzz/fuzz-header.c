/*
 * libFuzzer target for header, address, subject, quote and html2text code.
 * The input is a flags byte, then parts split at FUZZ_SEP: a header block,
 * an address, a subject, a plain-text body, an HTML body and a group slug.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/buf.h"
#include "mail/address.h"
#include "mail/charset.h"
#include "mail/header.h"
#include "mail/html2text.h"
#include "daemon/quote.h"
#include "mail/rfc2047.h"
#include "mail/subject.h"
#include "tests/fuzz/fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_DOMAIN	"lists.example.org"

enum { P_HEADER, P_ADDR, P_SUBJECT, P_TEXT, P_HTML, P_SLUG, P_COUNT };

static int
fuzz_same(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && (a->len == 0 ||
	    memcmp(a->data, b->data, a->len) == 0);
}

/* A space-separated list of ids as header_msgids writes them; returns how
 * many. */
static int
fuzz_ids(const struct buf *b)
{
	const char *s = buf_cstr(b);
	int n = 0;

	while (*s != '\0') {
		size_t len = strcspn(s, " ");
		if (len == 0 || len > HEADER_MSGID_MAX)
			fuzz_fail("header_msgids: id length");
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)s[i] <= ' ' ||
			    (unsigned char)s[i] >= 0x7f ||
			    strchr("<>\"\\", s[i]) != NULL)
				fuzz_fail("header_msgids: id byte");
		n++;
		s += len;
		if (*s == ' ' && *++s == '\0')
			fuzz_fail("header_msgids: trailing space");
	}
	return n;
}

/* Every field lies inside the block, positions only advance, unfolded
 * values have no CR/LF or surrounding blanks, Message-ID lists are clean. */
static void
fuzz_header(const struct fuzz_part *part, int max)
{
	const char *m = part->p;
	size_t len = part->n, pos = 0, last = 0, body;
	struct header_field f;
	struct buf v = BUF_INIT, ids = BUF_INIT;
	int nfields = 0;

	while (header_next(m, len, &pos, &f)) {
		if (pos <= last || pos > len)
			fuzz_fail("header_next: position");
		last = pos;
		if (f.name < m || f.name + f.name_len > m + len ||
		    f.value < f.name + f.name_len || f.value + f.value_len > m + len)
			fuzz_fail("header_next: field outside the block");
		/* A line without a colon followed by a continuation line is
		 * read as one field whose name spans the fold: harmless, as
		 * no such name matches a real one. */
		if (memchr(f.name, ':', f.name_len) != NULL)
			fuzz_fail("header_next: colon in name");
		buf_reset(&v);
		header_unfold(&v, f.value, f.value_len);
		if (v.len > 0 && (memchr(v.data, '\r', v.len) != NULL ||
		    memchr(v.data, '\n', v.len) != NULL || v.data[0] == ' ' ||
		    v.data[v.len - 1] == ' '))
			fuzz_fail("header_unfold: CR, LF or blank left");
		buf_reset(&ids);
		int n = header_msgids(&ids, f.value, f.value_len, max);
		if (n < 0 || n > max || n > HEADER_REFS_MAX * 2 ||
		    fuzz_ids(&ids) != n)
			fuzz_fail("header_msgids: count");
		nfields++;
	}
	body = header_body_offset(m, len);
	if (body > len || body < last)
		fuzz_fail("header_body_offset");
	if (nfields > 0) {
		pos = 0;
		header_next(m, len, &pos, &f);
		char *name = strndup(f.name, f.name_len);
		if (name == NULL)
			abort();
		if (strlen(name) == f.name_len &&
		    (header_count(m, len, name) < 1 ||
		    header_get(m, len, name, &v) != 1))
			fuzz_fail("header_count/header_get miss the first field");
		free(name);
	}
	buf_free(&v);
	buf_free(&ids);
}

/* An address as the parsers return it: no control, blank or bracket. */
static int
fuzz_addr_clean(const struct buf *a)
{
	for (size_t i = 0; i < a->len; i++) {
		unsigned char c = (unsigned char)a->data[i];
		if (c < 0x20 || c == 0x7f)
			return 0;
	}
	return 1;
}

static void
fuzz_address(const struct fuzz_part *part)
{
	struct buf name = BUF_INIT, addr = BUF_INIT, norm = BUF_INIT;
	struct buf norm2 = BUF_INIT, fmt = BUF_INIT;
	struct list_address la;
	const char *rest = NULL;
	char *s = fuzz_cstr(part);

	if (address_parse_mailbox(s, &name, &addr) == 0) {
		if (addr.len == 0 || !fuzz_addr_clean(&addr))
			fuzz_fail("address_parse_mailbox: address");
		if (!fuzz_addr_clean(&name))
			fuzz_fail("address_parse_mailbox: control in name");
	} else if (name.len != 0 || addr.len != 0)
		fuzz_fail("address_parse_mailbox: -1 left output");

	if (address_parse_path(s, &addr, &rest) == 0) {
		if (rest == NULL || rest < s || rest > s + strlen(s))
			fuzz_fail("address_parse_path: rest");
		if (addr.len > ADDRESS_MAX_LEN || !fuzz_addr_clean(&addr))
			fuzz_fail("address_parse_path: address");
		for (size_t i = 0; i < addr.len; i++)
			if ((unsigned char)addr.data[i] >= 0x80)
				fuzz_fail("address_parse_path: 8-bit");
		if (addr.len > 0 && strcasecmp(addr.data, "postmaster") != 0 &&
		    !address_valid(addr.data))
			fuzz_fail("address_parse_path: not address_valid");
	} else if (addr.len != 0)
		fuzz_fail("address_parse_path: -1 left output");

	address_normalize(&norm, s);
	address_normalize(&norm2, buf_cstr(&norm));
	if (!fuzz_same(&norm, &norm2))
		fuzz_fail("address_normalize not idempotent");
	if (strlen(s) == norm.len && !address_equal(s, buf_cstr(&norm)))
		fuzz_fail("address_equal(a, normalize(a)) is 0");

	if (address_list_split(s, FUZZ_DOMAIN, &la) == 0) {
		address_list_format(&fmt, la.slug, la.kind, la.token, FUZZ_DOMAIN);
		if (!address_equal(buf_cstr(&fmt), s))
			fuzz_fail("address_list_format(split(a)) differs from a");
	} else if (la.slug[0] != '\0' || la.token[0] != '\0')
		fuzz_fail("address_list_split: -1 but out not zeroed");

	buf_free(&name);
	buf_free(&addr);
	buf_free(&norm);
	buf_free(&norm2);
	buf_free(&fmt);
	free(s);
}

/* Subjects are decoded display text by the time these functions see them. */
static void
fuzz_subject(const struct fuzz_part *part, const struct fuzz_part *slug_part)
{
	struct buf subj = BUF_INIT, a = BUF_INIT, b = BUF_INIT, c = BUF_INIT;
	char *slug = fuzz_cstr(slug_part);
	const char *sl = address_slug_valid(slug) ? slug : "grp";
	size_t sll = strlen(sl);

	rfc2047_decode(&subj, part->p, part->n);
	const char *s = buf_cstr(&subj);

	subject_normalize(&a, s, sl);
	if (!charset_utf8_valid(buf_cstr(&a), a.len))
		fuzz_fail("subject_normalize: invalid UTF-8");
	subject_normalize(&b, buf_cstr(&a), sl);
	if (!fuzz_same(&a, &b))
		fuzz_fail("subject_normalize not idempotent");

	subject_for_list(&a, s, sl);
	if (!fuzz_display_ok(buf_cstr(&a), a.len))
		fuzz_fail("subject_for_list: not display text");
	const char *t = buf_cstr(&a);
	if (strncmp(t, "Re: ", 4) == 0)
		t += 4;
	if (t[0] != '[' || strncmp(t + 1, sl, sll) != 0 || t[sll + 1] != ']' ||
	    t[sll + 2] != ' ')
		fuzz_fail("subject_for_list: no leading [slug] tag");
	subject_for_list(&b, buf_cstr(&a), sl);
	if (!fuzz_same(&a, &b))
		fuzz_fail("subject_for_list not idempotent");
	if ((strncmp(buf_cstr(&a), "Re: ", 4) == 0) != subject_is_reply(s))
		fuzz_fail("subject_for_list and subject_is_reply disagree");
	/* A subject of prefixes only becomes "(no subject)": not compared. */
	subject_normalize(&b, s, sl);
	if (b.len > 0) {
		subject_normalize(&c, buf_cstr(&a), sl);
		if (!fuzz_same(&b, &c))
			fuzz_fail("the list's subject threads apart");
	}
	buf_free(&subj);
	buf_free(&a);
	buf_free(&b);
	buf_free(&c);
	free(slug);
}

/* Spans cover the text in order, with no empty span and no two adjacent
 * spans of one kind. */
static void
fuzz_quote(const struct fuzz_part *part, size_t max)
{
	struct quote_span spans[QUOTE_MAX_SPANS + 8];
	size_t n, at = 0;

	n = quote_split(part->p, part->n, spans, max);
	if (n > max || n > QUOTE_MAX_SPANS)
		fuzz_fail("quote_split: too many spans");
	if ((n == 0) != (part->n == 0 || max == 0))
		fuzz_fail("quote_split: no span for a text");
	for (size_t i = 0; i < n; i++) {
		if (spans[i].start != at || spans[i].len == 0)
			fuzz_fail("quote_split: spans not contiguous");
		if (spans[i].kind != QUOTE_TEXT && spans[i].kind != QUOTE_QUOTED &&
		    spans[i].kind != QUOTE_SIGNATURE)
			fuzz_fail("quote_split: kind");
		if (i > 0 && spans[i].kind == spans[i - 1].kind)
			fuzz_fail("quote_split: adjacent spans of one kind");
		at += spans[i].len;
	}
	if (n > 0 && at != part->n)
		fuzz_fail("quote_split: spans do not cover the text");
}

/* html2text takes UTF-8 (the parser converts first); raw bytes only when
 * raw is set, to check that it does not misbehave on them either. */
static void
fuzz_html(const struct fuzz_part *part, int raw)
{
	struct buf out = BUF_INIT, utf8 = BUF_INIT;

	if (raw)
		buf_append(&utf8, part->p, part->n);
	else
		charset_utf8_repair(&utf8, part->p, part->n);
	html2text(&out, buf_cstr(&utf8), utf8.len);
	if (!raw && !charset_utf8_valid(buf_cstr(&out), out.len))
		fuzz_fail("html2text: invalid UTF-8");
	if (out.len > 0 && memchr(out.data, '\r', out.len) != NULL)
		fuzz_fail("html2text: CR in output");
	buf_free(&out);
	buf_free(&utf8);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part parts[P_COUNT];
	unsigned flags;

	if (size < 1)
		return 0;
	flags = data[0];
	fuzz_split(data + 1, size - 1, parts, P_COUNT);
	fuzz_header(&parts[P_HEADER], (int)(flags % 45));
	fuzz_address(&parts[P_ADDR]);
	fuzz_subject(&parts[P_SUBJECT], &parts[P_SLUG]);
	fuzz_quote(&parts[P_TEXT], flags % 72);
	fuzz_html(&parts[P_HTML], (flags & 0x80) != 0);
	return 0;
}
