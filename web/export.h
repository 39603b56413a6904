/*
 * The archive in other forms: a group's Atom feed, a thread as an mboxrd
 * file of its raw messages, and attachments as downloads.
 */
#ifndef MAJLIS_EXPORT_H
#define MAJLIS_EXPORT_H

#include <stddef.h>

#include "daemon/buf.h"

struct web_req;

#define EXPORT_FEED_ENTRIES	30

/* GET /g/SLUG/atom.xml: the latest posts of the group (Atom, RFC 4287). */
void	export_atom(struct web_req *);
/* GET /g/SLUG/t/ID.mbox: the stored raw messages of the thread (mboxrd),
 * as an attachment. */
void	export_mbox(struct web_req *);
/* GET /a/ID/NAME: one attachment, always as a download; 404 when the
 * viewer may not read its group, as when it does not exist. */
void	export_attachment(struct web_req *);

/* Append the RFC 3339 form of t in UTC ("2026-11-12T09:14:03Z"). */
void	export_rfc3339(struct buf *out, int64_t t);
/* Append one raw message to out in mboxrd form: a "From " line with the
 * sender and date t, lines ending in LF, every line matching ">*From "
 * given one more '>', and a blank line after the message. */
void	export_mboxrd(struct buf *out, const char *sender, int64_t t,
	    const char *raw, size_t len);
/* The Content-Type to send for a stored attachment type: the type when it
 * is a plain "type/subtype" that cannot run in a browser, else
 * "application/octet-stream". */
const char *export_safe_type(const char *type);
/* Append a Content-Disposition value for a download named name: an ASCII
 * filename="..." fallback and filename*=UTF-8''... (RFC 6266). */
void	export_disposition(struct buf *out, const char *name);

#endif
