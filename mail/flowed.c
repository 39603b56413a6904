/*
 * format=flowed decoding (see flowed.h): lines are read one at a time into a
 * paragraph buffer, written out when a fixed line ends the paragraph or the
 * quote depth changes.
 */
#include "config.h"

#include <string.h>

#include "daemon/buf.h"
#include "mail/flowed.h"

/* The paragraph being joined. */
struct paragraph {
	struct buf	 text;
	size_t		 depth;
	int		 open;		/* its last line was flowed */
};

static void
put_quotes(struct buf *out, size_t depth)
{
	static const char marks[] = ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>";
	size_t n;

	for (; depth > 0; depth -= n) {
		n = depth < sizeof marks - 1 ? depth : sizeof marks - 1;
		buf_append(out, marks, n);
	}
}

static void
paragraph_end(struct buf *out, struct paragraph *p)
{
	put_quotes(out, p->depth);
	if (p->depth > 0 && p->text.len > 0)
		buf_putc(out, ' ');
	buf_append(out, p->text.data, p->text.len);
	buf_putc(out, '\n');
	buf_reset(&p->text);
	p->open = 0;
}

/* Add one line (s, n bytes, no line end) to the paragraph. */
static void
flowed_line(struct buf *out, struct paragraph *p, const char *s, size_t n,
    int delsp)
{
	size_t depth = 0;
	int sig, flowed;

	while (depth < n && s[depth] == '>')
		depth++;
	s += depth;
	n -= depth;
	if (n > 0 && s[0] == ' ') {
		s++;
		n--;
	}
	sig = n == 3 && memcmp(s, "-- ", 3) == 0;
	flowed = !sig && n > 0 && s[n - 1] == ' ';
	if (p->open && (p->depth != depth || sig))
		paragraph_end(out, p);
	p->depth = depth;
	if (flowed && delsp)
		n--;
	buf_append(&p->text, s, n);
	if (flowed)
		p->open = 1;
	else
		paragraph_end(out, p);
}

void
flowed_decode(struct buf *out, const char *in, size_t len, int delsp)
{
	struct paragraph p = { BUF_INIT, 0, 0 };
	const char *end = in + len, *nl;
	size_t n;

	while (in < end) {
		if ((nl = memchr(in, '\n', (size_t)(end - in))) == NULL)
			nl = end;
		n = (size_t)(nl - in);
		if (n > 0 && in[n - 1] == '\r')
			n--;
		flowed_line(out, &p, in, n, delsp);
		in = nl < end ? nl + 1 : end;
	}
	if (p.open)
		paragraph_end(out, &p);
	buf_free(&p.text);
}
