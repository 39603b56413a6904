/*
 * Group list, thread list and thread pages, HTML and JSON (see board.h).
 * Every handler here runs after the pipeline's permission step: the group
 * in w->group is one the viewer may read.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"
#include "daemon/engine.h"
#include "daemon/json.h"
#include "daemon/quote.h"
#include "daemon/store_archive.h"
#include "daemon/store_post.h"
#include "web/board.h"
#include "web/bodycache.h"
#include "web/export.h"
#include "web/html.h"
#include "web/httpd.h"
#include "web/layout.h"
#include "web/markdown.h"
#include "web/mod_thread.h"
#include "web/pagecache.h"
#include "web/write.h"

/* Bytes reserved up front for a thread page (a 50-post thread is about
 * 64 KiB): the page grows without copying itself over and over. */
#define BOARD_THREAD_PAGE_HINT	(96 * 1024)

/* The span s[0..n) without leading and trailing blank lines and spaces. */
static void
board_trim(const char **s, size_t *n)
{
	while (*n > 0 && strchr("\r\n \t", (*s)[0]) != NULL) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && strchr("\r\n \t", (*s)[*n - 1]) != NULL)
		(*n)--;
}

void
board_body_html(struct buf *out, const char *text, size_t len,
    const char *quoted_label, const char *signature_label)
{
	struct quote_span spans[QUOTE_MAX_SPANS];
	size_t n = quote_split(text, len, spans, QUOTE_MAX_SPANS);
	for (size_t i = 0; i < n; i++) {
		const char *s = text + spans[i].start;
		size_t sn = spans[i].len;
		board_trim(&s, &sn);
		if (sn == 0)
			continue;
		const char *label = spans[i].kind == QUOTE_QUOTED ?
		    quoted_label : signature_label;
		if (spans[i].kind != QUOTE_TEXT)
			html_printf(out, "<details class=\"%H\"><summary>%s"
			    "</summary>", spans[i].kind == QUOTE_QUOTED ?
			    "quote" : "sig", label);
		buf_puts(out, "<p class=\"text\">");
		html_esc_len(out, s, sn);
		buf_puts(out, "</p>");
		if (spans[i].kind != QUOTE_TEXT)
			buf_puts(out, "</details>");
		buf_putc(out, '\n');
	}
}

void
board_reply_json(struct web_req *w, const struct buf *json)
{
	struct buf out = BUF_INIT;
	for (size_t i = 0; i < json->len; i++) {
		char c = json->data[i];
		if (c == '<')
			buf_puts(&out, "\\u003c");
		else if (c == '>')
			buf_puts(&out, "\\u003e");
		else if (c == '&')
			buf_puts(&out, "\\u0026");
		else
			buf_putc(&out, c);
	}
	buf_putc(&out, '\n');
	httpd_reply(w, 200, "application/json; charset=utf-8", &out);
	buf_free(&out);
}

static void
board_date(struct buf *out, struct web_req *w, int64_t t)
{
	struct buf d = BUF_INIT, iso = BUF_INIT;
	i18n_date(&d, w->lang, t);
	export_rfc3339(&iso, t);
	html_printf(out, "<time datetime=\"%s\">%s</time>", buf_cstr(&iso),
	    buf_cstr(&d));
	buf_free(&d);
	buf_free(&iso);
}

/* ---- group list ---- */

struct index_ctx {
	struct web_req	*w;
	struct buf	*out;
	struct json	*js;
	int		 shown;
	int		 error;
};

