/*
 * Unsubscribe and confirmation pages (see token.h). Their text is English
 * until the catalogs carry it, so the page says lang="en".
 */
#include <config.h>

#include "daemon/db.h"
#include "daemon/deliverylink.h"
#include "daemon/engine.h"
#include "daemon/log.h"
#include "daemon/store_group.h"
#include "daemon/store_token.h"
#include "daemon/subscription.h"
#include "web/html.h"
#include "web/httpd.h"
#include "web/layout.h"
#include "web/token.h"

static void
token_page(struct web_req *w, int code, const char *title, const char *html)
{
	struct buf page = BUF_INIT;
	w->lang = I18N_EN;
	layout_begin(&page, w, title, NULL);
	html_printf(&page, "<h1>%s</h1>\n%H\n", title, html);
	layout_end(&page, w);
	httpd_header(w, "Cache-Control", "no-store");
	httpd_reply(w, code, "text/html; charset=utf-8", &page);
	buf_free(&page);
}

static void
token_unsubscribe_post(struct web_req *w, const char *group_name)
{
	struct db *db = w->e->db;
	struct buf html = BUF_INIT, email = BUF_INIT;
	int64_t gid = 0;
	int ok = db_begin(db) == 0 && subscription_unsubscribe_token(db,
	    w->params.token, &gid, &email) != -1 && db_commit(db) == 0;
	if (!ok) {
		db_rollback(db);
		token_page(w, 500, "Error", "<p>Please try again.</p>");
	} else {
		html_printf(&html, "<p>You will receive no more mail from "
		    "<strong dir=\"auto\">%s</strong>.</p>", group_name);
		token_page(w, 200, "Unsubscribed", buf_cstr(&html));
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
		token_page(w, 404, "Unknown link", "<p>This unsubscribe link is "
		    "unknown or already used: you are not subscribed with it.</p>");
		return;
	}
	struct group g;
	int have_group = store_group_get_id(w->e->db, ms.group_id, &g) == 1;
	const char *name = have_group ? g.name : "this group";
	if (w->post)
		token_unsubscribe_post(w, name);
	else {
		struct buf html = BUF_INIT;
		html_printf(&html, "<p>Stop receiving mail from <strong dir=\"auto\">"
		    "%s</strong> at <strong>%s</strong>?</p><form method=\"post\">"
		    "<input type=\"hidden\" name=\"List-Unsubscribe\" value=\""
		    "One-Click\"><button type=\"submit\">Unsubscribe</button>"
		    "</form>", name, ms.email);
		token_page(w, 200, "Unsubscribe", buf_cstr(&html));
		buf_free(&html);
	}
	if (have_group)
		store_group_clear(&g);
	store_membership_clear(&ms);
}

static const char *
token_result_text(enum subscription_result r)
{
	switch (r) {
	case SUBSCRIPTION_SUBSCRIBED: return "You are now a member.";
	case SUBSCRIPTION_UNSUBSCRIBED: return "You have left the group.";
	case SUBSCRIPTION_DELIVERY: return "Your delivery mode was changed.";
	case SUBSCRIPTION_UNCHANGED: return "Nothing needed to change.";
	case SUBSCRIPTION_INVALID: return "This link is no longer valid.";
	default: return "Something went wrong; please try again.";
	}
}

void
token_confirm(struct web_req *w)
{
	struct db *db = w->e->db;
	struct token_info info;
	if (store_token_peek(db, w->params.token, &info) != 1) {
		token_page(w, 404, "Unknown link", "<p>This confirmation link is "
		    "unknown, expired or already used. Nothing was changed.</p>");
		return;
	}
	struct buf html = BUF_INIT;
	if (!w->post) {
		const char *mode = deliverylink_kind_mode(info.kind);
		if (mode != NULL)
			html_printf(&html, "<p>Confirm: set the delivery of "
			    "<strong>%s</strong> to <strong>%s</strong>.</p>",
			    info.email, mode);
		else
			html_printf(&html, "<p>Confirm: %s <strong>%s</strong>."
			    "</p>", info.kind, info.email);
		html_printf(&html, "<form method=\"post\"><button type=\""
		    "submit\">Confirm</button></form>");
		token_page(w, 200, "Confirm", buf_cstr(&html));
		buf_free(&html);
		return;
	}
	enum subscription_result r = SUBSCRIPTION_ERROR;
	if (db_begin(db) == 0) {
		r = subscription_confirm(db, w->params.token, "web", &info);
		if (r == SUBSCRIPTION_ERROR || db_commit(db) == -1) {
			db_rollback(db);
			r = SUBSCRIPTION_ERROR;
		}
	}
	html_printf(&html, "<p>%s</p>", token_result_text(r));
	token_page(w, r == SUBSCRIPTION_ERROR ? 500 : 200, "Confirmation",
	    buf_cstr(&html));
	buf_free(&html);
}
