/*
 * Parsing an untrusted message into struct parsed, and the parser worker
 * process that does it under rlimits. libetpan is used here and nowhere else
 * in the engine's address space.
 */
#ifndef MAJLIS_PARSER_H
#define MAJLIS_PARSER_H

/* A worker exits after this many jobs (a fresh process bounds leaks and
 * heap fragmentation); the pool sends it no more than that, so a planned
 * exit never takes a job with it. */
#define PARSER_MAX_JOBS		1000

#include <stddef.h>

#include "mail/parsed.h"

/* Parse raw (CRLF) into out (initialised here; free with parsed_clear).
 * Never fails hard: out->ok is 0 with out->error set when the message is
 * unusable. The message must have passed prescan_message first. */
void	parser_parse(const char *raw, size_t len, struct parsed *out);

struct parser_limits {
	int	timeout;	/* seconds of wall time per message */
	size_t	memory;		/* address space cap in bytes (0: none) */
	size_t	max_record;	/* largest request accepted */
};

/* The worker loop on fd: read IPC_PARSE_REQUEST, answer IPC_PARSE_RESULT,
 * until EOF. Applies the limits (a message over time or memory kills the
 * process, which the engine sees). Does not return. */
void	parser_worker_main(int fd, const struct parser_limits *) __attribute__((noreturn));

#endif
