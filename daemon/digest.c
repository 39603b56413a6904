/*
 * Digests (see digest.h). Time zones come from the system tzdata through
 * the C library: TZ is set to the zone for one computation and restored,
 * so mktime applies the zone's own rules (DST, Morocco's Ramadan hour)
 * without a TZif reader of ours. TZ is only ever set on the loop's
 * thread: the DKIM thread never reads local time, and a body rendered on
 * the render thread (digest_render) gets its posts' local times computed
 * on the loop beforehand. That thread reads the posts' text and stores
 * the body through a database connection of its own, so the loop handles
 * only ids, times and members.
 */
#include <config.h>

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "daemon/db.h"
#include "daemon/digest.h"
#include "daemon/engine.h"
#include "daemon/config.h"
#include "daemon/log.h"
#include "daemon/store_group.h"
#include "daemon/store_outbox.h"
#include "daemon/workq.h"
#include "daemon/xalloc.h"
#include "mail/delivery.h"
#include "mail/digest.h"

#define DIGEST_DAY	86400

const char *
digest_kind_name(enum digest_kind k)
{
	return k == DIGEST_DAILY ? "daily" : "weekly";
}

int
digest_kind_parse(const char *s, enum digest_kind *k)
{
	if (strcmp(s, "daily") == 0)
		*k = DIGEST_DAILY;
	else if (strcmp(s, "weekly") == 0)
		*k = DIGEST_WEEKLY;
	else
		return -1;
	return 0;
}

int
digest_tz_valid(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n >= DIGEST_TZ_MAX || name[0] == '/' ||
	    strstr(name, "..") != NULL)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '+' || c == '-' ||
		    c == '/'))
			return 0;
	}
	char path[sizeof DIGEST_ZONEINFO + DIGEST_TZ_MAX + 1];
	snprintf(path, sizeof path, "%s/%s", DIGEST_ZONEINFO, name);
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

char *
digest_tz_push(const char *zone)
{
	const char *old = getenv("TZ");
	char *saved = old ? xstrdup(old) : NULL;
	setenv("TZ", digest_tz_valid(zone) ? zone : "UTC", 1);
	tzset();
	return saved;
}

void
digest_tz_pop(char *saved)
{
	if (saved) {
		setenv("TZ", saved, 1);
		free(saved);
	} else
		unsetenv("TZ");
	tzset();
}

int
digest_localtime(int64_t t, const char *tz, struct tm *out)
{
	char *saved = digest_tz_push(tz);
	time_t tt = (time_t)t;
	int rc = localtime_r(&tt, out) ? 0 : -1;
	digest_tz_pop(saved);
	return rc;
}

/* The slot on the local day of tm shifted by `days`, at hour:00. */
static int64_t
digest_slot_on(const struct tm *tm, int days, int hour)
{
	struct tm s;
	memset(&s, 0, sizeof s);
	s.tm_year = tm->tm_year;
	s.tm_mon = tm->tm_mon;
	s.tm_mday = tm->tm_mday + days;
	s.tm_hour = hour;
	s.tm_isdst = -1;
	return (int64_t)mktime(&s);
}

/* The slot on the day of now (daily) or on the schedule's weekday of the
 * week of now, then stepped by whole periods: dir -1 to the latest at or
 * before now, +1 to the first after. */
static int64_t
digest_slot(int64_t now, const struct digest_schedule *s, enum digest_kind k,
    int dir)
{
	if (!digest_tz_valid(s->tz))
		return -1;
	char *saved = digest_tz_push(s->tz);
	time_t tt = (time_t)now;
	struct tm tm;
	int64_t slot = -1;
	if (localtime_r(&tt, &tm) != NULL) {
		int step = k == DIGEST_DAILY ? 1 : 7;
		int day = k == DIGEST_DAILY ? 0 : s->weekday - tm.tm_wday;
		slot = digest_slot_on(&tm, day, s->hour);
		while (dir < 0 && slot > now)
			slot = digest_slot_on(&tm, day -= step, s->hour);
		while (dir > 0 && slot <= now)
			slot = digest_slot_on(&tm, day += step, s->hour);
		while (dir < 0 && digest_slot_on(&tm, day + step, s->hour) <= now)
			slot = digest_slot_on(&tm, day += step, s->hour);
	}
	digest_tz_pop(saved);
	return slot;
}

