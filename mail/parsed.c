/*
 * struct parsed: lifetime and the IPC_PARSE_RESULT codec. The field order of
 * the encoder and the decoder is the same list, kept in one table.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "daemon/ipc.h"
#include "daemon/xalloc.h"
#include "mail/parsed.h"

/* The string fields, in wire order. */
#define PARSED_STRINGS(p) { &(p)->error, &(p)->subject, &(p)->from_name, \
	&(p)->from_addr, &(p)->message_id, &(p)->in_reply_to, \
	&(p)->references, &(p)->auto_submitted, &(p)->precedence, \
	&(p)->list_id, &(p)->x_loop, &(p)->dsn_recipient, &(p)->dsn_action, \
	&(p)->dsn_status, &(p)->dsn_diagnostic, &(p)->text, &(p)->html }
#define PARSED_NSTRINGS 17

void
parsed_init(struct parsed *p)
{
	memset(p, 0, sizeof *p);
	char **s[PARSED_NSTRINGS] = PARSED_STRINGS(p);
	for (int i = 0; i < PARSED_NSTRINGS; i++)
		*s[i] = xstrdup("");
}

void
parsed_clear(struct parsed *p)
{
	char **s[PARSED_NSTRINGS] = PARSED_STRINGS(p);
	for (int i = 0; i < PARSED_NSTRINGS; i++)
		free(*s[i]);
	for (size_t i = 0; i < p->nattach; i++) {
		free(p->attach[i].filename);
		free(p->attach[i].content_type);
		buf_free(&p->attach[i].data);
	}
	free(p->attach);
	memset(p, 0, sizeof *p);
}

void
parsed_encode(struct buf *out, uint64_t job, const struct parsed *p)
{
	char *const *s[PARSED_NSTRINGS] = PARSED_STRINGS(p);
	ipc_begin_record(out, IPC_PARSE_RESULT);
	ipc_put_u64(out, job);
	ipc_put_u64(out, (uint64_t)p->ok);
	ipc_put_u64(out, (uint64_t)p->date);
	ipc_put_u64(out, (uint64_t)p->auto_reply_hint);
	ipc_put_u64(out, (uint64_t)p->received_count);
	ipc_put_u64(out, (uint64_t)p->is_dsn);
	ipc_put_u64(out, (uint64_t)p->text_from_html);
	for (int i = 0; i < PARSED_NSTRINGS; i++)
		ipc_put_str(out, *s[i]);
	ipc_put_u64(out, p->nattach);
	for (size_t i = 0; i < p->nattach; i++) {
		ipc_put_str(out, p->attach[i].filename);
		ipc_put_str(out, p->attach[i].content_type);
		ipc_put_data(out, p->attach[i].data.data, p->attach[i].data.len);
	}
	ipc_end_record(out);
}

int
parsed_decode(const void *body, size_t len, uint64_t *job, struct parsed *p)
{
	struct ipc_reader r;
	memset(p, 0, sizeof *p);
	ipc_reader_init(&r, body, len);
	*job = ipc_get_u64(&r);
	p->ok = (int)ipc_get_u64(&r);
	p->date = (int64_t)ipc_get_u64(&r);
	p->auto_reply_hint = (int)ipc_get_u64(&r);
	p->received_count = (int)ipc_get_u64(&r);
	p->is_dsn = (int)ipc_get_u64(&r);
	p->text_from_html = (int)ipc_get_u64(&r);
	char **s[PARSED_NSTRINGS] = PARSED_STRINGS(p);
	for (int i = 0; i < PARSED_NSTRINGS; i++)
		*s[i] = ipc_get_str(&r);
	uint64_t n = ipc_get_u64(&r);
	if (n > PARSED_MAX_ATTACHMENTS)
		r.error = 1;
	else if (n > 0) {
		p->attach = xcalloc((size_t)n, sizeof *p->attach);
		p->nattach = (size_t)n;
	}
	for (size_t i = 0; i < p->nattach && !r.error; i++) {
		size_t dl;
		p->attach[i].filename = ipc_get_str(&r);
		p->attach[i].content_type = ipc_get_str(&r);
		const void *d = ipc_get_data(&r, &dl);
		buf_append(&p->attach[i].data, d, dl);
	}
	if (ipc_reader_end(&r) == -1) {
		parsed_clear(p);
		return -1;
	}
	return 0;
}
