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

struct db;
struct engine;

#define LISTCMD_SCAN_LINES	5	/* body lines searched for a command */
/* Bytes of a Content-Language or Accept-Language value read. */
#define LISTCMD_LANG_HEADER_MAX	256

/* The languages of the answers. */
enum listcmd_lang { LISTCMD_EN, LISTCMD_FR, LISTCMD_AR, LISTCMD_NLANGS };

enum listcmd_command { LISTCMD_NONE, LISTCMD_SUBSCRIBE, LISTCMD_UNSUBSCRIBE,
	LISTCMD_HELP, LISTCMD_DELIVERY };

/* The command in a subject or text (English, French, Arabic words). */
enum listcmd_command listcmd_parse(const char *subject, const char *text);
/* For LISTCMD_DELIVERY: the mode named after the command word ("each",
 * "daily", "weekly" or "none", from the words of listcmd.c in the three
 * languages), or NULL when it names none. */
const char *listcmd_delivery_mode(const char *subject, const char *text);
/* The language of the command word found (as listcmd_parse finds it):
 * LISTCMD_FR or LISTCMD_AR for a French or Arabic word, else LISTCMD_EN
 * (an English word, or none). */
enum listcmd_lang listcmd_words_lang(const char *subject, const char *text);
/* The language to answer sender in: the one of its web account when it
 * has one; else the first ar, fr or en tag of header (the message's
 * Content-Language, else Accept-Language; may be NULL); else French or
 * Arabic when the command word is; else the group's language (the web
 * picks the account, then Accept-Language, then the group alike; a word
 * like "abonner" says more than the group's language does). */
enum listcmd_lang listcmd_lang(struct db *, const char *sender,
	    const char *header, const char *subject, const char *text,
	    const char *group_lang);
/* listcmd_lang with header read from the whole message raw (may be
 * NULL): its Content-Language, else its Accept-Language, at most
 * LISTCMD_LANG_HEADER_MAX bytes of it. */
enum listcmd_lang listcmd_lang_message(struct db *, const char *sender,
	    const struct buf *raw, const char *subject, const char *text,
	    const char *group_lang);
/* The code of a language: "en", "fr" or "ar". */
const char *listcmd_lang_code(enum listcmd_lang);
/* Handle a message to a command address of group g (kind REQUEST, JOIN or
 * LEAVE) from sender, inside the caller's transaction; raw is the whole
 * message (its language headers are read; may be NULL). Confirmation and
 * answers go to the outbox, in the language of listcmd_lang. note says
 * what was done. 0 or -1. */
int	listcmd_handle(struct engine *, const struct group *g,
	    enum address_kind kind, const char *sender, const struct parsed *p,
	    const struct buf *raw, struct buf *note);
/* A reply to slug-confirm+TOKEN@: apply the confirmed change and answer.
 * Inside the caller's transaction. 0 or -1. */
int	listcmd_confirm(struct engine *, const struct group *g, const char *token,
	    const char *sender, const struct parsed *p, const struct buf *raw,
	    struct buf *note);

#endif
