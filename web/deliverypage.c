/*
 * The delivery link page (see deliverypage.h).
 */
#include <config.h>

#include <string.h>

#include "daemon/db.h"
#include "daemon/deliverylink.h"
#include "daemon/engine.h"
#include "daemon/store_account.h"
#include "daemon/store_group.h"
#include "daemon/xalloc.h"
#include "web/form.h"
#include "web/html.h"
#include "web/httpd.h"
#include "web/deliverypage.h"
#include "web/i18n.h"
#include "web/layout.h"
#include "web/session.h"

#define DELIVERYPAGE_FORM_FIELD	"form"	/* the form token */
#define DELIVERYPAGE_MODE_FIELD	"delivery"

#define L(id)	i18n_msg(w->lang, (id))

/* What the page is about: the membership behind the link and its group. */
struct deliverypage {
	struct membership	 ms;
	struct group		 g;
};

/* The reader's words for a mode (one of deliverylink_modes). */
static const char *
deliverypage_mode_label(struct web_req *w, const char *mode)
{
	static const struct { const char *mode; enum i18n_msg msg; } labels[] = {
		{ "each", I18N_ACC_DELIVERY_EACH },
		{ "daily", I18N_ACC_DELIVERY_DAILY },
		{ "weekly", I18N_ACC_DELIVERY_WEEKLY },
		{ "none", I18N_ACC_DELIVERY_NONE },
	};
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (strcmp(mode, labels[i].mode) == 0)
			return L(labels[i].msg);
	return mode;
}

static void
deliverypage_reply(struct web_req *w, int code, const struct buf *html)
{
	struct buf page = BUF_INIT;
	layout_begin(&page, w, L(I18N_DL_TITLE), NULL);
	html_printf(&page, "<h1>%s</h1>\n%H", L(I18N_DL_TITLE), buf_cstr(html));
	layout_end(&page, w);
	httpd_header(w, "Cache-Control", "no-store");
	httpd_reply(w, code, "text/html; charset=utf-8", &page);
	buf_free(&page);
}

static void
deliverypage_message(struct web_req *w, int code, const char *cls,
    const char *text)
{
	struct buf html = BUF_INIT;
	html_printf(&html, "<p class=\"%s\" role=\"%s\">%s</p>\n", cls,
	    strcmp(cls, "error") == 0 ? "alert" : "status", text);
	deliverypage_reply(w, code, &html);
	buf_free(&html);
}

/* Load the membership the link names and check its MAC: 1, 0 (unknown or
 * forged: the same answer), -1 error. The language is picked here: the
 * web account's, else Accept-Language, else the group's (a member known
 * only by mail never chose one). */
static int
deliverypage_load(struct web_req *w, struct deliverypage *d)
{
	int64_t gid, mid;
	memset(d, 0, sizeof *d);
	if (!deliverylink_parse(w->params.token, &gid, &mid))
		return 0;
	int rc = store_membership_by_member(w->e->db, gid, mid, &d->ms);
	if (rc != 1)
		return rc;
	if (!deliverylink_verify(w->params.token, d->ms.unsub_token) ||
	    (rc = store_group_get_id(w->e->db, gid, &d->g)) != 1) {
		store_membership_clear(&d->ms);
		return rc == -1 ? -1 : 0;
	}
	struct account a;
	enum i18n_lang fallback = i18n_pick(httpd_request_header(w,
	    "Accept-Language"), i18n_lang_from_code(d->g.language, I18N_EN));
	rc = store_account_by_id(w->e->db, mid, &a);
	w->lang = rc == 1 && a.has_password ? i18n_lang_from_code(a.locale,
	    fallback) : fallback;
	return 1;
}

static void
deliverypage_clear(struct deliverypage *d)
{
	store_membership_clear(&d->ms);
	store_group_clear(&d->g);
}

