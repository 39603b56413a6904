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

enum i18n_msg {
	I18N_SKIP_LINK,		/* "Skip to content" */
	I18N_GROUPS,		/* heading of the group list */
	I18N_NO_GROUPS,
	I18N_THREADS,		/* column: number of threads */
	I18N_POSTS,		/* column: number of posts */
	I18N_LAST_ACTIVITY,
	I18N_NEVER,		/* no activity yet */
	I18N_SUBJECT,
	I18N_STARTED,
	I18N_NO_THREADS,
	I18N_PAGE,		/* "Page" */
	I18N_OF,		/* "of" (page N of M) */
	I18N_PREVIOUS,
	I18N_NEXT,
	I18N_PAGINATION,	/* landmark label */
	I18N_QUOTED,		/* summary of folded quoted text */
	I18N_SIGNATURE,		/* summary of a folded signature */
	I18N_ATTACHMENTS,
	I18N_DOWNLOAD_MBOX,
	I18N_FEED,		/* "Atom feed" */
	I18N_BY,		/* "by" author */
	I18N_IN_REPLY_TO,	/* "in reply to" */
	I18N_NOT_FOUND,
	I18N_NOT_FOUND_TEXT,
	I18N_BAD_REQUEST,
	I18N_BAD_REQUEST_TEXT,
	I18N_ERROR,
	I18N_ERROR_TEXT,
	I18N_MAIN_NAV,		/* landmark label */
	I18N_MAIL_TO_POST,	/* "Write to the group at" */
	I18N_THREAD_POSTS,	/* heading of a thread's posts (screen readers) */
	I18N_BYTES,		/* size unit */
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
/* Append the UTC date and time t in the language's usual form, e.g.
 * "12 November 2026, 09:14", "12 novembre 2026 à 09:14",
 * "12 نوفمبر 2026، 09:14". */
void	i18n_date(struct buf *out, enum i18n_lang, int64_t t);

#endif
