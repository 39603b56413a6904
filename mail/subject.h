/*
 * Subjects: normalisation for threading by subject (reply and forward
 * prefixes in English, French, German, Nordic, Dutch and Arabic, list tags)
 * and the subject of the copies a group sends out.
 */
#ifndef MAJLIS_SUBJECT_H
#define MAJLIS_SUBJECT_H

#include "daemon/buf.h"

/* Longest "[...]" tag (bytes between the brackets) that subject_is_reply
 * skips before looking for a reply prefix. */
#define SUBJECT_MAX_TAG		64

/*
 * Replace out with the threading key of a decoded UTF-8 subject: leading
 * reply/forward prefixes ("Re:", "RE :", "Re[2]:", "Re(2):", "AW:", "SV:",
 * "Antw:", "Réf :", "Réf.:", "REF:", "TR:", "Fwd:", "Fw:", "رد:", "ر:",
 * "إعادة توجيه:"; ASCII case ignored; spaces, NBSP or narrow NBSP allowed
 * before the colon) and "[slug]" tags (slug compared ignoring ASCII case,
 * slug may be NULL) are removed repeatedly in any order; white space (also
 * NBSP, narrow and thin spaces, LRM/RLM marks) collapses to one space; the
 * result is trimmed and ASCII letters are lowercased.
 */
void	 subject_normalize(struct buf *out, const char *subject_utf8,
	    const char *slug);

/*
 * The same, also removing the group's own subject prefix (UTF-8, ASCII
 * case ignored, as a whole word, as subject_for_list_prefix writes it;
 * NULL or "": none) wherever a slug tag may stand, so a reply to a copy
 * sent under a custom prefix ("Re: OBS: x") gets the key of "x".
 */
void	 subject_normalize_prefix(struct buf *out, const char *subject_utf8,
	    const char *slug, const char *prefix);

/*
 * Replace out with the subject of an outgoing copy for group slug (not
 * empty): exactly one "[slug] " tag, after "Re: " when the subject is a
 * reply. The leading run of reply prefixes and slug tags becomes "Re: [slug] "
 * (or "[slug] "); slug tags among the prefixes that follow (e.g. after
 * "Fwd:") are dropped, other text is kept as written. An empty subject gives
 * "[slug] (no subject)".
 */
void	 subject_for_list(struct buf *out, const char *subject_utf8,
	    const char *slug);

/*
 * The same with the group's own prefix instead of "[slug]" (UTF-8, may be
 * empty: no prefix at all): the leading run of reply prefixes, slug tags
 * and that prefix (ASCII case ignored, as a whole word) becomes "Re: "
 * (when a reply) and the prefix followed by a space.
 */
void	 subject_for_list_prefix(struct buf *out, const char *subject_utf8,
	    const char *slug, const char *prefix);

/* Does the subject start with a reply prefix, after any "[...]" tags of at
 * most SUBJECT_MAX_TAG bytes? Returns 1 or 0. */
int	 subject_is_reply(const char *subject_utf8);

#endif
