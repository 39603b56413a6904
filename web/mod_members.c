/*
 * The members page of the moderators' panel (see mod_members.h).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "daemon/account.h"
#include "daemon/config.h"
#include "daemon/csv.h"
#include "daemon/db.h"
#include "daemon/engine.h"
#include "daemon/json.h"
#include "daemon/log.h"
#include "daemon/modnotice.h"
#include "daemon/modperm.h"
#include "daemon/store_group.h"
#include "daemon/store_mod.h"
#include "daemon/xalloc.h"
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
static const char *const mod_yesno[] = { "", "yes", "no" };
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
	const char	*bounce, *moderated;
};

static const char *const mod_bounces[] = { "ok", "bouncing", "suspended" };
#define MOD_NBOUNCES	(sizeof mod_bounces / sizeof mod_bounces[0])

/* The bounce state of a membership, one of mod_bounces. */
static const char *
mod_bounce_state(const struct membership *m)
{
	return m->suspended ? "suspended" : m->bounce_score > 0 ? "bouncing" :
	    "ok";
}

static int
mod_members_match(const struct mod_members_ctx *c, const struct membership *m)
{
	if (c->role && *c->role && strcmp(c->role, m->role) != 0)
		return 0;
	if (c->delivery && *c->delivery && strcmp(c->delivery, m->delivery) != 0)
		return 0;
	if (c->bounce && *c->bounce && strcmp(c->bounce,
	    mod_bounce_state(m)) != 0)
		return 0;
	if (c->moderated && *c->moderated && (strcmp(c->moderated, "yes") == 0) !=
	    (m->moderated != 0))
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


static void mod_members_import(struct web_req *, const struct group *, int);

/* The export link and the import form. */
static void
mod_members_import_form(struct web_req *w, const struct group *g,
    struct buf *html)
{
	html_printf(html, "<h2>%s</h2>\n<p><a href=\"/mod/g/%u/members.csv\">"
	    "%s</a></p>\n<form class=\"form\" method=\"post\">", L(I18N_IMPORT_TITLE),
	    g->slug, L(I18N_EXPORT));
	session_csrf_input(w, html);
	html_printf(html, "<label>%s<textarea name=\"csv\" rows=\"6\" "
	    "dir=\"ltr\"></textarea></label><p><button name=\"action\" value="
	    "\"import-preview\">%s</button></p></form>\n", L(I18N_IMPORT_HELP),
	    L(I18N_IMPORT_PREVIEW));
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
	    0, evhttp_find_header(&kv, "bounce"), evhttp_find_header(&kv,
	    "moderated") };
	if ((c.bounce && !mod_in(c.bounce, mod_bounces, MOD_NBOUNCES) &&
	    *c.bounce) || (c.moderated && !mod_in(c.moderated, mod_yesno, 3)) ||
	    (c.role && *c.role && !mod_in(c.role, mod_roles, MOD_NROLES)) ||
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
	html_printf(&html, "<label>%s", L(I18N_MEMBERS_BOUNCE));
	mod_select(&html, "bounce", mod_bounces, MOD_NBOUNCES, c.bounce,
	    L(I18N_MOD_ALL));
	html_printf(&html, "</label><label>%s", L(I18N_MOD_MODERATED));
	mod_select(&html, "moderated", mod_yesno + 1, 2, c.moderated,
	    L(I18N_MOD_ALL));
	buf_puts(&html, "</label>");
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
	html_printf(&html, "<p><a href=\"/mod/g/%u/invites\">%s</a></p>\n"
	    "<h2>%s</h2>\n<form class=\"form\" method=\"post\">"
	    "<input type=\"hidden\" name=\"action\" value=\"add\">",
	    g->slug, L(I18N_INV_LINK), L(I18N_MOD_ADD));
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
	mod_members_import_form(w, g, &html);
	struct buf title = BUF_INIT;
	buf_printf(&title, "%s — %s", L(I18N_MOD_MEMBERS), g->name);
	account_page(w, code, buf_cstr(&title), buf_cstr(&html));
	buf_free(&title);
	buf_free(&html);
	evhttp_clear_headers(&kv);
}

static int
mod_members_csv_row(void *arg, const struct membership *m)
{
	struct buf *out = arg;
	csv_field(out, m->email);
	buf_putc(out, ',');
	csv_field(out, m->name);
	buf_printf(out, ",%s,%s,%s\r\n", m->role, m->delivery, m->moderated ?
	    "yes" : "no");
	return 0;
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
		int64_t id = store_member_find_or_add(db, email, name ? name :
		    "");
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

/* The notice a change sends its member. */
static enum modnotice_kind
mod_members_notice(const char *act)
{
	if (strcmp(act, "add") == 0)
		return MODNOTICE_ADDED;
	if (strcmp(act, "remove") == 0)
		return MODNOTICE_REMOVED;
	return strcmp(act, "reset") == 0 ? MODNOTICE_RESET : MODNOTICE_CHANGED;
}

/* One change in one transaction with its audit row and the member's
 * notice: 1, 0 refused, -1. */
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
		    email, "", buf_cstr(&b), buf_cstr(&a)) == -1 ||
		    modnotice_member(db, w->e->cfg->list_domain, g, email,
		    mod_members_notice(act), has == 1 ? after.role : "",
		    has == 1 ? after.delivery : "") == -1)
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
	if (act != NULL && (strcmp(act, "import-preview") == 0 ||
	    strcmp(act, "import") == 0)) {
		mod_members_import(w, g, strcmp(act, "import") == 0);
		return;
	}
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

