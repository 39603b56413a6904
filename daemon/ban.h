/*
 * Banned senders: the three kinds of ban value (an exact address, a domain
 * with or without its subdomains, a glob pattern) and the matcher, which
 * never backtracks more than once per step: a pattern of P bytes against an
 * address of A bytes costs at most (P + 1) * (A + 1) comparisons.
 */
#ifndef MAJLIS_BAN_H
#define MAJLIS_BAN_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/buf.h"

/* Bytes in a ban value of any kind (an address's RFC 5321 limit). */
#define BAN_VALUE_MAX		254
/* Bytes in a glob pattern. */
#define BAN_PATTERN_MAX		128

enum ban_kind { BAN_ADDRESS, BAN_DOMAIN, BAN_PATTERN };

/*
 * Read a ban value as typed by a moderator: "@example.com" is a domain,
 * a value with '*' or '?' is a pattern (glob: '*' any run of bytes, '?'
 * one byte, ASCII case ignored, matched against the whole address), else
 * an exact address. norm gets the value trimmed of spaces and lowercased.
 * Returns 0 with *kind set, or -1 with *err a static English explanation.
 */
int	ban_parse(const char *value, enum ban_kind *kind, struct buf *norm,
	    const char **err);
/* "address", "domain", "pattern". */
const char *ban_kind_name(enum ban_kind);
/* The kind named by s: 0 with *kind set, -1 for an unknown name. */
int	ban_kind_from_name(const char *s, enum ban_kind *kind);

/*
 * Whether addr is banned by (kind, value) as ban_parse normalised it;
 * subdomains extends a domain ban to every domain under it. 1 or 0.
 */
int	ban_match(enum ban_kind, const char *value, int subdomains,
	    const char *addr);

/*
 * Glob match of the whole of s against pat ('*', '?', ASCII case ignored).
 * When steps is not NULL it gets the comparisons made. 1 or 0.
 */
int	ban_glob(const char *pat, const char *s, uint64_t *steps);

#endif
