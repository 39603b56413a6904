/*
 * Thread operations: move, split, merge, edit the subject; redirects of
 * old thread URLs; moderation links on the thread page (see mod_thread.h).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "daemon/db.h"
#include "daemon/engine.h"
#include "daemon/json.h"
#include "daemon/log.h"
#include "daemon/modperm.h"
#include "daemon/store_group.h"
#include "daemon/store_mod.h"
#include "daemon/store_post.h"
#include "web/access.h"
#include "web/account.h"
#include "web/form.h"
#include "web/html.h"
#include "web/httpd.h"
#include "web/i18n.h"
#include "web/mod_thread.h"
#include "web/session.h"

#define L(m)	i18n_msg(w->lang, (m))

/* What a handler works on: the thread (of the URL, or of the post) and
 * its group's slug. */
struct mt_ctx {
	struct mod_thread	 t;
	struct group		 g;
	int64_t			 post_id;	/* split: the post */
	char			*post_subject;	/* split: its subject */
};

static void
mt_ctx_clear(struct mt_ctx *c)
{
	free(c->t.subject);
	free(c->post_subject);
	store_group_clear(&c->g);
	memset(c, 0, sizeof *c);
}

int
mod_thread_may(struct web_req *w, int64_t group_id)
{
	return modperm_check(w->e->db, w->viewer.member_id, w->viewer.is_admin,
	    group_id, MODPERM_POSTS);
}

/* Load thread_id (not merged away) and its group, and check the viewer
 * moderates it: 0, or the status to answer. */
static int
mt_load(struct web_req *w, int64_t thread_id, struct mt_ctx *c)
{
	int64_t gid, merged;
	int rc = store_mod_thread_where(w->e->db, thread_id, &gid, &merged);
	if (rc == 1 && merged != 0)
		rc = 0;
	if (rc == 1)
		rc = store_mod_thread_get(w->e->db, thread_id, &c->t);
	if (rc == 1)
		rc = mod_thread_may(w, c->t.group_id);
	if (rc == 1)
		rc = store_group_get_id(w->e->db, c->t.group_id, &c->g);
	return rc == 1 ? 0 : rc == 0 ? 404 : 500;
}

/* The start of every handler: signed in, the thread of the URL. 0 when
 * the handler goes on, 1 when answered. */
static int
mt_begin(struct web_req *w, struct mt_ctx *c)
{
	memset(c, 0, sizeof *c);
	if (w->viewer.member_id == 0) {
		account_redirect(w, "/login");
		return 1;
	}
	int code = mt_load(w, w->params.id, c);
	if (code != 0) {
		mt_ctx_clear(c);
		httpd_reply_error(w, code);
		return 1;
	}
	return 0;
}

/* A page: optional notice, the thread's title, then the form body. */
static void
mt_page(struct web_req *w, struct mt_ctx *c, int code, const char *notice,
    const char *title, const char *action, const char *fields)
{
	struct buf html = BUF_INIT;
	if (notice)
		html_printf(&html, "<p class=\"notice\" role=\"status\">%s</p>\n",
		    notice);
	html_printf(&html, "<p><a href=\"/g/%u/t/%D\" dir=\"auto\">%s</a></p>\n"
	    "<form class=\"form\" method=\"post\" action=\"%s\">", c->g.slug,
	    c->t.id, c->t.subject, action);
	session_csrf_input(w, &html);
	html_printf(&html, "%H<p><button>%s</button></p></form>\n", fields,
	    title);
	account_page(w, code, title, buf_cstr(&html));
	buf_free(&html);
}

/* 303 to the thread's page. */
static void
mt_goto(struct web_req *w, const char *slug, int64_t thread_id)
{
	struct buf path = BUF_INIT;
	html_printf(&path, "/g/%u/t/%D", slug, thread_id);
	account_redirect(w, buf_cstr(&path));
	buf_free(&path);
}

/* One audit row with a before and after object of one key each. */
static int
mt_audit(struct web_req *w, const char *action, int64_t group_id,
    const char *target, const char *detail, const char *before,
    const char *after)
{
	return store_mod_audit(w->e->db, w->viewer.email, action, group_id,
	    target, detail, before, after);
}

/* One JSON object of one string member into b. */
static void
mt_json1(struct buf *b, const char *key, const char *value)
{
	struct json j;
	json_init(&j, b);
	json_begin_object(&j);
	json_kv_string(&j, key, value);
	json_end_object(&j);
}