struct mod_import {
	struct web_req		*w;
	const struct group	*g;
	int			 apply;
	struct buf		*out;		/* the report, <li> items */
	char			**seen;		/* addresses of good lines */
	int			*seen_line;
	size_t			 nseen;
	int			 rows;
};

static void
mod_import_item(struct mod_import *im, int line, const char *email,
    const char *cls, const char *what, int other)
{
	struct web_req *w = im->w;
	html_printf(im->out, "<li class=\"%s\">%s %d: <bdi>%s</bdi> — %s", cls,
	    L(I18N_IMPORT_LINE), line, email, what);
	if (other)
		html_printf(im->out, " %d", other);
	buf_puts(im->out, "</li>\n");
}

/* Add one good line (apply): 0, or -1. */
static int
mod_import_add(struct mod_import *im, const char *email, const char *name,
    const char *role, const char *del, int moderated)
{
	struct db *db = im->w->e->db;
	struct buf err = BUF_INIT, after = BUF_INIT;
	struct membership m = { .role = "", .delivery = "" };
	int64_t id = store_member_find_or_add(db, email, name);
	int rc = id == -1 ? -1 : store_membership_add(db, im->g->id, id, role,
	    del, &err);
	if (rc == 1 && moderated && store_membership_set(db, im->g->id, id,
	    "moderated", "1", &err) == -1)
		rc = -1;
	if (rc == 1) {
		m.moderated = moderated;
		snprintf(m.role, sizeof m.role, "%s", role);
		snprintf(m.delivery, sizeof m.delivery, "%s", del);
		mod_member_json(&after, &m);
		rc = store_mod_audit(db, im->w->viewer.email, "member.import",
		    im->g->id, email, "", "{}", buf_cstr(&after)) == -1 ||
		    modnotice_member(db, im->w->e->cfg->list_domain, im->g, email,
		    MODNOTICE_ADDED, role, del) == -1 ? -1 : 0;
	} else if (rc == 0)
		rc = -1;	/* checked just before, in this transaction */
	if (rc == -1)
		log_warnx("http: import into %s: %s", im->g->slug, buf_cstr(&err));
	buf_free(&err);
	buf_free(&after);
	return rc;
}

