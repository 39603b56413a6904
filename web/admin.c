/*
 * Site administration: groups (create, archive, reopen, delete) and their
 * owners and moderators (see admin.h).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/account.h"
#include "daemon/db.h"
#include "daemon/engine.h"
#include "daemon/json.h"
#include "daemon/log.h"
#include "daemon/store_group.h"
#include "daemon/store_mod.h"
#include "daemon/store_policy.h"
#include "daemon/xalloc.h"
#include "web/account.h"
#include "web/admin.h"
#include "web/form.h"
#include "web/html.h"
#include "web/httpd.h"
#include "web/i18n.h"
#include "web/session.h"

#define L(m)	i18n_msg(w->lang, (m))

static const char *const admin_roles[] = { "member", "moderator", "owner" };
static const char *const admin_langs[] = { "en", "fr", "ar" };
static const char *const admin_visibilities[] = { "public", "members",
	"private" };
#define ADMIN_N(a)	(sizeof (a) / sizeof (a)[0])

static int
admin_in(const char *v, const char *const *set, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		if (strcmp(v, set[i]) == 0)
			return 1;
	return 0;
}

/* Site administrators only: 1 when the handler goes on; else answered
 * (sign in, or 404 as for a page that does not exist). */
static int
admin_allowed(struct web_req *w)
{
	if (w->viewer.member_id == 0) {
		account_redirect(w, "/login");
		return 0;
	}
	if (!w->viewer.is_admin) {
		httpd_reply_error(w, 404);
		return 0;
	}
	return 1;
}

static void
admin_select_cur(struct buf *out, const char *id, const char *const *set,
    size_t n, const char *cur)
{
	html_printf(out, "<select id=\"%s\" name=\"%s\">", id, id);
	for (size_t i = 0; i < n; i++)
		html_printf(out, "<option%H>%s</option>", cur && strcmp(cur,
		    set[i]) == 0 ? " selected" : "", set[i]);
	buf_puts(out, "</select>");
}

static void
admin_select(struct buf *out, const char *id, const char *const *set,
    size_t n)
{
	admin_select_cur(out, id, set, n, NULL);
}

static int
admin_group_item(void *arg, const struct group *g)
{
	struct buf *out = arg;
	html_printf(out, "<li><a href=\"/admin/g/%u\" dir=\"auto\">%s</a> (%s)%s"
	    "</li>\n", g->slug, g->name, g->slug, g->archived ? " *" : "");
	return 0;
}

static void
admin_index_page(struct web_req *w, int code, const char *notice)
{
	struct buf html = BUF_INIT;
	if (notice)
		html_printf(&html, "<p class=\"notice\" role=\"status\">%s</p>\n",
		    notice);
	buf_puts(&html, "<ul class=\"list\">\n");
	if (store_group_each(w->e->db, admin_group_item, &html) == -1) {
		buf_free(&html);
		httpd_reply_error(w, 500);
		return;
	}
	html_printf(&html, "</ul>\n<h2>%s</h2>\n<form class=\"form\" method="
	    "\"post\" action=\"/admin\">", L(I18N_ADM_CREATE));
	session_csrf_input(w, &html);
	html_printf(&html, "<label for=\"slug\">%s<input id=\"slug\" name=\"slug\""
	    " maxlength=\"%d\" required pattern=\"[a-z0-9][a-z0-9-]*\"></label>"
	    "<label for=\"name\">%s<input id=\"name\" name=\"name\" maxlength="
	    "\"%d\" required dir=\"auto\"></label><label for=\"language\">%s",
	    L(I18N_ADM_SLUG), GROUP_SLUG_MAX - 1, L(I18N_MOD_NAME),
	    GROUP_NAME_MAX, L(I18N_ADM_LANGUAGE));
	admin_select(&html, "language", admin_langs, ADMIN_N(admin_langs));
	html_printf(&html, "</label><label for=\"visibility\">%s",
	    L(I18N_ADM_VISIBILITY));
	admin_select(&html, "visibility", admin_visibilities,
	    ADMIN_N(admin_visibilities));
	html_printf(&html, "</label><p><button>%s</button></p></form>\n",
	    L(I18N_ADM_CREATE));
	account_page(w, code, L(I18N_ADM_TITLE), buf_cstr(&html));
	buf_free(&html);
}

/* 1 when name is 1 to GROUP_NAME_MAX bytes of text without controls. */
static int
admin_name_ok(const char *name)
{
	size_t len = name ? strlen(name) : 0;
	if (len == 0 || len > GROUP_NAME_MAX || !html_utf8_valid(name, len))
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return 0;
	return 1;
}

