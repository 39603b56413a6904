/*
 * Private to daemon/config.c, config_addr.c and config_imap.c: the key
 * table's types and the helpers the three share. Not for other modules.
 */
#ifndef MAJLIS_DAEMON_CONFIG_INT_H
#define MAJLIS_DAEMON_CONFIG_INT_H

#include <stddef.h>

#include "daemon/buf.h"
#include "daemon/config.h"

struct config_key;

/* What a type of key knows: parse a value into the field, write it back.
 * The base is the struct config, or the struct config_source of a source
 * key. */
struct config_type {
	int	(*set)(void *, const struct config_key *, const char *,
		    struct buf *);
	void	(*dump)(const void *, const struct config_key *,
		    struct buf *);
};

struct config_key {
	const char		*name;
	const struct config_type *type;
	size_t			 off;	/* of the field in its struct */
	long long		 min, max;	/* numeric types only */
	const char		*def;	/* default text; NULL: computed */
	int			 source;	/* 1: in struct config_source */
};

#define FIELD(cfg, k, t)	((t *)(void *)((char *)(cfg) + (k)->off))
#define CFIELD(cfg, k, t) \
	((const t *)(const void *)((const char *)(cfg) + (k)->off))

/* The lines where keys were set while loading (defined in config.c). */
struct config_lines;

/* The line key was set on in row (0: the site's keys and the sources'
 * defaults, 1 + n: source n's own keys); 0 when not set or all is NULL. */
int	config_line(const struct config_lines *all, int row, const char *key);

/* Replace err's text (when err is not NULL). */
void	config_err_set(struct buf *err, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Decimal digits s[0..n) only, no sign, no overflow: 0 with *out, or -1. */
int	config_parse_ull(const char *s, size_t n, unsigned long long *out);

/* 1 when s is a host name of letters, digits and hyphens whose last label
 * is not all digits, else 0. */
int	config_valid_domain(const char *s);

/* Append s to out, quoted and escaped when it needs it. */
void	config_dump_quoted(struct buf *out, const char *s);

/* The dumper of text keys ("" for NULL). */
void	config_dump_str(const void *cfg, const struct config_key *k,
	    struct buf *out);

/* The setter of non-empty text keys (a copy of v into the field). */
int	config_set_text(void *cfg, const struct config_key *k, const char *v,
	    struct buf *err);

/* The types of the address keys (config_addr.c) and of the IMAP source
 * keys (config_imap.c). */
extern const struct config_type config_addr_listen_type;
extern const struct config_type config_addr_relay_type;
extern const struct config_type config_imap_source_type;
extern const struct config_type config_imap_processed_type;

/* 1 when k is imap_source (the key that starts a new source). */
int	config_imap_is_source(const struct config_key *k);

/* imap_source = v: one more source, the defaults with this URL. 0, or -1
 * with err set. */
int	config_imap_add_source(struct config *cfg, const struct config_key *k,
	    const char *v, struct buf *err);

/* Free what a source owns and zero it. */
void	config_imap_source_free(struct config_source *s);

/* Each IMAP source has exactly one password (URL or file); no two share a
 * name or a mailbox. 0, or -1 with err set and *line the line to blame
 * (from all, which may be NULL). */
int	config_imap_check(const struct config *cfg,
	    const struct config_lines *all, int *line, struct buf *err);

#endif
