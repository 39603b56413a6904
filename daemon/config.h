/*
 * The configuration file of majlisd and majlisctl: `key = value` lines, every
 * key optional with a default. Parsing, validation, defaults and a dump.
 */
#ifndef MAJLIS_DAEMON_CONFIG_H
#define MAJLIS_DAEMON_CONFIG_H

/*
 * This header shares its name with autoconf's: a file of daemon/ that wrote
 * `#include "config.h"` (the project writes <config.h>) would land here, as a
 * quoted include searches the includer's directory first. Pull autoconf's in
 * for it: <> skips that directory and finds the build directory's one.
 */
#ifndef PACKAGE_NAME
#include <config.h>
#endif

#include <stddef.h>

#include <openssl/types.h>

#include "daemon/buf.h"
#include "daemon/imapurl.h"

/* Input limits of the file itself. */
#define CONFIG_FILE_MAX		(1024 * 1024)	/* bytes in a config file */
#define CONFIG_LINE_MAX		4096		/* bytes in one line */
#define CONFIG_ECHO_MAX		64	/* bytes of a bad key echoed in errors */

/* Ranges of the numeric keys (inclusive). Sizes in bytes, durations in
 * seconds. */
#define CONFIG_RELAY_CONNECTIONS_MIN	1
#define CONFIG_RELAY_CONNECTIONS_MAX	64
#define CONFIG_PARSER_WORKERS_MIN	1
#define CONFIG_PARSER_WORKERS_MAX	32
#define CONFIG_BOUNCE_THRESHOLD_MIN	1
#define CONFIG_BOUNCE_THRESHOLD_MAX	100
#define CONFIG_SMTP_MAX_RECIPIENTS_MIN	1
#define CONFIG_SMTP_MAX_RECIPIENTS_MAX	10000
#define CONFIG_MESSAGE_SIZE_MIN		((size_t)1 << 10)	/* 1K */
#define CONFIG_MESSAGE_SIZE_MAX		((size_t)1 << 30)	/* 1G */
#define CONFIG_PARSER_MEMORY_MIN	((size_t)16 << 20)	/* 16M */
#define CONFIG_PARSER_MEMORY_MAX	((size_t)2 << 30)	/* 2G */
#define CONFIG_RETRY_MAX_AGE_MIN	60L			/* 1m */
#define CONFIG_RETRY_MAX_AGE_MAX	(30L * 86400)		/* 30d */
#define CONFIG_RETRY_DELAY_MIN		1L			/* 1s */
#define CONFIG_RETRY_DELAY_MAX		86400L			/* 1d */
#define CONFIG_SMTP_TIMEOUT_MIN		1L			/* 1s */
#define CONFIG_SMTP_TIMEOUT_MAX		3600L			/* 1h */
#define CONFIG_PARSER_TIMEOUT_MIN	1L			/* 1s */
#define CONFIG_PARSER_TIMEOUT_MAX	600L			/* 10m */
#define CONFIG_IMAP_POLL_MIN		1L			/* 1s */
#define CONFIG_IMAP_POLL_MAX		86400L			/* 1d */
#define CONFIG_MOD_PENDING_MIN		1L			/* 1s */
#define CONFIG_MOD_PENDING_MAX		(30L * 86400)		/* 30d */
/* IMAP sources in one configuration (one fetcher session thread each). */
#define CONFIG_IMAP_SOURCES_MAX		32
/* Longest unix socket path (sizeof sun_path minus the NUL). */
#define CONFIG_UNIX_PATH_MAX		107
/* A domain name (RFC 1035): whole name and one label. */
#define CONFIG_DOMAIN_MAX		253
#define CONFIG_LABEL_MAX		63
#define CONFIG_USER_MAX			32
/* DKIM keys: the smallest RSA key accepted (RFC 8301), the largest key
 * file read, and the longest selector (selector._domainkey.list_domain
 * must also fit in CONFIG_DOMAIN_MAX). */
#define CONFIG_DKIM_RSA_BITS_MIN	1024
#define CONFIG_DKIM_KEY_FILE_MAX	(64 * 1024)
#define CONFIG_DKIM_SELECTOR_MAX	63

enum config_listen_kind {
	CONFIG_LISTEN_OFF = 0,
	CONFIG_LISTEN_TCP,
	CONFIG_LISTEN_UNIX
};

/* A listening address. OFF: host, port and path NULL. TCP: host (IPv6
 * without brackets) and port (decimal text) set. UNIX: path (absolute) set.
 * text is the value as written ("" when off), never NULL once parsed. */
struct config_listen {
	int	 kind;
	char	*host;
	char	*port;
	char	*path;
	char	*text;
};

enum config_relay_tls {
	CONFIG_RELAY_PLAIN = 0,		/* smtp:// (port 25) */
	CONFIG_RELAY_STARTTLS,		/* smtp+starttls:// (port 587) */
	CONFIG_RELAY_SMTPS		/* smtps:// (port 465) */
};

/* The outbound relay. host is IPv6 without brackets; port always set
 * (default by scheme); user and password percent-decoded, both NULL or both
 * set; text_safe is the normalised URL with the password shown as ***. */
struct config_relay {
	int	 tls;
	char	*host;
	char	*port;
	char	*user;
	char	*password;
	char	*text_safe;
};

/*
 * One IMAP source: an imap_source line and the imap_* keys after it (until
 * the next imap_source); the keys before the first imap_source are the
 * defaults of every source. Its name (config_source_name) is its group, or
 * "site" for a source routed by the headers. See man/majlis.conf.5.
 */
