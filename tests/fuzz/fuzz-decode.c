/*
 * libFuzzer target for the decoders: RFC 2047 (decode, and encode/decode
 * round trips), RFC 2231 parameters and safe file names, charset conversion
 * and format=flowed. The input is a flags byte, then parts split at FUZZ_SEP.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/buf.h"
#include "mail/address.h"
#include "mail/charset.h"
#include "mail/flowed.h"
#include "mail/rfc2047.h"
#include "mail/rfc2231.h"
#include "tests/fuzz/fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_MAX_PARAMS	80	/* more than parser.c passes (64) */

enum { P_2047, P_LABEL, P_BYTES, P_PARAMS, P_FLOWED, P_COUNT };

/*
 * An encoder's header value: printable ASCII, folds "\r\n " only, lines
 * (the first one after `used` columns) at most RFC2047_LINE_MAX, encoded
 * words at most RFC2047_WORD_MAX.
 */
static void
fuzz_check_header_value(const struct buf *b, size_t used)
{
	size_t col = used, word = 0;
	int in_ew = 0;

	for (size_t i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->data[i];
		if (c == '\r') {
			if (i + 2 >= b->len || b->data[i + 1] != '\n' ||
			    b->data[i + 2] != ' ')
				fuzz_fail("rfc2047: CR not in a fold");
			i++;
			col = 0;
			word = 0;
			in_ew = 0;
			continue;
		}
		if (c < 0x20 || c >= 0x7f)
			fuzz_fail("rfc2047: byte not printable ASCII");
		if (++col > RFC2047_LINE_MAX)
			fuzz_fail("rfc2047: line too long");
		if (c == ' ') {
			word = 0;
			in_ew = 0;
			continue;
		}
		if (word == 0 && c == '=' && i + 1 < b->len &&
		    b->data[i + 1] == '?')
			in_ew = 1;
		if (++word > RFC2047_WORD_MAX && in_ew)
			fuzz_fail("rfc2047: encoded-word too long");
	}
}

/* rfc2047_decode of any value is display text; rfc2047_encode of a string
 * decodes back to the string as charset_display cleans it. */
static void
fuzz_rfc2047(const struct fuzz_part *part, size_t used)
{
	struct buf dec = BUF_INIT, clean = BUF_INIT, enc = BUF_INIT;
	struct buf back = BUF_INIT;
	char *s = fuzz_cstr(part);

	rfc2047_decode(&dec, part->p, part->n);
	if (!fuzz_display_ok(buf_cstr(&dec), dec.len))
		fuzz_fail("rfc2047_decode: not display text");

	charset_display(&clean, s, strlen(s));
	if (!fuzz_display_ok(buf_cstr(&clean), clean.len))
		fuzz_fail("charset_display: not display text");
	rfc2047_encode(&enc, s, used);
	fuzz_check_header_value(&enc, used);
	rfc2047_decode(&back, buf_cstr(&enc), enc.len);
	if (back.len != clean.len ||
	    (clean.len > 0 && memcmp(back.data, clean.data, clean.len) != 0))
		fuzz_fail("rfc2047_encode does not round-trip");

	/* The decoded text, encoded again, also comes back. */
	buf_reset(&enc);
	buf_reset(&back);
	rfc2047_encode(&enc, buf_cstr(&dec), used);
	fuzz_check_header_value(&enc, used);
	rfc2047_decode(&back, buf_cstr(&enc), enc.len);
	if (back.len != dec.len ||
	    (dec.len > 0 && memcmp(back.data, dec.data, dec.len) != 0))
		fuzz_fail("rfc2047_encode of decoded text does not round-trip");

	buf_free(&dec);
	buf_free(&clean);
	buf_free(&enc);
	buf_free(&back);
	free(s);
}

/* rfc2047_encode_phrase in "Phrase <addr>": address_parse_mailbox finds the
 * address and a name that decodes back to the cleaned text. */
static void
fuzz_phrase(const struct fuzz_part *part)
{
	struct buf clean = BUF_INIT, hdr = BUF_INIT, name = BUF_INIT;
	struct buf addr = BUF_INIT, back = BUF_INIT;
	char *s = fuzz_cstr(part);

	charset_display(&clean, s, strlen(s));
	rfc2047_encode_phrase(&hdr, s);
	fuzz_check_header_value(&hdr, 0);
	buf_puts(&hdr, " <a@example.org>");
	if (address_parse_mailbox(buf_cstr(&hdr), &name, &addr) != 0)
		fuzz_fail("phrase: mailbox not found");
	if (strcmp(buf_cstr(&addr), "a@example.org") != 0)
		fuzz_fail("phrase: wrong address");
	rfc2047_decode(&back, buf_cstr(&name), name.len);
	if (back.len != clean.len ||
	    (clean.len > 0 && memcmp(back.data, clean.data, clean.len) != 0))
		fuzz_fail("rfc2047_encode_phrase does not round-trip");
	buf_free(&clean);
	buf_free(&hdr);
	buf_free(&name);
	buf_free(&addr);
	buf_free(&back);
	free(s);
}

