/*
 * Decisions on held messages (see moddecide.h).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/config.h"
#include "daemon/db.h"
#include "daemon/engine.h"
#include "daemon/json.h"
#include "daemon/log.h"
#include "daemon/moddecide.h"
#include "daemon/store_account.h"
#include "daemon/store_digestreply.h"
#include "daemon/store_group.h"
#include "daemon/store_held.h"
#include "daemon/store_inbound.h"
#include "daemon/store_mod.h"
#include "daemon/store_outbox.h"
#include "mail/compose.h"
#include "mail/delivery.h"

static const struct {
	const char		*name;
	const char		*state;	/* of the held row afterwards */
	enum modperm_action	 perm;
} moddecide_actions[MODDECIDE_NACTIONS] = {
	[MODDECIDE_APPROVE] = { "approve", "approved", MODPERM_DECIDE },
	[MODDECIDE_APPROVE_ALLOW] = { "approve-allow", "approved",
	    MODPERM_ALLOW },
	[MODDECIDE_REJECT] = { "reject", "rejected", MODPERM_DECIDE },
	[MODDECIDE_DISCARD] = { "discard", "discarded", MODPERM_DECIDE },
	[MODDECIDE_BAN] = { "ban", "discarded", MODPERM_BAN },
};

/* The notice to the author of a rejected message, per group language:
 * subject = lead + group name + ": " + subject; text = intro + group
 * name + tail, then the subject and the reason under their labels. */
static const struct {
	const char	*lang, *lead, *intro, *tail, *subj, *why, *no_reason;
} moddecide_notice[] = {
	{ "en", "Your message was not accepted by ", "Your message to the"
	    " group \"", "\" was not accepted by its moderators.",
	    "Subject: ", "Reason:  ", "(none given)" },
	{ "fr", "Votre message n'a pas été accepté par ", "Votre message au"
	    " groupe « ", " » n'a pas été accepté par ses modérateurs.",
	    "Sujet : ", "Motif : ", "(aucun)" },
	{ "ar", "لم تقبل رسالتك مجموعة ", "لم يقبل مشرفو المجموعة «",
	    "» رسالتك.", "الموضوع: ", "السبب: ", "(لم يُذكر)" },
};

int
moddecide_parse(const char *name, enum moddecide_action *out)
{
	for (int i = 0; i < MODDECIDE_NACTIONS; i++)
		if (name != NULL && strcmp(name, moddecide_actions[i].name) == 0) {
			*out = (enum moddecide_action)i;
			return 0;
		}
	return -1;
}

const char *
moddecide_name(enum moddecide_action a)
{
	return moddecide_actions[a].name;
}

enum modperm_action
moddecide_perm(enum moddecide_action a)
{
	return moddecide_actions[a].perm;
}

int
moddecide_may(struct engine *e, int64_t held_id, int64_t member_id,
    int is_admin, enum moddecide_action a)
{
	struct held h;
	int rc = store_held_get(e->db, held_id, &h);
	if (rc != 1)
		return rc;
	rc = modperm_check(e->db, member_id, is_admin, h.group_id,
	    moddecide_perm(a));
	store_held_clear(&h);
	return rc;
}

/* Queue a plain notice from the group's owner address to rcpt. */
static int
moddecide_mail(struct db *db, const char *domain, const struct group *g,
    const char *rcpt, const char *subject, const char *text)
{
	struct buf from = BUF_INIT, lid = BUF_INIT, msg = BUF_INIT;
	buf_printf(&from, "%s-owner@%s", g->slug, domain);
	buf_printf(&lid, "%s.%s", g->slug, domain);
	struct compose_system cs = { .from_name = g->name,
	    .from_addr = buf_cstr(&from), .to = rcpt, .subject = subject,
	    .text = text, .list_domain = domain,
	    .list_id = buf_cstr(&lid), .auto_submitted = 1 };
	compose_system(&msg, &cs);
	int rc = store_outbox_add_system(db, g->id, 0, rcpt, msg.data,
	    msg.len) == -1 ? -1 : 0;
	buf_free(&from);
	buf_free(&lid);
	buf_free(&msg);
	return rc;
}

