/*
 * Composing a digest copy for one member: multipart/alternative with an
 * RFC 1153-like plain text part and an HTML part (contents with anchors, a
 * section per thread, quotes folded, reply and web links), in the member's
 * language (ar, fr, en; right to left for Arabic) and time zone, with the
 * list fields and one-click unsubscribe of every list mail.
 */
#ifndef MAJLIS_MAIL_DIGEST_H
#define MAJLIS_MAIL_DIGEST_H

#include <stddef.h>

#include "daemon/buf.h"
#include "daemon/store_digest.h"

struct group;

/* Quoted lines shown before the rest of a quote is folded. */
#define DIGEST_QUOTE_SHOWN	2

struct digest_mail {
	const struct group		*group;
	const struct digest_row		*digest;
	const struct digest_member	*member;
	const struct digest_post *const	*posts;	/* in id order */
	size_t				 nposts;
	const char			*group_tz;	/* for the date of the issue */
	const char			*list_domain;
	const char			*site_url;
};

/* Append the whole message (CRLF line ends, ASCII header fields). */
void	digest_compose(struct buf *out, const struct digest_mail *);
/* Append the subject (UTF-8, not encoded): "[slug] Weekly digest, 16 Nov
 * 2026 — 12 posts in 4 threads" in the member's language. */
void	digest_subject(struct buf *out, const struct digest_mail *);
/* Append an RFC 6068 mailto URI to addr with subject and In-Reply-To
 * (Message-ID without brackets; NULL or "": none); every byte but the
 * unreserved ones percent-encoded in the values. */
void	digest_mailto(struct buf *out, const char *addr, const char *subject,
	    const char *in_reply_to);
/* Append s percent-encoded (all but A-Z a-z 0-9 - . _ ~). */
void	digest_pct(struct buf *out, const char *s);

#endif
