/*
 * A group's MIME policy applied to a parsed post: which attachments its
 * allowed types (daemon/mimetypes.h) refuse, and the post rebuilt without
 * them, with a note in the text for each one removed.
 */
#ifndef MAJLIS_MIMEPOLICY_H
#define MAJLIS_MIMEPOLICY_H

#include <stddef.h>

#include "daemon/buf.h"
#include "mail/parsed.h"

/* The post with the refused attachments taken out. */
struct mimepolicy_strip {
	struct buf	 text;		/* the text with a note per removal */
	struct buf	 part;		/* the rebuilt MIME part */
	size_t		 keep[PARSED_MAX_ATTACHMENTS];	/* kept, by index */
	size_t		 nkeep;
	size_t		 removed;
};

/* How many attachments of p the normalised list refuses (0 for an empty
 * list, which allows everything). */
size_t	mimepolicy_refused(const struct parsed *p, const char *list);

/*
 * Fill s from p: the text followed by "[attachment NAME of type TYPE
 * removed]" lines, the kept attachments' indexes, and a part built by
 * compose_mime_part_mixed. Returns the number removed (0: s is left empty
 * and the post needs no change). Free with mimepolicy_strip_free.
 */
size_t	mimepolicy_strip(const struct parsed *p, const char *list,
	    struct mimepolicy_strip *s);
void	mimepolicy_strip_free(struct mimepolicy_strip *);

#endif
