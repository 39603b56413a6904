/*
 * Sign-in, sign-out, registration, claim and password reset (see
 * account.h). Each POST has passed the CSRF step (pre-session token for
 * the anonymous forms) before it reaches these handlers.
 */
#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/account.h"
#include "daemon/config.h"
#include "daemon/db.h"
#include "daemon/engine.h"
#include "daemon/hashq.h"
#include "daemon/log.h"
#include "daemon/password.h"
#include "daemon/store_account.h"
#include "daemon/store_token.h"
#include "daemon/xalloc.h"
#include "web/account.h"
#include "web/form.h"
#include "web/html.h"
#include "web/httpd.h"
#include "web/i18n.h"
#include "web/layout.h"
#include "web/session.h"

/* route handlers (web/routes_account.def) */
void	account_login(struct web_req *);
void	account_logout(struct web_req *);
void	account_logout_all(struct web_req *);
void	account_register(struct web_req *);
void	account_confirm(struct web_req *);
void	account_reset(struct web_req *);
void	account_reset_token(struct web_req *);

#define L(m)	i18n_msg(w->lang, (m))

const struct account_limit account_limits[] = {
	[ACCOUNT_LIM_LOGIN_IP] = { "login-ip:", ACCOUNT_LOGIN_WINDOW,
	    ACCOUNT_LOGIN_IP_MAX },
	[ACCOUNT_LIM_LOGIN_FAIL] = { "login-fail:", ACCOUNT_LOGIN_WINDOW,
	    ACCOUNT_LOGIN_FAIL_MAX },
	[ACCOUNT_LIM_REGISTER_IP] = { "register-ip:", ACCOUNT_REGISTER_WINDOW,
	    ACCOUNT_REGISTER_IP_MAX },
	[ACCOUNT_LIM_REGISTER_EMAIL] = { "register-email:",
	    ACCOUNT_REGISTER_WINDOW, ACCOUNT_REGISTER_EMAIL_MAX },
	[ACCOUNT_LIM_RESET_IP] = { "reset-ip:", ACCOUNT_RESET_WINDOW,
	    ACCOUNT_RESET_IP_MAX },
	[ACCOUNT_LIM_RESET_EMAIL] = { "reset-email:", ACCOUNT_RESET_WINDOW,
	    ACCOUNT_RESET_EMAIL_MAX },
};
const int account_nlimits = (int)(sizeof account_limits /
    sizeof account_limits[0]);

_Static_assert(ACCOUNT_RATE_KEEP >= ACCOUNT_LOGIN_WINDOW && ACCOUNT_RATE_KEEP >=
    ACCOUNT_REGISTER_WINDOW && ACCOUNT_RATE_KEEP >= ACCOUNT_RESET_WINDOW,
    "buckets are kept as long as their window");

void
account_limit_key(struct buf *out, const char *prefix, const char *value)
{
	buf_reset(out);
	buf_puts(out, prefix);
	for (const char *p = value; *p; p++)
		buf_putc(out, (char)tolower((unsigned char)*p));
}

int
account_limit_hit(struct web_req *w, enum account_lim lim, const char *value)
{
	static int64_t last_purge;
	struct db *db = w->e->db;
	int64_t now = db_now();
	if (db_begin(db) == -1)
		return -1;
	if (now - last_purge >= 60) {
		(void)store_rate_purge(db, now - ACCOUNT_RATE_KEEP);
		last_purge = now;
	}
	struct buf key = BUF_INIT;
	const struct account_limit *l = &account_limits[lim];
	account_limit_key(&key, l->prefix, value);
	int rc = store_rate_hit(db, buf_cstr(&key), l->window, l->max, now);
	buf_free(&key);
	if (rc == -1 || db_commit(db) == -1) {
		db_rollback(db);
		return -1;
	}
	if (rc == 0) {
		char secs[24];
		snprintf(secs, sizeof secs, "%lld", (long long)l->window);
		httpd_header(w, "Retry-After", secs);
		log_info("http: rate limit %s crossed", l->prefix);
	}
	return rc;
}

int
account_limit_ok(struct web_req *w, enum account_lim lim, const char *value)
{
	struct buf key = BUF_INIT;
	const struct account_limit *l = &account_limits[lim];
	account_limit_key(&key, l->prefix, value);
	int rc = store_rate_ok(w->e->db, buf_cstr(&key), l->window, l->max,
	    db_now());
	buf_free(&key);
	if (rc == 0) {
		char secs[24];
		snprintf(secs, sizeof secs, "%lld", (long long)l->window);
		httpd_header(w, "Retry-After", secs);
	}
	return rc;
}

