/*
 * Site settings an administrator changes at run time on /admin/settings,
 * without editing majlis.conf nor restarting: the site's name in pages,
 * the interface language of visitors whose browser asks for none of ours,
 * whether anyone may register, and how often moderators are reminded of
 * held messages (daemon/modpending.h). Each is stored in the database
 * (daemon/store_site.h) once set; until then the configuration's value
 * (site_name, mod_pending_interval) or the built-in one (en, open)
 * applies. Readers load them per use (site_current: at most once a
 * second), so a change shows at once.
 */
#ifndef MAJLIS_SITE_H
#define MAJLIS_SITE_H

#include "daemon/config.h"

struct db;

/* Seconds site_current keeps the settings it loaded. */
#define SITE_CACHE_SECONDS	1
/* Bytes of the site's name. */
#define SITE_NAME_MAX		100
/* Bounds of the reminder interval: those of mod_pending_interval. */
#define SITE_REMINDER_MIN	CONFIG_MOD_PENDING_MIN
#define SITE_REMINDER_MAX	CONFIG_MOD_PENDING_MAX

struct site_settings {
	char	 name[SITE_NAME_MAX + 1];
	char	 language[4];		/* en, fr or ar */
	int	 registration;		/* 1 open, 0 closed */
	long	 held_reminder;		/* seconds */
};

enum site_check_result {
	SITE_OK,
	SITE_BAD_NAME,		/* 1 to SITE_NAME_MAX bytes of text */
	SITE_BAD_LANGUAGE,	/* en, fr or ar */
	SITE_BAD_REMINDER,	/* SITE_REMINDER_MIN to SITE_REMINDER_MAX */
};

/* The settings before any change: the configuration's values. */
void	site_defaults(const struct config *, struct site_settings *);
/* The settings in force: the defaults, each replaced by the stored value
 * when there is a valid one. 0, or -1 (the defaults in out). */
int	site_load(struct db *, const struct config *, struct site_settings *);
/* site_load for every request, kept in memory (one engine, one
 * database): loaded again after SITE_CACHE_SECONDS and after any
 * site_save, so a change from the page shows at the next request and one
 * written by another process within SITE_CACHE_SECONDS. (A read of the
 * database costs tens of microseconds, a large part of a page.) 0 or -1
 * (the defaults in out). */
int	site_current(struct db *, const struct config *,
	    struct site_settings *);
/* Drop what site_current keeps (site_save does it). */
void	site_forget(void);
/* Check a name (may be NULL) and the other fields. */
enum site_check_result site_check(const struct site_settings *);
/* Store after (checked by the caller) where it differs from before, with
 * an audit row "site.settings" by actor holding both as JSON, inside the
 * caller's transaction: 1 changed, 0 nothing to change, -1. */
int	site_save(struct db *, const struct site_settings *before,
	    const struct site_settings *after, const char *actor);

#endif
