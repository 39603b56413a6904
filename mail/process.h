/*
 * Processing of accepted messages after the 250: pre-scan, parse in a
 * worker, classify, apply the group's policy, then publish, hold, answer a
 * command or record a bounce — each message in one transaction that also
 * marks it done, so a crash at any point processes it again, never twice.
 */
#ifndef MAJLIS_PROCESS_H
#define MAJLIS_PROCESS_H

#include <stdint.h>

#include "mail/parsepool.h"

struct engine;
struct process;

#define PROCESS_POLL_INTERVAL	1	/* seconds between scans for new rows */
#define PROCESS_MAX_FAILURES	3	/* database failures before quarantine */
#define PROCESS_MAX_INFLIGHT	200	/* messages parsed at once */

struct process *process_new(struct engine *);
void	process_free(struct process **);
/* Process inbound row id (once; repeated calls while it is in flight do
 * nothing). */
void	process_enqueue(struct process *, int64_t id);
/* The parse pool's callback (argument: the process). */
void	process_parsed(void *arg, uint64_t job, enum parsepool_status status,
	    const struct parsed *parsed);

#endif
