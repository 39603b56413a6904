/*
 * The policies page of a group (see mod_policy.h). Permissions: a
 * moderator sees the page, changes the posting rules (with the allowed
 * MIME types and the reminder interval) and the bans; the language,
 * visibility, description, subject prefix, Reply-To and digest schedule
 * of the group are its owners' (a moderator's form that carries them is
 * refused with 403). A field added after the first version of the page
 * that a form leaves out keeps its value.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "daemon/ban.h"
#include "daemon/db.h"
#include "daemon/engine.h"
#include "daemon/digest.h"
#include "daemon/log.h"
#include "daemon/mimetypes.h"
#include "daemon/modperm.h"
#include "daemon/store_ban.h"
#include "daemon/store_group.h"
#include "daemon/store_mod.h"
#include "daemon/store_policy.h"
#include "daemon/xalloc.h"
#include "web/account.h"
#include "web/form.h"
#include "web/html.h"
#include "web/httpd.h"
#include "web/i18n.h"
#include "web/mod_policy.h"
#include "web/session.h"

#define L(m)	i18n_msg(w->lang, (m))

static const char *const policy_posts[] = { "members", "anyone", "announce" };
static const enum i18n_msg policy_post_msgs[] = { I18N_POLICY_MEMBERS,
	I18N_POLICY_ANYONE, I18N_POLICY_ANNOUNCE };
static const char *const policy_languages[] = { "ar", "fr", "en" };
static const char *const policy_visibilities[] = { "public", "members",
	"private" };
static const char *const policy_mime_actions[] = { "strip", "hold" };
static const enum i18n_msg policy_mime_msgs[] = { I18N_POLICY_MIME_STRIP,
	I18N_POLICY_MIME_HOLD };
static const char *const policy_reply_tos[] = { "list", "author", "both" };
static const enum i18n_msg policy_reply_msgs[] = { I18N_POLICY_REPLY_LIST,
	I18N_POLICY_REPLY_AUTHOR, I18N_POLICY_REPLY_BOTH };
static const enum i18n_msg policy_day_msgs[] = { I18N_DAY_SUN, I18N_DAY_MON,
	I18N_DAY_TUE, I18N_DAY_WED, I18N_DAY_THU, I18N_DAY_FRI, I18N_DAY_SAT };
/* Form fields only owners may send. */
static const char *const policy_owner_fields[] = { "language", "visibility",
	"description", "subject_prefix", "reply_to", "digest_weekday",
	"digest_hour", "digest_tz" };
#define NELEM(a)	(sizeof (a) / sizeof (a)[0])

struct policy_ctx {
	struct web_req		*w;
	const struct group	*g;
	int			 owner;		/* may change owner fields */
	struct buf		*out;
};

static void
policy_select(struct buf *out, const char *name, const char *const *set,
    size_t n, const char *cur, int disabled)
{
	html_printf(out, "<select name=\"%s\" id=\"%s\"%H>", name, name,
	    disabled ? " disabled" : "");
	for (size_t i = 0; i < n; i++)
		html_printf(out, "<option%H>%s</option>", strcmp(cur, set[i]) == 0 ?
		    " selected" : "", set[i]);
	buf_puts(out, "</select>");
}

/* Radio buttons name = values[i] labelled msgs[i]. */
static void
policy_radios(struct web_req *w, struct buf *out, const char *name,
    const char *const *values, const enum i18n_msg *msgs, size_t n,
    const char *cur, int disabled)
{
	for (size_t i = 0; i < n; i++)
		html_printf(out, "<label><input type=\"radio\" name=\"%s\" value="
		    "\"%s\"%H%H> %s</label>", name, values[i], strcmp(cur,
		    values[i]) == 0 ? " checked" : "", disabled ? " disabled" : "",
		    L(msgs[i]));
}

/* The moderators' MIME and reminder fields. */
static void
policy_form_moderation(struct policy_ctx *c, const struct group_policy *p)
{
	struct web_req *w = c->w;
	struct buf *out = c->out;
	html_printf(out, "<label>%s<input name=\"mime_types\" value=\"%s\" "
	    "maxlength=\"%d\" dir=\"ltr\"></label><fieldset><legend>%s</legend>",
	    L(I18N_POLICY_MIME_TYPES), p->mime_types, MIMETYPES_LIST_MAX,
	    L(I18N_POLICY_MIME_ACTION));
	policy_radios(w, out, "mime_action", policy_mime_actions,
	    policy_mime_msgs, NELEM(policy_mime_actions), p->mime_action, 0);
	html_printf(out, "</fieldset><label>%s<input name=\"pending_hours\" "
	    "inputmode=\"numeric\" value=\"%d\" maxlength=\"%d\"></label>",
	    L(I18N_POLICY_PENDING), p->pending_hours, MOD_POLICY_NUMBER_MAX);
}

