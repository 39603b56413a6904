/*
 * RFC 3676 format=flowed: joining soft line breaks back into paragraphs for
 * display, with space-stuffing, DelSp and quote depth.
 */
#ifndef MAJLIS_FLOWED_H
#define MAJLIS_FLOWED_H

#include <stddef.h>

#include "daemon/buf.h"

/* Decode len bytes of format=flowed text (UTF-8 or any ASCII-compatible
 * charset, lines ending in CRLF or LF, the last one maybe unterminated) and
 * append it to out with every line ending in "\n". A line ending in a space
 * (other than the signature separator "-- ") continues on the next line of
 * the same quote depth; with delsp (DelSp=yes) that space is removed. One
 * stuffed space after the quote marks is removed. Each output line is its
 * quote marks (">" per level), a space if the text is not empty, and the
 * joined text; lines of different depth are never joined, and a signature
 * separator always starts a line of its own. Other bytes (NUL included) are
 * passed through; work and output are linear in len. */
void	flowed_decode(struct buf *out, const char *in, size_t len, int delsp);

#endif
