/*
 * The escaping layer for HTML and XML output: every dynamic value goes
 * through html_esc (directly or through html_printf's %s); only markup
 * written by majlis itself is appended raw.
 */
#ifndef MAJLIS_HTML_H
#define MAJLIS_HTML_H

#include <stddef.h>

#include "daemon/buf.h"

/*
 * Append len bytes of s to out as text safe in HTML/XML content and in
 * double- or single-quoted attributes: & < > " ' escaped; invalid UTF-8
 * (stray continuation, overlong, surrogate, > U+10FFFF, truncated) and
 * NUL become U+FFFD; other control characters except tab, LF and CR, and
 * U+FFFE/U+FFFF (not XML characters) are dropped.
 */
void	html_esc_len(struct buf *out, const char *s, size_t len);
/* html_esc_len over a C string (NULL appends nothing). */
void	html_esc(struct buf *out, const char *s);
/* Append s percent-encoded for one URL path segment (unreserved bytes
 * kept, everything else %XX), then nothing else: the result holds no
 * character that needs HTML escaping. */
void	html_url_segment(struct buf *out, const char *s);
/*
 * A tiny template: append fmt to out, where
 *   %s  const char *  escaped with html_esc (NULL: nothing)
 *   %u  const char *  a URL path segment (html_url_segment)
 *   %H  const char *  trusted markup built by majlis, appended raw
 *   %d  int           %D int64_t (decimal)
 *   %%  a percent sign
 * Any other conversion is a programming error (fatalx).
 */
void	html_printf(struct buf *out, const char *fmt, ...);
/* 1 when s[0..len) is valid UTF-8 without NUL, else 0. */
int	html_utf8_valid(const char *s, size_t len);

#endif
