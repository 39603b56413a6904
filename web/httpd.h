/*
 * The HTTP server (libevent evhttp): listener, limits (headers, body, a
 * whole-request deadline per connection), TCP_NODELAY, security headers,
 * and the request pipeline session → permission → CSRF → validation →
 * handler (database, render) over the route table of web/route.c.
 */
#ifndef MAJLIS_HTTPD_H
#define MAJLIS_HTTPD_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/buf.h"
#include "daemon/site.h"
#include "daemon/store_group.h"
#include "web/access.h"
#include "web/form.h"
#include "web/i18n.h"
#include "web/route.h"

struct engine;
struct hashq;
struct pagecache;
struct httpd;
struct evhttp_request;

#define HTTPD_MAX_HEADERS_SIZE	(16 * 1024)
#define HTTPD_MAX_BODY_SIZE	(64 * 1024)
#define HTTPD_TIMEOUT		30	/* seconds of inactivity */
/* Seconds a connection has to send a request and take its response; a
 * client dripping bytes is cut when they run out. Reset after each
 * response on a kept-alive connection. The environment variable
 * MAJLIS_TEST_HTTP_DEADLINE may shorten it (tests), never lengthen it. */
#define HTTPD_DEADLINE		60
#define HTTPD_QUERY_MAX		1024	/* bytes of a query string */
#define HTTPD_PAGE_MAX		100000	/* highest ?page= accepted */

/* One request on its way through the pipeline; handlers receive it. */
struct web_req {
	struct httpd		*h;
	struct engine		*e;
	struct evhttp_request	*req;
	const struct route	*route;
	struct route_params	 params;
	struct viewer		 viewer;
	struct site_settings	 site;		/* loaded per request */
	enum i18n_lang		 lang;
	struct group		 group;		/* ROUTE_PERM_GROUP_READ routes */
	int			 have_group;
	int64_t			 page;		/* ?page=, 1 when absent */
	int			 post;		/* 1 for a POST */
	/* session state (web/session.c) */
	int64_t			 session_id;	/* 0: anonymous */
	char			 csrf[STORE_SESSION_CSRF_MAX + 1];
	char			 pre_csrf[STORE_SESSION_CSRF_MAX + 1];
	char			 peer[64];
	struct form		 form;		/* POST body, see session_form */
	int			 suspended;	/* see httpd_suspend */
};

/* Listen on cfg->http_listen (NULL when off); fatal when it cannot. */
struct httpd *httpd_new(struct engine *);
/* Stop accepting requests (shutdown). */
void	httpd_stop(struct httpd *);
void	httpd_free(struct httpd **);

/* Send body (may be NULL for none) with code and Content-Type type, plus
 * the security headers every response carries. */
void	httpd_reply(struct web_req *, int code, const char *type,
	    const struct buf *body);
/* httpd_reply, handing body's memory to the response instead of copying
 * it; body is left empty (buf_free on it is still fine). */
void	httpd_reply_take(struct web_req *, int code, const char *type,
	    struct buf *body);
/* Send a small page in the reader's language for 400, 403, 404, 405,
 * 413, 429 or 500. */
void	httpd_reply_error(struct web_req *, int code);
/* Add a response header (name and value are ours, never user text with
 * CR or LF: such a value is refused and logged). */
void	httpd_header(struct web_req *, const char *name, const char *value);
/* The request's header value, or NULL. */
const char *httpd_request_header(struct web_req *, const char *name);
/* The site URL (no trailing '/'). */
const char *httpd_site_url(struct web_req *);

/* Keep the request open past its handler, for an answer that comes later
 * from a callback on the loop (a password hash, daemon/hashq.h): returns a
 * heap copy that now owns the request's state (form, group, session); the
 * handler returns at once and httpd neither answers nor frees anything of
 * it. The callback calls httpd_resume before it renders, answers exactly
 * once (httpd_reply...), then httpd_release. If the client went away
 * meanwhile, or its whole-request deadline cut the connection, the answer
 * is dropped by evhttp; the request is freed all the same. */
struct web_req *httpd_suspend(struct web_req *);
/* Back on the loop: per-request state the handler relied on (time zone). */
void	httpd_resume(struct web_req *);
/* After the answer: free what httpd_suspend took over; *wp becomes NULL. */
void	httpd_release(struct web_req **wp);
/* The server's password hashing queue (daemon/hashq.h), its thread
 * started on first use; NULL when it cannot be. */
struct hashq *httpd_hashq(struct web_req *);
/* The server's cache of rendered fragments (web/pagecache.h). */
struct pagecache *httpd_pagecache(struct web_req *);

/* GET /healthz: "ok" when the database answers. */
void	httpd_healthz(struct web_req *);

#endif
