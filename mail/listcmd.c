/*
 * List commands (see listcmd.h). Nothing changes without confirmation; every
 * answer is one system mail marked Auto-Submitted: auto-replied, in the
 * language listcmd_lang picks (English, French or Arabic).
 */
#include <config.h>

#include <string.h>
#include <strings.h>

#include "daemon/config.h"
#include "daemon/db.h"
#include "daemon/deliverylink.h"
#include "daemon/engine.h"
#include "daemon/log.h"
#include "daemon/store_account.h"
#include "daemon/store_outbox.h"
#include "daemon/store_token.h"
#include "daemon/subscription.h"
#include "mail/compose.h"
#include "mail/header.h"
#include "mail/listcmd.h"

/* The command word opening s[0..n) (blanks skipped), and its language
 * in *lang when lang is not NULL. */
static enum listcmd_command
listcmd_word_in(const char *s, size_t n, enum listcmd_lang *lang)
{
	static const struct {
		const char		*w;
		enum listcmd_command	 c;
		enum listcmd_lang	 lang;
	} words[] = {
		{ "unsubscribe", LISTCMD_UNSUBSCRIBE, LISTCMD_EN },
		{ "leave", LISTCMD_UNSUBSCRIBE, LISTCMD_EN },
		{ "signoff", LISTCMD_UNSUBSCRIBE, LISTCMD_EN },
		{ "désabonner", LISTCMD_UNSUBSCRIBE, LISTCMD_FR },
		{ "desabonner", LISTCMD_UNSUBSCRIBE, LISTCMD_FR },
		{ "إلغاء الاشتراك", LISTCMD_UNSUBSCRIBE, LISTCMD_AR },
		{ "subscribe", LISTCMD_SUBSCRIBE, LISTCMD_EN },
		{ "join", LISTCMD_SUBSCRIBE, LISTCMD_EN },
		{ "abonner", LISTCMD_SUBSCRIBE, LISTCMD_FR },
		{ "s'abonner", LISTCMD_SUBSCRIBE, LISTCMD_FR },
		{ "اشتراك", LISTCMD_SUBSCRIBE, LISTCMD_AR },
		{ "help", LISTCMD_HELP, LISTCMD_EN },
		{ "aide", LISTCMD_HELP, LISTCMD_FR },
		{ "مساعدة", LISTCMD_HELP, LISTCMD_AR },
		{ "delivery", LISTCMD_DELIVERY, LISTCMD_EN },
		{ "réception", LISTCMD_DELIVERY, LISTCMD_FR },
		{ "reception", LISTCMD_DELIVERY, LISTCMD_FR },
		{ "استلام", LISTCMD_DELIVERY, LISTCMD_AR },
	};
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		size_t wl = strlen(words[i].w);
		if (n >= wl && strncasecmp(s, words[i].w, wl) == 0 &&
		    (n == wl || s[wl] == ' ' || s[wl] == '\t' || s[wl] == '\r')) {
			if (lang != NULL)
				*lang = words[i].lang;
			return words[i].c;
		}
	}
	return LISTCMD_NONE;
}

static enum listcmd_command
listcmd_word(const char *s, size_t n)
{
	return listcmd_word_in(s, n, NULL);
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

/* The command in the subject or the first body lines, and its word's
 * language in *lang (unchanged when there is none). */
static enum listcmd_command
listcmd_find(const char *subject, const char *text, enum listcmd_lang *lang)
{
	enum listcmd_command c = listcmd_word_in(subject, strlen(subject),
	    lang);
	if (c != LISTCMD_NONE)
		return c;
	for (int line = 0; *text && line < LISTCMD_SCAN_LINES; line++) {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);
		if ((c = listcmd_word_in(text, n, lang)) != LISTCMD_NONE)
			return c;
		if (nl == NULL)
			break;
		text = nl + 1;
	}
	return LISTCMD_NONE;
}

enum listcmd_command
listcmd_parse(const char *subject, const char *text)
{
	return listcmd_find(subject, text, NULL);
}

