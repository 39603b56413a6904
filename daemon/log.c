/*
 * Logging: one line per event, "ident[pid]: level: message", to stderr or
 * syslog. Messages are formatted into a bounded stack buffer and control
 * characters are replaced so a hostile value cannot forge log lines.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "daemon/log.h"

#define LOG_LINE_MAX 2048

static const char *log_ident = "majlis";
static int log_foreground = 1;
static int log_level = LOG_LEVEL_INFO;

void
log_init(const char *ident, int foreground, int level)
{
	log_ident = ident;
	log_foreground = foreground;
	log_level = level;
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

void
log_set_ident(const char *ident)
{
	log_ident = ident;
	if (!log_foreground) {
		closelog();
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
	}
}

void
log_set_level(int level)
{
	log_level = level;
}

int
log_get_level(void)
{
	return log_level;
}

void
log_reopen(void)
{
	if (!log_foreground) {
		closelog();
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
	}
}

static void
log_emit(int prio, const char *label, int with_errno, const char *fmt, va_list ap)
{
	char msg[LOG_LINE_MAX];
	int saved = errno;
	int n = vsnprintf(msg, sizeof msg, fmt, ap);
	if (n < 0)
		return;
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (log_foreground) {
		char ts[32];
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(ts, sizeof ts, "%H:%M:%S", &tm);
		if (with_errno)
			fprintf(stderr, "%s %s[%d]: %s: %s: %s\n", ts, log_ident,
			    (int)getpid(), label, msg, strerror(saved));
		else
			fprintf(stderr, "%s %s[%d]: %s: %s\n", ts, log_ident,
			    (int)getpid(), label, msg);
	} else if (with_errno)
		syslog(prio, "%s: %s: %s", label, msg, strerror(saved));
	else
		syslog(prio, "%s: %s", label, msg);
	errno = saved;
}

#define LOG_FN(name, prio, label, lvl, err)			\
void								\
name(const char *fmt, ...)					\
{								\
	va_list ap;						\
	if (log_level < (lvl))					\
		return;						\
	va_start(ap, fmt);					\
	log_emit(prio, label, err, fmt, ap);			\
	va_end(ap);						\
}

LOG_FN(log_warn, LOG_WARNING, "warning", LOG_LEVEL_WARN, 1)
LOG_FN(log_warnx, LOG_WARNING, "warning", LOG_LEVEL_WARN, 0)
LOG_FN(log_info, LOG_INFO, "info", LOG_LEVEL_INFO, 0)
LOG_FN(log_debug, LOG_DEBUG, "debug", LOG_LEVEL_DEBUG, 0)

void
fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_emit(LOG_CRIT, "fatal", 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_emit(LOG_CRIT, "fatal", 0, fmt, ap);
	va_end(ap);
	exit(1);
}
