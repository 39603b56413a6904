/*
 * The address keys of the configuration (see config_addr.h): listening
 * addresses (host:port, [v6]:port, unix:/path) and the relay URL.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/buf.h"
#include "daemon/config.h"
#include "daemon/config_addr.h"
#include "daemon/config_int.h"
#include "daemon/pct.h"
#include "daemon/xalloc.h"

static int
valid_port(const char *s)
{
	unsigned long long v;

	return strlen(s) <= 5 && config_parse_ull(s, strlen(s), &v) == 0 &&
	    v >= 1 && v <= 65535;
}

static int
valid_ipv4(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1;
}

static int
valid_ipv6(const char *s)
{
	struct in6_addr a;

	return inet_pton(AF_INET6, s, &a) == 1;
}

/*
 * Split "host:port", "[v6]:port" (or, when the port is optional, "host" and
 * "[v6]") into malloc'd host and port (port NULL when absent).
 */
static int
split_hostport(const char *s, int need_port, char **host, char **port,
    struct buf *err)
{
	const char *colon, *end;
	char *h;

	*host = *port = NULL;
	if (s[0] == '[') {
		if ((end = strchr(s, ']')) == NULL) {
			config_err_set(err, "missing ']' after IPv6 address");
			return -1;
		}
		h = xstrndup(s + 1, (size_t)(end - s - 1));
		if (!valid_ipv6(h)) {
			config_err_set(err, "bad IPv6 address");
			free(h);
			return -1;
		}
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL) {
			config_err_set(err, "unexpected text after ']'");
			free(h);
			return -1;
		}
	} else {
		colon = strchr(s, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL) {
			config_err_set(err,
			    "an IPv6 address must be in brackets");
			return -1;
		}
		h = colon ? xstrndup(s, (size_t)(colon - s)) : xstrdup(s);
		if (*h == '\0') {
			config_err_set(err, "missing host");
			free(h);
			return -1;
		}
		if (!valid_ipv4(h) && !config_valid_domain(h)) {
			config_err_set(err, "bad host name or address");
			free(h);
			return -1;
		}
	}
	if (colon == NULL && need_port) {
		config_err_set(err, "missing port");
		free(h);
		return -1;
	}
	if (colon != NULL && !valid_port(colon + 1)) {
		config_err_set(err, "bad port (1-65535)");
		free(h);
		return -1;
	}
	*host = h;
	*port = colon ? xstrdup(colon + 1) : NULL;
	return 0;
}

void
config_addr_listen_free(struct config_listen *l)
{
	free(l->host);
	free(l->port);
	free(l->path);
	free(l->text);
	memset(l, 0, sizeof *l);
}

static int
listen_unix(struct config_listen *n, const char *path, struct buf *err)
{
	if (path[0] != '/') {
		config_err_set(err, "unix socket path must be absolute");
		return -1;
	}
	if (strlen(path) > CONFIG_UNIX_PATH_MAX) {
		config_err_set(err, "unix socket path too long (max %d bytes)",
		    CONFIG_UNIX_PATH_MAX);
		return -1;
	}
	n->kind = CONFIG_LISTEN_UNIX;
	n->path = xstrdup(path);
	return 0;
}

int
config_addr_parse_listen(struct config_listen *l, const char *value,
    struct buf *err)
{
	struct config_listen n;
	int r = 0;

	memset(&n, 0, sizeof n);
	if (strncmp(value, "unix:", 5) == 0)
		r = listen_unix(&n, value + 5, err);
	else if (*value != '\0') {
		if (strchr(value, ':') == NULL) {
			config_err_set(err, "expected host:port, [ipv6]:port, "
			    "unix:/path or \"\"");
			return -1;
		}
		r = split_hostport(value, 1, &n.host, &n.port, err);
		n.kind = CONFIG_LISTEN_TCP;
	}
	if (r == -1) {
		config_addr_listen_free(&n);
		return -1;
	}
	n.text = xstrdup(value);
	config_addr_listen_free(l);
	*l = n;
	return 0;
}

void
config_addr_relay_free(struct config_relay *r)
{
	free(r->host);
	free(r->port);
	free(r->user);
	free(r->password);
	free(r->text_safe);
	memset(r, 0, sizeof *r);
}

static const struct {
	const char	*scheme;
	int		 tls;
	const char	*port;
} relay_schemes[] = {
	{ "smtp://", CONFIG_RELAY_PLAIN, "25" },
	{ "smtp+starttls://", CONFIG_RELAY_STARTTLS, "587" },
	{ "smtps://", CONFIG_RELAY_SMTPS, "465" },
};

/* Credentials "user:password" in s[0..n): both decoded, or -1. */
static int
relay_userinfo(struct config_relay *r, const char *s, size_t n,
    struct buf *err)
{
	const char *colon = memchr(s, ':', n);

