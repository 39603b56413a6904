/*
 * List commands by mail: slug-request@ (subscribe, unsubscribe, help,
 * "delivery MODE" in the Subject or the first body lines), slug-join@,
 * slug-leave@, and the replies to slug-confirm+TOKEN@ that complete a
 * double opt-in (a delivery change is confirmed the same way).
 */
#ifndef MAJLIS_LISTCMD_H
#define MAJLIS_LISTCMD_H

#include "daemon/buf.h"
#include "daemon/store_group.h"
#include "mail/address.h"
#include "mail/parsed.h"

struct engine;

#define LISTCMD_SCAN_LINES	5	/* body lines searched for a command */

enum listcmd_command { LISTCMD_NONE, LISTCMD_SUBSCRIBE, LISTCMD_UNSUBSCRIBE,
	LISTCMD_HELP, LISTCMD_DELIVERY };

/* The command in a subject or text (English, French, Arabic words). */
enum listcmd_command listcmd_parse(const char *subject, const char *text);
/* For LISTCMD_DELIVERY: the mode named after the command word ("each",
 * "daily", "weekly" or "none", from the words of listcmd.c in the three
 * languages), or NULL when it names none. */
const char *listcmd_delivery_mode(const char *subject, const char *text);
/* Handle a message to a command address of group g (kind REQUEST, JOIN or
 * LEAVE) from sender, inside the caller's transaction. Confirmation and
 * answers go to the outbox. note says what was done. 0 or -1. */
int	listcmd_handle(struct engine *, const struct group *g,
	    enum address_kind kind, const char *sender, const struct parsed *p,
	    struct buf *note);
/* A reply to slug-confirm+TOKEN@: apply the confirmed change and answer.
 * Inside the caller's transaction. 0 or -1. */
int	listcmd_confirm(struct engine *, const struct group *g, const char *token,
	    const char *sender, const struct parsed *p, struct buf *note);

#endif
