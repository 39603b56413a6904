/*
 * majlisctl helpers shared by the command families: option parsing, error
 * lines, transactions with audit, terminal-safe text and aligned tables.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/ctl.h"
#include "daemon/db.h"
#include "daemon/store_held.h"
#include "daemon/xalloc.h"
#include "mail/charset.h"

#define CTL_ELLIPSIS	"\xe2\x80\xa6"	/* U+2026, one column */

static struct ctl_opt *
ctl_opt_find(struct ctl_opt *opts, size_t nopts, const char *arg, size_t len)
{
	for (size_t i = 0; i < nopts; i++)
		if (strlen(opts[i].name) == len &&
		    strncmp(opts[i].name, arg, len) == 0)
			return &opts[i];
	return NULL;
}

/* One "--name[=value]" at argv[*i]; advances *i past a separate value. */
static int
ctl_args_option(struct ctl *ctl, int argc, char **argv, int *i,
    struct ctl_opt *opts, size_t nopts)
{
	const char *arg = argv[*i], *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	struct ctl_opt *o = ctl_opt_find(opts, nopts, arg, len);

	if (o == NULL)
		return ctl_err(CTL_EXIT_USAGE, "unknown option %.*s; usage: %s",
		    (int)(len > 64 ? 64 : len), arg, ctl->usage);
	if (o->seen)
		return ctl_err(CTL_EXIT_USAGE, "option %s given twice", o->name);
	o->seen = 1;
	if (!o->has_value) {
		if (eq)
			return ctl_err(CTL_EXIT_USAGE, "option %s takes no value",
			    o->name);
		return 0;
	}
	if (eq)
		o->value = eq + 1;
	else if (*i + 1 < argc)
		o->value = argv[++*i];
	else
		return ctl_err(CTL_EXIT_USAGE, "option %s needs a value; usage: %s",
		    o->name, ctl->usage);
	return 0;
}

int
ctl_args(struct ctl *ctl, int argc, char **argv, struct ctl_opt *opts,
    size_t nopts, const char **pos, int minpos, int maxpos, int *npos)
{
	int n = 0, options = 1;

	for (int i = 0; i < argc; i++) {
		if (options && strcmp(argv[i], "--") == 0) {
			options = 0;
			continue;
		}
		if (options && argv[i][0] == '-' && argv[i][1] != '\0') {
			int rc = ctl_args_option(ctl, argc, argv, &i, opts, nopts);
			if (rc != 0)
				return rc;
			continue;
		}
		if (n == maxpos)
			return ctl_err(CTL_EXIT_USAGE, "too many arguments; usage: %s",
			    ctl->usage);
		pos[n++] = argv[i];
	}
	if (n < minpos)
		return ctl_err(CTL_EXIT_USAGE, "missing argument; usage: %s",
		    ctl->usage);
	*npos = n;
	return 0;
}

int
ctl_err(int code, const char *fmt, ...)
{
	struct buf msg = BUF_INIT, line = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	charset_display(&line, msg.data ? msg.data : "", msg.len);
	fprintf(stderr, "majlisctl: %s\n", buf_cstr(&line));
	buf_free(&msg);
	buf_free(&line);
	return code;
}

int
ctl_begin(struct ctl *ctl)
{
	if (db_begin(ctl->db) == -1)
		return ctl_err(CTL_EXIT_FAILURE, "cannot start a transaction"
		    " (database busy or read-only?)");
	return 0;
}

int
ctl_commit(struct ctl *ctl)
{
	if (db_commit(ctl->db) == -1)
		return ctl_err(CTL_EXIT_FAILURE, "cannot commit the change");
	return 0;
}

int
ctl_rollback(struct ctl *ctl, int code)
{
	db_rollback(ctl->db);
	return code;
}

int
ctl_audit(struct ctl *ctl, const char *action, int64_t group_id,
    const char *target, const char *detail)
{
	if (store_audit(ctl->db, CTL_ACTOR, action, group_id, target,
	    detail) == -1)
		return ctl_err(CTL_EXIT_FAILURE, "cannot write the audit log");
	return 0;
}

int
ctl_out(const void *p, size_t len)
{
	if ((len > 0 && fwrite(p, 1, len, stdout) != len) ||
	    fflush(stdout) == EOF)
		return ctl_err(CTL_EXIT_FAILURE, "standard output: %s",
		    strerror(errno));
	return 0;
}

