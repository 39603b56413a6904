/*
 * The records between the IMAP fetcher and the engine (types in
 * daemon/ipc.h): one struct for the four kinds, an encoder and a strict
 * decoder that rejects short, oversized and leftover bytes.
 */
#ifndef MAJLIS_FETCHIPC_H
#define MAJLIS_FETCHIPC_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/buf.h"

#define FETCHIPC_NAME_MAX	64	/* bytes in a source name */
#define FETCHIPC_TEXT_MAX	512	/* bytes in a state or error text */

/* What the engine did with a message (IPC_FETCH_REPLY verdict). */
enum fetchipc_verdict {
	FETCHIPC_POSITION = 0,	/* answer to a sync: last_uid is the position */
	FETCHIPC_COMMITTED,	/* stored: apply the processed action */
	FETCHIPC_DUPLICATE,	/* seen before: apply the processed action */
	FETCHIPC_REFUSED,	/* not for us: leave it on the server */
	FETCHIPC_RETRY		/* temporary failure: fetch it again later */
};

/*
 * One record. Fields by type:
 *   IPC_FETCH_SYNC    source, uidvalidity
 *   IPC_FETCH_MSG     source, uidvalidity, uid, raw/rawlen
 *   IPC_FETCH_REPLY   source, uidvalidity, uid, verdict, last_uid
 *   IPC_FETCH_STATUS  source, state, error, success (1: a good round)
 * Decoded strings are malloc'd (fetchipc_clear); raw points into the
 * decoded body and lives as long as it.
 */
struct fetchipc {
	uint32_t	 type;
	char		*source;
	uint64_t	 uidvalidity;
	uint64_t	 uid;
	uint64_t	 verdict;
	uint64_t	 last_uid;
	const void	*raw;
	size_t		 rawlen;
	char		*state;
	char		*error;
	uint64_t	 success;
};

/* Encode r as a whole record into out (reset first). */
void	fetchipc_encode(struct buf *out, const struct fetchipc *r);
/* Decode a body of the given type into r (zeroed first). Returns 0, or -1
 * for an unknown type, a bad field, a source or text too long, an unknown
 * verdict or leftover bytes (r cleared). */
int	fetchipc_decode(uint32_t type, const void *body, size_t len,
	    struct fetchipc *r);
/* Free the decoded strings and zero r. */
void	fetchipc_clear(struct fetchipc *r);

#endif