/* After a change (rc 1), its audit rows: target "KIND ID", before and
 * after, in group gid and in group other when that is not 0 nor gid.
 * Frees before and after. Returns rc, or -1 when a row failed. */
static int
mt_audit_change(struct web_req *w, int rc, const char *action,
    const char *kind, int64_t id, const char *detail, int64_t gid,
    int64_t other, struct buf *before, struct buf *after)
{
	struct buf target = BUF_INIT;
	if (rc == 1) {
		buf_printf(&target, "%s %lld", kind, (long long)id);
		if (mt_audit(w, action, gid, buf_cstr(&target), detail,
		    buf_cstr(before), buf_cstr(after)) == -1 ||
		    (other != 0 && other != gid && mt_audit(w, action, other,
		    buf_cstr(&target), detail, buf_cstr(before),
		    buf_cstr(after)) == -1))
			rc = -1;
	}
	buf_free(&target);
	buf_free(before);
	buf_free(after);
	return rc;
}

/* Commit when rc is 1 (1), else roll back (rc, or -1 when a commit or
 * an audit failed). */
static int
mt_end(struct web_req *w, int rc)
{
	if (rc == 1 && db_commit(w->e->db) == 0)
		return 1;
	db_rollback(w->e->db);
	return rc == 1 ? -1 : rc;
}

/* ---- move ---- */

struct mt_groups {
	struct buf	*out;
	int64_t		 skip;
	int		 n;
};

static int
mt_group_option(void *arg, const struct mod_group *mg)
{
	struct mt_groups *o = arg;
	if (mg->id == o->skip)
		return 0;
	html_printf(o->out, "<option value=\"%s\" dir=\"auto\">%s (%s)</option>",
	    mg->slug, mg->name, mg->slug);
	o->n++;
	return 0;
}

static void
mt_move_page(struct web_req *w, struct mt_ctx *c, int code,
    const char *notice)
{
	struct buf f = BUF_INIT, opts = BUF_INIT, action = BUF_INIT;
	struct mt_groups o = { &opts, c->t.group_id, 0 };
	if (store_mod_groups(w->e->db, w->viewer.member_id, w->viewer.is_admin,
	    mt_group_option, &o) == -1) {
		httpd_reply_error(w, 500);
		goto done;
	}
	if (o.n == 0)
		html_printf(&f, "<p>%s</p>", L(I18N_MT_NO_OTHER));
	else
		html_printf(&f, "<label for=\"group\">%s<select id=\"group\" name="
		    "\"group\">%H</select></label>", L(I18N_MOD_GROUP),
		    buf_cstr(&opts));
	html_printf(&action, "/mod/thread/%D/move", c->t.id);
	mt_page(w, c, code, notice, L(I18N_MT_MOVE), buf_cstr(&action),
	    buf_cstr(&f));
done:
	buf_free(&f);
	buf_free(&opts);
	buf_free(&action);
}

/* Move c's thread to g in one transaction with its audit rows (one in
 * each group): 1, 0 already there, 2 a Message-ID clash, -1. */
static int
mt_move_do(struct web_req *w, struct mt_ctx *c, const struct group *g)
{
	struct db *db = w->e->db;
	if (db_begin(db) == -1)
		return -1;
	int64_t clash = store_mod_thread_clashes(db, c->t.id, g->id);
	int rc = clash == -1 ? -1 : clash > 0 ? 2 : store_mod_thread_move(db,
	    c->t.id, g->id);
	struct buf before = BUF_INIT, after = BUF_INIT;
	if (rc == 1) {
		mt_json1(&before, "group", c->g.slug);
		mt_json1(&after, "group", g->slug);
	}
	rc = mt_audit_change(w, rc, "thread.move", "thread", c->t.id,
	    c->t.subject, c->t.group_id, g->id, &before, &after);
	if (rc == 2) {
		db_rollback(db);
		return 2;
	}
	return mt_end(w, rc);
}

