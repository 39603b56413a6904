/*
 * Hide and restore a post (see mod_post.h).
 */
#include <config.h>

#include <string.h>

#include "daemon/db.h"
#include "daemon/engine.h"
#include "daemon/json.h"
#include "daemon/log.h"
#include "daemon/moddecide.h"
#include "daemon/modperm.h"
#include "daemon/store_mod.h"
#include "daemon/store_post.h"
#include "web/account.h"
#include "web/board.h"
#include "web/form.h"
#include "web/html.h"
#include "web/httpd.h"
#include "web/i18n.h"
#include "web/mod_post.h"
#include "web/session.h"

#define L(m)	i18n_msg(w->lang, (m))

static void
mod_post_page(struct web_req *w, const struct post *p, int code,
    const char *message)
{
	struct buf html = BUF_INIT;
	if (message)
		html_printf(&html, "<p class=\"notice\" role=\"status\">%s</p>\n",
		    message);
	html_printf(&html, "<p><a href=\"/mod\">%s</a></p>\n<article class=\"post\">"
	    "<header><strong dir=\"auto\">%s</strong> <bdi>&lt;%s&gt;</bdi>"
	    "<p class=\"subject\" dir=\"auto\">%s</p></header>\n<div class=\"body\""
	    " dir=\"auto\">", L(I18N_MOD_BACK), p->author_name, p->author_email,
	    p->subject);
	board_body_html(&html, p->body, strlen(p->body), L(I18N_QUOTED),
	    L(I18N_SIGNATURE));
	html_printf(&html, "</div></article>\n<p>%s%s%s</p>\n<form class=\"form\""
	    " method=\"post\" action=\"/mod/post/%D\">", L(I18N_MOD_STATE),
	    i18n_colon(w->lang), p->hidden ? L(I18N_MOD_HIDDEN) :
	    L(I18N_MOD_VISIBLE), p->id);
	session_csrf_input(w, &html);
	if (p->hidden)
		html_printf(&html, "<p><button name=\"action\" value=\"restore\">%s"
		    "</button></p></form>\n", L(I18N_MOD_RESTORE));
	else
		html_printf(&html, "<label for=\"reason\">%s<textarea id=\"reason\""
		    " name=\"reason\" rows=\"2\" maxlength=\"%d\" required dir=\""
		    "auto\"></textarea></label><p><button name=\"action\" value=\""
		    "hide\">%s</button></p></form>\n", L(I18N_MOD_HIDE_REASON),
		    MODDECIDE_REASON_MAX, L(I18N_MOD_HIDE));
	account_page(w, code, L(I18N_MOD_TITLE), buf_cstr(&html));
	buf_free(&html);
}

/* Hide or restore in one transaction with the audit row: 1 done, 0 it
 * already was, -1. */
static int
mod_post_change(struct web_req *w, const struct post *p, int hide,
    const char *reason)
{
	struct db *db = w->e->db;
	if (db_begin(db) == -1)
		return -1;
	int rc = store_mod_post_hide(db, p->id, hide);
	if (rc == 1) {
		struct buf before = BUF_INIT, after = BUF_INIT, target = BUF_INIT;
		struct json j;
		buf_puts(&before, hide ? "{\"hidden\":false}" :
		    "{\"hidden\":true}");
		json_init(&j, &after);
		json_begin_object(&j);
		json_kv_bool(&j, "hidden", hide);
		if (reason)
			json_kv_string(&j, "reason", reason);
		json_end_object(&j);
		buf_printf(&target, "post %lld", (long long)p->id);
		if (store_mod_audit(db, w->viewer.email, hide ? "post.hide" :
		    "post.restore", p->group_id, buf_cstr(&target), reason,
		    buf_cstr(&before), buf_cstr(&after)) == -1)
			rc = -1;
		buf_free(&before);
		buf_free(&after);
		buf_free(&target);
	}
	if (rc == 1 && db_commit(db) == 0)
		return 1;
	db_rollback(db);
	return rc == 1 ? -1 : rc;
}

void
mod_post(struct web_req *w)
{
	if (w->viewer.member_id == 0) {
		account_redirect(w, "/login");
		return;
	}
	struct post p;
	int rc = store_post_get(w->e->db, w->params.id, &p);
	if (rc == 1) {
		rc = modperm_check(w->e->db, w->viewer.member_id,
		    w->viewer.is_admin, p.group_id, MODPERM_POSTS);
		if (rc != 1)
			store_post_clear(&p);
	}
	if (rc != 1) {
		httpd_reply_error(w, rc == 0 ? 404 : 500);
		return;
	}
	if (!w->post) {
		mod_post_page(w, &p, 200, NULL);
		store_post_clear(&p);
		return;
	}
	const struct form *f = session_form(w);
	const char *act = form_get(f, "action"), *reason = form_get(f, "reason");
	int hide = act && strcmp(act, "hide") == 0;
	if ((!hide && (act == NULL || strcmp(act, "restore") != 0)) || (hide &&
	    (reason == NULL || *reason == '\0' || strlen(reason) >
	    MODDECIDE_REASON_MAX)))
		httpd_reply_error(w, 400);
	else if ((rc = mod_post_change(w, &p, hide, hide ? reason : NULL)) == -1)
		httpd_reply_error(w, 500);
	else {
		p.hidden = hide;
		mod_post_page(w, &p, rc == 1 ? 200 : 409, rc == 1 ?
		    L(I18N_MOD_DONE) : L(I18N_MOD_ALREADY_SO));
	}
	store_post_clear(&p);
}
