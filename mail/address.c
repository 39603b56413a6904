/*
 * Mail addresses (see address.h): SMTP path and header mailbox parsers,
 * normalisation, and the list addresses of a group.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "daemon/buf.h"
#include "mail/address.h"

/* List-address suffixes, in enum address_kind order. */
static const struct {
	const char	*suffix;
	int		 token;
} kinds[] = {
	[ADDR_POST] = { "", 0 },
	[ADDR_REQUEST] = { "-request", 0 },
	[ADDR_JOIN] = { "-join", 0 },
	[ADDR_LEAVE] = { "-leave", 0 },
	[ADDR_OWNER] = { "-owner", 0 },
	[ADDR_BOUNCES] = { "-bounces", 1 },
	[ADDR_CONFIRM] = { "-confirm", 1 },
	[ADDR_MODERATE] = { "-moderate", 1 },
};
#define NKINDS	(sizeof kinds / sizeof kinds[0])

/* Header mailbox lexer state. */
struct mlex {
	const char	*p;
	struct buf	*comment;	/* text of the first comment */
	int		 have_comment;
	int		 error;
};

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int
is_alnum(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* RFC 5322 atext. */
static int
is_atext(int c)
{
	return is_alnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* An atom character in a header: atext, dot, or 8-bit (RFC 6532). */
static int
is_atom_char(int c)
{
	return is_atext(c) || c == '.' || c >= 0x80;
}

/* Compare s[0..n) with the NUL-terminated w ignoring ASCII case. */
static int
ci_eqn(const char *s, size_t n, const char *w)
{
	if (strlen(w) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)s[i]) != lower((unsigned char)w[i]))
			return 0;
	return 1;
}

static int
dot_string_ok(const char *s, size_t n)
{
	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '.' ? s[i + 1] == '.' : !is_atext(c))
			return 0;
	}
	return 1;
}

static int
hostname_ok(const char *s, size_t n)
{
	size_t label = 0;

	if (n == 0 || n > ADDRESS_MAX_LEN)
		return 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (label == 0 || label > ADDRESS_MAX_LABEL ||
			    s[i - 1] == '-' || s[i - label] == '-')
				return 0;
			label = 0;
		} else if (is_alnum((unsigned char)s[i]) || s[i] == '-')
			label++;
		else
			return 0;
	}
	return 1;
}

/* "[1.2.3.4]" or "[IPv6:...]". */
static int
literal_ok(const char *s, size_t n)
{
	char ip[64];
	unsigned char bin[16];

	if (n < 3 || s[0] != '[' || s[n - 1] != ']' || n - 2 >= sizeof ip)
		return 0;
	memcpy(ip, s + 1, n - 2);
	ip[n - 2] = '\0';
	if (ci_eqn(ip, n - 2 < 5 ? n - 2 : 5, "ipv6:"))
		return inet_pton(AF_INET6, ip + 5, bin) == 1;
	return inet_pton(AF_INET, ip, bin) == 1;
}

static int
domain_ok(const char *s, size_t n)
{
	return n > 0 && (s[0] == '[' ? literal_ok(s, n) : hostname_ok(s, n));
}

/* End of the domain that starts at p (a literal or hostname characters). */
static const char *
scan_domain(const char *p)
{
	if (*p == '[') {
		while (*p != '\0' && *p != ']' && *p != '>')
			p++;
		return *p == ']' ? p + 1 : p;
	}
	while (is_alnum((unsigned char)*p) || *p == '-' || *p == '.')
		p++;
	return p;
}

/* End of the SMTP local part at p, or NULL for a bad quoted string. */
static const char *
scan_local(const char *p)
{
	if (*p != '"') {
		while (is_atext((unsigned char)*p) || *p == '.')
			p++;
		return p;
	}
	for (p++; *p != '"'; p++) {
		if (*p == '\\')
			p++;
		if ((unsigned char)*p < 32 || (unsigned char)*p > 126)
			return NULL;
	}
	return p + 1;
}

static int
local_ok(const char *s, size_t n)
{
	if (n == 0 || n > ADDRESS_MAX_LOCAL)
		return 0;
	return s[0] == '"' ? n > 2 : dot_string_ok(s, n);
}