void
mod_thread_move(struct web_req *w)
{
	struct mt_ctx c;
	if (mt_begin(w, &c))
		return;
	if (!w->post) {
		mt_move_page(w, &c, 200, NULL);
		mt_ctx_clear(&c);
		return;
	}
	const char *slug = form_get(session_form(w), "group");
	struct group g;
	memset(&g, 0, sizeof g);
	int rc = slug == NULL || *slug == '\0' ? 0 : store_group_get(w->e->db,
	    slug, &g);
	if (rc == 1)
		rc = mod_thread_may(w, g.id);
	if (rc == 0)
		mt_move_page(w, &c, 404, L(I18N_MT_NO_TARGET));
	else if (rc == 1 && g.id == c.t.group_id)
		mt_move_page(w, &c, 409, L(I18N_MOD_ALREADY_SO));
	else if (rc == 1 && (rc = mt_move_do(w, &c, &g)) == 1)
		mt_goto(w, g.slug, c.t.id);
	else if (rc == 2)
		mt_move_page(w, &c, 409, L(I18N_MT_CLASH));
	else if (rc == 0)
		mt_move_page(w, &c, 409, L(I18N_MOD_ALREADY_SO));
	else
		httpd_reply_error(w, 500);
	store_group_clear(&g);
	mt_ctx_clear(&c);
}

/* ---- merge ---- */

static void
mt_merge_page(struct web_req *w, struct mt_ctx *c, int code,
    const char *notice)
{
	struct buf f = BUF_INIT, action = BUF_INIT;
	html_printf(&f, "<label for=\"into\">%s<input id=\"into\" name=\"into\""
	    " inputmode=\"numeric\" pattern=\"[0-9]+\" required></label>",
	    L(I18N_MT_MERGE_INTO));
	html_printf(&action, "/mod/thread/%D/merge", c->t.id);
	mt_page(w, c, code, notice, L(I18N_MT_MERGE), buf_cstr(&action),
	    buf_cstr(&f));
	buf_free(&f);
	buf_free(&action);
}

/* Merge c's thread into d's in one transaction with its audit rows: 1,
 * 0 merged already, 2 a Message-ID clash, -1. */
static int
mt_merge_do(struct web_req *w, struct mt_ctx *c, struct mt_ctx *d)
{
	struct db *db = w->e->db;
	if (db_begin(db) == -1)
		return -1;
	int64_t clash = d->t.group_id == c->t.group_id ? 0 :
	    store_mod_thread_clashes(db, c->t.id, d->t.group_id);
	int64_t moved = 0;
	int rc = clash == -1 ? -1 : clash > 0 ? 2 : store_mod_thread_merge(db,
	    c->t.id, d->t.id, &moved);
	struct buf before = BUF_INIT, after = BUF_INIT;
	if (rc == 1) {
		buf_printf(&before, "{\"thread\":%lld,\"group\":\"%s\"}",
		    (long long)c->t.id, c->g.slug);
		buf_printf(&after, "{\"thread\":%lld,\"group\":\"%s\",\"posts\":"
		    "%lld}", (long long)d->t.id, d->g.slug, (long long)moved);
	}
	rc = mt_audit_change(w, rc, "thread.merge", "thread", c->t.id,
	    c->t.subject, c->t.group_id, d->t.group_id, &before, &after);
	if (rc == 2) {
		db_rollback(db);
		return 2;
	}
	return mt_end(w, rc);
}

/* A replayed merge: the thread of the URL went into `into` already. */
static int
mt_merged_into(struct web_req *w, int64_t into)
{
	int64_t gid, merged;
	return store_mod_thread_where(w->e->db, w->params.id, &gid,
	    &merged) == 1 && merged == into && merged != 0 &&
	    mod_thread_may(w, gid) == 1;
}

void
mod_thread_merge(struct web_req *w)
{
	const char *into = w->post ? form_get(session_form(w), "into") : NULL;
	char *end = NULL;
	long long n = into ? strtoll(into, &end, 10) : 0;
	if (w->post && w->viewer.member_id != 0 && n > 0 && end && *end == '\0'
	    && mt_merged_into(w, n)) {
		struct buf html = BUF_INIT;
		html_printf(&html, "<p class=\"notice\" role=\"status\">%s</p>\n",
		    L(I18N_MOD_ALREADY_SO));
		account_page(w, 409, L(I18N_MT_MERGE), buf_cstr(&html));
		buf_free(&html);
		return;
	}
	struct mt_ctx c, d;
	if (mt_begin(w, &c))
		return;
	memset(&d, 0, sizeof d);
	int rc;
	if (!w->post)
		mt_merge_page(w, &c, 200, NULL);
	else if (into == NULL || n <= 0 || end == NULL || *end != '\0')
		httpd_reply_error(w, 400);
	else if (n == c.t.id)
		mt_merge_page(w, &c, 400, L(I18N_MT_SELF));
	else if ((rc = mt_load(w, n, &d)) != 0)
		mt_merge_page(w, &c, rc == 500 ? 500 : 404, L(I18N_MT_NO_TARGET));
	else if ((rc = mt_merge_do(w, &c, &d)) == 1)
		mt_goto(w, d.g.slug, d.t.id);
	else if (rc == 2)
		mt_merge_page(w, &c, 409, L(I18N_MT_CLASH));
	else if (rc == 0)
		mt_merge_page(w, &c, 409, L(I18N_MOD_ALREADY_SO));
	else
		httpd_reply_error(w, 500);
	mt_ctx_clear(&c);
	mt_ctx_clear(&d);
}