static void
board_index_item(struct index_ctx *c, const struct archive_group *ag)
{
	struct web_req *w = c->w;
	const struct group *g = ag->g;
	html_printf(c->out, "<li><h2 dir=\"auto\"><a href=\"/g/%u\">%s</a></h2>",
	    g->slug, g->name);
	if (g->description[0] != '\0')
		html_printf(c->out, "<p dir=\"auto\">%s</p>", g->description);
	const char *colon = i18n_colon(w->lang);
	html_printf(c->out, "<p class=\"meta\"><span>%s%s%D</span><span>%s%s"
	    "%D</span><span>%s%s", i18n_msg(w->lang, I18N_THREADS), colon,
	    ag->threads, i18n_msg(w->lang, I18N_POSTS), colon, ag->posts,
	    i18n_msg(w->lang, I18N_LAST_ACTIVITY), colon);
	if (ag->last_post)
		board_date(c->out, w, ag->last_post);
	else
		html_esc(c->out, i18n_msg(w->lang, I18N_NEVER));
	buf_puts(c->out, "</span></p></li>\n");
}

static void
board_group_json_fields(struct json *js, struct web_req *w,
    const struct archive_group *ag)
{
	const struct group *g = ag->g;
	struct buf url = BUF_INIT;
	buf_printf(&url, "%s/g/", httpd_site_url(w));
	html_url_segment(&url, g->slug);
	json_kv_string(js, "slug", g->slug);
	json_kv_string(js, "name", g->name);
	json_kv_string(js, "description", g->description);
	json_kv_string(js, "language", g->language);
	json_kv_int(js, "threads", ag->threads);
	json_kv_int(js, "posts", ag->posts);
	json_kv_int(js, "last_activity", ag->last_post);
	json_kv_string(js, "url", buf_cstr(&url));
	buf_free(&url);
}

static int
board_index_cb(void *arg, const struct archive_group *ag)
{
	struct index_ctx *c = arg;
	int rc = access_group_read(c->w->e->db, &c->w->viewer, ag->g);
	if (rc == -1) {
		c->error = 1;
		return -1;
	}
	if (rc == 0)
		return 0;
	c->shown++;
	if (c->js != NULL) {
		json_begin_object(c->js);
		board_group_json_fields(c->js, c->w, ag);
		json_end_object(c->js);
	} else
		board_index_item(c, ag);
	return 0;
}

void
board_index(struct web_req *w)
{
	struct buf page = BUF_INIT, items = BUF_INIT;
	struct index_ctx c = { w, &items, NULL, 0, 0 };
	if (store_archive_groups(w->e->db, board_index_cb, &c) == -1 ||
	    c.error) {
		httpd_reply_error(w, 500);
		buf_free(&items);
		return;
	}
	layout_begin(&page, w, i18n_msg(w->lang, I18N_GROUPS), NULL);
	html_printf(&page, "<h1>%s</h1>\n", i18n_msg(w->lang, I18N_GROUPS));
	if (c.shown == 0)
		html_printf(&page, "<p>%s</p>\n", i18n_msg(w->lang,
		    I18N_NO_GROUPS));
	else
		html_printf(&page, "<ul class=\"list\">\n%H</ul>\n",
		    buf_cstr(&items));
	layout_end(&page, w);
	httpd_reply(w, 200, "text/html; charset=utf-8", &page);
	buf_free(&page);
	buf_free(&items);
}

void
board_index_json(struct web_req *w)
{
	struct buf out = BUF_INIT;
	struct json js;
	json_init(&js, &out);
	json_begin_object(&js);
	json_key(&js, "groups");
	json_begin_array(&js);
	struct index_ctx c = { w, NULL, &js, 0, 0 };
	int rc = store_archive_groups(w->e->db, board_index_cb, &c);
	json_end_array(&js);
	json_end_object(&js);
	if (rc == -1 || c.error || json_finish(&js) == -1)
		httpd_reply_error(w, 500);
	else
		board_reply_json(w, &out);
	buf_free(&out);
}

/* ---- a group's threads ---- */

struct group_ctx {
	struct web_req		*w;
	struct buf		*out;
	struct json		*js;
};

