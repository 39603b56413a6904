/*
 * Unsubscribe and confirmation pages (see token.h), in the reader's
 * language: the signed-in reader's, else the web account's of the address
 * the link is for, else Accept-Language, else the group's.
 */
#include <config.h>

#include <string.h>

#include "daemon/db.h"
#include "daemon/deliverylink.h"
#include "daemon/engine.h"
#include "daemon/log.h"
#include "daemon/store_account.h"
#include "daemon/store_group.h"
#include "daemon/store_token.h"
#include "daemon/subscription.h"
#include "web/html.h"
#include "web/httpd.h"
#include "web/i18n.h"
#include "web/layout.h"
#include "web/token.h"

#define L(m)	i18n_msg(w->lang, (m))

/* Pick the page's language for a link to address email of group g (NULL
 * when unknown). */
static void
token_lang(struct web_req *w, const char *email, const struct group *g)
{
	if (w->viewer.lang[0] != '\0')
		return;		/* the signed-in reader's, set by the server */
	enum i18n_lang fallback = i18n_pick(httpd_request_header(w,
	    "Accept-Language"), g != NULL ? i18n_lang_from_code(g->language,
	    I18N_EN) : I18N_EN);
	struct account a;
	w->lang = email != NULL && store_account_by_email(w->e->db, email,
	    &a) == 1 && a.has_password ? i18n_lang_from_code(a.locale,
	    fallback) : fallback;
}

static void
token_page(struct web_req *w, int code, enum i18n_msg title, const char *html)
{
	struct buf page = BUF_INIT;
	layout_begin(&page, w, L(title), NULL);
	html_printf(&page, "<h1>%s</h1>\n%H\n", L(title), html);
	layout_end(&page, w);
	httpd_header(w, "Cache-Control", "no-store");
	httpd_reply(w, code, "text/html; charset=utf-8", &page);
	buf_free(&page);
}

/* A page of one sentence. */
static void
token_message(struct web_req *w, int code, enum i18n_msg title,
    enum i18n_msg text)
{
	struct buf html = BUF_INIT;
	html_printf(&html, "<p>%s</p>", L(text));
	token_page(w, code, title, buf_cstr(&html));
	buf_free(&html);
}

/* The group (when known) and the address a link is for. */
static void
token_about(struct web_req *w, struct buf *html, const struct group *g,
    const char *email)
{
	html_printf(html, "<dl>\n");
	if (g != NULL)
		html_printf(html, "<dt>%s</dt><dd dir=\"auto\">%s</dd>\n",
		    L(I18N_TOK_GROUP), g->name);
	html_printf(html, "<dt>%s</dt><dd dir=\"ltr\">%s</dd>\n</dl>\n",
	    L(I18N_TOK_ADDRESS), email);
}

static void
token_unsubscribe_post(struct web_req *w, const struct group *g)
{
	struct db *db = w->e->db;
	struct buf html = BUF_INIT, email = BUF_INIT;
	int64_t gid = 0;
	int ok = db_begin(db) == 0 && subscription_unsubscribe_token(db,
	    w->params.token, &gid, &email) != -1 && db_commit(db) == 0;
	if (!ok) {
		db_rollback(db);
		token_message(w, 500, I18N_TOK_ERROR_TITLE, I18N_TOK_RETRY);
	} else {
		html_printf(&html, "<p>%s</p>", L(I18N_TOK_UNSUBSCRIBED));
		token_about(w, &html, g, buf_cstr(&email));
		token_page(w, 200, I18N_TOK_UNSUBSCRIBED_TITLE, buf_cstr(&html));
		log_info("one-click unsubscribe: %s", buf_cstr(&email));
	}
	buf_free(&email);
	buf_free(&html);
}

void
token_unsubscribe(struct web_req *w)
{
	struct membership ms;
	if (store_membership_by_token(w->e->db, w->params.token, &ms) != 1) {
		token_message(w, 404, I18N_TOK_UNKNOWN_TITLE,
		    I18N_TOK_UNSUB_UNKNOWN);
		return;
	}
	struct group g;
	int have_group = store_group_get_id(w->e->db, ms.group_id, &g) == 1;
	token_lang(w, ms.email, have_group ? &g : NULL);
	if (w->post)
		token_unsubscribe_post(w, have_group ? &g : NULL);
	else {
		struct buf html = BUF_INIT;
		html_printf(&html, "<p>%s</p>", L(I18N_TOK_UNSUB_ASK));
		token_about(w, &html, have_group ? &g : NULL, ms.email);
		html_printf(&html, "<form method=\"post\"><input type=\"hidden\" "
		    "name=\"List-Unsubscribe\" value=\"One-Click\"><button "
		    "type=\"submit\">%s</button></form>",
		    L(I18N_TOK_UNSUB_BUTTON));
		token_page(w, 200, I18N_TOK_UNSUB_TITLE, buf_cstr(&html));
		buf_free(&html);
	}
	if (have_group)
		store_group_clear(&g);
	store_membership_clear(&ms);
}

