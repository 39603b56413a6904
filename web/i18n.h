/*
 * Interface languages shipped in the binary (Arabic, French, English):
 * message catalogs by id, choice from Accept-Language, text direction and
 * date formatting. No system locale is used.
 */
#ifndef MAJLIS_I18N_H
#define MAJLIS_I18N_H

#include <stdint.h>

#include "daemon/buf.h"

enum i18n_lang { I18N_EN, I18N_FR, I18N_AR, I18N_NLANGS };

/* Longest Accept-Language value read; the rest is ignored. */
#define I18N_ACCEPT_MAX		512
/* Most language ranges of an Accept-Language header considered. */
#define I18N_ACCEPT_RANGES	32

/* Message ids. Each part of the site has its own file of messages,
 * web/i18n_PART.def, with one I18N_MSG(id, English, French, Arabic) per
 * message; a new part adds its file to web/i18n_msgs.def. */
enum i18n_msg {
#define I18N_MSG(id, en, fr, ar)	id,
#include "web/i18n_msgs.def"
#undef I18N_MSG
	I18N_NMSGS
};

/* Pick the language: the highest-q range of accept (an Accept-Language
 * value, may be NULL) among ar, fr and en (a range "fr-CA" counts as fr,
 * "*" as fallback; q=0 excluded; equal q: first listed wins); fallback
 * when none matches. */
enum i18n_lang i18n_pick(const char *accept, enum i18n_lang fallback);
/* The language for a code "ar", "fr" or "en"; fallback for anything else. */
enum i18n_lang i18n_lang_from_code(const char *code, enum i18n_lang fallback);
/* "en", "fr" or "ar". */
const char *i18n_code(enum i18n_lang);
/* "ltr" or "rtl". */
const char *i18n_dir(enum i18n_lang);
/* The message text (UTF-8, plain text, never NULL). */
const char *i18n_msg(enum i18n_lang, enum i18n_msg);
/* The separator between a label and its value: ": ", or " : " in French. */
const char *i18n_colon(enum i18n_lang);
/* Append the date and time t, in the zone of i18n_set_zone (UTC when none),
 * in the language's usual form, e.g. "12 November 2026, 09:14",
 * "12 novembre 2026 à 09:14", "12 نوفمبر 2026، 09:14". */
void	i18n_date(struct buf *out, enum i18n_lang, int64_t t);

/* Time zones are names of the system's tz database (I18N_ZONEINFO_DIR),
 * like "Europe/Paris" or "UTC". */
#define I18N_ZONEINFO_DIR	"/usr/share/zoneinfo"
#define I18N_ZONE_MAX		64	/* bytes of a zone name */
/* 1 when name is a zone: at most I18N_ZONE_MAX bytes of [A-Za-z0-9/_+-],
 * starting with a letter, no "..", no empty part, and a TZif file under
 * I18N_ZONEINFO_DIR. Else 0. Never reads outside that directory. */
int	i18n_zone_valid(const char *name);
/* The zone i18n_date uses for the request being answered (the web server
 * sets the reader's zone before the handler and NULL, UTC, after it). An
 * invalid name counts as UTC. */
void	i18n_set_zone(const char *name);

#endif
