/*
 * IMAP source URL and processed-action parsing (see imapurl.h).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/imapurl.h"
#include "daemon/pct.h"
#include "daemon/xalloc.h"

static const struct {
	const char	*scheme;
	int		 tls;
	const char	*port;
} imapurl_schemes[] = {
	{ "imap://", IMAPURL_PLAIN, "143" },
	{ "imap+starttls://", IMAPURL_STARTTLS, "143" },
	{ "imaps://", IMAPURL_IMAPS, "993" },
};

#define IMAPURL_NSCHEMES	(sizeof imapurl_schemes / sizeof imapurl_schemes[0])

void
imapurl_free(struct imapurl *u)
{
	free(u->host);
	free(u->port);
	free(u->user);
	if (u->password != NULL)
		explicit_bzero(u->password, strlen(u->password));
	free(u->password);
	free(u->mailbox);
	free(u->text_safe);
	memset(u, 0, sizeof *u);
}

/* Percent-decode s[0..n) into a malloc'd string of at most max bytes; NULL
 * on a bad escape, a control character or an empty result. */
static char *
imapurl_decode(const char *s, size_t n, size_t max)
{
	char *v = pct_decode(s, n, max);
	if (v != NULL && *v == '\0') {
		free(v);
		v = NULL;
	}
	return v;
}

static int
imapurl_valid_host(const char *h)
{
	if (*h == '\0' || strlen(h) > 253)
		return 0;
	for (; *h; h++)
		if (!((*h >= 'a' && *h <= 'z') || (*h >= 'A' && *h <= 'Z') ||
		    (*h >= '0' && *h <= '9') || *h == '.' || *h == '-'))
			return 0;
	return 1;
}

static int
imapurl_valid_port(const char *p)
{
	long v = 0;
	if (*p == '\0' || strlen(p) > 5)
		return 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		v = v * 10 + (*p - '0');
	}
	return v >= 1 && v <= 65535;
}

/* host[:port] or [v6][:port] in s[0..n). */
static int
imapurl_hostport(struct imapurl *u, const char *s, size_t n,
    const char *defport, struct buf *err)
{
	char *hp = xstrndup(s, n), *colon = NULL;
	int ok = 0;
	if (hp[0] == '[') {
		char *end = strchr(hp, ']');
		if (end != NULL && (end[1] == '\0' || end[1] == ':') &&
		    end - hp > 2 && strspn(hp + 1, "0123456789abcdefABCDEF:.") ==
		    (size_t)(end - hp - 1)) {
			u->host = xstrndup(hp + 1, (size_t)(end - hp - 1));
			colon = end[1] == ':' ? end + 1 : NULL;
			ok = 1;
		}
	} else {
		colon = strchr(hp, ':');
		u->host = colon ? xstrndup(hp, (size_t)(colon - hp)) : xstrdup(hp);
		ok = imapurl_valid_host(u->host);
	}
	if (ok && colon != NULL && !imapurl_valid_port(colon + 1))
		ok = 0;
	if (ok)
		u->port = xstrdup(colon ? colon + 1 : defport);
	else if (err != NULL)
		buf_puts(err, "bad host or port");
	free(hp);
	return ok ? 0 : -1;
}

static int
imapurl_userinfo(struct imapurl *u, const char *s, size_t n, struct buf *err)
{
	const char *colon = memchr(s, ':', n);
	size_t ulen = colon ? (size_t)(colon - s) : n;
	u->user = imapurl_decode(s, ulen, IMAPURL_CRED_MAX);
	if (colon != NULL)
		u->password = imapurl_decode(colon + 1, n - ulen - 1,
		    IMAPURL_CRED_MAX);
	if (u->user == NULL || (colon != NULL && u->password == NULL)) {
		if (err != NULL)
			buf_puts(err, "bad or empty user or password");
		return -1;
	}
	return 0;
}

