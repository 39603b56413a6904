/*
 * Site settings (see site.h): defaults, checks, loading and saving.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/buf.h"
#include "daemon/db.h"
#include "daemon/json.h"
#include "daemon/site.h"
#include "daemon/store_mod.h"
#include "daemon/store_site.h"
#include "daemon/xalloc.h"
#include "mail/charset.h"

static const char *const site_languages[] = { "en", "fr", "ar" };

static int
site_name_ok(const char *s)
{
	size_t n = s ? strnlen(s, SITE_NAME_MAX + 1) : 0;
	if (n == 0 || n > SITE_NAME_MAX || !charset_utf8_valid(s, n))
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static int
site_language_ok(const char *s)
{
	for (size_t i = 0; i < sizeof site_languages / sizeof *site_languages;
	    i++)
		if (strcmp(s, site_languages[i]) == 0)
			return 1;
	return 0;
}

enum site_check_result
site_check(const struct site_settings *s)
{
	if (!site_name_ok(s->name))
		return SITE_BAD_NAME;
	if (!site_language_ok(s->language))
		return SITE_BAD_LANGUAGE;
	if (s->held_reminder < SITE_REMINDER_MIN ||
	    s->held_reminder > SITE_REMINDER_MAX)
		return SITE_BAD_REMINDER;
	return SITE_OK;
}

void
site_defaults(const struct config *cfg, struct site_settings *s)
{
	memset(s, 0, sizeof *s);
	/* a longer name from majlis.conf is cut before a whole character */
	size_t n = cfg->site_name ? xstrlcpy(s->name, cfg->site_name,
	    sizeof s->name) : 0;
	if (n >= sizeof s->name) {
		n = sizeof s->name - 1;
		while (n > 0 && !charset_utf8_valid(s->name, n))
			s->name[--n] = '\0';
	}
	if (!site_name_ok(s->name))
		xstrlcpy(s->name, "majlis", sizeof s->name);
	xstrlcpy(s->language, "en", sizeof s->language);
	s->registration = 1;
	s->held_reminder = cfg->mod_pending_interval;
}

/* Take one stored value when it is valid (others keep the default). */
static int
site_take(void *arg, const char *key, const char *value)
{
	struct site_settings *s = arg;
	if (strcmp(key, "name") == 0 && site_name_ok(value))
		xstrlcpy(s->name, value, sizeof s->name);
	else if (strcmp(key, "language") == 0 && site_language_ok(value))
		xstrlcpy(s->language, value, sizeof s->language);
	else if (strcmp(key, "registration") == 0 && (strcmp(value, "open") == 0
	    || strcmp(value, "closed") == 0))
		s->registration = strcmp(value, "open") == 0;
	else if (strcmp(key, "held_reminder") == 0) {
		char *end;
		errno = 0;
		long v = strtol(value, &end, 10);
		if (errno == 0 && end != value && *end == '\0' &&
		    v >= SITE_REMINDER_MIN && v <= SITE_REMINDER_MAX)
			s->held_reminder = v;
	}
	return 0;
}

int
site_load(struct db *db, const struct config *cfg, struct site_settings *s)
{
	site_defaults(cfg, s);
	if (store_site_each(db, site_take, s) == -1) {
		site_defaults(cfg, s);
		return -1;
	}
	return 0;
}

static struct {
	struct db		*db;
	int64_t			 loaded;	/* db_now() of the load */
	struct site_settings	 s;
} site_kept;

void
site_forget(void)
{
	site_kept.db = NULL;
}

int
site_current(struct db *db, const struct config *cfg, struct site_settings *s)
{
	int64_t now = db_now();
	if (site_kept.db == db && now >= site_kept.loaded &&
	    now - site_kept.loaded < SITE_CACHE_SECONDS) {
		*s = site_kept.s;
		return 0;
	}
	if (site_load(db, cfg, s) == -1)
		return -1;
	site_kept.db = db;
	site_kept.loaded = now;
	site_kept.s = *s;
	return 0;
}

static void
site_json(struct buf *out, const struct site_settings *s)
{
	struct json j;
	json_init(&j, out);
	json_begin_object(&j);
	json_kv_string(&j, "name", s->name);
	json_kv_string(&j, "language", s->language);
	json_kv_bool(&j, "registration", s->registration);
	json_kv_int(&j, "held_reminder", s->held_reminder);
	json_end_object(&j);
}

int
site_save(struct db *db, const struct site_settings *before,
    const struct site_settings *after, const char *actor)
{
	char num[32];
	int changed = 0, rc = 0;
	if (rc == 0 && strcmp(before->name, after->name) != 0 && ++changed)
		rc = store_site_set(db, "name", after->name);
	if (rc == 0 && strcmp(before->language, after->language) != 0 &&
	    ++changed)
		rc = store_site_set(db, "language", after->language);
	if (rc == 0 && before->registration != after->registration &&
	    ++changed)
		rc = store_site_set(db, "registration", after->registration ?
		    "open" : "closed");
	if (rc == 0 && before->held_reminder != after->held_reminder &&
	    ++changed) {
		snprintf(num, sizeof num, "%ld", after->held_reminder);
		rc = store_site_set(db, "held_reminder", num);
	}
	if (rc == -1 || changed == 0)
		return rc;
	site_forget();	/* even if the caller rolls back: loaded again */
	struct buf b = BUF_INIT, a = BUF_INIT;
	site_json(&b, before);
	site_json(&a, after);
	rc = store_mod_audit(db, actor, "site.settings", 0, "site", "",
	    buf_cstr(&b), buf_cstr(&a));
	buf_free(&b);
	buf_free(&a);
	return rc == -1 ? -1 : 1;
}
