/*
 * Classification of a parsed message sent to a group address: a post, a
 * loop, an automatic message (auto-reply, bounce, bulk). Loops and automatic
 * messages are never fanned out and never answered.
 */
#ifndef MAJLIS_CLASSIFY_H
#define MAJLIS_CLASSIFY_H

#include "mail/parsed.h"

#define CLASSIFY_MAX_RECEIVED	50

enum classify_kind {
	CLASSIFY_NORMAL,	/* a person wrote it */
	CLASSIFY_LOOP,		/* our own mail came back */
	CLASSIFY_AUTO,		/* auto-reply, bulk or robot */
	CLASSIFY_BOUNCE,	/* a delivery status report */
};

/* Classify p, received with envelope sender mail_from ("" for <>) for the
 * group slug of list_domain; command is 1 for command addresses (-request,
 * -join, -leave, -confirm), where Precedence: list also counts as
 * automatic. *why gets a short static explanation. */
enum classify_kind classify_message(const struct parsed *p,
	    const char *mail_from, const char *slug, const char *list_domain,
	    int command, const char **why);

#endif
