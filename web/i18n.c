/*
 * Message catalogs and language choice (see i18n.h). A catalog is an array
 * indexed by message id; a unit test checks that every entry is present.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "web/i18n.h"

static const char *const i18n_en[I18N_NMSGS] = {
#define I18N_MSG(id, en, fr, ar)	[id] = en,
#include "web/i18n_msgs.def"
#undef I18N_MSG
};

static const char *const i18n_fr[I18N_NMSGS] = {
#define I18N_MSG(id, en, fr, ar)	[id] = fr,
#include "web/i18n_msgs.def"
#undef I18N_MSG
};

static const char *const i18n_ar[I18N_NMSGS] = {
#define I18N_MSG(id, en, fr, ar)	[id] = ar,
#include "web/i18n_msgs.def"
#undef I18N_MSG
};

static const char *const *const i18n_catalogs[I18N_NLANGS] = {
	[I18N_EN] = i18n_en, [I18N_FR] = i18n_fr, [I18N_AR] = i18n_ar,
};
static const char *const i18n_codes[I18N_NLANGS] = {
	[I18N_EN] = "en", [I18N_FR] = "fr", [I18N_AR] = "ar",
};

static const char *const i18n_months[I18N_NLANGS][12] = {
	[I18N_EN] = { "January", "February", "March", "April", "May", "June",
	    "July", "August", "September", "October", "November", "December" },
	[I18N_FR] = { "janvier", "février", "mars", "avril", "mai", "juin",
	    "juillet", "août", "septembre", "octobre", "novembre", "décembre" },
	[I18N_AR] = { "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
	    "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر" },
};

const char *
i18n_code(enum i18n_lang l)
{
	return i18n_codes[l];
}

const char *
i18n_dir(enum i18n_lang l)
{
	return l == I18N_AR ? "rtl" : "ltr";
}

const char *
i18n_colon(enum i18n_lang l)
{
	return l == I18N_FR ? "\u00a0: " : ": ";
}

const char *
i18n_msg(enum i18n_lang l, enum i18n_msg m)
{
	const char *s = i18n_catalogs[l][m];
	return s ? s : i18n_en[m];
}

enum i18n_lang
i18n_lang_from_code(const char *code, enum i18n_lang fallback)
{
	for (int l = 0; l < I18N_NLANGS; l++)
		if (code != NULL && strcmp(code, i18n_codes[l]) == 0)
			return (enum i18n_lang)l;
	return fallback;
}

/* q of one range's parameters ("; q=0.5"): 0..1000, 1000 when absent,
 * -1 when malformed. */
static int
i18n_qvalue(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == ';'))
		p++;
	if (p == end)
		return 1000;
	if (end - p < 3 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=')
		return -1;
	p += 2;
	int q = 0, scale = 1000;
	if (*p == '1')
		q = 1000;
	else if (*p != '0')
		return -1;
	p++;
	if (p < end && *p == '.')
		for (p++; p < end && isdigit((unsigned char)*p) && scale > 1; p++) {
			scale /= 10;
			q += (*p - '0') * scale;
		}
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p == end && q <= 1000 ? q : -1;
}

/* The language of one range's tag, -2 for "*", -1 for others. */
static int
i18n_range_lang(const char *p, size_t n)
{
	if (n == 1 && *p == '*')
		return -2;
	for (int l = 0; l < I18N_NLANGS; l++)
		if (n >= 2 && strncasecmp(p, i18n_codes[l], 2) == 0 &&
		    (n == 2 || p[2] == '-'))
			return l;
	return -1;
}

enum i18n_lang
i18n_pick(const char *accept, enum i18n_lang fallback)
{
	if (accept == NULL)
		return fallback;
	size_t len = strnlen(accept, I18N_ACCEPT_MAX);
	const char *p = accept, *end = accept + len;
	int best = -1, bestq = 0;
	for (int n = 0; p < end && n < I18N_ACCEPT_RANGES; n++) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *stop = comma ? comma : end;
		while (p < stop && (*p == ' ' || *p == '\t'))
			p++;
		const char *tag = p;
		while (p < stop && *p != ';' && *p != ' ' && *p != '\t')
			p++;
		int l = i18n_range_lang(tag, (size_t)(p - tag));
		int q = i18n_qvalue(p, stop);
		if (l == -2)
			l = (int)fallback;
		if (l >= 0 && q > bestq) {
			best = l;
			bestq = q;
		}
		p = comma ? comma + 1 : end;
	}
	return best >= 0 ? (enum i18n_lang)best : fallback;
}

