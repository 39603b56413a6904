/*
 * List commands (see listcmd.h). Nothing changes without confirmation; every
 * answer is one system mail marked Auto-Submitted: auto-replied.
 */
#include <config.h>

#include <string.h>
#include <strings.h>

#include "daemon/config.h"
#include "daemon/db.h"
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

static int
listcmd_ask(struct engine *e, const struct group *g, const char *kind,
    const char *sender, const char *name, const struct parsed *p)
{
	char token[TOKEN_LEN + 1];
	if (store_token_add(e->db, kind, g->id, sender, name, STORE_TOKEN_TTL,
	    token) == -1)
		return -1;
	int sub = strcmp(kind, SUBSCRIPTION_KIND_SUBSCRIBE) == 0;
	struct buf rt = BUF_INIT, text = BUF_INIT, subj = BUF_INIT;
	buf_printf(&rt, "%s-confirm+%s@%s", g->slug, token, e->cfg->list_domain);
	buf_printf(&subj, "Confirm: %s %s", sub ? "subscribe to" :
	    "unsubscribe from", g->name);
	buf_printf(&text,
	    "Hello,\n\nSomeone, probably you, asked to %s the group \"%s\"\n"
	    "with the address %s.\n\n"
	    "To confirm, open this link:\n\n  %s/c/%s\n\n"
	    "or simply reply to this message.\n\n"
	    "If you did not ask for this, ignore this message: nothing changes\n"
	    "without your confirmation. The request expires in 7 days.\n",
	    sub ? "subscribe to" : "unsubscribe from", g->name, sender,
	    e->cfg->site_url, token);
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
	    "                  unsubscribe, help\n"
	    "  %s-owner@%s     write to the moderators\n\n"
	    "On the web: %s/g/%s\n", g->name, g->slug, d, g->slug, d, g->slug,
	    d, g->slug, d, g->slug, d, e->cfg->site_url, g->slug);
	int rc = listcmd_reply(e, g, sender, NULL, buf_cstr(&subj),
	    buf_cstr(&text), p);
	buf_free(&text);
	buf_free(&subj);
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
	int member = store_membership_get(e->db, g->id, sender, &ms);
	if (member == -1)
		return -1;
	if (member == 1)
		store_membership_clear(&ms);
	switch (c) {
	case LISTCMD_SUBSCRIBE:
		if (member) {
			buf_puts(note, "subscribe: already a member");
			return listcmd_reply(e, g, sender, NULL, "Already a member",
			    "You are already a member of this group.\n", p);
		}
		buf_puts(note, "subscribe: confirmation sent");
		return listcmd_ask(e, g, SUBSCRIPTION_KIND_SUBSCRIBE, sender,
		    p->from_name, p);
	case LISTCMD_UNSUBSCRIBE:
		if (!member) {
			buf_puts(note, "unsubscribe: not a member");
			return listcmd_reply(e, g, sender, NULL, "Not a member",
			    "This address is not a member of this group.\n", p);
		}
		buf_puts(note, "unsubscribe: confirmation sent");
		return listcmd_ask(e, g, SUBSCRIPTION_KIND_UNSUBSCRIBE, sender,
		    p->from_name, p);
	case LISTCMD_HELP:
	case LISTCMD_NONE:
		buf_puts(note, c == LISTCMD_HELP ? "help sent" :
		    "no command found, help sent");
		return listcmd_help(e, g, sender, p);
	}
	return 0;
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
	case SUBSCRIPTION_UNCHANGED:
		buf_printf(note, "confirmed: %s unchanged", info.email);
		return 0;
	}
	return 0;
}
