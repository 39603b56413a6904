/*
 * libFuzzer target for mail/parser.c and mail/parsed.c: the input, given the
 * shape smtpd gives messages, goes to parser_parse (our header code and
 * libetpan) when the pre-scan lets it through; the result must be clean
 * display text and survive the IPC_PARSE_RESULT codec unchanged.
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/buf.h"
#include "daemon/ipc.h"
#include "mail/charset.h"
#include "mail/header.h"
#include "mail/parsed.h"
#include "mail/parser.h"
#include "mail/prescan.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_JOB	0x0123456789abcdefULL

static void
fuzz_fail(const char *what)
{
	fprintf(stderr, "fuzz-parser: %s\n", what);
	abort();
}

/* Valid UTF-8, and for header values (body 0) no CR or LF. */
static void
fuzz_check_text(const char *what, const char *s, int body)
{
	size_t n = strlen(s);

	if (!charset_utf8_valid(s, n))
		fuzz_fail(what);
	if (!body && strpbrk(s, "\r\n") != NULL)
		fuzz_fail(what);
}

/* Number of ids in a space-separated Message-ID list (each 1 to
 * HEADER_MSGID_MAX printable ASCII bytes without <>"\\); fails on a bad
 * list. */
static int
fuzz_ids(const char *s)
{
	int n = 0;

	while (*s != '\0') {
		size_t len = strcspn(s, " ");
		if (len == 0 || len > HEADER_MSGID_MAX)
			fuzz_fail("message id length");
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)s[i] <= ' ' ||
			    (unsigned char)s[i] >= 0x7f ||
			    strchr("<>\"\\", s[i]) != NULL)
				fuzz_fail("message id byte");
		n++;
		s += len;
		if (*s == ' ' && *++s == '\0')
			fuzz_fail("message id list ends in a space");
	}
	return n;
}

static void
fuzz_check_parsed(const struct parsed *p)
{
	if (!p->ok)
		fuzz_fail("ok is 0 after PRESCAN_OK");
	fuzz_check_text("subject", p->subject, 0);
	fuzz_check_text("from_name", p->from_name, 0);
	fuzz_check_text("dsn_recipient", p->dsn_recipient, 0);
	fuzz_check_text("dsn_action", p->dsn_action, 0);
	fuzz_check_text("dsn_status", p->dsn_status, 0);
	fuzz_check_text("dsn_diagnostic", p->dsn_diagnostic, 0);
	fuzz_check_text("auto_submitted", p->auto_submitted, 0);
	fuzz_check_text("precedence", p->precedence, 0);
	fuzz_check_text("list_id", p->list_id, 0);
	fuzz_check_text("x_loop", p->x_loop, 0);
	fuzz_check_text("text", p->text, 1);
	fuzz_check_text("html", p->html, 1);
	if (fuzz_ids(p->message_id) > 1)
		fuzz_fail("message_id");
	if (fuzz_ids(p->in_reply_to) > 1)
		fuzz_fail("in_reply_to");
	if (fuzz_ids(p->references) > HEADER_REFS_MAX)
		fuzz_fail("references");
	if (strpbrk(p->from_addr, "\r\n") != NULL)
		fuzz_fail("from_addr");
	if (p->nattach > PARSED_MAX_ATTACHMENTS)
		fuzz_fail("nattach");
	for (size_t i = 0; i < p->nattach; i++) {
		const char *f = p->attach[i].filename;
		fuzz_check_text("filename", f, 0);
		if (f[0] == '\0' || f[0] == '.' || strpbrk(f, "/\\") != NULL)
			fuzz_fail("filename unsafe");
		fuzz_check_text("content_type", p->attach[i].content_type, 0);
	}
}

