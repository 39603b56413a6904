/*
 * Membership notices (see modnotice.h): one table of texts per language,
 * the message built by mail/compose.c and queued in the outbox; the one
 * way a group's owner address writes to one person.
 */
#include <config.h>

#include <string.h>

#include "daemon/buf.h"
#include "daemon/db.h"
#include "daemon/modnotice.h"
#include "daemon/store_account.h"
#include "daemon/store_group.h"
#include "daemon/store_outbox.h"
#include "daemon/store_policy.h"
#include "mail/compose.h"

struct modnotice_text {
	const char	*lang;
	const char	*subject;	/* followed by the group's name */
	const char	*what[4];	/* by kind, followed by the name */
	const char	*role, *delivery, *footer;
};

static const struct modnotice_text modnotice_texts[] = {
	{ "en", "Your membership of ", { "You were added to the group ",
	    "You were removed from the group ",
	    "Your membership was changed in the group ",
	    "Your bounce state was reset, mail to you resumes, in the group " },
	    "Role: ", "Delivery: ",
	    "This notice was sent by the group's owners." },
	{ "fr", "Votre inscription à ", { "Vous avez été ajouté au groupe ",
	    "Vous avez été retiré du groupe ",
	    "Votre inscription a été modifiée dans le groupe ",
	    "Vos rebonds ont été remis à zéro, les envois reprennent, dans le "
	    "groupe " },
	    "Rôle : ", "Remise : ",
	    "Cet avis vous est envoyé par les propriétaires du groupe." },
	{ "ar", "عضويتك في ", { "أضيفت إلى المجموعة ", "أزلت من المجموعة ",
	    "تغيرت عضويتك في المجموعة ",
	    "أعيدت حالة الارتداد إلى الصفر واستؤنف الإرسال إليك في المجموعة " },
	    "الدور: ", "طريقة الاستلام: ",
	    "أرسل هذا الإشعار مالكو المجموعة." },
};

/* The texts in the member's language when they chose one (a web account),
 * else in the group's. */
static const struct modnotice_text *
modnotice_lang(struct db *db, const char *email, const char *dflt)
{
	struct account a;
	const char *lang = dflt;
	int known = store_account_by_email(db, email, &a);
	if (known == 1 && a.has_password)	/* chosen on the web */
		lang = a.locale;
	const struct modnotice_text *t = &modnotice_texts[0];
	for (size_t i = 0; i < sizeof modnotice_texts / sizeof modnotice_texts[0];
	    i++)
		if (strcmp(lang, modnotice_texts[i].lang) == 0)
			t = &modnotice_texts[i];
	return t;
}

int
modnotice_owner_mail(struct db *db, const struct group *g,
    const char *list_domain, const char *email, const char *subject,
    const char *text, const char *lang)
{
	struct buf from = BUF_INIT, lid = BUF_INIT, msg = BUF_INIT;
	buf_printf(&from, "%s-owner@%s", g->slug, list_domain);
	buf_printf(&lid, "%s.%s", g->slug, list_domain);
	struct compose_system cs = { .from_name = g->name,
	    .from_addr = buf_cstr(&from), .to = email, .subject = subject,
	    .text = text, .list_domain = list_domain, .list_id = buf_cstr(&lid),
	    .auto_submitted = 1, .language = lang };
	compose_system(&msg, &cs);
	int rc = store_outbox_add_system(db, g->id, 0, email, msg.data,
	    msg.len) == -1 ? -1 : 0;
	buf_free(&from);
	buf_free(&lid);
	buf_free(&msg);
	return rc;
}

int
modnotice_member(struct db *db, const char *list_domain, const struct group *g,
    const char *email, enum modnotice_kind kind, const char *role,
    const char *delivery)
{
	struct group_policy pol;
	int rc = store_policy_get(db, g->id, &pol);
	if (rc != 1)
		return -1;	/* g is a group: it has a policy */
	int on = pol.member_notices;
	store_policy_clear(&pol);
	if (!on)
		return 0;
	const struct modnotice_text *t = modnotice_lang(db, email, g->language);
	struct buf subj = BUF_INIT, text = BUF_INIT;
	buf_printf(&subj, "%s%s", t->subject, g->name);
	buf_printf(&text, "%s%s.\n", t->what[kind], g->name);
	if (kind != MODNOTICE_REMOVED)
		buf_printf(&text, "\n  %s%s\n  %s%s\n", t->role, role, t->delivery,
		    delivery);
	buf_printf(&text, "\n%s\n", t->footer);
	rc = modnotice_owner_mail(db, g, list_domain, email, buf_cstr(&subj),
	    buf_cstr(&text), NULL);
	buf_free(&subj);
	buf_free(&text);
	return rc;
}
