/*
 * Atom feed, mbox export and attachment downloads (see export.h).
 */
#include <config.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "daemon/config.h"
#include "daemon/engine.h"
#include "daemon/store_archive.h"
#include "web/board.h"
#include "web/export.h"
#include "web/html.h"
#include "web/httpd.h"
#include "web/i18n.h"
#include "web/markdown.h"

void
export_rfc3339(struct buf *out, int64_t t)
{
	char s[32];
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	buf_puts(out, s);
}

struct feed_ctx {
	struct web_req	*w;
	struct buf	*out;
	const char	*base;	/* the group's URL */
};

/* A post body as the board shows it: Markdown through cmark's safe mode for
 * web posts, quotes and signatures folded for mail posts (and for a web
 * post cmark refuses). The caller escapes the result once more for XML. */
static void
export_entry_html(struct feed_ctx *c, const struct archive_post *p,
    struct buf *html)
{
	if (p->from_web && markdown_html(html, p->body, strlen(p->body)) == 0)
		return;
	buf_reset(html);
	board_body_html(html, p->body, strlen(p->body),
	    i18n_msg(c->w->lang, I18N_QUOTED), i18n_msg(c->w->lang,
	    I18N_SIGNATURE));
}

static int
export_entry(void *arg, const struct archive_post *p)
{
	struct feed_ctx *c = arg;
	struct buf when = BUF_INIT, url = BUF_INIT, html = BUF_INIT;
	export_rfc3339(&when, p->created);
	buf_printf(&url, "%s/t/%lld#p%lld", c->base, (long long)p->thread_id,
	    (long long)p->id);
	export_entry_html(c, p, &html);
	html_printf(c->out, "<entry>\n<id>%s</id>\n<title>%s</title>\n"
	    "<updated>%s</updated>\n<published>%s</published>\n"
	    "<author><name>%s</name></author>\n<link rel=\"alternate\" "
	    "type=\"text/html\" href=\"%s\"/>\n<content type=\"html\">%s"
	    "</content>\n</entry>\n", buf_cstr(&url), p->subject,
	    buf_cstr(&when), buf_cstr(&when), p->author_name[0] ?
	    p->author_name : "?", buf_cstr(&url), buf_cstr(&html));
	buf_free(&when);
	buf_free(&url);
	buf_free(&html);
	return 0;
}

void
export_atom(struct web_req *w)
{
	struct archive_group ag = { .g = &w->group };
	if (store_archive_group_counts(w->e->db, w->group.id, &ag) == -1) {
		httpd_reply_error(w, 500);
		return;
	}
	struct buf out = BUF_INIT, base = BUF_INIT, updated = BUF_INIT;
	buf_printf(&base, "%s/g/", httpd_site_url(w));
	html_url_segment(&base, w->group.slug);
	export_rfc3339(&updated, ag.last_post ? ag.last_post : w->group.created);
	html_printf(&out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"%s\">\n"
	    "<id>%s</id>\n<title>%s</title>\n<updated>%s</updated>\n"
	    "<link rel=\"self\" type=\"application/atom+xml\" href=\"%s/atom.xml\"/>"
	    "\n<link rel=\"alternate\" type=\"text/html\" href=\"%s\"/>\n",
	    w->group.language, buf_cstr(&base), w->group.name,
	    buf_cstr(&updated), buf_cstr(&base), buf_cstr(&base));
	if (w->group.description[0] != '\0')
		html_printf(&out, "<subtitle>%s</subtitle>\n",
		    w->group.description);
	struct feed_ctx c = { w, &out, buf_cstr(&base) };
	if (store_archive_recent(w->e->db, w->group.id, EXPORT_FEED_ENTRIES,
	    export_entry, &c) == -1)
		httpd_reply_error(w, 500);
	else {
		buf_puts(&out, "</feed>\n");
		httpd_reply(w, 200, "application/atom+xml; charset=utf-8", &out);
	}
	buf_free(&out);
	buf_free(&base);
	buf_free(&updated);
}

void
export_mboxrd(struct buf *out, const char *sender, int64_t t,
    const char *raw, size_t len)
{
	char date[64];
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(date, sizeof date, "%a %b %e %H:%M:%S %Y", &tm);
	buf_printf(out, "From %s %s\n", sender, date);
	const char *p = raw, *end = raw + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t ll = n > 0 && p[n - 1] == '\r' ? n - 1 : n;
		size_t gt = 0;
		while (gt < ll && p[gt] == '>')
			gt++;
		if (ll - gt >= 5 && memcmp(p + gt, "From ", 5) == 0)
			buf_putc(out, '>');
		buf_append(out, p, ll);
		buf_putc(out, '\n');
		p += nl ? n + 1 : n;
	}
	buf_putc(out, '\n');
}