/* 1 when d is at most STORE_POLICY_DESCRIPTION_MAX bytes of text whose
 * only controls are line ends and tabs. */
static int
admin_description_ok(const char *d)
{
	size_t len = d ? strlen(d) : 0;
	if (d == NULL || len > STORE_POLICY_DESCRIPTION_MAX ||
	    !html_utf8_valid(d, len))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)d[i] < 0x20 && d[i] != '\n' && d[i] != '\r' &&
		    d[i] != '\t') || d[i] == 0x7f)
			return 0;
	return 1;
}

/* Create the group of the form with its audit row: its id, 0 when the
 * slug is taken, -1. */
static int64_t
admin_create(struct web_req *w, const char *slug, const char *name,
    const char *lang, const char *vis)
{
	struct db *db = w->e->db;
	struct buf err = BUF_INIT;
	if (db_begin(db) == -1)
		return -1;
	int64_t id = db_int(db, "SELECT 0 FROM groups WHERE slug = ?", -2, "t",
	    slug) == 0 ? 0 : store_group_add(db, slug, name, "", vis, lang,
	    &err);
	if (id > 0 && store_mod_audit(db, w->viewer.email, "group.add", id,
	    slug, name, NULL, NULL) == -1)
		id = -1;
	if (id > 0 && db_commit(db) == 0) {
		buf_free(&err);
		return id;
	}
	if (id == -1)
		log_warnx("admin: cannot create group %s: %s", slug, buf_cstr(&err));
	db_rollback(db);
	buf_free(&err);
	return id == 0 ? 0 : -1;
}

void
admin_index(struct web_req *w)
{
	if (!admin_allowed(w))
		return;
	if (!w->post) {
		admin_index_page(w, 200, NULL);
		return;
	}
	const struct form *f = session_form(w);
	const char *slug = form_get(f, "slug"), *name = form_get(f, "name"),
	    *lang = form_get(f, "language"), *vis = form_get(f, "visibility");
	if (slug == NULL || !store_group_slug_valid(slug) ||
	    !admin_name_ok(name) || !admin_in(lang, admin_langs,
	    ADMIN_N(admin_langs)) || !admin_in(vis, admin_visibilities,
	    ADMIN_N(admin_visibilities))) {
		admin_index_page(w, 400, L(I18N_ADM_BAD_GROUP));
		return;
	}
	int64_t id = admin_create(w, slug, name, lang, vis);
	if (id == 0)
		admin_index_page(w, 409, L(I18N_ADM_EXISTS));
	else if (id == -1)
		httpd_reply_error(w, 500);
	else {
		struct buf path = BUF_INIT;
		html_printf(&path, "/admin/g/%u", slug);
		account_redirect(w, buf_cstr(&path));
		buf_free(&path);
	}
}

/* The form that edits the name, description and visibility of g. */
static void
admin_edit_form(struct web_req *w, const struct group *g, struct buf *html)
{
	html_printf(html, "<h2>%s</h2>\n<form class=\"form\" method=\"post\""
	    " action=\"/admin/g/%u\">", L(I18N_ADM_EDIT), g->slug);
	session_csrf_input(w, html);
	html_printf(html, "<label for=\"name\">%s<input id=\"name\" name="
	    "\"name\" maxlength=\"%d\" required dir=\"auto\" value=\"%s\">"
	    "</label><label for=\"description\">%s<textarea id=\"description\""
	    " name=\"description\" rows=\"4\" maxlength=\"%d\" dir=\"auto\">"
	    "%s</textarea></label><label for=\"visibility\">%s",
	    L(I18N_MOD_NAME), GROUP_NAME_MAX, g->name, L(I18N_ADM_DESCRIPTION),
	    STORE_POLICY_DESCRIPTION_MAX, g->description,
	    L(I18N_ADM_VISIBILITY));
	admin_select_cur(html, "visibility", admin_visibilities,
	    ADMIN_N(admin_visibilities), g->visibility);
	html_printf(html, "</label><p><button name=\"action\" value=\"edit\">"
	    "%s</button></p></form>\n", L(I18N_MOD_SAVE));
}

