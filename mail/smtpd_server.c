/*
 * The SMTP/LMTP server (see smtpd.h): its settings, the listeners (TCP,
 * unix socket, inherited fd) and the accept side, shutdown and free.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "daemon/log.h"
#include "daemon/xalloc.h"
#include "mail/smtpd.h"
#include "mail/smtpd_int.h"

#define SMTPD_ACCEPT_PAUSE	1	/* seconds without accept() after EMFILE */

void
smtpd_server_accept_fd(struct smtpd_server *srv, int fd, const char *peer)
{
	struct smtpd_session *s;
	int one = 1;

	if (srv->shutting_down) {
		close(fd);
		return;
	}
	evutil_make_socket_nonblocking(fd);
	evutil_make_socket_closeonexec(fd);
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	s = smtpd_session_new(srv, fd, peer);
	log_debug("smtpd %lu: connection from %s", s->id, s->peer);
	if (srv->nsessions > srv->cfg.max_sessions) {
		smtpd_reply(s, "421 4.3.2 %s Error: too many sessions",
		    srv->hostname);
		smtpd_close(s, "too many sessions");
		return;
	}
	smtpd_reply(s, "220 %s %s majlis", srv->hostname,
	    srv->cfg.lmtp ? "LMTP" : "ESMTP");
	smtpd_flush(s);
	smtpd_arm_cmd_timer(s);
}

struct smtpd_server *
smtpd_server_new(struct event_base *base, const struct smtpd_config *cfg,
    const struct smtpd_hooks *hooks, void *arg)
{
	struct smtpd_server *srv = xcalloc(1, sizeof *srv);
	char host[256];

	srv->base = base;
	srv->cfg = *cfg;
	srv->hooks = *hooks;
	srv->arg = arg;
	if (cfg->hostname)
		srv->hostname = xstrdup(cfg->hostname);
	else if (gethostname(host, sizeof host) == 0 &&
	    memchr(host, '\0', sizeof host))
		srv->hostname = xstrdup(host);
	else
		srv->hostname = xstrdup("localhost");
	srv->cfg.hostname = srv->hostname;
	if (srv->cfg.max_message_size == 0)
		srv->cfg.max_message_size = SMTPD_MAX_MESSAGE_SIZE;
	if (srv->cfg.max_rcpts == 0)
		srv->cfg.max_rcpts = SMTPD_MAX_RCPTS;
	if (srv->cfg.max_sessions == 0)
		srv->cfg.max_sessions = SMTPD_MAX_SESSIONS;
	if (srv->cfg.cmd_timeout <= 0)
		srv->cfg.cmd_timeout = SMTPD_CMD_TIMEOUT;
	if (srv->cfg.data_timeout <= 0)
		srv->cfg.data_timeout = SMTPD_DATA_TIMEOUT;
	return srv;
}

static void
peer_format(const struct sockaddr *sa, char *out, size_t outsz)
{
	char host[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in4 = (const void *)sa;

		inet_ntop(AF_INET, &in4->sin_addr, host, sizeof host);
		snprintf(out, outsz, "%s:%u", host, ntohs(in4->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
		snprintf(out, outsz, "[%s]:%u", host, ntohs(in6->sin6_port));
	} else {
		snprintf(out, outsz, "unix");
	}
}

static void
listener_accept_cb(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct listener *l = arg;
	char peer[INET6_ADDRSTRLEN + 16];

	peer_format(sa, peer, sizeof peer);
	smtpd_server_accept_fd(l->srv, fd, peer);
}

static void
listener_resume_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct listener *l = arg;

	evconnlistener_enable(l->lev);
}

/* accept() failed (EMFILE...): pause instead of spinning on it. */
static void
listener_error_cb(struct evconnlistener *lev, void *arg)
{
	struct listener *l = arg;

	log_warn("smtpd: accept");
	evconnlistener_disable(lev);
	smtpd_timer_arm(l->ev_resume, SMTPD_ACCEPT_PAUSE, 0);
}

static int
listener_add(struct smtpd_server *srv, struct evconnlistener *lev,
    const char *unix_path)
{
	struct listener *l = xcalloc(1, sizeof *l);

	l->srv = srv;
	l->lev = lev;
	l->unix_path = unix_path ? xstrdup(unix_path) : NULL;
	if ((l->ev_resume = evtimer_new(srv->base, listener_resume_cb, l)) == NULL)
		fatalx("smtpd: evtimer_new");
	evconnlistener_set_cb(lev, listener_accept_cb, l);
	evconnlistener_set_error_cb(lev, listener_error_cb);
	srv->listeners = xreallocarray(srv->listeners, srv->nlisteners + 1,
	    sizeof *srv->listeners);
	srv->listeners[srv->nlisteners++] = l;
	return 0;
}

static int
listen_unix(struct smtpd_server *srv, const char *path)
{
	struct sockaddr_un sun;
	struct evconnlistener *lev;
	struct stat st;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (path[0] != '/' || xstrlcpy(sun.sun_path, path,
	    sizeof sun.sun_path) >= sizeof sun.sun_path) {
		log_warnx("smtpd: bad unix socket path \"%s\"", path);
		return -1;
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_warnx("smtpd: %s exists and is not a socket", path);
			return -1;
		}
		if (unlink(path) == -1) {
			log_warn("smtpd: unlink %s", path);
			return -1;
		}
	}
	lev = evconnlistener_new_bind(srv->base, NULL, NULL,
	    LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_CLOSE_ON_FREE |
	    LEV_OPT_DISABLED, -1, (struct sockaddr *)&sun, sizeof sun);
	if (lev == NULL) {
		log_warn("smtpd: listen on unix:%s", path);
		return -1;
	}
	if (chmod(path, 0666) == -1)
		log_warn("smtpd: chmod %s", path);
	listener_add(srv, lev, path);
	evconnlistener_enable(lev);
	return 0;
}

