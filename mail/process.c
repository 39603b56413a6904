/*
 * The inbound pipeline (see process.h). A timer scans for rows in state
 * 'new' (left over from a crash, or released by a moderator) so nothing
 * accepted is ever forgotten.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/event.h>

#include "daemon/config.h"
#include "daemon/db.h"
#include "daemon/engine.h"
#include "daemon/heldreason.h"
#include "daemon/idset.h"
#include "daemon/log.h"
#include "daemon/moddecide.h"
#include "daemon/publish.h"
#include "daemon/store_ban.h"
#include "daemon/store_digestreply.h"
#include "daemon/store_group.h"
#include "daemon/store_held.h"
#include "daemon/store_inbound.h"
#include "daemon/store_mod.h"
#include "daemon/store_outbox.h"
#include "daemon/store_policy.h"
#include "daemon/webpost.h"
#include "daemon/xalloc.h"
#include "mail/address.h"
#include "mail/bounce.h"
#include "mail/classify.h"
#include "mail/compose.h"
#include "mail/delivery.h"
#include "mail/digestreply.h"
#include "mail/heldnotice.h"
#include "mail/listcmd.h"
#include "mail/mimepolicy.h"
#include "mail/parsepool.h"
#include "mail/prescan.h"
#include "mail/process.h"
#include "mail/subject.h"
#include "mail/threading.h"

struct process {
	struct engine	*e;
	struct idset	 inflight;
	struct idset	 failures;	/* ids that failed once (retry, then stop) */
	struct event	*poll;
};

/* What one message does to one recipient address. */
struct process_ctx {
	struct engine		*e;
	const struct inbound	*in;
	const struct parsed	*p;
	const struct prescan_info *scan;
	const char		*sender;	/* From address, else envelope */
	struct buf		 note;
	int			 held;
	int			 web;		/* written on the web by a member */
	int64_t			 thread_id;	/* a digest reply's thread, or 0 */
	int64_t			 parent_id;
	int64_t			 held_id;	/* the row process_hold added, or 0 */
};

static void
process_quarantine(struct process *pr, int64_t id, const char *why)
{
	log_warnx("inbound %lld quarantined: %s", (long long)id, why);
	if (db_begin(pr->e->db) == 0) {
		if (store_inbound_set_state(pr->e->db, id, "quarantined", why) == 0)
			db_commit(pr->e->db);
		else
			db_rollback(pr->e->db);
	}
	idset_remove(&pr->inflight, id);
}

void
process_enqueue(struct process *pr, int64_t id)
{
	if (!idset_add(&pr->inflight, id))
		return;
	struct inbound in;
	if (store_inbound_get(pr->e->db, id, &in) != 1) {
		idset_remove(&pr->inflight, id);
		return;
	}
	struct prescan_info info;
	enum prescan_status st = prescan_message(in.raw.data, in.raw.len, &info);
	if (st != PRESCAN_OK)
		process_quarantine(pr, id, prescan_status_str(st));
	else if (parsepool_submit(pr->e->pool, (uint64_t)id, in.raw.data,
	    in.raw.len) == -1)
		idset_remove(&pr->inflight, id);	/* the poll retries */
	store_inbound_clear(&in);
}

/* Tell g's moderators of the message (held as held_id, or written to the
 * owner address when 0). 0 or -1. */
static int
process_notify_moderators(struct process_ctx *c, const struct group *g,
    int64_t held_id, const char *reason)
{
	struct heldnotice n = { .held_id = held_id, .reason = reason,
	    .from_name = c->p->from_name, .sender = c->sender,
	    .subject = c->p->subject, .text = c->p->text };
	return heldnotice_queue(c->e, g, &n);
}

static int
process_hold(struct process_ctx *c, const struct group *g, const char *reason)
{
	int64_t h = store_held_add(c->e->db, g->id, c->in->id, c->sender,
	    c->p->subject, reason);
	if (h == -1)
		return -1;
	c->held = 1;
	c->held_id = h;
	buf_printf(&c->note, "%s: held (%s); ", g->slug, reason);
	if (h > 0 && store_mod_held_set_text(c->e->db, h, c->p->from_name,
	    c->p->text) == -1)
		return -1;
	return h > 0 ? process_notify_moderators(c, g, h, reason) : 0;
}

