/*
 * The moderators' panel (see mod.h). Handler order: sign-in, permission
 * (daemon/modperm.h, 404 when refused), CSRF (done by httpd for POST),
 * parameters, database, render.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "daemon/db.h"
#include "daemon/engine.h"
#include "daemon/heldreason.h"
#include "daemon/json.h"
#include "daemon/log.h"
#include "daemon/moddecide.h"
#include "daemon/modperm.h"
#include "daemon/store_digestreply.h"
#include "daemon/store_group.h"
#include "daemon/store_held.h"
#include "daemon/store_mod.h"
#include "web/account.h"
#include "web/board.h"
#include "web/form.h"
#include "web/html.h"
#include "web/httpd.h"
#include "web/i18n.h"
#include "web/mod.h"
#include "web/session.h"

#define L(m)	i18n_msg(w->lang, (m))

/* A held reply to a digest may be approved into one of the group's this
 * many most recently active threads (the choices its page offers). */
#define MOD_PLACE_THREADS_MAX	50

static const enum i18n_msg mod_action_msgs[MODDECIDE_NACTIONS] = {
	[MODDECIDE_APPROVE] = I18N_MOD_APPROVE,
	[MODDECIDE_APPROVE_ALLOW] = I18N_MOD_APPROVE_ALLOW,
	[MODDECIDE_REJECT] = I18N_MOD_REJECT,
	[MODDECIDE_DISCARD] = I18N_MOD_DISCARD,
	[MODDECIDE_BAN] = I18N_MOD_BAN,
};

/* Signed in? Else the sign-in page; returns 0 when the handler goes on. */
static int
mod_gate(struct web_req *w)
{
	if (w->viewer.member_id != 0)
		return 0;
	account_redirect(w, "/login");
	return -1;
}

static void
mod_date(struct buf *out, struct web_req *w, int64_t t)
{
	struct buf d = BUF_INIT;
	i18n_date(&d, w->lang, t);
	html_printf(out, "<time>%s</time>", buf_cstr(&d));
	buf_free(&d);
}

struct mod_queue_ctx {
	struct web_req	*w;
	struct buf	*out;
	int		 shown;
};

static int
mod_queue_item(void *arg, const struct held *h)
{
	struct mod_queue_ctx *c = arg;
	struct web_req *w = c->w;
	if (c->shown++ >= MOD_QUEUE_PER_GROUP)
		return -1;
	html_printf(c->out, "<li><label class=\"check\"><input type=\"checkbox\""
	    " name=\"h-%D\" value=\"1\"> %s</label> <h2><a href=\"/mod/held/%D\""
	    " dir=\"auto\">%s</a></h2><p class=\"meta\"><span>%s%s<bdi>%s</bdi>"
	    "</span><span>%s%s%s</span><span>", h->id, L(I18N_MOD_SELECT), h->id,
	    h->subject[0] ? h->subject : "—", L(I18N_MOD_FROM), i18n_colon(w->lang),
	    h->sender, L(I18N_MOD_REASON), i18n_colon(w->lang),
	    heldreason_text(h->reason, i18n_code(w->lang)));
	mod_date(c->out, w, h->created);
	buf_puts(c->out, "</span></p></li>\n");
	return 0;
}

struct mod_groups_ctx {
	struct web_req	*w;
	struct buf	*out;
	int		 groups;
	int64_t		 pending;
	int		 failed;
};

static int
mod_queue_group(void *arg, const struct mod_group *g)
{
	struct mod_groups_ctx *c = arg;
	struct web_req *w = c->w;
	c->groups++;
	c->pending += g->pending;
	if (g->pending == 0)
		return 0;
	html_printf(c->out, "<section><h2><a href=\"/g/%u\" dir=\"auto\">%s</a>"
	    " (%D)</h2>\n<ul class=\"list\">\n", g->slug, g->name, g->pending);
	struct mod_queue_ctx q = { w, c->out, 0 };
	if (store_held_each(w->e->db, g->id, mod_queue_item, &q) == -1)
		c->failed = 1;
	buf_puts(c->out, "</ul></section>\n");
	return c->failed ? -1 : 0;
}

/* The action buttons of a form (one submit button per action). */
static void
mod_buttons(struct buf *out, struct web_req *w, int with_reason)
{
	if (with_reason)
		html_printf(out, "<label for=\"reason\">%s<textarea id=\"reason\""
		    " name=\"reason\" rows=\"2\" maxlength=\"%d\" dir=\"auto\">"
		    "</textarea></label>\n", L(I18N_MOD_REJECT_REASON),
		    MODDECIDE_REASON_MAX);
	buf_puts(out, "<p class=\"tools\">");
	for (int a = 0; a < MODDECIDE_NACTIONS; a++)
		html_printf(out, "<button type=\"submit\" name=\"action\" value=\"%s\">"
		    "%s</button>", moddecide_name((enum moddecide_action)a),
		    L(mod_action_msgs[a]));
	buf_puts(out, "</p>");
}

