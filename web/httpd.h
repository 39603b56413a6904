/*
 * The HTTP server (libevent evhttp): limits, security headers, and the
 * routes of the mailing-list core — /healthz, one-click unsubscribe
 * (/u/TOKEN, RFC 8058) and subscription confirmation (/c/TOKEN).
 */
#ifndef MAJLIS_HTTPD_H
#define MAJLIS_HTTPD_H

struct engine;
struct httpd;

#define HTTPD_MAX_HEADERS_SIZE	(16 * 1024)
#define HTTPD_MAX_BODY_SIZE	(64 * 1024)
#define HTTPD_TIMEOUT		30	/* seconds of inactivity */

/* Listen on cfg->http_listen (NULL when off); fatal when it cannot. */
struct httpd *httpd_new(struct engine *);
/* Stop accepting requests (shutdown). */
void	httpd_stop(struct httpd *);
void	httpd_free(struct httpd **);
/* Append s to out with &, <, >, " and ' escaped. */
struct buf;
void	httpd_escape(struct buf *out, const char *s);

#endif
