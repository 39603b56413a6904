/*
 * Settings (see settings.h). GET draws the form; POST validates every
 * field first, saves all in one transaction, then redirects to
 * /settings?saved=1, which shows the confirmation.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "daemon/account.h"
#include "daemon/db.h"
#include "daemon/engine.h"
#include "daemon/hashq.h"
#include "daemon/log.h"
#include "daemon/password.h"
#include "daemon/store_account.h"
#include "daemon/store_group.h"
#include "web/account.h"
#include "web/form.h"
#include "web/html.h"
#include "web/httpd.h"
#include "web/i18n.h"
#include "web/session.h"
#include "web/settings.h"

#define L(m)	i18n_msg(w->lang, (m))

_Static_assert(2 * SETTINGS_GROUPS_MAX + 8 <= FORM_FIELDS_MAX,
    "the settings form fits in a form body");

static const char *const settings_langs[][2] = {
	{ "ar", "العربية" }, { "fr", "Français" }, { "en", "English" },
};
static const char *const settings_deliveries[] = {
	"each", "daily", "weekly", "none" };
static const enum i18n_msg settings_delivery_msgs[] = {
	I18N_ACC_DELIVERY_EACH, I18N_ACC_DELIVERY_DAILY,
	I18N_ACC_DELIVERY_WEEKLY, I18N_ACC_DELIVERY_NONE };

struct settings_group {
	int64_t	 id;
	char	 slug[GROUP_SLUG_MAX];
	char	*name;
	char	 delivery[16];
	int	 receive_own;
};

struct settings_ctx {
	struct settings_group	 g[SETTINGS_GROUPS_MAX];
	int			 n;
};

static int
settings_collect(void *arg, const struct account_group *ag)
{
	struct settings_ctx *c = arg;
	if (c->n >= SETTINGS_GROUPS_MAX)
		return -1;
	struct settings_group *g = &c->g[c->n++];
	g->id = ag->group_id;
	snprintf(g->slug, sizeof g->slug, "%s", ag->slug);
	g->name = strdup(ag->name);
	snprintf(g->delivery, sizeof g->delivery, "%s", ag->delivery);
	g->receive_own = ag->receive_own;
	return 0;
}

static void
settings_free(struct settings_ctx *c)
{
	for (int i = 0; i < c->n; i++)
		free(c->g[i].name);
	c->n = 0;
}

static int
settings_delivery_valid(const char *v)
{
	for (size_t i = 0; i < sizeof settings_deliveries /
	    sizeof settings_deliveries[0]; i++)
		if (strcmp(v, settings_deliveries[i]) == 0)
			return 1;
	return 0;
}

static void
settings_form(struct web_req *w, int code, const char *notice,
    const char *error, const char *name, const char *lang, const char *tz,
    const struct settings_ctx *c)
{
	struct buf html = BUF_INIT;
	if (notice)
		html_printf(&html, "<p class=\"notice\" role=\"status\">%s</p>\n",
		    notice);
	if (error)
		html_printf(&html, "<p class=\"error\" role=\"alert\">%s</p>\n",
		    error);
	html_printf(&html, "<form class=\"form\" method=\"post\" "
	    "action=\"/settings\">");
	session_csrf_input(w, &html);
	html_printf(&html, "<fieldset><legend>%s</legend>\n<p>%s%s<strong>%s"
	    "</strong></p>\n<label for=\"name\">%s<input id=\"name\" name=\"name\""
	    " value=\"%s\" maxlength=\"%d\" required dir=\"auto\" "
	    "autocomplete=\"name\"></label>\n<label for=\"lang\">%s<select "
	    "id=\"lang\" name=\"lang\">", L(I18N_ACC_PROFILE),
	    L(I18N_ACC_EMAIL), i18n_colon(w->lang), w->viewer.email,
	    L(I18N_ACC_NAME), name, ACCOUNT_NAME_MAX, L(I18N_ACC_LANGUAGE));
	for (size_t i = 0; i < sizeof settings_langs / sizeof settings_langs[0];
	    i++)
		html_printf(&html, "<option value=\"%s\" lang=\"%s\"%H>%s</option>",
		    settings_langs[i][0], settings_langs[i][0],
		    strcmp(lang, settings_langs[i][0]) == 0 ? " selected" : "",
		    settings_langs[i][1]);
	html_printf(&html, "</select></label>\n<label for=\"tz\">%s <span "
	    "class=\"hint\">%s</span><input id=\"tz\" name=\"tz\" value=\"%s\" "
	    "maxlength=\"%d\" required dir=\"ltr\"></label></fieldset>\n",
	    L(I18N_ACC_TIMEZONE), L(I18N_ACC_TZ_HINT), tz, I18N_ZONE_MAX);
	html_printf(&html, "<h2>%s</h2>\n", L(I18N_ACC_YOUR_GROUPS));
	if (c->n == 0)
		html_printf(&html, "<p>%s</p>\n", L(I18N_ACC_NO_GROUPS));
	for (int i = 0; i < c->n; i++) {
		const struct settings_group *g = &c->g[i];
		char id[32];
		snprintf(id, sizeof id, "%lld", (long long)g->id);
		html_printf(&html, "<fieldset><legend><a href=\"/g/%u\" dir=\"auto\">"
		    "%s</a></legend>\n<label for=\"delivery-%s\">%s<select "
		    "id=\"delivery-%s\" name=\"delivery-%s\">", g->slug, g->name,
		    id, L(I18N_ACC_DELIVERY), id, id);
		for (size_t k = 0; k < sizeof settings_deliveries /
		    sizeof settings_deliveries[0]; k++)
			html_printf(&html, "<option value=\"%s\"%H>%s</option>",
			    settings_deliveries[k], strcmp(g->delivery,
			    settings_deliveries[k]) == 0 ? " selected" : "",
			    L(settings_delivery_msgs[k]));
		html_printf(&html, "</select></label>\n<label class=\"check\" "
		    "for=\"own-%s\"><input type=\"checkbox\" id=\"own-%s\" "
		    "name=\"own-%s\" value=\"1\"%H>%s</label></fieldset>\n", id, id,
		    id, g->receive_own ? " checked" : "", L(I18N_ACC_RECEIVE_OWN));
	}
	html_printf(&html, "<p><button type=\"submit\">%s</button></p></form>\n",
	    L(I18N_ACC_SAVE));
	html_printf(&html, "<h2>%s</h2>\n<form class=\"form\" method=\"post\" "
	    "action=\"/settings/password\">", L(I18N_ACC_CHANGE_PASSWORD));
	session_csrf_input(w, &html);
	html_printf(&html, "<label for=\"current\">%s<input id=\"current\" "
	    "name=\"current\" type=\"password\" autocomplete=\"current-password\""
	    " maxlength=\"%d\" required></label>\n<label for=\"password\">%s "
	    "<span class=\"hint\">%s</span><input id=\"password\" "
	    "name=\"password\" type=\"password\" autocomplete=\"new-password\" "
	    "maxlength=\"%d\" required></label>\n<p><button type=\"submit\">%s"
	    "</button></p></form>\n", L(I18N_ACC_CURRENT_PASSWORD), PASSWORD_MAX,
	    L(I18N_ACC_NEW_PASSWORD), L(I18N_ACC_PASSWORD_HINT), PASSWORD_MAX,
	    L(I18N_ACC_CHANGE_PASSWORD));
	html_printf(&html, "<h2>%s</h2>\n<form method=\"post\" "
	    "action=\"/logout/all\">", L(I18N_ACC_SESSIONS));
	session_csrf_input(w, &html);
	html_printf(&html, "<button type=\"submit\">%s</button></form>\n",
	    L(I18N_ACC_SIGN_OUT_ALL));
	account_page(w, code, L(I18N_ACC_SETTINGS), buf_cstr(&html));
	buf_free(&html);
}

/* Save a valid POST; 0, or -1 on a database error. */
static int
settings_save(struct web_req *w, const char *name, const char *lang,
    const char *tz, const struct settings_ctx *c)
{
	struct db *db = w->e->db;
	const struct form *f = session_form(w);
	struct buf err = BUF_INIT;
	if (db_begin(db) == -1)
		return -1;
	int rc = store_account_set_profile(db, w->viewer.member_id, name, lang,
	    tz);
	for (int i = 0; i < c->n && rc != -1; i++) {
		char field[40];
		snprintf(field, sizeof field, "delivery-%lld",
		    (long long)c->g[i].id);
		const char *d = form_get(f, field);
		snprintf(field, sizeof field, "own-%lld", (long long)c->g[i].id);
		const char *own = form_get(f, field) ? "1" : "0";
		if (d != NULL && store_membership_set(db, c->g[i].id,
		    w->viewer.member_id, "delivery", d, &err) == -1)
			rc = -1;
		else if (store_membership_set(db, c->g[i].id, w->viewer.member_id,
		    "receive_own", own, &err) == -1)
			rc = -1;
	}
	if (rc == -1 || db_commit(db) == -1) {
		db_rollback(db);
		log_warnx("http: settings of member %lld not saved: %s",
		    (long long)w->viewer.member_id, buf_cstr(&err));
		rc = -1;
	}
	buf_free(&err);
	return rc;
}

