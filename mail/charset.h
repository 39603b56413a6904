/*
 * Character sets: labels to canonical names, conversion to UTF-8 through
 * glibc iconv (latin1 read as windows-1252, bad bytes become U+FFFD), UTF-8
 * validation and repair, and cleaning of text for display.
 */
#ifndef MAJLIS_CHARSET_H
#define MAJLIS_CHARSET_H

#include <stddef.h>

#include "daemon/buf.h"

/* Longest charset label accepted (before trimming); longer is unknown. */
#define CHARSET_LABEL_MAX	64

/* Canonical name of a charset label ("Latin1" -> "windows-1252", "utf8" ->
 * "UTF-8", "arabic" -> "ISO-8859-6"): case-insensitive, surrounding blanks
 * ignored. latin1, iso-8859-1 and us-ascii map to "windows-1252" as in
 * browsers. Returns a static string, or NULL for an unknown label (or NULL,
 * or one longer than CHARSET_LABEL_MAX). */
const char	*charset_canonical(const char *label);

/* Convert len bytes of in, written in charset label, and append the result to
 * out as valid UTF-8. Invalid or unconvertible bytes become U+FFFD; the
 * conversion never stops early. Returns 0 if the label is known; -1 if it is
 * unknown (or iconv cannot open it), in which case in is appended as repaired
 * UTF-8. NUL bytes are kept (they are valid UTF-8). */
int		 charset_to_utf8(struct buf *out, const char *label,
		    const char *in, size_t len);

/* Append in to out with every invalid UTF-8 sequence (stray continuation,
 * overlong form, surrogate, above U+10FFFF, truncated) replaced by U+FFFD,
 * one per maximal invalid subpart. */
void		 charset_utf8_repair(struct buf *out, const char *in,
		    size_t len);

/* 1 if the len bytes of s are valid UTF-8 (NUL included), else 0. */
int		 charset_utf8_valid(const char *s, size_t len);

/* Length (1-4) of the valid UTF-8 sequence that starts s (n bytes
 * available), or 0 if none starts there. */
size_t		 charset_utf8_seqlen(const char *s, size_t n);

/* Append in (any bytes) to out as display text: UTF-8 repaired, every
 * control character (C0 with TAB, CR, LF and NUL, DEL, C1) and U+2028/U+2029
 * turned into a space, runs of spaces collapsed to one, leading and trailing
 * spaces dropped. */
void		 charset_display(struct buf *out, const char *in, size_t len);

#endif