/* Append local@domain to out, the domain lowercased. */
static void
put_address(struct buf *out, const char *l, size_t ln, const char *d,
    size_t dn)
{
	buf_append(out, l, ln);
	buf_putc(out, '@');
	for (size_t i = 0; i < dn; i++)
		buf_putc(out, (char)lower((unsigned char)d[i]));
}

/* Scan an RFC 5321 "local@domain" at p: returns its end or NULL; *at gets
 * the position of the '@'. */
static const char *
scan_mailbox(const char *p, const char **at)
{
	const char *e = scan_local(p), *d, *de;

	if (e == NULL || *e != '@' || !local_ok(p, (size_t)(e - p)))
		return NULL;
	d = e + 1;
	de = scan_domain(d);
	if (!domain_ok(d, (size_t)(de - d)) ||
	    (size_t)(de - p) > ADDRESS_MAX_LEN)
		return NULL;
	*at = e;
	return de;
}

/* Skip a source route "@a,@b:" at p; returns what follows or NULL. */
static const char *
skip_route(const char *p)
{
	for (;;) {
		const char *d = ++p;
		while (*p != '\0' && *p != ',' && *p != ':' && *p != '>')
			p++;
		if (!domain_ok(d, (size_t)(p - d)))
			return NULL;
		if (*p == ':')
			return p + 1;
		if (*p != ',' || p[1] != '@')
			return NULL;
		p++;
	}
}

/* The address inside "<...>" at p (after '<'); returns the position of '>'
 * or NULL. */
static const char *
path_inner(const char *p, struct buf *addr)
{
	const char *at, *e;

	if (*p == '>')
		return p;
	if (*p == '@' && (p = skip_route(p)) == NULL)
		return NULL;
	e = scan_local(p);
	if (e != NULL && *e == '>' && ci_eqn(p, (size_t)(e - p),
	    "postmaster")) {
		buf_append(addr, p, (size_t)(e - p));
		return e;
	}
	if ((e = scan_mailbox(p, &at)) == NULL || *e != '>')
		return NULL;
	put_address(addr, p, (size_t)(at - p), at + 1, (size_t)(e - at - 1));
	return e;
}

int
address_parse_path(const char *arg, struct buf *addr, const char **rest)
{
	const char *p = arg;

	buf_reset(addr);
	while (*p == ' ')
		p++;
	if (*p != '<' || (p = path_inner(p + 1, addr)) == NULL)
		goto bad;
	p++;
	if (*p != '\0' && *p != ' ')
		goto bad;
	while (*p == ' ')
		p++;
	if (rest != NULL)
		*rest = p;
	return 0;
bad:
	buf_reset(addr);
	return -1;
}

int
address_valid(const char *addr)
{
	const char *at, *e = scan_mailbox(addr, &at);

	return e != NULL && *e == '\0';
}

/* Add one character of display text: whitespace runs become one space,
 * other control characters are dropped. */
static void
name_putc(struct buf *b, int c)
{
	if (is_space(c)) {
		if (b->len > 0 && b->data[b->len - 1] != ' ')
			buf_putc(b, ' ');
	} else if (c >= 32 && c != 127)
		buf_putc(b, (char)c);
}

static void
name_word_sep(struct buf *b)
{
	if (b->len > 0 && b->data[b->len - 1] != ' ')
		buf_putc(b, ' ');
}

static void
name_trim(struct buf *b)
{
	if (b->len > 0 && b->data[b->len - 1] == ' ')
		buf_truncate(b, b->len - 1);
}

/* Read the comment at l->p (an opening parenthesis); the first comment of
 * the value is kept as text. Returns -1 when nested too deeply. */
static int
mlex_comment(struct mlex *l)
{
	const char *p = l->p;
	int depth = 0, save = !l->have_comment;

	do {
		int c = (unsigned char)*p;
		if (c == '\0')
			break;
		if (c == '\\' && p[1] != '\0') {
			if (save)
				name_putc(l->comment, (unsigned char)p[1]);
			p += 2;
			continue;
		}
		if (c == '(') {
			if (++depth > ADDRESS_MAX_COMMENT_DEPTH)
				return -1;
			if (save && depth > 1)
				name_putc(l->comment, c);
		} else if (c == ')') {
			if (--depth > 0 && save)
				name_putc(l->comment, c);
		} else if (save)
			name_putc(l->comment, c);
		p++;
	} while (depth > 0);
	l->p = p;
	l->have_comment = 1;
	return 0;
}

