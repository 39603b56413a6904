/*
 * Bounces: VERP envelope senders that name the copy (and so the member), and
 * the bounce score. A member past the threshold has delivery suspended and
 * is told, never silently dropped.
 */
#ifndef MAJLIS_BOUNCE_H
#define MAJLIS_BOUNCE_H

#include <stdint.h>

#include "daemon/buf.h"
#include "mail/parsed.h"

struct engine;

#define BOUNCE_MAC_LEN		10
#define BOUNCE_SCORE_WINDOW	(24 * 3600)	/* at most one point a day */

/* The VERP token for an outbox row: "o<id>-<mac>". */
void	bounce_verp_token(struct buf *out, const char *secret, int64_t outbox_id);
/* Parse and verify a VERP token; 0 with *outbox_id, -1 when forged or bad. */
int	bounce_verp_parse(const char *secret, const char *token,
	    int64_t *outbox_id);
/* A bounce report for the copy named by token arrived (inside the caller's
 * transaction). Reports that are not failures are ignored. *note gets what
 * happened. Returns 0 or -1 on a database error. */
int	bounce_report(struct engine *, const char *token, const struct parsed *p,
	    struct buf *note);
/* Record a permanent failure for a member of a group (a 5xx from the relay
 * or a report), raise the score, suspend past the threshold. Inside the
 * caller's transaction. Returns 0 or -1. */
int	bounce_record(struct engine *, int64_t group_id, int64_t member_id,
	    int64_t outbox_id, const char *status, const char *diagnostic);

#endif
