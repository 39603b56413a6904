/*
 * Search pages (see search.h). The reader's text never reaches FTS5 as
 * syntax (store_search_parse quotes every word); results come only from
 * groups the viewer may read; snippets are cut from the original text and
 * the words are found there through the same fold as the index.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "daemon/fold.h"
#include "daemon/engine.h"
#include "daemon/json.h"
#include "daemon/store_group.h"
#include "daemon/store_search.h"
#include "web/board.h"
#include "web/export.h"
#include "web/html.h"
#include "web/httpd.h"
#include "web/layout.h"
#include "web/search.h"

/* ---- snippets ---- */

struct snip_ctx {
	const struct search_query	*sq;
	size_t				 start[SEARCH_SNIPPET_MARKS];
	size_t				 end[SEARCH_SNIPPET_MARKS];
	int				 n;
};

static int
search_snip_word(void *arg, const char *key, size_t start, size_t end)
{
	struct snip_ctx *c = arg;
	const struct buf *k = &c->sq->keys;
	for (size_t i = 0; i < k->len; i += strlen(k->data + i) + 1)
		if (strcmp(k->data + i, key) == 0) {
			c->start[c->n] = start;
			c->end[c->n] = end;
			c->n++;
			break;
		}
	return c->n == SEARCH_SNIPPET_MARKS;
}

static int
search_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Append s[0..n) with runs of white space as one space. */
static void
search_text(struct buf *out, const char *s, size_t n, int html)
{
	size_t i = 0;
	while (i < n) {
		if (search_blank(s[i])) {
			while (i < n && search_blank(s[i]))
				i++;
			buf_putc(out, ' ');
			continue;
		}
		size_t j = i;
		while (j < n && !search_blank(s[j]))
			j++;
		if (html)
			html_esc_len(out, s + i, j - i);
		else
			buf_append(out, s + i, j - i);
		i = j;
	}
}

/* Where an excerpt of about width bytes around the first mark starts and
 * ends, at character boundaries. */
static void
search_window(const char *text, size_t len, const struct snip_ctx *c,
    size_t width, size_t *from, size_t *to)
{
	size_t first = c->n > 0 ? c->start[0] : 0;
	size_t s = first > SEARCH_SNIPPET_BEFORE ? first - SEARCH_SNIPPET_BEFORE :
	    0;
	while (s > 0 && (text[s] & 0xC0) == 0x80)
		s--;
	/* start after a space when there is one shortly before the match */
	for (size_t p = s; s > 0 && p < first; p++)
		if (search_blank(text[p])) {
			s = p + 1;
			break;
		}
	size_t e = len - s > width ? s + width : len;
	while (e < len && e > s && (text[e] & 0xC0) == 0x80)
		e--;
	for (int i = 0; i < c->n; i++)
		if (c->start[i] < e && c->end[i] > e)
			e = c->end[i];	/* never cut a marked word */
	*from = s;
	*to = e;
}

void
search_snippet(struct buf *out, const char *text, size_t len,
    const struct search_query *sq, size_t width, int html)
{
	struct snip_ctx c = { .sq = sq, .n = 0 };
	while (len > 0 && search_blank(text[0])) {
		text++;
		len--;
	}
	fold_words(text, len > SEARCH_SNIPPET_SCAN ? SEARCH_SNIPPET_SCAN : len,
	    search_snip_word, &c);
	size_t from = 0, to = len;
	if (width > 0)
		search_window(text, len, &c, width, &from, &to);
	while (from < to && search_blank(text[from]))
		from++;
	while (to > from && search_blank(text[to - 1]))
		to--;
	if (from > 0)
		buf_puts(out, "\u2026");
	size_t pos = from;
	for (int i = 0; i < c.n; i++) {
		if (c.end[i] <= pos || c.start[i] >= to)
			continue;
		search_text(out, text + pos, c.start[i] - pos, html);
		if (html)
			buf_puts(out, "<mark>");
		search_text(out, text + c.start[i], c.end[i] - c.start[i], html);
		if (html)
			buf_puts(out, "</mark>");
		pos = c.end[i];
	}
	search_text(out, text + pos, to - pos, html);
	while (to < len && search_blank(text[to]))
		to++;
	if (to < len)
		buf_puts(out, "\u2026");
}

/* ---- request ---- */

static int
search_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The decoded value of parameter name in the query string query (may be
 * NULL) into out: 1 found, 0 absent, -1 broken encoding, NUL or invalid
 * UTF-8. */
