/*
 * The engine's side of the parser workers: a queue of messages to parse,
 * one in flight per worker, a deadline per message, and crash detection.
 * Workers are started by the supervisor, which hands their sockets over.
 */
#ifndef MAJLIS_PARSEPOOL_H
#define MAJLIS_PARSEPOOL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mail/parsed.h"

struct event_base;
struct parsepool;

#define PARSEPOOL_MAX_WORKERS	32
#define PARSEPOOL_MAX_QUEUE	10000

enum parsepool_status {
	PARSEPOOL_DONE,		/* parsed is filled */
	PARSEPOOL_CRASHED,	/* the worker died on this message */
	PARSEPOOL_TIMEOUT,	/* the worker took too long and was killed */
};

/* Called once per submitted job, from the event loop. parsed is valid only
 * during the call (NULL unless DONE). */
typedef void (*parsepool_cb)(void *arg, uint64_t job, enum parsepool_status,
    const struct parsed *parsed);

struct parsepool *parsepool_new(struct event_base *, int timeout,
	    parsepool_cb, void *arg);
void	parsepool_free(struct parsepool **);
/* A worker is ready on fd (pid for killing it on timeout). */
void	parsepool_add_worker(struct parsepool *, int fd, pid_t pid);
/* Queue raw (copied) for parsing. Returns 0, or -1 when the queue is full. */
int	parsepool_submit(struct parsepool *, uint64_t job, const char *raw,
	    size_t len);
/* Jobs queued or in flight. */
size_t	parsepool_pending(const struct parsepool *);
/* Workers alive. */
int	parsepool_workers(const struct parsepool *);

#endif