/* A link to the members page of each group the viewer may manage. */
static int
mod_queue_members_link(void *arg, const struct mod_group *g)
{
	struct mod_groups_ctx *c = arg;
	struct web_req *w = c->w;
	int rc = modperm_check(w->e->db, w->viewer.member_id, w->viewer.is_admin,
	    g->id, MODPERM_MEMBERS);
	if (rc == 1)
		html_printf(c->out, "<a href=\"/mod/g/%u/members\">%s — <span "
		    "dir=\"auto\">%s</span></a>", g->slug, L(I18N_MOD_MEMBERS),
		    g->name);
	/* every group listed here is one the viewer moderates */
	html_printf(c->out, "<a href=\"/mod/g/%u/policy\">%s — <span "
	    "dir=\"auto\">%s</span></a>", g->slug, L(I18N_POLICY_TITLE),
	    g->name);
	c->failed |= rc == -1;
	return rc == -1 ? -1 : 0;
}

void
mod_queue(struct web_req *w)
{
	if (mod_gate(w) == -1)
		return;
	struct buf html = BUF_INIT;
	struct mod_groups_ctx c = { w, &html, 0, 0, 0 };
	const char *q = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(
	    w->req));
	if (q != NULL && strcmp(q, "done=1") == 0)
		html_printf(&html, "<p class=\"notice\" role=\"status\">%s</p>\n",
		    L(I18N_MOD_DONE));
	html_printf(&html, "<p class=\"tools\"><a href=\"/mod/log\">%s</a>",
	    L(I18N_MOD_LOG));
	if (store_mod_groups(w->e->db, w->viewer.member_id, w->viewer.is_admin,
	    mod_queue_members_link, &c) == -1)
		c.failed = 1;
	html_printf(&html, "</p>\n<form method=\"post\" action=\"/mod/bulk\">");
	session_csrf_input(w, &html);
	if (store_mod_groups(w->e->db, w->viewer.member_id, w->viewer.is_admin,
	    mod_queue_group, &c) == -1 || c.failed) {
		buf_free(&html);
		httpd_reply_error(w, 500);
		return;
	}
	if (c.groups == 0) {
		buf_free(&html);
		httpd_reply_error(w, 403);
		return;
	}
	if (c.pending == 0)
		html_printf(&html, "<p>%s</p>\n", L(I18N_MOD_EMPTY));
	else {
		html_printf(&html, "<fieldset><legend>%s</legend>",
		    L(I18N_MOD_WITH_SELECTED));
		mod_buttons(&html, w, 1);
		buf_puts(&html, "</fieldset>");
	}
	buf_puts(&html, "</form>\n");
	account_page(w, 200, L(I18N_MOD_TITLE), buf_cstr(&html));
	buf_free(&html);
}

struct mod_json_ctx {
	struct web_req	*w;
	struct json	*js;
	int		 groups, shown, failed;
};

static int
mod_json_held(void *arg, const struct held *h)
{
	struct mod_json_ctx *c = arg;
	if (c->shown++ >= MOD_QUEUE_PER_GROUP)
		return -1;
	json_begin_object(c->js);
	json_kv_int(c->js, "id", h->id);
	json_kv_string(c->js, "sender", h->sender);
	json_kv_string(c->js, "subject", h->subject);
	json_kv_string(c->js, "reason", h->reason);
	json_kv_int(c->js, "created", h->created);
	json_end_object(c->js);
	return 0;
}

static int
mod_json_group(void *arg, const struct mod_group *g)
{
	struct mod_json_ctx *c = arg;
	c->groups++;
	c->shown = 0;
	json_begin_object(c->js);
	json_kv_string(c->js, "slug", g->slug);
	json_kv_string(c->js, "name", g->name);
	json_kv_int(c->js, "pending", g->pending);
	json_key(c->js, "held");
	json_begin_array(c->js);
	if (g->pending > 0 && store_held_each(c->w->e->db, g->id, mod_json_held,
	    c) == -1)
		c->failed = 1;
	json_end_array(c->js);
	json_end_object(c->js);
	return c->failed ? -1 : 0;
}

