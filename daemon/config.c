/*
 * Configuration file (see config.h): a table of keys, each with a type that
 * knows how to parse, validate and dump it, and the line reader of the file.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "daemon/buf.h"
#include "daemon/config.h"
#include "daemon/config_addr.h"
#include "daemon/config_int.h"
#include "daemon/log.h"
#include "daemon/xalloc.h"

_Static_assert(CONFIG_UNIX_PATH_MAX + 1 ==
    sizeof(((struct sockaddr_un *)0)->sun_path), "CONFIG_UNIX_PATH_MAX");

#define KIB	((unsigned long long)1 << 10)
#define MIB	((unsigned long long)1 << 20)
#define GIB	((unsigned long long)1 << 30)
#define READ_CHUNK	8192

void
config_err_set(struct buf *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	buf_reset(err);
	va_start(ap, fmt);
	buf_vprintf(err, fmt, ap);
	va_end(ap);
}

static int
is_ws(int c)
{
	return c == ' ' || c == '\t';
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static void
replace_str(char **slot, char *v)
{
	free(*slot);
	*slot = v;
}

/* Length of the UTF-8 sequence starting at s (at most n bytes), 0 if it is
 * not a valid, shortest-form, non-surrogate sequence. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned long cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/* 0 when s is clean text, else -1 with the reason in err. */
static int
check_text(const char *s, const char *name, struct buf *err)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, len;

	while (i < n) {
		if ((p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f) {
			config_err_set(err,
			    "%s: control character in value", name);
			return -1;
		}
		if ((len = utf8_seq(p + i, n - i)) == 0) {
			config_err_set(err,
			    "%s: value is not valid UTF-8", name);
			return -1;
		}
		i += len;
	}
	return 0;
}

