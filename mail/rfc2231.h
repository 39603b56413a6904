/*
 * RFC 2231 MIME parameter values (charset, language, continuations), which
 * libetpan 1.9.4 does not decode, and safe file names for downloads.
 */
#ifndef MAJLIS_RFC2231_H
#define MAJLIS_RFC2231_H

#include <stddef.h>

#include "daemon/buf.h"

/* Sections name*0 .. name*(RFC2231_MAX_SECTIONS - 1) are read. */
#define RFC2231_MAX_SECTIONS	64
/* Longest file name made by rfc2231_safe_filename, in bytes. */
#define RFC2231_FILENAME_MAX	200
/* An extension (dot included) up to this many bytes survives truncation. */
#define RFC2231_EXTENSION_MAX	16

/* A MIME parameter as a parser returns it: name as written, value
 * unquoted. Either may be NULL (the pair is then ignored). */
struct rfc2231_param {
	const char	*name;
	const char	*value;
};

/* Find parameter `name` (case-insensitive) among the n params and append
 * its value to out as display text (valid UTF-8, controls turned into
 * spaces, spaces collapsed, trimmed). In order of preference: name*
 * (charset'language'%XX), continuations name*0, name*1 or name*1*, ... in
 * any order up to the first missing one or RFC2231_MAX_SECTIONS (charset
 * from an encoded name*0*, plain sections taken as they are), or the plain
 * name, whose RFC 2047 encoded-words are decoded. Raw bytes without a
 * charset read as UTF-8 if valid, else windows-1252. Returns 0 if found, -1
 * (out unchanged) if not. */
int	rfc2231_lookup(struct buf *out, const struct rfc2231_param *params,
	    size_t n, const char *name);

/* Append to out a file name safe to offer for download, made from the
 * NUL-terminated utf8: only its last path component (after / or \), bad
 * UTF-8 repaired, controls turned into spaces (runs collapsed),
 * bidirectional controls removed, < > : " | ? * turned into '_', leading
 * dots, trailing dots and surrounding spaces dropped, cut to
 * RFC2231_FILENAME_MAX bytes between characters (keeping an extension of up
 * to RFC2231_EXTENSION_MAX bytes).
 * An empty result becomes "attachment". */
void	rfc2231_safe_filename(struct buf *out, const char *utf8);

#endif
