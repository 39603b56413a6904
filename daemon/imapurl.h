/*
 * The IMAP source settings: the URL (imaps://, imap+starttls:// or imap://
 * with user, password and mailbox) and the action taken on a message once
 * it is committed (move:FOLDER, flag, delete).
 */
#ifndef MAJLIS_IMAPURL_H
#define MAJLIS_IMAPURL_H

#include "daemon/buf.h"

#define IMAPURL_MAILBOX_MAX	200	/* bytes in a mailbox or folder name */
#define IMAPURL_CRED_MAX	256	/* bytes in a user name or password */

enum imapurl_tls {
	IMAPURL_PLAIN = 0,	/* imap:// (port 143), loopback servers */
	IMAPURL_STARTTLS,	/* imap+starttls:// (port 143) */
	IMAPURL_IMAPS		/* imaps:// (port 993) */
};

enum imapurl_action {
	IMAPURL_FLAG = 0,	/* set \Seen */
	IMAPURL_MOVE,		/* move to a folder */
	IMAPURL_DELETE		/* set \Deleted and expunge */
};

/* A parsed source URL. host is NULL when no source is set; user always set
 * then; password NULL when the URL has none (a password file gives it);
 * mailbox percent-decoded, "INBOX" by default; text_safe is the URL with
 * the password shown as ***. Every string is owned (imapurl_free). */
struct imapurl {
	int	 tls;
	char	*host;		/* IPv6 without brackets */
	char	*port;
	char	*user;
	char	*password;
	char	*mailbox;
	char	*text_safe;
};

/* Parse value ("" clears the source). On success the previous contents of
 * *u are freed and 0 is returned; on error *u is unchanged, err (if not
 * NULL) gets a message that never shows the password, and -1 is returned. */
int	imapurl_parse(struct imapurl *u, const char *value, struct buf *err);
void	imapurl_free(struct imapurl *u);

/* Parse an imap_processed value: "flag", "delete" or "move:FOLDER" (1 to
 * IMAPURL_MAILBOX_MAX bytes, no control character). Returns 0 with *action
 * set and, for move, *folder pointing into value; -1 otherwise. */
int	imapurl_action(const char *value, int *action, const char **folder);

#endif