/* Draw the form with the member's saved values. */
static void
settings_show(struct web_req *w, int code, const char *notice,
    const char *error)
{
	struct settings_ctx *c = calloc(1, sizeof *c);
	if (c == NULL || store_account_groups(w->e->db, w->viewer.member_id,
	    settings_collect, c) == -1)
		httpd_reply_error(w, 500);
	else
		settings_form(w, code, notice, error, w->viewer.name,
		    w->viewer.lang, w->viewer.tz[0] ? w->viewer.tz : "UTC", c);
	if (c != NULL)
		settings_free(c);
	free(c);
}

/* The password change, once the hashing thread checked the current
 * password (and hashed the new one: hash not empty) against was. It is
 * applied only if, inside its transaction, this session still exists and
 * the stored hash is still was: a reset, a sign-out everywhere or another
 * change that committed while the job waited wins, and this one, checked
 * against a password no longer current, changes nothing. */
static void
settings_password_hashed(struct web_req *w, int result, const char *hash,
    int64_t member, const char *was)
{
	struct db *db = w->e->db;
	if (result == HASHQ_NO_MATCH) {
		(void)account_limit_hit(w, ACCOUNT_LIM_LOGIN_FAIL,
		    w->viewer.email);
		settings_show(w, 400, NULL, L(I18N_ACC_WRONG_PASSWORD));
		return;
	}
	if (result == HASHQ_OK && hash[0] == '\0') {	/* a check only */
		settings_show(w, 400, NULL, L(I18N_ACC_BAD_PASSWORD));
		return;
	}
	if (result != HASHQ_OK || db_begin(db) == -1) {
		httpd_reply_error(w, 500);
		return;
	}
	int alive = store_session_exists(db, w->session_id), same = 0;
	if (alive == 1)
		same = store_account_hash_is(db, member, was);
	if (alive != 1 || same != 1) {
		db_rollback(db);
		if (alive == -1 || same == -1) {
			httpd_reply_error(w, 500);
			return;
		}
		log_info("http: password change of member %lld refused: %s "
		    "while it was checked", (long long)member, alive == 0 ?
		    "the session ended" : "the password changed");
		if (alive == 0) {	/* signed out meanwhile */
			w->session_id = 0;
			(void)session_end(w);
			account_redirect(w, "/login");
		} else
			settings_show(w, 409, NULL, L(I18N_ACC_PASSWORD_STALE));
		return;
	}
	/* every other session ends; this one starts afresh */
	w->session_id = 0;
	if (store_account_set_password(db, member, hash) == -1 ||
	    store_session_delete_member(db, member) == -1 ||
	    session_start(w, member) == -1 || db_commit(db) == -1) {
		db_rollback(db);
		httpd_reply_error(w, 500);
		return;
	}
	log_info("http: member %lld changed their password", (long long)member);
	settings_show(w, 200, L(I18N_ACC_PASSWORD_CHANGED), NULL);
}

