/*
 * Invitations by mail on the web (see mod_invite.h): the owners' page and
 * the invitee's page.
 */
#include <config.h>

#include <string.h>

#include "daemon/account.h"
#include "daemon/config.h"
#include "daemon/db.h"
#include "daemon/engine.h"
#include "daemon/invite.h"
#include "daemon/log.h"
#include "daemon/modperm.h"
#include "daemon/store_group.h"
#include "web/account.h"
#include "web/form.h"
#include "web/html.h"
#include "web/httpd.h"
#include "web/i18n.h"
#include "web/mod_invite.h"
#include "web/session.h"

#define L(m)	i18n_msg(w->lang, (m))

struct mod_invite_ctx {
	struct web_req	*w;
	struct buf	*out;
	int		 rows;
};

static int
mod_invite_row(void *arg, const struct invite *inv)
{
	struct mod_invite_ctx *c = arg;
	struct web_req *w = c->w;
	c->rows++;
	html_printf(c->out, "<li><form class=\"tools\" method=\"post\"><input "
	    "type=\"hidden\" name=\"email\" value=\"%s\"><strong><bdi>%s</bdi>"
	    "</strong> — %s <bdi>%s</bdi>, %s ", inv->email, inv->email,
	    L(I18N_INV_BY), inv->invited_by, L(I18N_INV_UNTIL));
	i18n_date(c->out, w->lang, inv->expires);
	buf_putc(c->out, ' ');
	session_csrf_input(w, c->out);
	html_printf(c->out, "<button name=\"action\" value=\"revoke\">%s"
	    "</button></form></li>\n", L(I18N_INV_REVOKE));
	return 0;
}

/* The page: report (trusted markup, may be empty) first, then the form
 * and the pending invitations. */
static void
mod_invite_page(struct web_req *w, const struct group *g, int code,
    const char *report)
{
	struct buf html = BUF_INIT;
	struct mod_invite_ctx c = { w, &html, 0 };
	html_printf(&html, "<p><a href=\"/mod/g/%u/members\">%s</a></p>\n%H"
	    "<form class=\"form\" method=\"post\"><input type=\"hidden\" name="
	    "\"action\" value=\"invite\">", g->slug, L(I18N_MOD_MEMBERS),
	    report ? report : "");
	session_csrf_input(w, &html);
	html_printf(&html, "<label>%s<textarea name=\"addresses\" rows=\"5\" "
	    "maxlength=\"%d\" dir=\"ltr\" required></textarea></label><p><button"
	    " type=\"submit\">%s</button></p></form>\n<h2>%s</h2>\n<ul class="
	    "\"list\">\n", L(I18N_INV_ADDRESSES), INVITE_TEXT_MAX,
	    L(I18N_INV_SEND), L(I18N_INV_PENDING));
	if (store_invite_each(w->e->db, g->id, INVITE_LIST_MAX, mod_invite_row,
	    &c) == -1) {
		buf_free(&html);
		httpd_reply_error(w, 500);
		return;
	}
	buf_puts(&html, "</ul>\n");
	if (c.rows == 0)
		html_printf(&html, "<p>%s</p>\n", L(I18N_INV_NONE));
	struct buf title = BUF_INIT;
	buf_printf(&title, "%s — %s", L(I18N_INV_TITLE), g->name);
	account_page(w, code, buf_cstr(&title), buf_cstr(&html));
	buf_free(&title);
	buf_free(&html);
}

/* Invite every address of the list in one transaction; report gets an
 * item per address. 0 or -1. */
