/*
 * Message classification (see classify.h), in the order of DESIGN.md: our
 * own markers and hop count first, then reports, then robots.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mail/classify.h"

static int
classify_contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return 0;
}

static int
classify_robot_sender(const char *addr)
{
	static const char *const locals[] = { "mailer-daemon@", "postmaster@",
	    "noreply@", "no-reply@", "do-not-reply@", "donotreply@", NULL };
	for (int i = 0; locals[i]; i++)
		if (strncasecmp(addr, locals[i], strlen(locals[i])) == 0)
			return 1;
	return 0;
}

enum classify_kind
classify_message(const struct parsed *p, const char *mail_from,
    const char *slug, const char *list_domain, int command, const char **why)
{
	char ours[320];
	snprintf(ours, sizeof ours, "%s@%s", slug, list_domain);
	if (p->x_loop[0] && classify_contains(p->x_loop, ours)) {
		*why = "loop: our X-Loop header";
		return CLASSIFY_LOOP;
	}
	snprintf(ours, sizeof ours, "<%s.%s>", slug, list_domain);
	if (p->list_id[0] && classify_contains(p->list_id, ours)) {
		*why = "loop: our List-Id header";
		return CLASSIFY_LOOP;
	}
	if (p->received_count > CLASSIFY_MAX_RECEIVED) {
		*why = "loop: too many Received headers";
		return CLASSIFY_LOOP;
	}
	if (p->is_dsn) {
		*why = "delivery status report";
		return CLASSIFY_BOUNCE;
	}
	if (p->auto_submitted[0] && strcmp(p->auto_submitted, "no") != 0) {
		*why = "Auto-Submitted";
		return CLASSIFY_AUTO;
	}
	if (p->auto_reply_hint) {
		*why = "auto-reply header";
		return CLASSIFY_AUTO;
	}
	if (strcmp(p->precedence, "bulk") == 0 || strcmp(p->precedence, "junk") == 0 ||
	    (command && strcmp(p->precedence, "list") == 0)) {
		*why = "Precedence";
		return CLASSIFY_AUTO;
	}
	if (mail_from[0] == '\0') {
		*why = "null envelope sender";
		return CLASSIFY_AUTO;
	}
	if (classify_robot_sender(mail_from) || classify_robot_sender(p->from_addr)) {
		*why = "robot sender";
		return CLASSIFY_AUTO;
	}
	*why = "";
	return CLASSIFY_NORMAL;
}
