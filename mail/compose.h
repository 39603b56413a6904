/*
 * Building the mail majlis sends: the per-recipient copies of a post, the
 * messages majlis writes itself, and the shared MIME part of a post. Output
 * is RFC 5322 with CRLF line ends and ASCII-only header fields.
 */
#ifndef MAJLIS_COMPOSE_H
#define MAJLIS_COMPOSE_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/buf.h"

struct group;
struct post;

/* No line written is longer than this, CRLF excluded (RFC 5322 MUST). */
#define COMPOSE_LINE_MAX	998
/* Header fields are folded before this many columns where possible. */
#define COMPOSE_LINE_SOFT	78
/* Longest quoted-printable line written, soft break "=" included. */
#define COMPOSE_QP_LINE		76
/* Longest base64 line written when a base64 body has to be re-wrapped. */
#define COMPOSE_B64_LINE	76
/* Most ids in References: the thread root and the latest ones. */
#define COMPOSE_REFS_MAX	10
/* Longest Message-ID written (longer ones are cut or left out). */
#define COMPOSE_MSGID_MAX	250
/* Longest domain, slug, address or token piece taken from data. */
#define COMPOSE_PIECE_MAX	256
/* Longest URL base (site_url) taken from the configuration. */
#define COMPOSE_URL_MAX		512
/* Longest author name (bytes of display text) put in From. */
#define COMPOSE_NAME_MAX	128
/* Longest subject (bytes of display text) before encoding. */
#define COMPOSE_SUBJECT_MAX	1000
/* Longest group subject prefix (bytes of display text) taken from data. */
#define COMPOSE_PREFIX_MAX	64

/* Append a fresh Message-ID without angle brackets: "majlis." followed by a
 * random token, "@" and list_domain (cleaned to address characters). */
void	compose_message_id(struct buf *out, const char *list_domain);

/* Append the RFC 5322 date of t (seconds since the epoch) in UTC, e.g.
 * "Mon, 23 Nov 2026 09:00:00 +0000"; English names whatever the locale. A
 * time gmtime cannot represent gives the epoch. */
void	compose_date(struct buf *out, int64_t t);

/*
 * Append the shared MIME part of a mail post built from the raw message
 * raw[0..len): its Content-Type, Content-Transfer-Encoding,
 * Content-Disposition, Content-Language and Content-ID fields (the first of
 * each; kept byte for byte when every line is printable ASCII of at most
 * COMPOSE_LINE_MAX bytes, else unfolded, cleaned and folded again), a blank
 * line and the body unchanged (a lone CR or LF becomes CRLF, and a body not
 * ending in a line end gets one).
 * - No Content-Type: "text/plain; charset=us-ascii" for a 7-bit body,
 *   charset=utf-8 for a valid UTF-8 one, else the body is read as
 *   windows-1252 and written as compose_mime_part_text does.
 * - An 8-bit body without Content-Transfer-Encoding gets "8bit".
 * - A body line longer than COMPOSE_LINE_MAX or a NUL byte in a single part
 *   is mended without changing what the part decodes to: an identity body
 *   becomes quoted-printable, a base64 body is wrapped again, a
 *   quoted-printable body gets soft line breaks (NULs dropped). A multipart,
 *   message or unknown encoding that needs mending is replaced by its body
 *   as text (UTF-8 repaired), as compose_mime_part_text does.
 * When fallback_text is not NULL (the caller found the MIME structure
 * broken), the raw message is ignored and compose_mime_part_text(out,
 * fallback_text) is used instead.
 */
void	compose_mime_part_from_raw(struct buf *out, const char *raw, size_t len,
	    const char *fallback_text);

/* 1 when compose_mime_part_from_raw can keep (or mend) the raw message's own
 * part, 0 when it would only have the body as text to offer: a caller that
 * has the parsed text should then pass it as fallback_text. */
int	compose_mime_part_check(const char *raw, size_t len);

/*
 * Append a text/plain; charset=utf-8 part built from utf8 (invalid UTF-8
 * repaired to U+FFFD): header fields, blank line, body with CRLF line ends
 * (LF and CRLF taken as line ends) and a final CRLF when the text is not
 * empty. "7bit" when the text is ASCII, "8bit" when it is not, and
 * quoted-printable (lines of at most COMPOSE_QP_LINE) when a line is longer
 * than COMPOSE_LINE_MAX or holds a bare CR.
 */