int64_t
digest_slot_prev(int64_t now, const struct digest_schedule *s,
    enum digest_kind k)
{
	return digest_slot(now, s, k, -1);
}

int64_t
digest_slot_next(int64_t now, const struct digest_schedule *s,
    enum digest_kind k)
{
	return digest_slot(now, s, k, 1);
}

struct digest_due {
	struct db	*db;
	int64_t		 now;
	int		 issued, failed;
};

static int
digest_due_group(void *arg, const struct group *g)
{
	struct digest_due *dd = arg;
	struct digest_schedule s;
	if (g->archived)
		return 0;
	if (store_digest_schedule_get(dd->db, g->id, &s) == -1) {
		dd->failed = 1;
		return -1;
	}
	for (int k = DIGEST_DAILY; k <= DIGEST_WEEKLY; k++) {
		int64_t slot = digest_slot_prev(dd->now, &s, (enum digest_kind)k);
		if (slot == -1) {
			log_warnx("digest: group %s has an unknown time zone %s",
			    g->slug, s.tz);
			return 0;
		}
		struct digest_row last;
		int rc = store_digest_last(dd->db, g->id,
		    digest_kind_name((enum digest_kind)k), &last);
		if (rc == -1) {
			dd->failed = 1;
			return -1;
		}
		if (slot <= g->created || (rc == 1 && last.period_end >= slot))
			continue;
		int64_t step = k == DIGEST_DAILY ? DIGEST_DAY : 7 * DIGEST_DAY;
		int64_t id = store_digest_create(dd->db, g->id,
		    digest_kind_name((enum digest_kind)k), slot - step, slot,
		    g->created);
		if (id == -1) {
			dd->failed = 1;
			return -1;
		}
		if (id > 0) {
			dd->issued++;
			log_info("digest: %s %s digest %lld issued", g->slug,
			    digest_kind_name((enum digest_kind)k), (long long)id);
		}
	}
	return 0;
}

int
digest_issue_due(struct db *db, int64_t now)
{
	struct digest_due dd = { db, now, 0, 0 };
	if (db_begin(db) == -1)
		return -1;
	if (store_group_each(db, digest_due_group, &dd) == -1 || dd.failed) {
		db_rollback(db);
		return -1;
	}
	return db_commit(db) == -1 ? -1 : dd.issued;
}

struct digest_next {
	struct db	*db;
	int64_t		 now, next;
};

static int
digest_next_group(void *arg, const struct group *g)
{
	struct digest_next *dn = arg;
	struct digest_schedule s;
	if (g->archived)
		return 0;
	if (store_digest_schedule_get(dn->db, g->id, &s) == -1)
		return -1;
	for (int k = DIGEST_DAILY; k <= DIGEST_WEEKLY; k++) {
		int64_t slot = digest_slot_next(dn->now, &s, (enum digest_kind)k);
		if (slot > dn->now && (dn->next == 0 || slot < dn->next))
			dn->next = slot;
	}
	return 0;
}

int64_t
digest_next_due(struct db *db, int64_t now)
{
	struct digest_next dn = { db, now, 0 };
	if (store_group_each(db, digest_next_group, &dn) == -1)
		return -1;
	return dn.next;
}

int64_t
digest_issue_now(struct db *db, int64_t group_id, enum digest_kind k,
    int64_t now)
{
	struct group g;
	if (store_group_get_id(db, group_id, &g) != 1)
		return -1;
	int64_t step = k == DIGEST_DAILY ? DIGEST_DAY : 7 * DIGEST_DAY;
	int64_t id = -1;
	if (db_begin(db) == -1)
		goto out;
	struct digest_row last;
	int rc = store_digest_last(db, group_id, digest_kind_name(k), &last);
	int64_t top = db_int(db, "SELECT coalesce(max(id), 0) FROM posts"
	    " WHERE group_id = ?", 0, "i", group_id);
	if (rc == -1)
		id = -1;
	else if (rc == 1 && last.max_post_id >= top)
		id = 0;
	else
		id = store_digest_create(db, group_id, digest_kind_name(k),
		    now - step, now, g.created);
	if (id == -1 || db_commit(db) == -1) {
		db_rollback(db);
		id = -1;
	}
out:
	store_group_clear(&g);
	return id;
}

/* The state of a slice, and the ids and times of the posts it counts: a
 * body is rendered from the posts read again where it is rendered. */
