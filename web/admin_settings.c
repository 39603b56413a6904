/*
 * The site settings page of the administration (see admin_settings.h).
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "daemon/db.h"
#include "daemon/engine.h"
#include "daemon/site.h"
#include "daemon/xalloc.h"
#include "web/account.h"
#include "web/admin_settings.h"
#include "web/form.h"
#include "web/html.h"
#include "web/httpd.h"
#include "web/i18n.h"
#include "web/session.h"

#define L(m)	i18n_msg(w->lang, (m))

static const char *const admin_settings_langs[] = { "en", "fr", "ar" };

static void
admin_settings_page(struct web_req *w, int code, const struct site_settings *s,
    const char *notice, const char *error)
{
	struct buf html = BUF_INIT;
	if (notice)
		html_printf(&html, "<p class=\"notice\" role=\"status\">%s</p>\n",
		    notice);
	if (error)
		html_printf(&html, "<p class=\"error\" role=\"alert\">%s</p>\n",
		    error);
	html_printf(&html, "<p><a href=\"/admin\">%s</a></p>\n<form class="
	    "\"form\" method=\"post\" action=\"/admin/settings\">",
	    L(I18N_ADM_TITLE));
	session_csrf_input(w, &html);
	html_printf(&html, "<label for=\"name\">%s<input id=\"name\" name="
	    "\"name\" required maxlength=\"%d\" dir=\"auto\" value=\"%s\">"
	    "</label><label for=\"language\">%s<select id=\"language\" name="
	    "\"language\">", L(I18N_SITE_NAME), SITE_NAME_MAX, s->name,
	    L(I18N_SITE_LANGUAGE));
	for (size_t i = 0; i < sizeof admin_settings_langs /
	    sizeof *admin_settings_langs; i++)
		html_printf(&html, "<option%H>%s</option>", strcmp(s->language,
		    admin_settings_langs[i]) == 0 ? " selected" : "",
		    admin_settings_langs[i]);
	html_printf(&html, "</select></label><label><input type=\"checkbox\" "
	    "name=\"registration\" value=\"open\"%H> %s</label><label for="
	    "\"held_reminder\">%s<input id=\"held_reminder\" name="
	    "\"held_reminder\" required maxlength=\"20\" dir=\"ltr\" value="
	    "\"%D\"></label><p><button type=\"submit\">%s</button></p></form>\n",
	    s->registration ? " checked" : "", L(I18N_SITE_REGISTRATION),
	    L(I18N_SITE_REMINDER), (int64_t)s->held_reminder, L(I18N_MOD_SAVE));
	account_page(w, code, L(I18N_SITE_TITLE), buf_cstr(&html));
	buf_free(&html);
}

/* The settings of the form over cur: SITE_OK, or what is wrong. */
static enum site_check_result
admin_settings_form(struct web_req *w, struct site_settings *s)
{
	const struct form *f = session_form(w);
	const char *name = form_get(f, "name"), *lang = form_get(f, "language"),
	    *rem = form_get(f, "held_reminder");
	long secs;
	if (name == NULL || strlen(name) > SITE_NAME_MAX)
		return SITE_BAD_NAME;
	xstrlcpy(s->name, name, sizeof s->name);
	if (lang == NULL || strlen(lang) >= sizeof s->language)
		return SITE_BAD_LANGUAGE;
	xstrlcpy(s->language, lang, sizeof s->language);
	s->registration = form_get(f, "registration") != NULL;
	if (rem == NULL || config_parse_duration(rem, &secs) == -1)
		return SITE_BAD_REMINDER;
	s->held_reminder = secs;
	return site_check(s);
}

static const char *
admin_settings_error(struct web_req *w, enum site_check_result r)
{
	switch (r) {
	case SITE_BAD_NAME: return L(I18N_SITE_BAD_NAME);
	case SITE_BAD_LANGUAGE: return L(I18N_SITE_BAD_LANGUAGE);
	case SITE_BAD_REMINDER: return L(I18N_SITE_BAD_REMINDER);
	default: return NULL;
	}
}

void
admin_settings(struct web_req *w)
{
	if (w->viewer.member_id == 0) {
		account_redirect(w, "/login");
		return;
	}
	if (!w->viewer.is_admin) {
		httpd_reply_error(w, 404);
		return;
	}
	struct db *db = w->e->db;
	struct site_settings before, after;
	if (db_begin(db) == -1 || site_load(db, w->e->cfg, &before) == -1) {
		db_rollback(db);
		httpd_reply_error(w, 500);
		return;
	}
	if (!w->post) {
		db_rollback(db);
		admin_settings_page(w, 200, &before, NULL, NULL);
		return;
	}
	after = before;
	enum site_check_result bad = admin_settings_form(w, &after);
	int rc = bad != SITE_OK ? 0 : site_save(db, &before, &after,
	    w->viewer.email);
	if (rc == 1 && db_commit(db) == -1)
		rc = -1;
	if (rc != 1)
		db_rollback(db);
	if (rc == -1)
		httpd_reply_error(w, 500);
	else if (bad != SITE_OK)
		admin_settings_page(w, 400, &after, NULL, admin_settings_error(w,
		    bad));
	else {
		/* this page already in the new settings */
		w->site = after;
		admin_settings_page(w, rc == 1 ? 200 : 409, &after, rc == 1 ?
		    L(I18N_MOD_DONE) : L(I18N_MOD_ALREADY_SO), NULL);
	}
}