void
mod_queue_json(struct web_req *w)
{
	if (w->viewer.member_id == 0) {
		httpd_reply_error(w, 403);
		return;
	}
	struct buf out = BUF_INIT;
	struct json js;
	struct mod_json_ctx c = { w, &js, 0, 0, 0 };
	json_init(&js, &out);
	json_begin_object(&js);
	json_key(&js, "groups");
	json_begin_array(&js);
	int rc = store_mod_groups(w->e->db, w->viewer.member_id,
	    w->viewer.is_admin, mod_json_group, &c);
	json_end_array(&js);
	json_end_object(&js);
	if (rc == -1 || c.failed || json_finish(&js) == -1)
		httpd_reply_error(w, 500);
	else if (c.groups == 0)
		httpd_reply_error(w, 403);
	else
		board_reply_json(w, &out);
	buf_free(&out);
}

/* A page that says who decided first (409). */
static void
mod_already(struct web_req *w, const char *by)
{
	struct buf html = BUF_INIT;
	html_printf(&html, "<p class=\"error\" role=\"alert\">%s %s</p>\n"
	    "<p><a href=\"/mod\">%s</a></p>\n", L(I18N_MOD_ALREADY), by,
	    L(I18N_MOD_BACK));
	account_page(w, 409, L(I18N_MOD_TITLE), buf_cstr(&html));
	buf_free(&html);
}

/* Validate the posted action, reason and thread to approve into (when
 * thread is not NULL; 0: none chosen): 0, or the HTTP status. */
static int
mod_read_action(struct web_req *w, enum moddecide_action *a,
    const char **reason, int64_t *thread)
{
	const struct form *f = session_form(w);
	if (moddecide_parse(form_get(f, "action"), a) == -1)
		return 400;
	const char *t = thread ? form_get(f, "thread") : NULL;
	char *end = NULL;
	long long n = t && *t ? strtoll(t, &end, 10) : 0;
	if (t && *t && (n <= 0 || *end != '\0'))
		return 400;
	if (thread)
		*thread = n;
	*reason = form_get(f, "reason");
	if (*reason != NULL && strlen(*reason) > MODDECIDE_REASON_MAX)
		return 400;
	if (*reason != NULL && **reason == '\0')
		*reason = NULL;
	return 0;
}

static int
mod_place_option(void *arg, int64_t thread_id, const char *subject)
{
	html_printf(arg, "<option value=\"%D\" dir=\"auto\">%s</option>",
	    thread_id, subject);
	return 0;
}

/* The choice of a thread to approve a reply to a digest into: none (a new
 * thread of its own) or one of the group's recent threads. 0 or -1. */
static int
mod_place_select(struct buf *html, struct web_req *w, int64_t group_id)
{
	html_printf(html, "<label for=\"thread\">%s<select id=\"thread\" "
	    "name=\"thread\"><option value=\"\">%s</option>",
	    L(I18N_MOD_PLACE), L(I18N_MOD_PLACE_NEW));
	int rc = store_digestreply_subjects(w->e->db, group_id,
	    MOD_PLACE_THREADS_MAX, mod_place_option, html);
	buf_puts(html, "</select></label>\n");
	return rc;
}

static void
mod_held_page(struct web_req *w, const struct held *h)
{
	struct buf html = BUF_INIT, name = BUF_INIT, text = BUF_INIT;
	if (store_mod_held_text(w->e->db, h->id, &name, &text) == -1) {
		httpd_reply_error(w, 500);
		return;
	}
	html_printf(&html, "<p><a href=\"/mod\">%s</a></p>\n<article class=\"post\">"
	    "<header><strong dir=\"auto\">%s</strong> <bdi>&lt;%s&gt;</bdi> ",
	    L(I18N_MOD_BACK), name.len ? buf_cstr(&name) : h->sender, h->sender);
	mod_date(&html, w, h->created);
	html_printf(&html, "<p class=\"subject\" dir=\"auto\">%s</p><p class=\""
	    "subject\">%s%s%s — <a href=\"/g/%u\">%s</a></p></header>\n"
	    "<div class=\"body\" dir=\"auto\">", h->subject, L(I18N_MOD_REASON),
	    i18n_colon(w->lang), heldreason_text(h->reason, i18n_code(w->lang)),
	    h->slug, h->slug);
	board_body_html(&html, text.data ? text.data : "", text.len,
	    L(I18N_QUOTED), L(I18N_SIGNATURE));
	buf_puts(&html, "</div></article>\n");
	if (strcmp(h->state, "pending") != 0)
		html_printf(&html, "<p class=\"notice\" role=\"status\">%s %s (%s)"
		    "</p>\n", L(I18N_MOD_ALREADY), h->decided_by, h->state);
	else {
		html_printf(&html, "<form class=\"form\" method=\"post\" "
		    "action=\"/mod/held/%D\">", h->id);
		session_csrf_input(w, &html);
		if (strcmp(h->reason, HELDREASON_DIGEST_REPLY) == 0 &&
		    mod_place_select(&html, w, h->group_id) == -1) {
			buf_free(&html);
			buf_free(&name);
			buf_free(&text);
			httpd_reply_error(w, 500);
			return;
		}
		mod_buttons(&html, w, 1);
		buf_puts(&html, "</form>\n");
	}
	account_page(w, 200, h->subject[0] ? h->subject : L(I18N_MOD_TITLE),
	    buf_cstr(&html));
	buf_free(&html);
	buf_free(&name);
	buf_free(&text);
}