/* The owners' fields of the mail members get and of the digest. */
static void
policy_form_mail(struct policy_ctx *c, const struct group_policy *p)
{
	struct web_req *w = c->w;
	struct buf *out = c->out;
	const char *dis = c->owner ? "" : " disabled";
	html_printf(out, "<fieldset><legend>%s</legend><label>%s<input name=\""
	    "subject_prefix\" value=\"%s\" maxlength=\"%d\" dir=\"auto\"%H>"
	    "</label><p>%s</p>", L(I18N_POLICY_MAIL), L(I18N_POLICY_PREFIX),
	    p->subject_prefix, STORE_POLICY_PREFIX_MAX, dis,
	    L(I18N_POLICY_REPLY_TO));
	policy_radios(w, out, "reply_to", policy_reply_tos, policy_reply_msgs,
	    NELEM(policy_reply_tos), p->reply_to, !c->owner);
	html_printf(out, "</fieldset><fieldset><legend>%s</legend><label for=\""
	    "digest_weekday\">%s</label><select name=\"digest_weekday\" id=\""
	    "digest_weekday\"%H>", L(I18N_POLICY_DIGEST),
	    L(I18N_POLICY_DIGEST_DAY), dis);
	for (int i = 0; i < 7; i++)
		html_printf(out, "<option value=\"%s\"%H>%s</option>",
		    store_policy_weekday_name(i), p->digest.weekday == i ?
		    " selected" : "", L(policy_day_msgs[i]));
	html_printf(out, "</select><label>%s<input name=\"digest_hour\" "
	    "inputmode=\"numeric\" value=\"%d\" maxlength=\"2\"%H></label>"
	    "<label>%s<input name=\"digest_tz\" value=\"%s\" maxlength=\"%d\" "
	    "dir=\"ltr\"%H></label></fieldset>", L(I18N_POLICY_DIGEST_HOUR),
	    p->digest.hour, dis, L(I18N_POLICY_DIGEST_TZ), p->digest.tz,
	    DIGEST_TZ_MAX - 1, dis);
}

static void
policy_form(struct policy_ctx *c, const struct group_policy *p)
{
	struct web_req *w = c->w;
	struct buf *out = c->out;
	html_printf(out, "<form class=\"form\" method=\"post\"><input type=\""
	    "hidden\" name=\"action\" value=\"policy\">");
	session_csrf_input(w, out);
	html_printf(out, "<fieldset><legend>%s</legend>", L(I18N_POLICY_WHO));
	for (size_t i = 0; i < NELEM(policy_posts); i++)
		html_printf(out, "<label><input type=\"radio\" name=\"post_policy\""
		    " value=\"%s\"%H> %s</label>", policy_posts[i],
		    strcmp(p->post_policy, policy_posts[i]) == 0 ? " checked" : "",
		    L(policy_post_msgs[i]));
	html_printf(out, "</fieldset><label><input type=\"checkbox\" name=\""
	    "first_post_held\" value=\"1\"%H> %s</label><label>%s<input name=\""
	    "max_kib\" inputmode=\"numeric\" value=\"%d\" maxlength=\"%d\">"
	    "</label><label>%s<input name=\"rate_per_hour\" inputmode=\"numeric\""
	    " value=\"%d\" maxlength=\"%d\"></label>", p->first_post_held ?
	    " checked" : "", L(I18N_POLICY_FIRST), L(I18N_POLICY_MAX_KIB),
	    p->max_kib, MOD_POLICY_NUMBER_MAX, L(I18N_POLICY_RATE),
	    p->rate_per_hour, MOD_POLICY_NUMBER_MAX);
	html_printf(out, "<label><input type=\"checkbox\" name=\"member_notices"
	    "\" value=\"1\"%H> %s</label>", p->member_notices ? " checked" : "",
	    L(I18N_POLICY_NOTICES));
	policy_form_moderation(c, p);
	html_printf(out, "<fieldset><legend>%s</legend>", L(I18N_MOD_TITLE));
	if (!c->owner)
		html_printf(out, "<p>%s</p>", L(I18N_POLICY_OWNER_ONLY));
	html_printf(out, "<label for=\"language\">%s</label>",
	    L(I18N_POLICY_LANGUAGE));
	policy_select(out, "language", policy_languages, NELEM(policy_languages),
	    p->language, !c->owner);
	html_printf(out, "<label for=\"visibility\">%s</label>",
	    L(I18N_POLICY_VISIBILITY));
	policy_select(out, "visibility", policy_visibilities,
	    NELEM(policy_visibilities), p->visibility, !c->owner);
	html_printf(out, "<label>%s<textarea name=\"description\" rows=\"4\" "
	    "maxlength=\"%d\" dir=\"auto\"%H>%s</textarea></label>",
	    L(I18N_POLICY_DESCRIPTION), STORE_POLICY_DESCRIPTION_MAX, c->owner ?
	    "" : " disabled", p->description);
	policy_form_mail(c, p);
	html_printf(out, "</fieldset><p><button type=\"submit\">%s</button></p>"
	    "</form>\n", L(I18N_MOD_SAVE));
}

