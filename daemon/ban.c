/*
 * Banned senders (see ban.h): parsing the value a moderator typed, and the
 * matchers. The glob matcher keeps one resume point (the last '*' seen),
 * so it is iterative, needs no memory and is bounded by pattern × address.
 */
#include <config.h>

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "daemon/ban.h"

static const char *const ban_kinds[] = { "address", "domain", "pattern" };

const char *
ban_kind_name(enum ban_kind k)
{
	return (unsigned)k < sizeof ban_kinds / sizeof ban_kinds[0] ?
	    ban_kinds[k] : "?";
}

int
ban_kind_from_name(const char *s, enum ban_kind *kind)
{
	for (size_t i = 0; i < sizeof ban_kinds / sizeof ban_kinds[0]; i++)
		if (strcmp(s, ban_kinds[i]) == 0) {
			*kind = (enum ban_kind)i;
			return 0;
		}
	return -1;
}

/* Printable ASCII but space: what a ban value may hold (addresses with
 * 8-bit local parts are banned by pattern or domain). */
static int
ban_chars_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

static int
ban_domain_ok(const char *d)
{
	size_t n = strlen(d);
	if (n == 0 || d[0] == '.' || d[0] == '-' || d[n - 1] == '.' ||
	    strstr(d, "..") != NULL || strchr(d, '@') != NULL)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)d[i]) && d[i] != '-' && d[i] != '.')
			return 0;
	return 1;
}

static int
ban_classify(const char *v, enum ban_kind *kind, const char **err)
{
	size_t n = strlen(v);
	const char *at = strchr(v, '@');
	if (strpbrk(v, "*?") != NULL) {
		*kind = BAN_PATTERN;
		if (n > BAN_PATTERN_MAX) {
			*err = "pattern too long (at most 128 bytes)";
			return -1;
		}
		return 0;
	}
	if (v[0] == '@') {
		*kind = BAN_DOMAIN;
		if (!ban_domain_ok(v + 1)) {
			*err = "bad domain: letters, digits, '-' and '.' after the @";
			return -1;
		}
		return 0;
	}
	*kind = BAN_ADDRESS;
	if (at == NULL || at == v || strchr(at + 1, '@') != NULL ||
	    !ban_domain_ok(at + 1)) {
		*err = "bad address: local@domain, @domain, or a pattern with * or ?";
		return -1;
	}
	return 0;
}

int
ban_parse(const char *value, enum ban_kind *kind, struct buf *norm,
    const char **err)
{
	while (*value == ' ' || *value == '\t')
		value++;
	size_t n = strlen(value);
	while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t'))
		n--;
	if (n == 0) {
		*err = "empty ban value";
		return -1;
	}
	if (n > BAN_VALUE_MAX) {
		*err = "ban value too long (at most 254 bytes)";
		return -1;
	}
	if (!ban_chars_ok(value, n)) {
		*err = "ban value with a space, a control or a non-ASCII byte";
		return -1;
	}
	buf_reset(norm);
	for (size_t i = 0; i < n; i++)
		buf_putc(norm, (char)tolower((unsigned char)value[i]));
	return ban_classify(buf_cstr(norm), kind, err);
}

int
ban_glob(const char *pat, const char *s, uint64_t *steps)
{
	const char *p = pat, *star = NULL, *resume = NULL;
	uint64_t n = 0;
	int hit = 0;
	for (;;) {
		n++;
		if (*p == '*') {
			star = ++p;
			resume = s;
			continue;
		}
		if (*s == '\0') {
			while (*p == '*')
				p++;
			hit = *p == '\0';
			break;
		}
		if (*p != '\0' && (*p == '?' || tolower((unsigned char)*p) ==
		    tolower((unsigned char)*s))) {
			p++;
			s++;
			continue;
		}
		if (star == NULL)
			break;
		/* the last star takes one more byte; earlier stars never need
		 * to move again, which is what keeps this bounded */
		p = star;
		s = ++resume;
	}
	if (steps != NULL)
		*steps = n;
	return hit;
}

static int
ban_domain_match(const char *domain, int subdomains, const char *addr)
{
	const char *at = strrchr(addr, '@');
	if (at == NULL)
		return 0;
	const char *d = at + 1;
	size_t dn = strlen(d), n = strlen(domain);
	if (dn == n)
		return strcasecmp(d, domain) == 0;
	return subdomains && dn > n && d[dn - n - 1] == '.' &&
	    strcasecmp(d + dn - n, domain) == 0;
}

int
ban_match(enum ban_kind kind, const char *value, int subdomains,
    const char *addr)
{
	switch (kind) {
	case BAN_ADDRESS:
		return strcasecmp(value, addr) == 0;
	case BAN_DOMAIN:
		return ban_domain_match(value + 1, subdomains, addr);
	case BAN_PATTERN:
		return ban_glob(value, addr, NULL);
	}
	return 0;
}
