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
 * that is not closed, text after a closing quote).
 */
int	csv_split(const char *line, size_t len, struct buf *fields, size_t max,
	    size_t *n, const char **err);
/* Append s as one CSV field: quoted (quotes doubled) when it holds a comma,
 * a quote, a line break or starts or ends with a space. */
void	csv_field(struct buf *out, const char *s);

#endif