static int
board_thread_item(void *arg, const struct thread *t)
{
	struct group_ctx *c = arg;
	struct web_req *w = c->w;
	if (c->js != NULL) {
		struct buf url = BUF_INIT;
		buf_printf(&url, "%s/g/", httpd_site_url(w));
		html_url_segment(&url, w->group.slug);
		buf_printf(&url, "/t/%lld", (long long)t->id);
		json_begin_object(c->js);
		json_kv_int(c->js, "id", t->id);
		json_kv_string(c->js, "subject", t->subject);
		json_kv_int(c->js, "posts", t->post_count);
		json_kv_int(c->js, "created", t->created);
		json_kv_int(c->js, "last_activity", t->last_post);
		json_kv_string(c->js, "url", buf_cstr(&url));
		json_end_object(c->js);
		buf_free(&url);
		return 0;
	}
	const char *colon = i18n_colon(w->lang);
	html_printf(c->out, "<li><h2 dir=\"auto\"><a href=\"/g/%u/t/%D\">%s</a>"
	    "</h2><p class=\"meta\"><span>%s%s%d</span><span>%s%s",
	    w->group.slug, t->id, t->subject, i18n_msg(w->lang, I18N_POSTS),
	    colon, t->post_count, i18n_msg(w->lang, I18N_LAST_ACTIVITY), colon);
	board_date(c->out, w, t->last_post);
	buf_puts(c->out, "</span></p></li>\n");
	return 0;
}

/* Counts and page bounds of w->group; 0, or the status to answer. */
static int
board_group_pages(struct web_req *w, struct archive_group *ag, int64_t *pages)
{
	ag->g = &w->group;
	if (store_archive_group_counts(w->e->db, w->group.id, ag) == -1)
		return 500;
	*pages = (ag->threads + BOARD_THREADS_PER_PAGE - 1) /
	    BOARD_THREADS_PER_PAGE;
	if (*pages == 0)
		*pages = 1;
	return w->page > *pages ? 404 : 0;
}

static void
board_pagination(struct buf *out, struct web_req *w, int64_t pages)
{
	if (pages <= 1)
		return;
	html_printf(out, "<nav class=\"pages\" aria-label=\"%s\">",
	    i18n_msg(w->lang, I18N_PAGINATION));
	if (w->page > 1)
		html_printf(out, "<a rel=\"prev\" href=\"/g/%u?page=%D\">%s</a>",
		    w->group.slug, w->page - 1, i18n_msg(w->lang,
		    I18N_PREVIOUS));
	html_printf(out, "<span>%s %D %s %D</span>", i18n_msg(w->lang,
	    I18N_PAGE), w->page, i18n_msg(w->lang, I18N_OF), pages);
	if (w->page < pages)
		html_printf(out, "<a rel=\"next\" href=\"/g/%u?page=%D\">%s</a>",
		    w->group.slug, w->page + 1, i18n_msg(w->lang, I18N_NEXT));
	buf_puts(out, "</nav>\n");
}

static void
board_group_head(struct buf *page, struct web_req *w, int may_post)
{
	struct buf head = BUF_INIT;
	html_printf(&head, "<link rel=\"alternate\" type=\"application/atom+xml\""
	    " href=\"/g/%u/atom.xml\" title=\"%s\">\n", w->group.slug,
	    w->group.name);
	layout_begin(page, w, w->group.name, buf_cstr(&head));
	buf_free(&head);
	html_printf(page, "<h1 dir=\"auto\">%s</h1>\n", w->group.name);
	if (w->group.description[0] != '\0')
		html_printf(page, "<p class=\"lead\" dir=\"auto\">%s</p>\n",
		    w->group.description);
	struct buf addr = BUF_INIT;
	buf_printf(&addr, "%s@%s", w->group.slug, w->e->cfg->list_domain);
	buf_puts(page, "<ul class=\"tools\">");
	if (may_post)
		html_printf(page, "<li><a href=\"/g/%u/new\">%s</a></li>",
		    w->group.slug, i18n_msg(w->lang, I18N_WR_NEW_TOPIC));
	html_printf(page, "<li>%s <a href=\"mailto:%s\">%s</a></li><li><a"
	    " href=\"/g/%u/atom.xml\">%s</a></li></ul>\n",
	    i18n_msg(w->lang, I18N_MAIL_TO_POST), buf_cstr(&addr),
	    buf_cstr(&addr), w->group.slug, i18n_msg(w->lang, I18N_FEED));
	buf_free(&addr);
}

