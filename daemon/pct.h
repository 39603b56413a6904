/*
 * Percent-decoding (RFC 3986 %XX escapes) of the parts of a URL given in
 * the configuration: relay and IMAP source credentials, mailbox names.
 */
#ifndef MAJLIS_PCT_H
#define MAJLIS_PCT_H

#include <stddef.h>

/* Decode s[0..n) into a malloc'd, NUL-terminated string of at most max
 * bytes (the caller frees it). NULL when a '%' is not followed by two hex
 * digits, when the result would hold a control character (below 0x20, or
 * 0x7f: NUL, CR and LF included) or more than max bytes. An empty s gives
 * "": whether that is allowed is the caller's rule. */
char	*pct_decode(const char *s, size_t n, size_t max);

#endif
