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
#include <stdint.h>
#include <time.h>

#include "daemon/buf.h"
#include "daemon/store_digest.h"
#include "daemon/token.h"

struct group;

/* Quoted lines shown before the rest of a quote is folded. */
#define DIGEST_QUOTE_SHOWN	2
/* Columns of the plain part: lines are wrapped at blanks to this width (a
 * word or URL longer stays whole). */
#define DIGEST_TEXT_COLS	78

struct digest_mail {
	const struct group		*group;
	const struct digest_row		*digest;
	const struct digest_member	*member;
	const struct digest_post *const	*posts;	/* in id order */
	size_t				 nposts;
	const char			*group_tz;	/* for the date of the issue */
	const char			*list_domain;
	const char			*site_url;
	/* set by digest_mail_localise: the local time of each post (in
	 * posts' order) in the member's zone, the issue's date in the
	 * group's, and the Date of the mail; rendering reads these and never
	 * the process's time zone, so it may run off the loop's thread */
	const struct tm			*post_tm;
	struct tm			 issue_tm;
	int64_t				 now;
};

/* Fill dm's times for its posts into post_tm (dm->nposts slots, kept by
 * dm), the issue date and now. Sets the process's TZ for the calls: only
 * on the thread that owns the time zone (the loop's). */
void	digest_mail_localise(struct digest_mail *dm, struct tm *post_tm,
	    int64_t now);

/*
 * A digest is rendered once per variant (language, time zone, first post)
 * into a template: the header block, the plain text and the HTML, UTF-8
 * and not yet encoded, with holes where each member's own values go (the
 * token of their unsubscribe links and List-Unsubscribe, the token of
 * their delivery-mode link, their id in the Message-ID). Its copies share it; each is made at delivery time by
 * digest_personalise.
 */
enum digest_part { DIGEST_PART_HEAD, DIGEST_PART_TEXT, DIGEST_PART_HTML,
	DIGEST_NPARTS };
#define DIGEST_HOLE_UNSUB	'u'	/* the member's unsubscribe token */
#define DIGEST_HOLE_MEMBER	'm'	/* the member's id */
#define DIGEST_HOLE_DELIVERY	'd'	/* their delivery-mode link token */
#define DIGEST_HOLES_MAX	16	/* holes a template may have */
#define DIGEST_BOUNDARY_MAX	(TOKEN_LEN + 1)
#define DIGEST_TOKEN_MAX	48	/* bytes of an unsubscribe token + 1 */

struct digest_hole {
	int	 part;		/* enum digest_part */
	size_t	 off;		/* where in the part, in bytes */
	char	 kind;		/* DIGEST_HOLE_* */
};

struct digest_template {
	/* the text part is ready to send (part header, CRLF, 8bit) when
	 * text_ready, else plain UTF-8 encoded for each copy; the HTML
	 * part's first html_ready bytes are base64 already, the rest (from
	 * its first hole) is encoded for each copy */
	int			 text_ready;
	size_t			 html_ready;
	struct buf		 part[DIGEST_NPARTS];
	struct digest_hole	 holes[DIGEST_HOLES_MAX];	/* in order */
	size_t			 nholes;
	char			 boundary[DIGEST_BOUNDARY_MAX];
};

/* What differs between the copies of one template. */
struct digest_personal {
	int64_t		 member_id, group_id;
	const char	*unsub_token;
};

/* Render dm (localised: digest_mail_localise) into t (which the caller
 * frees with digest_template_free); dm->member gives the language and
 * mark, never its id or token. Reads no global state (time zone,
 * clock, database): safe on a worker thread for data it owns. */
void	digest_template_build(struct digest_template *t,
	    const struct digest_mail *dm);
void	digest_template_free(struct digest_template *t);
/* Append t's holes as text, for storage: "T TEXT_READY\nH HTML_READY\n"
 * then one "PART OFFSET KIND" line each. */
void	digest_template_holes(struct buf *out, const struct digest_template *t);
/* Read holes written by digest_template_holes into t, whose parts are
 * already set: 0, or -1 when they are malformed or out of the parts. */
int	digest_template_set_holes(struct digest_template *t,
	    const char *holes);
/* Make t from a stored body, taking its parts; b is cleared. 0, or -1
 * when it is malformed (t is then empty). */
int	digest_template_take(struct digest_template *t, struct digest_body *b);
/* Append one member's copy of t: the whole message, CRLF line ends, the
 * text part 8bit or quoted-printable, the HTML part base64. */
void	digest_personalise(struct buf *out, const struct digest_template *t,
	    const struct digest_personal *who);

/* A piece of a copy: bytes of part `part` of the template, or (part
 * DIGEST_NPARTS) of the copy's own bytes, from off for len. */
struct digest_seg {
	int	 part;
	size_t	 off, len;
};
/* Pieces a copy may take: around each hole, the parts' joints, own bytes
 * in between. */
#define DIGEST_SEGS_MAX		(2 * DIGEST_HOLES_MAX + 2 * DIGEST_NPARTS + 4)

/* The same copy as digest_personalise, without copying the template:
 * the copy's own bytes (holes filled, MIME lines, the encoded end of the
 * HTML) are appended to own, and segs[] (DIGEST_SEGS_MAX slots) gets the
 * pieces in order, pointing into t's parts or into own. Returns the
 * number of pieces. */
size_t	digest_personalise_segs(struct buf *own, struct digest_seg *segs,
	    const struct digest_template *t, const struct digest_personal *who);
/* Localise dm (digest_mail_localise, with the time now: on the loop's
 * thread), build and personalise for dm->member at once (previews,
 * tests): the same bytes a stored template gives at delivery, but for the
 * boundary and Date. */
void	digest_compose(struct buf *out, const struct digest_mail *);
/* Append the subject (UTF-8, not encoded): "[slug] Weekly digest, 16 Nov
 * 2026 — 12 posts in 4 threads" in the member's language (dm localised),
 * with the group's subject prefix in place of "[slug]" (NULL: "[slug]",
 * "": none) as its list copies carry. */
void	digest_subject(struct buf *out, const struct digest_mail *);
/* Append an RFC 6068 mailto URI to addr with subject and In-Reply-To
 * (Message-ID without brackets; NULL or "": none); every byte but the
 * unreserved ones percent-encoded in the values. */
void	digest_mailto(struct buf *out, const char *addr, const char *subject,
	    const char *in_reply_to);
/* Append s percent-encoded (all but A-Z a-z 0-9 - . _ ~). */
void	digest_pct(struct buf *out, const char *s);

#endif
