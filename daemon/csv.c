/*
 * CSV records (see csv.h): a single pass over the bytes, one state bit
 * (inside quotes or not).
 */
#include <config.h>

#include <string.h>

#include "daemon/csv.h"

/* Bytes a spreadsheet reads as the start of a formula in a cell. */
#define CSV_FORMULA_START	"=+-@\t\r"

/* s is apostrophes (any number, none included) then a formula start. */
static int
csv_formula_like(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && s[i] == '\'')
		i++;
	return i < len && strchr(CSV_FORMULA_START, s[i]) != NULL &&
	    s[i] != '\0';
}

/* Undo csv_field's apostrophe before a formula-like value. */
static void
csv_unguard(struct buf *f)
{
	if (f->len >= 2 && f->data[0] == '\'' &&
	    csv_formula_like(f->data + 1, f->len - 1)) {
		memmove(f->data, f->data + 1, f->len - 1);
		buf_truncate(f, f->len - 1);
	}
}

int
csv_split(const char *line, size_t len, struct buf *fields, size_t max,
    size_t *n, const char **err)
{
	size_t i = 0;
	*n = 0;
	for (;;) {
		if (*n == max) {
			*err = "too many fields";
			return -1;
		}
		struct buf *f = &fields[(*n)++];
		buf_reset(f);
		if (i < len && line[i] == '"') {
			for (i++;; i++) {
				if (i == len) {
					*err = "a quote is not closed";
					return -1;
				}
				if (line[i] == '"' && i + 1 < len && line[i + 1] == '"')
					buf_putc(f, line[i++]);
				else if (line[i] == '"')
					break;
				else
					buf_putc(f, line[i]);
			}
			i++;
			if (i < len && line[i] != ',') {
				*err = "text after a closing quote";
				return -1;
			}
		} else
			for (; i < len && line[i] != ','; i++) {
				if (line[i] == '"') {
					*err = "a quote inside an unquoted field";
					return -1;
				}
				buf_putc(f, line[i]);
			}
		csv_unguard(f);
		if (i == len)
			return 0;
		i++;	/* the comma */
	}
}

void
csv_field(struct buf *out, const char *s)
{
	size_t n = strlen(s);
	int guard = csv_formula_like(s, n);
	if (!guard && strpbrk(s, ",\"\r\n") == NULL && (n == 0 ||
	    (s[0] != ' ' && s[n - 1] != ' '))) {
		buf_puts(out, s);
		return;
	}
	buf_putc(out, '"');
	if (guard)	/* a spreadsheet shows it as text, not a formula */
		buf_putc(out, '\'');
	for (; *s; s++) {
		if (*s == '"')
			buf_putc(out, '"');
		buf_putc(out, *s);
	}
	buf_putc(out, '"');
}
