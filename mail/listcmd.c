/*
 * List commands (see listcmd.h). Nothing changes without confirmation; every
 * answer is one system mail marked Auto-Submitted: auto-replied.
 */
#include <config.h>

#include <string.h>
#include <strings.h>

#include "daemon/config.h"
#include "daemon/db.h"
#include "daemon/deliverylink.h"
#include "daemon/engine.h"
#include "daemon/log.h"
#include "daemon/store_outbox.h"
#include "daemon/store_token.h"
#include "daemon/subscription.h"
#include "mail/compose.h"
#include "mail/listcmd.h"

static enum listcmd_command
listcmd_word(const char *s, size_t n)
{
	static const struct { const char *w; enum listcmd_command c; } words[] = {
		{ "unsubscribe", LISTCMD_UNSUBSCRIBE }, { "leave", LISTCMD_UNSUBSCRIBE },
		{ "signoff", LISTCMD_UNSUBSCRIBE }, { "désabonner", LISTCMD_UNSUBSCRIBE },
		{ "desabonner", LISTCMD_UNSUBSCRIBE },
		{ "إلغاء الاشتراك", LISTCMD_UNSUBSCRIBE },
		{ "subscribe", LISTCMD_SUBSCRIBE }, { "join", LISTCMD_SUBSCRIBE },
		{ "abonner", LISTCMD_SUBSCRIBE }, { "s'abonner", LISTCMD_SUBSCRIBE },
		{ "اشتراك", LISTCMD_SUBSCRIBE },
		{ "help", LISTCMD_HELP }, { "aide", LISTCMD_HELP },
		{ "مساعدة", LISTCMD_HELP },
		{ "delivery", LISTCMD_DELIVERY }, { "réception", LISTCMD_DELIVERY },
		{ "reception", LISTCMD_DELIVERY }, { "استلام", LISTCMD_DELIVERY },
	};
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		size_t wl = strlen(words[i].w);
		if (n >= wl && strncasecmp(s, words[i].w, wl) == 0 &&
		    (n == wl || s[wl] == ' ' || s[wl] == '\t' || s[wl] == '\r'))
			return words[i].c;
	}
	return LISTCMD_NONE;
}

/* The mode word at the start of s[0..n) (blanks skipped), or NULL. */
static const char *
listcmd_mode_word(const char *s, size_t n)
{
	static const struct { const char *w, *mode; } words[] = {
		{ "each", "each" }, { "all", "each" }, { "chaque", "each" },
		{ "tous", "each" }, { "فوري", "each" },
		{ "daily", "daily" }, { "quotidien", "daily" },
		{ "يومي", "daily" },
		{ "weekly", "weekly" }, { "digest", "weekly" },
		{ "hebdomadaire", "weekly" }, { "résumé", "weekly" },
		{ "أسبوعي", "weekly" },
		{ "none", "none" }, { "nomail", "none" }, { "web", "none" },
		{ "aucun", "none" }, { "بلا", "none" },
	};
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		size_t wl = strlen(words[i].w);
		if (n >= wl && strncasecmp(s, words[i].w, wl) == 0 &&
		    (n == wl || s[wl] == ' ' || s[wl] == '\t' || s[wl] == '\r'))
			return words[i].mode;
	}
	return NULL;
}

/* The mode after a delivery command word opening s[0..n), or NULL. */
static const char *
listcmd_line_mode(const char *s, size_t n)
{
	if (listcmd_word(s, n) != LISTCMD_DELIVERY)
		return NULL;
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && *s != ' ' && *s != '\t') {	/* the command word */
		s++;
		n--;
	}
	return listcmd_mode_word(s, n);
}

enum listcmd_command
listcmd_parse(const char *subject, const char *text)
{
	enum listcmd_command c = listcmd_word(subject, strlen(subject));
	if (c != LISTCMD_NONE)
		return c;
	for (int line = 0; *text && line < LISTCMD_SCAN_LINES; line++) {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);
		if ((c = listcmd_word(text, n)) != LISTCMD_NONE)
			return c;
		if (nl == NULL)
			break;
		text = nl + 1;
	}
	return LISTCMD_NONE;
}

const char *
listcmd_delivery_mode(const char *subject, const char *text)
{
	if (listcmd_word(subject, strlen(subject)) == LISTCMD_DELIVERY)
		return listcmd_line_mode(subject, strlen(subject));
	for (int line = 0; *text && line < LISTCMD_SCAN_LINES; line++) {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);
		if (listcmd_word(text, n) == LISTCMD_DELIVERY)
			return listcmd_line_mode(text, n);
		if (nl == NULL)
			break;
		text = nl + 1;
	}
	return NULL;
}