static enum i18n_msg
token_result_text(enum subscription_result r)
{
	switch (r) {
	case SUBSCRIPTION_SUBSCRIBED: return I18N_TOK_DONE_SUBSCRIBED;
	case SUBSCRIPTION_UNSUBSCRIBED: return I18N_TOK_DONE_UNSUBSCRIBED;
	case SUBSCRIPTION_DELIVERY: return I18N_TOK_DONE_DELIVERY;
	case SUBSCRIPTION_UNCHANGED: return I18N_TOK_DONE_UNCHANGED;
	case SUBSCRIPTION_INVALID: return I18N_TOK_DONE_INVALID;
	default: return I18N_TOK_RETRY;
	}
}

/* The reader's words for a delivery mode. */
static enum i18n_msg
token_mode_label(const char *mode)
{
	static const struct { const char *mode; enum i18n_msg msg; } labels[] = {
		{ "each", I18N_ACC_DELIVERY_EACH },
		{ "daily", I18N_ACC_DELIVERY_DAILY },
		{ "weekly", I18N_ACC_DELIVERY_WEEKLY },
		{ "none", I18N_ACC_DELIVERY_NONE },
	};
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (strcmp(mode, labels[i].mode) == 0)
			return labels[i].msg;
	return I18N_ACC_DELIVERY_EACH;
}

/* What confirming does, then the group, the address and the button. */
static void
token_confirm_form(struct web_req *w, const struct token_info *info,
    const struct group *g)
{
	struct buf html = BUF_INIT;
	const char *mode = deliverylink_kind_mode(info->kind);
	if (mode != NULL)
		html_printf(&html, "<p>%s <strong id=\"mode\" data-mode=\"%s\">"
		    "%s</strong></p>", L(I18N_TOK_CONFIRM_DELIVERY), mode,
		    L(token_mode_label(mode)));
	else
		html_printf(&html, "<p>%s</p>", L(strcmp(info->kind,
		    SUBSCRIPTION_KIND_SUBSCRIBE) == 0 ? I18N_TOK_CONFIRM_SUBSCRIBE :
		    strcmp(info->kind, SUBSCRIPTION_KIND_UNSUBSCRIBE) == 0 ?
		    I18N_TOK_CONFIRM_UNSUBSCRIBE : I18N_TOK_CONFIRM_OTHER));
	token_about(w, &html, g, info->email);
	html_printf(&html, "<form method=\"post\"><button type=\"submit\">%s"
	    "</button></form>", L(I18N_TOK_CONFIRM_BUTTON));
	token_page(w, 200, I18N_TOK_CONFIRM_TITLE, buf_cstr(&html));
	buf_free(&html);
}

void
token_confirm(struct web_req *w)
{
	struct db *db = w->e->db;
	struct token_info info;
	if (store_token_peek(db, w->params.token, &info) != 1) {
		token_message(w, 404, I18N_TOK_UNKNOWN_TITLE,
		    I18N_TOK_CONFIRM_UNKNOWN);
		return;
	}
	struct group g;
	int have_group = info.group_id != 0 && store_group_get_id(db,
	    info.group_id, &g) == 1;
	token_lang(w, info.email, have_group ? &g : NULL);
	if (!w->post)
		token_confirm_form(w, &info, have_group ? &g : NULL);
	else {
		enum subscription_result r = SUBSCRIPTION_ERROR;
		if (db_begin(db) == 0) {
			r = subscription_confirm(db, w->params.token, "web", &info);
			if (r == SUBSCRIPTION_ERROR || db_commit(db) == -1) {
				db_rollback(db);
				r = SUBSCRIPTION_ERROR;
			}
		}
		token_message(w, r == SUBSCRIPTION_ERROR ? 500 : 200,
		    I18N_TOK_CONFIRMATION_TITLE, token_result_text(r));
	}
	if (have_group)
		store_group_clear(&g);
}
