/*
 * majlisctl group set (digest schedule) and digest preview|send: what a
 * member's digest would be, and sending the due one now through the outbox
 * the running majlisd delivers.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/ctl.h"
#include "daemon/db.h"
#include "daemon/digest.h"
#include "daemon/store_digest.h"
#include "daemon/store_group.h"

static const char *const ctl_digest_weekdays[] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL
};

static int
ctl_digest_weekday(const char *s)
{
	for (int i = 0; ctl_digest_weekdays[i]; i++)
		if (strcmp(s, ctl_digest_weekdays[i]) == 0)
			return i;
	return -1;
}

int
ctl_digest_group_set(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_opt opts[] = { { "--digest-weekday", 1, 0, NULL },
	    { "--digest-hour", 1, 0, NULL }, { "--digest-tz", 1, 0, NULL } };
	const char *pos[CTL_ARGS_MAX];
	int npos, rc;
	if ((rc = ctl_args(ctl, argc, argv, opts, 3, pos, 1, 1, &npos)) != 0)
		return rc;
	struct group g;
	if ((rc = ctl_group_get(ctl, pos[0], &g)) != 0)
		return rc;
	struct digest_schedule s;
	if (store_digest_schedule_get(ctl->db, g.id, &s) == -1) {
		store_group_clear(&g);
		return ctl_err(CTL_EXIT_FAILURE, "cannot read the schedule");
	}
	if (opts[0].seen && (s.weekday = ctl_digest_weekday(opts[0].value)) < 0)
		rc = ctl_err(CTL_EXIT_USAGE, "bad weekday: sun, mon, tue, wed,"
		    " thu, fri or sat");
	char *end = NULL;
	long h = opts[1].seen ? strtol(opts[1].value, &end, 10) : s.hour;
	if (rc == 0 && opts[1].seen && (*opts[1].value == '\0' || *end != '\0' ||
	    h < 0 || h > 23))
		rc = ctl_err(CTL_EXIT_USAGE, "bad hour: 0 to 23");
	s.hour = (int)h;
	if (rc == 0 && opts[2].seen) {
		if (!digest_tz_valid(opts[2].value))
			rc = ctl_err(CTL_EXIT_USAGE, "unknown time zone \"%.64s\":"
			    " an IANA name such as Africa/Casablanca", opts[2].value);
		else
			snprintf(s.tz, sizeof s.tz, "%s", opts[2].value);
	}
	char detail[128];
	snprintf(detail, sizeof detail, "digest %s %02d:00 %s",
	    ctl_digest_weekdays[s.weekday], s.hour, s.tz);
	if (rc == 0 && (rc = ctl_begin(ctl)) == 0) {
		if (store_digest_schedule_set(ctl->db, g.id, &s) == -1)
			rc = ctl_rollback(ctl, ctl_err(CTL_EXIT_FAILURE,
			    "cannot save the schedule"));
		else if ((rc = ctl_audit(ctl, "group.set", g.id, g.slug,
		    detail)) != 0)
			ctl_rollback(ctl, rc);
		else
			rc = ctl_commit(ctl);
	}
	if (rc == 0)
		printf("%s: %s\n", g.slug, detail);
	store_group_clear(&g);
	return rc;
}

/* The common options of digest preview and send. */
static int
ctl_digest_args(struct ctl *ctl, int argc, char **argv, struct ctl_opt *opts,
    size_t nopts, struct group *g, enum digest_kind *k)
{
	const char *pos[CTL_ARGS_MAX];
	int npos, rc;
	if ((rc = ctl_args(ctl, argc, argv, opts, nopts, pos, 1, 1, &npos)) != 0)
		return rc;
	*k = DIGEST_WEEKLY;
	if (opts[0].seen && digest_kind_parse(opts[0].value, k) == -1)
		return ctl_err(CTL_EXIT_USAGE, "bad period: daily or weekly");
	return ctl_group_get(ctl, pos[0], g);
}

struct ctl_digest_pick {
	const char		*email;
	struct digest_member	 m;
	int			 found;
};