static int
search_param(const char *query, const char *name, struct buf *out)
{
	size_t nlen = strlen(name);
	buf_reset(out);
	for (const char *p = query; p != NULL && *p;) {
		size_t n = strcspn(p, "&");
		if (n > nlen && memcmp(p, name, nlen) == 0 && p[nlen] == '=') {
			for (size_t i = nlen + 1; i < n; i++) {
				if (p[i] == '+')
					buf_putc(out, ' ');
				else if (p[i] != '%')
					buf_putc(out, p[i]);
				else if (n - i < 3 || search_hex(p[i + 1]) < 0 ||
				    search_hex(p[i + 2]) < 0)
					return -1;
				else {
					buf_putc(out, (char)(search_hex(p[i + 1]) << 4 |
					    search_hex(p[i + 2])));
					i += 2;
				}
			}
			return html_utf8_valid(buf_cstr(out), out->len) ? 1 : -1;
		}
		p += n;
		if (*p == '&')
			p++;
	}
	return 0;
}

struct search_req {
	struct web_req		*w;
	struct buf		 q, g;
	struct search_query	 sq;
	enum search_parse	 parsed;
	int			 ran;		/* the search ran */
	int			 timed_out;
	int64_t			 total, pages;
	struct buf		*out;		/* HTML items, or NULL */
	struct json		*js;		/* JSON results, or NULL */
};

static void
search_req_free(struct search_req *s)
{
	buf_free(&s->q);
	buf_free(&s->g);
	store_search_query_free(&s->sq);
}

static void
search_url(struct buf *out, struct search_req *s, int64_t page)
{
	buf_puts(out, "/search?q=");
	html_url_segment(out, buf_cstr(&s->q));
	if (s->g.len > 0) {
		buf_puts(out, "&g=");
		html_url_segment(out, buf_cstr(&s->g));
	}
	if (page > 1)
		buf_printf(out, "&page=%lld", (long long)page);
}

static void
search_hit_json(struct search_req *s, const struct search_hit *h)
{
	struct web_req *w = s->w;
	struct buf url = BUF_INIT, snip = BUF_INIT, marked = BUF_INIT;
	buf_printf(&url, "%s/g/", httpd_site_url(w));
	html_url_segment(&url, h->group_slug);
	buf_printf(&url, "/t/%lld#p%lld", (long long)h->thread_id,
	    (long long)h->post_id);
	search_snippet(&snip, h->body, strlen(h->body), &s->sq,
	    SEARCH_SNIPPET_BYTES, 0);
	search_snippet(&marked, h->body, strlen(h->body), &s->sq,
	    SEARCH_SNIPPET_BYTES, 1);
	json_begin_object(s->js);
	json_kv_int(s->js, "post_id", h->post_id);
	json_kv_int(s->js, "thread_id", h->thread_id);
	json_kv_string(s->js, "group", h->group_slug);
	json_kv_string(s->js, "group_name", h->group_name);
	json_kv_string(s->js, "subject", h->subject);
	json_kv_string(s->js, "author", h->author_name);
	json_kv_int(s->js, "date", h->created);
	json_kv_string(s->js, "url", buf_cstr(&url));
	json_kv_string(s->js, "snippet", buf_cstr(&snip));
	json_kv_string(s->js, "snippet_html", buf_cstr(&marked));
	json_end_object(s->js);
	buf_free(&url);
	buf_free(&snip);
	buf_free(&marked);
}

static void
search_hit_html(struct search_req *s, const struct search_hit *h)
{
	struct web_req *w = s->w;
	struct buf subject = BUF_INIT, snip = BUF_INIT, date = BUF_INIT,
	    iso = BUF_INIT;
	search_snippet(&subject, h->subject, strlen(h->subject), &s->sq, 0, 1);
	search_snippet(&snip, h->body, strlen(h->body), &s->sq,
	    SEARCH_SNIPPET_BYTES, 1);
	i18n_date(&date, w->lang, h->created);
	export_rfc3339(&iso, h->created);
	html_printf(s->out, "<li><h2 dir=\"auto\"><a href=\"/g/%u/t/%D#p%D\">"
	    "%H</a></h2>\n<p class=\"snippet\" dir=\"auto\">%H</p>\n"
	    "<p class=\"meta\"><span dir=\"auto\">%s</span><span>%s "
	    "<a href=\"/g/%u\" dir=\"auto\">%s</a></span><span><time datetime="
	    "\"%s\">%s</time></span></p></li>\n", h->group_slug, h->thread_id,
	    h->post_id, buf_cstr(&subject), buf_cstr(&snip),
	    h->author_name[0] ? h->author_name : "?", i18n_msg(w->lang,
	    I18N_SEARCH_IN), h->group_slug, h->group_name, buf_cstr(&iso),
	    buf_cstr(&date));
	buf_free(&subject);
	buf_free(&snip);
	buf_free(&date);
	buf_free(&iso);
}