void
account_limit_clear(struct web_req *w, enum account_lim lim, const char *value)
{
	struct buf key = BUF_INIT;
	struct db *db = w->e->db;
	account_limit_key(&key, account_limits[lim].prefix, value);
	if (db_begin(db) == 0 && (store_rate_clear(db, buf_cstr(&key)) == -1 ||
	    db_commit(db) == -1))
		db_rollback(db);
	buf_free(&key);
}

void
account_page(struct web_req *w, int code, const char *title, const char *html)
{
	struct buf page = BUF_INIT;
	layout_begin(&page, w, title, NULL);
	html_printf(&page, "<h1>%s</h1>\n%H\n", title, html);
	layout_end(&page, w);
	httpd_header(w, "Cache-Control", "no-store");
	httpd_reply(w, code, "text/html; charset=utf-8", &page);
	buf_free(&page);
}

void
account_redirect(struct web_req *w, const char *path)
{
	struct buf body = BUF_INIT;
	html_printf(&body, "<!DOCTYPE html>\n<a href=\"%s\">%s</a>\n", path,
	    path);
	httpd_header(w, "Location", path);
	httpd_header(w, "Cache-Control", "no-store");
	httpd_reply(w, 303, "text/html; charset=utf-8", &body);
	buf_free(&body);
}

static void
account_error_page(struct web_req *w, int code)
{
	httpd_reply_error(w, code);
}

/* A form field, "" when absent. */
static const char *
account_field(struct web_req *w, const char *name)
{
	const char *v = form_get(session_form(w), name);
	return v ? v : "";
}

/* ---- password work off the loop ---- */

struct account_wait {
	struct web_req		*w;	/* suspended */
	int64_t			 member;
	account_hashed_fn	 fn;
	char			 was[ACCOUNT_HASH_MAX + 1];	/* hash checked */
};

static void
account_hashed(int result, const char *hash, void *arg)
{
	struct account_wait *aw = arg;
	struct web_req *w = aw->w;
	httpd_resume(w);
	if (result == HASHQ_CANCELLED)
		httpd_reply_error(w, 503);
	else
		aw->fn(w, result, hash, aw->member, aw->was);
	httpd_release(&w);
	free(aw);
}

void
account_hash_job(struct web_req *w, enum account_job job, const char *hash,
    const char *pw, const char *new_pw, int64_t member, account_hashed_fn fn)
{
	struct hashq *q = httpd_hashq(w);
	if (q == NULL) {
		httpd_reply_error(w, 503);
		return;
	}
	const char *client = session_peer(w);
	struct account_wait *aw = xcalloc(1, sizeof *aw);
	aw->member = member;
	aw->fn = fn;
	if (hash != NULL)
		xstrlcpy(aw->was, hash, sizeof aw->was);
	int rc = HASHQ_REFUSED;
	switch (job) {
	case ACCOUNT_JOB_HASH:
		rc = hashq_hash(q, client, pw, account_hashed, aw);
		break;
	case ACCOUNT_JOB_VERIFY:
		rc = hashq_verify(q, client, hash, pw, account_hashed, aw);
		break;
	case ACCOUNT_JOB_CHANGE:
		rc = hashq_change(q, client, hash, pw, new_pw, account_hashed,
		    aw);
		break;
	}
	if (rc != 0) {
		free(aw);
		if (rc == HASHQ_REFUSED_CLIENT)
			log_warnx("http: %s has %d password jobs waiting already",
			    client, HASHQ_PER_CLIENT_MAX);
		else
			log_warnx("http: password queue full (%d jobs)",
			    HASHQ_QUEUE_MAX);
		httpd_header(w, "Retry-After", "1");
		httpd_reply_error(w, 503);
		return;
	}
	/* the callback runs from the loop later, never before this */
	aw->w = httpd_suspend(w);
}

static void
account_notice(struct buf *html, const char *cls, const char *text)
{
	if (text != NULL)
		html_printf(html, "<p class=\"%s\" role=\"%s\">%s</p>\n", cls,
		    strcmp(cls, "error") == 0 ? "alert" : "status", text);
}