/* Group, address and the current mode, then the form. */
static void
deliverypage_form(struct web_req *w, const struct deliverypage *d,
    struct buf *html)
{
	struct buf form = BUF_INIT;
	deliverylink_form_token(&form, w->e->secret, w->params.token, db_now());
	html_printf(html, "<dl>\n<dt>%s</dt><dd dir=\"auto\">%s</dd>\n"
	    "<dt>%s</dt><dd dir=\"ltr\">%s</dd>\n<dt>%s</dt>"
	    "<dd id=\"current\" data-mode=\"%s\">%s</dd>\n</dl>\n"
	    "<form method=\"post\">\n<input type=\"hidden\" name=\"%s\" "
	    "value=\"%s\">\n<fieldset><legend>%s</legend>\n",
	    L(I18N_DL_GROUP), d->g.name, L(I18N_DL_ADDRESS), d->ms.email,
	    L(I18N_DL_CURRENT), d->ms.delivery, deliverypage_mode_label(w,
	    d->ms.delivery), DELIVERYPAGE_FORM_FIELD, buf_cstr(&form),
	    L(I18N_DL_CHOOSE));
	for (int i = 0; deliverylink_modes[i] != NULL; i++) {
		const char *m = deliverylink_modes[i];
		html_printf(html, "<label><input type=\"radio\" name=\"%s\" "
		    "value=\"%s\"%H> %s</label><br>\n", DELIVERYPAGE_MODE_FIELD,
		    m, strcmp(m, d->ms.delivery) == 0 ? " checked" : "",
		    deliverypage_mode_label(w, m));
	}
	html_printf(html, "</fieldset>\n<button type=\"submit\">%s</button>\n"
	    "</form>\n<p><a href=\"/settings\">%s</a></p>\n", L(I18N_DL_SAVE),
	    L(I18N_DL_SETTINGS));
	buf_free(&form);
}

static void
deliverypage_post(struct web_req *w, struct deliverypage *d)
{
	const struct form *f = session_form(w);
	const char *token = form_get(f, DELIVERYPAGE_FORM_FIELD);
	const char *mode = form_get(f, DELIVERYPAGE_MODE_FIELD);
	if (token == NULL || !deliverylink_form_check(token, w->e->secret,
	    w->params.token, db_now())) {
		deliverypage_message(w, 403, "error", L(I18N_DL_EXPIRED));
		return;
	}
	if (mode == NULL || !deliverylink_mode_valid(mode)) {
		deliverypage_message(w, 400, "error", L(I18N_DL_BAD_MODE));
		return;
	}
	struct db *db = w->e->db;
	int rc = db_begin(db) == -1 ? -1 : deliverylink_apply(db, &d->ms, mode,
	    "delivery-link");
	if (rc == -1 || db_commit(db) == -1) {
		db_rollback(db);
		httpd_reply_error(w, 500);
		return;
	}
	struct buf html = BUF_INIT;
	html_printf(&html, "<p class=\"notice\" role=\"status\">%s <strong "
	    "id=\"mode\" data-mode=\"%s\">%s</strong></p>\n", rc == 1 ?
	    L(I18N_DL_CHANGED) : L(I18N_DL_UNCHANGED), mode,
	    deliverypage_mode_label(w, mode));
	xstrlcpy(d->ms.delivery, mode, sizeof d->ms.delivery);
	deliverypage_form(w, d, &html);
	deliverypage_reply(w, 200, &html);
	buf_free(&html);
}

void
deliverypage_show(struct web_req *w)
{
	struct deliverypage d;
	int rc = deliverypage_load(w, &d);
	if (rc != 1) {
		if (rc == 0)
			deliverypage_message(w, 404, "error", L(I18N_DL_UNKNOWN));
		else
			httpd_reply_error(w, 500);
		return;
	}
	if (w->post)
		deliverypage_post(w, &d);
	else {
		struct buf html = BUF_INIT;
		deliverypage_form(w, &d, &html);
		deliverypage_reply(w, 200, &html);
		buf_free(&html);
	}
	deliverypage_clear(&d);
}
