/*
 * Route table and matcher (see route.h). The table is the one place that
 * says which handler serves which URL, with which permission.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "daemon/buf.h"
#include "web/board.h"
#include "web/export.h"
#include "web/html.h"
#include "web/httpd.h"
#include "web/layout.h"
#include "web/route.h"
#include "web/token.h"

/* Routes of the other parts of the site, one file each, one line
 * ROUTE(methods, pattern, handler, permission, csrf) per route: first
 * declared here, then entered in the table. */
#define ROUTE(m, pattern, handler, perm, csrf)	void handler(struct web_req *);
#include "web/routes.def"
#undef ROUTE

const struct route route_table[] = {
	{ ROUTE_GET, "/", board_index, ROUTE_PERM_ANYONE, 0 },
	{ ROUTE_GET, "/index.json", board_index_json, ROUTE_PERM_ANYONE, 0 },
	{ ROUTE_GET, "/healthz", httpd_healthz, ROUTE_PERM_ANYONE, 0 },
	{ ROUTE_GET, "/static/majlis.css", layout_css, ROUTE_PERM_ANYONE, 0 },
	{ ROUTE_GET, "/favicon.ico", layout_favicon, ROUTE_PERM_ANYONE, 0 },
	{ ROUTE_GET, "/g/{slug}", board_group, ROUTE_PERM_GROUP_READ, 0 },
	{ ROUTE_GET, "/g/{slug}.json", board_group_json, ROUTE_PERM_GROUP_READ,
	    0 },
	{ ROUTE_GET, "/g/{slug}/atom.xml", export_atom, ROUTE_PERM_GROUP_READ,
	    0 },
	{ ROUTE_GET, "/g/{slug}/t/{id}", board_thread, ROUTE_PERM_GROUP_READ,
	    0 },
	{ ROUTE_GET, "/g/{slug}/t/{id}.json", board_thread_json,
	    ROUTE_PERM_GROUP_READ, 0 },
	{ ROUTE_GET, "/g/{slug}/t/{id}.mbox", export_mbox,
	    ROUTE_PERM_GROUP_READ, 0 },
	{ ROUTE_GET, "/a/{id}/{name}", export_attachment, ROUTE_PERM_IN_HANDLER,
	    0 },
	/* The token in the URL is the capability, and RFC 8058 one-click
	 * POSTs come from mail providers without any session: no CSRF. */
	{ ROUTE_GET | ROUTE_POST, "/u/{token}", token_unsubscribe,
	    ROUTE_PERM_ANYONE, 0 },
	{ ROUTE_GET | ROUTE_POST, "/c/{token}", token_confirm,
	    ROUTE_PERM_ANYONE, 0 },
#define ROUTE(m, pattern, handler, perm, csrf)	\
	{ m, pattern, handler, perm, csrf },
#include "web/routes.def"
#undef ROUTE
};

int
route_count(void)
{
	return (int)(sizeof route_table / sizeof route_table[0]);
}

static int
route_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode raw[0..len) into out; -1 on a bad escape, NUL or
 * invalid UTF-8. */
static int
route_decode(const char *raw, size_t len, struct buf *out)
{
	buf_reset(out);
	for (size_t i = 0; i < len; i++) {
		if (raw[i] != '%') {
			buf_putc(out, raw[i]);
			continue;
		}
		if (len - i < 3)
			return -1;
		int hi = route_hex(raw[i + 1]), lo = route_hex(raw[i + 2]);
		if (hi < 0 || lo < 0)
			return -1;
		buf_putc(out, (char)(hi << 4 | lo));
		i += 2;
	}
	return html_utf8_valid(out->data ? out->data : "", out->len) ? 0 : -1;
}

static int
route_charset(const char *s, size_t n, const char *extra)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    (s[i] != '\0' && strchr(extra, s[i]) != NULL)))
			return 0;
	return 1;
}

