/*
 * The moderators' notice of a held message (see heldnotice.h).
 */
#include <config.h>

#include <string.h>

#include "daemon/buf.h"
#include "daemon/config.h"
#include "daemon/db.h"
#include "daemon/engine.h"
#include "daemon/heldreason.h"
#include "daemon/store_group.h"
#include "daemon/store_mod.h"
#include "daemon/store_outbox.h"
#include "mail/address.h"
#include "mail/compose.h"
#include "mail/heldnotice.h"

#define HELDNOTICE_RLM	"\xe2\x80\x8f"	/* U+200F right-to-left mark */

/* The notice's words per language. A subject is subj_held then the
 * message's subject, or subj_owner, the group's name, sep and the
 * message's subject; an intro is its lead, the group's name, its tail. */
static const struct {
	const char	*lang;
	const char	*subj_held, *subj_owner, *sep;
	const char	*held_lead, *held_tail, *owner_lead, *owner_tail;
	const char	*from, *subject, *reason, *held_id, *none;
	const char	*approve, *reject, *web, *digest, *message;
} heldnotice_words[] = {
	{ "en", "Held for moderation: ", "To the moderators of ", ": ",
	    "A message to the group \"", "\" is held for moderation.",
	    "A message was written to the moderators of the group \"", "\".",
	    "From:    ", "Subject: ", "Reason:  ", "Held id: ", "(no subject)",
	    "To approve, write to (any text):",
	    "To reject, write to (the first line of your mail is the reason"
	    " sent to the author):",
	    "Or decide on the web:",
	    "It answers a digest without naming one thread: to approve it into"
	    " the thread it belongs to, write that thread's web link in your"
	    " mail to the approve address, or decide on the web.",
	    "----- The message -----" },
	{ "fr", "Retenu pour modération : ", "Aux modérateurs de ", " : ",
	    "Un message au groupe « ", " » est retenu pour modération.",
	    "Un message a été écrit aux modérateurs du groupe « ", " ».",
	    "De :      ", "Sujet :   ", "Motif :   ", "Numéro :  ",
	    "(sans sujet)",
	    "Pour l'approuver, écrivez à (texte libre) :",
	    "Pour le refuser, écrivez à (la première ligne de votre message"
	    " est le motif envoyé à l'auteur) :",
	    "Ou décidez sur le web :",
	    "Il répond à un résumé sans désigner de fil : pour l'approuver dans"
	    " le fil auquel il appartient, écrivez le lien web de ce fil dans"
	    " votre message à l'adresse d'approbation, ou décidez sur le web.",
	    "----- Le message -----" },
	{ "ar", "رسالة محجوزة للإشراف: ", "إلى مشرفي ", ": ",
	    "رسالة إلى المجموعة «", "» محجوزة للإشراف.",
	    "وصلت رسالة إلى مشرفي المجموعة «", "».",
	    "من: ", "الموضوع: ", "السبب: ", "الرقم: ", "(بلا موضوع)",
	    "للموافقة، اكتب إلى (أي نص):",
	    "للرفض، اكتب إلى (السطر الأول من رسالتك هو السبب المرسل إلى"
	    " الكاتب):",
	    "أو قرر عبر الويب:",
	    "هذه الرسالة رد على ملخص دون تحديد موضوع: للموافقة عليها ونشرها في"
	    " الموضوع الذي تنتمي إليه، اكتب رابط ذلك الموضوع على الويب في"
	    " رسالتك إلى عنوان الموافقة، أو قرر عبر الويب.",
	    "----- الرسالة -----" },
};
#define HELDNOTICE_NLANGS \
	(sizeof heldnotice_words / sizeof heldnotice_words[0])

struct heldnotice_run {
	struct engine		*e;
	const struct group	*g;
	const struct heldnotice	*n;
	int			 rc;
};

/* Append one line of the notice: Arabic lines open with a right-to-left
 * mark so that a plain-text reader lays them out from the right. */
static void
heldnotice_line(struct buf *out, size_t k, const char *lead,
    const char *value)
{
	if (strcmp(heldnotice_words[k].lang, "ar") == 0)
		buf_puts(out, HELDNOTICE_RLM);
	buf_puts(out, lead);
	buf_puts(out, value);
	buf_putc(out, '\n');
}

/* The approve and reject addresses of the held message for moderator
 * member_id (tokens bound to both), and the panel's page. 0 or -1. */
