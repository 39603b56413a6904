/*
 * Linear pre-scan of an untrusted raw message, run before any libetpan call:
 * bounds MIME nesting, part count, header blocks and comment nesting, and
 * rejects boundaries outside RFC 2046 bchars (libetpan 1.9.4 crashes on them).
 */
#ifndef MAJLIS_PRESCAN_H
#define MAJLIS_PRESCAN_H

#include <stddef.h>

/* Nested MIME containers (multiparts and encapsulated message/rfc822). */
#define PRESCAN_MAX_DEPTH		50
/* Body parts opened by a boundary delimiter, over the whole message. */
#define PRESCAN_MAX_PARTS		500
/* Bytes of any single header block (top level or part), line ends included,
 * the blank line that ends it excluded. */
#define PRESCAN_MAX_HEADER_BLOCK	(100 * 1024)
/* Physical lines (folded continuations included) of any header block. */
#define PRESCAN_MAX_HEADER_LINES	1000
/* Nested parentheses (comments) in any structured header field. */
#define PRESCAN_MAX_COMMENT_DEPTH	50
/* Longest boundary parameter (RFC 2046: 1 to 70 characters). */
#define PRESCAN_MAX_BOUNDARY		70

enum prescan_status {
	PRESCAN_OK,
	PRESCAN_TOO_DEEP,
	PRESCAN_TOO_MANY_PARTS,
	PRESCAN_HEADER_TOO_BIG,
	PRESCAN_TOO_MANY_HEADERS,
	PRESCAN_BAD_BOUNDARY,
	PRESCAN_COMMENT_TOO_DEEP,
	PRESCAN_NO_HEADER,
	PRESCAN_NUL_IN_HEADER
};

struct prescan_info {
	int	 depth;		/* deepest MIME nesting seen (0: single part) */
	int	 parts;		/* body parts opened by a delimiter line */
	int	 boundary_missing; /* a multipart's boundary never appears */
	size_t	 header_len;	/* offset of the top-level body: the header
				   block and its blank line; len when the
				   message has no blank line */
	int	 received_count; /* Received: fields in the top-level header */
};

/*
 * Scan the raw message msg[0..len) (CRLF or bare LF line ends; NUL bytes
 * allowed in bodies) in one pass, with no allocation. Fills *info as far as
 * the scan got (all of it on PRESCAN_OK) and returns PRESCAN_OK or the first
 * limit crossed. Header fields: names are matched case-insensitively, folded
 * lines are followed; the first Content-Type that parses as type/subtype
 * decides the structure of its entity, and every multipart boundary in a
 * header block must be 1-70 bchars (quoted or token, no backslash) or the
 * result is PRESCAN_BAD_BOUNDARY. A multipart without a boundary parameter
 * is a single part (as libetpan reads it); message/rfc822 not encoded in
 * base64 or quoted-printable is scanned as a nested message; parts of a
 * multipart/digest default to message/rfc822. Delimiters are matched as
 * libetpan does ("--" boundary, then blanks to the line end or "--"), the
 * outermost open multipart first. Comment depth is checked in every field
 * except the free-text ones (Subject, Comments, Content-Description,
 * Thread-Topic). The top-level header must begin with a field name and a
 * colon (PRESCAN_NO_HEADER otherwise, also for an empty message).
 */
enum prescan_status prescan_message(const char *msg, size_t len,
	    struct prescan_info *info);

/* Short English text for a status, for logs and SMTP replies (static
 * storage, never NULL). */
const char *prescan_status_str(enum prescan_status);

#endif