void
board_group(struct web_req *w)
{
	struct archive_group ag;
	int64_t pages;
	int code = board_group_pages(w, &ag, &pages);
	if (code != 0) {
		httpd_reply_error(w, code);
		return;
	}
	struct buf page = BUF_INIT, items = BUF_INIT;
	struct group_ctx c = { w, &items, NULL };
	int may_post = write_may_post(w);
	if (may_post == -1 || store_archive_threads(w->e->db, w->group.id,
	    (w->page - 1) * BOARD_THREADS_PER_PAGE, BOARD_THREADS_PER_PAGE,
	    board_thread_item, &c) == -1) {
		httpd_reply_error(w, 500);
		buf_free(&items);
		return;
	}
	board_group_head(&page, w, may_post);
	if (ag.threads == 0)
		html_printf(&page, "<p>%s</p>\n", i18n_msg(w->lang,
		    I18N_NO_THREADS));
	else
		html_printf(&page, "<ol class=\"list\">\n%H</ol>\n",
		    buf_cstr(&items));
	board_pagination(&page, w, pages);
	layout_end(&page, w);
	httpd_reply(w, 200, "text/html; charset=utf-8", &page);
	buf_free(&page);
	buf_free(&items);
}

void
board_group_json(struct web_req *w)
{
	struct archive_group ag;
	int64_t pages;
	int code = board_group_pages(w, &ag, &pages);
	if (code != 0) {
		httpd_reply_error(w, code);
		return;
	}
	struct buf out = BUF_INIT;
	struct json js;
	json_init(&js, &out);
	json_begin_object(&js);
	json_key(&js, "group");
	json_begin_object(&js);
	board_group_json_fields(&js, w, &ag);
	json_end_object(&js);
	json_kv_int(&js, "page", w->page);
	json_kv_int(&js, "pages", pages);
	json_key(&js, "threads");
	json_begin_array(&js);
	struct group_ctx c = { w, NULL, &js };
	int rc = store_archive_threads(w->e->db, w->group.id, (w->page - 1) *
	    BOARD_THREADS_PER_PAGE, BOARD_THREADS_PER_PAGE, board_thread_item,
	    &c);
	json_end_array(&js);
	json_end_object(&js);
	if (rc == -1 || json_finish(&js) == -1)
		httpd_reply_error(w, 500);
	else
		board_reply_json(w, &out);
	buf_free(&out);
}

/* ---- a thread ---- */

struct thread_ctx {
	struct web_req	*w;
	struct buf	*out;
	struct json	*js;
	const char	*subject;	/* the thread's */
	int		 nfiles;
	int		 error;
	int		 may_reply;	/* the viewer may post, thread open */
	int		 may_moderate;	/* web/mod_thread.h links */
	int64_t		 first_post;	/* id of the thread's first post */
	const char	*bodies;	/* kept blob (web/bodycache.h) or NULL */
	size_t		 bodies_len;
	uint32_t	 pos;		/* posts rendered so far */
	struct bodycache_wr *collect;	/* the blob being built, or NULL */
};

static int
board_file_item(void *arg, const struct archive_attachment *a)
{
	struct thread_ctx *c = arg;
	struct web_req *w = c->w;
	if (c->js != NULL) {
		struct buf url = BUF_INIT;
		buf_printf(&url, "%s/a/%lld/", httpd_site_url(w), (long long)a->id);
		html_url_segment(&url, a->filename);
		json_begin_object(c->js);
		json_kv_int(c->js, "id", a->id);
		json_kv_string(c->js, "name", a->filename);
		json_kv_string(c->js, "type", a->content_type);
		json_kv_int(c->js, "size", a->size);
		json_kv_string(c->js, "url", buf_cstr(&url));
		json_end_object(c->js);
		buf_free(&url);
		return 0;
	}
	if (c->nfiles++ == 0)
		html_printf(c->out, "<div class=\"files\"><h3>%s</h3><ul class="
		    "\"list-plain\">", i18n_msg(w->lang, I18N_ATTACHMENTS));
	html_printf(c->out, "<li><a href=\"/a/%D/%u\" download dir=\"auto\">%s"
	    "</a> <span class=\"meta-inline\">(%s, %D %s)</span></li>", a->id,
	    a->filename, a->filename, a->content_type, a->size,
	    i18n_msg(w->lang, I18N_BYTES));
	return 0;
}

