/*
 * Mail addresses: SMTP paths (MAIL FROM/RCPT TO), the first mailbox of a
 * From/Reply-To/Sender header, normalisation and comparison, and the
 * per-group list addresses (slug, slug-request, slug-bounces+TOKEN, ...).
 */
#ifndef MAJLIS_ADDRESS_H
#define MAJLIS_ADDRESS_H

#include "daemon/buf.h"

/* Whole address (RFC 5321 path limit, 256 minus the angle brackets). */
#define ADDRESS_MAX_LEN		254
/* Local part (RFC 5321 4.5.3.1.1). */
#define ADDRESS_MAX_LOCAL	64
/* One domain label (RFC 1035). */
#define ADDRESS_MAX_LABEL	63
/* Nested parentheses (comments) in a header value. */
#define ADDRESS_MAX_COMMENT_DEPTH 50
/* Group slug: [a-z0-9][a-z0-9-]{0,62}. */
#define ADDRESS_MAX_SLUG	63
/* Token of -bounces+, -confirm+, -moderate+: [A-Za-z0-9_-]{1,127}. */
#define ADDRESS_MAX_TOKEN	127

/*
 * Parse an SMTP MAIL FROM/RCPT TO argument "<local@domain> [params]"
 * (RFC 5321 Path; leading spaces tolerated). "<>" gives an empty addr (the
 * null reverse path: the caller refuses it for RCPT). A source route
 * "@a,@b:" is dropped; quoted local parts are kept as written. "<Postmaster>"
 * without domain (any case) is accepted as addr "Postmaster" (RFC 5321
 * 4.1.1.3). Refused: spaces outside quotes, control characters and 8-bit
 * bytes (no SMTPUTF8), more than ADDRESS_MAX_LEN / ADDRESS_MAX_LOCAL, a
 * domain that is neither a hostname nor an [IPv4] / [IPv6:...] literal, and
 * anything but end or a space after ">". addr is replaced with the address,
 * its domain lowercased; *rest (if rest is not NULL) points into arg at the
 * parameters after ">" and its spaces. Returns 0, or -1 (addr then empty).
 */
int	 address_parse_path(const char *arg, struct buf *addr,
	    const char **rest);

/*
 * Parse the first mailbox of an RFC 5322 address-list header value (From,
 * Reply-To, Sender; raw, folding allowed): `Name <a@b>`, `"Quoted, Name"
 * <a@b>`, `a@b (Comment Name)`, `a@b`, `Group: a@b;`. Comments are skipped
 * (nested at most ADDRESS_MAX_COMMENT_DEPTH). name is replaced with the
 * display name: the words of the phrase joined by one space, quoted strings
 * unquoted and unescaped, encoded-words left as they are (decode them with
 * the RFC 2047 decoder), control characters dropped; when there is no phrase,
 * the first comment's text; else empty. addr is replaced with the address,
 * domain lowercased, local part as written. 8-bit bytes are allowed in the
 * name and local part (RFC 6532). Returns 0, or -1 when no valid mailbox is
 * found (name and addr then empty).
 */
int	 address_parse_mailbox(const char *hdr, struct buf *name,
	    struct buf *addr);

/* Is addr a valid "local@domain" (the syntax and limits of
 * address_parse_path, without the angle brackets)? Returns 1 or 0. */
int	 address_valid(const char *addr);

/* Replace out with addr, its domain (after the last '@') lowercased and the
 * local part kept. */
void	 address_normalize(struct buf *out, const char *addr);

/* Are a and b the same address? Compared ignoring ASCII case in both
 * parts. Returns 1 or 0. */
int	 address_equal(const char *a, const char *b);

enum address_kind {
	ADDR_POST,	/* slug@ */
	ADDR_REQUEST,	/* slug-request@ */
	ADDR_JOIN,	/* slug-join@ */
	ADDR_LEAVE,	/* slug-leave@ */
	ADDR_OWNER,	/* slug-owner@ */
	ADDR_BOUNCES,	/* slug-bounces+TOKEN@ */
	ADDR_CONFIRM,	/* slug-confirm+TOKEN@ */
	ADDR_MODERATE	/* slug-moderate+TOKEN@ */
};

struct list_address {
	char			 slug[ADDRESS_MAX_SLUG + 1];
	enum address_kind	 kind;
	char			 token[ADDRESS_MAX_TOKEN + 1]; /* "" if none */
};

/*
 * Split a recipient address at list_domain (compared ignoring case) into
 * slug, kind and token. The slug and the suffix are matched ignoring ASCII
 * case (out->slug is lowercase), the token keeps its case. Whether the slug
 * exists is for the caller to check. Returns 0, or -1 when addr is not a
 * list address of that domain (out is then zeroed).
 */
int	 address_list_split(const char *addr, const char *list_domain,
	    struct list_address *out);

/* Is slug a valid group slug ([a-z0-9][a-z0-9-]{0,62}, not ending in a
 * list-address suffix such as "-request" or "-bounces")? Returns 1 or 0. */
int	 address_slug_valid(const char *slug);

/* Replace out with the list address of that kind: "slug-request@domain",
 * "slug-bounces+token@domain"... token is used by BOUNCES, CONFIRM and
 * MODERATE only (may be NULL otherwise). */
void	 address_list_format(struct buf *out, const char *slug,
	    enum address_kind kind, const char *token, const char *list_domain);

#endif
