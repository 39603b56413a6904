/*
 * Web sessions and CSRF protection.
 *
 * Session: the cookie majlis_session holds a random 32-byte token
 * (base64url); the database keeps only its BLAKE2b-256 digest
 * (store_account.h). The cookie is HttpOnly, SameSite=Lax, Path=/, and
 * Secure when the site is served over TLS. A session ends after
 * SESSION_IDLE seconds without a request or SESSION_ABSOLUTE seconds after
 * sign-in, whichever comes first, and at sign-out (deleted server-side).
 *
 * CSRF: every POST to a route whose csrf flag is 1 must carry a field
 * "csrf" that equals (compared in constant time)
 *   - for a signed-in reader, the session's own secret (a synchronizer
 *     token stored with the session, new at every sign-in);
 *   - for an anonymous reader (sign-in, registration, reset forms), a MAC
 *     under the site secret of the pre-session cookie majlis_csrf
 *     (random, HttpOnly), set the first time a form is drawn. A page of
 *     another site can neither read that cookie nor compute the MAC, so it
 *     cannot sign a victim in to the attacker's account (login CSRF).
 *     (A host that can set cookies for this site's domain, a sibling
 *     subdomain, could plant a pre-session cookie it knows; so the
 *     pre-session token is accepted only while no one is signed in, and
 *     signed-in forms take nothing but the session's own secret.)
 * Refusal: 403 page. A body that is not a valid form: 400 (413 over the
 * limits of web/form.h). Only application/x-www-form-urlencoded bodies
 * (or bodies without a Content-Type) are forms; a csrf route answers any
 * other type 400.
 *
 * How a handler uses it (web/httpd.c runs the steps before the handler):
 *
 *	void write_new(struct web_req *w) {
 *		if (w->viewer.member_id == 0) { ...sign-in page... }
 *		if (!w->post) {
 *			html_printf(&page, "<form method=\"post\">");
 *			session_csrf_input(w, &page);   // hidden csrf field
 *			...
 *		} else {
 *			const struct form *f = session_form(w);
 *			const char *body = form_get(f, "body");  // checked
 *			...
 *		}
 *	}
 */
#ifndef MAJLIS_SESSION_H
#define MAJLIS_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/buf.h"

struct web_req;
struct form;

#define SESSION_COOKIE		"majlis_session"
#define SESSION_PRE_COOKIE	"majlis_csrf"
#define SESSION_CSRF_FIELD	"csrf"
#define SESSION_IDLE		(14 * 24 * 3600)	/* seconds unused */
#define SESSION_ABSOLUTE	(30 * 24 * 3600)	/* seconds from sign-in */
#define SESSION_TOUCH_EVERY	300	/* last_seen written at most this often */
#define SESSION_COOKIE_HEADER_MAX 4096	/* bytes of a Cookie header read */
#define SESSION_PEER_MAX	64	/* bytes of a client address */

/* Session step: read the cookie, fill w->viewer (member, admin, name,
 * language, time zone) when a live session matches, else leave the viewer
 * anonymous. Also reads the pre-session cookie and the client address. */
void	session_load(struct web_req *);
/* CSRF step for a POST: parse the form body (kept for session_form), then
 * for a csrf route check its token. 0 to go on, else the HTTP status. */
int	session_csrf_step(struct web_req *);
/* The parsed body of this POST (an empty form for a GET or a body that is
 * not a form). Valid until the response is sent; never NULL. */
const struct form *session_form(struct web_req *);
/* Append <input type="hidden" name="csrf" value="..."> for a form posted
 * back to this site; for an anonymous reader this may set the pre-session
 * cookie, so call it before httpd_reply. */
void	session_csrf_input(struct web_req *, struct buf *html);
/* Sign member_id in: a new session (any previous one of this request is
 * ended), its cookie, and w->viewer filled. Inside the caller's
 * transaction (db_begin), like session_end and session_end_all. 0 or -1. */
int	session_start(struct web_req *, int64_t member_id);
/* Sign out: delete the session server-side and clear the cookie. */
int	session_end(struct web_req *);
/* Sign out everywhere: every session of the member, this one included. */
int	session_end_all(struct web_req *);
/* Free what the steps kept (httpd calls it after the handler). */
void	session_finish(struct web_req *);
/* The client's address ("192.0.2.1", "::1", "local" for a Unix socket),
 * the key of per-client rate limits. Behind a reverse proxy every client
 * arrives from the proxy: when the peer is the Unix socket or loopback, the
 * last address of X-Forwarded-For (the one the proxy added) is taken
 * instead, if it is a valid IP address. A remote peer's header is ignored. */
const char *session_peer(struct web_req *);
/* 1 when the site is served over TLS (cookies get Secure). */
int	session_secure(struct web_req *);

/* Find cookie name in a Cookie header value: copies its value to out and
 * returns 1 when present and shorter than outsz; 0 otherwise. */
int	session_cookie_find(const char *header, const char *name, char *out,
	    size_t outsz);

#endif
