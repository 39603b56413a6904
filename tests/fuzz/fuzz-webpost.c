/*
 * libFuzzer target for daemon/webpost.c and web/markdown.c: a web post
 * built from fuzzed name, address, subject, text and parent ids. The
 * message must be CRLF lines of at most WEBPOST_LINE_MAX bytes with an
 * ASCII header block and no header line of ours forged from data; the
 * flowed body read back and written again must not change (the writer
 * reaches a fixed point); the Markdown HTML must hold no script, frame,
 * SVG, style or javascript: destination.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/buf.h"
#include "daemon/webpost.h"
#include "mail/flowed.h"
#include "tests/fuzz/fuzz-util.h"
#include "web/markdown.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

enum { P_NAME, P_EMAIL, P_SUBJECT, P_BODY, P_PARENT, P_REFS, P_COUNT };

/* Lines end in CRLF, none longer than WEBPOST_LINE_MAX; the header block
 * is printable ASCII, SP and TAB, and every field name in it is one we
 * write. */
static void
fuzz_check_message(const struct buf *m)
{
	static const char *const names[] = { "Date:", "From:", "To:",
	    "Subject:", "Message-ID:", "In-Reply-To:", "References:",
	    "MIME-Version:", "Content-Type:", "Content-Transfer-Encoding:",
	    NULL };
	size_t col = 0;
	int header = 1, line_start = 1;
	for (size_t i = 0; i < m->len; i++) {
		unsigned char c = (unsigned char)m->data[i];
		if (c == '\r') {
			if (i + 1 >= m->len || m->data[i + 1] != '\n')
				fuzz_fail("webpost: bare CR");
			if (header && col == 0)
				header = 0;
			i++;
			col = 0;
			line_start = 1;
			continue;
		}
		if (c == '\n')
			fuzz_fail("webpost: bare LF");
		if (header && line_start && c != ' ' && c != '\t') {
			int known = 0;
			for (int k = 0; names[k] && !known; k++)
				known = strncmp(m->data + i, names[k],
				    strlen(names[k])) == 0;
			if (!known)
				fuzz_fail("webpost: a header field we do not write");
		}
		line_start = 0;
		if (header && (c < ' ' || c >= 0x7f) && c != '\t')
			fuzz_fail("webpost: header byte not printable ASCII");
		if (++col > WEBPOST_LINE_MAX)
			fuzz_fail("webpost: line too long");
	}
	if (header)
		fuzz_fail("webpost: no body");
}

/* decode(flowed(text)) into out. */
static void
fuzz_round(struct buf *out, const char *text)
{
	struct buf fl = BUF_INIT;
	webpost_flowed(&fl, text);
	buf_reset(out);
	flowed_decode(out, buf_cstr(&fl), fl.len, 0);
	buf_free(&fl);
}

static void
fuzz_check_html(const struct buf *h)
{
	static const char *const bad[] = { "<script", "<iframe", "<svg",
	    "<style", "<object", "<embed", "href=\"javascript:",
	    "src=\"javascript:", "href=\"vbscript:", NULL };
	const char *s = buf_cstr(h);
	for (size_t i = 0; i < h->len; i++)
		for (int k = 0; bad[k]; k++)
			if (strncasecmp(s + i, bad[k], strlen(bad[k])) == 0)
				fuzz_fail("markdown: unsafe HTML out");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part parts[P_COUNT];
	char *f[P_COUNT];
	fuzz_split(data, size, parts, P_COUNT);
	for (int i = 0; i < P_COUNT; i++)
		f[i] = fuzz_cstr(&parts[i]);
	struct webpost p = { .author_name = f[P_NAME],
	    .author_email = f[P_EMAIL], .slug = "group",
	    .list_domain = "lists.example.org", .subject = f[P_SUBJECT],
	    .body = f[P_BODY], .parent_msgid = f[P_PARENT],
	    .parent_refs = f[P_REFS], .date = 1795000000 };
	struct buf msg = BUF_INIT, id = BUF_INIT, a = BUF_INIT, b = BUF_INIT,
	    html = BUF_INIT;
	(void)webpost_check(p.subject, p.body);
	if (webpost_build(&msg, &p, &id) == 0)
		fuzz_check_message(&msg);
	else if (msg.len != 0)
		fuzz_fail("webpost: output on failure");
	fuzz_round(&a, p.body);
	fuzz_round(&b, buf_cstr(&a));
	if (a.len != b.len || (a.len && memcmp(a.data, b.data, a.len) != 0))
		fuzz_fail("webpost: flowed text not at a fixed point");
	if (markdown_html(&html, p.body, strlen(p.body)) == 0)
		fuzz_check_html(&html);
	buf_free(&msg);
	buf_free(&id);
	buf_free(&a);
	buf_free(&b);
	buf_free(&html);
	for (int i = 0; i < P_COUNT; i++)
		free(f[i]);
	return 0;
}
