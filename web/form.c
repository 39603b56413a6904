/*
 * Form bodies (see form.h).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "daemon/buf.h"
#include "daemon/xalloc.h"
#include "web/form.h"
#include "web/html.h"

static int
form_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode s[0..n) into out, at most max bytes. */
static enum form_result
form_decode(const char *s, size_t n, size_t max, struct buf *out)
{
	buf_reset(out);
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '+')
			c = ' ';
		else if (c == '%') {
			int hi, lo;
			if (n - i < 3 || (hi = form_hex(s[i + 1])) == -1 ||
			    (lo = form_hex(s[i + 2])) == -1)
				return FORM_BAD;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (out->len >= max)
			return FORM_TOO_BIG;
		buf_putc(out, c);
	}
	return html_utf8_valid(buf_cstr(out), out->len) ? FORM_OK : FORM_BAD;
}

enum form_result
form_parse(struct form *f, const char *body, size_t len)
{
	memset(f, 0, sizeof *f);
	if (len > FORM_BODY_MAX)
		return FORM_TOO_BIG;
	struct buf name = BUF_INIT, value = BUF_INIT;
	enum form_result rc = FORM_OK;
	const char *p = body, *end = body + len;
	while (p < end && rc == FORM_OK) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		size_t n = amp ? (size_t)(amp - p) : (size_t)(end - p);
		if (n > 0) {
			const char *eq = memchr(p, '=', n);
			size_t kn = eq ? (size_t)(eq - p) : n;
			if (f->n >= FORM_FIELDS_MAX)
				rc = FORM_TOO_BIG;
			else if ((rc = form_decode(p, kn, FORM_NAME_MAX, &name)) ==
			    FORM_OK && (rc = form_decode(eq ? eq + 1 : p, eq ?
			    n - kn - 1 : 0, FORM_VALUE_MAX, &value)) == FORM_OK) {
				for (size_t i = 0; i < name.len; i++)
					if ((unsigned char)name.data[i] < 0x20 ||
					    name.data[i] == 0x7f)
						rc = FORM_BAD;
				if (name.len == 0)
					rc = FORM_BAD;
			}
			if (rc == FORM_OK) {
				if (f->n % 16 == 0)
					f->fields = xreallocarray(f->fields,
					    (size_t)f->n + 16, sizeof *f->fields);
				struct form_field *ff = &f->fields[f->n++];
				ff->name = xstrdup(buf_cstr(&name));
				ff->len = value.len;
				ff->value = xstrdup(buf_cstr(&value));
			}
		}
		p += n;
		if (p < end)
			p++;		/* the '&' */
	}
	buf_free(&name);
	buf_free(&value);
	return rc;
}

void
form_clear(struct form *f)
{
	for (int i = 0; i < f->n; i++) {
		free(f->fields[i].name);
		free(f->fields[i].value);
	}
	free(f->fields);
	memset(f, 0, sizeof *f);
}

const char *
form_get(const struct form *f, const char *name)
{
	if (f == NULL)
		return NULL;
	for (int i = 0; i < f->n; i++)
		if (strcmp(f->fields[i].name, name) == 0)
			return f->fields[i].value;
	return NULL;
}
