/*
 * Quote and signature folding for display: splits a plain-text body into
 * text, quoted and signature spans. The stored text is never altered.
 */
#ifndef MAJLIS_QUOTE_H
#define MAJLIS_QUOTE_H

#include <stddef.h>

/* Most spans quote_split returns; the tail beyond is merged into the last. */
#define QUOTE_MAX_SPANS		64
/* Lines an attribution ("On ... wrote:") may be wrapped over. */
#define QUOTE_MAX_ATTRIBUTION_LINES 3

enum quote_kind { QUOTE_TEXT, QUOTE_QUOTED, QUOTE_SIGNATURE };

struct quote_span {
	enum quote_kind	 kind;
	size_t		 start, len;	/* bytes of text */
};

/*
 * Split the UTF-8 plain text text[0..len) (lines end in \n, a \r before it
 * is tolerated) into consecutive spans covering all of it, written to
 * spans[0..max) (at most QUOTE_MAX_SPANS are used). Quoted: runs of lines
 * starting with '>' (blank lines between or after them included); an
 * attribution of at most QUOTE_MAX_ATTRIBUTION_LINES lines ("On ... wrote:",
 * "Le ... a écrit :", "El ... escribió:", "Am ... schrieb ...:",
 * "في ... كتب ...:"; bidi marks and NBSP tolerated) with the blank lines and
 * '>' lines after it; an Outlook separator ("-----Original Message-----",
 * "-----Message d'origine-----", "-----الرسالة الأصلية-----", or a line of
 * underscores followed by a From:/De:/Von:/من: line) and everything after.
 * Signature: from a line "-- " or "--" to the end. Adjacent spans of one
 * kind are merged; past the limit the tail joins the last span, which
 * becomes QUOTE_TEXT if the tail holds text. The whole body is never
 * folded: when no span would show any text, one QUOTE_TEXT span covers all.
 * Returns the number of spans (0 for an empty text or max 0).
 */
size_t	 quote_split(const char *text, size_t len, struct quote_span *spans,
	    size_t max);

#endif