static int
search_hit_cb(void *arg, const struct search_hit *h)
{
	struct search_req *s = arg;
	if (s->js != NULL)
		search_hit_json(s, h);
	else
		search_hit_html(s, h);
	return 0;
}

/*
 * Read the parameters and run the search: returns 0 to render, or the
 * status to answer (400 broken parameters, 404 past the last page).
 * s->parsed tells whether there was a query worth running.
 */
static int
search_run(struct web_req *w, struct search_req *s)
{
	const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(
	    w->req));
	int rq = search_param(query, "q", &s->q), rg = search_param(query, "g",
	    &s->g);
	if (rq == -1 || rg == -1 || s->g.len > ROUTE_SLUG_MAX)
		return 400;
	s->parsed = store_search_parse(&s->sq, buf_cstr(&s->q), s->q.len,
	    w->viewer.member_id != 0);
	if (s->parsed != SEARCH_OK)
		return s->parsed == SEARCH_EMPTY ? 0 : 400;
	if (w->page > SEARCH_PAGES_MAX)
		return 404;
	struct search_scope scope = { w->viewer.member_id, w->viewer.is_admin,
	    s->g.len > 0 ? buf_cstr(&s->g) : NULL, 0 };
	int rc = store_search_run(w->e->db, &s->sq, &scope, (w->page - 1) *
	    SEARCH_PER_PAGE, SEARCH_PER_PAGE, &s->total, search_hit_cb, s);
	s->ran = 1;
	s->timed_out = rc == 1;
	if (rc != 0)
		s->total = 0;	/* an error answers "no results", never 500 */
	int64_t shown = s->total > SEARCH_COUNT_MAX ? SEARCH_COUNT_MAX :
	    s->total;
	s->pages = (shown + SEARCH_PER_PAGE - 1) / SEARCH_PER_PAGE;
	if (s->pages > SEARCH_PAGES_MAX)
		s->pages = SEARCH_PAGES_MAX;
	if (w->page > 1 && w->page > s->pages)
		return 404;
	return 0;
}

/* ---- HTML ---- */

static void
search_form(struct buf *page, struct search_req *s)
{
	enum i18n_lang l = s->w->lang;
	html_printf(page, "<form class=\"search\" method=\"get\" action=\"/search\""
	    " role=\"search\"><label for=\"q\">%s</label> <input type=\"search\""
	    " id=\"q\" name=\"q\" value=\"%s\" dir=\"auto\" required>",
	    i18n_msg(l, I18N_SEARCH_LABEL), buf_cstr(&s->q));
	if (s->g.len > 0)
		html_printf(page, "<input type=\"hidden\" name=\"g\" value=\"%s\">",
		    buf_cstr(&s->g));
	html_printf(page, " <button type=\"submit\">%s</button></form>\n"
	    "<p class=\"lead\">%s</p>\n", i18n_msg(l, I18N_SEARCH),
	    i18n_msg(l, I18N_SEARCH_HINT));
}

static void
search_pagination(struct buf *out, struct search_req *s)
{
	struct web_req *w = s->w;
	if (s->pages <= 1)
		return;
	struct buf url = BUF_INIT;
	html_printf(out, "<nav class=\"pages\" aria-label=\"%s\">",
	    i18n_msg(w->lang, I18N_PAGINATION));
	if (w->page > 1) {
		search_url(&url, s, w->page - 1);
		html_printf(out, "<a rel=\"prev\" href=\"%s\">%s</a>",
		    buf_cstr(&url), i18n_msg(w->lang, I18N_PREVIOUS));
	}
	html_printf(out, "<span>%s %D %s %D</span>", i18n_msg(w->lang,
	    I18N_PAGE), w->page, i18n_msg(w->lang, I18N_OF), s->pages);
	if (w->page < s->pages) {
		buf_reset(&url);
		search_url(&url, s, w->page + 1);
		html_printf(out, "<a rel=\"next\" href=\"%s\">%s</a>",
		    buf_cstr(&url), i18n_msg(w->lang, I18N_NEXT));
	}
	buf_puts(out, "</nav>\n");
	buf_free(&url);
}

