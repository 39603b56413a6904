/*
 * Fetcher records (see fetchipc.h), built on daemon/ipc's field codecs.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "daemon/ipc.h"
#include "mail/fetchipc.h"

void
fetchipc_encode(struct buf *out, const struct fetchipc *r)
{
	ipc_begin_record(out, r->type);
	ipc_put_str(out, r->source);
	switch (r->type) {
	case IPC_FETCH_SYNC:
		ipc_put_u64(out, r->uidvalidity);
		break;
	case IPC_FETCH_MSG:
		ipc_put_u64(out, r->uidvalidity);
		ipc_put_u64(out, r->uid);
		ipc_put_data(out, r->raw, r->rawlen);
		break;
	case IPC_FETCH_REPLY:
		ipc_put_u64(out, r->uidvalidity);
		ipc_put_u64(out, r->uid);
		ipc_put_u64(out, r->verdict);
		ipc_put_u64(out, r->last_uid);
		break;
	case IPC_FETCH_STATUS:
		ipc_put_str(out, r->state);
		ipc_put_str(out, r->error);
		ipc_put_u64(out, r->success);
		break;
	}
	ipc_end_record(out);
}

void
fetchipc_clear(struct fetchipc *r)
{
	free(r->source);
	free(r->state);
	free(r->error);
	memset(r, 0, sizeof *r);
}

static void
fetchipc_decode_fields(struct ipc_reader *rd, struct fetchipc *r)
{
	switch (r->type) {
	case IPC_FETCH_SYNC:
		r->uidvalidity = ipc_get_u64(rd);
		break;
	case IPC_FETCH_MSG:
		r->uidvalidity = ipc_get_u64(rd);
		r->uid = ipc_get_u64(rd);
		r->raw = ipc_get_data(rd, &r->rawlen);
		break;
	case IPC_FETCH_REPLY:
		r->uidvalidity = ipc_get_u64(rd);
		r->uid = ipc_get_u64(rd);
		r->verdict = ipc_get_u64(rd);
		r->last_uid = ipc_get_u64(rd);
		if (r->verdict > FETCHIPC_RETRY)
			rd->error = 1;
		break;
	case IPC_FETCH_STATUS:
		r->state = ipc_get_str(rd);
		r->error = ipc_get_str(rd);
		r->success = ipc_get_u64(rd);
		if (strlen(r->state) > FETCHIPC_TEXT_MAX ||
		    strlen(r->error) > FETCHIPC_TEXT_MAX || r->success > 1)
			rd->error = 1;
		break;
	}
}

int
fetchipc_decode(uint32_t type, const void *body, size_t len,
    struct fetchipc *r)
{
	struct ipc_reader rd;
	memset(r, 0, sizeof *r);
	if (type < IPC_FETCH_SYNC || type > IPC_FETCH_STATUS)
		return -1;
	r->type = type;
	ipc_reader_init(&rd, body, len);
	r->source = ipc_get_str(&rd);
	if (*r->source == '\0' || strlen(r->source) > FETCHIPC_NAME_MAX)
		rd.error = 1;
	fetchipc_decode_fields(&rd, r);
	if (ipc_reader_end(&rd) == -1) {
		fetchipc_clear(r);
		return -1;
	}
	return 0;
}
