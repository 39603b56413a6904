/*
 * A small JSON writer (RFC 8259) on struct buf: objects, arrays, keys and
 * scalars, with the commas placed by a nesting stack and strings escaped.
 */
#ifndef MAJLIS_JSON_H
#define MAJLIS_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/buf.h"

/* Deepest nesting of objects and arrays; one more is a misuse. */
#define JSON_DEPTH_MAX	32

/*
 * Writer state. out is borrowed (the caller owns and frees it). After a
 * misuse (a value in an object without a key, a key in an array, an end that
 * does not match, nesting past JSON_DEPTH_MAX, a second top-level value) the
 * writer sets error and ignores every later call; json_finish reports it.
 */
struct json {
	struct buf	*out;
	int		 depth;
	int		 error;
	int		 started;	/* the top-level value was begun */
	unsigned char	 level[JSON_DEPTH_MAX];
};

/* Start writing one JSON value at the end of out (existing bytes kept). */
void	json_init(struct json *, struct buf *out);
/* 0 when exactly one complete value was written without misuse, else -1. */
int	json_finish(const struct json *);

void	json_begin_object(struct json *);
void	json_end_object(struct json *);
void	json_begin_array(struct json *);
void	json_end_array(struct json *);
/* A member name in the current object (escaped like a string). */
void	json_key(struct json *, const char *key);

/* Scalars. json_string(NULL) writes null; json_string_len takes len bytes
 * that may hold NUL (written as \u0000). */
void	json_string(struct json *, const char *s);
void	json_string_len(struct json *, const char *s, size_t len);
void	json_int(struct json *, int64_t);
void	json_bool(struct json *, int);
void	json_null(struct json *);

/* Key and value in one call, for the common case. */
void	json_kv_string(struct json *, const char *key, const char *s);
void	json_kv_int(struct json *, const char *key, int64_t);
void	json_kv_bool(struct json *, const char *key, int);

/*
 * Append len bytes of s to out as a quoted JSON string: '"' and '\' escaped
 * with a backslash, control characters (U+0000-U+001F) as \u00XX, valid
 * UTF-8 kept as is (DEL included), every invalid sequence (stray
 * continuation, overlong form, surrogate, above U+10FFFF, truncated) replaced
 * by one U+FFFD per maximal invalid subpart.
 */
void	json_escape(struct buf *out, const char *s, size_t len);

#endif
