/*
 * The IMAP sources' SQL: each source's position in its mailbox (UIDVALIDITY
 * and last processed UID), status and counters, and the messages taken from
 * it (content hash and Message-ID) for deduplication.
 */
#ifndef MAJLIS_STORE_SOURCE_H
#define MAJLIS_STORE_SOURCE_H

#include <stdint.h>

struct db;

/* A source as `majlisctl source list` shows it (strings owned). */
struct source_row {
	char	*name;
	char	*url;		/* password masked */
	char	*state;
	int64_t	 uidvalidity;
	int64_t	 last_uid;
	int64_t	 last_success;
	char	*last_error;
	int64_t	 last_error_at;
	int64_t	 fetched;
	int64_t	 committed;
	int64_t	 duplicates;
	int64_t	 refused;
	int64_t	 updated;
};

/* Counters bumped by store_source_advance. */
enum store_source_outcome {
	STORE_SOURCE_COMMITTED = 1,
	STORE_SOURCE_DUPLICATE,
	STORE_SOURCE_REFUSED
};

/*
 * Inside the caller's transaction: create the source's row if missing
 * (url updated), and when the stored UIDVALIDITY differs from uidvalidity
 * take the new one with position 0 (*reset set to 1 when there was an
 * older one). *last_uid gets the
 * position. Returns 0 or -1.
 */
int	store_source_sync(struct db *, const char *name, const char *url,
	    int64_t uidvalidity, int64_t *last_uid, int *reset);
/* Whether a message with this content hash, or this Message-ID (when not
 * empty), was taken from the source: 1 yes, 0 no, -1 error. */
int	store_source_seen(struct db *, const char *name, const char *hash,
	    const char *message_id);
/* Record a message taken (inbound_id 0: none). Caller's transaction. 0/-1. */
int	store_source_record(struct db *, const char *name, const char *hash,
	    const char *message_id, int64_t inbound_id, int64_t uidvalidity,
	    int64_t uid);
/* Move the position to uid when it is past it (and the UIDVALIDITY still
 * matches) and count the outcome. Caller's transaction. Returns 1 when the
 * row matched, 0 when the UIDVALIDITY changed meanwhile, -1 on error. */
int	store_source_advance(struct db *, const char *name, int64_t uidvalidity,
	    int64_t uid, int outcome);
/* Set the state text; a non-empty error becomes the last error (with the
 * time); success sets the last success time. Own statement (autocommit).
 * 0 or -1. */
int	store_source_status(struct db *, const char *name, const char *state,
	    const char *error, int success);
/* Call cb for every source by name; a non-zero return from cb stops and is
 * returned. Returns 0, or -1 on a database error. The row is only valid
 * during the call. */
int	store_source_list(struct db *, int (*cb)(void *, const struct source_row *),
	    void *arg);

#endif
