/*
 * Linear pre-scan of raw messages (see prescan.h): one pass over the lines
 * with a stack of open MIME containers; each header field is examined once,
 * when it ends. No allocation, no I/O.
 */
#include "config.h"

#include <string.h>

#include "mail/prescan.h"

enum ps_kind { KIND_LEAF, KIND_MULTIPART, KIND_MESSAGE };

/* One open MIME container: a multipart (with its boundary) or an
 * encapsulated message. */
struct ps_level {
	int	 multipart;
	int	 digest;	/* multipart/digest: parts are messages */
	int	 seen;		/* one of its delimiters was found */
	size_t	 blen;
	char	 boundary[PRESCAN_MAX_BOUNDARY];
};

/* The header block being read. */
struct ps_block {
	int	 top;		/* the message's own header */
	int	 default_message; /* no Content-Type means message/rfc822 */
	size_t	 bytes;
	int	 lines;
	const char *field;	/* current field (NULL: none yet) */
	size_t	 field_len;
	int	 ct_seen;	/* first parsed Content-Type, below */
	int	 ct_kind;
	int	 ct_digest;
	size_t	 ct_blen;
	char	 ct_boundary[PRESCAN_MAX_BOUNDARY];
	int	 cte_encoded;	/* a base64/quoted-printable encoding field */
	int	 cte_plain;	/* an encoding field naming anything else */
};

struct ps {
	struct prescan_info *info;
	struct ps_level	 stack[PRESCAN_MAX_DEPTH];
	int		 depth;
	int		 in_header;
	struct ps_block	 blk;
};

static int
is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

static int
is_fws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Does s[0..n) equal the lowercase word w, ignoring ASCII case? */
static int
ci_eq(const char *s, size_t n, const char *w)
{
	if (strlen(w) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)s[i]) != w[i])
			return 0;
	return 1;
}