struct digest_slice {
	struct db			*db;
	const struct digest_site	*site;
	const struct digest_row		*d;
	struct group			 group;
	struct digest_schedule		 sched;
	int64_t				*ids, *created;	/* in id order */
	size_t				 nposts, cap;
	int				 handled, queued, failed;
	struct timespec			 start;
	/* NULL: a missing body is rendered in the slice; else the slice
	 * stops before its member and hands it here to be rendered */
	struct digest_render		**need;
};

/* A variant's body to render: a snapshot owned by the job, so that the
 * render thread shares nothing with the loop. Its posts carry their ids
 * and times from the loop; digest_render_run reads the rest. */
struct digest_render {
	struct group			 group;
	struct digest_row		 d;
	struct digest_member		 m;	/* locale, zone, mark only */
	struct digest_post		*posts;
	const struct digest_post	**mine;
	size_t				 nposts;
	struct tm			*post_tm;
	char				 group_tz[DIGEST_TZ_MAX];
	char				*list_domain, *site_url;
	int64_t				 now;	/* when it was asked for */
	struct digest_mail		 dm;
	/* the result */
	struct digest_template		 t;
	struct buf			 holes;
	double				 ms;
	/* digest_render_job's: the body stored (0: none needed), or -1 and
	 * why */
	char				*db_path;
	int64_t				 body;
	struct buf			 error;
	int				 niced;	/* errno of setpriority */
};

static double
digest_ms_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int
digest_slice_post(void *arg, int64_t id, int64_t created)
{
	struct digest_slice *sl = arg;
	if (sl->nposts == sl->cap) {
		sl->cap = sl->cap ? 2 * sl->cap : 64;
		sl->ids = xreallocarray(sl->ids, sl->cap, sizeof *sl->ids);
		sl->created = xreallocarray(sl->created, sl->cap,
		    sizeof *sl->created);
	}
	sl->ids[sl->nposts] = id;
	sl->created[sl->nposts++] = created;
	return 0;
}

/* The slice of digest d over the visible posts after `after`. */
static int
digest_slice_open(struct digest_slice *sl, struct db *db,
    const struct digest_site *site, const struct digest_row *d, int64_t after)
{
	memset(sl, 0, sizeof *sl);
	sl->db = db;
	sl->site = site;
	sl->d = d;
	if (store_group_get_id(db, d->group_id, &sl->group) != 1 ||
	    store_digest_schedule_get(db, d->group_id, &sl->sched) == -1)
		return -1;
	if (after < 0)
		after = store_digest_low_mark(db, d);
	return store_digest_post_times(db, d->group_id, after, d->max_post_id,
	    DIGEST_POSTS_MAX, digest_slice_post, sl) == -1 ? -1 : 0;
}

static void
digest_slice_close(struct digest_slice *sl)
{
	free(sl->ids);
	free(sl->created);
	store_group_clear(&sl->group);
}

/* The posts after member m's mark: ids[*first..nposts), their count. */
static size_t
digest_slice_mine(const struct digest_slice *sl, const struct digest_member *m,
    size_t *first)
{
	size_t i = 0;
	while (i < sl->nposts && sl->ids[i] <= m->mark)
		i++;
	*first = i;
	return sl->nposts - i;
}

/* The job rendering member m's variant (the slice's posts [first,
 * first + n)), localised now on the loop's thread. */
static struct digest_render *
digest_render_new(const struct digest_slice *sl, const struct digest_member *m,
    size_t first, size_t n)
{
	struct digest_render *r = xcalloc(1, sizeof *r);
	/* a deep copy: the slice's group is freed while the job runs */
	store_group_copy(&r->group, &sl->group);
	if (r->group.description == NULL)
		r->group.description = xstrdup("");
	r->d = *sl->d;
	r->m.mark = m->mark;
	xstrlcpy(r->m.locale, m->locale, sizeof r->m.locale);
	xstrlcpy(r->m.timezone, m->timezone, sizeof r->m.timezone);
	r->posts = xcalloc(n + 1, sizeof *r->posts);
	r->mine = xcalloc(n + 1, sizeof *r->mine);
	r->post_tm = xcalloc(n + 1, sizeof *r->post_tm);
	for (size_t i = 0; i < n; i++) {
		r->posts[i].id = sl->ids[first + i];
		r->posts[i].created = sl->created[first + i];
		r->mine[i] = &r->posts[i];
	}
	r->nposts = n;
	xstrlcpy(r->group_tz, sl->sched.tz, sizeof r->group_tz);
	r->list_domain = xstrdup(sl->site->list_domain);
	r->site_url = xstrdup(sl->site->site_url);
	r->now = db_now();
	r->dm = (struct digest_mail){ &r->group, &r->d, &r->m, r->mine, n,
	    r->group_tz, r->list_domain, r->site_url, NULL, { 0 }, 0 };
	digest_mail_localise(&r->dm, r->post_tm, r->now);
	return r;
}

