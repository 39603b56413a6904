/*
 * The supervisor: the first process. It forks the engine and the parser
 * workers, hands each worker's socket to the engine, restarts what dies,
 * and turns signals into orderly shutdown or reload. It keeps no user data.
 */
#ifndef MAJLIS_SUPERVISOR_H
#define MAJLIS_SUPERVISOR_H

struct config;

#define SUPERVISOR_STOP_TIMEOUT		15	/* seconds before SIGKILL */
#define SUPERVISOR_MAX_RESTARTS		5	/* engine restarts per minute */
#define SUPERVISOR_MAX_PARSERS		32	/* parser_workers upper bound */
#define SUPERVISOR_FETCHER_DELAY	5	/* seconds between fetcher starts */

/* Run until SIGTERM/SIGINT; returns the exit status. */
int	supervisor_run(const struct config *);
/* When running as root and user is set, switch to that user (and its
 * groups); fatal on failure. Nothing when not root. */
void	supervisor_drop_privileges(const char *user);

#endif