enum listcmd_lang
listcmd_words_lang(const char *subject, const char *text)
{
	enum listcmd_lang lang = LISTCMD_EN;
	(void)listcmd_find(subject, text, &lang);
	return lang;
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

/*
 * Answers in the three languages. A text's {name} holes are filled by
 * listcmd_fill; an Arabic text gets a right-to-left mark at the start of
 * every line (a line opening with an address or a link would otherwise
 * be laid out left to right in a plain-text reader) and the group's name
 * isolated (it may be written in Latin letters). Addresses and links
 * stand on lines of their own, so no mark ever touches them.
 */
enum listcmd_text {
	LT_ASK_SUBJECT, LT_ASK_SUBSCRIBE, LT_ASK_UNSUBSCRIBE, LT_ASK_DELIVERY,
	LT_ASK_BODY, LT_HELP_SUBJECT, LT_HELP, LT_NOT_MEMBER_SUBJECT,
	LT_NOT_MEMBER, LT_ALREADY_SUBJECT, LT_ALREADY, LT_NO_MODE_SUBJECT,
	LT_NO_MODE, LT_SAME_MODE_SUBJECT, LT_SAME_MODE, LT_FAILED_SUBJECT,
	LT_FAILED, LT_WELCOME_SUBJECT, LT_WELCOME, LT_GOODBYE_SUBJECT,
	LT_GOODBYE, LT_DELIVERED_SUBJECT, LT_DELIVERED, LT_MODE_EACH,
	LT_MODE_DAILY, LT_MODE_WEEKLY, LT_MODE_NONE, LT_COUNT
};

static const char *const listcmd_texts[LT_COUNT][LISTCMD_NLANGS] = {
	[LT_ASK_SUBJECT] = { "Confirm: {what} {group}",
	    "Confirmation : {what} {group}", "تأكيد: {what} {group}" },
	[LT_ASK_SUBSCRIBE] = { "join the group", "rejoindre le groupe",
	    "الانضمام إلى المجموعة" },
	[LT_ASK_UNSUBSCRIBE] = { "leave the group", "quitter le groupe",
	    "مغادرة المجموعة" },
	[LT_ASK_DELIVERY] = { "receive as \"{mode}\" (now \"{current}\") the "
	    "group", "recevoir en mode « {mode} » (actuellement « {current} »)"
	    " le groupe", "الاستلام بطريقة «{mode}» (حاليا «{current}») في "
	    "المجموعة" },
	[LT_ASK_BODY] = {
	    "Hello,\n\nSomeone, probably you, asked to {what} \"{group}\"\n"
	    "for the address\n\n  {address}\n\nTo confirm, open this link:\n\n"
	    "  {link}\n\nor simply reply to this message.\n\n"
	    "If you did not ask for this, ignore this message: nothing changes\n"
	    "without your confirmation. The request expires in 7 days.\n",
	    "Bonjour,\n\nQuelqu'un, sans doute vous, a demandé à {what}\n"
	    "« {group} » pour l'adresse\n\n  {address}\n\n"
	    "Pour confirmer, ouvrez ce lien :\n\n  {link}\n\n"
	    "ou répondez simplement à ce message.\n\n"
	    "Si vous n'avez rien demandé, ignorez ce message : rien ne change\n"
	    "sans votre confirmation. La demande expire dans 7 jours.\n",
	    "مرحبا،\n\nطلب أحدهم، وربما أنت، {what} «{group}»\n"
	    "للعنوان\n\n  {address}\n\nللتأكيد افتح هذا الرابط:\n\n"
	    "  {link}\n\nأو رد على هذه الرسالة فحسب.\n\n"
	    "إن لم تطلب ذلك فتجاهل هذه الرسالة: لن يتغير شيء\n"
	    "دون تأكيدك. ينتهي الطلب بعد 7 أيام.\n" },
	[LT_HELP_SUBJECT] = { "Help: {group}", "Aide : {group}",
	    "مساعدة: {group}" },
	[LT_HELP] = {
	    "Addresses of the group \"{group}\":\n\n"
	    "write to every member:\n  {slug}@{domain}\n"
	    "join (you will be asked to confirm):\n  {slug}-join@{domain}\n"
	    "leave (you will be asked to confirm):\n  {slug}-leave@{domain}\n"
	    "commands in the subject (subscribe, unsubscribe, help,\n"
	    "delivery MODE):\n  {slug}-request@{domain}\n"
	    "write to the moderators:\n  {slug}-owner@{domain}\n\n"
	    "delivery MODE chooses how you receive the group (you will be\n"
	    "asked to confirm); MODE is one of:\n"
	    "  each     every post as it is written\n"
	    "  daily    a daily digest\n"
	    "  weekly   a weekly digest (also: digest)\n"
	    "  none     no mail, read on the web (also: nomail)\n"
	    "In French: réception chaque|quotidien|hebdomadaire|aucun;\n"
	    "in Arabic: استلام فوري|يومي|أسبوعي|بلا.\n\n"
	    "On the web:\n  {site}/g/{slug}\n",
	    "Adresses du groupe « {group} » :\n\n"
	    "écrire à tous les membres :\n  {slug}@{domain}\n"
	    "rejoindre (confirmation demandée) :\n  {slug}-join@{domain}\n"
	    "quitter (confirmation demandée) :\n  {slug}-leave@{domain}\n"
	    "commandes dans l'objet (abonner, désabonner, aide,\n"
	    "réception MODE) :\n  {slug}-request@{domain}\n"
	    "écrire aux modérateurs :\n  {slug}-owner@{domain}\n\n"
	    "réception MODE choisit comment vous recevez le groupe\n"
	    "(confirmation demandée) ; MODE est l'un de :\n"
	    "  chaque         chaque message dès qu'il est écrit\n"
	    "  quotidien      un résumé par jour\n"
	    "  hebdomadaire   un résumé par semaine\n"
	    "  aucun          pas de courriel, lecture sur le web\n"
	    "En anglais : delivery each|daily|weekly|none ;\n"
	    "en arabe : استلام فوري|يومي|أسبوعي|بلا.\n\n"
	    "Sur le web :\n  {site}/g/{slug}\n",
	    "عناوين المجموعة «{group}»:\n\n"
	    "الكتابة إلى جميع الأعضاء:\n  {slug}@{domain}\n"
	    "الانضمام (سيطلب منك التأكيد):\n  {slug}-join@{domain}\n"
	    "المغادرة (سيطلب منك التأكيد):\n  {slug}-leave@{domain}\n"
	    "الأوامر في الموضوع (اشتراك، إلغاء الاشتراك، مساعدة،\n"
	    "استلام الطريقة):\n  {slug}-request@{domain}\n"
	    "الكتابة إلى المشرفين:\n  {slug}-owner@{domain}\n\n"
	    "يحدد «استلام الطريقة» كيف تصلك رسائل المجموعة (سيطلب منك\n"
	    "التأكيد)، والطريقة إحدى:\n"
	    "  فوري     كل رسالة حين تكتب\n"
	    "  يومي     ملخص يومي\n"
	    "  أسبوعي   ملخص أسبوعي\n"
	    "  بلا      لا بريد، القراءة على الموقع\n"
	    "بالفرنسية: réception chaque|quotidien|hebdomadaire|aucun\n"
	    "بالإنجليزية: delivery each|daily|weekly|none\n\n"
	    "على الموقع:\n  {site}/g/{slug}\n" },
	[LT_NOT_MEMBER_SUBJECT] = { "Not a member: {group}",
	    "Pas membre : {group}", "لست عضوا: {group}" },
	[LT_NOT_MEMBER] = { "This address is not a member of the group "
	    "\"{group}\".\n", "Cette adresse n'est pas membre du groupe "
	    "« {group} ».\n", "هذا العنوان ليس عضوا في المجموعة «{group}».\n" },
	[LT_ALREADY_SUBJECT] = { "Already a member: {group}",
	    "Déjà membre : {group}", "عضو من قبل: {group}" },
	[LT_ALREADY] = { "You are already a member of the group \"{group}\".\n",
	    "Vous êtes déjà membre du groupe « {group} ».\n",
	    "أنت عضو في المجموعة «{group}» من قبل.\n" },
	[LT_NO_MODE_SUBJECT] = { "Delivery not changed: {group}",
	    "Réception non modifiée : {group}", "لم تتغير طريقة الاستلام: {group}" },
	[LT_NO_MODE] = { "Name the mode after the command: delivery each, "
	    "delivery\ndaily, delivery weekly or delivery none.\nNothing was "
	    "changed.\n", "Indiquez le mode après la commande : réception "
	    "chaque,\nréception quotidien, réception hebdomadaire ou réception"
	    " aucun.\nRien n'a été modifié.\n", "اذكر الطريقة بعد الأمر: استلام "
	    "فوري، استلام يومي،\nاستلام أسبوعي أو استلام بلا.\nلم يتغير شيء.\n" },
	[LT_SAME_MODE_SUBJECT] = { "Delivery unchanged: {group}",
	    "Réception inchangée : {group}", "طريقة الاستلام كما هي: {group}" },
	[LT_SAME_MODE] = { "Your delivery mode is already \"{mode}\".\nNothing "
	    "was changed.\n", "Votre mode de réception est déjà « {mode} ».\n"
	    "Rien n'a été modifié.\n", "طريقة استلامك هي «{mode}» من قبل.\n"
	    "لم يتغير شيء.\n" },
	[LT_FAILED_SUBJECT] = { "Confirmation failed: {group}",
	    "Échec de la confirmation : {group}", "تعذر التأكيد: {group}" },
	[LT_FAILED] = { "This confirmation is unknown, expired or already used."
	    "\nNothing was changed.\n", "Cette confirmation est inconnue, "
	    "expirée ou déjà utilisée.\nRien n'a été modifié.\n",
	    "هذا التأكيد غير معروف أو منتهي الصلاحية أو مستعمل من قبل.\n"
	    "لم يتغير شيء.\n" },
	[LT_WELCOME_SUBJECT] = { "Welcome: {group}", "Bienvenue : {group}",
	    "مرحبا بك: {group}" },
	[LT_WELCOME] = { "You are now a member of the group \"{group}\". Write "
	    "to\n\n  {slug}@{domain}\n\nto post; every reply lands in the same "
	    "thread on the web and by\nmail.\n", "Vous êtes maintenant membre "
	    "du groupe « {group} ». Écrivez à\n\n  {slug}@{domain}\n\npour "
	    "publier ; chaque réponse rejoint le même fil sur le web et par\n"
	    "courriel.\n", "أصبحت عضوا في المجموعة «{group}». اكتب إلى\n\n"
	    "  {slug}@{domain}\n\nللنشر، وكل رد ينضم إلى النقاش نفسه على الموقع"
	    " وفي البريد.\n" },
	[LT_GOODBYE_SUBJECT] = { "Goodbye: {group}", "Au revoir : {group}",
	    "إلى اللقاء: {group}" },
	[LT_GOODBYE] = { "You have left the group \"{group}\". You will receive "
	    "no more mail\nfrom it.\n", "Vous avez quitté le groupe « {group} »."
	    " Vous n'en recevrez\nplus de courriel.\n", "غادرت المجموعة "
	    "«{group}». لن تصلك منها رسائل بعد الآن.\n" },
	[LT_DELIVERED_SUBJECT] = { "Delivery changed: {group}",
	    "Réception modifiée : {group}", "تغيرت طريقة الاستلام: {group}" },
	[LT_DELIVERED] = { "Your delivery mode for the group \"{group}\" is now "
	    "\"{mode}\".\nChange it again by mail (delivery MODE to\n\n"
	    "  {slug}-request@{domain}\n\n), with the link at the foot of every "
	    "digest, or in your settings:\n\n  {site}/settings\n",
	    "Votre mode de réception du groupe « {group} » est maintenant\n"
	    "« {mode} ». Changez-le à nouveau par courriel (réception MODE à\n\n"
	    "  {slug}-request@{domain}\n\n), avec le lien au pied de chaque "
	    "résumé, ou dans vos réglages :\n\n  {site}/settings\n",
	    "طريقة استلامك للمجموعة «{group}» الآن «{mode}».\n"
	    "غيرها مرة أخرى بالبريد (استلام الطريقة إلى\n\n"
	    "  {slug}-request@{domain}\n\n)، أو بالرابط في أسفل كل ملخص، أو في "
	    "إعداداتك:\n\n  {site}/settings\n" },
	[LT_MODE_EACH] = { "each", "chaque", "فوري" },
	[LT_MODE_DAILY] = { "daily", "quotidien", "يومي" },
	[LT_MODE_WEEKLY] = { "weekly", "hebdomadaire", "أسبوعي" },
	[LT_MODE_NONE] = { "none", "aucun", "بلا" },
};

static const char *const listcmd_lang_codes[LISTCMD_NLANGS] = { "en", "fr",
	"ar" };

#define LISTCMD_RLM	"\xe2\x80\x8f"	/* U+200F right-to-left mark */
#define LISTCMD_FSI	"\xe2\x81\xa8"	/* U+2068 first strong isolate */
#define LISTCMD_PDI	"\xe2\x81\xa9"	/* U+2069 pop directional isolate */

/* The values of the holes of one answer; NULL: the hole stays empty. */
struct listcmd_vars {
	const struct engine	*e;
	const struct group	*g;
	enum listcmd_lang	 lang;
	const char		*address, *link, *what, *mode, *current;
};

/* The word of a mode ("each", ...) in lang; the mode itself if unknown. */
static const char *
listcmd_mode_label(enum listcmd_lang lang, const char *mode)
{
	static const struct { const char *mode; enum listcmd_text t; } m[] = {
		{ "each", LT_MODE_EACH }, { "daily", LT_MODE_DAILY },
		{ "weekly", LT_MODE_WEEKLY }, { "none", LT_MODE_NONE },
	};
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
		if (mode != NULL && strcmp(mode, m[i].mode) == 0)
			return listcmd_texts[m[i].t][lang];
	return mode;
}

/* Append the value of hole name[0..n); the group's name isolated when
 * isolate is set. */
static void
listcmd_hole(struct buf *out, const char *name, size_t n,
    const struct listcmd_vars *v, int isolate)
{
	const char *val = NULL;
#define HOLE(s)	(n == sizeof(s) - 1 && memcmp(name, s, n) == 0)
	if (HOLE("group"))
		val = v->g->name;
	else {
		isolate = 0;
		if (HOLE("slug"))
			val = v->g->slug;
		else if (HOLE("domain"))
			val = v->e->cfg->list_domain;
		else if (HOLE("site"))
			val = v->e->cfg->site_url;
		else if (HOLE("address"))
			val = v->address;
		else if (HOLE("link"))
			val = v->link;
		else if (HOLE("what"))
			val = v->what;
		else if (HOLE("mode"))
			val = listcmd_mode_label(v->lang, v->mode);
		else if (HOLE("current"))
			val = listcmd_mode_label(v->lang, v->current);
	}
#undef HOLE
	if (val == NULL)
		return;
	if (isolate)
		buf_puts(out, LISTCMD_FSI);
	buf_puts(out, val);
	if (isolate)
		buf_puts(out, LISTCMD_PDI);
}

/* Append text t of v->lang with its holes filled; lines of an Arabic
 * body (body set) each open with a right-to-left mark, and the group's
 * name is isolated in it (not in a subject: a one-line field, where some
 * readers would show the isolates as boxes). */
static void
listcmd_fill(struct buf *out, enum listcmd_text t,
    const struct listcmd_vars *v, int body)
{
	const char *s = listcmd_texts[t][v->lang];
	int rlm = body && v->lang == LISTCMD_AR, line_start = 1;
	while (*s) {
		if (rlm && line_start && *s != '\n')
			buf_puts(out, LISTCMD_RLM);
		line_start = 0;
		const char *close;
		if (*s == '{' && (close = strchr(s, '}')) != NULL) {
			listcmd_hole(out, s + 1, (size_t)(close - s - 1), v, rlm);
			s = close + 1;
			continue;
		}
		line_start = *s == '\n';
		buf_putc(out, *s++);
	}
}

static int
listcmd_reply(const struct listcmd_vars *v, const char *to,
    const char *reply_to, enum listcmd_text subject, enum listcmd_text text,
    const struct parsed *p)
{
	struct engine *e = (struct engine *)v->e;
	const struct group *g = v->g;
	struct buf from = BUF_INIT, lid = BUF_INIT, msg = BUF_INIT,
	    subj = BUF_INIT, body = BUF_INIT;
	buf_printf(&from, "%s-request@%s", g->slug, e->cfg->list_domain);
	buf_printf(&lid, "%s.%s", g->slug, e->cfg->list_domain);
	listcmd_fill(&subj, subject, v, 0);
	listcmd_fill(&body, text, v, 1);
	struct compose_system cs = { .from_name = g->name,
	    .from_addr = buf_cstr(&from), .to = to, .reply_to = reply_to,
	    .subject = buf_cstr(&subj), .text = buf_cstr(&body),
	    .list_domain = e->cfg->list_domain, .list_id = buf_cstr(&lid),
	    .auto_submitted = 1, .language = listcmd_lang_codes[v->lang],
	    .in_reply_to = p && p->message_id[0] ? p->message_id : NULL };
	compose_system(&msg, &cs);
	int rc = store_outbox_add_system(e->db, g->id, 0, to, msg.data,
	    msg.len) == -1 ? -1 : 0;
	buf_free(&from);
	buf_free(&lid);
	buf_free(&msg);
	buf_free(&subj);
	buf_free(&body);
	return rc;
}

/* Ask sender to confirm the change of kind; what (LT_ASK_SUBSCRIBE, ...)
 * says which, with mode and current for a delivery change. */
static int
listcmd_ask(struct listcmd_vars *v, const char *kind, enum listcmd_text what,
    const char *sender, const char *name, const struct parsed *p)
{
	struct engine *e = (struct engine *)v->e;
	char token[TOKEN_LEN + 1];
	if (store_token_add(e->db, kind, v->g->id, sender, name,
	    STORE_TOKEN_TTL, token) == -1)
		return -1;
	struct buf rt = BUF_INIT, link = BUF_INIT, w = BUF_INIT;
	buf_printf(&rt, "%s-confirm+%s@%s", v->g->slug, token,
	    e->cfg->list_domain);
	buf_printf(&link, "%s/c/%s", e->cfg->site_url, token);
	listcmd_fill(&w, what, v, 0);
	v->address = sender;
	v->link = buf_cstr(&link);
	v->what = buf_cstr(&w);
	int rc = listcmd_reply(v, sender, buf_cstr(&rt), LT_ASK_SUBJECT,
	    LT_ASK_BODY, p);
	v->what = v->link = NULL;
	buf_free(&rt);
	buf_free(&link);
	buf_free(&w);
	return rc;
}

/* "delivery MODE" from sender, whose mode is current (NULL: not a
 * member): a confirmation, or an answer saying why nothing changes. */
static int
listcmd_delivery(struct listcmd_vars *v, const char *current,
    const char *sender, const struct parsed *p, struct buf *note)
{
	const char *mode = listcmd_delivery_mode(p->subject, p->text);
	if (current == NULL) {
		buf_puts(note, "delivery: not a member");
		return listcmd_reply(v, sender, NULL, LT_NOT_MEMBER_SUBJECT,
		    LT_NOT_MEMBER, p);
	}
	if (mode == NULL) {
		buf_puts(note, "delivery: no mode named");
		return listcmd_reply(v, sender, NULL, LT_NO_MODE_SUBJECT,
		    LT_NO_MODE, p);
	}
	v->mode = mode;
	v->current = current;
	if (strcmp(mode, current) == 0) {
		buf_printf(note, "delivery: already %s", mode);
		return listcmd_reply(v, sender, NULL, LT_SAME_MODE_SUBJECT,
		    LT_SAME_MODE, p);
	}
	buf_printf(note, "delivery %s: confirmation sent", mode);
	struct buf kind = BUF_INIT;
	buf_printf(&kind, "%s%s", DELIVERYLINK_KIND_PREFIX, mode);
	int rc = listcmd_ask(v, buf_cstr(&kind), LT_ASK_DELIVERY, sender,
	    p->from_name, p);
	buf_free(&kind);
	return rc;
}

/* The language of a header value (Content-Language, Accept-Language):
 * its first tag whose primary subtag is ar, fr or en; -1 for none. */
static int
listcmd_lang_tags(const char *v)
{
	while (*v) {
		v += strspn(v, " \t,");
		size_t n = strcspn(v, ",;- \t");
		for (int l = 0; l < LISTCMD_NLANGS; l++)
			if (n == 2 && strncasecmp(v, listcmd_lang_codes[l], 2) == 0)
				return l;
		v += strcspn(v, ",");
	}
	return -1;
}

enum listcmd_lang
listcmd_lang(struct db *db, const char *sender, const char *header,
    const char *subject, const char *text, const char *group_lang)
{
	struct account a;
	int l;
	if (store_account_by_email(db, sender, &a) == 1 && a.has_password)
		for (l = 0; l < LISTCMD_NLANGS; l++)
			if (strcmp(a.locale, listcmd_lang_codes[l]) == 0)
				return (enum listcmd_lang)l;
	if (header != NULL && (l = listcmd_lang_tags(header)) != -1)
		return (enum listcmd_lang)l;
	enum listcmd_lang words = listcmd_words_lang(subject, text);
	if (words != LISTCMD_EN)
		return words;
	for (l = 0; l < LISTCMD_NLANGS; l++)
		if (strcmp(group_lang, listcmd_lang_codes[l]) == 0)
			return (enum listcmd_lang)l;
	return LISTCMD_EN;
}

enum listcmd_lang
listcmd_lang_message(struct db *db, const char *sender, const struct buf *raw,
    const char *subject, const char *text, const char *group_lang)
{
	struct buf h = BUF_INIT;
	const char *hint = NULL;
	if (raw != NULL && (header_get(raw->data, raw->len, "Content-Language",
	    &h) || header_get(raw->data, raw->len, "Accept-Language", &h))) {
		if (h.len > LISTCMD_LANG_HEADER_MAX)
			buf_truncate(&h, LISTCMD_LANG_HEADER_MAX);
		hint = buf_cstr(&h);
	}
	enum listcmd_lang l = listcmd_lang(db, sender, hint, subject, text,
	    group_lang);
	buf_free(&h);
	return l;
}

const char *
listcmd_lang_code(enum listcmd_lang l)
{
	return listcmd_lang_codes[l];
}

/* The language for an answer to the message of sender: its account's,
 * the message's Content-Language or Accept-Language, its French or Arabic
 * command word, or the group's. */
static void
listcmd_vars_init(struct listcmd_vars *v, struct engine *e,
    const struct group *g, const char *sender, const struct parsed *p,
    const struct buf *raw)
{
	memset(v, 0, sizeof *v);
	v->e = e;
	v->g = g;
	v->lang = listcmd_lang_message(e->db, sender, raw, p->subject, p->text,
	    g->language);
}

static int
listcmd_help(const struct listcmd_vars *v, const char *sender,
    const struct parsed *p)
{
	return listcmd_reply(v, sender, NULL, LT_HELP_SUBJECT, LT_HELP, p);
}

int
listcmd_handle(struct engine *e, const struct group *g, enum address_kind kind,
    const char *sender, const struct parsed *p, const struct buf *raw,
    struct buf *note)
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
	struct listcmd_vars v;
	listcmd_vars_init(&v, e, g, sender, p, raw);
	buf_printf(note, "[%s] ", listcmd_lang_codes[v.lang]);
	switch (c) {
	case LISTCMD_SUBSCRIBE:
		if (member) {
			buf_puts(note, "subscribe: already a member");
			return listcmd_reply(&v, sender, NULL, LT_ALREADY_SUBJECT,
			    LT_ALREADY, p);
		}
		buf_puts(note, "subscribe: confirmation sent");
		return listcmd_ask(&v, SUBSCRIPTION_KIND_SUBSCRIBE,
		    LT_ASK_SUBSCRIBE, sender, p->from_name, p);
	case LISTCMD_UNSUBSCRIBE:
		if (!member) {
			buf_puts(note, "unsubscribe: not a member");
			return listcmd_reply(&v, sender, NULL,
			    LT_NOT_MEMBER_SUBJECT, LT_NOT_MEMBER, p);
		}
		buf_puts(note, "unsubscribe: confirmation sent");
		return listcmd_ask(&v, SUBSCRIPTION_KIND_UNSUBSCRIBE,
		    LT_ASK_UNSUBSCRIBE, sender, p->from_name, p);
	case LISTCMD_DELIVERY:
		return listcmd_delivery(&v, member ? current : NULL, sender, p,
		    note);
	case LISTCMD_HELP:
	case LISTCMD_NONE:
		buf_puts(note, c == LISTCMD_HELP ? "help sent" :
		    "no command found, help sent");
		return listcmd_help(&v, sender, p);
	}
	return 0;
}