static void
admin_group_page(struct web_req *w, const struct group *g, int code,
    const char *notice)
{
	struct buf html = BUF_INIT;
	if (notice)
		html_printf(&html, "<p class=\"notice\" role=\"status\">%s</p>\n",
		    notice);
	html_printf(&html, "<h2 dir=\"auto\"><a href=\"/g/%u\">%s</a> (%s)%s%s"
	    "</h2>\n<p><a href=\"/mod/g/%u/members\">%s</a></p>\n", g->slug,
	    g->name, g->slug, g->archived ? " — " : "", g->archived ?
	    L(I18N_ADM_ARCHIVED) : "", g->slug, L(I18N_MOD_MEMBERS));
	admin_edit_form(w, g, &html);
	html_printf(&html, "<form class=\"form\" method=\"post\" action="
	    "\"/admin/g/%u\">", g->slug);
	session_csrf_input(w, &html);
	html_printf(&html, "<p><button name=\"action\" value=\"%s\">%s</button>"
	    "</p></form>\n<h2>%s</h2>\n<form class=\"form\" method=\"post\""
	    " action=\"/admin/g/%u\">", g->archived ? "unarchive" : "archive",
	    g->archived ? L(I18N_ADM_UNARCHIVE) : L(I18N_ADM_ARCHIVE),
	    L(I18N_ADM_ROLE), g->slug);
	session_csrf_input(w, &html);
	html_printf(&html, "<label for=\"email\">%s<input id=\"email\" name="
	    "\"email\" type=\"email\" required maxlength=\"%d\"></label><label"
	    " for=\"role\">%s", L(I18N_MOD_EMAIL), ACCOUNT_EMAIL_MAX,
	    L(I18N_MOD_ROLE));
	admin_select(&html, "role", admin_roles, ADMIN_N(admin_roles));
	html_printf(&html, "</label><p><button name=\"action\" value=\"role\">%s"
	    "</button></p></form>\n<h2>%s</h2>\n<form class=\"form\" method="
	    "\"post\" action=\"/admin/g/%u\">", L(I18N_ADM_ROLE),
	    L(I18N_ADM_DELETE), g->slug);
	session_csrf_input(w, &html);
	html_printf(&html, "<label for=\"confirm\">%s<input id=\"confirm\" name="
	    "\"confirm\" required autocomplete=\"off\"></label><p><button name="
	    "\"action\" value=\"delete\">%s</button></p></form>\n",
	    L(I18N_ADM_DELETE_CONFIRM), L(I18N_ADM_DELETE));
	account_page(w, code, L(I18N_ADM_TITLE), buf_cstr(&html));
	buf_free(&html);
}

/* Commit an action whose store call returned rc, with its audit row:
 * rc, or -1 when the audit or the commit failed. */
static int
admin_finish(struct web_req *w, int rc, const char *action, int64_t group_id,
    const char *target, const char *before, const char *after)
{
	struct db *db = w->e->db;
	if (rc == 1 && store_mod_audit(db, w->viewer.email, action, group_id,
	    target, NULL, before, after) == -1)
		rc = -1;
	if (rc == 1 && db_commit(db) == 0)
		return 1;
	db_rollback(db);
	return rc == 1 ? -1 : rc;
}

static int
admin_archive(struct web_req *w, const struct group *g, int on)
{
	if (db_begin(w->e->db) == -1)
		return -1;
	int rc = store_group_set_archived(w->e->db, g->id, on);
	return admin_finish(w, rc, on ? "group.archive" : "group.unarchive",
	    g->id, g->slug, on ? "{\"archived\":false}" : "{\"archived\":true}",
	    on ? "{\"archived\":true}" : "{\"archived\":false}");
}

static int
admin_delete(struct web_req *w, const struct group *g)
{
	if (db_begin(w->e->db) == -1)
		return -1;
	int rc = store_group_delete(w->e->db, g->id);
	return admin_finish(w, rc, "group.delete", 0, g->slug, NULL, NULL);
}

static void
admin_group_json(struct buf *out, const char *name, const char *description,
    const char *visibility)
{
	struct json j;
	json_init(&j, out);
	json_begin_object(&j);
	json_kv_string(&j, "name", name);
	json_kv_string(&j, "description", description);
	json_kv_string(&j, "visibility", visibility);
	json_end_object(&j);
}

/* Set the name, description and visibility of g from the form (checked
 * by the caller): 1 changed (g updated), 0 already so, -1. */
static int
admin_edit(struct web_req *w, struct group *g, const char *name,
    const char *description, const char *visibility)
{
	struct buf before = BUF_INIT, after = BUF_INIT;
	if (db_begin(w->e->db) == -1)
		return -1;
	int rc = store_group_edit(w->e->db, g->id, name, description,
	    visibility);
	admin_group_json(&before, g->name, g->description, g->visibility);
	admin_group_json(&after, name, description, visibility);
	rc = admin_finish(w, rc, "group.edit", g->id, g->slug,
	    buf_cstr(&before), buf_cstr(&after));
	buf_free(&before);
	buf_free(&after);
	if (rc == 1) {
		free(g->name);
		g->name = xstrdup(name);
		free(g->description);
		g->description = xstrdup(description);
		snprintf(g->visibility, sizeof g->visibility, "%s", visibility);
	}
	return rc;
}

