/*
 * Why a message is held for the moderators: the reasons the processor
 * records (mail/process.c) and their words in the moderators' languages,
 * for the panel (web/mod.c), the notice of a held message and the
 * reminder of pending ones (daemon/modpending.c).
 */
#ifndef MAJLIS_HELDREASON_H
#define MAJLIS_HELDREASON_H

#define HELDREASON_NON_MEMBER		"non-member"
#define HELDREASON_MODERATED		"moderated member"
#define HELDREASON_ANNOUNCE		"announce-only group"
#define HELDREASON_TOO_LARGE		"message too large"
#define HELDREASON_RATE			"posting rate limit"
#define HELDREASON_FIRST_POST		"first post of a new member"
#define HELDREASON_MIME			"MIME type"
#define HELDREASON_LOCKED		"locked thread"
/* A reply to a digest mail that names no one thread: its approval may
 * place it in a thread (daemon/moddecide.h). */
#define HELDREASON_DIGEST_REPLY		"reply to a digest"

/* reason (as recorded) in language lang ("en", "fr", "ar"): the stored
 * words themselves for English, an unknown language or a reason not in
 * the table (an older majlis's). Never NULL for a non-NULL reason. */
const char *heldreason_text(const char *reason, const char *lang);

#endif
