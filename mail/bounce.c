/*
 * Bounce handling (see bounce.h).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"
#include "daemon/db.h"
#include "daemon/engine.h"
#include "daemon/log.h"
#include "daemon/store_group.h"
#include "daemon/store_outbox.h"
#include "daemon/token.h"
#include "mail/bounce.h"
#include "mail/compose.h"

static void
bounce_mac(const char *secret, int64_t id, char *mac)
{
	char msg[32];
	snprintf(msg, sizeof msg, "verp:%lld", (long long)id);
	token_mac(secret, msg, mac, BOUNCE_MAC_LEN);
}

void
bounce_verp_token(struct buf *out, const char *secret, int64_t outbox_id)
{
	char mac[BOUNCE_MAC_LEN + 1];
	bounce_mac(secret, outbox_id, mac);
	buf_printf(out, "o%lld-%s", (long long)outbox_id, mac);
}

int
bounce_verp_parse(const char *secret, const char *token, int64_t *outbox_id)
{
	if (token[0] != 'o')
		return -1;
	char *end;
	long long id = strtoll(token + 1, &end, 10);
	if (end == token + 1 || *end != '-' || id <= 0)
		return -1;
	char mac[BOUNCE_MAC_LEN + 1];
	bounce_mac(secret, id, mac);
	if (!token_equal(end + 1, mac))
		return -1;
	*outbox_id = id;
	return 0;
}

static int
bounce_tell_member(struct engine *e, int64_t group_id, const char *email)
{
	struct group g;
	if (store_group_get_id(e->db, group_id, &g) != 1)
		return -1;
	struct buf from = BUF_INIT, text = BUF_INIT, msg = BUF_INIT, lid = BUF_INIT;
	buf_printf(&from, "%s-request@%s", g.slug, e->cfg->list_domain);
	buf_printf(&lid, "%s.%s", g.slug, e->cfg->list_domain);
	buf_printf(&text,
	    "Hello,\n\nMail from the group \"%s\" to %s has been bouncing, so\n"
	    "delivery to this address is suspended. Nothing was deleted: the\n"
	    "discussions are on the web at %s/g/%s\n\n"
	    "To receive mail again, sign in and reset delivery in your settings,\n"
	    "or ask the group's moderators at %s-owner@%s.\n",
	    g.name, email, e->cfg->site_url, g.slug, g.slug, e->cfg->list_domain);
	struct compose_system cs = { .from_name = g.name, .from_addr = buf_cstr(&from),
	    .to = email, .subject = "Delivery suspended", .text = buf_cstr(&text),
	    .list_domain = e->cfg->list_domain, .list_id = buf_cstr(&lid),
	    .auto_submitted = 1 };
	compose_system(&msg, &cs);
	int rc = store_outbox_add_system(e->db, group_id, 0, email, msg.data,
	    msg.len) == -1 ? -1 : 0;
	buf_free(&from);
	buf_free(&text);
	buf_free(&msg);
	buf_free(&lid);
	store_group_clear(&g);
	return rc;
}

int
bounce_record(struct engine *e, int64_t group_id, int64_t member_id,
    int64_t outbox_id, const char *status, const char *diagnostic)
{
	int64_t now = db_now();
	int recent = (int)db_int(e->db, "SELECT count(*) FROM bounces WHERE"
	    " group_id = ? AND member_id = ? AND received > ?", 0, "iii",
	    group_id, member_id, now - BOUNCE_SCORE_WINDOW);
	if (db_run(e->db, "INSERT INTO bounces(group_id, member_id, outbox_id,"
	    " received, status, diagnostic) VALUES (?, ?, ?, ?, ?, ?)", "iiiitt",
	    group_id, member_id, outbox_id, now, status, diagnostic) == -1)
		return -1;
	if (recent > 0)
		return 0;
	int score = store_membership_bounce(e->db, group_id, member_id, 1);
	if (score < e->cfg->bounce_threshold)
		return score == -1 ? -1 : 0;
	struct buf err = BUF_INIT, email = BUF_INIT;
	int rc = store_membership_set(e->db, group_id, member_id, "suspended",
	    "yes", &err) == -1 ? -1 : 0;
	if (rc == 0 && db_text(e->db, &email, "SELECT email FROM members WHERE"
	    " id = ?", "i", member_id) == 1) {
		log_info("bounce: delivery to %s suspended (score %d)",
		    buf_cstr(&email), score);
		rc = bounce_tell_member(e, group_id, buf_cstr(&email));
	}
	buf_free(&err);
	buf_free(&email);
	return rc;
}

int
bounce_report(struct engine *e, const char *token, const struct parsed *p,
    struct buf *note)
{
	int64_t outbox_id;
	if (bounce_verp_parse(e->secret, token, &outbox_id) == -1) {
		buf_puts(note, "bounce with an invalid VERP token, ignored");
		return 0;
	}
	if (p->is_dsn && p->dsn_action[0] && strcmp(p->dsn_action, "failed") != 0) {
		buf_printf(note, "delivery report (%s), not a failure", p->dsn_action);
		return 0;
	}
	int64_t group_id = db_int(e->db, "SELECT coalesce(group_id, 0) FROM outbox"
	    " WHERE id = ?", 0, "i", outbox_id);
	int64_t member_id = db_int(e->db, "SELECT coalesce(member_id, 0) FROM"
	    " outbox WHERE id = ?", 0, "i", outbox_id);
	if (group_id == 0 || member_id == 0) {
		buf_printf(note, "bounce for copy %lld of no member, ignored",
		    (long long)outbox_id);
		return 0;
	}
	buf_printf(note, "bounce for copy %lld (%s)", (long long)outbox_id,
	    p->dsn_status[0] ? p->dsn_status : "no status");
	return bounce_record(e, group_id, member_id, outbox_id, p->dsn_status,
	    p->dsn_diagnostic);
}
