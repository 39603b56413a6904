/*
 * Web accounts: registration, claim, reset and their mails (see account.h).
 */
#include <config.h>

#include <string.h>

#include "daemon/account.h"
#include "daemon/config.h"
#include "daemon/db.h"
#include "daemon/engine.h"
#include "daemon/log.h"
#include "daemon/password.h"
#include "daemon/site.h"
#include "daemon/store_account.h"
#include "daemon/store_group.h"
#include "daemon/store_held.h"
#include "daemon/store_outbox.h"
#include "daemon/store_token.h"
#include "mail/address.h"
#include "mail/compose.h"
#include "mail/delivery.h"

int
account_email_valid(const char *addr)
{
	return strnlen(addr, ACCOUNT_EMAIL_MAX + 1) <= ACCOUNT_EMAIL_MAX &&
	    address_valid(addr);
}

int
account_name_valid(const char *name)
{
	size_t n = strnlen(name, ACCOUNT_NAME_MAX + 1);
	if (n == 0 || n > ACCOUNT_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return 0;
	return strspn(name, " ") != n;
}

int
account_register_request(struct db *db, const char *email, const char *name,
    const char *password_hash, const char *locale, char token[TOKEN_LEN + 1])
{
	char hash[TOKEN_HASH_LEN + 1];
	if (store_token_add(db, ACCOUNT_KIND_REGISTER, 0, email, name,
	    ACCOUNT_REGISTER_TTL, token) == -1)
		return -1;
	token_hash(token, hash);
	return store_account_pending_add(db, hash, password_hash, locale);
}

int
account_register_confirm(struct db *db, const char *token, int64_t *member_id)
{
	struct token_info info;
	char hash[TOKEN_HASH_LEN + 1], pw[ACCOUNT_HASH_MAX + 1], locale[4];
	int rc = store_token_peek(db, token, &info);
	if (rc != 1 || strcmp(info.kind, ACCOUNT_KIND_REGISTER) != 0)
		return rc == -1 ? -1 : 0;
	token_hash(token, hash);
	if ((rc = store_account_pending_get(db, hash, pw, locale)) != 1)
		return rc;
	if ((rc = store_token_use(db, token, &info)) != 1)
		return rc;
	struct account a;
	int existed = store_account_by_email(db, info.email, &a);
	if (existed == -1)
		return -1;
	int64_t id = store_member_ensure(db, info.email, info.name);
	if (id == -1 || store_account_by_id(db, id, &a) != 1)
		return -1;
	if (!a.has_password) {
		if (store_account_set_password(db, id, pw) == -1 ||
		    store_account_set_profile(db, id, info.name, locale,
		    a.timezone) == -1 || store_audit(db, "web", "account", 0,
		    info.email, existed ? "claimed" : "created") == -1)
			return -1;
	}
	*member_id = id;
	return 1;
}

int
account_reset_request(struct db *db, const char *email,
    char token[TOKEN_LEN + 1])
{
	return store_token_add(db, ACCOUNT_KIND_RESET, 0, email, "",
	    ACCOUNT_RESET_TTL, token);
}

int
account_reset_confirm(struct db *db, const char *token,
    const char *password_hash, int64_t *member_id)
{
	struct token_info info;
	int rc = store_token_peek(db, token, &info);
	if (rc != 1 || strcmp(info.kind, ACCOUNT_KIND_RESET) != 0)
		return rc == -1 ? -1 : 0;
	if ((rc = store_token_use(db, token, &info)) != 1)
		return rc;
	struct account a;
	if ((rc = store_account_by_email(db, info.email, &a)) != 1 ||
	    !a.has_password)
		return rc == -1 ? -1 : 0;
	if (store_account_set_password(db, a.id, password_hash) == -1 ||
	    store_session_delete_member(db, a.id) == -1 ||
	    store_audit(db, "web", "password-reset", 0, a.email, "") == -1)
		return -1;
	*member_id = a.id;
	return 1;
}

int64_t
account_create(struct db *db, const char *email, const char *name,
    const char *password, int is_admin, struct buf *err)
{
	char hash[PASSWORD_HASH_MAX + 1];
	if (!account_email_valid(email)) {
		buf_printf(err, "invalid address");
		return -1;
	}
	if (name != NULL && *name != '\0' && !account_name_valid(name)) {
		buf_printf(err, "the name must be 1 to %d bytes without control"
		    " characters", ACCOUNT_NAME_MAX);
		return -1;
	}
	if (!password_acceptable(password)) {
		buf_printf(err, "the password must be %d to %d bytes",
		    PASSWORD_MIN, PASSWORD_MAX);
		return -1;
	}
	if (password_hash(password, hash) == -1) {
		buf_printf(err, "cannot hash the password (out of memory?)");
		return -1;
	}
	int64_t id = store_member_ensure(db, email, name);
	if (id == -1 || store_account_set_password(db, id, hash) == -1 ||
	    (name != NULL && *name != '\0' && store_account_set_name(db, id,
	    name) == -1) ||
	    store_account_set_admin(db, id, is_admin) == -1) {
		buf_printf(err, "database error");
		return -1;
	}
	return id;
}

int
account_mail(struct engine *e, const char *to, const char *subject,
    const char *text)
{
	struct buf from = BUF_INIT, msg = BUF_INIT;
	struct site_settings site;
	(void)site_current(e->db, e->cfg, &site);
	buf_printf(&from, "%s@%s", ACCOUNT_MAIL_FROM, e->cfg->list_domain);
	struct compose_system cs = { .from_name = site.name,
	    .from_addr = buf_cstr(&from), .to = to, .subject = subject,
	    .text = text, .list_domain = e->cfg->list_domain,
	    .auto_submitted = 0 };
	compose_system(&msg, &cs);
	int rc = store_outbox_add_system(e->db, 0, 0, to, msg.data, msg.len) ==
	    -1 ? -1 : 0;
	if (rc == 0 && e->delivery != NULL)
		delivery_kick(e->delivery);
	buf_free(&from);
	buf_free(&msg);
	return rc;
}