static void
process_refs(struct buf *out, const struct parsed *p)
{
	buf_puts(out, p->references);
	if (p->in_reply_to[0] && strstr(p->references, p->in_reply_to) == NULL) {
		if (out->len)
			buf_putc(out, ' ');
		buf_puts(out, p->in_reply_to);
	}
}

/* The group's MIME policy when it strips: the number of attachments
 * taken out of the post into s (0: none, s empty), or -1. */
static int
process_mime_strip(struct process_ctx *c, const struct group *g,
    struct mimepolicy_strip *s)
{
	struct group_policy pol;
	memset(s, 0, sizeof *s);
	int rc = store_policy_get(c->e->db, g->id, &pol);
	if (rc != 1)
		return -1;
	size_t n = strcmp(pol.mime_action, "strip") == 0 ?
	    mimepolicy_strip(c->p, pol.mime_types, s) : 0;
	store_policy_clear(&pol);
	return (int)n;
}

/* The archive keeps the message as published: its raw copy gets the
 * stripped part in place of its body. 0 or -1. */
static int
process_mime_archive(struct process_ctx *c, const struct buf *part)
{
	struct buf raw = BUF_INIT;
	compose_replace_body(&raw, c->in->raw.data, c->in->raw.len, part->data,
	    part->len);
	int rc = store_inbound_set_raw(c->e->db, c->in->id, raw.data, raw.len);
	buf_free(&raw);
	return rc;
}

/* Does the group's MIME policy hold this post (action hold and a refused
 * attachment)? 1, 0 or -1. */
static int
process_mime_held(struct process_ctx *c, const struct group *g)
{
	struct group_policy pol;
	int rc = store_policy_get(c->e->db, g->id, &pol);
	if (rc != 1)
		return -1;
	rc = strcmp(pol.mime_action, "hold") == 0 &&
	    mimepolicy_refused(c->p, pol.mime_types) > 0;
	store_policy_clear(&pol);
	return rc;
}

static int
process_publish(struct process_ctx *c, const struct group *g,
    const struct membership *ms)
{
	struct threading_result tr;
	if (threading_resolve(c->e->db, g->id, g->slug, g->subject_prefix, c->p,
	    c->web ? THREADING_WEB : 0, &tr) == -1)
		return -1;
	if (c->thread_id > 0) {		/* a digest reply, placed */
		tr.thread_id = c->thread_id;
		tr.parent_id = c->parent_id;
		tr.how = "digest reply";
	}
	struct buf msgid = BUF_INIT, refs = BUF_INIT, part = BUF_INIT;
	if (c->p->message_id[0])
		buf_puts(&msgid, c->p->message_id);
	else
		compose_message_id(&msgid, c->e->cfg->list_domain);
	process_refs(&refs, c->p);
	struct mimepolicy_strip strip;
	int removed = process_mime_strip(c, g, &strip);
	if (removed == -1) {
		buf_free(&msgid);
		buf_free(&refs);
		buf_free(&tr.subject_norm);
		return -1;
	}
	int broken = c->scan->boundary_missing || !c->p->ok ||
	    !compose_mime_part_check(c->in->raw.data, c->in->raw.len);
	if (removed > 0)
		buf_append(&part, strip.part.data, strip.part.len);
	else
		compose_mime_part_from_raw(&part, c->in->raw.data,
		    c->in->raw.len, broken ? c->p->text : NULL);
	struct publish_attachment att[PARSED_MAX_ATTACHMENTS];
	size_t natt = removed > 0 ? strip.nkeep : c->p->nattach;
	for (size_t k = 0; k < natt; k++) {
		size_t i = removed > 0 ? strip.keep[k] : k;
		att[k].filename = c->p->attach[i].filename;
		att[k].content_type = c->p->attach[i].content_type;
		att[k].data = c->p->attach[i].data.data;
		att[k].len = c->p->attach[i].data.len;
	}
	const char *name = c->p->from_name[0] ? c->p->from_name :
	    ms && ms->name[0] ? ms->name : "";
	struct post_new pn = { .group_id = g->id, .thread_id = tr.thread_id,
	    .parent_id = tr.parent_id, .member_id = ms ? ms->member_id : 0,
	    .author_name = name, .author_email = c->sender,
	    .subject = c->p->subject[0] ? c->p->subject : "(no subject)",
	    .subject_norm = buf_cstr(&tr.subject_norm), .body = removed > 0 ?
	    buf_cstr(&strip.text) : c->p->text,
	    .mime_part = part.data, .mime_part_len = part.len,
	    .message_id = buf_cstr(&msgid), .refs = buf_cstr(&refs),
	    .source = c->web ? "web" : "mail", .inbound_id = c->in->id };
	int64_t copies = 0;
	int64_t id = publish_post(c->e->db, &pn, att, natt, &copies);
	if (id > 0 && removed > 0 && process_mime_archive(c, &part) == -1)
		id = -1;
	if (id > 0)
		buf_printf(&c->note, "%s: post %lld (%s), %lld copies; ", g->slug,
		    (long long)id, tr.how, (long long)copies);
	if (id > 0 && removed > 0)
		buf_printf(&c->note, "%s: %d attachments removed (MIME types); ",
		    g->slug, removed);
	else if (id == 0)
		buf_printf(&c->note, "%s: duplicate Message-ID, not published; ",
		    g->slug);
	buf_free(&msgid);
	buf_free(&refs);
	buf_free(&part);
	buf_free(&tr.subject_norm);
	mimepolicy_strip_free(&strip);
	return id == -1 ? -1 : 0;
}

