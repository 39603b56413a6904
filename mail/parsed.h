/*
 * The result of parsing one message in a parser worker, and its IPC codec
 * (IPC_PARSE_RESULT). Every string is valid UTF-8 display text unless noted.
 */
#ifndef MAJLIS_PARSED_H
#define MAJLIS_PARSED_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/buf.h"

#define PARSED_MAX_ATTACHMENTS	100

struct parsed_attachment {
	char		*filename;	/* safe download name */
	char		*content_type;	/* "type/subtype", lowercase */
	struct buf	 data;		/* decoded bytes */
};

struct parsed {
	int		 ok;		/* 0: could not parse; error says why */
	char		*error;
	char		*subject;
	char		*from_name;
	char		*from_addr;	/* addr-spec, domain lowercased; "" if none */
	char		*message_id;	/* without brackets; "" if none */
	char		*in_reply_to;	/* ids, space-separated, no brackets */
	char		*references;	/* ids, space-separated, no brackets */
	int64_t		 date;		/* seconds, 0 if none or invalid */
	char		*auto_submitted; /* raw, lowercased */
	char		*precedence;	/* raw, lowercased */
	char		*list_id;	/* raw */
	char		*x_loop;	/* raw, lowercased */
	int		 auto_reply_hint; /* X-Autoreply, X-Autorespond, ... present */
	int		 received_count;
	int		 is_dsn;	/* multipart/report; report-type=delivery-status */
	char		*dsn_recipient;	/* Final-Recipient addr */
	char		*dsn_action;	/* failed, delayed, delivered, ... */
	char		*dsn_status;	/* e.g. 5.1.1 */
	char		*dsn_diagnostic;
	char		*text;		/* the readable body */
	int		 text_from_html;
	char		*html;		/* the first text/html part, UTF-8; "" if none */
	size_t		 nattach;
	struct parsed_attachment *attach;
};

/* Free everything inside p (not p itself) and zero it. */
void	parsed_clear(struct parsed *p);
/* Set every string to "" (a fresh, empty result). */
void	parsed_init(struct parsed *p);
/* Encode as an IPC_PARSE_RESULT record for job into out (reset first). */
void	parsed_encode(struct buf *out, uint64_t job, const struct parsed *p);
/* Decode a record body; 0 with *job and p filled, -1 on malformed input
 * (p is left cleared). */
int	parsed_decode(const void *body, size_t len, uint64_t *job,
	    struct parsed *p);

#endif