struct config_source {
	struct imapurl url;		/* imap_source; host never NULL */
	char	*processed;		/* flag, delete, move:FOLDER */
	char	*password_file;		/* NULL: password in the URL */
	long	 poll_interval;		/* seconds, without IDLE */
	long	 timeout;		/* seconds for one IMAP step */
	int	 tls_verify;		/* 1 yes, 0 no */
	char	*ca_file;		/* NULL: system trust store */
	char	*group;			/* NULL: route by the headers */
};

/*
 * The whole configuration. Every pointer is owned by the struct (config_free).
 * Optional paths and user are NULL when unset. After config_load the paths
 * (data_dir, tls_cert, tls_key, relay_ca_file) are absolute: a relative one
 * is taken relative to the current directory at load time.
 */
struct config {
	char	*path;			/* file loaded; NULL: defaults only */
	char	*data_dir;
	char	*site_name;
	char	*site_url;		/* http(s)://..., no trailing '/' */
	char	*list_domain;		/* lower case */
	char	*hostname;		/* EHLO and greeting name */
	struct config_listen http_listen;
	struct config_listen smtp_listen;
	struct config_listen lmtp_listen;
	struct config_relay relay;
	int	 relay_tls_verify;	/* 1 yes, 0 no */
	char	*relay_ca_file;		/* NULL: system trust store */
	int	 relay_connections;
	char	*tls_cert;		/* NULL: no STARTTLS, no HTTPS */
	char	*tls_key;
	int	 http_tls;		/* 1 yes, 0 no */
	size_t	 max_message_size;	/* bytes */
	char	*user;			/* NULL: no privilege drop */
	int	 parser_workers;
	int	 log_level;		/* LOG_LEVEL_* of daemon/log.h */
	int	 bounce_threshold;
	long	 retry_max_age;		/* seconds */
	long	 retry_min_delay;	/* seconds */
	long	 retry_max_delay;	/* seconds */
	int	 smtp_max_recipients;
	long	 smtp_command_timeout;	/* seconds */
	long	 parser_timeout;	/* seconds */
	size_t	 parser_memory;		/* bytes */
	long	 mod_pending_interval;	/* seconds (daemon/modpending.h) */
	/* IMAP sources (imap_*): see man/majlis.conf.5 */
	struct config_source imap_defaults;	/* keys before any imap_source */
	struct config_source imap_sources[CONFIG_IMAP_SOURCES_MAX];
	int	 imap_nsources;
	/* DKIM (dkim_*): see man/majlis.conf.5. The keys are read by
	 * config_load (before any privilege drop) and owned by the struct. */
	char	*dkim_selector;		/* NULL: no signing */
	char	*dkim_key;		/* path of the RSA private key */
	char	*dkim_ed25519_selector;	/* NULL: no Ed25519 signature */
	char	*dkim_ed25519_key;
	EVP_PKEY *dkim_rsa;		/* loaded from dkim_key, or NULL */
	EVP_PKEY *dkim_ed25519;		/* loaded from dkim_ed25519_key */
};

/* Initialise every field of *cfg to its default (hostname from
 * gethostname(), "localhost" when that is not a valid name). Previous
 * contents are not freed: use on a fresh struct, or after config_free. */
void	config_defaults(struct config *cfg);

/* config_defaults, then the file at path (NULL: no file), then the checks
 * between keys (tls_cert with tls_key, http_tls, retry delays, DKIM
 * selectors with their keys), the resolution of relative paths against the
 * current directory, and the loading of the DKIM keys (PEM private keys:
 * RSA of at least CONFIG_DKIM_RSA_BITS_MIN bits, Ed25519). Returns 0, or
 * -1 with err (if not NULL) set to "path:line: message" ("path: message" for
 * an unreadable file) for the first error found. The struct is filled either
 * way: call config_free after. */
int	config_load(struct config *cfg, const char *path, struct buf *err);

/* Set one key from its text value (as it would be after unquoting). Returns
 * 0, or -1 with err (if not NULL) set to "key: message" and the field left
 * unchanged; an unknown key is "unknown key \"KEY\"". imap_source adds a
 * source (a copy of the imap_* defaults; more than CONFIG_IMAP_SOURCES_MAX
 * is an error); the other imap_* keys set the last source added, or the
 * defaults when there is none. Does not check duplicates nor the rules
 * between keys (config_check). */
int	config_set(struct config *cfg, const char *key, const char *value,
	    struct buf *err);

/* The rules between keys: tls_cert and tls_key both or neither, http_tls
 * needs them, retry_min_delay <= retry_max_delay, each IMAP source has one
 * password (URL or file), no two sources share a name or a mailbox (host,
 * port, user and mailbox). Returns 0, or -1 with err
 * set to the message. config_load runs it (with line numbers). */
int	config_check(const struct config *cfg, struct buf *err);

/* A source's name: its imap_group, or "site". Not freed. */
const char *config_source_name(const struct config_source *);

/* The configured source of that name, or NULL. */
const struct config_source *config_source_find(const struct config *,
	    const char *name);

/* Whether s is a DKIM selector: dot-separated labels of letters, digits
 * and hyphens, at most CONFIG_DKIM_SELECTOR_MAX bytes. 1 or 0. */
int	config_dkim_selector_valid(const char *s);

/* Free everything *cfg owns and zero it. */
void	config_free(struct config *cfg);

/* A size: decimal bytes, or with a K, M or G suffix (powers of 1024, either
 * case). Returns 0 with *out set when min <= size <= max, -1 otherwise. */
int	config_parse_size(const char *value, size_t min, size_t max,
	    size_t *out);

/* A duration: decimal seconds, or with an s, m, h or d suffix. Returns 0
 * with *seconds set, -1 on bad syntax or overflow. */
int	config_parse_duration(const char *value, long *seconds);

/* Append the configuration to out as loadable "key = value" lines in the
 * order of the man page, the relay password shown as ***. */
void	config_dump(const struct config *cfg, struct buf *out);

#endif