/* Check one line's fields and say (or do) what happens to it: 0 or -1. */
static int
mod_import_row(struct mod_import *im, int line, struct buf *f, size_t n)
{
	struct web_req *w = im->w;
	const char *email = buf_cstr(&f[0]), *name = n > 1 ? buf_cstr(&f[1]) :
	    "", *role = n > 2 && f[2].len ? buf_cstr(&f[2]) : "member",
	    *del = n > 3 && f[3].len ? buf_cstr(&f[3]) : "each",
	    *mod = n > 4 ? buf_cstr(&f[4]) : "";
	if (!account_email_valid(email))
		mod_import_item(im, line, email, "bad", L(I18N_IMPORT_BAD_EMAIL), 0);
	else if (*name && !account_name_valid(name))
		mod_import_item(im, line, email, "bad", L(I18N_IMPORT_BAD_NAME), 0);
	else if (!mod_in(role, mod_roles, MOD_NROLES))
		mod_import_item(im, line, email, "bad", L(I18N_IMPORT_BAD_ROLE), 0);
	else if (!mod_in(del, mod_deliveries, MOD_NDELIVERIES))
		mod_import_item(im, line, email, "bad",
		    L(I18N_IMPORT_BAD_DELIVERY), 0);
	else if (!mod_in(mod, mod_yesno, 3))
		mod_import_item(im, line, email, "bad",
		    L(I18N_IMPORT_BAD_MODERATED), 0);
	else {
		for (size_t i = 0; i < im->nseen; i++)
			if (strcasecmp(im->seen[i], email) == 0) {
				mod_import_item(im, line, email, "duplicate",
				    L(I18N_IMPORT_DUPLICATE), im->seen_line[i]);
				return 0;
			}
		im->seen[im->nseen] = xstrdup(email);
		im->seen_line[im->nseen++] = line;
		struct membership m;
		int had = store_membership_get(w->e->db, im->g->id, email, &m);
		if (had == -1)
			return -1;
		if (had == 1) {
			store_membership_clear(&m);
			mod_import_item(im, line, email, "member",
			    L(I18N_IMPORT_MEMBER), 0);
		} else if (im->apply && mod_import_add(im, email, name, role,
		    del, strcmp(mod, "yes") == 0) == -1)
			return -1;
		else
			mod_import_item(im, line, email, "add", im->apply ?
			    L(I18N_IMPORT_ADDED) : L(I18N_IMPORT_WILL_ADD), 0);
	}
	return 0;
}

/* One line of the text (without its line end): 0, 1 for too many rows,
 * -1 on error. */
static int
mod_import_line(struct mod_import *im, int line, const char *s, size_t len,
    struct buf *f)
{
	struct web_req *w = im->w;
	const char *err;
	size_t n;
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0)
		return 0;
	if (++im->rows > MOD_MEMBERS_IMPORT_MAX + 1)
		return 1;
	if (len > MOD_MEMBERS_LINE_MAX) {
		mod_import_item(im, line, "", "bad", L(I18N_IMPORT_TOO_LONG), 0);
		return 0;
	}
	if (csv_split(s, len, f, MOD_MEMBERS_FIELDS, &n, &err) == -1) {
		mod_import_item(im, line, "", "bad", L(I18N_IMPORT_BAD_CSV), 0);
		return 0;
	}
	if (im->rows == 1 && strcasecmp(buf_cstr(&f[0]), "email") == 0) {
		im->rows = 0;	/* the header */
		return 0;
	}
	if (im->rows > MOD_MEMBERS_IMPORT_MAX)
		return 1;
	return mod_import_row(im, line, f, n);
}

/* Run the import over csv (preview or apply, the latter in one
 * transaction): 0, 1 too many rows (nothing done), -1 error. */
