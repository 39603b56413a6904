/*
 * HTTP server (see httpd.h). evhttp reads and parses requests; this file
 * adds what it lacks (a whole-request deadline, TCP_NODELAY, UTF-8 checks)
 * and runs every request through the same pipeline over the route table.
 */
#include <config.h>

#include <ctype.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include "daemon/config.h"
#include "daemon/db.h"
#include "daemon/engine.h"
#include "daemon/hashq.h"
#include "daemon/log.h"
#include "daemon/xalloc.h"
#include "web/html.h"
#include "web/httpd.h"
#include "web/layout.h"
#include "web/pagecache.h"
#include "web/session.h"

#define HTTPD_CONN_BUCKETS	256

/* A connection we watch for its deadline. We hold a reference on its
 * bufferevent, so the pointer stays valid (and the socket open) until the
 * sweep sees that evhttp let go of it (callbacks cleared) and drops it. */
struct hconn {
	struct bufferevent	*bev;
	int64_t			 deadline;	/* monotonic seconds */
	int			 cut;
	struct hconn		*next;
};

struct httpd {
	struct engine			*e;
	int64_t				 deadline;	/* seconds */
	struct evhttp			*http;
	struct evhttp_bound_socket	*bound;
	struct event			*sweep;
	struct hconn			*conns[HTTPD_CONN_BUCKETS];
	struct hashq			*hq;	/* password hashing thread */
	struct pagecache		*pc;	/* rendered fragments */
};

static int64_t
httpd_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

static struct hconn **
httpd_bucket(struct httpd *h, const struct bufferevent *bev)
{
	return &h->conns[((uintptr_t)bev >> 4) % HTTPD_CONN_BUCKETS];
}

/* evhttp asks us for the bufferevent of each accepted connection. */
static struct bufferevent *
httpd_bevcb(struct event_base *base, void *arg)
{
	struct httpd *h = arg;
	struct bufferevent *bev = bufferevent_socket_new(base, -1,
	    BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		return NULL;
	bufferevent_incref(bev);
	struct hconn *c = xcalloc(1, sizeof *c);
	c->bev = bev;
	c->deadline = httpd_mono() + h->deadline;
	struct hconn **b = httpd_bucket(h, bev);
	c->next = *b;
	*b = c;
	return bev;
}

/* Once a second: release connections evhttp has freed, cut those past
 * their deadline (shutdown makes evhttp see EOF and free them). */
static void
httpd_sweep(evutil_socket_t fd, short what, void *arg)
{
	struct httpd *h = arg;
	int64_t now = httpd_mono();
	(void)fd;
	(void)what;
	for (int i = 0; i < HTTPD_CONN_BUCKETS; i++) {
		for (struct hconn **pp = &h->conns[i]; *pp != NULL;) {
			struct hconn *c = *pp;
			bufferevent_data_cb r, w;
			bufferevent_event_cb ev;
			bufferevent_getcb(c->bev, &r, &w, &ev, NULL);
			if (r == NULL && w == NULL && ev == NULL) {
				*pp = c->next;
				bufferevent_decref(c->bev);
				free(c);
				continue;
			}
			if (now >= c->deadline && !c->cut) {
				evutil_socket_t s = bufferevent_getfd(c->bev);
				if (s != -1)
					shutdown(s, SHUT_RDWR);
				c->cut = 1;
				log_debug("http: connection past its deadline cut");
			}
			pp = &c->next;
		}
	}
}

/* A response went out on this connection: the next request gets a fresh
 * deadline; set TCP_NODELAY (evhttp does not) before the first write. */
static void
httpd_conn_touch(struct httpd *h, struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	if (evcon == NULL)
		return;
	struct bufferevent *bev = evhttp_connection_get_bufferevent(evcon);
	for (struct hconn *c = *httpd_bucket(h, bev); c != NULL; c = c->next)
		if (c->bev == bev) {
			c->deadline = httpd_mono() + h->deadline;
			break;
		}
	int one = 1;
	evutil_socket_t s = bufferevent_getfd(bev);
	if (s != -1)
		(void)setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

void
httpd_header(struct web_req *w, const char *name, const char *value)
{
	if (strpbrk(value, "\r\n") != NULL) {
		log_warnx("http: header %s with a line break refused", name);
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(w->req), name,
	    value);
}

const char *
httpd_request_header(struct web_req *w, const char *name)
{
	return evhttp_find_header(evhttp_request_get_input_headers(w->req),
	    name);
}

const char *
httpd_site_url(struct web_req *w)
{
	return w->e->cfg->site_url;
}

static const char *
httpd_reason(int code)
{
	switch (code) {
	case 200: return "OK";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Payload Too Large";
	case 429: return "Too Many Requests";
	case 503: return "Unavailable";
	default: return "Error";
	}
}

static void
httpd_reply_headers(struct web_req *w, int code, const char *type)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(w->req);
	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "Content-Security-Policy", "default-src 'none';"
	    " style-src 'self'; img-src 'self'; form-action 'self';"
	    " frame-ancestors 'none'; base-uri 'none'");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Referrer-Policy", "same-origin");
	evhttp_add_header(h, "X-Frame-Options", "DENY");
	if (evhttp_find_header(h, "Cache-Control") == NULL)
		evhttp_add_header(h, "Cache-Control", w->viewer.member_id ?
		    "private, no-cache" : "no-cache");
	evhttp_add_header(h, "Vary", "Cookie");
	if (code == 405)
		evhttp_add_header(h, "Allow", (w->route && w->route->methods &
		    ROUTE_POST) ? "GET, HEAD, POST" : "GET, HEAD");
	httpd_conn_touch(w->h, w->req);
}