/* The status line: a problem with the query, or the count. */
static void
search_status(struct buf *page, struct search_req *s)
{
	enum i18n_lang l = s->w->lang;
	enum i18n_msg m = I18N_SEARCH_NONE;
	if (s->parsed == SEARCH_TOO_LONG)
		m = I18N_SEARCH_TOO_LONG;
	else if (s->parsed == SEARCH_TOO_MANY)
		m = I18N_SEARCH_TOO_MANY;
	else if (s->timed_out)
		m = I18N_SEARCH_TIMEOUT;
	else if (s->total > 0) {
		html_printf(page, "<p role=\"status\">%s%s%s%D</p>\n",
		    i18n_msg(l, I18N_SEARCH_RESULTS), i18n_colon(l),
		    s->total > SEARCH_COUNT_MAX ? i18n_msg(l,
		    I18N_SEARCH_MORE_THAN) : "", s->total > SEARCH_COUNT_MAX ?
		    (int64_t)SEARCH_COUNT_MAX : s->total);
		return;
	}
	html_printf(page, "<p role=\"status\">%s</p>\n", i18n_msg(l, m));
}

void
search_page(struct web_req *w)
{
	struct buf items = BUF_INIT, page = BUF_INIT;
	struct search_req s = { .w = w, .out = &items };
	buf_init(&s.q);
	buf_init(&s.g);
	store_search_query_init(&s.sq);
	int code = search_run(w, &s);
	if (code == 404 || (code == 400 && s.parsed == SEARCH_OK)) {
		httpd_reply_error(w, code);
		goto done;
	}
	layout_begin(&page, w, i18n_msg(w->lang, I18N_SEARCH), NULL);
	html_printf(&page, "<h1>%s</h1>\n", i18n_msg(w->lang, I18N_SEARCH));
	search_form(&page, &s);
	if (code == 400 || s.ran || s.q.len > 0)
		search_status(&page, &s);
	if (s.total > 0 && items.len > 0)
		html_printf(&page, "<ol class=\"list\">\n%H</ol>\n",
		    buf_cstr(&items));
	search_pagination(&page, &s);
	layout_end(&page, w);
	httpd_reply(w, code ? code : 200, "text/html; charset=utf-8", &page);
done:
	buf_free(&items);
	buf_free(&page);
	search_req_free(&s);
}

/* ---- JSON ---- */

static void
search_json_error(struct web_req *w, int code, const char *what)
{
	struct buf out = BUF_INIT;
	struct json js;
	json_init(&js, &out);
	json_begin_object(&js);
	json_kv_string(&js, "error", what);
	json_end_object(&js);
	buf_putc(&out, '\n');
	httpd_reply(w, code, "application/json; charset=utf-8", &out);
	buf_free(&out);
}

void
search_json(struct web_req *w)
{
	struct buf out = BUF_INIT;
	struct json js;
	struct search_req s = { .w = w, .js = &js };
	buf_init(&s.q);
	buf_init(&s.g);
	store_search_query_init(&s.sq);
	json_init(&js, &out);
	json_begin_object(&js);
	json_key(&js, "results");
	json_begin_array(&js);
	int code = search_run(w, &s);
	json_end_array(&js);
	if (code == 404)
		httpd_reply_error(w, 404);
	else if (code == 400)
		search_json_error(w, 400, s.parsed == SEARCH_TOO_LONG ?
		    "query too long" : s.parsed == SEARCH_TOO_MANY ?
		    "too many terms" : "bad parameter");
	else {
		json_kv_string(&js, "query", buf_cstr(&s.q));
		if (s.g.len > 0)
			json_kv_string(&js, "group", buf_cstr(&s.g));
		json_kv_int(&js, "page", w->page);
		json_kv_int(&js, "pages", s.pages);
		json_kv_int(&js, "total", s.total > SEARCH_COUNT_MAX ?
		    SEARCH_COUNT_MAX : s.total);
		json_kv_bool(&js, "more", s.total > SEARCH_COUNT_MAX);
		json_kv_bool(&js, "timed_out", s.timed_out);
		json_end_object(&js);
		if (json_finish(&js) == -1)
			httpd_reply_error(w, 500);
		else
			board_reply_json(w, &out);
	}
	buf_free(&out);
	search_req_free(&s);
}
