/*
 * The members page of the moderators' panel (see mod_members.h).
 */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "daemon/account.h"
#include "daemon/db.h"
#include "daemon/engine.h"
#include "daemon/json.h"
#include "daemon/log.h"
#include "daemon/modperm.h"
#include "daemon/store_group.h"
#include "daemon/store_mod.h"
#include "web/account.h"
#include "web/form.h"
#include "web/html.h"
#include "web/httpd.h"
#include "web/i18n.h"
#include "web/mod_members.h"
#include "web/session.h"

#define L(m)	i18n_msg(w->lang, (m))

static const char *const mod_roles[] = { "member", "moderator", "owner" };
static const char *const mod_deliveries[] = { "each", "daily", "weekly",
	"none" };
#define MOD_NROLES	(sizeof mod_roles / sizeof mod_roles[0])
#define MOD_NDELIVERIES	(sizeof mod_deliveries / sizeof mod_deliveries[0])

static int
mod_in(const char *v, const char *const *set, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		if (strcmp(v, set[i]) == 0)
			return 1;
	return 0;
}

static void
mod_select(struct buf *out, const char *name, const char *const *set,
    size_t n, const char *cur, const char *all)
{
	html_printf(out, "<select name=\"%s\">", name);
	if (all)
		html_printf(out, "<option value=\"\">%s</option>", all);
	for (size_t i = 0; i < n; i++)
		html_printf(out, "<option%H>%s</option>", cur && strcmp(cur,
		    set[i]) == 0 ? " selected" : "", set[i]);
	buf_puts(out, "</select>");
}

struct mod_members_ctx {
	struct web_req	*w;
	struct buf	*out;
	const char	*role, *delivery, *q;
	int		 rows;
};

static int
mod_members_match(const struct mod_members_ctx *c, const struct membership *m)
{
	if (c->role && *c->role && strcmp(c->role, m->role) != 0)
		return 0;
	if (c->delivery && *c->delivery && strcmp(c->delivery, m->delivery) != 0)
		return 0;
	if (c->q && *c->q && strcasestr(m->email, c->q) == NULL &&
	    strcasestr(m->name, c->q) == NULL)
		return 0;
	return 1;
}

static int
mod_members_row(void *arg, const struct membership *m)
{
	struct mod_members_ctx *c = arg;
	struct web_req *w = c->w;
	if (!mod_members_match(c, m))
		return 0;
	if (c->rows++ >= MOD_MEMBERS_MAX)
		return -1;
	html_printf(c->out, "<li><form class=\"tools\" method=\"post\"><input "
	    "type=\"hidden\" name=\"email\" value=\"%s\"><strong><bdi>%s</bdi>"
	    "</strong> <span dir=\"auto\">%s</span> ", m->email, m->email,
	    m->name);
	session_csrf_input(w, c->out);
	mod_select(c->out, "role", mod_roles, MOD_NROLES, m->role, NULL);
	mod_select(c->out, "delivery", mod_deliveries, MOD_NDELIVERIES,
	    m->delivery, NULL);
	html_printf(c->out, "<label><input type=\"checkbox\" name=\"moderated\""
	    " value=\"1\"%H> %s</label> <span>%s%s%d%H</span> "
	    "<button name=\"action\" value=\"set\">%s</button>"
	    "<button name=\"action\" value=\"reset\">%s</button>"
	    "<button name=\"action\" value=\"remove\">%s</button></form></li>\n",
	    m->moderated ? " checked" : "", L(I18N_MOD_MODERATED),
	    L(I18N_MOD_BOUNCES), i18n_colon(w->lang), m->bounce_score,
	    m->suspended ? " ⛔" : "", L(I18N_MOD_SAVE), L(I18N_MOD_RESET),
	    L(I18N_MOD_REMOVE));
	return 0;
}