void
httpd_reply(struct web_req *w, int code, const char *type,
    const struct buf *body)
{
	httpd_reply_headers(w, code, type);
	struct evbuffer *out = evbuffer_new();
	if (body != NULL && body->len > 0)
		evbuffer_add(out, body->data, body->len);
	evhttp_send_reply(w->req, code, httpd_reason(code), out);
	evbuffer_free(out);
}

static void
httpd_body_free(const void *data, size_t len, void *arg)
{
	(void)len;
	(void)arg;
	free((void *)data);
}

void
httpd_reply_take(struct web_req *w, int code, const char *type,
    struct buf *body)
{
	httpd_reply_headers(w, code, type);
	struct evbuffer *out = evbuffer_new();
	if (body->len > 0) {
		size_t len = body->len;
		char *data = buf_steal(body);
		if (evbuffer_add_reference(out, data, len, httpd_body_free,
		    NULL) == -1)
			free(data);
	}
	evhttp_send_reply(w->req, code, httpd_reason(code), out);
	evbuffer_free(out);
}

void
httpd_reply_error(struct web_req *w, int code)
{
	enum i18n_msg title = I18N_ERROR, text = I18N_ERROR_TEXT;
	if (code == 404) {
		title = I18N_NOT_FOUND;
		text = I18N_NOT_FOUND_TEXT;
	} else if (code == 413) {
		title = I18N_BAD_REQUEST;
		text = I18N_TOO_LARGE_TEXT;
	} else if (code == 400 || code == 405) {
		title = I18N_BAD_REQUEST;
		text = I18N_BAD_REQUEST_TEXT;
	} else if (code == 403 && w->route != NULL &&
	    w->route->perm == ROUTE_PERM_REGISTRATION && !w->site.registration) {
		title = I18N_SITE_CLOSED;
		text = I18N_SITE_CLOSED_TEXT;
	} else if (code == 403) {
		title = I18N_ACC_FORBIDDEN;
		text = I18N_ACC_FORBIDDEN_TEXT;
	} else if (code == 429) {
		title = I18N_ACC_TOO_MANY;
		text = I18N_ACC_TOO_MANY_TEXT;
	}
	struct buf page = BUF_INIT;
	layout_begin(&page, w, i18n_msg(w->lang, title), NULL);
	html_printf(&page, "<h1>%s</h1>\n<p>%s</p>\n", i18n_msg(w->lang, title),
	    i18n_msg(w->lang, text));
	layout_end(&page, w);
	httpd_reply(w, code, "text/html; charset=utf-8", &page);
	buf_free(&page);
}

void
httpd_healthz(struct web_req *w)
{
	struct buf out = BUF_INIT;
	int ok = db_int(w->e->db, "SELECT 1", 0, NULL) == 1;
	buf_puts(&out, ok ? "ok\n" : "database unavailable\n");
	httpd_header(w, "Cache-Control", "no-store");
	httpd_reply(w, ok ? 200 : 503, "text/plain; charset=utf-8", &out);
	buf_free(&out);
}

/* Percent-decode a query component (+ is a space); -1 when broken. */
static int
httpd_query_decode(const char *s, size_t n, struct buf *out)
{
	buf_reset(out);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+')
			buf_putc(out, ' ');
		else if (s[i] != '%')
			buf_putc(out, s[i]);
		else {
			char hex[3] = { 0, 0, 0 };
			if (n - i < 3 || !isxdigit((unsigned char)s[i + 1]) ||
			    !isxdigit((unsigned char)s[i + 2]))
				return -1;
			memcpy(hex, s + i + 1, 2);
			buf_putc(out, (char)strtol(hex, NULL, 16));
			i += 2;
		}
	}
	return html_utf8_valid(buf_cstr(out), out->len) ? 0 : -1;
}