/* An input with its label; hint may be NULL. */
static void
account_input(struct buf *html, const char *id, const char *label,
    const char *type, const char *value, const char *autocomplete,
    const char *hint, int maxlen)
{
	html_printf(html, "<label for=\"%s\">%s", id, label);
	if (hint != NULL)
		html_printf(html, " <span class=\"hint\">%s</span>", hint);
	html_printf(html, "<input id=\"%s\" name=\"%s\" type=\"%s\" value=\"%s\""
	    " autocomplete=\"%s\" maxlength=\"%d\" required dir=\"auto\">"
	    "</label>\n", id, id, type, value ? value : "", autocomplete, maxlen);
}

/* ---- sign-in ---- */

static void
account_login_form(struct web_req *w, int code, const char *error,
    const char *email)
{
	struct buf html = BUF_INIT;
	account_notice(&html, "error", error);
	html_printf(&html, "<form class=\"form\" method=\"post\" action=\"/login\">");
	session_csrf_input(w, &html);
	account_input(&html, "email", L(I18N_ACC_EMAIL), "email", email,
	    "username", NULL, ACCOUNT_EMAIL_MAX);
	account_input(&html, "password", L(I18N_ACC_PASSWORD), "password", NULL,
	    "current-password", NULL, PASSWORD_MAX);
	html_printf(&html, "<p><button type=\"submit\">%s</button></p></form>\n"
	    "<p><a href=\"/reset\">%s</a></p>\n<p>%s <a href=\"/register\">%s</a>"
	    "</p>\n", L(I18N_ACC_SIGN_IN), L(I18N_ACC_FORGOT),
	    L(I18N_ACC_NO_ACCOUNT), L(I18N_ACC_REGISTER));
	account_page(w, code, L(I18N_ACC_SIGN_IN), buf_cstr(&html));
	buf_free(&html);
}

/* Sign-in, once the password was checked off the loop against was: the
 * session opens only if the account still has that hash, checked in the
 * transaction that opens it (a reset or a password change may have
 * committed while the job waited; the old password must not open a
 * session then). */
static void
account_login_hashed(struct web_req *w, int result, const char *hash,
    int64_t member, const char *was)
{
	const char *email = account_field(w, "email");
	struct db *db = w->e->db;
	int rc = 0;
	(void)hash;
	if (strlen(email) > ACCOUNT_EMAIL_MAX)
		email = "";
	if (result == HASHQ_OK && member != 0) {
		if (db_begin(db) == -1)
			rc = -1;
		else if ((rc = store_account_hash_is(db, member, was)) == 1 &&
		    (session_start(w, member) == -1 || db_commit(db) == -1))
			rc = -1;
		if (rc != 1)
			db_rollback(db);
		if (rc == 0)
			log_info("http: sign-in of member %lld refused: its "
			    "password changed while it was checked",
			    (long long)member);
	}
	if (rc == -1) {
		account_error_page(w, 500);
		return;
	}
	if (rc == 0) {
		(void)account_limit_hit(w, ACCOUNT_LIM_LOGIN_FAIL, email);
		account_login_form(w, 401, L(I18N_ACC_LOGIN_FAILED), email);
		return;
	}
	account_limit_clear(w, ACCOUNT_LIM_LOGIN_FAIL, email);
	log_info("http: member %lld signed in", (long long)member);
	account_redirect(w, "/");
}

void
account_login(struct web_req *w)
{
	if (!w->post) {
		if (w->viewer.member_id != 0)
			account_redirect(w, "/");
		else
			account_login_form(w, 200, NULL, NULL);
		return;
	}
	const char *email = account_field(w, "email");
	const char *pw = account_field(w, "password");
	if (strlen(email) > ACCOUNT_EMAIL_MAX)
		email = "";
	int rc = account_limit_hit(w, ACCOUNT_LIM_LOGIN_IP, session_peer(w));
	if (rc == 1)
		rc = account_limit_ok(w, ACCOUNT_LIM_LOGIN_FAIL, email);
	if (rc != 1) {
		account_error_page(w, rc == 0 ? 429 : 500);
		return;
	}
	struct account a;
	memset(&a, 0, sizeof a);
	rc = *email ? store_account_by_email(w->e->db, email, &a) : 0;
	if (rc == -1) {
		account_error_page(w, 500);
		return;
	}
	/* the same work and the same answer with or without an account */
	account_hash_job(w, ACCOUNT_JOB_VERIFY, rc == 1 && a.has_password ?
	    a.password_hash : "", pw, NULL, rc == 1 ? a.id : 0,
	    account_login_hashed);
}

