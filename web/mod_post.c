/*
 * Hide and restore a post (see mod_post.h).
 */
#include <config.h>

#include <stdlib.h>
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

static const struct {
	const char	*name;
	int		 pin, on;
	enum i18n_msg	 label;
} mod_thread_acts[] = {
	{ "lock", 0, 1, I18N_MOD_LOCK }, { "unlock", 0, 0, I18N_MOD_UNLOCK },
	{ "pin", 1, 1, I18N_MOD_PIN }, { "unpin", 1, 0, I18N_MOD_UNPIN },
};
#define MOD_THREAD_NACTS (sizeof mod_thread_acts / sizeof mod_thread_acts[0])

static void
mod_thread_page(struct web_req *w, const struct mod_thread *t, int code,
    const char *message)
{
	struct buf html = BUF_INIT;
	if (message)
		html_printf(&html, "<p class=\"notice\" role=\"status\">%s</p>\n",
		    message);
	html_printf(&html, "<p><a href=\"/mod\">%s</a></p>\n<h2 dir=\"auto\">%s"
	    "</h2>\n<p>%s%s%s, %s</p>\n<form method=\"post\" action=\""
	    "/mod/thread/%D\" class=\"tools\">", L(I18N_MOD_BACK), t->subject,
	    L(I18N_MOD_STATE), i18n_colon(w->lang), t->locked ?
	    L(I18N_MOD_LOCKED) : L(I18N_MOD_OPEN), t->pinned ?
	    L(I18N_MOD_PINNED) : L(I18N_MOD_NOT_PINNED), t->id);
	session_csrf_input(w, &html);
	for (size_t i = 0; i < MOD_THREAD_NACTS; i++)
		if ((mod_thread_acts[i].pin ? t->pinned : t->locked) !=
		    mod_thread_acts[i].on)
			html_printf(&html, "<button name=\"action\" value=\"%s\">%s"
			    "</button>", mod_thread_acts[i].name,
			    L(mod_thread_acts[i].label));
	buf_puts(&html, "</form>\n");
	account_page(w, code, L(I18N_MOD_TITLE), buf_cstr(&html));
	buf_free(&html);
}

/* Apply act[i] with its audit row in one transaction: 1, 0 already so,
 * -1. */
static int
mod_thread_change(struct web_req *w, struct mod_thread *t, size_t i)
{
	struct db *db = w->e->db;
	const char *field = mod_thread_acts[i].pin ? "pinned" : "locked";
	int on = mod_thread_acts[i].on;
	if (db_begin(db) == -1)
		return -1;
	int rc = store_mod_thread_set(db, t->id, mod_thread_acts[i].pin, on);
	if (rc == 1) {
		struct buf before = BUF_INIT, after = BUF_INIT, target = BUF_INIT,
		    action = BUF_INIT;
		buf_printf(&before, "{\"%s\":%s}", field, on ? "false" : "true");
		buf_printf(&after, "{\"%s\":%s}", field, on ? "true" : "false");
		buf_printf(&target, "thread %lld", (long long)t->id);
		buf_printf(&action, "thread.%s", mod_thread_acts[i].name);
		if (store_mod_audit(db, w->viewer.email, buf_cstr(&action),
		    t->group_id, buf_cstr(&target), t->subject, buf_cstr(&before),
		    buf_cstr(&after)) == -1)
			rc = -1;
		buf_free(&before);
		buf_free(&after);
		buf_free(&target);
		buf_free(&action);
	}
	if (rc == 1 && db_commit(db) == 0) {
		if (mod_thread_acts[i].pin)
			t->pinned = on;
		else
			t->locked = on;
		return 1;
	}
	db_rollback(db);
	return rc == 1 ? -1 : rc;
}

void
mod_thread(struct web_req *w)
{
	if (w->viewer.member_id == 0) {
		account_redirect(w, "/login");
		return;
	}
	struct mod_thread t = { 0, 0, 0, 0, NULL };
	int rc = store_mod_thread_get(w->e->db, w->params.id, &t);
	if (rc == 1)
		rc = modperm_check(w->e->db, w->viewer.member_id,
		    w->viewer.is_admin, t.group_id, MODPERM_POSTS);
	if (rc != 1)
		httpd_reply_error(w, rc == 0 ? 404 : 500);
	else if (!w->post)
		mod_thread_page(w, &t, 200, NULL);
	else {
		const char *act = form_get(session_form(w), "action");
		size_t i = 0;
		while (i < MOD_THREAD_NACTS && (act == NULL ||
		    strcmp(act, mod_thread_acts[i].name) != 0))
			i++;
		if (i == MOD_THREAD_NACTS)
			httpd_reply_error(w, 400);
		else if ((rc = mod_thread_change(w, &t, i)) == -1)
			httpd_reply_error(w, 500);
		else
			mod_thread_page(w, &t, rc == 1 ? 200 : 409, rc == 1 ?
			    L(I18N_MOD_DONE) : L(I18N_MOD_ALREADY_SO));
	}
	free(t.subject);
}
