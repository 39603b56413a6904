/*
 * bench/webceiling: the ceiling of bench/web, a minimal evhttp server that
 * answers every request with the same fixed HTML page of SIZE bytes (no
 * database, no rendering), with TCP_NODELAY like majlisd.
 *   webceiling PORT SIZE      (binds 127.0.0.1, runs until SIGTERM)
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#define CEILING_SIZE_MAX	(16 * 1024 * 1024)

struct ceiling {
	char	*page;
	size_t	 len;
};

static struct bufferevent *
ceiling_bev(struct event_base *base, void *arg)
{
	(void)arg;
	return bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
}

static void
ceiling_reply(struct evhttp_request *req, void *arg)
{
	struct ceiling *c = arg;
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	if (evcon != NULL) {
		int one = 1;
		evutil_socket_t s = bufferevent_getfd(
		    evhttp_connection_get_bufferevent(evcon));
		if (s != -1)
			(void)setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one,
			    sizeof one);
	}
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/html; charset=utf-8");
	struct evbuffer *out = evbuffer_new();
	evbuffer_add_reference(out, c->page, c->len, NULL, NULL);
	evhttp_send_reply(req, 200, "OK", out);
	evbuffer_free(out);
}

static void
ceiling_stop(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	event_base_loopexit(arg, NULL);
}

int
main(int argc, char **argv)
{
	if (argc != 3 || atoi(argv[1]) <= 0 || atol(argv[2]) <= 0 ||
	    atol(argv[2]) > CEILING_SIZE_MAX) {
		fprintf(stderr, "usage: webceiling PORT SIZE (1..%d bytes)\n",
		    CEILING_SIZE_MAX);
		return 2;
	}
	struct ceiling c;
	c.len = (size_t)atol(argv[2]);
	c.page = malloc(c.len);
	if (c.page == NULL)
		return 1;
	static const char head[] = "<!doctype html><html><body><p>";
	static const char tail[] = "</p></body></html>\n";
	memset(c.page, 'x', c.len);
	if (c.len > sizeof head + sizeof tail) {
		memcpy(c.page, head, sizeof head - 1);
		memcpy(c.page + c.len - (sizeof tail - 1), tail, sizeof tail - 1);
	}
	signal(SIGPIPE, SIG_IGN);
	struct event_base *base = event_base_new();
	struct evhttp *http = evhttp_new(base);
	evhttp_set_bevcb(http, ceiling_bev, NULL);
	evhttp_set_gencb(http, ceiling_reply, &c);
	if (evhttp_bind_socket(http, "127.0.0.1", (ev_uint16_t)atoi(argv[1]))
	    != 0) {
		fprintf(stderr, "webceiling: cannot listen on 127.0.0.1:%s\n",
		    argv[1]);
		return 1;
	}
	struct event *term = evsignal_new(base, SIGTERM, ceiling_stop, base);
	event_add(term, NULL);
	event_base_dispatch(base);
	event_free(term);
	evhttp_free(http);
	event_base_free(base);
	free(c.page);
	return 0;
}