/* Validate and store one capture of kind k ("slug", ...). */
static int
route_capture(const char *k, size_t klen, const char *v, size_t n,
    struct route_params *p)
{
	if (n == 0)
		return 0;
	if (klen == 4 && memcmp(k, "slug", 4) == 0) {
		if (n > ROUTE_SLUG_MAX || !route_charset(v, n, "_-"))
			return 0;
		memcpy(p->slug, v, n);
		p->slug[n] = '\0';
	} else if (klen == 2 && memcmp(k, "id", 2) == 0) {
		if (n > ROUTE_ID_DIGITS || v[0] == '0' ||
		    strspn(v, "0123456789") < n)
			return 0;
		p->id = 0;
		for (size_t i = 0; i < n; i++)
			p->id = p->id * 10 + (v[i] - '0');
	} else if (klen == 5 && memcmp(k, "token", 5) == 0) {
		if (n > ROUTE_TOKEN_MAX || !route_charset(v, n, "_-"))
			return 0;
		memcpy(p->token, v, n);
		p->token[n] = '\0';
	} else if (klen == 4 && memcmp(k, "name", 4) == 0) {
		if (n > ROUTE_NAME_MAX)
			return 0;
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
				return 0;
		memcpy(p->name, v, n);
		p->name[n] = '\0';
	} else
		return 0;
	return 1;
}

/* Match one pattern segment against one decoded path segment. */
static int
route_segment(const char *pat, size_t plen, const char *seg, size_t slen,
    struct route_params *p)
{
	const char *open = memchr(pat, '{', plen);
	if (open == NULL)
		return plen == slen && memcmp(pat, seg, slen) == 0;
	const char *close = memchr(open, '}', plen - (size_t)(open - pat));
	size_t pre = (size_t)(open - pat);
	size_t suf = plen - (size_t)(close + 1 - pat);
	if (slen < pre + suf || memcmp(seg, pat, pre) != 0 ||
	    memcmp(seg + slen - suf, close + 1, suf) != 0)
		return 0;
	return route_capture(open + 1, (size_t)(close - open - 1), seg + pre,
	    slen - pre - suf, p);
}

/* Split path (after its leading '/') at '/' into at most max segments of
 * decoded text in segs; returns the count, or -1 for a bad path, -2 for
 * too many segments. */
static int
route_split(const char *path, struct buf *segs, int max)
{
	const char *p = path + 1;
	int n = 0;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		if (n == max)
			return -2;
		if (route_decode(p, len, &segs[n]) == -1)
			return -1;
		n++;
		if (slash == NULL)
			return n;
		p = slash + 1;
	}
}

static int
route_try(const struct route *r, struct buf *segs, int nseg,
    struct route_params *params)
{
	const char *pat = r->pattern + 1;
	for (int i = 0; i < nseg; i++) {
		const char *slash = strchr(pat, '/');
		size_t plen = slash ? (size_t)(slash - pat) : strlen(pat);
		if ((slash == NULL) != (i == nseg - 1))
			return 0;
		if (!route_segment(pat, plen, buf_cstr(&segs[i]), segs[i].len,
		    params))
			return 0;
		pat = slash ? slash + 1 : pat + plen;
	}
	return 1;
}

enum route_result
route_match(const struct route *routes, int n, int method, const char *path,
    const struct route **found, struct route_params *params)
{
	struct buf segs[ROUTE_SEGMENTS_MAX];
	enum route_result res = ROUTE_NOT_FOUND;
	memset(params, 0, sizeof *params);
	*found = NULL;
	if (path == NULL || path[0] != '/' || strlen(path) > ROUTE_PATH_MAX)
		return ROUTE_BAD_PATH;
	for (int i = 0; i < ROUTE_SEGMENTS_MAX; i++)
		buf_init(&segs[i]);
	int nseg = route_split(path, segs, ROUTE_SEGMENTS_MAX);
	if (nseg == -1)
		res = ROUTE_BAD_PATH;
	for (int i = 0; nseg > 0 && i < n && res != ROUTE_OK; i++) {
		struct route_params p;
		memset(&p, 0, sizeof p);
		if (!route_try(&routes[i], segs, nseg, &p))
			continue;
		if (!(routes[i].methods & method)) {
			res = ROUTE_BAD_METHOD;
			continue;
		}
		*params = p;
		*found = &routes[i];
		res = ROUTE_OK;
	}
	for (int i = 0; i < ROUTE_SEGMENTS_MAX; i++)
		buf_free(&segs[i]);
	return res;
}