/* A reply to a digest ("Re: [slug] Weekly digest, ...") goes to the thread
 * its quoted links or its own words name (mail/digestreply.h) rather than
 * starting a thread called "Re: ... digest". 1 when it names none (held
 * for a moderator), 0 (placed, or not a digest reply), -1. */
static int
process_digest_reply(struct process_ctx *c, const struct group *g)
{
	if (!digestreply_is(c->p->subject, g->slug, g->subject_prefix))
		return 0;
	int rc = digestreply_resolve(c->e->db, g->id, g->slug, c->p,
	    &c->thread_id, &c->parent_id);
	if (rc == 1)
		buf_printf(&c->note, "%s: reply to a digest, thread %lld; ",
		    g->slug, (long long)c->thread_id);
	return rc == -1 ? -1 : rc == 0;
}

/* A digest reply that names no one thread: held for the moderators, and
 * its author told why and how to answer one post (at most once an hour,
 * never again for a message held before). 0 or -1. */
static int
process_digest_hold(struct process_ctx *c, const struct group *g)
{
	c->held_id = 0;
	if (process_hold(c, g, HELDREASON_DIGEST_REPLY) == -1)
		return -1;
	if (c->held_id == 0)
		return 0;
	int rc = digestreply_notice(c->e->db, g, c->e->cfg->list_domain,
	    c->e->cfg->site_url, c->sender, c->p, &c->in->raw, db_now());
	if (rc != -1)
		buf_printf(&c->note, "%s: %s; ", g->slug, rc == 1 ?
		    "author told how to reply to one post" :
		    "author told within the hour, not again");
	return rc == -1 ? -1 : 0;
}

/* A message a moderator approved: published in the thread they placed it
 * in (when that thread is still the group's), else where a digest reply's
 * links or threading put it. 0 or -1. */
static int
process_approved(struct process_ctx *c, const struct group *g,
    const struct membership *ms, int64_t thread)
{
	int rc = 0;
	if (thread > 0 && (rc = store_digestreply_thread(c->e->db, g->id,
	    thread, &c->parent_id)) == 1) {
		c->thread_id = thread;
		buf_printf(&c->note, "%s: placed in thread %lld by a moderator; ",
		    g->slug, (long long)thread);
	} else if (rc == 0)
		rc = process_digest_reply(c, g);
	return rc == -1 ? -1 : process_publish(c, g, ms);
}

/* Would this post land in a thread a moderator locked? 1, 0, -1. */
static int
process_thread_locked(struct process_ctx *c, const struct group *g)
{
	struct threading_result tr;
	if (threading_resolve(c->e->db, g->id, g->slug, g->subject_prefix, c->p,
	    c->web ? THREADING_WEB : 0, &tr) == -1)
		return -1;
	buf_free(&tr.subject_norm);
	int64_t thread = c->thread_id > 0 ? c->thread_id : tr.thread_id;
	return thread > 0 ? store_mod_thread_locked(c->e->db, thread) : 0;
}