static int
policy_ban_row(void *arg, const struct ban_row *r)
{
	struct policy_ctx *c = arg;
	struct web_req *w = c->w;
	html_printf(c->out, "<li><form class=\"tools\" method=\"post\"><input "
	    "type=\"hidden\" name=\"action\" value=\"unban\"><input type=\""
	    "hidden\" name=\"id\" value=\"%D\"><bdi>%s</bdi> <span>%s%H</span> ",
	    r->id, r->value, ban_kind_name(r->kind), r->subdomains ?
	    " +" : "");
	session_csrf_input(w, c->out);
	html_printf(c->out, "<button>%s</button></form></li>\n",
	    L(I18N_BAN_REMOVE));
	return 0;
}

static int
policy_site_ban_row(void *arg, const struct ban_row *r)
{
	struct policy_ctx *c = arg;
	struct web_req *w = c->w;
	html_printf(c->out, "<li><bdi>%s</bdi> <span>%s%H — %s</span></li>\n",
	    r->value, ban_kind_name(r->kind), r->subdomains ? " +" : "",
	    L(I18N_BAN_SITE));
	return 0;
}

static int
policy_bans(struct policy_ctx *c)
{
	struct web_req *w = c->w;
	html_printf(c->out, "<h2>%s</h2>\n<ul class=\"list\">\n",
	    L(I18N_BAN_TITLE));
	size_t before = c->out->len;
	if (store_ban_each(w->e->db, STORE_BAN_GROUP, c->g->id, policy_ban_row,
	    c) == -1 || store_ban_each(w->e->db, STORE_BAN_SITE, 0,
	    policy_site_ban_row, c) == -1)
		return -1;
	int none = c->out->len == before;
	buf_puts(c->out, "</ul>\n");
	if (none)
		html_printf(c->out, "<p>%s</p>\n", L(I18N_BAN_NONE));
	html_printf(c->out, "<form class=\"form\" method=\"post\"><input type=\""
	    "hidden\" name=\"action\" value=\"ban\">");
	session_csrf_input(w, c->out);
	html_printf(c->out, "<label>%s<input name=\"value\" required maxlength="
	    "\"%d\" dir=\"ltr\"></label><label><input type=\"checkbox\" name=\""
	    "subdomains\" value=\"1\"> %s</label><p><button type=\"submit\">%s"
	    "</button></p></form>\n", L(I18N_BAN_VALUE), BAN_VALUE_MAX,
	    L(I18N_BAN_SUBDOMAINS), L(I18N_BAN_ADD));
	return 0;
}

static void
policy_page(struct web_req *w, const struct group *g, int owner, int code,
    const char *error, const char *detail)
{
	struct group_policy p;
	int rc = store_policy_get(w->e->db, g->id, &p);
	if (rc != 1) {
		httpd_reply_error(w, rc == 0 ? 404 : 500);
		return;
	}
	struct buf html = BUF_INIT;
	struct policy_ctx c = { w, g, owner, &html };
	if (error && code == 200)
		html_printf(&html, "<p class=\"notice\" role=\"status\">%s</p>\n",
		    error);
	else if (error)
		html_printf(&html, "<p class=\"error\" role=\"alert\">%s %s</p>\n",
		    error, detail ? detail : "");
	html_printf(&html, "<p><a href=\"/mod\">%s</a></p>\n", L(I18N_MOD_BACK));
	policy_form(&c, &p);
	store_policy_clear(&p);
	if (policy_bans(&c) == -1) {
		buf_free(&html);
		httpd_reply_error(w, 500);
		return;
	}
	struct buf title = BUF_INIT;
	buf_printf(&title, "%s — %s", L(I18N_POLICY_TITLE), g->name);
	account_page(w, code, buf_cstr(&title), buf_cstr(&html));
	buf_free(&title);
	buf_free(&html);
}