/* The zone of the current request ("" for UTC) and the one TZ is set to
 * while dates of that request are drawn (localtime_r reads TZ; the engine
 * is one thread); TZ is given back at the end of the request. */
static char i18n_zone[I18N_ZONE_MAX + 1];
static char i18n_tz_applied[I18N_ZONE_MAX + 1];

int
i18n_zone_valid(const char *name)
{
	size_t n = strnlen(name, I18N_ZONE_MAX + 1);
	if (n == 0 || n > I18N_ZONE_MAX || !isalpha((unsigned char)name[0]) ||
	    name[n - 1] == '/' || strstr(name, "..") != NULL ||
	    strstr(name, "//") != NULL)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) &&
		    strchr("/_+-", name[i]) == NULL)
			return 0;
	char path[sizeof I18N_ZONEINFO_DIR + I18N_ZONE_MAX + 1];
	snprintf(path, sizeof path, "%s/%s", I18N_ZONEINFO_DIR, name);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1 && errno == ELOOP) {
		/* zone aliases may be symbolic links inside the directory */
		char real[4096];
		if (realpath(path, real) != NULL && strncmp(real,
		    I18N_ZONEINFO_DIR "/", sizeof I18N_ZONEINFO_DIR) == 0)
			fd = open(real, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	}
	if (fd == -1)
		return 0;
	struct stat st;
	char magic[4];
	int ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    read(fd, magic, sizeof magic) == (ssize_t)sizeof magic &&
	    memcmp(magic, "TZif", 4) == 0;
	close(fd);
	return ok;
}

/* TZ as it was before a request's zone was applied (NULL: unset). */
static char *i18n_tz_orig;

/* Give TZ back its value from before the request's zone was applied, so
 * that nothing else in the process (syslog's time stamps) runs in a
 * reader's zone. */
static void
i18n_tz_restore(void)
{
	if (i18n_tz_applied[0] == '\0')
		return;
	if (i18n_tz_orig != NULL)
		(void)setenv("TZ", i18n_tz_orig, 1);
	else
		(void)unsetenv("TZ");
	tzset();
	free(i18n_tz_orig);
	i18n_tz_orig = NULL;
	i18n_tz_applied[0] = '\0';
}

void
i18n_set_zone(const char *name)
{
	if (name == NULL || strcmp(name, "UTC") == 0) {
		i18n_zone[0] = '\0';
		i18n_tz_restore();
		return;
	}
	static char checked[I18N_ZONE_MAX + 1];	/* last name found valid */
	if (strcmp(name, checked) == 0 || i18n_zone_valid(name)) {
		snprintf(i18n_zone, sizeof i18n_zone, "%s", name);
		snprintf(checked, sizeof checked, "%s", name);
	} else
		i18n_zone[0] = '\0';
}

/* t broken down in the request's zone. */
static int
i18n_localtime(time_t t, struct tm *tm)
{
	if (i18n_zone[0] == '\0')
		return gmtime_r(&t, tm) != NULL;
	if (strcmp(i18n_zone, i18n_tz_applied) != 0) {
		i18n_tz_restore();
		const char *tz = getenv("TZ");
		i18n_tz_orig = tz ? strdup(tz) : NULL;
		if (setenv("TZ", i18n_zone, 1) == -1) {
			free(i18n_tz_orig);
			i18n_tz_orig = NULL;
			return gmtime_r(&t, tm) != NULL;
		}
		tzset();
		snprintf(i18n_tz_applied, sizeof i18n_tz_applied, "%s", i18n_zone);
	}
	return localtime_r(&t, tm) != NULL;
}

void
i18n_date(struct buf *out, enum i18n_lang l, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!i18n_localtime(tt, &tm))
		memset(&tm, 0, sizeof tm);
	const char *month = i18n_months[l][tm.tm_mon % 12];
	int year = tm.tm_year + 1900;
	switch (l) {
	case I18N_FR:
		buf_printf(out, "%d %s %d à %02d:%02d", tm.tm_mday, month, year,
		    tm.tm_hour, tm.tm_min);
		break;
	case I18N_AR:
		buf_printf(out, "%d %s %d، %02d:%02d", tm.tm_mday, month, year,
		    tm.tm_hour, tm.tm_min);
		break;
	default:
		buf_printf(out, "%d %s %d, %02d:%02d", tm.tm_mday, month, year,
		    tm.tm_hour, tm.tm_min);
	}
}