/* Decimal digits only, no sign, no overflow. */
int
config_parse_ull(const char *s, size_t n, unsigned long long *out)
{
	unsigned long long v = 0;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		if (v > (ULLONG_MAX - (unsigned)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 0;
}

static int
valid_label(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > CONFIG_LABEL_MAX || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		if (!(is_digit(s[i]) || s[i] == '-' ||
		    (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
			return 0;
	}
	return 1;
}

/* A host name in letters, digits and hyphens; the last label is not all
 * digits (so an IPv4 literal is not a domain). */
int
config_valid_domain(const char *s)
{
	const char *label = s, *dot;
	size_t i, n = strlen(s);
	int numeric = 1;

	if (n == 0 || n > CONFIG_DOMAIN_MAX)
		return 0;
	for (;;) {
		dot = strchr(label, '.');
		n = dot ? (size_t)(dot - label) : strlen(label);
		if (!valid_label(label, n))
			return 0;
		if (dot == NULL)
			break;
		label = dot + 1;
	}
	for (i = 0; i < n; i++)
		numeric &= is_digit(label[i]);
	return !numeric;
}

static unsigned long long
size_unit(int c)
{
	switch (c) {
	case 'k':
	case 'K':
		return KIB;
	case 'm':
	case 'M':
		return MIB;
	case 'g':
	case 'G':
		return GIB;
	default:
		return 0;
	}
}

int
config_parse_size(const char *value, size_t min, size_t max, size_t *out)
{
	unsigned long long v, mult = 1;
	size_t n = strlen(value);

	if (n > 0 && !is_digit(value[n - 1])) {
		if ((mult = size_unit(value[n - 1])) == 0)
			return -1;
		n--;
	}
	if (config_parse_ull(value, n, &v) == -1 || v > ULLONG_MAX / mult)
		return -1;
	v *= mult;
	if (v < min || v > max)
		return -1;
	*out = (size_t)v;
	return 0;
}

static long
duration_unit(int c)
{
	switch (c) {
	case 's':
		return 1;
	case 'm':
		return 60;
	case 'h':
		return 3600;
	case 'd':
		return 86400;
	default:
		return 0;
	}
}

int
config_parse_duration(const char *value, long *seconds)
{
	unsigned long long v;
	long mult = 1;
	size_t n = strlen(value);

	if (n > 0 && !is_digit(value[n - 1])) {
		if ((mult = duration_unit(value[n - 1])) == 0)
			return -1;
		n--;
	}
	if (config_parse_ull(value, n, &v) == -1 ||
	    v > (unsigned long long)(LONG_MAX / mult))
		return -1;
	*seconds = (long)v * mult;
	return 0;
}

/* Human forms for dumps and messages: the largest exact unit. */
static void
fmt_size(struct buf *b, unsigned long long v)
{
	if (v != 0 && v % GIB == 0)
		buf_printf(b, "%lluG", v / GIB);
	else if (v != 0 && v % MIB == 0)
		buf_printf(b, "%lluM", v / MIB);
	else if (v != 0 && v % KIB == 0)
		buf_printf(b, "%lluK", v / KIB);
	else
		buf_printf(b, "%llu", v);
}

static void
fmt_duration(struct buf *b, long v)
{
	if (v != 0 && v % 86400 == 0)
		buf_printf(b, "%ldd", v / 86400);
	else if (v != 0 && v % 3600 == 0)
		buf_printf(b, "%ldh", v / 3600);
	else if (v != 0 && v % 60 == 0)
		buf_printf(b, "%ldm", v / 60);
	else
		buf_printf(b, "%lds", v);
}

/* Setters, one per type of key. */

int
config_set_text(void *cfg, const struct config_key *k, const char *v,
    struct buf *err)
{
	if (*v == '\0') {
		config_err_set(err, "%s: must not be empty", k->name);
		return -1;
	}
	replace_str(FIELD(cfg, k, char *), xstrdup(v));
	return 0;
}

static int
set_optional(void *cfg, const struct config_key *k, const char *v,
    struct buf *err)
{
	replace_str(FIELD(cfg, k, char *), *v == '\0' ? NULL : xstrdup(v));
	return 0;
}

static int
set_domain(void *cfg, const struct config_key *k, const char *v,
    struct buf *err)
{
	char *s, *p;

	if (!config_valid_domain(v)) {
		config_err_set(err, "%s: not a valid domain name", k->name);
		return -1;
	}
	s = xstrdup(v);
	for (p = s; *p != '\0'; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	}
	replace_str(FIELD(cfg, k, char *), s);
	return 0;
}

static int
set_hostname(void *cfg, const struct config_key *k, const char *v,
    struct buf *err)
{
	if (!config_valid_domain(v)) {
		config_err_set(err, "%s: not a valid host name", k->name);
		return -1;
	}
	replace_str(FIELD(cfg, k, char *), xstrdup(v));
	return 0;
}

/* An absolute http(s) URL without query or fragment; trailing '/' cut. */
static int
set_url(void *cfg, const struct config_key *k, const char *v,
    struct buf *err)
{
	const char *p, *host;
	size_t n;

	if (strncmp(v, "http://", 7) == 0)
		host = v + 7;
	else if (strncmp(v, "https://", 8) == 0)
		host = v + 8;
	else {
		config_err_set(err,
		    "%s: must start with http:// or https://", k->name);
		return -1;
	}
	if (*host == '\0' || *host == '/') {
		config_err_set(err, "%s: missing host", k->name);
		return -1;
	}
	for (p = v; *p != '\0'; p++) {
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    strchr("\"'<>\\`{}|^?#", *p) != NULL) {
			config_err_set(err,
			    "%s: character not allowed in the URL "
			    "(no spaces, quotes, '?' or '#')", k->name);
			return -1;
		}
	}
	for (n = strlen(v); v[n - 1] == '/'; n--)
		;
	replace_str(FIELD(cfg, k, char *), xstrndup(v, n));
	return 0;
}

static int
set_bool(void *cfg, const struct config_key *k, const char *v,
    struct buf *err)
{
	if (strcmp(v, "yes") == 0)
		*FIELD(cfg, k, int) = 1;
	else if (strcmp(v, "no") == 0)
		*FIELD(cfg, k, int) = 0;
	else {
		config_err_set(err, "%s: expected yes or no", k->name);
		return -1;
	}
	return 0;
}

static int
set_int(void *cfg, const struct config_key *k, const char *v,
    struct buf *err)
{
	unsigned long long n;

	if (config_parse_ull(v, strlen(v), &n) == -1 ||
	    n < (unsigned long long)k->min || n > (unsigned long long)k->max) {
		config_err_set(err, "%s: expected a number from %lld to %lld",
		    k->name, k->min, k->max);
		return -1;
	}
	*FIELD(cfg, k, int) = (int)n;
	return 0;
}

static int
set_size(void *cfg, const struct config_key *k, const char *v,
    struct buf *err)
{
	struct buf lo = BUF_INIT, hi = BUF_INIT;
	size_t n;

	if (config_parse_size(v, (size_t)k->min, (size_t)k->max, &n) == 0) {
		*FIELD(cfg, k, size_t) = n;
		return 0;
	}
	fmt_size(&lo, (unsigned long long)k->min);
	fmt_size(&hi, (unsigned long long)k->max);
	config_err_set(err,
	    "%s: expected a size from %s to %s (bytes, or with a K, "
	    "M or G suffix)", k->name, buf_cstr(&lo), buf_cstr(&hi));
	buf_free(&lo);
	buf_free(&hi);
	return -1;
}

static int
set_duration(void *cfg, const struct config_key *k, const char *v,
    struct buf *err)
{
	struct buf lo = BUF_INIT, hi = BUF_INIT;
	long n;

	if (config_parse_duration(v, &n) == 0 && n >= k->min && n <= k->max) {
		*FIELD(cfg, k, long) = n;
		return 0;
	}
	fmt_duration(&lo, (long)k->min);
	fmt_duration(&hi, (long)k->max);
	config_err_set(err,
	    "%s: expected a duration from %s to %s (seconds, or with "
	    "an s, m, h or d suffix)", k->name, buf_cstr(&lo), buf_cstr(&hi));
	buf_free(&lo);
	buf_free(&hi);
	return -1;
}

static const char *const log_levels[] = {
	[LOG_LEVEL_WARN] = "warn",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

static int
set_loglevel(void *cfg, const struct config_key *k, const char *v,
    struct buf *err)
{
	int i;

	for (i = 0; i < (int)(sizeof log_levels / sizeof log_levels[0]); i++) {
		if (strcmp(v, log_levels[i]) == 0) {
			*FIELD(cfg, k, int) = i;
			return 0;
		}
	}
	config_err_set(err, "%s: expected warn, info or debug", k->name);
	return -1;
}

/* A system user name: letters, digits, '.', '_', '-', not starting with
 * '-'; "" means none. */
static int
set_user(void *cfg, const struct config_key *k, const char *v,
    struct buf *err)
{
	size_t i, n = strlen(v);

	for (i = 0; i < n; i++) {
		if (!(is_digit(v[i]) || (v[i] >= 'a' && v[i] <= 'z') ||
		    (v[i] >= 'A' && v[i] <= 'Z') || strchr("._-", v[i]) != NULL))
			break;
	}
	if (i < n || n > CONFIG_USER_MAX || v[0] == '-') {
		config_err_set(err, "%s: not a valid user name", k->name);
		return -1;
	}
	return set_optional(cfg, k, v, err);
}

/* A DKIM selector (see config.h); "" means none. */
int
config_dkim_selector_valid(const char *s)
{
	const char *dot;
	size_t n = strlen(s);

	if (n == 0 || n > CONFIG_DKIM_SELECTOR_MAX)
		return 0;
	for (;;) {
		dot = strchr(s, '.');
		if (!valid_label(s, dot ? (size_t)(dot - s) : strlen(s)))
			return 0;
		if (dot == NULL)
			return 1;
		s = dot + 1;
	}
}

static int
set_selector(void *cfg, const struct config_key *k, const char *v,
    struct buf *err)
{
	if (*v != '\0' && !config_dkim_selector_valid(v)) {
		config_err_set(err,
		    "%s: expected labels of letters, digits and '-'"
		    " separated by dots, at most %d bytes", k->name,
		    CONFIG_DKIM_SELECTOR_MAX);
		return -1;
	}
	return set_optional(cfg, k, v, err);
}

/* Dumpers. */

void
config_dump_quoted(struct buf *out, const char *s)
{
	size_t n = strlen(s);

	if (n > 0 && !is_ws(s[0]) && !is_ws(s[n - 1]) &&
	    strpbrk(s, "#\"\\") == NULL) {
		buf_puts(out, s);
		return;
	}
	buf_putc(out, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			buf_putc(out, '\\');
		buf_putc(out, *s);
	}
	buf_putc(out, '"');
}

void
config_dump_str(const void *cfg, const struct config_key *k,
    struct buf *out)
{
	const char *s = *CFIELD(cfg, k, char *);

	config_dump_quoted(out, s ? s : "");
}

static void
dump_bool(const void *cfg, const struct config_key *k,
    struct buf *out)
{
	buf_puts(out, *CFIELD(cfg, k, int) ? "yes" : "no");
}

static void
dump_int(const void *cfg, const struct config_key *k,
    struct buf *out)
{
	buf_printf(out, "%d", *CFIELD(cfg, k, int));
}

static void
dump_size(const void *cfg, const struct config_key *k,
    struct buf *out)
{
	fmt_size(out, *CFIELD(cfg, k, size_t));
}

static void
dump_duration(const void *cfg, const struct config_key *k,
    struct buf *out)
{
	fmt_duration(out, *CFIELD(cfg, k, long));
}

static void
dump_loglevel(const void *cfg, const struct config_key *k,
    struct buf *out)
{
	int v = *CFIELD(cfg, k, int);

	if (v >= 0 && v < (int)(sizeof log_levels / sizeof log_levels[0]))
		buf_puts(out, log_levels[v]);
}

static const struct config_type
    t_text = { config_set_text, config_dump_str },
    t_optional = { set_optional, config_dump_str },
    t_domain = { set_domain, config_dump_str },
    t_hostname = { set_hostname, config_dump_str },
    t_url = { set_url, config_dump_str },
    t_bool = { set_bool, dump_bool },
    t_int = { set_int, dump_int },
    t_size = { set_size, dump_size },
    t_duration = { set_duration, dump_duration },
    t_loglevel = { set_loglevel, dump_loglevel },
    t_user = { set_user, config_dump_str },
    t_selector = { set_selector, config_dump_str };

#define K(name, type, def, min, max) \
	{ #name, &type, offsetof(struct config, name), min, max, def, 0 }
/* A key of each IMAP source: imap_NAME sets field of struct config_source. */
#define KS(name, field, type, def, min, max) \
	{ "imap_" #name, &type, offsetof(struct config_source, field), min, \
	    max, def, 1 }

static const struct config_key keys[] = {
	K(data_dir, t_text, "./majlis-data", 0, 0),
	K(site_name, t_text, "majlis", 0, 0),
	K(site_url, t_url, "http://127.0.0.1:8080", 0, 0),
	K(list_domain, t_domain, "localhost", 0, 0),
	K(hostname, t_hostname, NULL, 0, 0),
	K(http_listen, config_addr_listen_type, "127.0.0.1:8080", 0, 0),
	K(smtp_listen, config_addr_listen_type, "127.0.0.1:2525", 0, 0),
	K(lmtp_listen, config_addr_listen_type, "", 0, 0),
	K(relay, config_addr_relay_type, "smtp://127.0.0.1:25", 0, 0),
	K(relay_tls_verify, t_bool, "yes", 0, 0),
	K(relay_ca_file, t_optional, "", 0, 0),
	K(relay_connections, t_int, "4", CONFIG_RELAY_CONNECTIONS_MIN,
	    CONFIG_RELAY_CONNECTIONS_MAX),
	K(tls_cert, t_optional, "", 0, 0),
	K(tls_key, t_optional, "", 0, 0),
	K(http_tls, t_bool, "no", 0, 0),
	K(max_message_size, t_size, "25M", CONFIG_MESSAGE_SIZE_MIN,
	    CONFIG_MESSAGE_SIZE_MAX),
	K(user, t_user, "", 0, 0),
	K(parser_workers, t_int, "2", CONFIG_PARSER_WORKERS_MIN,
	    CONFIG_PARSER_WORKERS_MAX),
	K(log_level, t_loglevel, "info", 0, 0),
	K(bounce_threshold, t_int, "5", CONFIG_BOUNCE_THRESHOLD_MIN,
	    CONFIG_BOUNCE_THRESHOLD_MAX),
	K(retry_max_age, t_duration, "5d", CONFIG_RETRY_MAX_AGE_MIN,
	    CONFIG_RETRY_MAX_AGE_MAX),
	K(retry_min_delay, t_duration, "60s", CONFIG_RETRY_DELAY_MIN,
	    CONFIG_RETRY_DELAY_MAX),
	K(retry_max_delay, t_duration, "4h", CONFIG_RETRY_DELAY_MIN,
	    CONFIG_RETRY_DELAY_MAX),
	K(smtp_max_recipients, t_int, "100", CONFIG_SMTP_MAX_RECIPIENTS_MIN,
	    CONFIG_SMTP_MAX_RECIPIENTS_MAX),
	K(smtp_command_timeout, t_duration, "300s", CONFIG_SMTP_TIMEOUT_MIN,
	    CONFIG_SMTP_TIMEOUT_MAX),
	K(parser_timeout, t_duration, "10s", CONFIG_PARSER_TIMEOUT_MIN,
	    CONFIG_PARSER_TIMEOUT_MAX),
	K(parser_memory, t_size, "256M", CONFIG_PARSER_MEMORY_MIN,
	    CONFIG_PARSER_MEMORY_MAX),
	K(mod_pending_interval, t_duration, "1d", CONFIG_MOD_PENDING_MIN,
	    CONFIG_MOD_PENDING_MAX),
	/* IMAP sources: dumped source by source, imap_source first */
	KS(source, url, config_imap_source_type, NULL, 0, 0),
	KS(processed, processed, config_imap_processed_type, "flag", 0, 0),
	KS(password_file, password_file, t_optional, "", 0, 0),
	KS(poll_interval, poll_interval, t_duration, "60s", CONFIG_IMAP_POLL_MIN,
	    CONFIG_IMAP_POLL_MAX),
	KS(timeout, timeout, t_duration, "5m", CONFIG_SMTP_TIMEOUT_MIN,
	    CONFIG_SMTP_TIMEOUT_MAX),
	KS(tls_verify, tls_verify, t_bool, "yes", 0, 0),
	KS(ca_file, ca_file, t_optional, "", 0, 0),
	KS(group, group, t_optional, "", 0, 0),
	/* DKIM: dumped only when dkim_selector is set */
	K(dkim_selector, t_selector, "", 0, 0),
	K(dkim_key, t_optional, "", 0, 0),
	K(dkim_ed25519_selector, t_selector, "", 0, 0),
	K(dkim_ed25519_key, t_optional, "", 0, 0),
};

#define NKEYS	(sizeof keys / sizeof keys[0])

static int
key_index(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		if (strcmp(keys[i].name, name) == 0)
			return (int)i;
	}
	return -1;
}

static char *
default_hostname(void)
{
	char name[CONFIG_DOMAIN_MAX + 2];

	if (gethostname(name, sizeof name) == -1)
		return xstrdup("localhost");
	name[sizeof name - 1] = '\0';
	return xstrdup(config_valid_domain(name) ? name : "localhost");
}

void
config_defaults(struct config *cfg)
{
	struct buf err = BUF_INIT;
	size_t i;

	memset(cfg, 0, sizeof *cfg);
	for (i = 0; i < NKEYS; i++) {
		if (keys[i].def == NULL)
			continue;
		if (keys[i].type->set(keys[i].source ? (void *)&cfg->imap_defaults :
		    (void *)cfg, &keys[i], keys[i].def, &err) == -1)
			fatalx("config default: %s", buf_cstr(&err));
	}
	cfg->hostname = default_hostname();
	buf_free(&err);
}

/* Where a key is set now: the struct config; for a source key the last
 * source added, or the defaults of the sources when there is none. */
static void *
key_base(struct config *cfg, const struct config_key *k)
{
	if (!k->source)
		return cfg;
	if (cfg->imap_nsources == 0)
		return &cfg->imap_defaults;
	return &cfg->imap_sources[cfg->imap_nsources - 1];
}

int
config_set(struct config *cfg, const char *key, const char *value,
    struct buf *err)
{
	int i = key_index(key);

	if (i == -1) {
		config_err_set(err,
		    "unknown key \"%.*s\"", CONFIG_ECHO_MAX, key);
		return -1;
	}
	if (check_text(value, key, err) == -1)
		return -1;
	if (config_imap_is_source(&keys[i]))
		return config_imap_add_source(cfg, &keys[i], value, err);
	return keys[i].type->set(key_base(cfg, &keys[i]), &keys[i], value,
	    err);
}

const char *
config_source_name(const struct config_source *s)
{
	return s->group ? s->group : "site";
}

const struct config_source *
config_source_find(const struct config *cfg, const char *name)
{
	int n;

	for (n = 0; n < cfg->imap_nsources; n++) {
		if (strcmp(config_source_name(&cfg->imap_sources[n]), name) == 0)
			return &cfg->imap_sources[n];
	}
	return NULL;
}

void
config_free(struct config *cfg)
{
	size_t i;
	int n;

	for (i = 0; i < NKEYS; i++) {
		if (!keys[i].source && keys[i].type->dump == config_dump_str)
			free(*FIELD(cfg, &keys[i], char *));
	}
	config_addr_listen_free(&cfg->http_listen);
	config_addr_listen_free(&cfg->smtp_listen);
	config_addr_listen_free(&cfg->lmtp_listen);
	config_addr_relay_free(&cfg->relay);
	config_imap_source_free(&cfg->imap_defaults);
	for (n = 0; n < cfg->imap_nsources; n++)
		config_imap_source_free(&cfg->imap_sources[n]);
	EVP_PKEY_free(cfg->dkim_rsa);
	EVP_PKEY_free(cfg->dkim_ed25519);
	free(cfg->path);
	memset(cfg, 0, sizeof *cfg);
}

/*
 * The lines where keys were set while loading: row 0 the site's keys and
 * the defaults of the sources, row 1 + n source n's own keys.
 */
struct config_lines {
	int	at[1 + CONFIG_IMAP_SOURCES_MAX][NKEYS];
};

int
config_line(const struct config_lines *all, int row, const char *key)
{
	return all ? all->at[row][key_index(key)] : 0;
}

/* Each DKIM selector goes with its key; Ed25519 only beside RSA (most
 * verifiers know only RSA); the DNS name of each selector fits. */
static int
check_dkim(const struct config *cfg, const int *lines, int *line,
    struct buf *err)
{
	static const char *const pairs[][2] = {
		{ "dkim_selector", "dkim_key" },
		{ "dkim_ed25519_selector", "dkim_ed25519_key" },
	};
	const char *vals[2][2] = {
		{ cfg->dkim_selector, cfg->dkim_key },
		{ cfg->dkim_ed25519_selector, cfg->dkim_ed25519_key },
	};

	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++) {
			if (vals[i][j] == NULL || vals[i][!j] != NULL)
				continue;
			*line = lines ? lines[key_index(pairs[i][j])] : 0;
			config_err_set(err,
			    "%s is set but %s is not", pairs[i][j],
			    pairs[i][!j]);
			return -1;
		}
	for (int i = 0; i < 2; i++) {
		if (vals[i][0] == NULL || strlen(vals[i][0]) +
		    strlen("._domainkey.") + strlen(cfg->list_domain) <=
		    CONFIG_DOMAIN_MAX)
			continue;
		*line = lines ? lines[key_index(pairs[i][0])] : 0;
		config_err_set(err,
		    "%s: %s._domainkey.%s is longer than %d bytes",
		    pairs[i][0], vals[i][0], cfg->list_domain, CONFIG_DOMAIN_MAX);
		return -1;
	}
	if (cfg->dkim_ed25519_selector == NULL)
		return 0;
	*line = lines ? lines[key_index("dkim_ed25519_selector")] : 0;
	if (cfg->dkim_selector == NULL) {
		config_err_set(err,
		    "dkim_ed25519_selector needs dkim_selector and"
		    " dkim_key too: verifiers that do not know Ed25519 need the"
		    " RSA signature");
		return -1;
	}
	if (strcasecmp(cfg->dkim_selector, cfg->dkim_ed25519_selector) == 0) {
		config_err_set(err, "dkim_ed25519_selector must differ from"
		    " dkim_selector (one DNS record per selector)");
		return -1;
	}
	return 0;
}

/*
 * Rules between keys. lines[] holds the line each key was set on (0: not in
 * the file, or NULL); *line gets the line to blame.
 */
static int
check_rules(const struct config *cfg, const struct config_lines *all, int *line,
    struct buf *err)
{
	const int *lines = all ? all->at[0] : NULL;
	int cert = key_index("tls_cert"), key = key_index("tls_key");
	int http = key_index("http_tls"), lo = key_index("retry_min_delay");
	int hi = key_index("retry_max_delay");

	*line = 0;
	if (cfg->tls_cert != NULL && cfg->tls_key == NULL) {
		*line = lines ? lines[cert] : 0;
		config_err_set(err, "tls_cert is set but tls_key is not");
		return -1;
	}
	if (cfg->tls_key != NULL && cfg->tls_cert == NULL) {
		*line = lines ? lines[key] : 0;
		config_err_set(err, "tls_key is set but tls_cert is not");
		return -1;
	}
	if (cfg->http_tls && cfg->tls_cert == NULL) {
		*line = lines ? lines[http] : 0;
		config_err_set(err,
		    "http_tls = yes needs tls_cert and tls_key");
		return -1;
	}
	if (cfg->retry_min_delay > cfg->retry_max_delay) {
		*line = lines ? (lines[lo] > lines[hi] ? lines[lo] : lines[hi]) : 0;
		config_err_set(err,
		    "retry_min_delay is longer than retry_max_delay");
		return -1;
	}
	if (config_imap_check(cfg, all, line, err) == -1)
		return -1;
	return check_dkim(cfg, lines, line, err);
}

int
config_check(const struct config *cfg, struct buf *err)
{
	int line;

	return check_rules(cfg, NULL, &line, err);
}

/* Read the whole file (a regular file of at most max bytes). */
static int
read_file(const char *path, struct buf *text, size_t max, struct buf *msg)
{
	char chunk[READ_CHUNK];
	struct stat st;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		config_err_set(msg, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		config_err_set(msg, "not a regular file");
		close(fd);
		return -1;
	}
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			config_err_set(msg, "read error: %s", strerror(errno));
			close(fd);
			return -1;
		}
		if (text->len + (size_t)n > max) {
			config_err_set(msg,
			    "file too large (max %zu bytes)", max);
			close(fd);
			return -1;
		}
		buf_append(text, chunk, (size_t)n);
	}
	close(fd);
	return 0;
}

/* A quoted value starting at s[0] == '"': unescape in place. */
static int
unquote(char *s, struct buf *msg)
{
	char *r = s + 1, *w = s;

	for (;; r++) {
		if (*r == '\0') {
			config_err_set(msg, "unterminated quoted value");
			return -1;
		}
		if (*r == '"')
			break;
		if (*r == '\\') {
			r++;
			if (*r != '"' && *r != '\\') {
				config_err_set(msg,
				    "bad escape in quoted value "
				    "(only \\\" and \\\\)");
				return -1;
			}
		}
		*w++ = *r;
	}
	*w = '\0';
	for (r++; is_ws(*r); r++)
		;
	if (*r != '\0' && *r != '#') {
		config_err_set(msg, "text after the closing quote");
		return -1;
	}
	return 0;
}

/* An unquoted value: up to a '#' that follows whitespace, trimmed. */
static void
plain_value(char *s, int ws_before)
{
	size_t i, n;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '#' && (i > 0 ? is_ws(s[i - 1]) : ws_before)) {
			s[i] = '\0';
			break;
		}
	}
	for (n = strlen(s); n > 0 && is_ws(s[n - 1]); n--)
		s[n - 1] = '\0';
}

