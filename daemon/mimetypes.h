/*
 * A group's allowed MIME types: the list as an owner types it (a whole
 * type such as text, or exact types such as image/png and application/pdf),
 * normalised, and the check of one part's type against it. An empty list
 * allows everything.
 */
#ifndef MAJLIS_MIMETYPES_H
#define MAJLIS_MIMETYPES_H

#include "daemon/buf.h"

/* Entries in a list. */
#define MIMETYPES_MAX		32
/* Bytes of one entry, "type/subtype" (RFC 6838: 127 each, shorter here). */
#define MIMETYPES_ITEM_MAX	100
/* Bytes of a normalised list (every entry at its longest, ", " between),
 * and of the text a person may type for one. */
#define MIMETYPES_LIST_MAX	(MIMETYPES_MAX * (MIMETYPES_ITEM_MAX + 2))

/*
 * Read a list typed by a person: entries separated by commas or white
 * space, each "type/subtype" or a whole type (a star as its subtype),
 * with RFC 6838 name characters, case ignored. out is reset and gets the
 * entries lowercased, without duplicates, joined by ", " ("" for an empty
 * list). Returns 0, or -1 with *err a static English explanation.
 */
int	mimetypes_parse(const char *in, struct buf *out, const char **err);

/* Whether a part of type ctype ("type/subtype", any case) is allowed by a
 * normalised list: 1 or 0. An empty list allows every type. */
int	mimetypes_allowed(const char *list, const char *ctype);

#endif
