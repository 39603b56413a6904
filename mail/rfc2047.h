/*
 * RFC 2047 encoded-words: decoding header values into display text, and
 * encoding UTF-8 text into header values and display-name phrases.
 */
#ifndef MAJLIS_RFC2047_H
#define MAJLIS_RFC2047_H

#include <stddef.h>

#include "daemon/buf.h"

/* Longest encoded-word written (RFC 2047 section 2). */
#define RFC2047_WORD_MAX	75
/* Lines are folded before they pass this many columns (RFC 5322 SHOULD). */
#define RFC2047_LINE_SOFT	78
/* No line written is longer than this (RFC 5322 MUST). */
#define RFC2047_LINE_MAX	998

/* Decode len bytes of an unstructured header value (folded or not) and
 * append display text to out: encoded-words (B or Q, any charset, charset
 * labels longer than CHARSET_LABEL_MAX left as text) decoded, whitespace
 * between adjacent encoded-words dropped, malformed words kept as text, raw
 * 8-bit text read as UTF-8 if valid else as windows-1252. The result is
 * valid UTF-8 with every control character turned into a space, spaces
 * collapsed and trimmed (never CR, LF or NUL). Work is linear in len. */
void	rfc2047_decode(struct buf *out, const char *in, size_t len);

/* Append the NUL-terminated UTF-8 text utf8 to out as an unstructured header
 * value, to be written after "Name: " which takes `used` columns. The text
 * is first cleaned as display text (controls to spaces, spaces collapsed,
 * trimmed, bad UTF-8 to U+FFFD). Printable ASCII words are written as they
 * are; runs of words that are not ASCII, contain "=?" or could not fit a
 * line become =?UTF-8?Q?...?= or =?UTF-8?B?...?= words (Q unless B is
 * shorter; the spaces inside a run are encoded with it), each at most
 * RFC2047_WORD_MAX long, never splitting a character. Lines are folded with
 * "\r\n " before RFC2047_LINE_SOFT columns where possible (the output may
 * start with a fold when its first word does not fit after "Name: ") and
 * never pass RFC2047_LINE_MAX; no other CR or LF is written. rfc2047_decode
 * gives back the cleaned text. */
void	rfc2047_encode(struct buf *out, const char *utf8, size_t used);

/* Append the NUL-terminated UTF-8 display name utf8 to out as an RFC 5322
 * phrase (for "Phrase <addr>"), cleaned as in rfc2047_encode: atoms as they
 * are when every word is an atom, else a quoted-string (with \" and \\) when
 * ASCII, else encoded-words. Folded as if it began a line. Appends nothing
 * when the cleaned name is empty. */
void	rfc2047_encode_phrase(struct buf *out, const char *utf8);

#endif