int
ctl_json_out(struct json *j, struct buf *b)
{
	if (json_finish(j) == -1)
		return ctl_err(CTL_EXIT_FAILURE, "internal error: bad JSON");
	buf_putc(b, '\n');
	return ctl_out(b->data, b->len);
}

void
ctl_time(struct buf *out, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char s[32];

	if (t == 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return;
	buf_puts(out, s);
}

void
ctl_json_time(struct json *j, const char *key, int64_t t)
{
	struct buf b = BUF_INIT;

	ctl_time(&b, t);
	json_key(j, key);
	if (b.len == 0)
		json_null(j);
	else
		json_string(j, buf_cstr(&b));
	buf_free(&b);
}

/* The code point of a valid UTF-8 sequence of n bytes. */
static uint32_t
ctl_decode(const unsigned char *s, size_t n)
{
	static const unsigned char lead_mask[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	uint32_t c = s[0] & lead_mask[n];

	for (size_t i = 1; i < n; i++)
		c = (c << 6) | (s[i] & 0x3f);
	return c;
}

static int
ctl_control(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c < 0xa0);
}

void
ctl_clean_text(struct buf *out, const char *s, size_t len)
{
	struct buf tmp = BUF_INIT;
	size_t i = 0;

	charset_utf8_repair(&tmp, s, len);
	while (i < tmp.len) {
		size_t n = charset_utf8_seqlen(tmp.data + i, tmp.len - i);
		uint32_t c = ctl_decode((const unsigned char *)tmp.data + i, n);
		if (!ctl_control(c) || c == '\n' || c == '\t')
			buf_append(out, tmp.data + i, n);
		i += n;
	}
	buf_free(&tmp);
}

struct ctl_range {
	uint32_t	 lo, hi;
};

/* Zero-width: combining marks (Latin, Hebrew, Arabic, ...), joiners, bidi
 * controls, variation selectors. */
static const struct ctl_range ctl_zero[] = {
	{ 0x0300, 0x036f }, { 0x0483, 0x0489 }, { 0x0591, 0x05bd },
	{ 0x05bf, 0x05c7 }, { 0x0610, 0x061a }, { 0x061c, 0x061c },
	{ 0x064b, 0x065f }, { 0x0670, 0x0670 }, { 0x06d6, 0x06dc },
	{ 0x06df, 0x06e4 }, { 0x06e7, 0x06e8 }, { 0x06ea, 0x06ed },
	{ 0x0e31, 0x0e31 }, { 0x0e34, 0x0e3a }, { 0x0e47, 0x0e4e },
	{ 0x1ab0, 0x1aff }, { 0x1dc0, 0x1dff }, { 0x200b, 0x200f },
	{ 0x202a, 0x202e }, { 0x2060, 0x2064 }, { 0x2066, 0x206f },
	{ 0x20d0, 0x20ff }, { 0xfe00, 0xfe0f }, { 0xfe20, 0xfe2f },
	{ 0xfeff, 0xfeff }, { 0xe0100, 0xe01ef },
};

/* Two columns: East Asian wide and full-width forms, emoji. */
static const struct ctl_range ctl_wide[] = {
	{ 0x1100, 0x115f }, { 0x2e80, 0x303e }, { 0x3041, 0x33ff },
	{ 0x3400, 0x4dbf }, { 0x4e00, 0x9fff }, { 0xa000, 0xa4cf },
	{ 0xac00, 0xd7a3 }, { 0xf900, 0xfaff }, { 0xfe30, 0xfe4f },
	{ 0xff00, 0xff60 }, { 0xffe0, 0xffe6 }, { 0x1f300, 0x1f64f },
	{ 0x1f900, 0x1f9ff }, { 0x20000, 0x2fffd }, { 0x30000, 0x3fffd },
};

static int
ctl_in_ranges(uint32_t c, const struct ctl_range *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (c >= r[i].lo && c <= r[i].hi)
			return 1;
	return 0;
}

static size_t
ctl_char_width(uint32_t c)
{
	if (ctl_in_ranges(c, ctl_zero, sizeof ctl_zero / sizeof ctl_zero[0]))
		return 0;
	if (ctl_in_ranges(c, ctl_wide, sizeof ctl_wide / sizeof ctl_wide[0]))
		return 2;
	return 1;
}

size_t
ctl_width(const char *s, size_t len)
{
	size_t w = 0, i = 0;

	while (i < len) {
		size_t n = charset_utf8_seqlen(s + i, len - i);
		if (n == 0) {
			w++;
			i++;
			continue;
		}
		w += ctl_char_width(ctl_decode((const unsigned char *)s + i, n));
		i += n;
	}
	return w;
}

int
ctl_valid_text(const char *s, size_t max, int multiline)
{
	size_t len = strlen(s);

	if (len == 0 || len > max || !charset_utf8_valid(s, len))
		return 0;
	for (size_t i = 0; i < len;) {
		size_t n = charset_utf8_seqlen(s + i, len - i);
		uint32_t c = ctl_decode((const unsigned char *)s + i, n);
		if (ctl_control(c) && !(multiline && (c == '\n' || c == '\t')))
			return 0;
		i += n;
	}
	return 1;
}

int
ctl_in(const char *v, const char *const *words)
{
	for (; *words; words++)
		if (strcmp(v, *words) == 0)
			return 1;
	return 0;
}

int
ctl_parse_id(const char *s, int64_t *id)
{
	char *end;

	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 || v <= 0)
		return ctl_err(CTL_EXIT_USAGE, "bad id \"%.40s\": a positive"
		    " number is expected", s);
	*id = (int64_t)v;
	return 0;
}

