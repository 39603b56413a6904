/*
 * CSV records (RFC 4180) for member import and export: splitting one
 * record into fields, and quoting a field for output. A record never spans
 * lines here: a quoted line break is refused.
 */
#ifndef MAJLIS_CSV_H
#define MAJLIS_CSV_H

#include <stddef.h>

#include "daemon/buf.h"

/*
 * Split the record line[0..len) (no CR or LF) into at most max fields,
 * each replaced in fields[i] unquoted; *n gets the count. Returns 0, or -1
 * with *err a static English explanation (more than max fields, a quote
 * that is not closed, text after a closing quote). An apostrophe before a
 * formula-like value (see csv_field) is removed.
 */
int	csv_split(const char *line, size_t len, struct buf *fields, size_t max,
	    size_t *n, const char **err);
/* Append s as one CSV field: quoted (quotes doubled) when it holds a comma,
 * a quote, a line break or starts or ends with a space. A value a
 * spreadsheet would run as a formula (starting with = + - @ tab or CR,
 * after any apostrophes) is quoted with one more apostrophe in front, which
 * csv_split takes off again, so an export imports back unchanged. */
void	csv_field(struct buf *out, const char *s);

#endif
