/*
 * Delivery: copies from the outbox to the relay over several parallel
 * smtpc connections; results recorded in batches; retries with exponential
 * backoff within bounds; 5xx is permanent and counts as a bounce.
 */
#ifndef MAJLIS_DELIVERY_H
#define MAJLIS_DELIVERY_H

#include <stddef.h>
#include <stdint.h>

struct engine;
struct delivery;

#define DELIVERY_BATCH		1000	/* rows loaded at once */
#define DELIVERY_LOW_WATER	256	/* load more below this many queued */
#define DELIVERY_TICK		1	/* seconds between scans */
#define DELIVERY_CONN_BACKOFF_MIN 2	/* seconds after a failed connection */
#define DELIVERY_CONN_BACKOFF_MAX 300
#define DELIVERY_MAX_CONNECTIONS 64

struct delivery *delivery_new(struct engine *);
void	delivery_free(struct delivery **);
/* New rows may be due: look soon. */
void	delivery_kick(struct delivery *);
/* Stop taking jobs and close connections (shutdown). */
void	delivery_stop(struct delivery *);
/* Copies loaded or in flight. */
size_t	delivery_pending(const struct delivery *);
/* Relay connections still open (shutdown waits for them to close). */
int	delivery_connections(const struct delivery *);
/* The delay before attempt n+1 after n failed attempts: min * 2^(n-1),
 * capped at max. */
int64_t	delivery_backoff(int attempts, int64_t min_delay, int64_t max_delay);

#endif