void
mod_held(struct web_req *w)
{
	if (mod_gate(w) == -1)
		return;
	enum moddecide_action a = MODDECIDE_APPROVE;
	const char *reason = NULL;
	int64_t thread = 0;
	int code = w->post ? mod_read_action(w, &a, &reason, &thread) : 0;
	int rc = moddecide_may(w->e, w->params.id, w->viewer.member_id,
	    w->viewer.is_admin, w->post ? a : MODDECIDE_APPROVE);
	if (rc != 1) {
		httpd_reply_error(w, rc == 0 ? 404 : 500);
		return;
	}
	if (code != 0) {
		httpd_reply_error(w, code);
		return;
	}
	if (!w->post) {
		struct held h;
		if (store_held_get(w->e->db, w->params.id, &h) != 1) {
			httpd_reply_error(w, 500);
			return;
		}
		mod_held_page(w, &h);
		store_held_clear(&h);
		return;
	}
	struct buf by = BUF_INIT;
	enum moddecide_result r = moddecide_held(w->e, w->params.id,
	    w->viewer.member_id, w->viewer.is_admin, w->viewer.email, a, reason,
	    thread, &by);
	if (r == MODDECIDE_DONE)
		account_redirect(w, "/mod?done=1");
	else if (r == MODDECIDE_ALREADY)
		mod_already(w, buf_cstr(&by));
	else
		httpd_reply_error(w, r == MODDECIDE_NOTFOUND ? 404 : 500);
	buf_free(&by);
}

/* The ids checked in a bulk form (fields h-ID), at most MOD_BULK_MAX;
 * -1 when a field is malformed or there are too many. */
static int
mod_bulk_ids(const struct form *f, int64_t *ids)
{
	int n = 0;
	for (int i = 0; i < f->n; i++) {
		const char *name = f->fields[i].name;
		if (strncmp(name, "h-", 2) != 0)
			continue;
		char *end;
		long long id = strtoll(name + 2, &end, 10);
		if (*end != '\0' || id <= 0 || name[2] < '1' || name[2] > '9' ||
		    n >= MOD_BULK_MAX)
			return -1;
		ids[n++] = id;
	}
	return n;
}

void
mod_bulk(struct web_req *w)
{
	if (mod_gate(w) == -1)
		return;
	enum moddecide_action a;
	const char *reason;
	int64_t ids[MOD_BULK_MAX];
	int code = mod_read_action(w, &a, &reason, NULL);
	int n = code ? 0 : mod_bulk_ids(session_form(w), ids);
	if (code != 0 || n == -1) {
		httpd_reply_error(w, code ? code : 400);
		return;
	}
	/* every id is checked before any is decided: one foreign id and
	 * nothing is done */
	for (int i = 0; i < n; i++) {
		int rc = moddecide_may(w->e, ids[i], w->viewer.member_id,
		    w->viewer.is_admin, a);
		if (rc != 1) {
			httpd_reply_error(w, rc == 0 ? 404 : 500);
			return;
		}
	}
	struct buf html = BUF_INIT, by = BUF_INIT;
	for (int i = 0; i < n; i++) {
		buf_reset(&by);
		enum moddecide_result r = moddecide_held(w->e, ids[i],
		    w->viewer.member_id, w->viewer.is_admin, w->viewer.email, a,
		    reason, 0, &by);
		if (r == MODDECIDE_ALREADY)
			html_printf(&html, "<li><a href=\"/mod/held/%D\">%D</a> %s %s"
			    "</li>\n", ids[i], ids[i], L(I18N_MOD_ALREADY),
			    buf_cstr(&by));
		else if (r != MODDECIDE_DONE) {
			buf_free(&html);
			buf_free(&by);
			httpd_reply_error(w, r == MODDECIDE_NOTFOUND ? 404 : 500);
			return;
		}
	}
	buf_free(&by);
	if (n == 0)
		html_printf(&html, "<li>%s</li>", L(I18N_MOD_NONE_SELECTED));
	if (html.len == 0 && n > 0) {
		account_redirect(w, "/mod?done=1");
		buf_free(&html);
		return;
	}
	struct buf page = BUF_INIT;
	html_printf(&page, "<ul>%H</ul>\n<p><a href=\"/mod\">%s</a></p>\n",
	    buf_cstr(&html), L(I18N_MOD_BACK));
	account_page(w, n == 0 ? 400 : 409, L(I18N_MOD_TITLE), buf_cstr(&page));
	buf_free(&page);
	buf_free(&html);
}