static int
listcmd_reply(struct engine *e, const struct group *g, const char *to,
    const char *reply_to, const char *subject, const char *text,
    const struct parsed *p)
{
	struct buf from = BUF_INIT, lid = BUF_INIT, msg = BUF_INIT;
	buf_printf(&from, "%s-request@%s", g->slug, e->cfg->list_domain);
	buf_printf(&lid, "%s.%s", g->slug, e->cfg->list_domain);
	struct compose_system cs = { .from_name = g->name,
	    .from_addr = buf_cstr(&from), .to = to, .reply_to = reply_to,
	    .subject = subject, .text = text, .list_domain = e->cfg->list_domain,
	    .list_id = buf_cstr(&lid), .auto_submitted = 1,
	    .in_reply_to = p && p->message_id[0] ? p->message_id : NULL };
	compose_system(&msg, &cs);
	int rc = store_outbox_add_system(e->db, g->id, 0, to, msg.data,
	    msg.len) == -1 ? -1 : 0;
	buf_free(&from);
	buf_free(&lid);
	buf_free(&msg);
	return rc;
}

/* Ask sender to confirm the change of kind; what says it ("subscribe to",
 * ...) before the group's name. */
static int
listcmd_ask(struct engine *e, const struct group *g, const char *kind,
    const char *what, const char *sender, const char *name,
    const struct parsed *p)
{
	char token[TOKEN_LEN + 1];
	if (store_token_add(e->db, kind, g->id, sender, name, STORE_TOKEN_TTL,
	    token) == -1)
		return -1;
	struct buf rt = BUF_INIT, text = BUF_INIT, subj = BUF_INIT;
	buf_printf(&rt, "%s-confirm+%s@%s", g->slug, token, e->cfg->list_domain);
	buf_printf(&subj, "Confirm: %s %s", what, g->name);
	buf_printf(&text,
	    "Hello,\n\nSomeone, probably you, asked to %s the group \"%s\"\n"
	    "with the address %s.\n\n"
	    "To confirm, open this link:\n\n  %s/c/%s\n\n"
	    "or simply reply to this message.\n\n"
	    "If you did not ask for this, ignore this message: nothing changes\n"
	    "without your confirmation. The request expires in 7 days.\n",
	    what, g->name, sender, e->cfg->site_url, token);
	int rc = listcmd_reply(e, g, sender, buf_cstr(&rt), buf_cstr(&subj),
	    buf_cstr(&text), p);
	buf_free(&rt);
	buf_free(&text);
	buf_free(&subj);
	return rc;
}

static int
listcmd_help(struct engine *e, const struct group *g, const char *sender,
    const struct parsed *p)
{
	struct buf text = BUF_INIT, subj = BUF_INIT;
	const char *d = e->cfg->list_domain;
	buf_printf(&subj, "Help: %s", g->name);
	buf_printf(&text,
	    "Addresses of the group \"%s\":\n\n"
	    "  %s@%s           write to every member\n"
	    "  %s-join@%s      join (you will be asked to confirm)\n"
	    "  %s-leave@%s     leave (you will be asked to confirm)\n"
	    "  %s-request@%s   commands in the subject: subscribe,\n"
	    "                  unsubscribe, help, delivery MODE\n"
	    "  %s-owner@%s     write to the moderators\n\n"
	    "delivery MODE chooses how you receive the group (you will be\n"
	    "asked to confirm); MODE is one of:\n"
	    "  each     every post as it is written\n"
	    "  daily    a daily digest\n"
	    "  weekly   a weekly digest (also: digest)\n"
	    "  none     no mail, read on the web (also: nomail)\n"
	    "In French: réception chaque|quotidien|hebdomadaire|aucun;\n"
	    "in Arabic: استلام فوري|يومي|أسبوعي|بلا.\n\n"
	    "On the web: %s/g/%s\n", g->name, g->slug, d, g->slug, d, g->slug,
	    d, g->slug, d, g->slug, d, e->cfg->site_url, g->slug);
	int rc = listcmd_reply(e, g, sender, NULL, buf_cstr(&subj),
	    buf_cstr(&text), p);
	buf_free(&text);
	buf_free(&subj);
	return rc;
}

/* "delivery MODE" from sender, whose mode is current (NULL: not a
 * member): a confirmation, or an answer saying why nothing changes. */
static int
listcmd_delivery(struct engine *e, const struct group *g, const char *current,
    const char *sender, const struct parsed *p, struct buf *note)
{
	const char *mode = listcmd_delivery_mode(p->subject, p->text);
	if (current == NULL) {
		buf_puts(note, "delivery: not a member");
		return listcmd_reply(e, g, sender, NULL, "Not a member",
		    "This address is not a member of this group.\n", p);
	}
	if (mode == NULL) {
		buf_puts(note, "delivery: no mode named");
		return listcmd_reply(e, g, sender, NULL, "Delivery not changed",
		    "Name the mode after the command: delivery each, delivery\n"
		    "daily, delivery weekly or delivery none.\nNothing was "
		    "changed.\n", p);
	}
	struct buf text = BUF_INIT, what = BUF_INIT, kind = BUF_INIT;
	int rc;
	if (strcmp(mode, current) == 0) {
		buf_printf(note, "delivery: already %s", mode);
		buf_printf(&text, "Your delivery mode is already \"%s\".\n"
		    "Nothing was changed.\n", mode);
		rc = listcmd_reply(e, g, sender, NULL, "Delivery unchanged",
		    buf_cstr(&text), p);
	} else {
		buf_printf(note, "delivery %s: confirmation sent", mode);
		buf_printf(&kind, "%s%s", DELIVERYLINK_KIND_PREFIX, mode);
		buf_printf(&what, "set delivery to \"%s\" (now \"%s\") for",
		    mode, current);
		rc = listcmd_ask(e, g, buf_cstr(&kind), buf_cstr(&what), sender,
		    p->from_name, p);
	}
	buf_free(&text);
	buf_free(&what);
	buf_free(&kind);
	return rc;
}