int
listcmd_confirm(struct engine *e, const struct group *g, const char *token,
    const char *sender, const struct parsed *p, const struct buf *raw,
    struct buf *note)
{
	struct token_info info;
	enum subscription_result r = subscription_confirm(e->db, token, "mail",
	    &info);
	struct listcmd_vars v;
	if (r == SUBSCRIPTION_ERROR)
		return -1;
	/* the confirmed address's language; the sender's for a bad token */
	listcmd_vars_init(&v, e, g, r == SUBSCRIPTION_INVALID ? sender :
	    info.email, p, raw);
	switch (r) {
	case SUBSCRIPTION_ERROR:
		return -1;
	case SUBSCRIPTION_INVALID:
		buf_puts(note, "confirmation: unknown, used or expired token");
		return listcmd_reply(&v, sender, NULL, LT_FAILED_SUBJECT,
		    LT_FAILED, p);
	case SUBSCRIPTION_SUBSCRIBED:
		buf_printf(note, "confirmed: %s subscribed", info.email);
		return listcmd_reply(&v, info.email, NULL, LT_WELCOME_SUBJECT,
		    LT_WELCOME, p);
	case SUBSCRIPTION_UNSUBSCRIBED:
		buf_printf(note, "confirmed: %s unsubscribed", info.email);
		return listcmd_reply(&v, info.email, NULL, LT_GOODBYE_SUBJECT,
		    LT_GOODBYE, p);
	case SUBSCRIPTION_DELIVERY:
		v.mode = deliverylink_kind_mode(info.kind);
		buf_printf(note, "confirmed: %s delivery %s", info.email, v.mode);
		return listcmd_reply(&v, info.email, NULL, LT_DELIVERED_SUBJECT,
		    LT_DELIVERED, p);
	case SUBSCRIPTION_UNCHANGED:
		buf_printf(note, "confirmed: %s unchanged", info.email);
		return 0;
	}
	return 0;
}
