/*
 * Writing pages (see write.h). Each handler runs after the pipeline's
 * session, permission (the viewer may read w->group) and CSRF steps; here
 * come the checks of writing: signed in, allowed to post, thread not
 * locked, text within limits, rate. Previews render and publish nothing.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "daemon/config.h"
#include "daemon/db.h"
#include "daemon/engine.h"
#include "daemon/store_archive.h"
#include "daemon/store_group.h"
#include "daemon/store_post.h"
#include "daemon/store_webpost.h"
#include "daemon/webpost.h"
#include "web/board.h"
#include "web/form.h"
#include "web/html.h"
#include "web/httpd.h"
#include "web/i18n.h"
#include "web/layout.h"
#include "web/markdown.h"
#include "web/session.h"
#include "web/write.h"

#define L(m)	i18n_msg(w->lang, (m))

static const char write_style[] =
"form.write{display:grid;gap:.75rem;margin-block:1rem}\n"
"form.write label{display:grid;gap:.2rem;font-weight:600}\n"
"form.write input[type=text],form.write textarea{inline-size:100%;"
"font:inherit}\n"
"form.write textarea{min-block-size:12rem;resize:vertical}\n"
"form.write .hint,.write-note{font-weight:400;color:var(--muted);"
"font-size:.9rem;margin:0}\n"
"form.write .buttons{display:flex;flex-wrap:wrap;gap:.5rem}\n"
".preview{border:1px dashed var(--line);border-radius:.4rem;"
"padding:.25rem 1rem;margin-block:1rem;background:var(--card)}\n"
".post .actions{display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:.5rem 0 0;"
"padding:0;list-style:none;font-size:.9rem}\n"
".edited{color:var(--muted);font-size:.9rem}\n"
".body blockquote{margin-inline:0;padding-inline-start:.75rem;"
"border-inline-start:3px solid var(--line);color:var(--muted)}\n"
".body pre{overflow-x:auto;background:var(--quote);padding:.5rem}\n"
"blockquote.parent{margin-inline:0;padding:.25rem 1rem;"
"border-inline-start:4px solid var(--line);background:var(--card)}\n";

const char *
write_head(void)
{
	return "<link rel=\"stylesheet\" href=\"/static/write.css\">\n";
}

void
write_css(struct web_req *w)
{
	struct buf css = BUF_INIT;
	buf_append(&css, write_style, sizeof write_style - 1);
	httpd_header(w, "Cache-Control", "public, max-age=86400");
	httpd_reply(w, 200, "text/css; charset=utf-8", &css);
	buf_free(&css);
}

int
write_may_post(struct web_req *w)
{
	if (w->viewer.member_id == 0 || !w->have_group || w->group.archived)
		return 0;
	struct membership ms;
	int rc = store_membership_get(w->e->db, w->group.id, w->viewer.email,
	    &ms);
	if (rc != 1)
		return rc;
	int ok = !ms.suspended && ms.member_id == w->viewer.member_id &&
	    (strcmp(w->group.post_policy, "announce") != 0 ||
	    strcmp(ms.role, "member") != 0);
	store_membership_clear(&ms);
	return ok;
}

int
write_may_edit(struct web_req *w, const struct archive_post *p)
{
	return w->viewer.member_id != 0 && p->member_id == w->viewer.member_id &&
	    p->from_web && db_now() - p->created < WRITE_EDIT_WINDOW;
}

void
write_quote(struct buf *out, const char *text)
{
	size_t n = strlen(text ? text : "");
	const char *s = text ? text : "";
	while (n > 0 && strchr(" \t\r\n", s[n - 1]) != NULL)
		n--;
	size_t skip = 0;	/* leading blank lines */
	for (size_t i = 0; i < n && strchr(" \t\r\n", s[i]) != NULL; i++)
		if (s[i] == '\n')
			skip = i + 1;
	s += skip;
	n -= skip;
	int cut = 0;
	if (n > WRITE_QUOTE_MAX) {
		size_t k = WRITE_QUOTE_MAX;
		while (k > 0 && s[k - 1] != '\n')
			k--;
		n = k;
		cut = 1;
	}
	while (n > 0) {
		size_t len = strcspn(s, "\r\n");
		if (len > n)
			len = n;
		buf_puts(out, len > 0 ? "> " : ">");
		buf_append(out, s, len);
		buf_putc(out, '\n');
		size_t adv = len;
		if (adv < n && s[adv] == '\r')
			adv++;
		if (adv < n && s[adv] == '\n')
			adv++;
		s += adv;
		n -= adv;
	}
	if (cut)
		buf_puts(out, "> …\n");
	buf_putc(out, '\n');
}