int
listcmd_handle(struct engine *e, const struct group *g, enum address_kind kind,
    const char *sender, const struct parsed *p, struct buf *note)
{
	enum listcmd_command c = kind == ADDR_JOIN ? LISTCMD_SUBSCRIBE :
	    kind == ADDR_LEAVE ? LISTCMD_UNSUBSCRIBE :
	    listcmd_parse(p->subject, p->text);
	struct membership ms;
	char current[sizeof ms.delivery] = "";
	int member = store_membership_get(e->db, g->id, sender, &ms);
	if (member == -1)
		return -1;
	if (member == 1) {
		memcpy(current, ms.delivery, sizeof current);
		store_membership_clear(&ms);
	}
	switch (c) {
	case LISTCMD_SUBSCRIBE:
		if (member) {
			buf_puts(note, "subscribe: already a member");
			return listcmd_reply(e, g, sender, NULL, "Already a member",
			    "You are already a member of this group.\n", p);
		}
		buf_puts(note, "subscribe: confirmation sent");
		return listcmd_ask(e, g, SUBSCRIPTION_KIND_SUBSCRIBE,
		    "subscribe to", sender, p->from_name, p);
	case LISTCMD_UNSUBSCRIBE:
		if (!member) {
			buf_puts(note, "unsubscribe: not a member");
			return listcmd_reply(e, g, sender, NULL, "Not a member",
			    "This address is not a member of this group.\n", p);
		}
		buf_puts(note, "unsubscribe: confirmation sent");
		return listcmd_ask(e, g, SUBSCRIPTION_KIND_UNSUBSCRIBE,
		    "unsubscribe from", sender, p->from_name, p);
	case LISTCMD_DELIVERY:
		return listcmd_delivery(e, g, member ? current : NULL, sender,
		    p, note);
	case LISTCMD_HELP:
	case LISTCMD_NONE:
		buf_puts(note, c == LISTCMD_HELP ? "help sent" :
		    "no command found, help sent");
		return listcmd_help(e, g, sender, p);
	}
	return 0;
}

/* The answer to a confirmed delivery change. */
static int
listcmd_delivered(struct engine *e, const struct group *g,
    const struct token_info *info, const struct parsed *p)
{
	struct buf text = BUF_INIT;
	buf_printf(&text, "Your delivery mode for this group is now \"%s\".\n"
	    "Change it again by mail (delivery MODE to %s-request@%s),\n"
	    "with the link at the foot of every digest, or in your settings:\n"
	    "%s/settings\n", deliverylink_kind_mode(info->kind), g->slug,
	    e->cfg->list_domain, e->cfg->site_url);
	int rc = listcmd_reply(e, g, info->email, NULL, "Delivery changed",
	    buf_cstr(&text), p);
	buf_free(&text);
	return rc;
}

int
listcmd_confirm(struct engine *e, const struct group *g, const char *token,
    const char *sender, const struct parsed *p, struct buf *note)
{
	struct token_info info;
	enum subscription_result r = subscription_confirm(e->db, token, "mail",
	    &info);
	switch (r) {
	case SUBSCRIPTION_ERROR:
		return -1;
	case SUBSCRIPTION_INVALID:
		buf_puts(note, "confirmation: unknown, used or expired token");
		return listcmd_reply(e, g, sender, NULL, "Confirmation failed",
		    "This confirmation is unknown, expired or already used.\n"
		    "Nothing was changed.\n", p);
	case SUBSCRIPTION_SUBSCRIBED:
		buf_printf(note, "confirmed: %s subscribed", info.email);
		return listcmd_reply(e, g, info.email, NULL, "Welcome",
		    "You are now a member of this group. Write to the group's\n"
		    "address to post; every reply lands in the same thread on the\n"
		    "web and by mail.\n", p);
	case SUBSCRIPTION_UNSUBSCRIBED:
		buf_printf(note, "confirmed: %s unsubscribed", info.email);
		return listcmd_reply(e, g, info.email, NULL, "Goodbye",
		    "You have left this group. You will receive no more mail\n"
		    "from it.\n", p);
	case SUBSCRIPTION_DELIVERY:
		buf_printf(note, "confirmed: %s delivery %s", info.email,
		    deliverylink_kind_mode(info.kind));
		return listcmd_delivered(e, g, &info, p);
	case SUBSCRIPTION_UNCHANGED:
		buf_printf(note, "confirmed: %s unchanged", info.email);
		return 0;
	}
	return 0;
}