static int
valid_key_text(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (!(is_digit(*s) || (*s >= 'a' && *s <= 'z') ||
		    (*s >= 'A' && *s <= 'Z') || strchr("_.-", *s) != NULL))
			return 0;
	}
	return 1;
}

/* One line (NUL-terminated, no newline): 1 with *key and *value pointing
 * into it, 0 for a blank or comment line, -1 on a syntax error. */
static int
parse_line(char *s, char **key, char **value, struct buf *msg)
{
	char *eq, *v;
	size_t n;

	while (is_ws(*s))
		s++;
	if (*s == '\0' || *s == '#')
		return 0;
	if ((eq = strchr(s, '=')) == NULL)
		goto syntax;
	*eq = '\0';
	for (n = strlen(s); n > 0 && is_ws(s[n - 1]); n--)
		s[n - 1] = '\0';
	if (!valid_key_text(s))
		goto syntax;
	for (v = eq + 1; is_ws(*v); v++)
		;
	if (*v == '"') {
		if (unquote(v, msg) == -1)
			return -1;
	} else
		plain_value(v, v > eq + 1);
	*key = s;
	*value = v;
	return 1;
syntax:
	config_err_set(msg, "expected \"key = value\"");
	return -1;
}

/* Apply one line of the file; lines[] records where each key was set. */
static int
load_line(struct config *cfg, const char *text, size_t len, int lineno,
    struct config_lines *all, struct buf *msg)
{
	char line[CONFIG_LINE_MAX + 1], *key, *value;
	int r, i, *lines;

