/*
 * Parse an application/x-www-form-urlencoded request body (a POST form)
 * within limits: every name and value is percent-decoded ('+' is a space),
 * must be valid UTF-8 without NUL, and names carry no control character.
 */
#ifndef MAJLIS_FORM_H
#define MAJLIS_FORM_H

#include <stddef.h>

#define FORM_BODY_MAX		(64 * 1024)	/* bytes of an encoded body */
#define FORM_FIELDS_MAX		256		/* fields in one body */
#define FORM_NAME_MAX		64		/* bytes of a decoded name */
#define FORM_VALUE_MAX		(60 * 1024)	/* bytes of a decoded value */

struct form_field {
	char	*name;
	char	*value;
	size_t	 len;		/* of value (no NUL inside, so strlen works) */
};

struct form {
	struct form_field	*fields;
	int			 n;
};

enum form_result {
	FORM_OK,
	FORM_TOO_BIG,		/* body, a field or the field count over a limit */
	FORM_BAD		/* broken encoding, UTF-8, NUL or empty name */
};

/* Parse body[0..len) into f (which the caller frees with form_clear, also
 * after an error). An empty body is a form without fields. */
enum form_result form_parse(struct form *f, const char *body, size_t len);
void	form_clear(struct form *f);
/* The decoded value of the first field called name, or NULL. */
const char *form_get(const struct form *f, const char *name);

#endif
