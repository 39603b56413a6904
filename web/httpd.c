/*
 * HTTP server (see httpd.h). Every response carries the security headers;
 * tokens in URLs are checked for shape before any database lookup.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include "daemon/buf.h"
#include "daemon/config.h"
#include "daemon/db.h"
#include "daemon/engine.h"
#include "daemon/log.h"
#include "daemon/store_group.h"
#include "daemon/subscription.h"
#include "daemon/xalloc.h"
#include "web/httpd.h"

#define HTTPD_TOKEN_MAX	64

struct httpd {
	struct engine			*e;
	struct evhttp			*http;
	struct evhttp_bound_socket	*bound;
};

void
httpd_escape(struct buf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': buf_puts(out, "&amp;"); break;
		case '<': buf_puts(out, "&lt;"); break;
		case '>': buf_puts(out, "&gt;"); break;
		case '"': buf_puts(out, "&quot;"); break;
		case '\'': buf_puts(out, "&#39;"); break;
		default: buf_putc(out, *s);
		}
	}
}

static void
httpd_headers(struct evhttp_request *req, const char *type)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "Content-Security-Policy",
	    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self';"
	    " frame-ancestors 'none'; base-uri 'none'");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	evhttp_add_header(h, "X-Frame-Options", "DENY");
	evhttp_add_header(h, "Cache-Control", "no-store");
}

/* A small page: title and body are already HTML. */
static void
httpd_page(struct evhttp_request *req, int code, const char *title,
    const char *body_html)
{
	struct buf page = BUF_INIT;
	buf_puts(&page, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><meta name=\"viewport\" content=\""
	    "width=device-width, initial-scale=1\"><title>");
	buf_puts(&page, title);
	buf_puts(&page, "</title><style>body{font-family:system-ui,sans-serif;"
	    "max-width:36em;margin:2em auto;padding:0 1em;line-height:1.5}"
	    "button{font-size:1em;padding:.5em 1em}</style></head><body><h1>");
	buf_puts(&page, title);
	buf_puts(&page, "</h1>\n");
	buf_puts(&page, body_html);
	buf_puts(&page, "\n</body></html>\n");
	httpd_headers(req, "text/html; charset=utf-8");
	struct evbuffer *out = evbuffer_new();
	evbuffer_add(out, page.data, page.len);
	evhttp_send_reply(req, code, code == 200 ? "OK" : code == 404 ?
	    "Not Found" : code == 405 ? "Method Not Allowed" : code == 400 ?
	    "Bad Request" : "Error", out);
	evbuffer_free(out);
	buf_free(&page);
}

