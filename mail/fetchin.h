/*
 * The engine's side of the IMAP fetcher channel: a fetched message is
 * routed to a group address, deduplicated (content hash, Message-ID) and
 * committed with the source's new position in one transaction before the
 * fetcher is told to flag, move or delete it; status records are stored
 * for `majlisctl source list`.
 */
#ifndef MAJLIS_FETCHIN_H
#define MAJLIS_FETCHIN_H

#include <stddef.h>
#include <sys/types.h>

#include "daemon/buf.h"

struct engine;
struct fetchin;

#define FETCHIN_MAX_RCPTS	20	/* group addresses taken from one message */

struct fetchin *fetchin_new(struct engine *);
void	fetchin_free(struct fetchin **);
/* A (new) fetcher's socket from the supervisor: replaces the previous one,
 * which is closed. fetchin owns fd. */
void	fetchin_attach(struct fetchin *, int fd, pid_t pid);

/* Recipients for a fetched message, newline-separated, into rcpts: the
 * group's post address for a per-group source (group not NULL), else every
 * address of list_domain found in To, Cc, Delivered-To and X-Original-To
 * (at most FETCHIN_MAX_RCPTS, duplicates dropped). Whether the groups exist
 * is for the caller. Returns how many. */
int	fetchin_route(const char *raw, size_t len, const char *group,
	    const char *list_domain, struct buf *rcpts);
/* The envelope sender: the Return-Path address, else From's, else "". */
void	fetchin_sender(const char *raw, size_t len, struct buf *out);

#endif