	if (colon == NULL) {
		config_err_set(err,
		    "user without password (user:password@host)");
		return -1;
	}
	/* the decoded values are no longer than the line they came on */
	r->user = pct_decode(s, (size_t)(colon - s), CONFIG_LINE_MAX);
	r->password = pct_decode(colon + 1, n - (size_t)(colon - s) - 1,
	    CONFIG_LINE_MAX);
	if (r->user == NULL || r->password == NULL) {
		config_err_set(err, "bad percent-encoding in user or password");
		return -1;
	}
	if (*r->user == '\0' || *r->password == '\0') {
		config_err_set(err, "empty user or password");
		return -1;
	}
	return 0;
}

static void
relay_text_safe(struct config_relay *r, const char *scheme, const char *ui,
    size_t uilen)
{
	struct buf b = BUF_INIT;
	const char *colon = r->user ? memchr(ui, ':', uilen) : NULL;

	buf_puts(&b, scheme);
	if (colon != NULL) {
		buf_append(&b, ui, (size_t)(colon - ui));
		buf_puts(&b, ":***@");
	}
	if (strchr(r->host, ':') != NULL)
		buf_printf(&b, "[%s]:%s", r->host, r->port);
	else
		buf_printf(&b, "%s:%s", r->host, r->port);
	r->text_safe = buf_steal(&b);
}

/* Everything after the scheme: [userinfo@]host[:port][/]. */
static int
relay_rest(struct config_relay *r, const char *rest, const char *defport,
    struct buf *err)
{
	const char *at = strrchr(rest, '@'), *hp = at ? at + 1 : rest;
	char *hostport;
	size_t n = strlen(hp);
	int ret;

	if (at != NULL && relay_userinfo(r, rest, (size_t)(at - rest), err))
		return -1;
	if (n > 0 && hp[n - 1] == '/')
		n--;
	hostport = xstrndup(hp, n);
	if (strpbrk(hostport, "/?#") != NULL) {
		config_err_set(err, "unexpected path after the host");
		free(hostport);
		return -1;
	}
	ret = split_hostport(hostport, 0, &r->host, &r->port, err);
	free(hostport);
	if (ret == 0 && r->port == NULL)
		r->port = xstrdup(defport);
	return ret;
}

int
config_addr_parse_relay(struct config_relay *r, const char *value,
    struct buf *err)
{
	struct config_relay n;
	const char *p, *rest;
	size_t i, slen;

	for (p = value; *p != '\0'; p++) {
		if ((unsigned char)*p <= 0x20 || *p == 0x7f) {
			config_err_set(err,
			    "space or control character in URL");
			return -1;
		}
	}
	for (i = 0; i < sizeof relay_schemes / sizeof relay_schemes[0]; i++) {
		slen = strlen(relay_schemes[i].scheme);
		if (strncasecmp(value, relay_schemes[i].scheme, slen) == 0)
			break;
	}
	if (i == sizeof relay_schemes / sizeof relay_schemes[0]) {
		config_err_set(err, "must start with smtp://, smtp+starttls:// "
		    "or smtps://");
		return -1;
	}
	memset(&n, 0, sizeof n);
	n.tls = relay_schemes[i].tls;
	rest = value + slen;
	if (relay_rest(&n, rest, relay_schemes[i].port, err) == -1) {
		config_addr_relay_free(&n);
		return -1;
	}
	relay_text_safe(&n, relay_schemes[i].scheme, rest,
	    n.user ? (size_t)(strrchr(rest, '@') - rest) : 0);
	config_addr_relay_free(r);
	*r = n;
	return 0;
}

static int
set_listen(void *cfg, const struct config_key *k, const char *v,
    struct buf *err)
{
	struct buf msg = BUF_INIT;
	int r;

	r = config_addr_parse_listen(FIELD(cfg, k, struct config_listen), v,
	    &msg);
	if (r == -1)
		config_err_set(err, "%s: %s", k->name, buf_cstr(&msg));
	buf_free(&msg);
	return r;
}

static int
set_relay(void *cfg, const struct config_key *k, const char *v,
    struct buf *err)
{
	struct buf msg = BUF_INIT;
	int r;

	r = config_addr_parse_relay(FIELD(cfg, k, struct config_relay), v,
	    &msg);
	if (r == -1)
		config_err_set(err, "%s: %s", k->name, buf_cstr(&msg));
	buf_free(&msg);
	return r;
}

static void
dump_listen(const void *cfg, const struct config_key *k,
    struct buf *out)
{
	const char *s = CFIELD(cfg, k, struct config_listen)->text;

	config_dump_quoted(out, s ? s : "");
}

static void
dump_relay(const void *cfg, const struct config_key *k,
    struct buf *out)
{
	const char *s = CFIELD(cfg, k, struct config_relay)->text_safe;

	config_dump_quoted(out, s ? s : "");
}

const struct config_type config_addr_listen_type = { set_listen, dump_listen };
const struct config_type config_addr_relay_type = { set_relay, dump_relay };