static int
heldnotice_decide_lines(struct heldnotice_run *r, size_t k,
    int64_t member_id, struct buf *text)
{
	const char *cfgdom = r->e->cfg->list_domain;
	char ok[TOKEN_LEN + 1], no[TOKEN_LEN + 1];
	if (store_mod_token_add(r->e->db, r->n->held_id, member_id, "approve",
	    ok) == -1 || store_mod_token_add(r->e->db, r->n->held_id, member_id,
	    "reject", no) == -1)
		return -1;
	struct buf a = BUF_INIT;
	heldnotice_line(text, k, heldnotice_words[k].approve, "");
	address_list_format(&a, r->g->slug, ADDR_MODERATE, ok, cfgdom);
	heldnotice_line(text, k, "  ", buf_cstr(&a));
	heldnotice_line(text, k, heldnotice_words[k].reject, "");
	address_list_format(&a, r->g->slug, ADDR_MODERATE, no, cfgdom);
	heldnotice_line(text, k, "  ", buf_cstr(&a));
	if (strcmp(r->n->reason, HELDREASON_DIGEST_REPLY) == 0)
		heldnotice_line(text, k, heldnotice_words[k].digest, "");
	heldnotice_line(text, k, heldnotice_words[k].web, "");
	buf_reset(&a);
	buf_printf(&a, "%s/mod/held/%lld", r->e->cfg->site_url,
	    (long long)r->n->held_id);
	heldnotice_line(text, k, "  ", buf_cstr(&a));
	buf_putc(text, '\n');
	buf_free(&a);
	return 0;
}

/* The text of the notice to one moderator, in language k. */
static int
heldnotice_text(struct heldnotice_run *r, size_t k, int64_t member_id,
    struct buf *text)
{
	const struct heldnotice *n = r->n;
	struct buf who = BUF_INIT, num = BUF_INIT;
	if (strcmp(heldnotice_words[k].lang, "ar") == 0)
		buf_puts(text, HELDNOTICE_RLM);
	buf_puts(text, n->held_id ? heldnotice_words[k].held_lead :
	    heldnotice_words[k].owner_lead);
	buf_puts(text, r->g->name);
	buf_puts(text, n->held_id ? heldnotice_words[k].held_tail :
	    heldnotice_words[k].owner_tail);
	buf_puts(text, "\n\n");
	buf_printf(&who, "%s%s%s", n->from_name, n->from_name[0] ? " " : "",
	    n->sender);
	heldnotice_line(text, k, heldnotice_words[k].from, buf_cstr(&who));
	heldnotice_line(text, k, heldnotice_words[k].subject, n->subject[0] ?
	    n->subject : heldnotice_words[k].none);
	if (n->held_id) {
		heldnotice_line(text, k, heldnotice_words[k].reason,
		    heldreason_text(n->reason, heldnotice_words[k].lang));
		buf_printf(&num, "%lld", (long long)n->held_id);
		heldnotice_line(text, k, heldnotice_words[k].held_id,
		    buf_cstr(&num));
	}
	buf_putc(text, '\n');
	buf_free(&who);
	buf_free(&num);
	if (n->held_id && heldnotice_decide_lines(r, k, member_id, text) == -1)
		return -1;
	heldnotice_line(text, k, heldnotice_words[k].message, "");
	buf_puts(text, n->text);
	buf_putc(text, '\n');
	return 0;
}

static size_t
heldnotice_lang(const char *locale)
{
	for (size_t k = 0; k < HELDNOTICE_NLANGS; k++)
		if (locale != NULL && strcmp(locale, heldnotice_words[k].lang) == 0)
			return k;
	return 0;
}

static int
heldnotice_one(void *arg, const struct mod_moderator *mm)
{
	struct heldnotice_run *r = arg;
	struct engine *e = r->e;
	size_t k = heldnotice_lang(mm->locale);
	struct buf from = BUF_INIT, lid = BUF_INIT, subj = BUF_INIT,
	    text = BUF_INIT, msg = BUF_INIT;
	buf_printf(&from, "%s-owner@%s", r->g->slug, e->cfg->list_domain);
	buf_printf(&lid, "%s.%s", r->g->slug, e->cfg->list_domain);
	if (r->n->held_id)
		buf_puts(&subj, heldnotice_words[k].subj_held);
	else
		buf_printf(&subj, "%s%s%s", heldnotice_words[k].subj_owner,
		    r->g->name, heldnotice_words[k].sep);
	buf_puts(&subj, r->n->subject[0] ? r->n->subject :
	    heldnotice_words[k].none);
	int rc = heldnotice_text(r, k, mm->id, &text);
	if (rc == 0) {
		struct compose_system cs = { .from_name = r->g->name,
		    .from_addr = buf_cstr(&from), .to = mm->email,
		    .subject = buf_cstr(&subj), .text = buf_cstr(&text),
		    .list_domain = e->cfg->list_domain, .list_id = buf_cstr(&lid),
		    .auto_submitted = 1, .language = heldnotice_words[k].lang };
		compose_system(&msg, &cs);
		rc = store_outbox_add_system(e->db, r->g->id, 0, mm->email,
		    msg.data, msg.len) == -1 ? -1 : 0;
	}
	buf_free(&from);
	buf_free(&lid);
	buf_free(&subj);
	buf_free(&text);
	buf_free(&msg);
	if (rc == -1)
		r->rc = -1;
	return rc;
}

int
heldnotice_queue(struct engine *e, const struct group *g,
    const struct heldnotice *n)
{
	struct heldnotice_run r = { e, g, n, 0 };
	if (store_mod_moderators(e->db, g->id, heldnotice_one, &r) == -1)
		return -1;
	return r.rc;
}