struct mod_log_ctx {
	struct web_req	*w;
	struct buf	*out;
	int		 rows;
	const char	*group;		/* the filter, or "" */
	struct buf	 options;
	int		 group_ok;
};

static int
mod_log_row(void *arg, const struct mod_audit *a)
{
	struct mod_log_ctx *c = arg;
	c->rows++;
	html_printf(c->out, "<tr><td>");
	mod_date(c->out, c->w, a->time);
	html_printf(c->out, "</td><td>%s</td><td><bdi>%s</bdi></td><td>%s</td>"
	    "<td><bdi>%s</bdi> %s</td><td><code>%s</code> → <code>%s</code>"
	    "</td></tr>\n", a->slug, a->actor, a->action, a->target, a->detail,
	    a->before, a->after);
	return 0;
}

static int
mod_log_group(void *arg, const struct mod_group *g)
{
	struct mod_log_ctx *c = arg;
	int sel = strcmp(c->group, g->slug) == 0;
	if (sel)
		c->group_ok = 1;
	html_printf(&c->options, "<option value=\"%s\"%H>%s</option>", g->slug,
	    sel ? " selected" : "", g->slug);
	return 0;
}

void
mod_log(struct web_req *w)
{
	if (mod_gate(w) == -1)
		return;
	const char *q = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(
	    w->req));
	struct evkeyvalq kv;
	TAILQ_INIT(&kv);
	if (q != NULL && evhttp_parse_query_str(q, &kv) == -1) {
		httpd_reply_error(w, 400);
		return;
	}
	const char *slug = evhttp_find_header(&kv, "group");
	const char *action = evhttp_find_header(&kv, "action");
	struct buf html = BUF_INIT;
	struct mod_log_ctx c = { w, &html, 0, slug ? slug : "", BUF_INIT, 0 };
	struct group g;
	memset(&g, 0, sizeof g);
	int rc = store_mod_groups(w->e->db, w->viewer.member_id,
	    w->viewer.is_admin, mod_log_group, &c);
	if (rc == 0 && c.options.len == 0)
		rc = 403;
	else if (rc == 0 && slug != NULL && *slug != '\0' && (!c.group_ok ||
	    store_group_get(w->e->db, slug, &g) != 1))
		rc = 404;
	if (rc == 0) {
		html_printf(&html, "<form class=\"tools\" method=\"get\" action=\""
		    "/mod/log\"><label>%s <select name=\"group\"><option value=\"\">"
		    "%s</option>%H</select></label><label>%s <input name=\"action\""
		    " value=\"%s\" maxlength=\"32\"></label><button type=\"submit\">"
		    "%s</button></form>\n<table><thead><tr><th>%s</th><th>%s</th>"
		    "<th>%s</th><th>%s</th><th></th><th>%s</th></tr></thead><tbody>\n",
		    L(I18N_MOD_GROUP), L(I18N_MOD_ALL), buf_cstr(&c.options),
		    L(I18N_MOD_ACTION), action ? action : "", L(I18N_MOD_FILTER),
		    L(I18N_MOD_WHEN), L(I18N_MOD_GROUP), L(I18N_MOD_BY),
		    L(I18N_MOD_ACTION), L(I18N_MOD_STATE));
		rc = store_mod_audit_each(w->e->db, w->viewer.member_id,
		    w->viewer.is_admin, g.id, action, mod_log_row, &c) == -1 ?
		    500 : 0;
		buf_puts(&html, "</tbody></table>\n");
		if (c.rows == 0)
			html_printf(&html, "<p>%s</p>\n", L(I18N_MOD_LOG_EMPTY));
	}
	if (rc == 0)
		account_page(w, 200, L(I18N_MOD_LOG), buf_cstr(&html));
	else
		httpd_reply_error(w, rc == -1 ? 500 : rc);
	if (g.id)
		store_group_clear(&g);
	evhttp_clear_headers(&kv);
	buf_free(&c.options);
	buf_free(&html);
}
