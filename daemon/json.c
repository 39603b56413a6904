/*
 * JSON writer: a stack of nesting levels decides where commas go; strings are
 * escaped per RFC 8259 with invalid UTF-8 replaced by U+FFFD.
 */
#include <config.h>

#include <inttypes.h>
#include <string.h>

#include "daemon/json.h"

/* Bits of json.level[]: the container kind and its progress. */
#define JSON_OBJECT	0x01	/* an object (else an array) */
#define JSON_ITEMS	0x02	/* has at least one member or element */
#define JSON_KEYED	0x04	/* a key was written, its value is due */

#define JSON_REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD in UTF-8 */

void
json_init(struct json *j, struct buf *out)
{
	memset(j, 0, sizeof *j);
	j->out = out;
}

int
json_finish(const struct json *j)
{
	return j->error || j->depth != 0 || !j->started ? -1 : 0;
}

/* Length of the valid UTF-8 sequence at s (n > 0 bytes available), or 0
 * with *bad set to the length of the maximal invalid subpart (>= 1). */
static size_t
json_utf8_seq(const unsigned char *s, size_t n, size_t *bad)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t need;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 1;
	else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		*bad = 1;
		return 0;
	}
	for (size_t i = 1; i <= need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return need + 1;
}

void
json_escape(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	buf_putc(out, '"');
	while (i < len) {
		size_t start = i;
		/* Copy the run of bytes that need no escaping in one go. */
		while (i < len && p[i] >= 0x20 && p[i] < 0x80 && p[i] != '"' &&
		    p[i] != '\\')
			i++;
		buf_append(out, s + start, i - start);
		if (i == len)
			break;
		if (p[i] == '"' || p[i] == '\\') {
			buf_putc(out, '\\');
			buf_putc(out, (char)p[i++]);
		} else if (p[i] < 0x20) {
			buf_printf(out, "\\u%04x", p[i++]);
		} else {
			size_t bad = 0, n = json_utf8_seq(p + i, len - i, &bad);
			if (n > 0) {
				buf_append(out, s + i, n);
				i += n;
			} else {
				buf_puts(out, JSON_REPLACEMENT);
				i += bad;
			}
		}
	}
	buf_putc(out, '"');
}

/* Before any value: the comma or the check that a key came first. Returns 0
 * to write the value, -1 (error set) to skip it. */
static int
json_value_prefix(struct json *j)
{
	if (j->error)
		return -1;
	if (j->depth == 0) {
		if (j->started) {
			j->error = 1;
			return -1;
		}
		j->started = 1;
		return 0;
	}
	unsigned char *lv = &j->level[j->depth - 1];
	if (*lv & JSON_OBJECT) {
		if (!(*lv & JSON_KEYED)) {
			j->error = 1;
			return -1;
		}
		*lv &= ~JSON_KEYED;
		return 0;
	}
	if (*lv & JSON_ITEMS)
		buf_putc(j->out, ',');
	*lv |= JSON_ITEMS;
	return 0;
}

static void
json_begin(struct json *j, unsigned char kind, char open)
{
	if (json_value_prefix(j) == -1)
		return;
	if (j->depth == JSON_DEPTH_MAX) {
		j->error = 1;
		return;
	}
	j->level[j->depth++] = kind;
	buf_putc(j->out, open);
}

static void
json_end(struct json *j, unsigned char kind, char close)
{
	if (j->error)
		return;
	if (j->depth == 0 ||
	    (j->level[j->depth - 1] & JSON_OBJECT) != kind ||
	    (j->level[j->depth - 1] & JSON_KEYED)) {
		j->error = 1;
		return;
	}
	j->depth--;
	buf_putc(j->out, close);
}

void
json_begin_object(struct json *j)
{
	json_begin(j, JSON_OBJECT, '{');
}

void
json_end_object(struct json *j)
{
	json_end(j, JSON_OBJECT, '}');
}

void
json_begin_array(struct json *j)
{
	json_begin(j, 0, '[');
}

void
json_end_array(struct json *j)
{
	json_end(j, 0, ']');
}

void
json_key(struct json *j, const char *key)
{
	if (j->error)
		return;
	if (j->depth == 0 || key == NULL) {
		j->error = 1;
		return;
	}
	unsigned char *lv = &j->level[j->depth - 1];
	if (!(*lv & JSON_OBJECT) || (*lv & JSON_KEYED)) {
		j->error = 1;
		return;
	}
	if (*lv & JSON_ITEMS)
		buf_putc(j->out, ',');
	*lv |= JSON_ITEMS | JSON_KEYED;
	json_escape(j->out, key, strlen(key));
	buf_putc(j->out, ':');
}

void
json_string_len(struct json *j, const char *s, size_t len)
{
	if (json_value_prefix(j) == -1)
		return;
	json_escape(j->out, s ? s : "", s ? len : 0);
}

void
json_string(struct json *j, const char *s)
{
	if (s == NULL)
		json_null(j);
	else
		json_string_len(j, s, strlen(s));
}

void
json_int(struct json *j, int64_t v)
{
	if (json_value_prefix(j) == -1)
		return;
	buf_printf(j->out, "%" PRId64, v);
}

void
json_bool(struct json *j, int v)
{
	if (json_value_prefix(j) == -1)
		return;
	buf_puts(j->out, v ? "true" : "false");
}

void
json_null(struct json *j)
{
	if (json_value_prefix(j) == -1)
		return;
	buf_puts(j->out, "null");
}

void
json_kv_string(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j, s);
}

void
json_kv_int(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	json_int(j, v);
}

void
json_kv_bool(struct json *j, const char *key, int v)
{
	json_key(j, key);
	json_bool(j, v);
}
