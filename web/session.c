/*
 * Sessions and CSRF tokens (see session.h).
 */
#include <config.h>

#include <string.h>
#include <strings.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "daemon/config.h"
#include "daemon/db.h"
#include "daemon/engine.h"
#include "daemon/log.h"
#include "daemon/password.h"
#include "daemon/store_account.h"
#include "daemon/token.h"
#include "daemon/xalloc.h"
#include "web/form.h"
#include "web/html.h"
#include "web/httpd.h"
#include "web/session.h"

_Static_assert(PASSWORD_TOKEN_LEN <= STORE_SESSION_CSRF_MAX,
    "CSRF secrets are tokens");
_Static_assert(SESSION_PEER_MAX <= sizeof(((struct web_req *)0)->peer),
    "peer buffer");

#define SESSION_PRE_MAC_LEN	42	/* chars of the pre-session MAC */

int
session_cookie_find(const char *header, const char *name, char *out,
    size_t outsz)
{
	if (header == NULL)
		return 0;
	size_t nl = strlen(name), len = strnlen(header,
	    SESSION_COOKIE_HEADER_MAX);
	const char *p = header, *end = header + len;
	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == ';'))
			p++;
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *stop = semi ? semi : end;
		const char *eq = memchr(p, '=', (size_t)(stop - p));
		if (eq != NULL && (size_t)(eq - p) == nl && memcmp(p, name, nl) == 0) {
			const char *v = eq + 1;
			size_t vn = (size_t)(stop - v);
			while (vn > 0 && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
				vn--;
			if (vn >= outsz)
				return 0;
			memcpy(out, v, vn);
			out[vn] = '\0';
			return 1;
		}
		p = stop;
	}
	return 0;
}

int
session_secure(struct web_req *w)
{
	const struct config *cfg = w->e->cfg;
	return (cfg->http_tls && cfg->tls_cert != NULL) || (cfg->site_url &&
	    strncasecmp(cfg->site_url, "https:", 6) == 0);
}

static void
session_set_cookie(struct web_req *w, const char *name, const char *value,
    int64_t max_age)
{
	struct buf c = BUF_INIT;
	buf_printf(&c, "%s=%s; Path=/; HttpOnly; SameSite=Lax", name, value);
	if (max_age >= 0)
		buf_printf(&c, "; Max-Age=%lld", (long long)max_age);
	if (session_secure(w))
		buf_puts(&c, "; Secure");
	httpd_header(w, "Set-Cookie", buf_cstr(&c));
	buf_free(&c);
}

static void
session_fill_viewer(struct web_req *w, const struct account *a)
{
	struct viewer *v = &w->viewer;
	memset(v, 0, sizeof *v);
	v->member_id = a->id;
	v->is_admin = a->is_admin;
	xstrlcpy(v->name, a->name, sizeof v->name);
	xstrlcpy(v->email, a->email, sizeof v->email);
	xstrlcpy(v->lang, a->locale, sizeof v->lang);
	xstrlcpy(v->tz, a->timezone, sizeof v->tz);
}

/* The last address of an X-Forwarded-For value (the one the nearest proxy
 * added), into out when it is a valid IPv4 or IPv6 address. */
static int
session_forwarded(const char *xff, char *out, size_t outsz)
{
	const char *comma = strrchr(xff, ',');
	const char *p = comma ? comma + 1 : xff;
	while (*p == ' ' || *p == '\t')
		p++;
	size_t n = strcspn(p, " \t");
	char addr[SESSION_PEER_MAX];
	unsigned char bin[sizeof(struct in6_addr)];
	if (n == 0 || n >= sizeof addr || n >= outsz)
		return 0;
	memcpy(addr, p, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, bin) != 1 &&
	    inet_pton(AF_INET6, addr, bin) != 1)
		return 0;
	memcpy(out, addr, n + 1);
	return 1;
}

const char *
session_peer(struct web_req *w)
{
	if (w->peer[0] == '\0') {
		struct evhttp_connection *evcon =
		    evhttp_request_get_connection(w->req);
		char *addr = NULL;
		ev_uint16_t port = 0;
		if (evcon != NULL)
			evhttp_connection_get_peer(evcon, &addr, &port);
		xstrlcpy(w->peer, addr && *addr ? addr : "local",
		    SESSION_PEER_MAX);
		const char *xff = httpd_request_header(w, "X-Forwarded-For");
		if (xff != NULL && (strcmp(w->peer, "local") == 0 ||
		    strcmp(w->peer, "127.0.0.1") == 0 ||
		    strcmp(w->peer, "::1") == 0))
			(void)session_forwarded(xff, w->peer, SESSION_PEER_MAX);
	}
	return w->peer;
}

