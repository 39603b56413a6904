/*
 * Raw header access (see header.h). Linear in the header size.
 */
#include <config.h>

#include <string.h>
#include <strings.h>

#include "mail/header.h"

static size_t
header_eol(const char *msg, size_t len, size_t pos, size_t *next)
{
	const char *nl = memchr(msg + pos, '\n', len - pos);
	if (nl == NULL) {
		*next = len;
		return len;
	}
	size_t end = (size_t)(nl - msg);
	*next = end + 1;
	if (end > pos && msg[end - 1] == '\r')
		end--;
	return end;
}

int
header_next(const char *msg, size_t len, size_t *pos, struct header_field *f)
{
	while (*pos < len) {
		size_t start = *pos, next;
		size_t end = header_eol(msg, len, start, &next);
		if (end == start)
			return 0;	/* blank line: end of header */
		/* extend over continuation lines */
		while (next < len && (msg[next] == ' ' || msg[next] == '\t'))
			end = header_eol(msg, len, next, &next);
		*pos = next;
		const char *colon = memchr(msg + start, ':', end - start);
		if (colon == NULL || colon == msg + start)
			continue;
		f->name = msg + start;
		f->name_len = (size_t)(colon - (msg + start));
		while (f->name_len > 0 && (f->name[f->name_len - 1] == ' ' ||
		    f->name[f->name_len - 1] == '\t'))
			f->name_len--;
		f->value = colon + 1;
		f->value_len = (size_t)(msg + end - f->value);
		return 1;
	}
	return 0;
}

size_t
header_body_offset(const char *msg, size_t len)
{
	size_t pos = 0;
	struct header_field f;
	while (header_next(msg, len, &pos, &f))
		;
	if (pos >= len)
		return len;
	size_t next;
	header_eol(msg, len, pos, &next);	/* the blank line */
	return next;
}

int
header_is(const struct header_field *f, const char *name)
{
	size_t n = strlen(name);
	return f->name_len == n && strncasecmp(f->name, name, n) == 0;
}

void
header_unfold(struct buf *out, const char *v, size_t n)
{
	size_t start = out->len, i = 0;
	/* leading blanks, including those of a fold right after the colon */
	while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == '\r' ||
	    v[i] == '\n'))
		i++;
	for (; i < n; i++)
		if (v[i] != '\r' && v[i] != '\n')
			buf_putc(out, v[i]);
	while (out->len > start && (out->data[out->len - 1] == ' ' ||
	    out->data[out->len - 1] == '\t'))
		buf_truncate(out, out->len - 1);
}

int
header_get(const char *msg, size_t len, const char *name, struct buf *out)
{
	size_t pos = 0;
	struct header_field f;
	while (header_next(msg, len, &pos, &f))
		if (header_is(&f, name)) {
			header_unfold(out, f.value, f.value_len);
			return 1;
		}
	return 0;
}

int
header_count(const char *msg, size_t len, const char *name)
{
	size_t pos = 0;
	int n = 0;
	struct header_field f;
	while (header_next(msg, len, &pos, &f))
		if (header_is(&f, name))
			n++;
	return n;
}

static int
header_msgid_ok(const char *p, size_t n)
{
	if (n == 0 || n > HEADER_MSGID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"' ||
		    c == '\\')
			return 0;
	}
	return 1;
}

int
header_msgids(struct buf *out, const char *v, size_t n, int max)
{
	const char *ids[HEADER_REFS_MAX * 2];
	size_t lens[HEADER_REFS_MAX * 2];
	int count = 0, cap = max < HEADER_REFS_MAX * 2 ? max : HEADER_REFS_MAX * 2;
	const char *end = v + n;
	while (v < end && cap > 0) {
		const char *lt = memchr(v, '<', (size_t)(end - v));
		if (lt == NULL)
			break;
		const char *gt = memchr(lt + 1, '>', (size_t)(end - lt - 1));
		if (gt == NULL)
			break;
		if (header_msgid_ok(lt + 1, (size_t)(gt - lt - 1))) {
			if (count == cap) {	/* keep the last ones */
				memmove(ids, ids + 1, sizeof ids[0] * (size_t)(cap - 1));
				memmove(lens, lens + 1, sizeof lens[0] * (size_t)(cap - 1));
				count--;
			}
			ids[count] = lt + 1;
			lens[count] = (size_t)(gt - lt - 1);
			count++;
		}
		v = gt + 1;
	}
	for (int i = 0; i < count; i++) {
		if (out->len > 0 && out->data[out->len - 1] != ' ')
			buf_putc(out, ' ');
		buf_append(out, ids[i], lens[i]);
	}
	return count;
}