/* Validation step: every parameter must decode to UTF-8 without NUL;
 * page must be 1..HTTPD_PAGE_MAX. Returns 0 or -1 (answer 400). */
static int
httpd_query(struct web_req *w)
{
	const char *q = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(
	    w->req));
	w->page = 1;
	if (q == NULL)
		return 0;
	if (strlen(q) > HTTPD_QUERY_MAX)
		return -1;
	struct buf key = BUF_INIT, val = BUF_INIT;
	int rc = 0;
	for (const char *p = q; *p && rc == 0;) {
		size_t n = strcspn(p, "&");
		const char *eq = memchr(p, '=', n);
		size_t kn = eq ? (size_t)(eq - p) : n;
		if (httpd_query_decode(p, kn, &key) == -1 || (eq &&
		    httpd_query_decode(eq + 1, n - kn - 1, &val) == -1))
			rc = -1;
		else if (strcmp(buf_cstr(&key), "page") == 0) {
			const char *v = eq ? buf_cstr(&val) : "";
			size_t len = strlen(v);
			if (len == 0 || len > 6 || strspn(v, "0123456789") != len ||
			    (w->page = atol(v)) < 1 || w->page > HTTPD_PAGE_MAX)
				rc = -1;
		}
		p += n;
		if (*p == '&')
			p++;
	}
	buf_free(&key);
	buf_free(&val);
	return rc;
}

/* Permission step for routes about one group: unknown and forbidden groups
 * both answer 404. Returns 0 to go on, or the status to answer. */
static int
httpd_permission(struct web_req *w)
{
	if (w->route->perm == ROUTE_PERM_REGISTRATION)
		return w->site.registration ? 0 : 403;
	if (w->route->perm != ROUTE_PERM_GROUP_READ)
		return 0;
	int rc = store_group_get(w->e->db, w->params.slug, &w->group);
	if (rc == -1)
		return 500;
	if (rc == 0)
		return 404;
	w->have_group = 1;
	rc = access_group_read(w->e->db, &w->viewer, &w->group);
	if (rc != 1)
		return rc == 0 ? 404 : 500;
	/* only now: a refusal must not answer in the group's language; the
	 * account's language, when there is one, comes first */
	if (w->viewer.lang[0] == '\0')
		w->lang = i18n_pick(httpd_request_header(w, "Accept-Language"),
		    i18n_lang_from_code(w->group.language, I18N_EN));
	return 0;
}

/* Session step: the viewer from the session cookie (web/session.c); the
 * language of the account, when signed in, before Accept-Language. */
static void
httpd_session(struct web_req *w)
{
	session_load(w);
	if (w->viewer.lang[0] != '\0')
		w->lang = i18n_lang_from_code(w->viewer.lang, w->lang);
	i18n_set_zone(w->viewer.tz[0] ? w->viewer.tz : NULL);
}

/* CSRF step: parse a POST's form body; a POST to a route with the flag
 * needs the token of the session, or of the pre-session for an anonymous
 * form (web/session.h). 0, or the status to answer. */
static int
httpd_csrf(struct web_req *w)
{
	return session_csrf_step(w);
}

static void
httpd_dispatch(struct evhttp_request *req, void *arg)
{
	struct web_req w;
	memset(&w, 0, sizeof w);
	w.h = arg;
	w.e = w.h->e;
	w.req = req;
	(void)site_current(w.e->db, w.e->cfg, &w.site);
	w.lang = i18n_pick(httpd_request_header(&w, "Accept-Language"),
	    i18n_lang_from_code(w.site.language, I18N_EN));
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	int method = cmd == EVHTTP_REQ_POST ? ROUTE_POST : ROUTE_GET;
	w.post = cmd == EVHTTP_REQ_POST;
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	int code = 0;
	switch (route_match(route_table, route_count(), method, path, &w.route,
	    &w.params)) {
	case ROUTE_OK: break;
	case ROUTE_NOT_FOUND: code = 404; break;
	case ROUTE_BAD_METHOD: code = 405; break;
	case ROUTE_BAD_PATH: code = 404; break;	/* nothing lives there */
	}
	if (code == 0) {
		httpd_session(&w);
		code = httpd_permission(&w);
	}
	if (code == 0)
		code = httpd_csrf(&w);
	if (code == 0 && httpd_query(&w) == -1)
		code = 400;
	if (code == 0)
		w.route->handler(&w);
	else
		httpd_reply_error(&w, code);
	if (w.suspended) {	/* the copy owns the rest: httpd_release */
		i18n_set_zone(NULL);
		return;
	}
	if (w.have_group)
		store_group_clear(&w.group);
	session_finish(&w);
	i18n_set_zone(NULL);
}

