/*
 * Reminders of pending held messages: when a message has waited in a
 * group's queue for mod_pending_interval (majlis.conf, default a day; the
 * moderators had the immediate notice of each when it was held), its
 * moderators and owners get one mail listing everything that waits, with
 * links to the panel, and at most one such mail an interval after that. A
 * group may set its own interval in hours (pending_hours, see
 * daemon/store_policy.h). When the last reminder went is kept per group
 * in the database, written in the transaction that queues the mails, so
 * a restart neither repeats nor skips one.
 */
#ifndef MAJLIS_MODPENDING_H
#define MAJLIS_MODPENDING_H

#include <stdint.h>

struct db;
struct engine;

/* The engine looks for due reminders this often, in seconds (or every
 * interval when that is shorter). */
#define MODPENDING_CHECK_SECONDS	60
/* Held messages listed in one reminder (the oldest); more are counted. */
#define MODPENDING_LIST_MAX		20

/* What a reminder is built with. */
struct modpending_site {
	const char	*list_domain;
	const char	*site_url;
	int64_t		 interval;	/* seconds between two of a group */
};

/* Queue the reminders due at now: every group with a held message waiting
 * since its interval (its own, else site->interval) ago and whose last
 * reminder went at least that long ago (or never), in one transaction. Returns the number of mails queued, -1 on error (nothing
 * queued, nothing recorded). */
int	modpending_run(struct db *, const struct modpending_site *, int64_t now);

/* The engine's timer: checks at start-up, then every
 * MODPENDING_CHECK_SECONDS (or the interval when shorter), kicking
 * delivery when mail was queued. */
struct modpending_runner;
struct modpending_runner *modpending_runner_new(struct engine *);
void	modpending_runner_free(struct modpending_runner **);

#endif