int
moddecide_notify_rejected(struct db *db, const char *list_domain,
    const struct held *h, const char *reason)
{
	struct group g;
	struct account a;
	if (store_group_get_id(db, h->group_id, &g) != 1)
		return -1;
	int known = store_account_by_email(db, h->sender, &a);
	if (known == -1) {
		store_group_clear(&g);
		return -1;
	}
	const char *lang = known == 1 ? a.locale : g.language;
	size_t k = 0;
	for (size_t i = 0; i < sizeof moddecide_notice /
	    sizeof moddecide_notice[0]; i++)
		if (strcmp(lang, moddecide_notice[i].lang) == 0)
			k = i;
	struct buf subj = BUF_INIT, text = BUF_INIT;
	buf_printf(&subj, "%s%s: %s", moddecide_notice[k].lead, g.name,
	    h->subject);
	buf_printf(&text, "%s%s%s\n\n  %s%s\n  %s%s\n", moddecide_notice[k].intro,
	    g.name, moddecide_notice[k].tail, moddecide_notice[k].subj,
	    h->subject, moddecide_notice[k].why, reason && *reason ? reason :
	    moddecide_notice[k].no_reason);
	int rc = moddecide_mail(db, list_domain, &g, h->sender, buf_cstr(&subj),
	    buf_cstr(&text));
	buf_free(&subj);
	buf_free(&text);
	store_group_clear(&g);
	return rc;
}

static void
moddecide_state_json(struct buf *out, const char *state, const char *by,
    const char *note, int64_t thread)
{
	struct json j;
	json_init(&j, out);
	json_begin_object(&j);
	json_kv_string(&j, "state", state);
	if (by)
		json_kv_string(&j, "decided_by", by);
	if (note && *note)
		json_kv_string(&j, "note", note);
	if (thread > 0)
		json_kv_int(&j, "thread", thread);
	json_end_object(&j);
}

/* The follow-up of a decision just taken on h, and its audit row. */
static int
moddecide_follow(struct engine *e, const struct held *h,
    enum moddecide_action a, const char *actor, const char *reason,
    int64_t thread)
{
	struct db *db = e->db;
	int rc = 0;
	if (strcmp(moddecide_actions[a].state, "approved") == 0)
		rc = store_inbound_release(db, h->inbound_id);
	if (rc == 0 && a == MODDECIDE_APPROVE_ALLOW)
		rc = store_mod_sender_set(db, h->group_id, h->sender,
		    STORE_MOD_SENDER_ALLOW, actor);
	if (rc == 0 && a == MODDECIDE_BAN)
		rc = store_mod_sender_set(db, h->group_id, h->sender,
		    STORE_MOD_SENDER_BAN, actor);
	if (rc == 0 && a == MODDECIDE_REJECT)
		rc = moddecide_notify_rejected(db, e->cfg->list_domain, h, reason);
	if (rc != 0)
		return -1;
	struct buf before = BUF_INIT, after = BUF_INIT, action = BUF_INIT,
	    target = BUF_INIT;
	moddecide_state_json(&before, h->state, NULL, NULL, 0);
	moddecide_state_json(&after, moddecide_actions[a].state, actor, reason,
	    thread);
	buf_printf(&action, "held.%s", moddecide_actions[a].name);
	buf_printf(&target, "held %lld", (long long)h->id);
	rc = store_mod_audit(db, actor, buf_cstr(&action), h->group_id,
	    buf_cstr(&target), h->sender, buf_cstr(&before), buf_cstr(&after));
	buf_free(&before);
	buf_free(&after);
	buf_free(&action);
	buf_free(&target);
	return rc;
}

/* Decide h (inside the caller's transaction); an approval places it in
 * thread when thread > 0 (one of h's group, else MODDECIDE_NOTFOUND). */
static enum moddecide_result
moddecide_apply(struct engine *e, const struct held *h,
    enum moddecide_action a, const char *actor, const char *reason,
    int64_t thread, struct buf *decided_by)
{
	int64_t root;
	if (strcmp(moddecide_actions[a].state, "approved") != 0)
		thread = 0;
	int rc = thread > 0 ? store_digestreply_thread(e->db, h->group_id,
	    thread, &root) : 1;
	if (rc != 1)
		return rc == 0 ? MODDECIDE_NOTFOUND : MODDECIDE_ERROR;
	if (thread > 0 && store_held_place(e->db, h->id, thread) == -1)
		return MODDECIDE_ERROR;
	rc = store_held_decide(e->db, h->id, moddecide_actions[a].state,
	    actor, reason);
	if (rc == -1)
		return MODDECIDE_ERROR;
	if (rc == 0) {
		struct held now;
		if (store_held_get(e->db, h->id, &now) != 1)
			return MODDECIDE_ERROR;
		if (decided_by)
			buf_printf(decided_by, "%s (%s)", now.decided_by, now.state);
		store_held_clear(&now);
		return MODDECIDE_ALREADY;
	}
	return moddecide_follow(e, h, a, actor, reason, thread) == 0 ?
	    MODDECIDE_DONE : MODDECIDE_ERROR;
}

