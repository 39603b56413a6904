/*
 * A post written on the web as the mail it becomes: an RFC 5322 message
 * built by majlis (From the member, To the group, our Message-ID, the
 * parent's In-Reply-To/References, the Markdown source as a text/plain
 * format=flowed part), committed as an inbound row marked as coming from
 * the web, so the inbound pipeline publishes it exactly like a mail post.
 */
#ifndef MAJLIS_WEBPOST_H
#define MAJLIS_WEBPOST_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/buf.h"

struct engine;

/* Longest subject typed on the web, in bytes of UTF-8. */
#define WEBPOST_SUBJECT_MAX	250
/* Longest Markdown source, in bytes: cmark has super-linear inputs, and
 * three times this (every byte percent-encoded) must fit a form body. */
#define WEBPOST_BODY_MAX	(16 * 1024)
/* Longest author name put in From, in bytes of UTF-8. */
#define WEBPOST_NAME_MAX	128
/* Columns (characters, quote marks included) a flowed line is wrapped to. */
#define WEBPOST_FLOW_WIDTH	72
/* No line of the message is longer than this, CRLF excluded (RFC 5322);
 * a body line that would be is sent quoted-printable. */
#define WEBPOST_LINE_MAX	998
/* Longest quoted-printable line, soft break included (RFC 2045). */
#define WEBPOST_QP_LINE		76
/* Most ids in References: the thread's first one, then the latest. */
#define WEBPOST_REFS_MAX	20
/* Longest Message-ID or address taken from data. */
#define WEBPOST_ID_MAX		250
/* The inbound peer of a web post is this prefix and the member id. */
#define WEBPOST_PEER_PREFIX	"web:"

/* What a web post says; strings are borrowed, NULL reads as "". */
struct webpost {
	const char	*author_name;	/* display name, may be empty */
	const char	*author_email;	/* the member's address */
	const char	*slug;		/* the group */
	const char	*list_domain;
	const char	*subject;	/* UTF-8, as typed or built for a reply */
	const char	*body;		/* Markdown source, UTF-8 */
	const char	*parent_msgid;	/* a reply: the parent's Message-ID
					   without brackets; NULL or "": none */
	const char	*parent_refs;	/* the parent's References (ids
					   separated by spaces), may be NULL */
	int64_t		 date;		/* seconds since the epoch */
};

enum webpost_check {
	WEBPOST_OK,
	WEBPOST_SUBJECT_EMPTY,
	WEBPOST_SUBJECT_LONG,	/* more than WEBPOST_SUBJECT_MAX bytes */
	WEBPOST_BODY_EMPTY,
	WEBPOST_BODY_LONG,	/* more than WEBPOST_BODY_MAX bytes */
	WEBPOST_BAD_TEXT	/* invalid UTF-8 or a NUL byte */
};

/* Check what a member typed: subject and body not blank, within their
 * limits, valid UTF-8 without NUL. */
enum webpost_check webpost_check(const char *subject, const char *body);

/* Replace out with the subject of a reply to a post titled parent: the
 * parent's subject when it already starts with a reply prefix, else
 * "Re: " and it. */
void	webpost_reply_subject(struct buf *out, const char *parent);

/* Append to out the text as a format=flowed body (RFC 3676, DelSp=no)
 * with CRLF line ends: line ends normalised, trailing spaces removed (a
 * trailing space would mean a soft break), control characters other than
 * TAB dropped, lines longer than WEBPOST_FLOW_WIDTH characters wrapped at
 * spaces with soft breaks (quote marks repeated on each piece), lines
 * beginning with a space, "From " or (unquoted, after a wrap) ">"
 * space-stuffed. A flowed decoder gives back the text with its trailing
 * spaces removed and quote marks followed by one space. */
void	webpost_flowed(struct buf *out, const char *text);

/*
 * Append to out the whole message for p, with CRLF line ends and ASCII
 * header fields (non-ASCII subject and name as RFC 2047 encoded-words):
 * Date, From, To, Subject, Message-ID (fresh, of list_domain; also put in
 * msgid without brackets), In-Reply-To and References for a reply
 * (References: usable ids of parent_refs, then the parent; at most
 * WEBPOST_REFS_MAX, the first and the latest), MIME-Version, Content-Type
 * text/plain; charset=utf-8; format=flowed, Content-Transfer-Encoding
 * (7bit, 8bit, or quoted-printable when a flowed line would pass
 * WEBPOST_LINE_MAX), then the body as webpost_flowed writes it. Returns 0,
 * or -1 when the author's address or the group cannot be written in a
 * header (nothing usable is appended then).
 */
int	webpost_build(struct buf *out, const struct webpost *p,
	    struct buf *msgid);

/* The member id of an inbound peer "web:ID", or 0 when the row did not
 * come from the web. */
int64_t	webpost_peer_member(const char *peer);

/*
 * Build p's message and commit it as an inbound row from member_id (peer
 * WEBPOST_PEER_PREFIX and the id, envelope sender the author's address,
 * recipient slug@list_domain) in its own transaction, then hand the row to
 * the inbound pipeline at once. msgid receives the Message-ID. Returns the
 * inbound id, or -1 (nothing committed).
 */
int64_t	webpost_submit(struct engine *, int64_t member_id,
	    const struct webpost *p, struct buf *msgid);

#endif