/* ---- pages ---- */

static void
write_page(struct web_req *w, int code, const char *title, const char *head,
    const struct buf *html)
{
	struct buf page = BUF_INIT, h = BUF_INIT;
	buf_puts(&h, write_head());
	if (head != NULL)
		buf_puts(&h, head);
	layout_begin(&page, w, title, buf_cstr(&h));
	html_printf(&page, "%H", buf_cstr(html));
	layout_end(&page, w);
	httpd_header(w, "Cache-Control", "no-store");
	httpd_reply(w, code, "text/html; charset=utf-8", &page);
	buf_free(&page);
	buf_free(&h);
}

/* A page with a title, a text and links back to the thread (when
 * thread_id is not 0) or the group. */
static void
write_message(struct web_req *w, int code, enum i18n_msg title,
    enum i18n_msg text, int64_t thread_id, const char *head)
{
	struct buf html = BUF_INIT;
	html_printf(&html, "<h1>%s</h1>\n<p>%s</p>\n<p>", L(title), L(text));
	if (thread_id != 0)
		html_printf(&html, "<a href=\"/g/%u/t/%D\">%s</a> · ",
		    w->group.slug, thread_id, L(I18N_WR_BACK));
	html_printf(&html, "<a href=\"/g/%u\">%s</a></p>\n", w->group.slug,
	    L(I18N_WR_BACK_GROUP));
	write_page(w, code, L(title), head, &html);
	buf_free(&html);
}

static void
write_redirect(struct web_req *w, const char *path)
{
	struct buf body = BUF_INIT;
	html_printf(&body, "<!DOCTYPE html>\n<a href=\"%s\">%s</a>\n", path,
	    path);
	httpd_header(w, "Location", path);
	httpd_header(w, "Cache-Control", "no-store");
	httpd_reply(w, 303, "text/html; charset=utf-8", &body);
	buf_free(&body);
}

/* May the viewer write in w->group? 0 yes; else the refusal is sent and
 * -1 returned. */
static int
write_gate(struct web_req *w)
{
	if (w->viewer.member_id == 0) {
		struct buf html = BUF_INIT;
		html_printf(&html, "<h1>%s</h1>\n<p>%s</p>\n<p><a href=\"/login\">"
		    "%s</a> · <a href=\"/g/%u\">%s</a></p>\n",
		    L(I18N_WR_CANNOT_WRITE), L(I18N_WR_SIGN_IN_FIRST),
		    L(I18N_ACC_SIGN_IN), w->group.slug, L(I18N_WR_BACK_GROUP));
		write_page(w, 403, L(I18N_WR_CANNOT_WRITE), NULL, &html);
		buf_free(&html);
		return -1;
	}
	int rc = write_may_post(w);
	if (rc == 1)
		return 0;
	if (rc == -1)
		httpd_reply_error(w, 500);
	else
		write_message(w, 403, I18N_WR_CANNOT_WRITE, I18N_WR_NOT_ALLOWED, 0,
		    NULL);
	return -1;
}

/* ---- the form ---- */

struct write_form {
	const char	*title;		/* page title and heading */
	const char	*action;	/* path the form posts to */
	const char	*subject;	/* NULL: no subject field */
	const char	*fixed;		/* the subject when there is no field */
	const char	*body;
	enum i18n_msg	 submit;	/* I18N_WR_PUBLISH or I18N_WR_SAVE */
	enum i18n_msg	 note;		/* under the form */
	int64_t		 thread_id;	/* for the link back, 0: none */
	const char	*context;	/* markup of ours shown above, or NULL */
	const char	*error;		/* NULL: none */
	int		 preview;
};

