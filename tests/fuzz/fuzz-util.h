/*
 * Helpers shared by the libFuzzer targets (static, header only): failing
 * with a message, splitting an input into parts, checking display text.
 */
#ifndef MAJLIS_FUZZ_UTIL_H
#define MAJLIS_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/charset.h"

/* Parts of an input are separated by these two bytes (never in UTF-8). */
#define FUZZ_SEP	"\xff\xff"
#define FUZZ_SEP_LEN	2

struct fuzz_part {
	const char	*p;
	size_t		 n;
};

/* Abort with a message: libFuzzer records the input as a crash. */
static void __attribute__((noreturn, unused))
fuzz_fail(const char *what)
{
	fprintf(stderr, "fuzz assertion failed: %s\n", what);
	abort();
}

/* Split data into at most max parts at FUZZ_SEP; missing parts are empty.
 * The last part takes the rest, separators included. */
static void __attribute__((unused))
fuzz_split(const uint8_t *data, size_t size, struct fuzz_part *parts,
    size_t max)
{
	const char *p = (const char *)data, *end = p + size;

	for (size_t i = 0; i < max; i++) {
		const char *sep = NULL;
		if (i + 1 < max)
			sep = memmem(p, (size_t)(end - p), FUZZ_SEP, FUZZ_SEP_LEN);
		parts[i].p = p;
		parts[i].n = sep ? (size_t)(sep - p) : (size_t)(end - p);
		p = sep ? sep + FUZZ_SEP_LEN : end;
	}
}

/* A malloc'd NUL-terminated copy of a part, cut at its first NUL. */
static char * __attribute__((unused))
fuzz_cstr(const struct fuzz_part *part)
{
	size_t n = strnlen(part->p, part->n);
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memcpy(s, part->p, n);
	s[n] = '\0';
	return s;
}

/* Is s[0..n) valid UTF-8 without C0, DEL, C1, U+2028 or U+2029? */
static int __attribute__((unused))
fuzz_no_controls(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	if (!charset_utf8_valid(s, n))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (u[i] < 0x20 || u[i] == 0x7f)
			return 0;
		if (u[i] == 0xc2 && i + 1 < n && u[i + 1] >= 0x80 &&
		    u[i + 1] <= 0x9f)
			return 0;
		if (u[i] == 0xe2 && i + 2 < n && u[i + 1] == 0x80 &&
		    (u[i + 2] == 0xa8 || u[i + 2] == 0xa9))
			return 0;
	}
	return 1;
}

/* Is s[0..n) display text as charset_display makes it: no controls (as
 * above), no leading, trailing or double space? */
static int __attribute__((unused))
fuzz_display_ok(const char *s, size_t n)
{
	if (!fuzz_no_controls(s, n))
		return 0;
	if (n > 0 && (s[0] == ' ' || s[n - 1] == ' '))
		return 0;
	for (size_t i = 0; i + 1 < n; i++)
		if (s[i] == ' ' && s[i + 1] == ' ')
			return 0;
	return 1;
}

#endif