/* Skip white space, folding and comments. */
static void
mlex_cfws(struct mlex *l)
{
	while (!l->error) {
		if (is_space(*l->p))
			l->p++;
		else if (*l->p == '(') {
			if (mlex_comment(l) < 0)
				l->error = 1;
		} else
			break;
	}
}

/* Read the quoted string at l->p into name, unescaped. */
static void
mlex_quoted(struct mlex *l, struct buf *name)
{
	const char *p = l->p + 1;

	name_word_sep(name);
	for (; *p != '\0' && *p != '"'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		name_putc(name, (unsigned char)*p);
	}
	l->p = *p == '"' ? p + 1 : p;
}

static void
mlex_atom(struct mlex *l, struct buf *name)
{
	name_word_sep(name);
	while (is_atom_char((unsigned char)*l->p))
		buf_putc(name, *l->p++);
}

/* End of a header local part (atom or quoted string) at p. */
static const char *
header_local_end(const char *p)
{
	if (*p != '"') {
		while (is_atom_char((unsigned char)*p))
			p++;
		return p;
	}
	for (p++; *p != '\0' && *p != '"'; p++)
		if (*p == '\\' && p[1] != '\0')
			p++;
	return *p == '"' ? p + 1 : p;
}

/* Check and store local@domain found in a header. */
static int
header_address(struct buf *addr, const char *l, size_t ln, const char *d,
    size_t dn)
{
	if (ln == 0 || ln > ADDRESS_MAX_LOCAL || !domain_ok(d, dn) ||
	    ln + 1 + dn > ADDRESS_MAX_LEN)
		return -1;
	if (l[0] == '"' && (ln < 3 || l[ln - 1] != '"'))
		return -1;
	if (l[0] != '"' && (l[0] == '.' || l[ln - 1] == '.'))
		return -1;
	for (size_t i = 0; i < ln; i++)
		if ((unsigned char)l[i] < 32 || l[i] == 127)
			return -1;
	put_address(addr, l, ln, d, dn);
	return 0;
}

/* The domain after '@' at l->p, then the address is stored. */
static int
mlex_domain(struct mlex *l, const char *local, size_t ln, struct buf *addr)
{
	const char *d;

	l->p++;
	mlex_cfws(l);
	d = l->p;
	l->p = scan_domain(d);
	return header_address(addr, local, ln, d, (size_t)(l->p - d));
}

/* "<[route:]local@domain>" at l->p. */
static int
mlex_angle(struct mlex *l, struct buf *addr)
{
	const char *local, *e;

	l->p++;
	mlex_cfws(l);
	if (*l->p == '@') {
		while (*l->p != '\0' && *l->p != ':' && *l->p != '>')
			l->p++;
		if (*l->p != ':')
			return -1;
		l->p++;
		mlex_cfws(l);
	}
	local = l->p;
	e = header_local_end(local);
	l->p = e;
	mlex_cfws(l);
	if (*l->p != '@' || mlex_domain(l, local, (size_t)(e - local),
	    addr) < 0)
		return -1;
	mlex_cfws(l);
	if (*l->p != '>')
		return -1;
	l->p++;
	mlex_cfws(l);
	return l->error ? -1 : 0;
}

/* Walk the value up to the first address; the phrase goes to name.
 * Returns 1 for an angle address, 0 for a bare addr-spec, -1 if none. */
static int
mlex_mailbox(struct mlex *l, struct buf *name, struct buf *addr)
{
	const char *w = NULL, *we = NULL;

	for (mlex_cfws(l); !l->error && *l->p != '\0'; mlex_cfws(l)) {
		int c = (unsigned char)*l->p;
		if (c == '<')
			return mlex_angle(l, addr) < 0 ? -1 : 1;
		if (c == '@') {
			if (w == NULL || mlex_domain(l, w, (size_t)(we - w),
			    addr) < 0)
				return -1;
			mlex_cfws(l);
			return l->error ? -1 : 0;
		}
		if (c == '"' || is_atom_char(c)) {
			w = l->p;
			we = header_local_end(w);
			if (c == '"')
				mlex_quoted(l, name);
			else
				mlex_atom(l, name);
			continue;
		}
		if (c == ':')
			buf_reset(name);
		else if (c == ',' && name->len > 0)
			buf_putc(name, ',');
		w = NULL;
		l->p++;
	}
	return -1;
}

