/*
 * Reminders of pending held messages to moderators (see modpending.h).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "daemon/buf.h"
#include "daemon/config.h"
#include "daemon/db.h"
#include "daemon/engine.h"
#include "daemon/heldreason.h"
#include "daemon/log.h"
#include "daemon/modpending.h"
#include "daemon/site.h"
#include "daemon/store_mod.h"
#include "daemon/store_outbox.h"
#include "daemon/xalloc.h"
#include "mail/compose.h"
#include "mail/delivery.h"

/* The reminder's words per language; "%lld" is the number waiting. */
static const struct {
	const char	*lang;
	const char	*subject;	/* then the group's name */
	const char	*intro;		/* then the group's name, then tail */
	const char	*tail;
	const char	*from, *why, *more, *queue;
} modpending_text[] = {
	{ "en", "Waiting for moderation in ", "Messages are waiting for"
	    " moderation in the group \"", "\":", "from ", "held because: ",
	    "and more: ", "The moderation queue: " },
	{ "fr", "En attente de modération dans ", "Des messages attendent une"
	    " décision dans le groupe « ", " » :", "de ", "retenu pour : ",
	    "et d'autres : ", "La file de modération : " },
	{ "ar", "رسائل تنتظر الإشراف في ", "رسائل تنتظر قرار المشرفين في"
	    " المجموعة «", "»:", "من ", "سبب الحجز: ", "وغيرها: ",
	    "قائمة الانتظار: " },
};
#define MODPENDING_NLANGS \
	(sizeof modpending_text / sizeof modpending_text[0])

static size_t
modpending_lang(const char *locale)
{
	for (size_t i = 0; i < MODPENDING_NLANGS; i++)
		if (locale != NULL && strcmp(locale, modpending_text[i].lang) == 0)
			return i;
	return 0;
}

struct modpending_due {
	int64_t	 id, pending;
	char	*slug, *name;
};

struct modpending_list {
	struct modpending_due	*v;
	size_t			 n, cap;
};

static int
modpending_due_add(void *arg, const struct mod_pending_group *pg)
{
	struct modpending_list *l = arg;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	struct modpending_due *d = &l->v[l->n++];
	d->id = pg->id;
	d->pending = pg->pending;
	d->slug = xstrdup(pg->slug);
	d->name = xstrdup(pg->name);
	return 0;
}

static void
modpending_list_free(struct modpending_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].slug);
		free(l->v[i].name);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* The list of held messages, in each language. */
struct modpending_body {
	const struct modpending_site	*site;
	struct buf			 held[MODPENDING_NLANGS];
};

static int
modpending_held_line(void *arg, const struct mod_pending_held *ph)
{
	struct modpending_body *b = arg;
	for (size_t i = 0; i < MODPENDING_NLANGS; i++)
		buf_printf(&b->held[i], "\n  - %s\n    %s%s, %s%s\n    %s/mod/held/"
		    "%lld\n", ph->subject, modpending_text[i].from, ph->sender,
		    modpending_text[i].why, heldreason_text(ph->reason,
		    modpending_text[i].lang), b->site->site_url,
		    (long long)ph->id);
	return 0;
}

/* One group's mails, as the moderators are read. */
struct modpending_group {
	struct db			*db;
	const struct modpending_site	*site;
	const struct modpending_due	*d;
	struct modpending_body		*body;
	int				 queued;
	int				 error;
};

static int
modpending_mail(void *arg, const struct mod_moderator *mm)
{
	struct modpending_group *g = arg;
	size_t k = modpending_lang(mm->locale);
	struct buf from = BUF_INIT, lid = BUF_INIT, subj = BUF_INIT,
	    text = BUF_INIT, msg = BUF_INIT;
	buf_printf(&from, "%s-owner@%s", g->d->slug, g->site->list_domain);
	buf_printf(&lid, "%s.%s", g->d->slug, g->site->list_domain);
	buf_printf(&subj, "%s%s (%lld)", modpending_text[k].subject, g->d->name,
	    (long long)g->d->pending);
	buf_printf(&text, "%s%s%s\n%s", modpending_text[k].intro, g->d->name,
	    modpending_text[k].tail, buf_cstr(&g->body->held[k]));
	if (g->d->pending > MODPENDING_LIST_MAX)
		buf_printf(&text, "\n  %s%lld\n", modpending_text[k].more,
		    (long long)(g->d->pending - MODPENDING_LIST_MAX));
	buf_printf(&text, "\n%s%s/mod\n", modpending_text[k].queue,
	    g->site->site_url);
	struct compose_system cs = { .from_name = g->d->name,
	    .from_addr = buf_cstr(&from), .to = mm->email,
	    .subject = buf_cstr(&subj), .text = buf_cstr(&text),
	    .list_domain = g->site->list_domain, .list_id = buf_cstr(&lid),
	    .auto_submitted = 1 };
	compose_system(&msg, &cs);
	if (store_outbox_add_system(g->db, g->d->id, mm->id, mm->email,
	    msg.data, msg.len) == -1)
		g->error = 1;
	else
		g->queued++;
	buf_free(&from);
	buf_free(&lid);
	buf_free(&subj);
	buf_free(&text);
	buf_free(&msg);
	return g->error ? -1 : 0;
}

