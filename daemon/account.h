/*
 * Web accounts, the logic shared by the web pages and majlisctl: address
 * checks, registration waiting for its confirmation by mail, the claim of
 * a member known only by mail (same members row: a web account and its
 * email identity are one member), password reset, and the system mails
 * they send (composed here, queued in the outbox, delivery woken).
 * The SQL is in store_account.c and store_token.c.
 */
#ifndef MAJLIS_ACCOUNT_H
#define MAJLIS_ACCOUNT_H

#include <stdint.h>

#include "daemon/buf.h"
#include "daemon/store_account.h"
#include "daemon/token.h"

struct db;
struct engine;

#define ACCOUNT_KIND_REGISTER	"account"	/* tokens.kind */
#define ACCOUNT_KIND_RESET	"reset"
#define ACCOUNT_REGISTER_TTL	(2 * 24 * 3600)	/* seconds a link works */
#define ACCOUNT_RESET_TTL	3600
#define ACCOUNT_MAIL_FROM	"noreply"	/* local part, @list_domain */

/* 1 when addr is a usable address (syntax, at most ACCOUNT_EMAIL_MAX). */
int	account_email_valid(const char *addr);
/* 1 when name is a display name: 1..ACCOUNT_NAME_MAX bytes, no control
 * character (the caller checked UTF-8). */
int	account_name_valid(const char *name);

/* Record a registration of email waiting for its confirmation: a token
 * (written to token) with the name, and the password hash and language
 * beside it. Inside the caller's transaction. 0 or -1. */
int	account_register_request(struct db *, const char *email,
	    const char *name, const char *password_hash, const char *locale,
	    char token[TOKEN_LEN + 1]);
/* Confirm a registration: use the token once, then create the member or
 * claim the existing one of that address (password, name, language set);
 * an address that got an account meanwhile keeps its password. Inside the
 * caller's transaction. 1 done (*member_id set), 0 unknown, expired or
 * used token, -1 error. */
int	account_register_confirm(struct db *, const char *token,
	    int64_t *member_id);
/* A reset token for an account's address, in token. 0 or -1. */
int	account_reset_request(struct db *, const char *email,
	    char token[TOKEN_LEN + 1]);
/* Use a reset token and set the new password hash; every session of the
 * member ends. Inside the caller's transaction. 1 done (*member_id set),
 * 0 invalid token, -1 error. */
int	account_reset_confirm(struct db *, const char *token,
	    const char *password_hash, int64_t *member_id);

/* Create or complete the web account of email directly, without a mail
 * (majlisctl user add, the demo site): the member is created or claimed,
 * gets the password (checked against the limits of password.h), the name
 * when given, and is_admin. Inside the caller's transaction. Returns the
 * member id, or -1 with err set. */
int64_t	account_create(struct db *, const char *email, const char *name,
	    const char *password, int is_admin, struct buf *err);

/* Queue a plain-text system mail from ACCOUNT_MAIL_FROM@list_domain to
 * `to` and wake the delivery. 0 or -1. */
int	account_mail(struct engine *, const char *to, const char *subject,
	    const char *text);

#endif
