/*
 * Logging to stderr (foreground) or syslog. Levels: warn, info, debug.
 * fatal()/fatalx() log and exit: only at start-up or for a broken invariant.
 */
#ifndef MAJLIS_LOG_H
#define MAJLIS_LOG_H

#include <stdarg.h>

enum log_level { LOG_LEVEL_WARN = 0, LOG_LEVEL_INFO = 1, LOG_LEVEL_DEBUG = 2 };

/* ident names the process ("majlisd", "engine", "parser"); foreground logs to
 * stderr, otherwise to syslog (LOG_MAIL). */
void	log_init(const char *ident, int foreground, int level);
void	log_set_ident(const char *ident);
void	log_set_level(int level);
int	log_get_level(void);
/* Reopen the log destination (SIGHUP). */
void	log_reopen(void);

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));	/* appends strerror(errno) */
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));	/* appends strerror(errno) */
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