static void
board_post_json(struct thread_ctx *c, const struct archive_post *p)
{
	json_begin_object(c->js);
	json_kv_int(c->js, "id", p->id);
	if (p->parent_id)
		json_kv_int(c->js, "parent_id", p->parent_id);
	else {
		json_key(c->js, "parent_id");
		json_null(c->js);
	}
	json_kv_string(c->js, "author", p->author_name);
	json_kv_int(c->js, "date", p->created);
	json_kv_string(c->js, "subject", p->subject);
	json_kv_string(c->js, "body", p->body);
	json_kv_string(c->js, "source", p->from_web ? "web" : "mail");
	json_key(c->js, "edited");
	if (p->edited)
		json_int(c->js, p->edited);
	else
		json_null(c->js);
	json_key(c->js, "attachments");
	json_begin_array(c->js);
	if (store_archive_attachments(c->w->e->db, p->id, board_file_item, c) == -1)
		c->error = 1;
	json_end_array(c->js);
	json_end_object(c->js);
}

/* Reply (with or without a quote) when the viewer may, and edit while
 * the viewer's own web post is young enough. */
static void
board_post_actions(struct thread_ctx *c, const struct archive_post *p)
{
	struct web_req *w = c->w;
	int edit = write_may_edit(w, p);
	if (!c->may_reply && !edit && !c->may_moderate)
		return;
	buf_puts(c->out, "<ul class=\"actions\">");
	if (c->may_reply)
		html_printf(c->out, "<li><a href=\"/g/%u/p/%D/reply\">%s</a></li>"
		    "<li><a href=\"/g/%u/p/%D/reply?quote=1\">%s</a></li>",
		    w->group.slug, p->id, i18n_msg(w->lang, I18N_WR_REPLY),
		    w->group.slug, p->id, i18n_msg(w->lang, I18N_WR_REPLY_QUOTE));
	if (edit)
		html_printf(c->out, "<li><a href=\"/g/%u/p/%D/edit\">%s</a></li>",
		    w->group.slug, p->id, i18n_msg(w->lang, I18N_WR_EDIT));
	if (c->may_moderate)
		mod_thread_post_links(c->out, w, p->id, p->id == c->first_post);
	buf_puts(c->out, "</ul>\n");
}

/* The body and attachments of post p: from the kept blob when it holds
 * them, else rendered (and added to the blob being built). */
static void
board_post_body(struct thread_ctx *c, const struct archive_post *p)
{
	struct web_req *w = c->w;
	size_t n, at = c->out->len;
	const char *kept = bodycache_find(c->bodies, c->bodies_len, c->pos++,
	    p->id, &n);
	if (kept != NULL) {
		buf_append(c->out, kept, n);
		return;
	}
	buf_puts(c->out, "<div class=\"body\" dir=\"auto\">");
	/* web posts are Markdown, rendered through cmark's safe mode */
	if (!p->from_web || markdown_html(c->out, p->body,
	    strlen(p->body)) == -1)
		board_body_html(c->out, p->body, strlen(p->body),
		    i18n_msg(w->lang, I18N_QUOTED), i18n_msg(w->lang,
		    I18N_SIGNATURE));
	buf_puts(c->out, "</div>\n");
	c->nfiles = 0;
	if (store_archive_attachments(w->e->db, p->id, board_file_item, c) == -1)
		c->error = 1;
	if (c->nfiles > 0)
		buf_puts(c->out, "</ul></div>\n");
	if (c->collect != NULL)
		bodycache_wr_add(c->collect, p->id, c->out->data + at,
		    c->out->len - at);
}