static void
write_preview(struct buf *out, struct web_req *w, const struct write_form *f)
{
	struct buf md = BUF_INIT;
	html_printf(out, "<section class=\"preview\" aria-labelledby=\"preview\">"
	    "<h2 id=\"preview\">%s</h2>\n", L(I18N_WR_PREVIEW_TITLE));
	if (f->subject != NULL)
		html_printf(out, "<p class=\"subject\" dir=\"auto\"><strong>%s"
		    "</strong></p>\n", f->subject);
	if (markdown_html(&md, f->body, strlen(f->body)) == 0)
		html_printf(out, "<div class=\"body\" dir=\"auto\">%H</div>",
		    buf_cstr(&md));
	buf_puts(out, "</section>\n");
	buf_free(&md);
}

/* Append the form (with its error and preview) to out. */
static void
write_form_html(struct buf *out, struct web_req *w, const struct write_form *f)
{
	if (f->error != NULL)
		html_printf(out, "<p class=\"error\" role=\"alert\">%s</p>\n",
		    f->error);
	if (f->preview)
		write_preview(out, w, f);
	html_printf(out, "<form class=\"write\" method=\"post\" action=\"%s\">",
	    f->action);
	session_csrf_input(w, out);
	if (f->subject == NULL && f->fixed != NULL)
		html_printf(out, "<p class=\"write-note\">%s%s<span dir=\"auto\">"
		    "%s</span></p>\n", L(I18N_SUBJECT), i18n_colon(w->lang),
		    f->fixed);
	if (f->subject != NULL)
		html_printf(out, "<label for=\"subject\">%s<input type=\"text\""
		    " id=\"subject\" name=\"subject\" value=\"%s\" required"
		    " dir=\"auto\"></label>\n", L(I18N_SUBJECT), f->subject);
	/* the newline after <textarea> is eaten by HTML parsers, so a text
	 * beginning with one keeps it */
	html_printf(out, "<label for=\"body\">%s <span class=\"hint\">%s %d %s"
	    "</span><textarea id=\"body\" name=\"body\" rows=\"14\" required"
	    " dir=\"auto\">\n%s</textarea></label>\n<div class=\"buttons\">"
	    "<button type=\"submit\" name=\"preview\" value=\"1\">%s</button>"
	    "<button type=\"submit\" name=\"publish\" value=\"1\">%s</button>"
	    "</div>\n<p class=\"write-note\">%s</p></form>\n", L(I18N_WR_BODY),
	    L(I18N_WR_HINT), WEBPOST_BODY_MAX, L(I18N_BYTES), f->body,
	    L(I18N_WR_PREVIEW), L(f->submit), L(f->note));
}

static void
write_form_page(struct web_req *w, int code, const struct write_form *f)
{
	struct buf html = BUF_INIT;
	html_printf(&html, "<p class=\"crumbs\" dir=\"auto\"><a href=\"/g/%u\">"
	    "%s</a>", w->group.slug, w->group.name);
	if (f->thread_id != 0)
		html_printf(&html, " · <a href=\"/g/%u/t/%D\">%s</a>",
		    w->group.slug, f->thread_id, L(I18N_WR_BACK));
	html_printf(&html, "</p>\n<h1 dir=\"auto\">%s</h1>\n", f->title);
	if (f->context != NULL)
		html_printf(&html, "%H", f->context);
	write_form_html(&html, w, f);
	write_page(w, code, f->title, NULL, &html);
	buf_free(&html);
}

void
write_reply_form(struct buf *out, struct web_req *w, int64_t parent_id)
{
	struct buf action = BUF_INIT;
	html_printf(&action, "/g/%u/p/%D/reply", w->group.slug, parent_id);
	struct write_form f = { .action = buf_cstr(&action), .body = "",
	    .submit = I18N_WR_PUBLISH, .note = I18N_WR_MAIL_NOTE };
	html_printf(out, "<section aria-labelledby=\"reply\"><h2 id=\"reply\">"
	    "%s</h2>\n", L(I18N_WR_REPLY_THREAD));
	write_form_html(out, w, &f);
	buf_puts(out, "</section>\n");
	buf_free(&action);
}