/* A number typed in the form: 0 with *v set, -1 when it is not 1 to
 * MOD_POLICY_NUMBER_MAX decimal digits. */
static int
policy_number(const char *s, int *v)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > MOD_POLICY_NUMBER_MAX || strspn(s, "0123456789") != n)
		return -1;
	*v = atoi(s);
	return 0;
}

static int
policy_audit(struct web_req *w, const struct group *g, const char *action,
    const char *target, const char *before, const char *after)
{
	return store_mod_audit(w->e->db, w->viewer.email, action, g->id, target,
	    "", before, after);
}

static int
policy_in(const char *v, const char *const *set, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		if (strcmp(v, set[i]) == 0)
			return 1;
	return 0;
}

/* Replace *field with a copy of v. */
static void
policy_set_str(char **field, const char *v)
{
	free(*field);
	*field = xstrdup(v);
}

/* The moderators' fields added later (each kept when the form leaves it
 * out): -1 when good, else the i18n label of the first bad one. */
static int
policy_read_moderation(const struct form *f, struct group_policy *p)
{
	const char *mt = form_get(f, "mime_types"), *ma = form_get(f,
	    "mime_action"), *ph = form_get(f, "pending_hours"), *why;
	struct buf norm = BUF_INIT;
	int bad = -1;
	if (mt != NULL && mimetypes_parse(mt, &norm, &why) == -1)
		bad = I18N_POLICY_MIME_TYPES;
	else if (mt != NULL)
		policy_set_str(&p->mime_types, buf_cstr(&norm));
	if (bad == -1 && ma != NULL && !policy_in(ma, policy_mime_actions,
	    NELEM(policy_mime_actions)))
		bad = I18N_POLICY_MIME_ACTION;
	else if (bad == -1 && ma != NULL)
		snprintf(p->mime_action, sizeof p->mime_action, "%s", ma);
	if (bad == -1 && ph != NULL && (policy_number(ph, &p->pending_hours) ==
	    -1 || (p->pending_hours != 0 && (p->pending_hours <
	    STORE_POLICY_PENDING_HOURS_MIN || p->pending_hours >
	    STORE_POLICY_PENDING_HOURS_MAX))))
		bad = I18N_POLICY_PENDING;
	buf_free(&norm);
	return bad;
}

/* The owners' fields added later (each kept when the form leaves it out):
 * -1 when good, else the i18n label of the first bad one. */
static int
policy_read_mail(const struct form *f, struct group_policy *p)
{
	const char *pre = form_get(f, "subject_prefix"), *rt = form_get(f,
	    "reply_to"), *wd = form_get(f, "digest_weekday"), *hr = form_get(f,
	    "digest_hour"), *tz = form_get(f, "digest_tz");
	struct buf norm = BUF_INIT;
	int bad = -1;
	if (pre != NULL && store_policy_prefix_parse(pre, &norm) == -1)
		bad = I18N_POLICY_PREFIX;
	else if (pre != NULL)
		policy_set_str(&p->subject_prefix, buf_cstr(&norm));
	buf_free(&norm);
	if (bad != -1)
		return bad;
	if (rt != NULL && !policy_in(rt, policy_reply_tos,
	    NELEM(policy_reply_tos)))
		return I18N_POLICY_REPLY_TO;
	if (rt != NULL)
		snprintf(p->reply_to, sizeof p->reply_to, "%s", rt);
	if (wd != NULL && (p->digest.weekday = store_policy_weekday(wd)) < 0)
		return I18N_POLICY_DIGEST_DAY;
	if (hr != NULL && (strlen(hr) > 2 || policy_number(hr,
	    &p->digest.hour) == -1 || p->digest.hour > 23))
		return I18N_POLICY_DIGEST_HOUR;
	if (tz != NULL && !digest_tz_valid(tz))
		return I18N_POLICY_DIGEST_TZ;
	if (tz != NULL)
		snprintf(p->digest.tz, sizeof p->digest.tz, "%s", tz);
	return -1;
}

/* Read the form over the current policy: -1 when every field is good,
 * else the i18n label of the first bad one. */