int
smtpd_server_listen(struct smtpd_server *srv, const char *addr)
{
	struct sockaddr_storage ss;
	struct evconnlistener *lev;
	int sslen = sizeof ss;

	if (strncmp(addr, "unix:", 5) == 0)
		return listen_unix(srv, addr + 5);
	memset(&ss, 0, sizeof ss);
	if (evutil_parse_sockaddr_port(addr, (struct sockaddr *)&ss,
	    &sslen) == -1 || (ss.ss_family == AF_INET &&
	    ((struct sockaddr_in *)&ss)->sin_port == 0) ||
	    (ss.ss_family == AF_INET6 &&
	    ((struct sockaddr_in6 *)&ss)->sin6_port == 0)) {
		log_warnx("smtpd: bad listen address \"%s\" (want host:port)",
		    addr);
		return -1;
	}
	lev = evconnlistener_new_bind(srv->base, NULL, NULL,
	    LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_CLOSE_ON_FREE |
	    LEV_OPT_DISABLED, -1, (struct sockaddr *)&ss, sslen);
	if (lev == NULL) {
		log_warn("smtpd: listen on %s", addr);
		return -1;
	}
	listener_add(srv, lev, NULL);
	evconnlistener_enable(lev);
	return 0;
}

int
smtpd_server_listen_fd(struct smtpd_server *srv, int fd)
{
	struct evconnlistener *lev;

	evutil_make_socket_nonblocking(fd);
	lev = evconnlistener_new(srv->base, NULL, NULL,
	    LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_CLOSE_ON_FREE | LEV_OPT_DISABLED,
	    -1, fd);
	if (lev == NULL) {
		log_warn("smtpd: listen on fd %d", fd);
		return -1;
	}
	listener_add(srv, lev, NULL);
	evconnlistener_enable(lev);
	return 0;
}

static void
listeners_free(struct smtpd_server *srv)
{
	for (size_t i = 0; i < srv->nlisteners; i++) {
		struct listener *l = srv->listeners[i];

		evconnlistener_free(l->lev);
		event_free(l->ev_resume);
		if (l->unix_path)
			(void)unlink(l->unix_path);
		free(l->unix_path);
		free(l);
	}
	free(srv->listeners);
	srv->listeners = NULL;
	srv->nlisteners = 0;
}

void
smtpd_server_shutdown(struct smtpd_server *srv)
{
	srv->shutting_down = 1;
	listeners_free(srv);
	for (struct smtpd_session *s = srv->sessions; s; s = s->next)
		smtpd_session_shutdown(s);
}

void
smtpd_server_free(struct smtpd_server **srvp)
{
	struct smtpd_server *srv = *srvp;

	if (srv == NULL)
		return;
	listeners_free(srv);
	while (srv->sessions) {
		if (srv->sessions->close_reason == NULL)
			srv->sessions->close_reason = "server freed";
		smtpd_session_free(srv->sessions);
	}
	free(srv->hostname);
	free(srv);
	*srvp = NULL;
}

size_t
smtpd_server_sessions(const struct smtpd_server *srv)
{
	return srv->nsessions;
}