void
account_logout(struct web_req *w)
{
	struct db *db = w->e->db;
	if (db_begin(db) == -1 || session_end(w) == -1 || db_commit(db) == -1) {
		db_rollback(db);
		account_error_page(w, 500);
		return;
	}
	account_redirect(w, "/");
}

void
account_logout_all(struct web_req *w)
{
	int64_t member = w->viewer.member_id;
	struct db *db = w->e->db;
	if (db_begin(db) == -1 || session_end_all(w) == -1 ||
	    db_commit(db) == -1) {
		db_rollback(db);
		account_error_page(w, 500);
		return;
	}
	if (member != 0)
		log_info("http: member %lld signed out everywhere",
		    (long long)member);
	account_redirect(w, "/");
}

/* ---- mails ---- */

static int
account_send(struct web_req *w, const char *to, enum i18n_msg subject,
    enum i18n_msg text, const char *path, const char *token)
{
	struct buf body = BUF_INIT;
	buf_printf(&body, "%s\n\n%s\n\n  %s%s%s\n\n%s\n", L(I18N_ACC_MAIL_HELLO),
	    L(text), httpd_site_url(w), path, token ? token : "",
	    L(I18N_ACC_MAIL_IGNORE));
	int rc = account_mail(w->e, to, L(subject), buf_cstr(&body));
	buf_free(&body);
	return rc;
}

/* ---- registration ---- */

static void
account_register_form(struct web_req *w, int code, const char *error,
    const char *name, const char *email)
{
	struct buf html = BUF_INIT;
	html_printf(&html, "<p class=\"lead\">%s</p>\n",
	    L(I18N_ACC_REGISTER_INTRO));
	account_notice(&html, "error", error);
	html_printf(&html, "<form class=\"form\" method=\"post\" "
	    "action=\"/register\">");
	session_csrf_input(w, &html);
	account_input(&html, "name", L(I18N_ACC_NAME), "text", name, "name",
	    NULL, ACCOUNT_NAME_MAX);
	account_input(&html, "email", L(I18N_ACC_EMAIL), "email", email, "email",
	    NULL, ACCOUNT_EMAIL_MAX);
	account_input(&html, "password", L(I18N_ACC_PASSWORD), "password", NULL,
	    "new-password", L(I18N_ACC_PASSWORD_HINT), PASSWORD_MAX);
	html_printf(&html, "<p><button type=\"submit\">%s</button></p></form>\n"
	    "<p><a href=\"/login\">%s</a></p>\n", L(I18N_ACC_REGISTER),
	    L(I18N_ACC_SIGN_IN));
	account_page(w, code, L(I18N_ACC_REGISTER), buf_cstr(&html));
	buf_free(&html);
}

static void
account_check_mail(struct web_req *w)
{
	struct buf html = BUF_INIT;
	account_notice(&html, "notice", L(I18N_ACC_CHECK_MAIL_TEXT));
	account_page(w, 200, L(I18N_ACC_CHECK_MAIL), buf_cstr(&html));
	buf_free(&html);
}

/* Registration, once the password was hashed off the loop. */
static void
account_register_hashed(struct web_req *w, int result, const char *hash,
    int64_t member, const char *was)
{
	const char *name = account_field(w, "name");
	const char *email = account_field(w, "email");
	struct db *db = w->e->db;
	char token[TOKEN_LEN + 1];
	struct account a;
	int rc;
	(void)member;
	(void)was;
	if (result != HASHQ_OK || db_begin(db) == -1) {
		account_error_page(w, 500);
		return;
	}
	/* read in the transaction: the address may have got an account
	 * while the password was hashed */
	if ((rc = store_account_by_email(db, email, &a)) == -1) {
		db_rollback(db);
		account_error_page(w, 500);
		return;
	}
	if (rc == 1 && a.has_password) {
		/* an account already: tell its owner, not the visitor */
		if (account_reset_request(db, a.email, token) == -1 ||
		    account_send(w, a.email, I18N_ACC_MAIL_EXISTS_SUBJECT,
		    I18N_ACC_MAIL_EXISTS_TEXT, "/reset/", token) == -1)
			rc = -1;
	} else if (account_register_request(db, email, name, hash,
	    i18n_code(w->lang), token) == -1 || account_send(w, email,
	    I18N_ACC_MAIL_REGISTER_SUBJECT, I18N_ACC_MAIL_REGISTER_TEXT,
	    "/register/", token) == -1)
		rc = -1;
	if (rc == -1 || db_commit(db) == -1) {
		db_rollback(db);
		account_error_page(w, 500);
		return;
	}
	account_check_mail(w);
}

