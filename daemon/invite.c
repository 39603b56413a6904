/*
 * Invitations by mail (see invite.h): the address list, the mail in three
 * languages, and what accepting does.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/account.h"
#include "daemon/db.h"
#include "daemon/invite.h"
#include "daemon/log.h"
#include "daemon/modnotice.h"
#include "daemon/store_account.h"
#include "daemon/store_group.h"
#include "daemon/store_mod.h"
#include "daemon/xalloc.h"

#define INVITE_SEPARATORS	" \t\r\n,;"

void
invite_list_free(struct invite_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->addr[i]);
	l->n = 0;
}

/* 1 when addr is in l already (in any case). */
static int
invite_listed(const struct invite_list *l, const char *addr)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcasecmp(l->addr[i], addr) == 0)
			return 1;
	return 0;
}

enum invite_parse_result
invite_parse(const char *text, struct invite_list *out, struct buf *bad)
{
	out->n = 0;
	if (text == NULL || strnlen(text, INVITE_TEXT_MAX + 1) > INVITE_TEXT_MAX)
		return text == NULL ? INVITE_PARSE_EMPTY : INVITE_PARSE_TOO_LONG;
	struct buf one = BUF_INIT;
	enum invite_parse_result rc = INVITE_PARSE_OK;
	for (const char *p = text; rc == INVITE_PARSE_OK && *p; ) {
		p += strspn(p, INVITE_SEPARATORS);
		size_t len = strcspn(p, INVITE_SEPARATORS);
		if (len == 0)
			break;
		buf_reset(&one);
		buf_append(&one, p, len);
		p += len;
		if (!account_email_valid(buf_cstr(&one))) {
			buf_reset(bad);
			buf_puts(bad, buf_cstr(&one));
			rc = INVITE_PARSE_BAD;
		} else if (invite_listed(out, buf_cstr(&one)))
			continue;
		else if (out->n == INVITE_BATCH_MAX)
			rc = INVITE_PARSE_TOO_MANY;
		else
			out->addr[out->n++] = xstrdup(buf_cstr(&one));
	}
	buf_free(&one);
	if (rc == INVITE_PARSE_OK && out->n == 0)
		rc = INVITE_PARSE_EMPTY;
	if (rc != INVITE_PARSE_OK)
		invite_list_free(out);
	return rc;
}

struct invite_text {
	const char	*lang;
	const char	*subject;	/* followed by the group's name */
	const char	*intro;		/* followed by the name and the address */
	const char	*how;		/* then the link */
	const char	*after;
};

static const struct invite_text invite_texts[] = {
	{ "en", "Invitation to the group ",
	    "The owners of a working group invite you to join it: ",
	    "To join, open this link and press the button on its page:",
	    "The link works once and for 7 days. If you do not want to join,"
	    " ignore this message: nothing will change." },
	{ "fr", "Invitation au groupe ",
	    "Les responsables d'un groupe de travail vous invitent à le"
	    " rejoindre : ",
	    "Pour le rejoindre, ouvrez ce lien et appuyez sur le bouton de sa"
	    " page :",
	    "Le lien sert une fois, pendant 7 jours. Si vous ne souhaitez pas"
	    " le rejoindre, ignorez ce message : rien ne changera." },
	{ "ar", "دعوة إلى المجموعة ",
	    "يدعوك مالكو مجموعة عمل إلى الانضمام إليها: ",
	    "للانضمام، افتح هذا الرابط واضغط على الزر في صفحته:",
	    "يعمل الرابط مرة واحدة ولمدة 7 أيام. إن لم ترغب في الانضمام فتجاهل"
	    " هذه الرسالة: لن يتغير شيء." },
};
_Static_assert(INVITE_TTL == 7 * 24 * 3600, "the texts say 7 days");
_Static_assert(INVITE_RESEND_MIN == 60, "web/i18n_modinvite.def says a"
    " minute");

/* The texts in the account's language when it chose one on the web, else
 * in the group's. */
static const struct invite_text *
invite_lang(struct db *db, const char *email, const char *dflt)
{
	struct account a;
	const char *lang = dflt;
	if (store_account_by_email(db, email, &a) == 1 && a.has_password)
		lang = a.locale;
	const struct invite_text *t = &invite_texts[0];
	for (size_t i = 0; i < sizeof invite_texts / sizeof invite_texts[0]; i++)
		if (strcmp(lang, invite_texts[i].lang) == 0)
			t = &invite_texts[i];
	return t;
}