static int
mod_import_run(struct mod_import *im, const char *csv)
{
	struct buf f[MOD_MEMBERS_FIELDS] = { BUF_INIT, BUF_INIT, BUF_INIT,
	    BUF_INIT, BUF_INIT };
	im->seen = xcalloc(MOD_MEMBERS_IMPORT_MAX, sizeof *im->seen);
	im->seen_line = xcalloc(MOD_MEMBERS_IMPORT_MAX, sizeof *im->seen_line);
	int rc = im->apply ? db_begin(im->w->e->db) : 0, line = 0;
	for (const char *p = csv; rc == 0 && *p; ) {
		size_t len = strcspn(p, "\n");
		size_t l = len > 0 && p[len - 1] == '\r' ? len - 1 : len;
		rc = mod_import_line(im, ++line, p, l, f);
		p += len + (p[len] == '\n');
	}
	if (im->apply && rc == 0 && db_commit(im->w->e->db) == -1)
		rc = -1;
	else if (im->apply && rc != 0)
		db_rollback(im->w->e->db);
	for (size_t i = 0; i < im->nseen; i++)
		free(im->seen[i]);
	free(im->seen);
	free(im->seen_line);
	for (size_t i = 0; i < MOD_MEMBERS_FIELDS; i++)
		buf_free(&f[i]);
	return rc;
}

static void
mod_members_import(struct web_req *w, const struct group *g, int apply)
{
	const char *csv = form_get(session_form(w), "csv");
	struct buf report = BUF_INIT, html = BUF_INIT;
	struct mod_import im = { w, g, apply, &report, NULL, NULL, 0, 0 };
	int rc = mod_import_run(&im, csv ? csv : "");
	if (rc == -1) {
		buf_free(&report);
		httpd_reply_error(w, 500);
		return;
	}
	html_printf(&html, "<p><a href=\"/mod/g/%u/members\">%s</a></p>\n",
	    g->slug, L(I18N_MOD_MEMBERS));
	if (rc == 1)
		html_printf(&html, "<p class=\"error\" role=\"alert\">%s</p>\n",
		    L(I18N_IMPORT_TOO_MANY));
	else
		html_printf(&html, "<ul class=\"list import\">\n%H</ul>\n",
		    buf_cstr(&report));
	if (rc == 0 && !apply) {
		html_printf(&html, "<form class=\"form\" method=\"post\">"
		    "<textarea name=\"csv\" rows=\"6\" readonly dir=\"ltr\">\n%s"
		    "</textarea>", csv ? csv : "");
		session_csrf_input(w, &html);
		html_printf(&html, "<p><button name=\"action\" value=\"import\">"
		    "%s</button></p></form>\n", L(I18N_IMPORT_APPLY));
	}
	struct buf title = BUF_INIT;
	buf_printf(&title, "%s — %s", L(I18N_IMPORT_TITLE), g->name);
	account_page(w, rc == 1 ? 400 : 200, buf_cstr(&title), buf_cstr(&html));
	buf_free(&title);
	buf_free(&html);
	buf_free(&report);
}

void
mod_members_csv(struct web_req *w)
{
	const struct group *g = &w->group;
	if (w->viewer.member_id == 0) {
		account_redirect(w, "/login");
		return;
	}
	int rc = modperm_check(w->e->db, w->viewer.member_id, w->viewer.is_admin,
	    g->id, MODPERM_MEMBERS);
	if (rc != 1) {
		httpd_reply_error(w, rc == 0 ? 404 : 500);
		return;
	}
	struct buf out = BUF_INIT;
	buf_puts(&out, "email,name,role,delivery,moderated\r\n");
	if (store_membership_each(w->e->db, g->id, mod_members_csv_row,
	    &out) == -1) {
		buf_free(&out);
		httpd_reply_error(w, 500);
		return;
	}
	struct buf disp = BUF_INIT;
	buf_printf(&disp, "attachment; filename=\"%s-members.csv\"", g->slug);
	httpd_header(w, "Content-Disposition", buf_cstr(&disp));
	httpd_reply(w, 200, "text/csv; charset=utf-8", &out);
	buf_free(&disp);
	buf_free(&out);
}
