/*
 * Raw RFC 5322 header access: iterate fields, unfold values, find the body,
 * and extract Message-ID lists. Works on bytes already pre-scanned.
 */
#ifndef MAJLIS_HEADER_H
#define MAJLIS_HEADER_H

#include <stddef.h>

#include "daemon/buf.h"

#define HEADER_MSGID_MAX	250	/* longest Message-ID we keep */
#define HEADER_REFS_MAX		20	/* most References ids we keep */

struct header_field {
	const char	*name;
	size_t		 name_len;
	const char	*value;		/* raw, still folded, after "name:" */
	size_t		 value_len;
};

/* Next field of the header block starting at *pos: 1 with f filled and *pos
 * advanced, 0 at the end of the header block (blank line or end of data).
 * Lines without a colon are skipped. */
int	header_next(const char *msg, size_t len, size_t *pos,
	    struct header_field *f);
/* Offset of the body (after the blank line), or len when there is none. */
size_t	header_body_offset(const char *msg, size_t len);
/* Case-insensitive name comparison. */
int	header_is(const struct header_field *, const char *name);
/* Append the unfolded value (CR/LF removed, leading/trailing space trimmed). */
void	header_unfold(struct buf *out, const char *v, size_t n);
/* Append the first field called name, unfolded; 1 found, 0 not. */
int	header_get(const char *msg, size_t len, const char *name, struct buf *out);
/* Count fields called name. */
int	header_count(const char *msg, size_t len, const char *name);
/* Append the <msg-id>s of a value as space-separated ids without brackets,
 * at most max of them (the last ones when more), skipping malformed ones.
 * Returns how many were written. */
int	header_msgids(struct buf *out, const char *v, size_t n, int max);

#endif