	if (len > 0 && text[len - 1] == '\r')
		len--;
	if (memchr(text, '\0', len) != NULL) {
		config_err_set(msg, "NUL byte in line");
		return -1;
	}
	if (len > CONFIG_LINE_MAX) {
		config_err_set(msg,
		    "line too long (max %d bytes)", CONFIG_LINE_MAX);
		return -1;
	}
	memcpy(line, text, len);
	line[len] = '\0';
	if ((r = parse_line(line, &key, &value, msg)) <= 0)
		return r;
	/* a source key goes to the last source (row 0: the defaults) */
	i = key_index(key);
	lines = all->at[i >= 0 && keys[i].source ? cfg->imap_nsources : 0];
	if (i >= 0 && !config_imap_is_source(&keys[i]) && lines[i] != 0) {
		config_err_set(msg,
		    "duplicate key \"%s\" (first set on line %d)",
		    key, lines[i]);
		return -1;
	}
	if (config_set(cfg, key, value, msg) == -1)
		return -1;
	all->at[keys[i].source ? cfg->imap_nsources : 0][i] = lineno;
	return 0;
}

static int
load_text(struct config *cfg, const struct buf *text,
    struct config_lines *lines, int *lineno, struct buf *msg)
{
	const char *p = text->data, *end = text->data + text->len, *nl;