/* Is the author (From) or the envelope sender banned in this group or
 * site-wide? A banned message is dropped without a word to anyone: never
 * held, never published (the note of the inbound row says which ban).
 * 1, 0 or -1. */
static int
process_banned(struct process_ctx *c, const struct group *g)
{
	struct buf why = BUF_INIT;
	int rc = store_ban_check(c->e->db, g->id, c->sender, &why);
	if (rc == 0 && !c->web && c->in->mail_from[0] &&
	    strcasecmp(c->in->mail_from, c->sender) != 0)
		rc = store_ban_check(c->e->db, g->id, c->in->mail_from, &why);
	if (rc == 1)
		buf_printf(&c->note, "%s: banned sender (%s), dropped; ", g->slug,
		    buf_cstr(&why));
	buf_free(&why);
	return rc;
}

/* The group's policy (daemon/store_policy.h) for a member's post: 1 with
 * *why set when it is held (too large, over the posting rate, a first
 * post), 0 when it passes, -1. Moderators and owners are exempt. */
static int
process_policy(struct process_ctx *c, const struct group *g,
    const struct membership *ms, const char **why)
{
	struct group_policy pol;
	if (strcmp(ms->role, "member") != 0)
		return 0;
	int rc = store_policy_get(c->e->db, g->id, &pol);
	if (rc != 1)
		return rc;
	int64_t n = 0;
	if (pol.max_kib > 0 && c->in->raw.len > (size_t)pol.max_kib * 1024)
		*why = HELDREASON_TOO_LARGE;
	else if (pol.rate_per_hour > 0 && (n = store_policy_posts_since(c->e->db,
	    g->id, ms->member_id, db_now() - STORE_POLICY_RATE_WINDOW)) >=
	    pol.rate_per_hour)
		*why = HELDREASON_RATE;
	else if (pol.first_post_held && (n = store_policy_posts_since(c->e->db,
	    g->id, ms->member_id, 0)) == 0)
		*why = HELDREASON_FIRST_POST;
	else
		rc = 0;
	store_policy_clear(&pol);
	return n == -1 ? -1 : rc;
}

static int
process_post(struct process_ctx *c, const struct group *g)
{
	const char *why = "";
	/* a web post was built by us for a signed-in member: never a loop,
	 * a robot or an auto-reply */
	enum classify_kind k = c->web ? CLASSIFY_NORMAL : classify_message(c->p,
	    c->in->mail_from, g->slug, c->e->cfg->list_domain, 0, &why);
	if (k != CLASSIFY_NORMAL) {
		buf_printf(&c->note, "%s: not posted (%s); ", g->slug, why);
		return 0;
	}
	struct membership ms;
	c->thread_id = c->parent_id = 0;	/* placed per group */
	int member = store_membership_get(c->e->db, g->id, c->sender, &ms);
	if (member == -1)
		return -1;
	const char *held = "";
	int64_t placed = 0;
	int rc, listed = store_mod_sender_get(c->e->db, g->id, c->sender);
	int banned = listed == -1 ? -1 : process_banned(c, g);
	if (listed == -1 || banned == -1)
		rc = -1;
	else if (store_held_approved(c->e->db, g->id, c->in->id, &placed))
		rc = process_approved(c, g, member ? &ms : NULL, placed);
	else if (banned)
		rc = 0;
	else if (!member && listed == STORE_MOD_SENDER_ALLOW)
		rc = process_publish(c, g, NULL);
	else if (!member)
		rc = process_hold(c, g, HELDREASON_NON_MEMBER);
	else if ((rc = process_digest_reply(c, g)) != 0)
		rc = rc == -1 ? -1 : process_digest_hold(c, g);
	else if (ms.moderated)
		rc = process_hold(c, g, HELDREASON_MODERATED);
	else if (strcmp(g->post_policy, "announce") == 0 &&
	    strcmp(ms.role, "member") == 0)
		rc = process_hold(c, g, HELDREASON_ANNOUNCE);
	else if ((rc = process_policy(c, g, &ms, &held)) != 0)
		rc = rc == -1 ? -1 : process_hold(c, g, held);
	else if (strcmp(ms.role, "member") == 0 &&
	    (rc = process_mime_held(c, g)) != 0)
		rc = rc == -1 ? -1 : process_hold(c, g, HELDREASON_MIME);
	else if (strcmp(ms.role, "member") == 0 &&
	    (rc = process_thread_locked(c, g)) != 0)
		rc = rc == -1 ? -1 : process_hold(c, g, HELDREASON_LOCKED);
	else
		rc = process_publish(c, g, &ms);
	if (member)
		store_membership_clear(&ms);
	return rc;
}