enum moddecide_result
moddecide_held(struct engine *e, int64_t held_id, int64_t member_id,
    int is_admin, const char *actor, enum moddecide_action a,
    const char *reason, int64_t thread, struct buf *decided_by)
{
	struct held h;
	if (db_begin(e->db) == -1)
		return MODDECIDE_ERROR;
	int rc = store_held_get(e->db, held_id, &h);
	if (rc != 1) {
		db_rollback(e->db);
		return rc == 0 ? MODDECIDE_NOTFOUND : MODDECIDE_ERROR;
	}
	enum moddecide_result res;
	rc = modperm_check(e->db, member_id, is_admin, h.group_id,
	    moddecide_perm(a));
	if (rc != 1)
		res = rc == 0 ? MODDECIDE_NOTFOUND : MODDECIDE_ERROR;
	else
		res = moddecide_apply(e, &h, a, actor, reason, thread,
		    decided_by);
	if (res == MODDECIDE_DONE && db_commit(e->db) == 0) {
		log_info("held %lld: %s by %s", (long long)held_id,
		    moddecide_actions[a].name, actor);
		delivery_kick(e->delivery);
	} else {
		db_rollback(e->db);
		if (res == MODDECIDE_DONE)
			res = MODDECIDE_ERROR;
	}
	store_held_clear(&h);
	return res;
}

/* Tell a moderator by mail that their decision came too late. */
static int
moddecide_tell_late(struct engine *e, const struct held *h, const char *rcpt,
    const char *decided_by)
{
	struct group g;
	if (store_group_get_id(e->db, h->group_id, &g) != 1)
		return -1;
	struct buf subj = BUF_INIT, text = BUF_INIT;
	buf_printf(&subj, "Already decided: %s", h->subject);
	buf_printf(&text, "The held message \"%s\" from %s (held id %lld) was"
	    " already decided by %s. Your decision was not applied.\n",
	    h->subject, h->sender, (long long)h->id, decided_by);
	int rc = moddecide_mail(e->db, e->cfg->list_domain, &g, rcpt,
	    buf_cstr(&subj), buf_cstr(&text));
	buf_free(&subj);
	buf_free(&text);
	store_group_clear(&g);
	return rc;
}

/* Check and decide for the token t of member a; thread as for
 * moddecide_token, already checked. */
static enum moddecide_result
moddecide_token_held(struct engine *e, int64_t group_id,
    const struct mod_token *t, const struct account *a, const char *reason,
    int64_t thread, struct buf *note)
{
	struct held h;
	int rc = store_held_get(e->db, t->held_id, &h);
	if (rc != 1)
		return rc == 0 ? MODDECIDE_NOTFOUND : MODDECIDE_ERROR;
	enum moddecide_action act = strcmp(t->action, "reject") == 0 ?
	    MODDECIDE_REJECT : MODDECIDE_APPROVE;
	enum moddecide_result res = MODDECIDE_NOTFOUND;
	if (h.group_id != group_id)
		buf_puts(note, "moderation token of another group; ");
	else if ((rc = modperm_check(e->db, a->id, a->is_admin, h.group_id,
	    moddecide_perm(act))) != 1)
		res = rc == 0 ? MODDECIDE_NOTFOUND : MODDECIDE_ERROR;
	else {
		struct buf by = BUF_INIT;
		res = moddecide_apply(e, &h, act, a->email, reason,
		    act == MODDECIDE_APPROVE ? thread : 0, &by);
		if (res == MODDECIDE_ALREADY && moddecide_tell_late(e, &h,
		    a->email, buf_cstr(&by)) == -1)
			res = MODDECIDE_ERROR;
		buf_printf(note, "held %lld: %s by mail", (long long)h.id,
		    moddecide_actions[act].name);
		if (act == MODDECIDE_APPROVE && thread > 0)
			buf_printf(note, " into thread %lld", (long long)thread);
		buf_printf(note, ": %s; ", res == MODDECIDE_DONE ? "done" :
		    res == MODDECIDE_ALREADY ? "already decided" : "failed");
		buf_free(&by);
	}
	store_held_clear(&h);
	return res;
}

/* Tell a moderator by mail that the thread their approval named is not
 * one of the group's (thread > 0), or that it named several or another
 * group's (thread < 0): nothing decided, the address still valid. */