static int
fuzz_streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static void
fuzz_compare(const struct parsed *a, const struct parsed *b)
{
	if (a->ok != b->ok || a->date != b->date ||
	    a->auto_reply_hint != b->auto_reply_hint ||
	    a->received_count != b->received_count || a->is_dsn != b->is_dsn ||
	    a->text_from_html != b->text_from_html)
		fuzz_fail("decoded numbers differ");
	if (!fuzz_streq(a->error, b->error) ||
	    !fuzz_streq(a->subject, b->subject) ||
	    !fuzz_streq(a->from_name, b->from_name) ||
	    !fuzz_streq(a->from_addr, b->from_addr) ||
	    !fuzz_streq(a->message_id, b->message_id) ||
	    !fuzz_streq(a->in_reply_to, b->in_reply_to) ||
	    !fuzz_streq(a->references, b->references) ||
	    !fuzz_streq(a->auto_submitted, b->auto_submitted) ||
	    !fuzz_streq(a->precedence, b->precedence) ||
	    !fuzz_streq(a->list_id, b->list_id) ||
	    !fuzz_streq(a->x_loop, b->x_loop) ||
	    !fuzz_streq(a->dsn_recipient, b->dsn_recipient) ||
	    !fuzz_streq(a->dsn_action, b->dsn_action) ||
	    !fuzz_streq(a->dsn_status, b->dsn_status) ||
	    !fuzz_streq(a->dsn_diagnostic, b->dsn_diagnostic) ||
	    !fuzz_streq(a->text, b->text) ||
	    !fuzz_streq(a->html, b->html))
		fuzz_fail("decoded strings differ");
	if (a->nattach != b->nattach)
		fuzz_fail("decoded nattach differs");
	for (size_t i = 0; i < a->nattach; i++) {
		const struct parsed_attachment *x = &a->attach[i], *y = &b->attach[i];
		if (!fuzz_streq(x->filename, y->filename) ||
		    !fuzz_streq(x->content_type, y->content_type) ||
		    x->data.len != y->data.len ||
		    (x->data.len > 0 && memcmp(x->data.data, y->data.data,
		    x->data.len) != 0))
			fuzz_fail("decoded attachment differs");
	}
}

static void
fuzz_round_trip(const struct parsed *p)
{
	struct buf rec = BUF_INIT;
	struct parsed q;
	uint64_t job = 0;
	uint32_t type, body_len;

	parsed_encode(&rec, FUZZ_JOB, p);
	if (ipc_peek_header(rec.data, rec.len, IPC_MAX_RECORD, &type,
	    &body_len) != 1 || type != IPC_PARSE_RESULT ||
	    body_len != rec.len - IPC_HEADER_LEN)
		fuzz_fail("record header");
	if (parsed_decode(rec.data + IPC_HEADER_LEN, body_len, &job, &q) != 0)
		fuzz_fail("parsed_decode refused its own record");
	if (job != FUZZ_JOB)
		fuzz_fail("job differs");
	fuzz_compare(p, &q);
	parsed_clear(&q);
	/* A record cut short must be refused and leave nothing allocated. */
	if (body_len > 0) {
		if (parsed_decode(rec.data + IPC_HEADER_LEN, body_len - 1, &job,
		    &q) != -1)
			fuzz_fail("parsed_decode took a truncated record");
		parsed_clear(&q);
	}
	buf_free(&rec);
}

/*
 * The message as smtpd hands it to intake, the only way into the parser:
 * every line ends in CRLF (smtpd refuses bare CR and LF; here each becomes
 * CRLF) and so does the last one. Returned in a malloc'd block of exactly
 * *len bytes, so that ASan sees any read past the end.
 */
static char *
fuzz_smtp_shape(const uint8_t *data, size_t size, size_t *len)
{
	struct buf b = BUF_INIT;
	char *msg;

	for (size_t i = 0; i < size; i++) {
		if (data[i] == '\r' || data[i] == '\n') {
			buf_append(&b, "\r\n", 2);
			if (data[i] == '\r' && i + 1 < size && data[i + 1] == '\n')
				i++;
		} else
			buf_putc(&b, (char)data[i]);
	}
	if (b.len < 2 || memcmp(b.data + b.len - 2, "\r\n", 2) != 0)
		buf_append(&b, "\r\n", 2);
	*len = b.len;
	if ((msg = malloc(b.len)) == NULL)
		abort();
	memcpy(msg, b.data, b.len);
	buf_free(&b);
	return msg;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prescan_info info;
	struct parsed p;
	size_t len;
	char *msg = fuzz_smtp_shape(data, size, &len);

	if (prescan_message(msg, len, &info) == PRESCAN_OK) {
		parser_parse(msg, len, &p);
		fuzz_check_parsed(&p);
		fuzz_round_trip(&p);
		parsed_clear(&p);
	}
	free(msg);
	return 0;
}
