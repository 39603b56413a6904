/*
 * A group's MIME policy applied to a parsed post (see mimepolicy.h).
 */
#include <config.h>

#include <string.h>

#include "daemon/mimetypes.h"
#include "mail/compose.h"
#include "mail/mimepolicy.h"

size_t
mimepolicy_refused(const struct parsed *p, const char *list)
{
	size_t n = 0;
	for (size_t i = 0; i < p->nattach; i++)
		if (!mimetypes_allowed(list, p->attach[i].content_type))
			n++;
	return n;
}

size_t
mimepolicy_strip(const struct parsed *p, const char *list,
    struct mimepolicy_strip *s)
{
	struct compose_attachment att[PARSED_MAX_ATTACHMENTS];
	memset(s, 0, sizeof *s);
	if (mimepolicy_refused(p, list) == 0)
		return 0;
	buf_puts(&s->text, p->text);
	while (s->text.len > 0 && s->text.data[s->text.len - 1] == '\n')
		buf_truncate(&s->text, s->text.len - 1);
	buf_puts(&s->text, "\n");
	for (size_t i = 0; i < p->nattach; i++) {
		const struct parsed_attachment *a = &p->attach[i];
		if (mimetypes_allowed(list, a->content_type)) {
			att[s->nkeep].filename = a->filename;
			att[s->nkeep].content_type = a->content_type;
			att[s->nkeep].data = a->data.data;
			att[s->nkeep].len = a->data.len;
			s->keep[s->nkeep++] = i;
			continue;
		}
		buf_printf(&s->text, "\n[attachment %s of type %s removed]",
		    a->filename[0] ? a->filename : "(no name)", a->content_type);
		s->removed++;
	}
	buf_puts(&s->text, "\n");
	compose_mime_part_mixed(&s->part, buf_cstr(&s->text), att, s->nkeep);
	return s->removed;
}

void
mimepolicy_strip_free(struct mimepolicy_strip *s)
{
	buf_free(&s->text);
	buf_free(&s->part);
	memset(s, 0, sizeof *s);
}