/* A form field, "" when absent. */
static const char *
write_field(struct web_req *w, const char *name)
{
	const char *v = form_get(session_form(w), name);
	return v ? v : "";
}

/* The check of what was typed: 0, or the status to answer with f->error
 * set. A preview only reports what would stop it from rendering. */
static int
write_validate(struct web_req *w, struct write_form *f, const char *subject,
    struct buf *limit_msg)
{
	enum webpost_check c = webpost_check(subject, f->body);
	if (f->preview && c != WEBPOST_BODY_LONG && c != WEBPOST_SUBJECT_LONG &&
	    c != WEBPOST_BAD_TEXT)
		return 0;
	switch (c) {
	case WEBPOST_OK:
		return 0;
	case WEBPOST_SUBJECT_EMPTY:
		f->error = L(I18N_WR_SUBJECT_EMPTY);
		return 400;
	case WEBPOST_SUBJECT_LONG:
		f->error = L(I18N_WR_SUBJECT_LONG);
		return 413;
	case WEBPOST_BODY_EMPTY:
		f->error = L(I18N_WR_BODY_EMPTY);
		return 400;
	case WEBPOST_BODY_LONG:
		buf_printf(limit_msg, "%s %d %s", L(I18N_WR_BODY_LONG),
		    WEBPOST_BODY_MAX, L(I18N_BYTES));
		f->error = buf_cstr(limit_msg);
		f->preview = 0;
		return 413;
	case WEBPOST_BAD_TEXT:
		break;
	}
	f->error = L(I18N_WR_BAD_TEXT);
	f->preview = 0;
	return 400;
}

/* The posting rate of the viewer: 1 within the limit, 0 over it, -1 on
 * error. */
static int
write_rate_ok(struct web_req *w)
{
	int64_t n = store_webpost_count_since(w->e->db, w->viewer.member_id,
	    db_now() - WRITE_RATE_WINDOW);
	return n < 0 ? -1 : n < WRITE_POSTS_PER_HOUR;
}

/* Submit a checked post and send the viewer to its status page. */
static void
write_submit(struct web_req *w, struct write_form *f, const char *subject,
    const struct post *parent)
{
	int rate = write_rate_ok(w);
	if (rate == 0) {
		f->error = L(I18N_WR_RATE_TEXT);
		write_form_page(w, 429, f);
		return;
	}
	struct webpost p = { .author_name = w->viewer.name,
	    .author_email = w->viewer.email, .slug = w->group.slug,
	    .list_domain = w->e->cfg->list_domain, .subject = subject,
	    .body = f->body, .date = db_now() };
	if (parent != NULL) {
		p.parent_msgid = parent->message_id;
		p.parent_refs = parent->refs;
	}
	struct buf msgid = BUF_INIT, path = BUF_INIT;
	int64_t id = rate == -1 ? -1 : webpost_submit(w->e, w->viewer.member_id,
	    &p, &msgid);
	if (id == -1)
		httpd_reply_error(w, 500);
	else {
		html_printf(&path, "/g/%u/w/%D", w->group.slug, id);
		write_redirect(w, buf_cstr(&path));
	}
	buf_free(&msgid);
	buf_free(&path);
}

/* Common end of the three forms: show, preview, or check and act. The
 * subject is f->subject when the form has one, else fixed_subject. */
static void
write_handle(struct web_req *w, struct write_form *f,
    const char *fixed_subject, const struct post *parent,
    void (*act)(struct web_req *, struct write_form *, const char *,
    const struct post *))
{
	f->fixed = fixed_subject;
	if (!w->post) {
		write_form_page(w, 200, f);
		return;
	}
	struct buf limit_msg = BUF_INIT;
	f->body = write_field(w, "body");
	if (f->subject != NULL)
		f->subject = write_field(w, "subject");
	f->preview = form_get(session_form(w), "preview") != NULL;
	const char *subject = f->subject ? f->subject : fixed_subject;
	int code = write_validate(w, f, subject, &limit_msg);
	if (code != 0 || f->preview)
		write_form_page(w, code ? code : 200, f);
	else
		act(w, f, subject, parent);
	buf_free(&limit_msg);
}