/* Queue the invitation mail of token to email: 0 or -1. */
static int
invite_mail(struct db *db, const char *list_domain, const char *site_url,
    const struct group *g, const char *email, const char *token)
{
	const struct invite_text *t = invite_lang(db, email, g->language);
	struct buf subj = BUF_INIT, text = BUF_INIT;
	buf_printf(&subj, "%s%s", t->subject, g->name);
	buf_printf(&text, "%s%s <%s@%s>\n\n", t->intro, g->name, g->slug,
	    list_domain);
	if (g->description && *g->description)
		buf_printf(&text, "%s\n\n", g->description);
	buf_printf(&text, "%s\n\n  %s/invite/%s\n\n%s\n", t->how, site_url,
	    token, t->after);
	int rc = modnotice_owner_mail(db, g, list_domain, email,
	    buf_cstr(&subj), buf_cstr(&text), NULL);
	buf_free(&subj);
	buf_free(&text);
	return rc;
}

enum invite_send_result
invite_send(struct db *db, const char *list_domain, const char *site_url,
    const struct group *g, const char *email, const char *inviter)
{
	struct membership ms;
	if (g->archived)
		return INVITE_ARCHIVED;
	int rc = store_membership_get(db, g->id, email, &ms);
	if (rc == 1) {
		store_membership_clear(&ms);
		return INVITE_IS_MEMBER;
	}
	char token[TOKEN_LEN + 1];
	int64_t created = 0;
	if (rc == 0 && (rc = store_invite_created(db, g->id, email,
	    &created)) == 1 && db_now() - created < INVITE_RESEND_MIN)
		return INVITE_RECENT;
	if (rc == -1 || store_invite_put(db, g->id, email, inviter, INVITE_TTL,
	    token) == -1 || invite_mail(db, list_domain, site_url, g, email,
	    token) == -1 || store_mod_audit(db, inviter, "member.invite", g->id,
	    email, "", NULL, NULL) == -1)
		return INVITE_FAILED;
	return INVITE_SENT;
}

int
invite_revoke(struct db *db, const struct group *g, const char *email,
    const char *actor)
{
	int rc = store_invite_revoke(db, g->id, email);
	if (rc == 1 && store_mod_audit(db, actor, "member.invite-revoke", g->id,
	    email, "", NULL, NULL) == -1)
		rc = -1;
	return rc;
}

/* Make info's address a member of its group: 1, 0 it was one, 2 the
 * group is archived, -1. */
static int
invite_join(struct db *db, const char *list_domain, const struct invite *info)
{
	struct group g;
	struct buf err = BUF_INIT;
	int rc = store_group_get_id(db, info->group_id, &g);
	if (rc != 1)
		return -1;	/* the invitation goes with its group */
	if (g.archived) {
		store_group_clear(&g);
		return 2;
	}
	int64_t id = store_member_ensure(db, info->email, "");
	rc = id == -1 ? -1 : store_membership_add(db, g.id, id, "member", "each",
	    &err);
	if (rc == 1 && (store_mod_audit(db, info->email, "member.invite-accept",
	    g.id, info->email, info->invited_by, "{}",
	    "{\"role\":\"member\",\"delivery\":\"each\"}") == -1 ||
	    modnotice_member(db, list_domain, &g, info->email, MODNOTICE_ADDED,
	    "member", "each") == -1))
		rc = -1;
	if (rc == -1)
		log_warnx("invite: %s cannot join %s: %s", info->email, g.slug,
		    buf_cstr(&err));
	store_group_clear(&g);
	buf_free(&err);
	return rc;
}

enum invite_accept_result
invite_accept(struct db *db, const char *list_domain, const char *token,
    struct invite *info)
{
	int rc = store_invite_take(db, token, info);
	if (rc != 1)
		return rc == 0 ? INVITE_INVALID : INVITE_ERROR;
	rc = invite_join(db, list_domain, info);
	return rc == 1 ? INVITE_JOINED : rc == 0 ? INVITE_ALREADY : rc == 2 ?
	    INVITE_CLOSED : INVITE_ERROR;
}