void
settings_password(struct web_req *w)
{
	if (w->viewer.member_id == 0) {
		account_redirect(w, "/login");
		return;
	}
	const struct form *f = session_form(w);
	const char *cur = form_get(f, "current"), *pw = form_get(f, "password");
	struct db *db = w->e->db;
	struct account a;
	int rc = account_limit_ok(w, ACCOUNT_LIM_LOGIN_FAIL, w->viewer.email);
	if (rc != 1) {
		httpd_reply_error(w, rc == 0 ? 429 : 500);
		return;
	}
	if (store_account_by_id(db, w->viewer.member_id, &a) != 1) {
		httpd_reply_error(w, 500);
		return;
	}
	if (cur == NULL) {
		(void)account_limit_hit(w, ACCOUNT_LIM_LOGIN_FAIL, a.email);
		settings_show(w, 400, NULL, L(I18N_ACC_WRONG_PASSWORD));
		return;
	}
	/* off the loop: check the current password, then hash the new one;
	 * a new password out of bounds is only told after the check, as
	 * before */
	if (pw == NULL || !password_acceptable(pw))
		account_hash_job(w, ACCOUNT_JOB_VERIFY, a.password_hash, cur,
		    NULL, a.id, settings_password_hashed);
	else
		account_hash_job(w, ACCOUNT_JOB_CHANGE, a.password_hash, cur,
		    pw, a.id, settings_password_hashed);
}