void
write_new(struct web_req *w)
{
	if (write_gate(w) == -1)
		return;
	struct buf action = BUF_INIT;
	html_printf(&action, "/g/%u/new", w->group.slug);
	struct write_form f = { .title = L(I18N_WR_NEW_TOPIC),
	    .action = buf_cstr(&action), .subject = "", .body = "",
	    .submit = I18N_WR_PUBLISH, .note = I18N_WR_MAIL_NOTE };
	write_handle(w, &f, NULL, NULL, write_submit);
	buf_free(&action);
}

/* The post named in the URL, visible and in w->group: 0, or the status
 * (404) with nothing loaded. */
static int
write_load_post(struct web_req *w, struct post *p, struct thread *t)
{
	int rc = store_post_get(w->e->db, w->params.id, p);
	if (rc == -1)
		return 500;
	if (rc == 0)
		return 404;
	if (p->group_id != w->group.id || p->hidden) {
		store_post_clear(p);
		return 404;
	}
	rc = store_archive_thread(w->e->db, w->group.id, p->thread_id, t);
	if (rc != 1) {
		store_post_clear(p);
		return rc == 0 ? 404 : 500;
	}
	return 0;
}

/* 1 when the query string has name=1. */
static int
write_query_flag(struct web_req *w, const char *name)
{
	const char *q = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(
	    w->req));
	struct evkeyvalq kv;
	TAILQ_INIT(&kv);
	if (q == NULL || evhttp_parse_query_str(q, &kv) == -1)
		return 0;
	const char *v = evhttp_find_header(&kv, name);
	int on = v != NULL && strcmp(v, "1") == 0;
	evhttp_clear_headers(&kv);
	return on;
}

/* The parent's text as the thread shows it, for the reply page. */
static void
write_parent_html(struct buf *out, struct web_req *w, const struct post *p)
{
	html_printf(out, "<blockquote class=\"parent\"><div class=\"body\""
	    " dir=\"auto\">");
	if (strcmp(p->source, "web") != 0 || markdown_html(out, p->body,
	    strlen(p->body)) == -1)
		board_body_html(out, p->body, strlen(p->body), L(I18N_QUOTED),
		    L(I18N_SIGNATURE));
	buf_puts(out, "</div></blockquote>\n");
}

void
write_reply(struct web_req *w)
{
	if (write_gate(w) == -1)
		return;
	struct post parent;
	struct thread t;
	int code = write_load_post(w, &parent, &t);
	if (code != 0) {
		httpd_reply_error(w, code);
		return;
	}
	struct buf action = BUF_INIT, title = BUF_INIT, subject = BUF_INIT,
	    quote = BUF_INIT, context = BUF_INIT;
	if (t.locked) {
		write_message(w, 403, I18N_WR_CANNOT_WRITE, I18N_WR_LOCKED, t.id,
		    NULL);
		goto done;
	}
	html_printf(&action, "/g/%u/p/%D/reply", w->group.slug, parent.id);
	buf_printf(&title, "%s %s", L(I18N_WR_REPLY_TO), parent.author_name[0] ?
	    parent.author_name : "?");
	webpost_reply_subject(&subject, parent.subject);
	if (!w->post && write_query_flag(w, "quote"))
		write_quote(&quote, parent.body);
	write_parent_html(&context, w, &parent);
	struct write_form f = { .title = buf_cstr(&title),
	    .action = buf_cstr(&action), .body = buf_cstr(&quote),
	    .submit = I18N_WR_PUBLISH, .note = I18N_WR_MAIL_NOTE,
	    .thread_id = t.id, .context = buf_cstr(&context) };
	write_handle(w, &f, buf_cstr(&subject), &parent, write_submit);
done:
	buf_free(&action);
	buf_free(&title);
	buf_free(&subject);
	buf_free(&quote);
	buf_free(&context);
	store_post_clear(&parent);
	free(t.subject);
}