void
session_load(struct web_req *w)
{
	memset(&w->viewer, 0, sizeof w->viewer);
	w->session_id = 0;
	w->csrf[0] = w->pre_csrf[0] = '\0';
	const char *cookies = httpd_request_header(w, "Cookie");
	char tok[PASSWORD_TOKEN_LEN + 2];
	if (session_cookie_find(cookies, SESSION_PRE_COOKIE, tok, sizeof tok) &&
	    password_token_wellformed(tok))
		xstrlcpy(w->pre_csrf, tok, sizeof w->pre_csrf);
	if (!session_cookie_find(cookies, SESSION_COOKIE, tok, sizeof tok) ||
	    !password_token_wellformed(tok))
		return;
	char digest[PASSWORD_DIGEST_LEN + 1];
	password_token_digest(tok, digest);
	struct session_row s;
	int64_t now = db_now();
	int rc = store_session_get(w->e->db, digest, now, SESSION_IDLE, &s);
	if (rc == 0)	/* ended or expired: the browser may forget it */
		session_set_cookie(w, SESSION_COOKIE, "", 0);
	if (rc != 1)
		return;
	w->session_id = s.id;
	xstrlcpy(w->csrf, s.csrf, sizeof w->csrf);
	session_fill_viewer(w, &s.account);
	if (now - s.last_seen >= SESSION_TOUCH_EVERY && db_begin(w->e->db) == 0 &&
	    (store_session_touch(w->e->db, s.id, now) == -1 ||
	    db_commit(w->e->db) == -1))
		db_rollback(w->e->db);
}

/* The value a form of an anonymous reader carries: a MAC of the
 * pre-session cookie under the site secret. */
static void
session_pre_mac(struct web_req *w, char out[SESSION_PRE_MAC_LEN + 1])
{
	struct buf msg = BUF_INIT;
	buf_printf(&msg, "pre-session-csrf:%s", w->pre_csrf);
	token_mac(w->e->secret, buf_cstr(&msg), out, SESSION_PRE_MAC_LEN);
	buf_free(&msg);
}

void
session_csrf_input(struct web_req *w, struct buf *html)
{
	char mac[SESSION_PRE_MAC_LEN + 1];
	const char *value = w->csrf;
	if (w->session_id == 0) {
		if (w->pre_csrf[0] == '\0') {
			password_token(w->pre_csrf);
			session_set_cookie(w, SESSION_PRE_COOKIE, w->pre_csrf, -1);
		}
		session_pre_mac(w, mac);
		value = mac;
	}
	html_printf(html, "<input type=\"hidden\" name=\"%s\" value=\"%s\">",
	    SESSION_CSRF_FIELD, value);
}

static int
session_is_form(struct web_req *w)
{
	const char *ct = httpd_request_header(w, "Content-Type");
	static const char urlenc[] = "application/x-www-form-urlencoded";
	if (ct == NULL)
		return 1;
	if (strncasecmp(ct, urlenc, sizeof urlenc - 1) != 0)
		return 0;
	ct += sizeof urlenc - 1;
	return *ct == '\0' || *ct == ';' || *ct == ' ';
}

int
session_csrf_step(struct web_req *w)
{
	if (!w->post)
		return 0;
	int csrf = w->route != NULL && w->route->csrf;
	if (!session_is_form(w))
		return csrf ? 400 : 0;
	struct evbuffer *in = evhttp_request_get_input_buffer(w->req);
	size_t len = evbuffer_get_length(in);
	const char *body = len ? (const char *)evbuffer_pullup(in, -1) : "";
	enum form_result fr = form_parse(&w->form, body, len);
	if (fr != FORM_OK) {
		form_clear(&w->form);
		if (csrf)
			return fr == FORM_TOO_BIG ? 413 : 400;
		return 0;
	}
	if (!csrf)
		return 0;
	const char *tok = form_get(&w->form, SESSION_CSRF_FIELD);
	if (tok == NULL)
		return 403;
	if (w->session_id != 0)
		return w->csrf[0] && token_equal(tok, w->csrf) ? 0 : 403;
	if (w->pre_csrf[0] == '\0')
		return 403;
	char mac[SESSION_PRE_MAC_LEN + 1];
	session_pre_mac(w, mac);
	return token_equal(tok, mac) ? 0 : 403;
}

const struct form *
session_form(struct web_req *w)
{
	return &w->form;
}

int
session_start(struct web_req *w, int64_t member_id)
{
	struct db *db = w->e->db;
	char tok[PASSWORD_TOKEN_LEN + 1], digest[PASSWORD_DIGEST_LEN + 1];
	char csrf[PASSWORD_TOKEN_LEN + 1];
	struct account a;
	int64_t now = db_now();
	if (w->session_id != 0 && store_session_delete(db, w->session_id) == -1)
		return -1;
	w->session_id = 0;
	(void)store_session_purge(db, now, SESSION_IDLE);
	if (store_account_by_id(db, member_id, &a) != 1)
		return -1;
	password_token(tok);
	password_token(csrf);
	password_token_digest(tok, digest);
	int64_t id = store_session_add(db, digest, member_id, now,
	    now + SESSION_ABSOLUTE, csrf);
	if (id == -1)
		return -1;
	w->session_id = id;
	xstrlcpy(w->csrf, csrf, sizeof w->csrf);
	session_fill_viewer(w, &a);
	session_set_cookie(w, SESSION_COOKIE, tok, SESSION_ABSOLUTE);
	return 0;
}

int
session_end_all(struct web_req *w)
{
	if (w->viewer.member_id != 0 && store_session_delete_member(w->e->db,
	    w->viewer.member_id) == -1)
		return -1;
	w->session_id = 0;
	return session_end(w);
}

int
session_end(struct web_req *w)
{
	int rc = 0;
	if (w->session_id != 0)
		rc = store_session_delete(w->e->db, w->session_id);
	session_set_cookie(w, SESSION_COOKIE, "", 0);
	w->session_id = 0;
	w->csrf[0] = '\0';
	memset(&w->viewer, 0, sizeof w->viewer);
	return rc;
}

void
session_finish(struct web_req *w)
{
	form_clear(&w->form);
}