/* UTF-8 helpers agree with each other; conversions give valid UTF-8. */
static void
fuzz_charset(const struct fuzz_part *label_part, const struct fuzz_part *in)
{
	struct buf out = BUF_INIT, rep = BUF_INIT, rep2 = BUF_INIT;
	char *label = fuzz_cstr(label_part);
	int valid = 1, ret;

	for (size_t i = 0, k; i < in->n; i += k ? k : 1)
		if ((k = charset_utf8_seqlen(in->p + i, in->n - i)) == 0)
			valid = 0;
	if (valid != charset_utf8_valid(in->p, in->n))
		fuzz_fail("charset_utf8_seqlen and charset_utf8_valid disagree");

	charset_utf8_repair(&rep, in->p, in->n);
	if (!charset_utf8_valid(buf_cstr(&rep), rep.len))
		fuzz_fail("charset_utf8_repair: invalid UTF-8");
	if (valid && (rep.len != in->n ||
	    (in->n > 0 && memcmp(rep.data, in->p, in->n) != 0)))
		fuzz_fail("charset_utf8_repair changed valid UTF-8");
	charset_utf8_repair(&rep2, buf_cstr(&rep), rep.len);
	if (rep2.len != rep.len ||
	    (rep.len > 0 && memcmp(rep2.data, rep.data, rep.len) != 0))
		fuzz_fail("charset_utf8_repair not idempotent");

	ret = charset_to_utf8(&out, label, in->p, in->n);
	if (!charset_utf8_valid(buf_cstr(&out), out.len))
		fuzz_fail("charset_to_utf8: invalid UTF-8");
	if (charset_canonical(label) == NULL && ret != -1)
		fuzz_fail("charset_to_utf8: unknown label accepted");
	if (ret == -1 && (out.len != rep.len ||
	    (rep.len > 0 && memcmp(out.data, rep.data, rep.len) != 0)))
		fuzz_fail("charset_to_utf8: unknown label, not repaired UTF-8");
	buf_reset(&out);
	charset_to_utf8(&out, "UTF-8", in->p, in->n);
	if (out.len != rep.len ||
	    (rep.len > 0 && memcmp(out.data, rep.data, rep.len) != 0))
		fuzz_fail("charset_to_utf8(UTF-8) differs from repair");

	buf_free(&out);
	buf_free(&rep);
	buf_free(&rep2);
	free(label);
}

/* A safe file name: valid UTF-8, no path or reserved character, no control,
 * no bidi control, no dot or space at either end, not empty, not too long. */
static void
fuzz_check_filename(const struct buf *f)
{
	const char *s = buf_cstr(f);

	if (f->len == 0 || f->len > RFC2231_FILENAME_MAX)
		fuzz_fail("filename: length");
	/* Removing a bidi control may leave two spaces in a row: allowed. */
	if (!fuzz_no_controls(buf_cstr(f), f->len) || s[0] == ' ' ||
	    s[f->len - 1] == ' ')
		fuzz_fail("filename: control or space at an end");
	if (strpbrk(s, "/\\<>:\"|?*") != NULL)
		fuzz_fail("filename: reserved character");
	if (s[0] == '.' || s[f->len - 1] == '.')
		fuzz_fail("filename: dot at an end");
	if (strstr(s, "\xe2\x80\xae") != NULL || strstr(s, "\xe2\x80\x8f") != NULL
	    || strstr(s, "\xe2\x81\xa7") != NULL || strstr(s, "\xd8\x9c") != NULL)
		fuzz_fail("filename: bidi control");
}

/* Parameters from "name=value" lines (a line without '=' has a NULL value,
 * an empty line a NULL name); look up a few names. */
static void
fuzz_rfc2231(const struct fuzz_part *part)
{
	struct rfc2231_param params[FUZZ_MAX_PARAMS];
	struct buf out = BUF_INIT, safe = BUF_INIT;
	char *s = fuzz_cstr(part), *line = s, *first = NULL;
	size_t n = 0;

	while (line != NULL && n < FUZZ_MAX_PARAMS) {
		char *nl = strchr(line, '\n'), *eq;
		if (nl != NULL)
			*nl++ = '\0';
		if ((eq = strchr(line, '=')) != NULL)
			*eq++ = '\0';
		params[n].name = *line ? line : NULL;
		params[n].value = eq;
		if (first == NULL && *line)
			first = line;
		n++;
		line = nl;
	}
	const char *names[] = { "filename", "name", first ? first : "x" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char lookup[256];
		size_t k = strcspn(names[i], "*");
		if (k >= sizeof lookup)
			k = sizeof lookup - 1;
		memcpy(lookup, names[i], k);
		lookup[k] = '\0';
		buf_reset(&out);
		buf_puts(&out, "#");
		if (rfc2231_lookup(&out, params, n, lookup) == -1) {
			if (out.len != 1)
				fuzz_fail("rfc2231_lookup: -1 but out changed");
		} else if (!fuzz_display_ok(out.data + 1, out.len - 1))
			fuzz_fail("rfc2231_lookup: not display text");
		buf_reset(&safe);
		rfc2231_safe_filename(&safe, buf_cstr(&out) + 1);
		fuzz_check_filename(&safe);
	}
	buf_reset(&safe);
	rfc2231_safe_filename(&safe, s);
	fuzz_check_filename(&safe);
	buf_free(&out);
	buf_free(&safe);
	free(s);
}

/* format=flowed: lines end in "\n", output stays linear and valid UTF-8
 * when the input was. */
static void
fuzz_flowed(const struct fuzz_part *part, int delsp)
{
	struct buf out = BUF_INIT;

	flowed_decode(&out, part->p, part->n, delsp);
	if (out.len > 0 && out.data[out.len - 1] != '\n')
		fuzz_fail("flowed: last line not ended");
	if (out.len > 2 * part->n + 1)
		fuzz_fail("flowed: output not linear");
	if (charset_utf8_valid(part->p, part->n) &&
	    !charset_utf8_valid(buf_cstr(&out), out.len))
		fuzz_fail("flowed: broke UTF-8");
	buf_free(&out);
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
	fuzz_rfc2047(&parts[P_2047], flags & 0x7f);
	fuzz_phrase(&parts[P_2047]);
	fuzz_charset(&parts[P_LABEL], &parts[P_BYTES]);
	fuzz_rfc2231(&parts[P_PARAMS]);
	fuzz_flowed(&parts[P_FLOWED], (flags & 0x80) != 0);
	return 0;
}
