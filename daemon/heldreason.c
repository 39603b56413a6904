/*
 * Why a message is held, in the moderators' languages (see heldreason.h).
 */
#include <config.h>

#include <stddef.h>
#include <string.h>

#include "daemon/heldreason.h"

static const struct {
	const char	*reason, *fr, *ar;
} heldreason_words[] = {
	{ HELDREASON_NON_MEMBER, "expéditeur non membre", "المرسل ليس عضوًا" },
	{ HELDREASON_MODERATED, "membre modéré", "عضو خاضع للإشراف" },
	{ HELDREASON_ANNOUNCE, "groupe d'annonces seulement",
	    "مجموعة للإعلانات فقط" },
	{ HELDREASON_TOO_LARGE, "message trop volumineux", "الرسالة كبيرة جدًا" },
	{ HELDREASON_RATE, "limite de messages par heure dépassée",
	    "تجاوز حد الرسائل في الساعة" },
	{ HELDREASON_FIRST_POST, "premier message d'un nouveau membre",
	    "أول رسالة لعضو جديد" },
	{ HELDREASON_MIME, "type de pièce jointe non autorisé",
	    "نوع مرفق غير مسموح به" },
	{ HELDREASON_LOCKED, "fil verrouillé", "موضوع مقفل" },
	{ HELDREASON_DIGEST_REPLY, "réponse à un résumé, sans fil désigné",
	    "رد على ملخص دون تحديد الموضوع" },
};

const char *
heldreason_text(const char *reason, const char *lang)
{
	int fr = lang != NULL && strcmp(lang, "fr") == 0;
	int ar = lang != NULL && strcmp(lang, "ar") == 0;
	if (reason == NULL || (!fr && !ar))
		return reason;
	for (size_t i = 0; i < sizeof heldreason_words /
	    sizeof heldreason_words[0]; i++)
		if (strcmp(reason, heldreason_words[i].reason) == 0)
			return fr ? heldreason_words[i].fr : heldreason_words[i].ar;
	return reason;
}