static void
mod_members_page(struct web_req *w, const struct group *g, int code,
    const char *error)
{
	const char *qs = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(
	    w->req));
	struct evkeyvalq kv;
	TAILQ_INIT(&kv);
	if (qs != NULL && !w->post && evhttp_parse_query_str(qs, &kv) == -1) {
		httpd_reply_error(w, 400);
		return;
	}
	struct buf html = BUF_INIT;
	struct mod_members_ctx c = { w, &html, evhttp_find_header(&kv, "role"),
	    evhttp_find_header(&kv, "delivery"), evhttp_find_header(&kv, "q"),
	    0 };
	if ((c.role && *c.role && !mod_in(c.role, mod_roles, MOD_NROLES)) ||
	    (c.delivery && *c.delivery && !mod_in(c.delivery, mod_deliveries,
	    MOD_NDELIVERIES)) || (c.q && strlen(c.q) > MOD_MEMBERS_QUERY_MAX)) {
		evhttp_clear_headers(&kv);
		buf_free(&html);
		httpd_reply_error(w, 400);
		return;
	}
	if (error)
		html_printf(&html, "<p class=\"error\" role=\"alert\">%s</p>\n",
		    error);
	html_printf(&html, "<p><a href=\"/mod\">%s</a></p>\n<form class=\"tools\""
	    " method=\"get\"><input name=\"q\" value=\"%s\" maxlength=\"%d\" "
	    "placeholder=\"%s\" dir=\"auto\">", L(I18N_MOD_BACK), c.q ? c.q : "",
	    MOD_MEMBERS_QUERY_MAX, L(I18N_MOD_SEARCH));
	mod_select(&html, "role", mod_roles, MOD_NROLES, c.role, L(I18N_MOD_ALL));
	mod_select(&html, "delivery", mod_deliveries, MOD_NDELIVERIES,
	    c.delivery, L(I18N_MOD_ALL));
	html_printf(&html, "<button type=\"submit\">%s</button></form>\n"
	    "<ul class=\"list\">\n", L(I18N_MOD_FILTER));
	if (store_membership_each(w->e->db, g->id, mod_members_row, &c) == -1) {
		evhttp_clear_headers(&kv);
		buf_free(&html);
		httpd_reply_error(w, 500);
		return;
	}
	buf_puts(&html, "</ul>\n");
	if (c.rows == 0)
		html_printf(&html, "<p>%s</p>\n", L(I18N_MOD_NO_MEMBERS));
	html_printf(&html, "<h2>%s</h2>\n<form class=\"form\" method=\"post\">"
	    "<input type=\"hidden\" name=\"action\" value=\"add\">",
	    L(I18N_MOD_ADD));
	session_csrf_input(w, &html);
	html_printf(&html, "<label>%s<input name=\"email\" type=\"email\" "
	    "required maxlength=\"%d\" dir=\"ltr\"></label><label>%s<input "
	    "name=\"name\" maxlength=\"%d\" dir=\"auto\"></label><label>%s",
	    L(I18N_MOD_EMAIL), ACCOUNT_EMAIL_MAX, L(I18N_MOD_NAME),
	    ACCOUNT_NAME_MAX, L(I18N_MOD_ROLE));
	mod_select(&html, "role", mod_roles, MOD_NROLES, "member", NULL);
	html_printf(&html, "</label><label>%s", L(I18N_MOD_DELIVERY));
	mod_select(&html, "delivery", mod_deliveries, MOD_NDELIVERIES, "each",
	    NULL);
	html_printf(&html, "</label><p><button type=\"submit\">%s</button></p>"
	    "</form>\n", L(I18N_MOD_ADD));
	struct buf title = BUF_INIT;
	buf_printf(&title, "%s — %s", L(I18N_MOD_MEMBERS), g->name);
	account_page(w, code, buf_cstr(&title), buf_cstr(&html));
	buf_free(&title);
	buf_free(&html);
	evhttp_clear_headers(&kv);
}

/* The state of a membership as JSON ("{}" when there is none). */
static void
mod_member_json(struct buf *out, const struct membership *m)
{
	struct json j;
	json_init(&j, out);
	json_begin_object(&j);
	if (m != NULL) {
		json_kv_string(&j, "role", m->role);
		json_kv_string(&j, "delivery", m->delivery);
		json_kv_bool(&j, "moderated", m->moderated);
		json_kv_int(&j, "bounce_score", m->bounce_score);
		json_kv_bool(&j, "suspended", m->suspended);
	}
	json_end_object(&j);
}

/* Apply one change inside the transaction: 1 done, 0 no such member
 * (or bad values for add), -1 error. */
