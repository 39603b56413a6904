/*
 * The inbound queue: every accepted message, raw, with its envelope. A row is
 * committed before the SMTP 250 and is the archive copy afterwards.
 */
#ifndef MAJLIS_STORE_INBOUND_H
#define MAJLIS_STORE_INBOUND_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/buf.h"

struct db;

struct inbound {
	int64_t		 id;
	int64_t		 received;
	char		*mail_from;
	char		*rcpts;		/* one address per line */
	char		*peer;
	struct buf	 raw;
	char		 state[16];
	int		 approved;
};

void	store_inbound_clear(struct inbound *);
/* Insert a message (inside the caller's transaction). Returns the id or -1. */
int64_t	store_inbound_add(struct db *, const char *mail_from, const char *rcpts,
	    const char *peer, const char *raw, size_t len);
/* Replace a message's raw copy (inside the caller's transaction), when a
 * group's MIME policy stripped parts from it: 0 or -1. */
int	store_inbound_set_raw(struct db *, int64_t id, const char *raw,
	    size_t len);
/* Load one row: 1 found, 0 not, -1 error. */
int	store_inbound_get(struct db *, int64_t id, struct inbound *out);
/* Ids of rows in state 'new' with id > after, oldest first, at most max;
 * returns how many were written to ids, or -1. */
int	store_inbound_pending(struct db *, int64_t after, int64_t *ids, int max);
/* Set the state (new, done, held, quarantined) and a note. 0 or -1. */
int	store_inbound_set_state(struct db *, int64_t id, const char *state,
	    const char *note);
/* Mark a held message for publication: state new, approved. 0 or -1. */
int	store_inbound_release(struct db *, int64_t id);

#endif