static int
digest_render_cmp(const void *key, const void *elem)
{
	int64_t id = *(const int64_t *)key;
	const struct digest_post *p = elem;
	return id < p->id ? -1 : id > p->id;
}

/* A post read back for the job: its text beside the id and time it has. */
static int
digest_render_post(void *arg, const struct digest_post *p)
{
	struct digest_render *r = arg;
	struct digest_post *mine = bsearch(&p->id, r->posts, r->nposts,
	    sizeof *r->posts, digest_render_cmp);
	if (mine != NULL && mine->body == NULL) {
		int64_t created = mine->created;	/* as localised */
		*mine = *p;
		mine->created = created;
		mine->thread_subject = xstrdup(p->thread_subject);
		mine->author_name = xstrdup(p->author_name);
		mine->subject = xstrdup(p->subject);
		mine->body = xstrdup(p->body);
		mine->message_id = xstrdup(p->message_id);
		mine->attachments = xstrdup(p->attachments);
	}
	return 0;
}

/* Read the job's posts from db; a post hidden since the slice counted it
 * is left out (with its local time). 0 or -1. */
static int
digest_render_read(struct digest_render *r, struct db *db)
{
	if (r->nposts == 0)
		return 0;
	if (store_digest_posts(db, r->d.group_id, r->posts[0].id - 1,
	    r->posts[r->nposts - 1].id, DIGEST_POSTS_MAX, digest_render_post,
	    r) == -1)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < r->nposts; i++) {
		if (r->posts[i].body == NULL)
			continue;
		r->post_tm[k] = r->post_tm[i];
		r->posts[k++] = r->posts[i];
	}
	for (size_t i = 0; i < k; i++)
		r->mine[i] = &r->posts[i];
	r->nposts = r->dm.nposts = k;
	return 0;
}

int
digest_render_run(struct digest_render *r, struct db *db)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (digest_render_read(r, db) == -1)
		return -1;
	if (r->nposts > 0) {
		digest_template_build(&r->t, &r->dm);
		digest_template_holes(&r->holes, &r->t);
	}
	r->ms = digest_ms_since(&t0);
	return 0;
}

int64_t
digest_render_store(struct db *db, struct digest_render *r)
{
	const struct digest_template *t = &r->t;
	struct digest_body_key k = { r->d.id, r->m.mark, r->m.locale,
	    r->m.timezone };
	if (r->nposts == 0)
		return 0;	/* every post hidden meanwhile */
	int64_t id = store_digest_body_find(db, &k);
	if (id == 0)
		id = store_digest_body_add(db, &k, &t->part[DIGEST_PART_HEAD],
		    &t->part[DIGEST_PART_TEXT], &t->part[DIGEST_PART_HTML],
		    buf_cstr(&r->holes), t->boundary, r->now);
	return id;
}

/* Log what the job made. */
static void
digest_render_log(const struct digest_render *r, int64_t id)
{
	const struct digest_template *t = &r->t;
	log_debug("digest %lld: body %lld (%s, %s, after post %lld, %zu posts,"
	    " %zu bytes) rendered in %.1f ms", (long long)r->d.id,
	    (long long)id, r->m.locale, r->m.timezone, (long long)r->m.mark,
	    r->nposts, t->part[DIGEST_PART_TEXT].len +
	    t->part[DIGEST_PART_HTML].len, r->ms);
}