void
account_register(struct web_req *w)
{
	if (!w->post) {
		if (w->viewer.member_id != 0)
			account_redirect(w, "/settings");
		else
			account_register_form(w, 200, NULL, NULL, NULL);
		return;
	}
	const char *name = account_field(w, "name");
	const char *email = account_field(w, "email");
	const char *pw = account_field(w, "password");
	const char *error = NULL;
	if (!account_name_valid(name))
		error = L(I18N_ACC_BAD_NAME);
	else if (!account_email_valid(email))
		error = L(I18N_ACC_BAD_EMAIL);
	else if (!password_acceptable(pw))
		error = L(I18N_ACC_BAD_PASSWORD);
	if (error != NULL) {
		account_register_form(w, 400, error, strlen(name) <=
		    ACCOUNT_NAME_MAX ? name : "", strlen(email) <=
		    ACCOUNT_EMAIL_MAX ? email : "");
		return;
	}
	int rc = account_limit_hit(w, ACCOUNT_LIM_REGISTER_IP, session_peer(w));
	if (rc == 1)
		rc = account_limit_hit(w, ACCOUNT_LIM_REGISTER_EMAIL, email);
	if (rc != 1) {
		account_error_page(w, rc == 0 ? 429 : 500);
		return;
	}
	/* hash in every case, so the time taken does not tell either */
	account_hash_job(w, ACCOUNT_JOB_HASH, NULL, pw, NULL, 0,
	    account_register_hashed);
}

static void
account_link_invalid(struct web_req *w)
{
	struct buf html = BUF_INIT;
	account_notice(&html, "error", L(I18N_ACC_LINK_INVALID));
	account_page(w, 404, L(I18N_NOT_FOUND), buf_cstr(&html));
	buf_free(&html);
}

void
account_confirm(struct web_req *w)
{
	struct db *db = w->e->db;
	struct token_info info;
	int rc = store_token_peek(db, w->params.token, &info);
	if (rc == -1) {
		account_error_page(w, 500);
		return;
	}
	if (rc == 0 || strcmp(info.kind, ACCOUNT_KIND_REGISTER) != 0) {
		account_link_invalid(w);
		return;
	}
	struct buf html = BUF_INIT;
	if (!w->post) {
		html_printf(&html, "<form class=\"form\" method=\"post\"><p>%s "
		    "<strong>%s</strong></p>", L(I18N_ACC_CONFIRM_TEXT), info.email);
		session_csrf_input(w, &html);
		html_printf(&html, "<p><button type=\"submit\">%s</button></p>"
		    "</form>", L(I18N_ACC_CONFIRM));
		account_page(w, 200, L(I18N_ACC_CONFIRM_TITLE), buf_cstr(&html));
		buf_free(&html);
		return;
	}
	int64_t member = 0;
	if (db_begin(db) == -1) {
		account_error_page(w, 500);
		buf_free(&html);
		return;
	}
	rc = account_register_confirm(db, w->params.token, &member);
	if (rc == 1 && session_start(w, member) == -1)
		rc = -1;
	if (rc != 1 || db_commit(db) == -1) {
		db_rollback(db);
		if (rc == 0)
			account_link_invalid(w);
		else
			account_error_page(w, 500);
		buf_free(&html);
		return;
	}
	/* the account's language from now on */
	w->lang = i18n_lang_from_code(w->viewer.lang, w->lang);
	log_info("http: account of member %lld confirmed", (long long)member);
	account_notice(&html, "notice", L(I18N_ACC_WELCOME));
	html_printf(&html, "<p><a href=\"/settings\">%s</a> · <a href=\"/\">%s"
	    "</a></p>", L(I18N_ACC_SETTINGS), L(I18N_GROUPS));
	account_page(w, 200, L(I18N_ACC_CONFIRM_TITLE), buf_cstr(&html));
	buf_free(&html);
}

/* ---- password reset ---- */

static void
account_reset_form(struct web_req *w, int code, const char *error)
{
	struct buf html = BUF_INIT;
	html_printf(&html, "<p class=\"lead\">%s</p>\n", L(I18N_ACC_RESET_INTRO));
	account_notice(&html, "error", error);
	html_printf(&html, "<form class=\"form\" method=\"post\" action=\"/reset\">");
	session_csrf_input(w, &html);
	account_input(&html, "email", L(I18N_ACC_EMAIL), "email", NULL,
	    "username", NULL, ACCOUNT_EMAIL_MAX);
	html_printf(&html, "<p><button type=\"submit\">%s</button></p></form>\n",
	    L(I18N_ACC_SEND));
	account_page(w, code, L(I18N_ACC_RESET_TITLE), buf_cstr(&html));
	buf_free(&html);
}