	if (text->len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	for (*lineno = 1; p < end; (*lineno)++) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (load_line(cfg, p, (size_t)(nl - p), *lineno, lines,
		    msg) == -1)
			return -1;
		p = nl + 1;
	}
	return 0;
}

/* Make a relative path absolute against the current directory. */
static int
resolve_path(char **slot)
{
	char cwd[PATH_MAX];
	struct buf b = BUF_INIT;
	const char *p = *slot;

	if (p == NULL || p[0] == '/')
		return 0;
	if (getcwd(cwd, sizeof cwd) == NULL)
		return -1;
	while (p[0] == '.' && p[1] == '/')
		for (p += 2; *p == '/'; p++)
			;
	buf_puts(&b, cwd);
	if (strcmp(p, ".") != 0 && *p != '\0') {
		if (b.len > 0 && b.data[b.len - 1] != '/')
			buf_putc(&b, '/');
		buf_puts(&b, p);
	}
	replace_str(slot, buf_steal(&b));
	return 0;
}

static int
resolve_paths(struct config *cfg, struct buf *msg)
{
	int n, bad = 0;

	for (n = -1; n < cfg->imap_nsources; n++) {
		struct config_source *s = n < 0 ? &cfg->imap_defaults :
		    &cfg->imap_sources[n];

		if (resolve_path(&s->password_file) == -1 ||
		    resolve_path(&s->ca_file) == -1)
			bad = 1;
	}
	if (bad || resolve_path(&cfg->data_dir) == -1 ||
	    resolve_path(&cfg->tls_cert) == -1 ||
	    resolve_path(&cfg->tls_key) == -1 ||
	    resolve_path(&cfg->relay_ca_file) == -1 ||
	    resolve_path(&cfg->dkim_key) == -1 ||
	    resolve_path(&cfg->dkim_ed25519_key) == -1) {
		config_err_set(msg, "cannot resolve relative paths: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* PEM_read_bio_PrivateKey's passphrase callback: none (never prompt). */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	return -1;
}

/* Read the private key of key name (file path) into *out: type is
 * EVP_PKEY_RSA (at least CONFIG_DKIM_RSA_BITS_MIN bits) or
 * EVP_PKEY_ED25519. */
static int
load_dkim_key(const char *name, const char *path, int type, EVP_PKEY **out,
    struct buf *msg)
{
	struct buf text = BUF_INIT, why = BUF_INIT;
	EVP_PKEY *k = NULL;
	BIO *bio;

	if (read_file(path, &text, CONFIG_DKIM_KEY_FILE_MAX, &why) == -1) {
		config_err_set(msg, "%s: %s: %s", name, path, buf_cstr(&why));
		OPENSSL_cleanse(text.data, text.len);
		buf_free(&text);
		buf_free(&why);
		return -1;
	}
	if ((bio = BIO_new_mem_buf(buf_cstr(&text), (int)text.len)) != NULL) {
		k = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
		BIO_free(bio);
	}
	OPENSSL_cleanse(text.data, text.len);
	buf_free(&text);
	if (k == NULL)
		config_err_set(msg, "%s: %s: not a PEM private key (without a"
		    " passphrase)", name, path);
	else if (EVP_PKEY_get_base_id(k) != type)
		config_err_set(msg, "%s: %s: not an %s key", name, path,
		    type == EVP_PKEY_RSA ? "RSA" : "Ed25519");
	else if (type == EVP_PKEY_RSA &&
	    EVP_PKEY_get_bits(k) < CONFIG_DKIM_RSA_BITS_MIN)
		config_err_set(msg,
		    "%s: %s: RSA key of %d bits, at least %d needed",
		    name, path, EVP_PKEY_get_bits(k), CONFIG_DKIM_RSA_BITS_MIN);
	else {
		EVP_PKEY_free(*out);
		*out = k;
		return 0;
	}
	EVP_PKEY_free(k);
	return -1;
}

static int
load_dkim_keys(struct config *cfg, const int *lines, int *line,
    struct buf *msg)
{
	if (cfg->dkim_key != NULL) {
		*line = lines[key_index("dkim_key")];
		if (load_dkim_key("dkim_key", cfg->dkim_key, EVP_PKEY_RSA,
		    &cfg->dkim_rsa, msg) == -1)
			return -1;
	}
	if (cfg->dkim_ed25519_key != NULL) {
		*line = lines[key_index("dkim_ed25519_key")];
		if (load_dkim_key("dkim_ed25519_key", cfg->dkim_ed25519_key,
		    EVP_PKEY_ED25519, &cfg->dkim_ed25519, msg) == -1)
			return -1;
	}
	return 0;
}

int
config_load(struct config *cfg, const char *path, struct buf *err)
{
	struct buf text = BUF_INIT, msg = BUF_INIT;
	struct config_lines *lines = xcalloc(1, sizeof *lines);
	int lineno = 0, r = 0;

	config_defaults(cfg);
	if (path != NULL) {
		cfg->path = xstrdup(path);
		if ((r = read_file(path, &text, CONFIG_FILE_MAX, &msg)) == 0)
			r = load_text(cfg, &text, lines, &lineno, &msg);
	}
	if (r == 0)
		r = check_rules(cfg, lines, &lineno, &msg);
	if (r == 0 && (r = resolve_paths(cfg, &msg)) == -1)
		lineno = 0;
	if (r == 0)
		r = load_dkim_keys(cfg, lines->at[0], &lineno, &msg);
	if (r == -1 && lineno > 0)
		config_err_set(err, "%s:%d: %s", path, lineno, buf_cstr(&msg));
	else if (r == -1)
		config_err_set(err, "%s: %s", path ? path : "configuration",
		    buf_cstr(&msg));
	buf_free(&text);
	buf_free(&msg);
	free(lines);
	return r;
}

static void
dump_key(const void *base, const struct config_key *k, struct buf *out)
{
	buf_printf(out, "%s = ", k->name);
	k->type->dump(base, k, out);
	buf_putc(out, '\n');
}

void
config_dump(const struct config *cfg, struct buf *out)
{
	size_t i, j;
	int n;

	buf_printf(out, "# majlis configuration: %s\n",
	    cfg->path ? cfg->path : "defaults");
	for (i = 0; i < NKEYS; i++) {
		if (keys[i].source) {
			/* every source in full where imap_source is listed */
			for (n = 0; config_imap_is_source(&keys[i]) &&
			    n < cfg->imap_nsources; n++)
				for (j = i; j < NKEYS && keys[j].source; j++)
					dump_key(&cfg->imap_sources[n], &keys[j], out);
			continue;
		}
		if (cfg->dkim_selector == NULL &&
		    strncmp(keys[i].name, "dkim_", 5) == 0)
			continue;
		dump_key(cfg, &keys[i], out);
	}
}