static int
mod_members_apply(struct web_req *w, const struct group *g, const char *act,
    const char *email, const struct membership *ms)
{
	const struct form *f = session_form(w);
	struct db *db = w->e->db;
	struct buf err = BUF_INIT;
	const char *role = form_get(f, "role"), *del = form_get(f, "delivery");
	int rc;
	if (strcmp(act, "add") == 0) {
		const char *name = form_get(f, "name");
		if (!mod_in(role, mod_roles, MOD_NROLES) ||
		    !mod_in(del, mod_deliveries, MOD_NDELIVERIES) ||
		    (name && *name && !account_name_valid(name)))
			return 0;
		int64_t id = store_member_ensure(db, email, name ? name : "");
		rc = id == -1 ? -1 : store_membership_add(db, g->id, id, role, del,
		    &err);
	} else if (ms == NULL)
		rc = 0;
	else if (strcmp(act, "remove") == 0)
		rc = store_membership_remove(db, g->id, ms->member_id);
	else if (strcmp(act, "reset") == 0)	/* also zeroes the score */
		rc = store_membership_set(db, g->id, ms->member_id, "suspended",
		    "0", &err) == -1 ? -1 : 1;
	else if (!mod_in(role, mod_roles, MOD_NROLES) ||
	    !mod_in(del, mod_deliveries, MOD_NDELIVERIES))
		rc = 0;
	else
		rc = store_membership_set(db, g->id, ms->member_id, "role", role,
		    &err) == -1 || store_membership_set(db, g->id, ms->member_id,
		    "delivery", del, &err) == -1 || store_membership_set(db, g->id,
		    ms->member_id, "moderated", form_get(f, "moderated") ? "1" :
		    "0", &err) == -1 ? -1 : 1;
	if (rc == -1)
		log_warnx("http: member change in %s failed: %s", g->slug,
		    buf_cstr(&err));
	buf_free(&err);
	return rc;
}

/* One change in one transaction with its audit row: 1, 0 refused, -1. */
static int
mod_members_change(struct web_req *w, const struct group *g, const char *act,
    const char *email)
{
	struct db *db = w->e->db;
	struct membership before, after;
	if (db_begin(db) == -1)
		return -1;
	int had = store_membership_get(db, g->id, email, &before);
	int rc = had == -1 ? -1 : (strcmp(act, "add") == 0 && had == 1) ? 0 :
	    mod_members_apply(w, g, act, email, had == 1 ? &before : NULL);
	int has = rc == 1 ? store_membership_get(db, g->id, email, &after) : 0;
	if (has == -1)
		rc = -1;
	if (rc == 1) {
		struct buf b = BUF_INIT, a = BUF_INIT, action = BUF_INIT;
		mod_member_json(&b, had == 1 ? &before : NULL);
		mod_member_json(&a, has == 1 ? &after : NULL);
		buf_printf(&action, "member.%s", act);
		if (store_mod_audit(db, w->viewer.email, buf_cstr(&action), g->id,
		    email, "", buf_cstr(&b), buf_cstr(&a)) == -1)
			rc = -1;
		buf_free(&b);
		buf_free(&a);
		buf_free(&action);
	}
	if (had == 1)
		store_membership_clear(&before);
	if (has == 1)
		store_membership_clear(&after);
	if (rc == 1 && db_commit(db) == 0)
		return 1;
	db_rollback(db);
	return rc == 1 ? -1 : rc;
}

void
mod_members(struct web_req *w)
{
	if (w->viewer.member_id == 0) {
		account_redirect(w, "/login");
		return;
	}
	/* the route checked that the viewer may read the group */
	const struct group *g = &w->group;
	int rc = modperm_check(w->e->db, w->viewer.member_id, w->viewer.is_admin,
	    g->id, MODPERM_MEMBERS);
	if (rc != 1) {
		httpd_reply_error(w, rc == 0 ? 404 : 500);
		return;
	}
	if (!w->post) {
		mod_members_page(w, g, 200, NULL);
		return;
	}
	const struct form *f = session_form(w);
	const char *act = form_get(f, "action"), *email = form_get(f, "email");
	static const char *const acts[] = { "add", "set", "remove", "reset" };
	if (!mod_in(act, acts, sizeof acts / sizeof acts[0]) || email == NULL ||
	    !account_email_valid(email))
		rc = 0;
	else
		rc = mod_members_change(w, g, act, email);
	if (rc == 1) {
		struct buf path = BUF_INIT;
		buf_printf(&path, "/mod/g/%s/members", g->slug);
		account_redirect(w, buf_cstr(&path));
		buf_free(&path);
	} else if (rc == 0)
		mod_members_page(w, g, 400, act && strcmp(act, "add") != 0 &&
		    email && account_email_valid(email) ? L(I18N_MOD_NO_MEMBER) :
		    L(I18N_MOD_BAD_MEMBER));
	else
		httpd_reply_error(w, 500);
}