/* Give email the role in g (adding the membership when needed): 1, 0
 * it had it, -1. */
static int
admin_role(struct web_req *w, const struct group *g, const char *email,
    const char *role)
{
	struct db *db = w->e->db;
	struct buf err = BUF_INIT, before = BUF_INIT, after = BUF_INIT;
	struct membership ms;
	memset(&ms, 0, sizeof ms);
	if (db_begin(db) == -1)
		return -1;
	int64_t mid = store_member_ensure(db, email, "");
	int rc = mid == -1 ? -1 : store_membership_get(db, g->id, email, &ms);
	if (rc == 0) {
		buf_puts(&before, "{\"role\":null}");
		rc = store_membership_add(db, g->id, mid, role, "each", &err);
	} else if (rc == 1) {
		buf_printf(&before, "{\"role\":\"%s\"}", ms.role);
		rc = strcmp(ms.role, role) == 0 ? 0 : store_membership_set(db,
		    g->id, mid, "role", role, &err);
	}
	buf_printf(&after, "{\"role\":\"%s\"}", role);
	rc = admin_finish(w, rc, "group.role", g->id, email, buf_cstr(&before),
	    buf_cstr(&after));
	store_membership_clear(&ms);
	buf_free(&err);
	buf_free(&before);
	buf_free(&after);
	return rc;
}

void
admin_group(struct web_req *w)
{
	if (!admin_allowed(w))
		return;
	struct group g;
	memset(&g, 0, sizeof g);
	int rc = store_group_get(w->e->db, w->params.slug, &g);
	if (rc != 1) {
		httpd_reply_error(w, rc == 0 ? 404 : 500);
		return;
	}
	const struct form *f = w->post ? session_form(w) : NULL;
	const char *act = f ? form_get(f, "action") : NULL;
	const char *email = f ? form_get(f, "email") : NULL;
	const char *role = f ? form_get(f, "role") : NULL;
	const char *confirm = f ? form_get(f, "confirm") : NULL;
	if (!w->post)
		rc = 2;
	else if (act && (strcmp(act, "archive") == 0 ||
	    strcmp(act, "unarchive") == 0))
		rc = admin_archive(w, &g, strcmp(act, "archive") == 0);
	else if (act && strcmp(act, "delete") == 0) {
		if (confirm == NULL || strcmp(confirm, g.slug) != 0)
			rc = 3;
		else if ((rc = admin_delete(w, &g)) == 1) {
			admin_index_page(w, 200, L(I18N_ADM_DELETED));
			store_group_clear(&g);
			return;
		}
	} else if (act && strcmp(act, "edit") == 0) {
		const char *name = form_get(f, "name"), *desc = form_get(f,
		    "description"), *vis = form_get(f, "visibility");
		if (!admin_name_ok(name) || !admin_description_ok(desc) ||
		    !admin_in(vis, admin_visibilities, ADMIN_N(admin_visibilities)))
			rc = 6;
		else
			rc = admin_edit(w, &g, name, desc, vis);
	} else if (act && strcmp(act, "role") == 0) {
		if (email == NULL || !account_email_valid(email) ||
		    !admin_in(role, admin_roles, ADMIN_N(admin_roles)))
			rc = 4;
		else
			rc = admin_role(w, &g, email, role);
	} else
		rc = 5;
	if (rc == 1 && act && strcmp(act, "archive") == 0)
		g.archived = 1;
	else if (rc == 1 && act && strcmp(act, "unarchive") == 0)
		g.archived = 0;
	if (rc == -1)
		httpd_reply_error(w, 500);
	else if (rc == 5)
		httpd_reply_error(w, 400);
	else
		admin_group_page(w, &g, rc == 1 || rc == 2 ? 200 : rc == 0 ? 409 :
		    400, rc == 1 ? L(I18N_MOD_DONE) : rc == 0 ?
		    L(I18N_MOD_ALREADY_SO) : rc == 4 ? L(I18N_ADM_BAD_ROLE) :
		    rc == 6 ? L(I18N_ADM_BAD_EDIT) :
		    rc == 3 ? L(I18N_ADM_DELETE_CONFIRM) : NULL);
	store_group_clear(&g);
}