static int
policy_read(const struct form *f, struct group_policy *p, int owner)
{
	const char *pp = form_get(f, "post_policy");
	if (!policy_in(pp, policy_posts, NELEM(policy_posts)))
		return I18N_POLICY_WHO;
	snprintf(p->post_policy, sizeof p->post_policy, "%s", pp);
	p->first_post_held = form_get(f, "first_post_held") != NULL;
	p->member_notices = form_get(f, "member_notices") != NULL;
	if (policy_number(form_get(f, "max_kib"), &p->max_kib) == -1 ||
	    p->max_kib > STORE_POLICY_KIB_MAX)
		return I18N_POLICY_MAX_KIB;
	if (policy_number(form_get(f, "rate_per_hour"), &p->rate_per_hour) ==
	    -1 || p->rate_per_hour > STORE_POLICY_RATE_MAX)
		return I18N_POLICY_RATE;
	int bad = policy_read_moderation(f, p);
	if (bad != -1 || !owner)
		return bad;
	if ((bad = policy_read_mail(f, p)) != -1)
		return bad;
	const char *lang = form_get(f, "language"), *vis = form_get(f,
	    "visibility"), *desc = form_get(f, "description");
	if (!policy_in(lang, policy_languages, NELEM(policy_languages)))
		return I18N_POLICY_LANGUAGE;
	if (!policy_in(vis, policy_visibilities, NELEM(policy_visibilities)))
		return I18N_POLICY_VISIBILITY;
	snprintf(p->language, sizeof p->language, "%s", lang);
	snprintf(p->visibility, sizeof p->visibility, "%s", vis);
	free(p->description);
	p->description = xstrdup(desc ? desc : "");
	struct buf err = BUF_INIT;
	bad = store_policy_check(p, &err);
	buf_free(&err);
	return bad == -1 ? I18N_POLICY_DESCRIPTION : -1;
}

/* Save the policy form in one audited transaction: 1 saved (or nothing
 * changed), 0 refused with *bad set, -1 error. */
static int
policy_save(struct web_req *w, const struct group *g, int owner, int *bad)
{
	struct db *db = w->e->db;
	struct group_policy old, p;
	struct buf b = BUF_INIT, a = BUF_INIT, err = BUF_INIT;
	if (db_begin(db) == -1)
		return -1;
	int rc = store_policy_get(db, g->id, &old);
	if (rc == 1) {
		if (store_policy_get(db, g->id, &p) != 1)
			rc = -1;
		else {
			*bad = policy_read(session_form(w), &p, owner);
			store_policy_json(&b, &old);
			store_policy_json(&a, &p);
			if (*bad != -1)
				rc = 0;
			else if (strcmp(buf_cstr(&b), buf_cstr(&a)) != 0 &&
			    (store_policy_set(db, g->id, &p, &err) == -1 ||
			    policy_audit(w, g, "group.policy", g->slug,
			    buf_cstr(&b), buf_cstr(&a)) == -1))
				rc = -1;
			store_policy_clear(&p);
		}
		store_policy_clear(&old);
	}
	if (rc == -1 && err.len)
		log_warnx("http: policy of %s: %s", g->slug, buf_cstr(&err));
	buf_free(&b);
	buf_free(&a);
	buf_free(&err);
	if (rc == 1 && db_commit(db) == 0)
		return 1;
	db_rollback(db);
	return rc == 1 ? -1 : rc;
}

/* Add a ban from the form in one audited transaction: 1 added, 0 refused
 * with *msg set, -1 error. */
static int
policy_ban(struct web_req *w, const struct group *g, int *msg)
{
	const struct form *f = session_form(w);
	const char *v = form_get(f, "value"), *err;
	int sub = form_get(f, "subdomains") != NULL;
	struct buf value = BUF_INIT, after = BUF_INIT;
	enum ban_kind kind;
	*msg = I18N_BAN_BAD;
	if (v == NULL || ban_parse(v, &kind, &value, &err) == -1 ||
	    (sub && kind != BAN_DOMAIN)) {
		buf_free(&value);
		return 0;
	}
	if (db_begin(w->e->db) == -1) {
		buf_free(&value);
		return -1;
	}
	int64_t id = store_ban_add(w->e->db, g->id, kind, buf_cstr(&value), sub,
	    w->viewer.email);
	int rc = id > 0 ? 1 : id == -1 ? -1 : 0;
	*msg = id == 0 ? I18N_BAN_EXISTS : I18N_BAN_FULL;
	if (rc == 1) {
		buf_printf(&after, "{\"id\":%lld,\"kind\":\"%s\",\"subdomains\":%s}",
		    (long long)id, ban_kind_name(kind), sub ? "true" : "false");
		if (policy_audit(w, g, "ban.add", buf_cstr(&value), "",
		    buf_cstr(&after)) == -1)
			rc = -1;
	}
	buf_free(&value);
	buf_free(&after);
	if (rc == 1 && db_commit(w->e->db) == 0)
		return 1;
	db_rollback(w->e->db);
	return rc == 1 ? -1 : rc;
}