/* Queue one group's reminders and record them: the number queued or -1. */
static int
modpending_group(struct db *db, const struct modpending_site *site,
    const struct modpending_due *d, int64_t now)
{
	struct modpending_body body;
	memset(&body, 0, sizeof body);
	body.site = site;
	struct modpending_group g = { db, site, d, &body, 0, 0 };
	if (store_mod_pending_held(db, d->id, MODPENDING_LIST_MAX,
	    modpending_held_line, &body) == -1 || store_mod_moderators(db,
	    d->id, modpending_mail, &g) == -1 || g.error ||
	    store_mod_pending_sent(db, d->id, now, d->pending) == -1)
		g.queued = -1;
	for (size_t i = 0; i < MODPENDING_NLANGS; i++)
		buf_free(&body.held[i]);
	return g.queued;
}

int
modpending_run(struct db *db, const struct modpending_site *site,
    int64_t now)
{
	struct modpending_list l;
	memset(&l, 0, sizeof l);
	if (db_begin(db) == -1)
		return -1;
	int total = 0;
	if (store_mod_pending_due(db, now, site->interval, modpending_due_add,
	    &l) == -1)
		total = -1;
	for (size_t i = 0; i < l.n && total != -1; i++) {
		int n = modpending_group(db, site, &l.v[i], now);
		if (n == -1)
			total = -1;
		else {
			log_info("moderation reminder for %s: %lld waiting, %d"
			    " moderators", l.v[i].slug, (long long)l.v[i].pending,
			    n);
			total += n;
		}
	}
	modpending_list_free(&l);
	if (total != -1 && db_commit(db) == 0)
		return total;
	db_rollback(db);
	return -1;
}

struct modpending_runner {
	struct engine		*e;
	struct event		*check;
	struct modpending_site	 site;
};

static void
modpending_runner_check(evutil_socket_t fd, short ev, void *arg)
{
	struct modpending_runner *r = arg;
	(void)fd;
	(void)ev;
	if (r->e->stopping)
		return;
	struct site_settings s;	/* the administrators' setting, if any */
	if (site_load(r->e->db, r->e->cfg, &s) == 0)
		r->site.interval = s.held_reminder;
	int n = modpending_run(r->e->db, &r->site, db_now());
	if (n == -1)
		log_warnx("moderation reminders: could not queue them (tried"
		    " again at the next check)");
	else if (n > 0)
		delivery_kick(r->e->delivery);
}

struct modpending_runner *
modpending_runner_new(struct engine *e)
{
	struct modpending_runner *r = xcalloc(1, sizeof *r);
	r->e = e;
	r->site.list_domain = e->cfg->list_domain;
	r->site.site_url = e->cfg->site_url;
	r->site.interval = e->cfg->mod_pending_interval;
	r->check = event_new(e->base, -1, EV_PERSIST, modpending_runner_check,
	    r);
	struct timeval tv = { MODPENDING_CHECK_SECONDS, 0 };
	if (r->site.interval < MODPENDING_CHECK_SECONDS)
		tv.tv_sec = r->site.interval;
	event_add(r->check, &tv);
	event_active(r->check, 0, 0);	/* reminders due while down: now */
	return r;
}

void
modpending_runner_free(struct modpending_runner **rp)
{
	struct modpending_runner *r = *rp;
	if (r == NULL)
		return;
	event_free(r->check);
	free(r);
	*rp = NULL;
}
