/*
 * Allocation wrappers that never return NULL: out of memory is fatal for the
 * process (the supervisor restarts an engine or worker that dies this way).
 */
#ifndef MAJLIS_XALLOC_H
#define MAJLIS_XALLOC_H

#include <stddef.h>

/* malloc/calloc/realloc that abort the process on failure. */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
/* strdup/strndup that abort on failure; the caller frees. */
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
/* Copy src into dst of size dstsz, always NUL-terminated; returns strlen(src)
 * so that truncation is detected by a result >= dstsz. */
size_t	 xstrlcpy(char *dst, const char *src, size_t dstsz);

#endif