void
settings_page(struct web_req *w)
{
	if (w->viewer.member_id == 0) {
		account_redirect(w, "/login");
		return;
	}
	struct settings_ctx *c = calloc(1, sizeof *c);
	if (c == NULL || store_account_groups(w->e->db, w->viewer.member_id,
	    settings_collect, c) == -1) {
		if (c)
			settings_free(c);
		free(c);
		httpd_reply_error(w, 500);
		return;
	}
	if (!w->post) {
		const char *q = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(
		    w->req));
		int saved = q != NULL && strcmp(q, "saved=1") == 0;
		settings_form(w, 200, saved ? L(I18N_ACC_SAVED) : NULL, NULL,
		    w->viewer.name, w->viewer.lang, w->viewer.tz[0] ?
		    w->viewer.tz : "UTC", c);
		settings_free(c);
		free(c);
		return;
	}
	const struct form *f = session_form(w);
	const char *name = form_get(f, "name"), *lang = form_get(f, "lang");
	const char *tz = form_get(f, "tz");
	const char *error = NULL;
	if (name == NULL || !account_name_valid(name))
		error = L(I18N_ACC_BAD_NAME);
	else if (lang == NULL || (strcmp(lang, "ar") != 0 && strcmp(lang, "fr") !=
	    0 && strcmp(lang, "en") != 0))
		error = L(I18N_ACC_BAD_CHOICE);
	else if (tz == NULL || !i18n_zone_valid(tz))
		error = L(I18N_ACC_BAD_TZ);
	for (int i = 0; i < c->n && error == NULL; i++) {
		char field[40];
		snprintf(field, sizeof field, "delivery-%lld",
		    (long long)c->g[i].id);
		const char *d = form_get(f, field);
		if (d != NULL && !settings_delivery_valid(d))
			error = L(I18N_ACC_BAD_CHOICE);
	}
	if (error != NULL)
		settings_form(w, 400, NULL, error, name && strlen(name) <=
		    ACCOUNT_NAME_MAX ? name : w->viewer.name, w->viewer.lang,
		    tz && strlen(tz) <= I18N_ZONE_MAX ? tz : w->viewer.tz, c);
	else if (settings_save(w, name, lang, tz, c) == -1)
		httpd_reply_error(w, 500);
	else {
		log_info("http: member %lld saved their settings",
		    (long long)w->viewer.member_id);
		account_redirect(w, "/settings?saved=1");
	}
	settings_free(c);
	free(c);
}