/* ---- subject ---- */

/* 1 when s is a subject a moderator may set. */
static int
mt_subject_ok(const char *s)
{
	size_t len = s ? strlen(s) : 0;
	if (len == 0 || len > MOD_THREAD_SUBJECT_MAX ||
	    !html_utf8_valid(s, len))
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return strspn(s, " ") < len;
}

static void
mt_subject_fields(struct web_req *w, struct buf *f, enum i18n_msg label,
    const char *value)
{
	html_printf(f, "<label for=\"subject\">%s<input id=\"subject\" name="
	    "\"subject\" maxlength=\"%d\" required dir=\"auto\" value=\"%s\">"
	    "</label>", L(label), MOD_THREAD_SUBJECT_MAX, value);
}

static void
mt_subject_page(struct web_req *w, struct mt_ctx *c, int code,
    const char *notice)
{
	struct buf f = BUF_INIT, action = BUF_INIT;
	mt_subject_fields(w, &f, I18N_SUBJECT, c->t.subject);
	html_printf(&action, "/mod/thread/%D/subject", c->t.id);
	mt_page(w, c, code, notice, L(I18N_MT_SUBJECT), buf_cstr(&action),
	    buf_cstr(&f));
	buf_free(&f);
	buf_free(&action);
}

/* Retitle with its audit row: 1, 0 same subject, -1. */
static int
mt_subject_do(struct web_req *w, struct mt_ctx *c, const char *subject)
{
	struct db *db = w->e->db;
	if (db_begin(db) == -1)
		return -1;
	int rc = store_mod_thread_subject(db, c->t.id, subject);
	struct buf before = BUF_INIT, after = BUF_INIT;
	if (rc == 1) {
		mt_json1(&before, "subject", c->t.subject);
		mt_json1(&after, "subject", subject);
	}
	rc = mt_audit_change(w, rc, "thread.subject", "thread", c->t.id, NULL,
	    c->t.group_id, 0, &before, &after);
	return mt_end(w, rc);
}

void
mod_thread_subject(struct web_req *w)
{
	struct mt_ctx c;
	if (mt_begin(w, &c))
		return;
	const char *s = w->post ? form_get(session_form(w), "subject") : NULL;
	int rc;
	if (!w->post)
		mt_subject_page(w, &c, 200, NULL);
	else if (!mt_subject_ok(s))
		mt_subject_page(w, &c, 400, L(I18N_MT_BAD_SUBJECT));
	else if ((rc = mt_subject_do(w, &c, s)) == 1)
		mt_goto(w, c.g.slug, c.t.id);
	else if (rc == 0)
		mt_subject_page(w, &c, 409, L(I18N_MOD_ALREADY_SO));
	else
		httpd_reply_error(w, 500);
	mt_ctx_clear(&c);
}

/* ---- split ---- */

static void
mt_split_page(struct web_req *w, struct mt_ctx *c, int code,
    const char *notice)
{
	struct buf f = BUF_INIT, action = BUF_INIT;
	mt_subject_fields(w, &f, I18N_MT_NEW_SUBJECT, c->post_subject);
	html_printf(&action, "/mod/post/%D/split", c->post_id);
	mt_page(w, c, code, notice, L(I18N_MT_SPLIT), buf_cstr(&action),
	    buf_cstr(&f));
	buf_free(&f);
	buf_free(&action);
}

/* Split with its audit row: 1 (*thread the new one), 0 nothing to split,
 * -1. */