struct web_req *
httpd_suspend(struct web_req *w)
{
	struct web_req *c = xmalloc(sizeof *c);
	*c = *w;
	w->suspended = 1;
	return c;
}

void
httpd_resume(struct web_req *w)
{
	i18n_set_zone(w->viewer.tz[0] ? w->viewer.tz : NULL);
}

void
httpd_release(struct web_req **wp)
{
	struct web_req *w = *wp;
	if (w == NULL)
		return;
	if (w->have_group)
		store_group_clear(&w->group);
	session_finish(w);
	i18n_set_zone(NULL);
	free(w);
	*wp = NULL;
}

struct hashq *
httpd_hashq(struct web_req *w)
{
	/* the thread starts on first use, long after start-up dropped
	 * privileges (the engine binds its ports as root, then setuid) */
	if (w->h->hq == NULL)
		w->h->hq = hashq_new(w->e->base);
	return w->h->hq;
}

struct pagecache *
httpd_pagecache(struct web_req *w)
{
	return w->h->pc;
}

static int
httpd_bind(struct httpd *h, const struct config_listen *l)
{
	if (l->kind == CONFIG_LISTEN_TCP) {
		h->bound = evhttp_bind_socket_with_handle(h->http, l->host,
		    (ev_uint16_t)atoi(l->port));
		return h->bound ? 0 : -1;
	}
	struct sockaddr_un sun;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(l->path) >= sizeof sun.sun_path)
		return -1;
	memcpy(sun.sun_path, l->path, strlen(l->path));
	unlink(l->path);
	struct evconnlistener *lis = evconnlistener_new_bind(h->e->base, NULL,
	    NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 128,
	    (struct sockaddr *)&sun, sizeof sun);
	if (lis == NULL)
		return -1;
	h->bound = evhttp_bind_listener(h->http, lis);
	return h->bound ? 0 : -1;
}

struct httpd *
httpd_new(struct engine *e)
{
	const struct config_listen *l = &e->cfg->http_listen;
	if (l->kind == CONFIG_LISTEN_OFF)
		return NULL;
	struct httpd *h = xcalloc(1, sizeof *h);
	h->e = e;
	h->deadline = HTTPD_DEADLINE;
	const char *d = getenv("MAJLIS_TEST_HTTP_DEADLINE");
	if (d != NULL && atoi(d) > 0 && atoi(d) < HTTPD_DEADLINE)
		h->deadline = atoi(d);
	h->http = evhttp_new(e->base);
	evhttp_set_max_headers_size(h->http, HTTPD_MAX_HEADERS_SIZE);
	evhttp_set_max_body_size(h->http, HTTPD_MAX_BODY_SIZE);
	evhttp_set_timeout(h->http, HTTPD_TIMEOUT);
	evhttp_set_flags(h->http, EVHTTP_SERVER_LINGERING_CLOSE);
	evhttp_set_allowed_methods(h->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST);
	evhttp_set_default_content_type(h->http, "text/html; charset=utf-8");
	evhttp_set_bevcb(h->http, httpd_bevcb, h);
	evhttp_set_gencb(h->http, httpd_dispatch, h);
	if (httpd_bind(h, l) == -1)
		fatalx("cannot listen for HTTP on %s", l->text);
	h->pc = pagecache_new(PAGECACHE_ENTRIES, PAGECACHE_BYTES);
	h->sweep = event_new(e->base, -1, EV_PERSIST, httpd_sweep, h);
	struct timeval one = { 1, 0 };
	event_add(h->sweep, &one);
	log_info("HTTP listening on %s", l->text);
	return h;
}

void
httpd_stop(struct httpd *h)
{
	if (h->bound) {
		evhttp_del_accept_socket(h->http, h->bound);
		h->bound = NULL;
	}
}

void
httpd_free(struct httpd **hp)
{
	struct httpd *h = *hp;
	if (h == NULL)
		return;
	/* requests waiting on a hash are answered 503 while evhttp lives */
	hashq_free(&h->hq);
	pagecache_free(&h->pc);
	evhttp_free(h->http);
	event_free(h->sweep);
	for (int i = 0; i < HTTPD_CONN_BUCKETS; i++)
		while (h->conns[i] != NULL) {
			struct hconn *c = h->conns[i];
			h->conns[i] = c->next;
			bufferevent_decref(c->bev);
			free(c);
		}
	free(h);
	*hp = NULL;
}