/* Save an edit: the new text replaces the old one on the web only. */
static void
write_save(struct web_req *w, struct write_form *f, const char *subject,
    const struct post *p)
{
	int64_t now = db_now();
	int rc = store_webpost_edit(w->e->db, p->id, w->viewer.member_id,
	    f->body, now - WRITE_EDIT_WINDOW, now);
	if (rc == -1) {
		httpd_reply_error(w, 500);
		return;
	}
	if (rc == 0) {
		write_message(w, 403, I18N_WR_CANNOT_WRITE, I18N_WR_EDIT_CLOSED,
		    p->thread_id, NULL);
		return;
	}
	struct buf path = BUF_INIT;
	html_printf(&path, "/g/%u/t/%D#p%D", w->group.slug, p->thread_id, p->id);
	write_redirect(w, buf_cstr(&path));
	buf_free(&path);
}

void
write_edit(struct web_req *w)
{
	if (write_gate(w) == -1)
		return;
	struct post p;
	struct thread t;
	int code = write_load_post(w, &p, &t);
	if (code != 0) {
		httpd_reply_error(w, code);
		return;
	}
	struct buf action = BUF_INIT, title = BUF_INIT;
	if (p.member_id != w->viewer.member_id || strcmp(p.source, "web") != 0)
		write_message(w, 403, I18N_WR_CANNOT_WRITE, I18N_WR_NOT_ALLOWED,
		    t.id, NULL);
	else if (db_now() - p.created >= WRITE_EDIT_WINDOW)
		write_message(w, 403, I18N_WR_CANNOT_WRITE, I18N_WR_EDIT_CLOSED,
		    t.id, NULL);
	else {
		html_printf(&action, "/g/%u/p/%D/edit", w->group.slug, p.id);
		buf_printf(&title, "%s: %s", L(I18N_WR_EDIT), p.subject);
		struct write_form f = { .title = buf_cstr(&title),
		    .action = buf_cstr(&action), .body = p.body,
		    .submit = I18N_WR_SAVE, .note = I18N_WR_EDIT_NOTE,
		    .thread_id = t.id };
		write_handle(w, &f, p.subject, &p, write_save);
	}
	buf_free(&action);
	buf_free(&title);
	store_post_clear(&p);
	free(t.subject);
}

void
write_status(struct web_req *w)
{
	struct webpost_outcome o;
	int rc = w->viewer.member_id == 0 ? 0 : store_webpost_outcome(w->e->db,
	    w->params.id, w->viewer.member_id, &o);
	if (rc != 1) {
		httpd_reply_error(w, rc == -1 ? 500 : 404);
		return;
	}
	if (o.post_id != 0 && o.group_id == w->group.id) {
		struct buf path = BUF_INIT;
		html_printf(&path, "/g/%u/t/%D#p%D", w->group.slug, o.thread_id,
		    o.post_id);
		write_redirect(w, buf_cstr(&path));
		buf_free(&path);
	} else if (o.post_id != 0)
		httpd_reply_error(w, 404);
	else if (strcmp(o.state, "new") == 0) {
		struct buf head = BUF_INIT;
		html_printf(&head, "<meta http-equiv=\"refresh\" content=\"%d\">\n",
		    WRITE_PENDING_REFRESH);
		write_message(w, 200, I18N_WR_PENDING_TITLE, I18N_WR_PENDING_TEXT,
		    0, buf_cstr(&head));
		buf_free(&head);
	} else if (strcmp(o.state, "held") == 0)
		write_message(w, 200, I18N_WR_HELD_TITLE, I18N_WR_HELD_TEXT, 0,
		    NULL);
	else
		write_message(w, 200, I18N_WR_FAILED_TITLE, I18N_WR_FAILED_TEXT, 0,
		    NULL);
}