static int
ctl_digest_pick_cb(void *arg, const struct digest_member *m)
{
	struct ctl_digest_pick *p = arg;
	if (p->found || (p->email && strcasecmp(p->email, m->email) != 0))
		return 0;
	p->m = *m;
	p->m.email = strdup(m->email);
	p->m.name = strdup(m->name);
	p->found = 1;
	return -1;
}

int
ctl_digest_preview(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_opt opts[] = { { "--period", 1, 0, NULL },
	    { "--member", 1, 0, NULL } };
	struct group g;
	enum digest_kind k;
	int rc = ctl_digest_args(ctl, argc, argv, opts, 2, &g, &k);
	if (rc != 0)
		return rc;
	/* the digest that would be issued now, never written */
	struct digest_row d, last;
	memset(&d, 0, sizeof d);
	d.group_id = g.id;
	snprintf(d.kind, sizeof d.kind, "%s", digest_kind_name(k));
	d.period_end = db_now();
	d.volume = 1;
	d.issue = 1;
	if (store_digest_last(ctl->db, g.id, d.kind, &last) == 1) {
		d.volume = last.volume;
		d.issue = last.issue + 1;
		d.base_post_id = last.max_post_id;
	}
	d.max_post_id = db_int(ctl->db, "SELECT coalesce(max(id), 0) FROM"
	    " posts WHERE group_id = ?", 0, "i", g.id);
	struct ctl_digest_pick p = { opts[1].seen ? opts[1].value : NULL };
	if (store_digest_members(ctl->db, &d, 0, -1, ctl_digest_pick_cb,
	    &p) == -1)
		rc = ctl_err(CTL_EXIT_FAILURE, "cannot read the members");
	else if (!p.found)
		rc = ctl_err(CTL_EXIT_NOTFOUND, "no member of %s on %s digest%s%s",
		    g.slug, d.kind, p.email ? " with address " : "",
		    p.email ? p.email : "");
	else {
		struct digest_site site = { ctl->cfg.list_domain,
		    ctl->cfg.site_url };
		struct buf out = BUF_INIT;
		int n = digest_preview(ctl->db, &site, &d, &p.m, &out);
		if (n == -1)
			rc = ctl_err(CTL_EXIT_FAILURE, "cannot build the digest");
		else if (n == 0)
			printf("%s: nothing new for %s\n", g.slug, p.m.email);
		else
			rc = ctl_out(out.data, out.len);
		buf_free(&out);
	}
	if (p.found)
		store_digest_member_clear(&p.m);
	store_group_clear(&g);
	return rc;
}

int
ctl_digest_send(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_opt opts[] = { { "--period", 1, 0, NULL } };
	struct group g;
	enum digest_kind k;
	int rc = ctl_digest_args(ctl, argc, argv, opts, 1, &g, &k);
	if (rc != 0)
		return rc;
	/* one left half sent (a crash, a kill) is finished first */
	struct digest_row d;
	int64_t id;
	if (store_digest_last(ctl->db, g.id, digest_kind_name(k), &d) == 1 &&
	    strcmp(d.state, "sending") == 0)
		id = d.id;
	else
		id = digest_issue_now(ctl->db, g.id, k, db_now());
	int total = 0, n, queued;
	if (id == -1)
		rc = ctl_err(CTL_EXIT_FAILURE, "cannot issue the digest");
	else if (id == 0)
		printf("%s: no post since the last %s digest\n", g.slug,
		    digest_kind_name(k));
	else if (store_digest_get(ctl->db, id, &d) != 1)
		rc = ctl_err(CTL_EXIT_FAILURE, "cannot read digest %lld",
		    (long long)id);
	else {
		int64_t after = 0;
		while ((n = digest_send_slice(ctl->db, &(struct digest_site){
		    ctl->cfg.list_domain, ctl->cfg.site_url }, &d,
		    DIGEST_SLICE_MEMBERS, &queued, &after)) > 0)
			total += queued;
		if (n == -1)
			rc = ctl_err(CTL_EXIT_FAILURE, "digest %lld: sending failed"
			    " (what was queued stays; run again to resume)",
			    (long long)id);
		else
			printf("%s: %s digest %lld (vol. %d, issue %d): %d copies"
			    " queued\n", g.slug, d.kind, (long long)id, d.volume,
			    d.issue, total);
	}
	store_group_clear(&g);
	return rc;
}
