/*
 * The address keys of the configuration: a listening address and the relay
 * URL, parsed into the structs of config.h.
 */
#ifndef MAJLIS_DAEMON_CONFIG_ADDR_H
#define MAJLIS_DAEMON_CONFIG_ADDR_H

#include "daemon/buf.h"
#include "daemon/config.h"

/* Parse a listening address: "" (off), "host:port", "[ipv6]:port" or
 * "unix:/absolute/path". On success the previous contents of *l are freed
 * (start from a zeroed struct) and 0 is returned; on error *l is unchanged,
 * err (if not NULL) gets the message, -1 is returned. */
int	config_addr_parse_listen(struct config_listen *l, const char *value,
	    struct buf *err);
void	config_addr_listen_free(struct config_listen *l);

/* Parse a relay URL: smtp://, smtp+starttls:// or smtps://, optional
 * "user:password@" (percent-encoded), host (name, IPv4 or [IPv6]), optional
 * ":port" (default 25, 587, 465). Same ownership and errors as
 * config_addr_parse_listen. */
int	config_addr_parse_relay(struct config_relay *r, const char *value,
	    struct buf *err);
void	config_addr_relay_free(struct config_relay *r);

#endif