int
address_parse_mailbox(const char *hdr, struct buf *name, struct buf *addr)
{
	struct buf comment = BUF_INIT;
	struct mlex l = { hdr, &comment, 0, 0 };
	int r;

	buf_reset(name);
	buf_reset(addr);
	r = mlex_mailbox(&l, name, addr);
	if (r < 0) {
		buf_reset(name);
		buf_reset(addr);
	} else if (r == 0 || name->len == 0) {
		buf_reset(name);
		buf_append(name, comment.data, comment.len);
	}
	name_trim(name);
	buf_free(&comment);
	return r < 0 ? -1 : 0;
}

void
address_normalize(struct buf *out, const char *addr)
{
	const char *at = strrchr(addr, '@');

	buf_reset(out);
	if (at == NULL) {
		buf_puts(out, addr);
		return;
	}
	put_address(out, addr, (size_t)(at - addr), at + 1, strlen(at + 1));
}

int
address_equal(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if (lower((unsigned char)*a) != lower((unsigned char)*b))
			return 0;
	return *a == *b;
}

/* Is s[0..n) a slug, written in any case? The lowercase copy goes to out
 * (ADDRESS_MAX_SLUG + 1 bytes). */
static int
slug_copy(const char *s, size_t n, char *out)
{
	if (n == 0 || n > ADDRESS_MAX_SLUG)
		return 0;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)lower((unsigned char)s[i]);
	out[n] = '\0';
	return address_slug_valid(out);
}

static int
token_ok(const char *s, size_t n)
{
	if (n == 0 || n > ADDRESS_MAX_TOKEN)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '-')
			return 0;
	return 1;
}

/* Find the kind whose suffix ends head[0..n) and whose slug is valid. */
static int
split_kind(const char *head, size_t n, int with_token,
    struct list_address *out)
{
	for (size_t k = 1; k < NKINDS; k++) {
		size_t sl = strlen(kinds[k].suffix);
		if (kinds[k].token != with_token || n <= sl ||
		    !ci_eqn(head + n - sl, sl, kinds[k].suffix))
			continue;
		if (slug_copy(head, n - sl, out->slug)) {
			out->kind = (enum address_kind)k;
			return 0;
		}
	}
	if (!with_token && slug_copy(head, n, out->slug)) {
		out->kind = ADDR_POST;
		return 0;
	}
	return -1;
}

int
address_list_split(const char *addr, const char *list_domain,
    struct list_address *out)
{
	const char *at = strrchr(addr, '@'), *plus;
	size_t ln;

	memset(out, 0, sizeof *out);
	if (at == NULL || !ci_eqn(at + 1, strlen(at + 1), list_domain))
		return -1;
	ln = (size_t)(at - addr);
	plus = memchr(addr, '+', ln);
	if (plus != NULL) {
		size_t tl = (size_t)(at - plus - 1);
		if (!token_ok(plus + 1, tl) || split_kind(addr,
		    (size_t)(plus - addr), 1, out) < 0)
			goto bad;
		memcpy(out->token, plus + 1, tl);
		out->token[tl] = '\0';
		return 0;
	}
	if (split_kind(addr, ln, 0, out) == 0)
		return 0;
bad:
	memset(out, 0, sizeof *out);
	return -1;
}

int
address_slug_valid(const char *slug)
{
	size_t n = strlen(slug);

	if (n == 0 || n > ADDRESS_MAX_SLUG || slug[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)slug[i];
		if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') &&
		    c != '-')
			return 0;
	}
	for (size_t k = 1; k < NKINDS; k++) {
		size_t sl = strlen(kinds[k].suffix);
		if (n > sl && strcmp(slug + n - sl, kinds[k].suffix) == 0)
			return 0;
	}
	return 1;
}

void
address_list_format(struct buf *out, const char *slug, enum address_kind kind,
    const char *token, const char *list_domain)
{
	buf_reset(out);
	buf_puts(out, slug);
	if ((size_t)kind < NKINDS) {
		buf_puts(out, kinds[kind].suffix);
		if (kinds[kind].token && token != NULL)
			buf_printf(out, "+%s", token);
	}
	buf_putc(out, '@');
	buf_puts(out, list_domain);
}