int64_t
digest_render_job(struct digest_render *r, const char *db_path)
{
	struct db *db = db_open(db_path, &r->error);
	struct digest_row d;
	int rc = 0;
	r->body = -1;
	if (db == NULL)
		return -1;
	if (digest_render_run(r, db) == -1)
		buf_puts(&r->error, "its posts could not be read");
	else if (db_begin(db) == -1)
		buf_puts(&r->error, "no transaction");
	/* in the transaction: the digest may have been sent meanwhile (by
	 * majlisctl), and a body stored for a digest done would never be
	 * dropped */
	else if ((rc = store_digest_get(db, r->d.id, &d)) == -1 ||
	    (rc == 1 && strcmp(d.state, "sending") == 0 &&
	    (r->body = digest_render_store(db, r)) == -1)) {
		buf_puts(&r->error, "it could not be stored");
		r->body = -1;
		db_rollback(db);
	} else if (rc == 0 || strcmp(d.state, "sending") != 0) {
		r->body = 0;
		db_rollback(db);
	} else if (db_commit(db) == -1) {
		buf_puts(&r->error, "it could not be committed");
		r->body = -1;
	}
	db_close(&db);
	return r->body;
}

int64_t
digest_render_digest(const struct digest_render *r)
{
	return r->d.id;
}

void
digest_render_free(struct digest_render **rp)
{
	struct digest_render *r = *rp;
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nposts; i++)
		store_digest_post_clear(&r->posts[i]);
	free(r->posts);
	free(r->mine);
	free(r->post_tm);
	store_group_clear(&r->group);
	free(r->list_domain);
	free(r->site_url);
	digest_template_free(&r->t);
	buf_free(&r->holes);
	free(r->db_path);
	buf_free(&r->error);
	free(r);
	*rp = NULL;
}

/* The stored body of member m's copy: its id, 0 when they have nothing
 * new, -1 on error, -2 when it is still to be rendered (handed to
 * sl->need). Rendered here the first time its variant is met when
 * sl->need is NULL. */
static int64_t
digest_slice_body(struct digest_slice *sl, const struct digest_member *m,
    int *nposts)
{
	size_t first, n = digest_slice_mine(sl, m, &first);
	int64_t id = 0;
	*nposts = (int)n;
	if (n > 0) {
		struct digest_body_key k = { sl->d->id, m->mark, m->locale,
		    m->timezone };
		id = store_digest_body_find(sl->db, &k);
		if (id == 0) {
			struct digest_render *r = digest_render_new(sl, m, first,
			    n);
			if (sl->need != NULL) {
				*sl->need = r;
				id = -2;
			} else {
				id = digest_render_run(r, sl->db) == -1 ? -1 :
				    digest_render_store(sl->db, r);
				digest_render_log(r, id);
				digest_render_free(&r);
			}
		}
	}
	return id;
}

static int
digest_slice_member(struct digest_slice *sl, const struct digest_member *m)
{
	int nposts = 0;
	int64_t outbox = 0;
	if (sl->handled > 0 &&
	    digest_ms_since(&sl->start) > DIGEST_SLICE_BUDGET_MS)
		return -1;	/* the rest waits for the next pass of the loop */
	int64_t body = digest_slice_body(sl, m, &nposts);
	if (body == -2)
		return -1;	/* its body first: this member waits */
	if (body > 0) {
		outbox = store_outbox_add_digest(sl->db, sl->d->group_id,
		    m->member_id, m->email, body);
		sl->queued += outbox > 0;
	}
	if (body == -1 || outbox == -1 || store_digest_record(sl->db, sl->d,
	    m->member_id, outbox, nposts) != 1) {
		sl->failed = 1;
		return -1;
	}
	sl->handled++;
	return 0;
}

/* The members of a slice, read before its posts. */
struct digest_batch {
	struct digest_member	*m;
	size_t			 n;
	int64_t			 low;	/* their lowest mark */
};

static int
digest_batch_add(void *arg, const struct digest_member *m)
{
	struct digest_batch *b = arg;
	struct digest_member *c = &b->m[b->n++];
	*c = *m;
	c->email = xstrdup(m->email);
	c->name = xstrdup(m->name);
	if (b->n == 1 || m->mark < b->low)
		b->low = m->mark;
	return 0;
}

static void
digest_batch_clear(struct digest_batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		store_digest_member_clear(&b->m[i]);
	free(b->m);
}

/* The next members of d after member id *after (from the first when no
 * one is left after it: members who joined with a lower id meanwhile): up
 * to max into b. 0 or -1. */