void	compose_mime_part_text(struct buf *out, const char *utf8);

/* An attachment of a part compose_mime_part_mixed builds; borrowed. */
struct compose_attachment {
	const char	*filename;	/* may be "" */
	const char	*content_type;	/* "type/subtype" */
	const void	*data;
	size_t		 len;
};

/*
 * Append a multipart/mixed part (with a random boundary): a text/plain
 * part built from utf8 as compose_mime_part_text does, then each
 * attachment in base64 lines of COMPOSE_B64_LINE, with its Content-Type
 * (cleaned; application/octet-stream when not a usable type) and
 * "Content-Disposition: attachment" with its filename (RFC 2231 encoded
 * when it is not plain ASCII). With no attachment, the text part alone.
 * Used when the group's MIME policy strips parts from a post.
 */
void	compose_mime_part_mixed(struct buf *out, const char *utf8,
	    const struct compose_attachment *att, size_t n);

/*
 * Append the message raw[0..len) with its body replaced by part (fields,
 * blank line, body, as the compose_mime_part_* functions write it): the
 * header block without its MIME-Version and Content-* fields, then
 * MIME-Version: 1.0 and the part.
 */
void	compose_replace_body(struct buf *out, const char *raw, size_t len,
	    const char *part, size_t part_len);

/* One copy of a post for one recipient; everything is borrowed. */
struct compose_copy {
	const struct group	*group;
	const struct post	*post;
	const char		*rcpt;	/* envelope only: never written in the
					   message (To is the list) */
	const char		*unsub_token;	/* NULL or "": no one-click URL */
	const char		*list_domain;
	const char		*site_url;	/* "https://host", no final "/" needed */
};

/*
 * Append the copy of c->post for one recipient: Date (post->created),
 * From: "Author via Group" <slug@list_domain> ("A member" when the author
 * has no name), Reply-To <slug@list_domain> (or, as group->reply_to says,
 * the author's address, or both: the only place the author's address is
 * written), To <slug@list_domain>, Subject (subject_for_list, or
 * subject_for_list_prefix with group->subject_prefix, encoded), Message-ID,
 * In-Reply-To (the parent), References (the post's refs ending with the
 * parent, at most COMPOSE_REFS_MAX: the first one and the latest), List-Id,
 * List-Post, List-Help, List-Archive (the thread URL), List-Unsubscribe
 * (the one-click URL and a mailto), List-Unsubscribe-Post (with a token),
 * Precedence: list, X-Loop, MIME-Version, then post->mime_part as it is
 * (compose_mime_part_text(post->body) when it is empty). Every value taken
 * from data is cleaned: no control character, CR or LF reaches a header.
 */
void	compose_post_copy(struct buf *out, const struct compose_copy *c);

/* A message majlis writes itself (confirmations, notices, help). Strings
 * are borrowed; only from_addr, to, subject, text and list_domain are
 * required (NULL is read as ""). */
struct compose_system {
	const char	*from_name;	/* display name, may be NULL */
	const char	*from_addr;
	const char	*to;
	const char	*reply_to;	/* may be NULL */
	const char	*subject;	/* UTF-8 */
	const char	*text;		/* UTF-8 body */
	const char	*list_domain;	/* for the Message-ID */
	const char	*list_id;	/* "slug.list_domain" or NULL */
	const char	*in_reply_to;	/* Message-ID without brackets, or NULL */
	int		 auto_submitted; /* Auto-Submitted: auto-replied */
	int64_t		 date;		/* 0: now */
	const char	*language;	/* Content-Language ("ar"), or NULL */
};

/* Append the whole message: Date, From, To, Reply-To (when given),
 * Subject, a fresh Message-ID, In-Reply-To and References (when given),
 * Auto-Submitted and X-Auto-Response-Suppress (when auto_submitted),
 * List-Id (when given), Content-Language (when given), MIME-Version and
 * the text as compose_mime_part_text writes it. */
void	compose_system(struct buf *out, const struct compose_system *s);

#endif