static int
board_post_item(void *arg, const struct archive_post *p)
{
	struct thread_ctx *c = arg;
	struct web_req *w = c->w;
	if (c->js != NULL) {
		board_post_json(c, p);
		return c->error ? -1 : 0;
	}
	if (c->first_post == 0)
		c->first_post = p->id;
	html_printf(c->out, "<article class=\"post\" id=\"p%D\" aria-labelledby="
	    "\"a%D\"><header><h2 id=\"a%D\" dir=\"auto\">%s</h2>", p->id, p->id,
	    p->id, p->author_name[0] ? p->author_name : "?");
	board_date(c->out, w, p->created);
	if (p->edited) {
		html_printf(c->out, " <span class=\"edited\">(%s ",
		    i18n_msg(w->lang, I18N_WR_EDITED));
		board_date(c->out, w, p->edited);
		buf_puts(c->out, ")</span>");
	}
	if (strcmp(p->subject, c->subject) != 0)
		html_printf(c->out, "<p class=\"subject\" dir=\"auto\">%s</p>",
		    p->subject);
	buf_puts(c->out, "</header>\n");
	board_post_body(c, p);
	board_post_actions(c, p);
	buf_puts(c->out, "</article>\n");
	return c->error ? -1 : 0;
}

/* Load the thread named in the URL within w->group; 0, 1 when answered
 * by a redirect (the thread moved or was merged, web/mod_thread.h), or
 * the status. */
static int
board_thread_load(struct web_req *w, struct thread *t, const char *suffix)
{
	int rc = store_archive_thread(w->e->db, w->group.id, w->params.id, t);
	if (rc == 0 && (rc = mod_thread_redirect(w, suffix)) == 1)
		return 1;
	return rc == 1 ? 0 : rc == 0 ? 404 : 500;
}

/* The page cache key of thread t's fragment of this kind in the reader's
 * language. A thread id can come back after its group was deleted
 * (threads has no AUTOINCREMENT): the group and creation time are in the
 * key too, so a new thread never shows a deleted one's cached posts. */
static void
board_thread_key(char *key, size_t size, const char *kind,
    const struct web_req *w, const struct thread *t)
{
	snprintf(key, size, "%s:%lld:%lld:%lld:%s", kind, (long long)t->id,
	    (long long)t->group_id, (long long)t->created, i18n_code(w->lang));
}

/* Render the posts of thread t into c->out. Anonymous readers all see the
 * same posts (no reply or edit links, UTC dates): theirs are kept in the
 * page cache per thread and language while the thread's version (moved
 * by the database on any change to its posts) stays the same. Signed-in
 * readers' pages are rendered for each of them around the posts' bodies,
 * which are kept the same way (web/bodycache.h). 0 or -1. */
static int
board_thread_posts(struct web_req *w, const struct thread *t,
    struct thread_ctx *c, int may_post)
{
	if (may_post == -1)
		return -1;
	struct pagecache *pc = httpd_pagecache(w);
	int shared = w->viewer.member_id == 0 && !c->may_reply;
	int64_t version = pc != NULL ? store_thread_version(w->e->db, t->id) :
	    -1;
	char key[PAGECACHE_KEY_MAX + 1];
	board_thread_key(key, sizeof key, shared ? "thread" : "bodies", w, t);
	size_t len, start = c->out->len;
	const char *kept = version >= 0 ? pagecache_get(pc, key, version, &len) :
	    NULL;
	if (kept != NULL && shared) {
		buf_append(c->out, kept, len);
		return 0;
	}
	struct bodycache_wr wr;
	bodycache_wr_init(&wr);
	c->bodies = kept;
	c->bodies_len = kept != NULL ? len : 0;
	c->collect = kept == NULL && !shared && version >= 0 ? &wr : NULL;
	int rc = store_archive_posts(w->e->db, t->id, board_post_item, c);
	if (rc == -1 || c->error) {
		bodycache_wr_free(&wr);
		return -1;
	}
	struct buf blob = BUF_INIT;
	if (version >= 0 && shared)
		(void)pagecache_put(pc, key, version, c->out->data + start,
		    c->out->len - start);
	else if (c->collect != NULL && bodycache_wr_finish(&wr, &blob) == 0)
		(void)pagecache_put(pc, key, version, blob.data, blob.len);
	bodycache_wr_free(&wr);
	buf_free(&blob);
	return 0;
}

