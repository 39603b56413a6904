/*
 * Intake: the SMTP/LMTP hooks. Recipients are checked against the groups;
 * accepted messages are committed durably in groups (one fsync for every
 * message that completed meanwhile) before the 250, then handed to process.
 */
#ifndef MAJLIS_INTAKE_H
#define MAJLIS_INTAKE_H

#include "mail/smtpd.h"

struct engine;
struct intake;

#define INTAKE_MAX_BATCH	256	/* messages in one commit */

struct intake *intake_new(struct engine *);
void	intake_free(struct intake **);
/* Hooks for smtpd_server_new (SMTP and LMTP), with the intake as their
 * argument. */
extern const struct smtpd_hooks intake_hooks;
extern const struct smtpd_hooks intake_hooks_lmtp;
/* Messages waiting for their commit. */
size_t	intake_pending(const struct intake *);

#endif