/* RFC 2045 token character. */
static int
is_tchar(int c)
{
	return c > 32 && c < 127 && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* RFC 2046 bchars, space excepted. */
static int
is_bchar_nospace(int c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("'()+_,-./:=?", c) != NULL;
}

static int
boundary_ok(const char *b, size_t n)
{
	if (n == 0 || n > PRESCAN_MAX_BOUNDARY || !is_bchar_nospace(b[n - 1]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (b[i] != ' ' && !is_bchar_nospace((unsigned char)b[i]))
			return 0;
	return 1;
}

/* Length of the field name of f[0..n) when it is "name *WSP :", else 0;
 * *colon gets the index of the colon. */
static size_t
field_name_len(const char *f, size_t n, size_t *colon)
{
	size_t i = 0, nl;

	while (i < n && f[i] > 32 && f[i] < 127 && f[i] != ':')
		i++;
	nl = i;
	while (i < n && is_wsp(f[i]))
		i++;
	if (nl == 0 || i >= n || f[i] != ':')
		return 0;
	*colon = i;
	return nl;
}

/* Free-text fields, where parentheses are not comments. */
static int
is_free_text(const char *name, size_t n)
{
	return ci_eq(name, n, "subject") || ci_eq(name, n, "comments") ||
	    ci_eq(name, n, "content-description") ||
	    ci_eq(name, n, "thread-topic");
}

/* Is the comment nesting of v[0..n) within the limit? Quoted strings are
 * skipped; quoted-pairs count inside quotes and comments only. */
static int
comments_ok(const char *v, size_t n)
{
	int depth = 0, quoted = 0;

	for (size_t i = 0; i < n; i++) {
		char c = v[i];
		if (c == '\\' && (quoted || depth > 0))
			i++;
		else if (quoted) {
			if (c == '"')
				quoted = 0;
		} else if (c == '"' && depth == 0)
			quoted = 1;
		else if (c == '(') {
			if (++depth > PRESCAN_MAX_COMMENT_DEPTH)
				return 0;
		} else if (c == ')' && depth > 0)
			depth--;
	}
	return 1;
}

/* Skip folding white space and comments from v[i]. */
static size_t
skip_cfws(const char *v, size_t n, size_t i)
{
	while (i < n) {
		if (is_fws(v[i])) {
			i++;
			continue;
		}
		if (v[i] != '(')
			break;
		int depth = 0;
		do {
			if (v[i] == '\\')
				i++;
			else if (v[i] == '(')
				depth++;
			else if (v[i] == ')')
				depth--;
			i++;
		} while (i < n && depth > 0);
	}
	return i < n ? i : n;
}

static size_t
token_end(const char *v, size_t n, size_t i)
{
	while (i < n && is_tchar((unsigned char)v[i]))
		i++;
	return i;
}

/* From the opening quote at v[i], return the index after the closing one
 * (n when unterminated, with *closed = 0). */
static size_t
quoted_end(const char *v, size_t n, size_t i, int *closed)
{
	for (i++; i < n; i++) {
		if (v[i] == '\\')
			i++;
		else if (v[i] == '"') {
			*closed = 1;
			return i + 1;
		}
	}
	*closed = 0;
	return n;
}

/* Read one parameter value at v[*ip]: quoted (raw text between the quotes)
 * or a loose token. Returns 0 for an unterminated quoted string. */
static int
param_value(const char *v, size_t n, size_t *ip, size_t *vs, size_t *vl)
{
	size_t i = *ip;
	int closed = 1;

	if (i < n && v[i] == '"') {
		*vs = i + 1;
		i = quoted_end(v, n, i, &closed);
		*vl = closed ? i - 1 - *vs : i - *vs;
	} else {
		*vs = i;
		while (i < n && !is_fws(v[i]) && strchr(";\"(", v[i]) == NULL)
			i++;
		*vl = i - *vs;
	}
	*ip = i;
	return closed;
}

/* Find the boundary parameters after "type/subtype" at v[i]; every one must
 * be valid, the first is copied to b. Returns PRESCAN_OK or BAD_BOUNDARY. */
static enum prescan_status
find_boundary(const char *v, size_t n, size_t i, char *b, size_t *blen)
{
	size_t a, al, vs, vl;
	int closed;

	*blen = 0;
	while ((i = skip_cfws(v, n, i)) < n) {
		if (v[i] == '"') {
			i = quoted_end(v, n, i, &closed);
			continue;
		}
		if (v[i++] != ';')
			continue;
		a = skip_cfws(v, n, i);
		i = token_end(v, n, a);
		al = i - a;
		i = skip_cfws(v, n, i);
		if (i >= n || v[i] != '=')
			continue;
		i = skip_cfws(v, n, i + 1);
		closed = param_value(v, n, &i, &vs, &vl);
		if (!ci_eq(v + a, al, "boundary"))
			continue;
		if (!closed || !boundary_ok(v + vs, vl))
			return PRESCAN_BAD_BOUNDARY;
		if (*blen == 0) {
			memcpy(b, v + vs, vl);
			*blen = vl;
		}
	}
	return PRESCAN_OK;
}

/* A Content-Type field value: the first one that parses as type/subtype
 * sets the block's structure; multipart boundaries are checked in all. */
static enum prescan_status
ct_parse(struct ps_block *blk, const char *v, size_t n)
{
	char b[PRESCAN_MAX_BOUNDARY];
	size_t i, t, tl, s, sl, blen = 0;
	int kind = KIND_LEAF;

	t = skip_cfws(v, n, 0);
	i = token_end(v, n, t);
	tl = i - t;
	i = skip_cfws(v, n, i);
	if (tl == 0 || i >= n || v[i] != '/')
		return PRESCAN_OK;
	s = skip_cfws(v, n, i + 1);
	i = token_end(v, n, s);
	sl = i - s;
	if (sl == 0)
		return PRESCAN_OK;
	if (ci_eq(v + t, tl, "multipart")) {
		if (find_boundary(v, n, i, b, &blen) != PRESCAN_OK)
			return PRESCAN_BAD_BOUNDARY;
		if (blen > 0)
			kind = KIND_MULTIPART;
	} else if (ci_eq(v + t, tl, "message") && ci_eq(v + s, sl, "rfc822"))
		kind = KIND_MESSAGE;
	if (blk->ct_seen)
		return PRESCAN_OK;
	blk->ct_seen = 1;
	blk->ct_kind = kind;
	blk->ct_digest = ci_eq(v + s, sl, "digest");
	memcpy(blk->ct_boundary, b, blen);
	blk->ct_blen = blen;
	return PRESCAN_OK;
}

static void
cte_parse(struct ps_block *blk, const char *v, size_t n)
{
	size_t t = skip_cfws(v, n, 0);
	size_t e = token_end(v, n, t);

	if (e == t)
		return;
	if (ci_eq(v + t, e - t, "base64") ||
	    ci_eq(v + t, e - t, "quoted-printable"))
		blk->cte_encoded = 1;
	else
		blk->cte_plain = 1;
}

/* Examine the field that just ended, if any. */
static enum prescan_status
field_end(struct ps *p)
{
	const char *f = p->blk.field;
	size_t n = p->blk.field_len, colon, nl;

	p->blk.field = NULL;
	if (f == NULL || (nl = field_name_len(f, n, &colon)) == 0)
		return PRESCAN_OK;
	const char *v = f + colon + 1;
	size_t vn = n - colon - 1;
	if (p->blk.top && ci_eq(f, nl, "received"))
		p->info->received_count++;
	if (!is_free_text(f, nl) && !comments_ok(v, vn))
		return PRESCAN_COMMENT_TOO_DEEP;
	if (ci_eq(f, nl, "content-type"))
		return ct_parse(&p->blk, v, vn);
	if (ci_eq(f, nl, "content-transfer-encoding"))
		cte_parse(&p->blk, v, vn);
	return PRESCAN_OK;
}

static void
block_start(struct ps *p, int top, int default_message)
{
	memset(&p->blk, 0, sizeof p->blk);
	p->blk.top = top;
	p->blk.default_message = default_message;
	p->in_header = 1;
}

static enum prescan_status
push(struct ps *p, int multipart, const struct ps_block *blk)
{
	if (p->depth >= PRESCAN_MAX_DEPTH) {
		p->info->depth = PRESCAN_MAX_DEPTH + 1;
		return PRESCAN_TOO_DEEP;
	}
	struct ps_level *l = &p->stack[p->depth++];
	l->multipart = multipart;
	l->digest = multipart && blk->ct_digest;
	l->seen = 0;
	l->blen = multipart ? blk->ct_blen : 0;
	memcpy(l->boundary, blk->ct_boundary, l->blen);
	if (p->depth > p->info->depth)
		p->info->depth = p->depth;
	return PRESCAN_OK;
}

/* Close the containers above index keep. */
static void
pop_to(struct ps *p, int keep)
{
	while (p->depth > keep) {
		struct ps_level *l = &p->stack[--p->depth];
		if (l->multipart && !l->seen)
			p->info->boundary_missing = 1;
	}
}

/* The header block ended; its body starts at offset body_off. */
static enum prescan_status
block_end(struct ps *p, size_t body_off)
{
	enum prescan_status st;
	int kind;

	if ((st = field_end(p)) != PRESCAN_OK)
		return st;
	if (p->blk.ct_seen)
		kind = p->blk.ct_kind;
	else
		kind = p->blk.default_message ? KIND_MESSAGE : KIND_LEAF;
	if (kind == KIND_MESSAGE && p->blk.cte_encoded && !p->blk.cte_plain)
		kind = KIND_LEAF;
	if (p->blk.top)
		p->info->header_len = body_off;
	p->in_header = 0;
	if (kind == KIND_MULTIPART)
		return push(p, 1, &p->blk);
	if (kind == KIND_MESSAGE) {
		if ((st = push(p, 0, &p->blk)) != PRESCAN_OK)
			return st;
		block_start(p, 0, 0);
	}
	return PRESCAN_OK;
}

/* Index of the open multipart (outermost first) whose delimiter is the line
 * s[0..n), or -1; *close is set for a close delimiter. */
static int
match_delim(const struct ps *p, const char *s, size_t n, int *close)
{
	size_t t = n;

	if (n < 2 || s[0] != '-' || s[1] != '-')
		return -1;
	while (t > 0 && is_wsp(s[t - 1]))
		t--;
	for (int i = 0; i < p->depth; i++) {
		const struct ps_level *l = &p->stack[i];
		size_t r = 2 + l->blen;
		if (!l->multipart || r > n || memcmp(s + 2, l->boundary,
		    l->blen) != 0)
			continue;
		if (r + 2 <= n && s[r] == '-' && s[r + 1] == '-') {
			*close = 1;
			return i;
		}
		if (r >= t) {
			*close = 0;
			return i;
		}
	}
	return -1;
}

/* A delimiter of the multipart at index i: inner containers end; an open
 * delimiter starts a part (its header block), a close one its epilogue.
 * A closed multipart stays open for matching, as libetpan looks for further
 * delimiters after a close one. */
static enum prescan_status
on_delim(struct ps *p, int i, int close)
{
	p->stack[i].seen = 1;
	pop_to(p, i + 1);
	if (close) {
		p->in_header = 0;
		return PRESCAN_OK;
	}
	if (++p->info->parts > PRESCAN_MAX_PARTS)
		return PRESCAN_TOO_MANY_PARTS;
	block_start(p, 0, p->stack[i].digest);
	return PRESCAN_OK;
}

/* One header line s[0..n) (line end excluded) of raw size total, at offset
 * off; next is the offset of the following line. */
static enum prescan_status
header_line(struct ps *p, const char *s, size_t n, size_t total, size_t off,
    size_t next)
{
	enum prescan_status st;
	int i, close;

	if (n == 0)
		return block_end(p, next);
	if ((i = match_delim(p, s, n, &close)) >= 0) {
		if ((st = block_end(p, off)) != PRESCAN_OK)
			return st;
		return on_delim(p, i, close);
	}
	p->blk.bytes += total;
	if (p->blk.bytes > PRESCAN_MAX_HEADER_BLOCK)
		return PRESCAN_HEADER_TOO_BIG;
	if (++p->blk.lines > PRESCAN_MAX_HEADER_LINES)
		return PRESCAN_TOO_MANY_HEADERS;
	if (memchr(s, '\0', n) != NULL)
		return PRESCAN_NUL_IN_HEADER;
	if (is_wsp(s[0])) {
		if (p->blk.field != NULL)
			p->blk.field_len = (size_t)(s + n - p->blk.field);
		return PRESCAN_OK;
	}
	if ((st = field_end(p)) != PRESCAN_OK)
		return st;
	p->blk.field = s;
	p->blk.field_len = n;
	return PRESCAN_OK;
}

static enum prescan_status
body_line(struct ps *p, const char *s, size_t n)
{
	int i, close;

	if ((i = match_delim(p, s, n, &close)) < 0)
		return PRESCAN_OK;
	return on_delim(p, i, close);
}

/* Does the message start with a header field name and a colon? */
static int
first_line_ok(const char *msg, size_t len)
{
	const char *nl = memchr(msg, '\n', len);
	size_t colon;

	if (nl != NULL)
		len = (size_t)(nl - msg);
	return field_name_len(msg, len, &colon) > 0;
}

static enum prescan_status
scan_lines(struct ps *p, const char *msg, size_t len)
{
	enum prescan_status st;
	size_t pos, next;

	for (pos = 0; pos < len; pos = next) {
		const char *nl = memchr(msg + pos, '\n', len - pos);
		size_t end = nl != NULL ? (size_t)(nl - msg) : len;
		size_t n = end - pos;
		next = nl != NULL ? end + 1 : len;
		if (n > 0 && msg[end - 1] == '\r')
			n--;
		if (p->in_header)
			st = header_line(p, msg + pos, n, next - pos, pos,
			    next);
		else
			st = body_line(p, msg + pos, n);
		if (st != PRESCAN_OK)
			return st;
	}
	if (p->in_header)
		return block_end(p, len);
	return PRESCAN_OK;
}

enum prescan_status
prescan_message(const char *msg, size_t len, struct prescan_info *info)
{
	struct ps p;
	enum prescan_status st;

	memset(info, 0, sizeof *info);
	if (len == 0 || !first_line_ok(msg, len))
		return PRESCAN_NO_HEADER;
	p.info = info;
	p.depth = 0;
	block_start(&p, 1, 0);
	info->header_len = len;
	if ((st = scan_lines(&p, msg, len)) != PRESCAN_OK)
		return st;
	pop_to(&p, 0);
	return PRESCAN_OK;
}

const char *
prescan_status_str(enum prescan_status st)
{
	switch (st) {
	case PRESCAN_OK:
		return "ok";
	case PRESCAN_TOO_DEEP:
		return "MIME structure nested too deeply";
	case PRESCAN_TOO_MANY_PARTS:
		return "too many MIME parts";
	case PRESCAN_HEADER_TOO_BIG:
		return "header block too large";
	case PRESCAN_TOO_MANY_HEADERS:
		return "too many header lines";
	case PRESCAN_BAD_BOUNDARY:
		return "invalid MIME boundary";
	case PRESCAN_COMMENT_TOO_DEEP:
		return "header comments nested too deeply";
	case PRESCAN_NO_HEADER:
		return "message has no header";
	case PRESCAN_NUL_IN_HEADER:
		return "NUL byte in header";
	}
	return "unknown pre-scan status";
}