void
board_thread(struct web_req *w)
{
	struct thread t;
	int code = board_thread_load(w, &t, "");
	if (code != 0) {
		if (code != 1)
			httpd_reply_error(w, code);
		return;
	}
	/* the posts are rendered straight into the page (no second copy of
	 * them); an error drops the page and answers 500 instead */
	struct buf page = BUF_INIT;
	struct thread_ctx c = { w, &page, NULL, t.subject, 0, 0, 0, 0, 0 };
	int may_post = write_may_post(w);
	c.may_reply = may_post == 1 && !t.locked;
	c.may_moderate = w->viewer.member_id != 0 && mod_thread_may(w,
	    t.group_id) == 1;
	buf_reserve(&page, BOARD_THREAD_PAGE_HINT);
	layout_begin(&page, w, t.subject, write_head());
	html_printf(&page, "<p class=\"crumbs\" dir=\"auto\"><a href=\"/g/%u\">"
	    "%s</a></p>\n<h1 dir=\"auto\">%s</h1>\n<ul class=\"tools\"><li>"
	    "<a href=\"/g/%u/t/%D.mbox\">%s</a></li></ul>\n<section aria-label="
	    "\"%s\">\n", w->group.slug, w->group.name, t.subject,
	    w->group.slug, t.id, i18n_msg(w->lang, I18N_DOWNLOAD_MBOX),
	    i18n_msg(w->lang, I18N_THREAD_POSTS));
	if (board_thread_posts(w, &t, &c, may_post) == -1) {
		httpd_reply_error(w, 500);
		goto done;
	}
	buf_puts(&page, "</section>\n");
	if (c.may_moderate)
		mod_thread_links(&page, w, t.id);
	if (t.locked)
		html_printf(&page, "<p class=\"notice\" role=\"status\">%s</p>\n",
		    i18n_msg(w->lang, I18N_WR_LOCKED));
	else if (c.may_reply && c.first_post != 0)
		write_reply_form(&page, w, c.first_post);
	layout_end(&page, w);
	httpd_reply_take(w, 200, "text/html; charset=utf-8", &page);
done:
	buf_free(&page);
	free(t.subject);
}

void
board_thread_json(struct web_req *w)
{
	struct thread t;
	int code = board_thread_load(w, &t, ".json");
	if (code != 0) {
		if (code != 1)
			httpd_reply_error(w, code);
		return;
	}
	struct buf out = BUF_INIT;
	struct json js;
	json_init(&js, &out);
	json_begin_object(&js);
	json_key(&js, "group");
	json_begin_object(&js);
	json_kv_string(&js, "slug", w->group.slug);
	json_kv_string(&js, "name", w->group.name);
	json_end_object(&js);
	json_key(&js, "thread");
	json_begin_object(&js);
	json_kv_int(&js, "id", t.id);
	json_kv_string(&js, "subject", t.subject);
	json_kv_int(&js, "created", t.created);
	json_kv_int(&js, "last_activity", t.last_post);
	json_key(&js, "posts");
	json_begin_array(&js);
	struct thread_ctx c = { w, NULL, &js, t.subject, 0, 0, 0, 0, 0 };
	int rc = store_archive_posts(w->e->db, t.id, board_post_item, &c);
	json_end_array(&js);
	json_end_object(&js);
	json_end_object(&js);
	if (rc == -1 || c.error || json_finish(&js) == -1)
		httpd_reply_error(w, 500);
	else
		board_reply_json(w, &out);
	buf_free(&out);
	free(t.subject);
}