void
account_reset(struct web_req *w)
{
	if (!w->post) {
		account_reset_form(w, 200, NULL);
		return;
	}
	const char *email = account_field(w, "email");
	if (!account_email_valid(email)) {
		account_reset_form(w, 400, L(I18N_ACC_BAD_EMAIL));
		return;
	}
	int rc = account_limit_hit(w, ACCOUNT_LIM_RESET_IP, session_peer(w));
	if (rc == 1)
		rc = account_limit_hit(w, ACCOUNT_LIM_RESET_EMAIL, email);
	if (rc != 1) {
		account_error_page(w, rc == 0 ? 429 : 500);
		return;
	}
	struct db *db = w->e->db;
	struct account a;
	char token[TOKEN_LEN + 1];
	rc = store_account_by_email(db, email, &a);
	if (rc == 1 && a.has_password) {
		if (db_begin(db) == -1 || account_reset_request(db, a.email,
		    token) == -1 || account_send(w, a.email,
		    I18N_ACC_MAIL_RESET_SUBJECT, I18N_ACC_MAIL_RESET_TEXT,
		    "/reset/", token) == -1 || db_commit(db) == -1) {
			db_rollback(db);
			rc = -1;
		}
	}
	if (rc == -1)
		account_error_page(w, 500);
	else
		account_check_mail(w);
}

static void
account_new_password_form(struct web_req *w, int code, const char *error)
{
	struct buf html = BUF_INIT;
	account_notice(&html, "error", error);
	html_printf(&html, "<form class=\"form\" method=\"post\">");
	session_csrf_input(w, &html);
	account_input(&html, "password", L(I18N_ACC_NEW_PASSWORD), "password",
	    NULL, "new-password", L(I18N_ACC_PASSWORD_HINT), PASSWORD_MAX);
	html_printf(&html, "<p><button type=\"submit\">%s</button></p></form>\n",
	    L(I18N_ACC_SAVE));
	account_page(w, code, L(I18N_ACC_RESET_TITLE), buf_cstr(&html));
	buf_free(&html);
}

/* A new password from a reset link, once hashed off the loop; the link
 * is checked again inside the transaction (a password set since, by
 * another link or the settings page, voided it: see
 * store_account_set_password). */
static void
account_reset_hashed(struct web_req *w, int result, const char *hash,
    int64_t member, const char *was)
{
	struct db *db = w->e->db;
	(void)was;
	if (result != HASHQ_OK || db_begin(db) == -1) {
		account_error_page(w, 500);
		return;
	}
	w->session_id = 0;	/* every session of the member ends below */
	int rc = account_reset_confirm(db, w->params.token, hash, &member);
	if (rc == 1 && session_start(w, member) == -1)
		rc = -1;
	if (rc != 1 || db_commit(db) == -1) {
		db_rollback(db);
		if (rc == 0)
			account_link_invalid(w);
		else
			account_error_page(w, 500);
		return;
	}
	w->lang = i18n_lang_from_code(w->viewer.lang, w->lang);
	struct buf html = BUF_INIT;
	account_notice(&html, "notice", L(I18N_ACC_RESET_DONE));
	html_printf(&html, "<p><a href=\"/\">%s</a></p>", L(I18N_GROUPS));
	account_page(w, 200, L(I18N_ACC_RESET_TITLE), buf_cstr(&html));
	buf_free(&html);
}

void
account_reset_token(struct web_req *w)
{
	struct db *db = w->e->db;
	struct token_info info;
	int rc = store_token_peek(db, w->params.token, &info);
	if (rc == -1) {
		account_error_page(w, 500);
		return;
	}
	if (rc == 0 || strcmp(info.kind, ACCOUNT_KIND_RESET) != 0) {
		account_link_invalid(w);
		return;
	}
	if (!w->post) {
		account_new_password_form(w, 200, NULL);
		return;
	}
	const char *pw = account_field(w, "password");
	if (!password_acceptable(pw)) {
		account_new_password_form(w, 400, L(I18N_ACC_BAD_PASSWORD));
		return;
	}
	account_hash_job(w, ACCOUNT_JOB_HASH, NULL, pw, NULL, 0,
	    account_reset_hashed);
}