/* Lift ban id of this group (never another group's or a site-wide one):
 * 1 lifted, 0 no such ban here, -1. */
static int
policy_unban(struct web_req *w, const struct group *g)
{
	int id;
	struct ban_row r;
	struct buf value = BUF_INIT, before = BUF_INIT;
	if (policy_number(form_get(session_form(w), "id"), &id) == -1)
		return 0;
	if (db_begin(w->e->db) == -1)
		return -1;
	int rc = store_ban_get(w->e->db, id, &r);
	if (rc == 1 && r.group_id != g->id)
		rc = 0;
	if (rc == 1) {
		buf_puts(&value, r.value);
		buf_printf(&before, "{\"id\":%d,\"kind\":\"%s\",\"subdomains\":%s}",
		    id, ban_kind_name(r.kind), r.subdomains ? "true" : "false");
		rc = store_ban_remove(w->e->db, id);
	}
	if (rc == 1 && policy_audit(w, g, "ban.remove", buf_cstr(&value),
	    buf_cstr(&before), "") == -1)
		rc = -1;
	buf_free(&value);
	buf_free(&before);
	if (rc == 1 && db_commit(w->e->db) == 0)
		return 1;
	db_rollback(w->e->db);
	return rc == 1 ? -1 : rc;
}

/* The viewer's rights here: -1 answered (sign-in, 404, 500), else 0 with
 * *owner set. */
static int
policy_gate(struct web_req *w, const struct group *g, int *owner)
{
	if (w->viewer.member_id == 0) {
		account_redirect(w, "/login");
		return -1;
	}
	int rc = modperm_check(w->e->db, w->viewer.member_id, w->viewer.is_admin,
	    g->id, MODPERM_BAN);
	int own = rc == 1 ? modperm_check(w->e->db, w->viewer.member_id,
	    w->viewer.is_admin, g->id, MODPERM_MEMBERS) : rc;
	if (rc != 1 || own == -1) {
		httpd_reply_error(w, rc == 0 ? 404 : 500);
		return -1;
	}
	*owner = own;
	return 0;
}

void
mod_policy(struct web_req *w)
{
	const struct group *g = &w->group;
	int owner, rc, msg = -1;
	if (policy_gate(w, g, &owner) == -1)
		return;
	if (!w->post) {
		const char *q = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(
		    w->req));
		policy_page(w, g, owner, 200, q && strcmp(q, "done=1") == 0 ?
		    L(I18N_POLICY_SAVED) : NULL, NULL);
		return;
	}
	const struct form *f = session_form(w);
	const char *act = form_get(f, "action");
	if (act != NULL && strcmp(act, "policy") == 0) {
		for (size_t i = 0; !owner && i < NELEM(policy_owner_fields); i++)
			if (form_get(f, policy_owner_fields[i]) != NULL) {
				httpd_reply_error(w, 403);
				return;
			}
		rc = policy_save(w, g, owner, &msg);
	} else if (act != NULL && strcmp(act, "ban") == 0)
		rc = policy_ban(w, g, &msg);
	else if (act != NULL && strcmp(act, "unban") == 0)
		rc = policy_unban(w, g);
	else {
		httpd_reply_error(w, 400);
		return;
	}
	if (rc == 1) {
		struct buf path = BUF_INIT;
		buf_printf(&path, "/mod/g/%s/policy?done=1", g->slug);
		account_redirect(w, buf_cstr(&path));
		buf_free(&path);
	} else if (rc == 0 && strcmp(act, "unban") == 0)
		httpd_reply_error(w, 404);
	else if (rc == 0 && strcmp(act, "policy") == 0)
		policy_page(w, g, owner, 400, L(I18N_POLICY_BAD),
		    L((enum i18n_msg)msg));
	else if (rc == 0)
		policy_page(w, g, owner, 400, L((enum i18n_msg)msg), NULL);
	else
		httpd_reply_error(w, 500);
}