static int
digest_batch_read(struct db *db, const struct digest_row *d, int64_t after,
    int max, struct digest_batch *b)
{
	memset(b, 0, sizeof *b);
	b->m = xcalloc((size_t)max + 1, sizeof *b->m);
	int n = store_digest_members(db, d, after, max, digest_batch_add, b);
	if (n == 0 && after > 0)
		n = store_digest_members(db, d, 0, max, digest_batch_add, b);
	return n == -1 ? -1 : 0;
}

/* The slice of digest_send_slice and digest_send_slice_async: the
 * members' batch is read first, so that the posts read are only those
 * after its lowest mark. */
static int
digest_slice_run(struct db *db, const struct digest_site *site,
    const struct digest_row *d, int max, int *queued,
    struct digest_render **need, int64_t *after)
{
	struct digest_slice sl;
	struct digest_batch b;
	*queued = 0;
	if (need != NULL)
		*need = NULL;
	if (db_begin(db) == -1)
		return -1;
	int rc = digest_batch_read(db, d, after ? *after : 0, max, &b);
	memset(&sl, 0, sizeof sl);
	if (rc == 0 && b.n > 0)
		rc = digest_slice_open(&sl, db, site, d, b.low);
	sl.need = need;
	clock_gettime(CLOCK_MONOTONIC, &sl.start);
	for (size_t i = 0; rc == 0 && i < b.n; i++) {
		if (digest_slice_member(&sl, &b.m[i]) == -1)
			break;
		if (after != NULL)
			*after = b.m[i].member_id;
	}
	if (rc == -1 || sl.failed || (b.n == 0 &&
	    store_digest_finish(db, d->id) == -1) || db_commit(db) == -1) {
		db_rollback(db);
		digest_slice_close(&sl);
		digest_batch_clear(&b);
		if (need != NULL)
			digest_render_free(need);
		if (after != NULL)
			*after = 0;	/* from the first again */
		log_warnx("digest %lld: a slice failed and was rolled back",
		    (long long)d->id);
		return -1;
	}
	*queued = sl.queued;
	int handled = sl.handled;
	digest_slice_close(&sl);
	digest_batch_clear(&b);
	return handled;
}

int
digest_send_slice(struct db *db, const struct digest_site *site,
    const struct digest_row *d, int max, int *queued, int64_t *after)
{
	return digest_slice_run(db, site, d, max, queued, NULL, after);
}

int
digest_send_slice_async(struct db *db, const struct digest_site *site,
    const struct digest_row *d, int max, int *queued,
    struct digest_render **need, int64_t *after)
{
	return digest_slice_run(db, site, d, max, queued, need, after);
}

int
digest_preview(struct db *db, const struct digest_site *site,
    const struct digest_row *d, const struct digest_member *m,
    struct buf *out)
{
	struct digest_slice sl;
	int rc = -1;
	/* the posts of a preview start at this member's own mark */
	if (digest_slice_open(&sl, db, site, d, m->mark) == 0) {
		struct digest_render *r = digest_render_new(&sl, m, 0,
		    sl.nposts);
		if (digest_render_read(r, db) == 0) {
			struct digest_mail dm = r->dm;
			dm.member = m;	/* the whole member: their links */
			if (dm.nposts > 0)
				digest_compose(out, &dm);
			rc = dm.nposts > 0;
		}
		digest_render_free(&r);
	}
	digest_slice_close(&sl);
	return rc;
}

struct digest_runner {
	struct engine		*e;
	struct event		*check, *work;
	struct digest_site	 site;
	char			*db_path;	/* the render thread's own */
	struct workq		*renderer;	/* NULL: render on the loop */
	int			 rendering;	/* a body is in the renderer */
	int64_t			 digest, after;	/* where its slices are */
};

/* On the render thread: read, render and store with a connection of its
 * own, so that neither the posts' text nor the body's megabytes pass
 * through the loop. */
static void
digest_runner_render(void *job)
{
	struct digest_render *rj = job;
	/* the loop comes first when both want the CPU: this thread's nice
	 * value (Linux keeps one per thread), set once */
	static __thread int niced;
	if (!niced) {
		niced = 1;
		errno = 0;
		if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid),
		    DIGEST_RENDER_NICE) == -1)
			rj->niced = errno;
	}
	digest_render_job(rj, rj->db_path);
}