void
ctl_table_init(struct ctl_table *t, int ncols, const char *const *heads)
{
	memset(t, 0, sizeof *t);
	t->ncols = ncols;
	for (int i = 0; heads != NULL && i < ncols; i++)
		ctl_table_add(t, heads[i]);
}

/* Cut cleaned one-line text to CTL_CELL_WIDTH_MAX columns. */
static void
ctl_table_cut(struct buf *b)
{
	size_t w = 0, i = 0, keep = 0;

	if (ctl_width(b->data, b->len) <= CTL_CELL_WIDTH_MAX)
		return;
	while (i < b->len) {
		size_t n = charset_utf8_seqlen(b->data + i, b->len - i);
		size_t cw = ctl_char_width(ctl_decode(
		    (const unsigned char *)b->data + i, n));
		if (w + cw > CTL_CELL_WIDTH_MAX - 1)
			break;
		w += cw;
		i += n;
		keep = i;
	}
	buf_truncate(b, keep);
	buf_puts(b, CTL_ELLIPSIS);
}

void
ctl_table_add(struct ctl_table *t, const char *s)
{
	struct buf b = BUF_INIT;

	if (s)
		charset_display(&b, s, strlen(s));
	if (b.len == 0)
		buf_putc(&b, '-');
	if (!t->full)
		ctl_table_cut(&b);
	if (t->ncells == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->cells = xreallocarray(t->cells, t->cap, sizeof *t->cells);
	}
	t->cells[t->ncells++] = buf_steal(&b);
}

void
ctl_table_addf(struct ctl_table *t, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	ctl_table_add(t, buf_cstr(&b));
	buf_free(&b);
}

void
ctl_table_add_time(struct ctl_table *t, int64_t when)
{
	struct buf b = BUF_INIT;

	ctl_time(&b, when);
	ctl_table_add(t, buf_cstr(&b));
	buf_free(&b);
}

int
ctl_table_print(struct ctl_table *t)
{
	size_t *w = xcalloc((size_t)t->ncols, sizeof *w);
	struct buf out = BUF_INIT;

	for (size_t i = 0; i < t->ncells; i++) {
		size_t cw = ctl_width(t->cells[i], strlen(t->cells[i]));
		if (cw > w[i % (size_t)t->ncols])
			w[i % (size_t)t->ncols] = cw;
	}
	for (size_t i = 0; i < t->ncells; i++) {
		size_t col = i % (size_t)t->ncols;
		buf_puts(&out, t->cells[i]);
		if (col + 1 == (size_t)t->ncols) {
			buf_putc(&out, '\n');
			continue;
		}
		size_t pad = w[col] - ctl_width(t->cells[i], strlen(t->cells[i]));
		for (pad += CTL_TABLE_GAP; pad > 0; pad--)
			buf_putc(&out, ' ');
	}
	int rc = ctl_out(out.data, out.len);
	buf_free(&out);
	free(w);
	return rc;
}

void
ctl_table_free(struct ctl_table *t)
{
	for (size_t i = 0; i < t->ncells; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof *t);
}