static int
process_owner(struct process_ctx *c, const struct group *g)
{
	const char *why;
	if (classify_message(c->p, c->in->mail_from, g->slug,
	    c->e->cfg->list_domain, 1, &why) != CLASSIFY_NORMAL) {
		buf_printf(&c->note, "%s-owner: dropped (%s); ", g->slug, why);
		return 0;
	}
	buf_printf(&c->note, "%s-owner: forwarded to moderators; ", g->slug);
	return process_notify_moderators(c, g, 0, "message for the moderators");
}

/* Does line l open what a mail client puts under a reply (a signature,
 * "-----Original Message-----", Outlook's rule, the notice's own
 * "----- The message -----" or a forwarded header block)? */
static int
process_moderate_tail(const char *l)
{
	return strncmp(l, "-- \n", 4) == 0 || strncmp(l, "-- \r\n", 5) == 0 ||
	    strncmp(l, "-----", 5) == 0 || strncmp(l, "_____", 5) == 0 ||
	    strncmp(l, "From: ", 6) == 0;
}

/* The thread an approval by mail names: the web link (".../g/SLUG/t/N")
 * of one thread of group slug in the moderator's own words, outside
 * quotes and above what the client appended (a reply to the notice
 * carries the held message, links and all); 0 none, -1 several threads
 * or a thread of another group. */
static int64_t
process_moderate_thread(const char *text, const char *slug)
{
	struct buf top = BUF_INIT, own = BUF_INIT;
	for (const char *l = text ? text : ""; *l && !process_moderate_tail(l);) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) + 1 : strlen(l);
		buf_append(&top, l, len);
		l += len;
	}
	digestreply_unquoted(&own, buf_cstr(&top));
	int64_t ids[2];
	size_t foreign, n = digestreply_links(buf_cstr(&own), slug, ids, 2,
	    &foreign);
	buf_free(&own);
	buf_free(&top);
	return n == 0 && foreign == 0 ? 0 : n == 1 && foreign == 0 ? ids[0] :
	    -1;
}

/* A moderator's mail to an approve/reject address: a robot or a loop
 * never decides; the first line of the text is the reason, a thread's
 * link where an approval puts the message. */
static int
process_moderate(struct process_ctx *c, const struct group *g,
    const char *token)
{
	const char *why;
	if (classify_message(c->p, c->in->mail_from, g->slug,
	    c->e->cfg->list_domain, 1, &why) != CLASSIFY_NORMAL) {
		buf_printf(&c->note, "%s-moderate: ignored (%s); ", g->slug, why);
		return 0;
	}
	struct buf reason = BUF_INIT;
	moddecide_reason_from_text(&reason, c->p->text);
	enum moddecide_result r = moddecide_token(c->e, g->id, token,
	    c->sender, reason.len ? buf_cstr(&reason) : NULL,
	    process_moderate_thread(c->p->text, g->slug), &c->note);
	buf_free(&reason);
	return r == MODDECIDE_ERROR ? -1 : 0;
}