static void
imapurl_text_safe(struct imapurl *u, const char *scheme)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, scheme);
	for (const char *p = u->user; *p; p++)
		if (strchr(":@/%", *p) || (unsigned char)*p <= ' ')
			buf_printf(&b, "%%%02X", (unsigned char)*p);
		else
			buf_putc(&b, *p);
	buf_puts(&b, u->password ? ":***@" : "@");
	if (strchr(u->host, ':') != NULL)
		buf_printf(&b, "[%s]:%s/", u->host, u->port);
	else
		buf_printf(&b, "%s:%s/", u->host, u->port);
	for (const char *p = u->mailbox; *p; p++)
		if (strchr("%?#", *p) || (unsigned char)*p <= ' ')
			buf_printf(&b, "%%%02X", (unsigned char)*p);
		else
			buf_putc(&b, *p);
	u->text_safe = buf_steal(&b);
}

/* Everything after the scheme: user[:password]@host[:port][/mailbox]. */
static int
imapurl_rest(struct imapurl *u, const char *rest, const char *defport,
    struct buf *err)
{
	const char *slash = strchr(rest, '/');
	const char *end = slash ? slash : rest + strlen(rest);
	const char *at = NULL;
	for (const char *p = rest; p < end; p++)
		if (*p == '@')
			at = p;
	if (at == NULL) {
		if (err != NULL)
			buf_puts(err, "missing user (imaps://user@host/MAILBOX)");
		return -1;
	}
	if (imapurl_userinfo(u, rest, (size_t)(at - rest), err) == -1 ||
	    imapurl_hostport(u, at + 1, (size_t)(end - at - 1), defport,
	    err) == -1)
		return -1;
	if (slash == NULL || slash[1] == '\0')
		u->mailbox = xstrdup("INBOX");
	else if (strpbrk(slash + 1, "?#") != NULL || (u->mailbox =
	    imapurl_decode(slash + 1, strlen(slash + 1),
	    IMAPURL_MAILBOX_MAX)) == NULL) {
		if (err != NULL)
			buf_puts(err, "bad mailbox name");
		return -1;
	}
	return 0;
}

int
imapurl_parse(struct imapurl *u, const char *value, struct buf *err)
{
	struct imapurl n;
	size_t i, slen = 0;
	memset(&n, 0, sizeof n);
	if (*value == '\0') {
		imapurl_free(u);
		return 0;
	}
	for (const char *p = value; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f) {
			if (err != NULL)
				buf_puts(err, "space or control character in URL");
			return -1;
		}
	for (i = 0; i < IMAPURL_NSCHEMES; i++) {
		slen = strlen(imapurl_schemes[i].scheme);
		if (strncasecmp(value, imapurl_schemes[i].scheme, slen) == 0)
			break;
	}
	if (i == IMAPURL_NSCHEMES) {
		if (err != NULL)
			buf_puts(err, "must start with imaps://, imap+starttls://"
			    " or imap://");
		return -1;
	}
	n.tls = imapurl_schemes[i].tls;
	if (imapurl_rest(&n, value + slen, imapurl_schemes[i].port, err) == -1) {
		imapurl_free(&n);
		return -1;
	}
	imapurl_text_safe(&n, imapurl_schemes[i].scheme);
	imapurl_free(u);
	*u = n;
	return 0;
}

int
imapurl_action(const char *value, int *action, const char **folder)
{
	*folder = NULL;
	if (strcmp(value, "flag") == 0) {
		*action = IMAPURL_FLAG;
		return 0;
	}
	if (strcmp(value, "delete") == 0) {
		*action = IMAPURL_DELETE;
		return 0;
	}
	if (strncmp(value, "move:", 5) != 0)
		return -1;
	const char *f = value + 5;
	size_t n = strlen(f);
	if (n == 0 || n > IMAPURL_MAILBOX_MAX)
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)f[i] < 0x20 || f[i] == 0x7f)
			return -1;
	*action = IMAPURL_MOVE;
	*folder = f;
	return 0;
}