struct mbox_ctx {
	struct web_req	*w;
	struct buf	*out;
	int		 error;
};

static int
export_mbox_post(void *arg, const struct archive_post *p)
{
	struct mbox_ctx *c = arg;
	if (!p->from_mail)
		return 0;
	struct buf raw = BUF_INIT;
	int rc = store_post_raw(c->w->e->db, p->id, &raw);
	if (rc == -1)
		c->error = 1;
	else if (rc == 1)
		export_mboxrd(c->out, "majlis", p->created, raw.data ? raw.data :
		    "", raw.len);
	buf_free(&raw);
	return c->error ? -1 : 0;
}

void
export_mbox(struct web_req *w)
{
	struct thread t;
	int rc = store_archive_thread(w->e->db, w->group.id, w->params.id, &t);
	if (rc != 1) {
		httpd_reply_error(w, rc == 0 ? 404 : 500);
		return;
	}
	struct buf out = BUF_INIT, disp = BUF_INIT, name = BUF_INIT;
	struct mbox_ctx c = { w, &out, 0 };
	if (store_archive_posts(w->e->db, t.id, export_mbox_post, &c) == -1 ||
	    c.error)
		httpd_reply_error(w, 500);
	else {
		buf_printf(&name, "%s-%lld.mbox", w->group.slug, (long long)t.id);
		export_disposition(&disp, buf_cstr(&name));
		httpd_header(w, "Content-Disposition", buf_cstr(&disp));
		httpd_reply(w, 200, "application/mbox", &out);
	}
	buf_free(&out);
	buf_free(&disp);
	buf_free(&name);
	free(t.subject);
}

const char *
export_safe_type(const char *type)
{
	static const char *const unsafe[] = { "html", "xml", "svg", "script",
	    "xsl", "multipart", "message/", "text/css", NULL };
	size_t n = strlen(type);
	const char *slash = strchr(type, '/');
	if (n == 0 || n > 100 || slash == NULL || slash == type ||
	    slash[1] == '\0' || strspn(type, "abcdefghijklmnopqrstuvwxyz"
	    "0123456789!#$&-^_.+/") != n || strchr(slash + 1, '/') != NULL)
		return "application/octet-stream";
	for (int i = 0; unsafe[i] != NULL; i++)
		if (strstr(type, unsafe[i]) != NULL)
			return "application/octet-stream";
	return type;
}

void
export_disposition(struct buf *out, const char *name)
{
	buf_puts(out, "attachment; filename=\"");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		buf_putc(out, *p < 0x20 || *p >= 0x7f || *p == '"' ||
		    *p == '\\' || *p == '/' ? '_' : (char)*p);
	buf_puts(out, "\"; filename*=UTF-8''");
	html_url_segment(out, name);
}

/* 1 when the viewer may read the attachment's group, 0 not, -1 error. */
static int
export_attachment_allowed(struct web_req *w, int64_t group_id)
{
	struct group g;
	int rc = store_group_get_id(w->e->db, group_id, &g);
	if (rc != 1)
		return rc;
	rc = access_group_read(w->e->db, &w->viewer, &g);
	if (rc == 1)
		w->lang = i18n_pick(httpd_request_header(w, "Accept-Language"),
		    i18n_lang_from_code(g.language, I18N_EN));
	store_group_clear(&g);
	return rc;
}

void
export_attachment(struct web_req *w)
{
	struct archive_attachment a;
	int rc = store_archive_attachment(w->e->db, w->params.id, &a);
	if (rc != 1) {
		httpd_reply_error(w, rc == 0 ? 404 : 500);
		return;
	}
	rc = export_attachment_allowed(w, a.group_id);
	if (rc != 1)
		httpd_reply_error(w, rc == 0 ? 404 : 500);
	else {
		struct buf disp = BUF_INIT;
		export_disposition(&disp, a.filename[0] ? a.filename :
		    "attachment");
		httpd_header(w, "Content-Disposition", buf_cstr(&disp));
		httpd_header(w, "Cache-Control", "private, max-age=3600");
		httpd_reply(w, 200, export_safe_type(a.content_type), &a.data);
		buf_free(&disp);
	}
	store_archive_attachment_clear(&a);
}
