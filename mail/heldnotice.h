/*
 * The moderators' notice of a message held for them, or of a message
 * written to a group's owner address: one mail per moderator or owner
 * (suspended ones left out), in their language (their account's, else
 * English), with their own approve and reject addresses and the panel's
 * page of a held message.
 */
#ifndef MAJLIS_HELDNOTICE_H
#define MAJLIS_HELDNOTICE_H

#include <stdint.h>

struct engine;
struct group;

struct heldnotice {
	int64_t		 held_id;	/* 0: a message to slug-owner@ */
	const char	*reason;	/* as recorded (daemon/heldreason.h) */
	const char	*from_name, *sender, *subject;
	const char	*text;		/* the message's text, quoted whole */
};

/* Queue the notices of n to g's moderators through the outbox (inside
 * the caller's transaction). 0 or -1. */
int	heldnotice_queue(struct engine *, const struct group *g,
	    const struct heldnotice *n);

#endif