static int
process_rcpt(struct process_ctx *c, const char *rcpt)
{
	struct list_address la;
	struct group g;
	if (address_list_split(rcpt, c->e->cfg->list_domain, &la) == -1 ||
	    store_group_get(c->e->db, la.slug, &g) != 1) {
		buf_printf(&c->note, "%s: no such group; ", rcpt);
		return 0;
	}
	int rc = 0;
	const char *why;
	switch (la.kind) {
	case ADDR_POST:
		rc = process_post(c, &g);
		break;
	case ADDR_OWNER:
		rc = process_owner(c, &g);
		break;
	case ADDR_BOUNCES:
		rc = bounce_report(c->e, la.token, c->p, &c->note);
		break;
	case ADDR_REQUEST:
	case ADDR_JOIN:
	case ADDR_LEAVE:
	case ADDR_CONFIRM:
		if (classify_message(c->p, c->in->mail_from, g.slug,
		    c->e->cfg->list_domain, 1, &why) != CLASSIFY_NORMAL) {
			buf_printf(&c->note, "%s: command ignored (%s); ", rcpt, why);
			break;
		}
		/* a banned sender gets no answer at all (no backscatter) */
		if ((rc = process_banned(c, &g)) != 0) {
			if (rc == 1)
				log_info("inbound %lld: command to %s from a banned"
				    " sender dropped", (long long)c->in->id, rcpt);
			rc = rc == 1 ? 0 : -1;
			break;
		}
		rc = la.kind == ADDR_CONFIRM ? listcmd_confirm(c->e, &g, la.token,
		    c->sender, c->p, &c->in->raw, &c->note) : listcmd_handle(c->e,
		    &g, la.kind, c->sender, c->p, &c->in->raw, &c->note);
		break;
	case ADDR_MODERATE:
		rc = process_moderate(c, &g, la.token);
		break;
	}
	store_group_clear(&g);
	return rc;
}

/* Every recipient, then the row's state, in one transaction. */
static int
process_act(struct process *pr, const struct inbound *in, const struct parsed *p)
{
	struct prescan_info scan;
	prescan_message(in->raw.data, in->raw.len, &scan);
	struct process_ctx c = { pr->e, in, p, &scan,
	    p->from_addr[0] ? p->from_addr : in->mail_from, BUF_INIT, 0,
	    webpost_peer_member(in->peer) > 0 };
	if (db_begin(pr->e->db) == -1)
		return -1;
	int rc = 0;
	char *rcpts = xstrdup(in->rcpts), *save = NULL;
	for (char *r = strtok_r(rcpts, "\n", &save); r && rc == 0;
	    r = strtok_r(NULL, "\n", &save))
		rc = process_rcpt(&c, r);
	free(rcpts);
	if (rc == 0)
		rc = store_inbound_set_state(pr->e->db, in->id, c.held ? "held" :
		    "done", buf_cstr(&c.note));
	if (rc == 0)
		rc = db_commit(pr->e->db);
	else
		db_rollback(pr->e->db);
	if (rc == 0)
		log_info("inbound %lld from <%s>: %s", (long long)in->id,
		    in->mail_from, buf_cstr(&c.note));
	buf_free(&c.note);
	return rc;
}

void
process_parsed(void *arg, uint64_t job, enum parsepool_status status,
    const struct parsed *parsed)
{
	struct process *pr = arg;
	int64_t id = (int64_t)job;
	if (status != PARSEPOOL_DONE) {
		process_quarantine(pr, id, status == PARSEPOOL_TIMEOUT ?
		    "parser timeout" : "parser crashed");
		return;
	}
	struct inbound in;
	if (store_inbound_get(pr->e->db, id, &in) != 1) {
		idset_remove(&pr->inflight, id);
		return;
	}
	if (process_act(pr, &in, parsed) == 0) {
		idset_remove(&pr->failures, id);
		delivery_kick(pr->e->delivery);
	} else if (!idset_add(&pr->failures, id))
		process_quarantine(pr, id, "processing failed twice");
	store_inbound_clear(&in);
	idset_remove(&pr->inflight, id);
}

static void
process_poll(evutil_socket_t fd, short ev, void *arg)
{
	struct process *pr = arg;
	int64_t ids[PROCESS_MAX_INFLIGHT];
	int n = store_inbound_pending(pr->e->db, 0, ids, PROCESS_MAX_INFLIGHT);
	for (int i = 0; i < n; i++)
		if (pr->inflight.count < PROCESS_MAX_INFLIGHT)
			process_enqueue(pr, ids[i]);
}

struct process *
process_new(struct engine *e)
{
	struct process *pr = xcalloc(1, sizeof *pr);
	pr->e = e;
	pr->poll = event_new(e->base, -1, EV_PERSIST, process_poll, pr);
	struct timeval tv = { PROCESS_POLL_INTERVAL, 0 };
	event_add(pr->poll, &tv);
	event_active(pr->poll, 0, 0);
	return pr;
}

void
process_free(struct process **prp)
{
	struct process *pr = *prp;
	if (pr == NULL)
		return;
	event_free(pr->poll);
	idset_free(&pr->inflight);
	idset_free(&pr->failures);
	free(pr);
	*prp = NULL;
}