static int
mod_invite_send(struct web_req *w, const struct group *g,
    const struct invite_list *l, struct buf *report)
{
	struct db *db = w->e->db;
	const struct config *cfg = w->e->cfg;
	if (db_begin(db) == -1)
		return -1;
	buf_puts(report, "<ul class=\"list\" role=\"status\">\n");
	for (size_t i = 0; i < l->n; i++) {
		enum invite_send_result r = invite_send(db, cfg->list_domain,
		    cfg->site_url, g, l->addr[i], w->viewer.email);
		if (r == INVITE_FAILED || r == INVITE_ARCHIVED) {
			db_rollback(db);
			return -1;
		}
		html_printf(report, "<li><bdi>%s</bdi> — %s</li>\n", l->addr[i],
		    r == INVITE_SENT ? L(I18N_INV_SENT) : r == INVITE_RECENT ?
		    L(I18N_INV_RECENT) : L(I18N_INV_IS_MEMBER));
	}
	buf_puts(report, "</ul>\n");
	if (db_commit(db) == -1) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

static void
mod_invite_post(struct web_req *w, const struct group *g)
{
	const struct form *f = session_form(w);
	const char *act = form_get(f, "action"), *email = form_get(f, "email");
	struct buf report = BUF_INIT, bad = BUF_INIT;
	if (act && strcmp(act, "revoke") == 0 && email &&
	    account_email_valid(email)) {
		struct db *db = w->e->db;
		int rc = db_begin(db) == -1 ? -1 : invite_revoke(db, g, email,
		    w->viewer.email);
		if (rc == 1 && db_commit(db) == -1)
			rc = -1;
		if (rc != 1)
			db_rollback(db);
		if (rc == -1)
			httpd_reply_error(w, 500);
		else if (rc == 0) {
			html_printf(&report, "<p class=\"error\" role=\"alert\">%s"
			    " <bdi>%s</bdi></p>\n", L(I18N_INV_NOT_PENDING), email);
			mod_invite_page(w, g, 409, buf_cstr(&report));
		} else {
			buf_printf(&report, "/mod/g/%s/invites", g->slug);
			account_redirect(w, buf_cstr(&report));
		}
		buf_free(&report);
		return;
	}
	if (act == NULL || strcmp(act, "invite") != 0) {
		httpd_reply_error(w, 400);
		return;
	}
	if (g->archived) {
		html_printf(&report, "<p class=\"error\" role=\"alert\">%s</p>\n",
		    L(I18N_INV_ARCHIVED));
		mod_invite_page(w, g, 409, buf_cstr(&report));
		buf_free(&report);
		return;
	}
	struct invite_list l;
	enum invite_parse_result pr = invite_parse(form_get(f, "addresses"), &l,
	    &bad);
	if (pr == INVITE_PARSE_OK) {
		int rc = mod_invite_send(w, g, &l, &report);
		invite_list_free(&l);
		if (rc == -1)
			httpd_reply_error(w, 500);
		else
			mod_invite_page(w, g, 200, buf_cstr(&report));
	} else {
		html_printf(&report, "<p class=\"error\" role=\"alert\">%s", pr ==
		    INVITE_PARSE_BAD ? L(I18N_INV_BAD) : pr == INVITE_PARSE_EMPTY ?
		    L(I18N_INV_EMPTY) : L(I18N_INV_TOO_MANY));
		if (pr == INVITE_PARSE_BAD)
			html_printf(&report, " <bdi>%s</bdi>", buf_cstr(&bad));
		buf_puts(&report, "</p>\n");
		mod_invite_page(w, g, 400, buf_cstr(&report));
	}
	buf_free(&report);
	buf_free(&bad);
}

void
mod_invite(struct web_req *w)
{
	if (w->viewer.member_id == 0) {
		account_redirect(w, "/login");
		return;
	}
	/* the route checked that the viewer may read the group */
	const struct group *g = &w->group;
	int rc = modperm_check(w->e->db, w->viewer.member_id, w->viewer.is_admin,
	    g->id, MODPERM_MEMBERS);
	if (rc != 1)
		httpd_reply_error(w, rc == 0 ? 404 : 500);
	else if (w->post)
		mod_invite_post(w, g);
	else
		mod_invite_page(w, g, 200, NULL);
}

static void
mod_invite_result(struct web_req *w, enum invite_accept_result r,
    const struct invite *info)
{
	struct buf html = BUF_INIT;
	if (r == INVITE_ERROR) {
		httpd_reply_error(w, 500);
		return;
	}
	if (r == INVITE_INVALID)
		html_printf(&html, "<p>%s</p>\n", L(I18N_INV_INVALID));
	else if (r == INVITE_CLOSED)
		html_printf(&html, "<p>%s</p>\n", L(I18N_INV_ARCHIVED));
	else {
		struct group g;
		int have = store_group_get_id(w->e->db, info->group_id, &g) == 1;
		html_printf(&html, "<p role=\"status\">%s</p>\n", r ==
		    INVITE_JOINED ? L(I18N_INV_JOINED) : L(I18N_INV_ALREADY));
		if (have) {
			html_printf(&html, "<p><a href=\"/g/%u\" dir=\"auto\">%s</a>"
			    "</p>\n", g.slug, g.name);
			store_group_clear(&g);
		}
	}
	account_page(w, r == INVITE_INVALID ? 404 : r == INVITE_CLOSED ? 409 :
	    200, L(I18N_INV_TITLE),
	    buf_cstr(&html));
	buf_free(&html);
}

void
mod_invite_accept(struct web_req *w)
{
	struct db *db = w->e->db;
	struct invite info;
	struct group g;
	int rc = store_invite_get(db, w->params.token, &info);
	if (rc == 1)
		rc = store_group_get_id(db, info.group_id, &g);
	if (rc == -1) {
		httpd_reply_error(w, 500);
		return;
	}
	if (rc == 0) {
		mod_invite_result(w, INVITE_INVALID, &info);
		return;
	}
	if (w->post) {
		store_group_clear(&g);
		enum invite_accept_result r = db_begin(db) == -1 ? INVITE_ERROR :
		    invite_accept(db, w->e->cfg->list_domain, w->params.token,
		    &info);
		if ((r == INVITE_JOINED || r == INVITE_ALREADY) &&
		    db_commit(db) == -1)
			r = INVITE_ERROR;
		if (r != INVITE_JOINED && r != INVITE_ALREADY)
			db_rollback(db);
		if (r == INVITE_JOINED)
			log_info("invite: %s joined group %lld", info.email,
			    (long long)info.group_id);
		mod_invite_result(w, r, &info);
		return;
	}
	struct buf html = BUF_INIT;
	html_printf(&html, "<p>%s <strong dir=\"auto\">%s</strong> (%s) %s "
	    "<strong><bdi>%s</bdi></strong>.</p>\n<form method=\"post\"><button "
	    "type=\"submit\">%s</button></form>\n", L(I18N_INV_OFFER), g.name,
	    g.slug, L(I18N_INV_AS), info.email, L(I18N_INV_JOIN));
	account_page(w, 200, L(I18N_INV_TITLE), buf_cstr(&html));
	buf_free(&html);
	store_group_clear(&g);
}