static int
mt_split_do(struct web_req *w, struct mt_ctx *c, const char *subject,
    int64_t *thread)
{
	struct db *db = w->e->db;
	if (db_begin(db) == -1)
		return -1;
	int64_t moved = 0;
	int rc = store_mod_thread_split(db, c->post_id, subject, thread, &moved);
	struct buf before = BUF_INIT, after = BUF_INIT;
	if (rc == 1) {
		buf_printf(&before, "{\"thread\":%lld}", (long long)c->t.id);
		buf_printf(&after, "{\"thread\":%lld,\"posts\":%lld}",
		    (long long)*thread, (long long)moved);
	}
	rc = mt_audit_change(w, rc, "thread.split", "post", c->post_id,
	    subject, c->t.group_id, 0, &before, &after);
	return mt_end(w, rc);
}

void
mod_thread_split(struct web_req *w)
{
	struct mt_ctx c;
	memset(&c, 0, sizeof c);
	if (w->viewer.member_id == 0) {
		account_redirect(w, "/login");
		return;
	}
	struct post p;
	int rc = store_post_get(w->e->db, w->params.id, &p);
	if (rc != 1) {
		httpd_reply_error(w, rc == 0 ? 404 : 500);
		return;
	}
	int code = mt_load(w, p.thread_id, &c);
	c.post_id = p.id;
	c.post_subject = p.subject;
	p.subject = NULL;
	store_post_clear(&p);
	const char *s = w->post ? form_get(session_form(w), "subject") : NULL;
	int64_t thread = 0;
	if (code != 0)
		httpd_reply_error(w, code);
	else if (!w->post)
		mt_split_page(w, &c, 200, NULL);
	else if (!mt_subject_ok(s))
		mt_split_page(w, &c, 400, L(I18N_MT_BAD_SUBJECT));
	else if ((rc = mt_split_do(w, &c, s, &thread)) == 1)
		mt_goto(w, c.g.slug, thread);
	else if (rc == 0)
		mt_split_page(w, &c, 409, L(I18N_MOD_ALREADY_SO));
	else
		httpd_reply_error(w, 500);
	mt_ctx_clear(&c);
}

/* ---- the thread page ---- */

int
mod_thread_redirect(struct web_req *w, const char *suffix)
{
	int64_t gid, merged, id = w->params.id;
	int rc = store_mod_thread_where(w->e->db, id, &gid, &merged);
	if (rc == 1 && merged != 0) {
		id = merged;
		rc = store_mod_thread_where(w->e->db, id, &gid, &merged);
	}
	if (rc != 1 || merged != 0)
		return rc == -1 ? -1 : 0;
	struct group g;
	memset(&g, 0, sizeof g);
	rc = store_group_get_id(w->e->db, gid, &g);
	if (rc == 1)
		rc = access_group_read(w->e->db, &w->viewer, &g);
	if (rc == 1) {
		struct buf path = BUF_INIT, body = BUF_INIT;
		html_printf(&path, "/g/%u/t/%D%s", g.slug, id, suffix);
		html_printf(&body, "<!DOCTYPE html>\n<a href=\"%s\">%s</a>\n",
		    buf_cstr(&path), buf_cstr(&path));
		httpd_header(w, "Location", buf_cstr(&path));
		httpd_reply(w, 301, "text/html; charset=utf-8", &body);
		buf_free(&path);
		buf_free(&body);
	}
	store_group_clear(&g);
	return rc;
}

void
mod_thread_links(struct buf *out, struct web_req *w, int64_t thread_id)
{
	html_printf(out, "<nav aria-label=\"%s\"><ul class=\"tools\">"
	    "<li><a href=\"/mod/thread/%D\">%s</a></li>"
	    "<li><a href=\"/mod/thread/%D/move\">%s</a></li>"
	    "<li><a href=\"/mod/thread/%D/merge\">%s</a></li>"
	    "<li><a href=\"/mod/thread/%D/subject\">%s</a></li></ul></nav>\n",
	    L(I18N_MT_TOOLS), thread_id, L(I18N_MT_MODERATE), thread_id,
	    L(I18N_MT_MOVE), thread_id, L(I18N_MT_MERGE), thread_id,
	    L(I18N_MT_SUBJECT));
}

void
mod_thread_post_links(struct buf *out, struct web_req *w, int64_t post_id,
    int first)
{
	html_printf(out, "<li><a href=\"/mod/post/%D\">%s</a></li>", post_id,
	    L(I18N_MOD_HIDE));
	if (!first)
		html_printf(out, "<li><a href=\"/mod/post/%D/split\">%s</a></li>",
		    post_id, L(I18N_MT_SPLIT));
}