static int
httpd_token_ok(const char *t)
{
	size_t n = strlen(t);
	if (n == 0 || n > HTTPD_TOKEN_MAX)
		return 0;
	for (; *t; t++)
		if (!((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') ||
		    (*t >= '0' && *t <= '9') || *t == '-' || *t == '_'))
			return 0;
	return 1;
}

static void
httpd_healthz(struct httpd *h, struct evhttp_request *req)
{
	int ok = db_int(h->e->db, "SELECT 1", 0, NULL) == 1;
	httpd_headers(req, "text/plain; charset=utf-8");
	struct evbuffer *out = evbuffer_new();
	evbuffer_add_printf(out, "%s\n", ok ? "ok" : "database unavailable");
	evhttp_send_reply(req, ok ? 200 : 503, ok ? "OK" : "Unavailable", out);
	evbuffer_free(out);
}

/* GET shows a confirmation form; POST (the form, or a mail provider's
 * RFC 8058 one-click request) unsubscribes. */
static void
httpd_unsubscribe(struct httpd *h, struct evhttp_request *req,
    const char *token)
{
	struct buf html = BUF_INIT;
	struct membership ms;
	int rc = store_membership_by_token(h->e->db, token, &ms);
	if (rc != 1) {
		httpd_page(req, 404, "Unknown link", "<p>This unsubscribe link is "
		    "unknown or already used: you are not subscribed with it.</p>");
		return;
	}
	struct group g;
	int have_group = store_group_get_id(h->e->db, ms.group_id, &g) == 1;
	if (evhttp_request_get_command(req) == EVHTTP_REQ_GET) {
		buf_puts(&html, "<p>Stop receiving mail from <strong>");
		httpd_escape(&html, have_group ? g.name : "this group");
		buf_puts(&html, "</strong> at <strong>");
		httpd_escape(&html, ms.email);
		buf_puts(&html, "</strong>?</p><form method=\"post\"><input "
		    "type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">"
		    "<button type=\"submit\">Unsubscribe</button></form>");
		httpd_page(req, 200, "Unsubscribe", buf_cstr(&html));
	} else {
		int64_t gid = 0;
		struct buf email = BUF_INIT;
		int ok = db_begin(h->e->db) == 0 &&
		    subscription_unsubscribe_token(h->e->db, token, &gid, &email) != -1 &&
		    db_commit(h->e->db) == 0;
		if (!ok) {
			db_rollback(h->e->db);
			httpd_page(req, 500, "Error", "<p>Please try again.</p>");
		} else {
			buf_puts(&html, "<p>You will receive no more mail from <strong>");
			httpd_escape(&html, have_group ? g.name : "this group");
			buf_puts(&html, "</strong>.</p>");
			httpd_page(req, 200, "Unsubscribed", buf_cstr(&html));
			log_info("one-click unsubscribe: %s", buf_cstr(&email));
		}
		buf_free(&email);
	}
	if (have_group)
		store_group_clear(&g);
	store_membership_clear(&ms);
	buf_free(&html);
}

static void
httpd_confirm(struct httpd *h, struct evhttp_request *req, const char *token)
{
	struct token_info info;
	if (store_token_peek(h->e->db, token, &info) != 1) {
		httpd_page(req, 404, "Unknown link", "<p>This confirmation link is "
		    "unknown, expired or already used. Nothing was changed.</p>");
		return;
	}
	struct buf html = BUF_INIT;
	if (evhttp_request_get_command(req) == EVHTTP_REQ_GET) {
		buf_puts(&html, "<p>Confirm: ");
		httpd_escape(&html, info.kind);
		buf_puts(&html, " <strong>");
		httpd_escape(&html, info.email);
		buf_puts(&html, "</strong>.</p><form method=\"post\"><button "
		    "type=\"submit\">Confirm</button></form>");
		httpd_page(req, 200, "Confirm", buf_cstr(&html));
		buf_free(&html);
		return;
	}
	enum subscription_result r = SUBSCRIPTION_ERROR;
	if (db_begin(h->e->db) == 0) {
		r = subscription_confirm(h->e->db, token, "web", &info);
		if (r == SUBSCRIPTION_ERROR || db_commit(h->e->db) == -1) {
			db_rollback(h->e->db);
			r = SUBSCRIPTION_ERROR;
		}
	}
	const char *msg = r == SUBSCRIPTION_SUBSCRIBED ? "You are now a member." :
	    r == SUBSCRIPTION_UNSUBSCRIBED ? "You have left the group." :
	    r == SUBSCRIPTION_UNCHANGED ? "Nothing needed to change." :
	    r == SUBSCRIPTION_INVALID ? "This link is no longer valid." :
	    "Something went wrong; please try again.";
	buf_printf(&html, "<p>%s</p>", msg);
	httpd_page(req, r == SUBSCRIPTION_ERROR ? 500 : 200, "Confirmation",
	    buf_cstr(&html));
	buf_free(&html);
}

static void
httpd_route(struct evhttp_request *req, void *arg)
{
	struct httpd *h = arg;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	if (path == NULL) {
		httpd_page(req, 400, "Bad request", "");
		return;
	}
	int get = cmd == EVHTTP_REQ_GET || cmd == EVHTTP_REQ_HEAD;
	int post = cmd == EVHTTP_REQ_POST;
	if (strcmp(path, "/healthz") == 0 && get)
		httpd_healthz(h, req);
	else if (strncmp(path, "/u/", 3) == 0 && httpd_token_ok(path + 3) &&
	    (get || post))
		httpd_unsubscribe(h, req, path + 3);
	else if (strncmp(path, "/c/", 3) == 0 && httpd_token_ok(path + 3) &&
	    (get || post))
		httpd_confirm(h, req, path + 3);
	else if (strcmp(path, "/") == 0 && get) {
		struct buf html = BUF_INIT;
		buf_puts(&html, "<p>");
		httpd_escape(&html, h->e->cfg->site_name);
		buf_puts(&html, " runs majlis. The web boards are not enabled in "
		    "this version; the groups work by mail.</p>");
		httpd_page(req, 200, "majlis", buf_cstr(&html));
		buf_free(&html);
	} else
		httpd_page(req, 404, "Not found", "<p>There is nothing here.</p>");
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
	h->http = evhttp_new(e->base);
	evhttp_set_max_headers_size(h->http, HTTPD_MAX_HEADERS_SIZE);
	evhttp_set_max_body_size(h->http, HTTPD_MAX_BODY_SIZE);
	evhttp_set_timeout(h->http, HTTPD_TIMEOUT);
	evhttp_set_allowed_methods(h->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST);
	evhttp_set_default_content_type(h->http, "text/html; charset=utf-8");
	evhttp_set_gencb(h->http, httpd_route, h);
	if (httpd_bind(h, l) == -1)
		fatalx("cannot listen for HTTP on %s", l->text);
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
	evhttp_free(h->http);
	free(h);
	*hp = NULL;
}