/* Back on the loop: the slices go on. */
static void
digest_runner_rendered(void *ctx, void *job, int cancelled)
{
	struct digest_runner *r = ctx;
	struct digest_render *rj = job;
	r->rendering = 0;
	if (cancelled || r->e->stopping) {
		digest_render_free(&rj);
		return;
	}
	int64_t id = rj->body;
	if (rj->niced != 0)
		log_warnx("digest: the render thread's priority stays the"
		    " loop's: setpriority: %s", strerror(rj->niced));
	if (id == -1)	/* tried again at the next check */
		log_warnx("digest %lld: a body could not be made: %s",
		    (long long)digest_render_digest(rj), buf_cstr(&rj->error));
	else
		digest_render_log(rj, id);
	digest_render_free(&rj);
	if (id != -1) {
		struct timeval now = { 0, 0 };
		event_add(r->work, &now);
	}
}

static void
digest_runner_work(evutil_socket_t fd, short ev, void *arg)
{
	struct digest_runner *r = arg;
	struct digest_row d;
	if (r->e->stopping || r->rendering ||
	    store_digest_next_sending(r->e->db, &d) != 1)
		return;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int queued;
	struct digest_render *need = NULL;
	if (r->digest != d.id) {
		r->digest = d.id;
		r->after = 0;
	}
	int n = r->renderer ? digest_send_slice_async(r->e->db, &r->site, &d,
	    DIGEST_SLICE_MEMBERS, &queued, &need, &r->after) :
	    digest_send_slice(r->e->db, &r->site, &d, DIGEST_SLICE_MEMBERS,
	    &queued, &r->after);
	log_debug("digest %lld: %d members, %d copies queued in %.1f ms%s",
	    (long long)d.id, n, queued, digest_ms_since(&t0),
	    need ? "; a body goes to the render thread" : "");
	if (queued > 0)
		delivery_kick(r->e->delivery);
	if (need != NULL) {
		r->rendering = 1;
		need->db_path = xstrdup(r->db_path);
		workq_push(r->renderer, need);
		return;		/* digest_runner_rendered goes on */
	}
	if (n == 0)
		log_info("digest %lld: every copy queued (%lld)", (long long)d.id,
		    (long long)store_digest_copies(r->e->db, d.id));
	if (n == -1)
		return;	/* tried again at the next check */
	struct timeval now = { 0, 0 };
	event_add(r->work, &now);	/* after the loop has served I/O */
}

static void
digest_runner_check(evutil_socket_t fd, short ev, void *arg)
{
	struct digest_runner *r = arg;
	if (r->e->stopping)
		return;
	int64_t now = db_now();
	if (digest_issue_due(r->e->db, now) == -1)
		log_warnx("digest: could not check the schedules");
	if (!r->rendering && !event_pending(r->work, EV_TIMEOUT, NULL)) {
		struct timeval zero = { 0, 0 };
		event_add(r->work, &zero);
	}
	/* the next check: at the next slot (on time, whole seconds after it)
	 * or after DIGEST_CHECK_SECONDS, whichever is first */
	int64_t next = digest_next_due(r->e->db, now);
	struct timeval tv = { DIGEST_CHECK_SECONDS, 0 };
	if (next > now && next - now < DIGEST_CHECK_SECONDS)
		tv.tv_sec = (time_t)(next - now);
	event_add(r->check, &tv);
}

struct digest_runner *
digest_runner_new(struct engine *e)
{
	struct digest_runner *r = xcalloc(1, sizeof *r);
	r->e = e;
	r->site.list_domain = e->cfg->list_domain;
	r->site.site_url = e->cfg->site_url;
	struct buf path = BUF_INIT;
	buf_printf(&path, "%s/%s", e->cfg->data_dir, DB_FILE_NAME);
	r->db_path = buf_steal(&path);
	r->check = evtimer_new(e->base, digest_runner_check, r);
	r->work = evtimer_new(e->base, digest_runner_work, r);
	r->renderer = workq_new(e->base, digest_runner_render,
	    digest_runner_rendered, r);
	if (r->renderer == NULL)
		log_warnx("digest: no render thread; bodies are rendered on"
		    " the event loop");
	struct timeval now = { 0, 0 };
	event_add(r->check, &now);	/* slots missed while down: now */
	return r;
}

void
digest_runner_free(struct digest_runner **rp)
{
	struct digest_runner *r = *rp;
	if (r == NULL)
		return;
	workq_free(&r->renderer);	/* waits for a body being rendered */
	event_free(r->check);
	event_free(r->work);
	free(r->db_path);
	free(r);
	*rp = NULL;
}
