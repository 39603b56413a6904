/*
 * Growable byte buffer: the one string type of majlis. Always keeps a NUL
 * after the data (not counted in len) so data can be read as a C string.
 */
#ifndef MAJLIS_BUF_H
#define MAJLIS_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*data;	/* NULL until the first append */
	size_t	 len;
	size_t	 cap;
};

#define BUF_INIT { NULL, 0, 0 }

void	 buf_init(struct buf *);
/* Release the memory; the buffer is empty and reusable afterwards. */
void	 buf_free(struct buf *);
/* Forget the contents, keep the memory. */
void	 buf_reset(struct buf *);
/* Make room for n more bytes. */
void	 buf_reserve(struct buf *, size_t n);
void	 buf_append(struct buf *, const void *, size_t);
void	 buf_puts(struct buf *, const char *);
void	 buf_putc(struct buf *, char);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_vprintf(struct buf *, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
/* Cut the buffer to its first n bytes (n <= len). */
void	 buf_truncate(struct buf *, size_t n);
/* The contents as a NUL-terminated string ("" when empty); valid until the
 * next change to the buffer. */
const char *buf_cstr(const struct buf *);
/* Hand the contents to the caller as a malloc'd NUL-terminated string (never
 * NULL) and leave the buffer empty. */
char	*buf_steal(struct buf *);

#endif