static int
moddecide_tell_thread(struct engine *e, int64_t group_id, int64_t held_id,
    const char *rcpt, int64_t thread)
{
	struct group g;
	struct held h;
	if (store_group_get_id(e->db, group_id, &g) != 1)
		return -1;
	int rc = store_held_get(e->db, held_id, &h);
	if (rc != 1) {
		store_group_clear(&g);
		return rc == 0 ? 0 : -1;
	}
	struct buf subj = BUF_INIT, text = BUF_INIT;
	buf_printf(&subj, "Not decided: %s", h.subject);
	if (thread > 0)
		buf_printf(&text, "Your mail names thread %lld, which is not a"
		    " thread of the group \"%s\".", (long long)thread, g.name);
	else
		buf_printf(&text, "Your mail names several threads, or a thread"
		    " of another group than \"%s\".", g.name);
	buf_printf(&text, " The held message \"%s\" from %s (held id %lld)"
	    " was not decided.\n\nTo approve it into a thread, write again to"
	    " the same address with the web link of one thread of the group"
	    " (%s/g/%s/t/NUMBER) outside any quote; without a link it is"
	    " approved as a thread of its own. Or decide on the web:\n"
	    "  %s/mod/held/%lld\n", h.subject, h.sender, (long long)h.id,
	    e->cfg->site_url, g.slug, e->cfg->site_url, (long long)h.id);
	rc = moddecide_mail(e->db, e->cfg->list_domain, &g, rcpt,
	    buf_cstr(&subj), buf_cstr(&text));
	buf_free(&subj);
	buf_free(&text);
	store_held_clear(&h);
	store_group_clear(&g);
	return rc;
}

/* An approval naming no thread of group_id (thread < 0: several): 1 when
 * so, 0 when the thread is fine (or none is named), -1. */
static int
moddecide_thread_bad(struct engine *e, int64_t group_id, int64_t thread)
{
	int64_t root;
	if (thread == 0)
		return 0;
	if (thread < 0)
		return 1;
	int rc = store_digestreply_thread(e->db, group_id, thread, &root);
	return rc == -1 ? -1 : rc == 0;
}

enum moddecide_result
moddecide_token(struct engine *e, int64_t group_id, const char *token,
    const char *sender, const char *reason, int64_t thread,
    struct buf *note)
{
	struct mod_token t;
	struct account a;
	int rc = store_mod_token_peek(e->db, token, &t);
	if (rc == 1)
		rc = store_account_by_id(e->db, t.member_id, &a);
	if (rc != 1) {
		buf_puts(note, "moderation token unknown, used or expired; ");
		return rc == 0 ? MODDECIDE_NOTFOUND : MODDECIDE_ERROR;
	}
	int mine = strcasecmp(a.email, sender) == 0;
	if (mine && strcmp(t.action, "approve") == 0 &&
	    (rc = moddecide_thread_bad(e, group_id, thread)) != 0) {
		/* the token is kept: the moderator may write again */
		if (rc == -1 || moddecide_tell_thread(e, group_id, t.held_id,
		    a.email, thread) == -1)
			return MODDECIDE_ERROR;
		buf_printf(note, "held %lld: approval by mail names %s; not"
		    " decided; ", (long long)t.held_id, thread < 0 ?
		    "several threads or another group's" :
		    "no thread of the group");
		return MODDECIDE_NOTFOUND;
	}
	if ((rc = store_mod_token_use(e->db, token, &t)) != 1) {
		buf_puts(note, "moderation token unknown, used or expired; ");
		return rc == 0 ? MODDECIDE_NOTFOUND : MODDECIDE_ERROR;
	}
	if (!mine) {
		buf_puts(note, "moderation token used by another sender; ");
		return MODDECIDE_NOTFOUND;
	}
	return moddecide_token_held(e, group_id, &t, &a, reason, thread, note);
}

void
moddecide_reason_from_text(struct buf *out, const char *text)
{
	buf_reset(out);
	const char *p = text ? text : "";
	while (*p) {
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		const char *s = p;
		while (n > 0 && (*s == ' ' || *s == '\t')) {
			s++;
			n--;
		}
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
		    s[n - 1] == '\r'))
			n--;
		if (n > 0 && *s != '>' && s[n - 1] != ':') {
			if (n > MODDECIDE_REASON_MAX) {
				n = MODDECIDE_REASON_MAX;
				while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
					n--;
			}
			buf_append(out, s, n);
			return;
		}
		if (n > 0)	/* a quote or its header: the reply is empty */
			return;
		p = end ? end + 1 : p + strlen(p);
	}
}
