/*
 * majlisctl group add|list|show|set: creating groups (slug rules), showing
 * them with their counts and addresses, and setting one policy value
 * (audited with the policy before and after).
 */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/ctl.h"
#include "daemon/db.h"
#include "daemon/mimetypes.h"
#include "daemon/store_group.h"
#include "daemon/store_held.h"
#include "daemon/store_mod.h"
#include "daemon/store_policy.h"
#include "daemon/store_post.h"
#include "daemon/xalloc.h"

/* Suffixes a slug may not end with: they are the group's own addresses. */
static const char *const ctl_group_visibilities[] = {
	"public", "members", "private", NULL
};
static const char *const ctl_group_languages[] = { "ar", "fr", "en", NULL };

/* Counts of one group, for list and show. */
struct ctl_group_stats {
	int64_t	 members, threads, posts, held, last;
};

int
ctl_group_valid_slug(const char *slug)
{
	return store_group_slug_valid(slug);
}

int
ctl_group_get(struct ctl *ctl, const char *slug, struct group *out)
{
	int rc = store_group_get(ctl->db, slug, out);

	if (rc == 1)
		return 0;
	if (rc == 0)
		return ctl_err(CTL_EXIT_NOTFOUND, "no group %.64s", slug);
	return ctl_err(CTL_EXIT_FAILURE, "cannot read group %.64s", slug);
}

static int
ctl_group_check(const char *slug, const char *name, const char *desc,
    const char *visibility, const char *language)
{
	if (!ctl_group_valid_slug(slug))
		return ctl_err(CTL_EXIT_USAGE, "bad slug \"%.64s\": 1 to %d"
		    " lower-case letters, digits or hyphens, not starting with a"
		    " hyphen, not ending with -request, -join, -leave, -owner,"
		    " -bounces, -confirm or -moderate", slug, GROUP_SLUG_MAX - 1);
	if (!ctl_valid_text(name, GROUP_NAME_MAX, 0))
		return ctl_err(CTL_EXIT_USAGE, "bad name: 1 to %d bytes of UTF-8"
		    " text without control characters", GROUP_NAME_MAX);
	if (*desc != '\0' && !ctl_valid_text(desc, CTL_DESCRIPTION_MAX, 1))
		return ctl_err(CTL_EXIT_USAGE, "bad description: at most %d"
		    " bytes of UTF-8 text", CTL_DESCRIPTION_MAX);
	if (!ctl_in(visibility, ctl_group_visibilities))
		return ctl_err(CTL_EXIT_USAGE, "bad visibility \"%.32s\": public,"
		    " members or private", visibility);
	if (!ctl_in(language, ctl_group_languages))
		return ctl_err(CTL_EXIT_USAGE, "bad language \"%.32s\": ar, fr or"
		    " en", language);
	return 0;
}

static int
ctl_group_insert(struct ctl *ctl, const char *slug, const char *name,
    const char *desc, const char *visibility, const char *language)
{
	struct buf err = BUF_INIT;
	struct group g;
	int rc;

	if ((rc = ctl_begin(ctl)) != 0)
		return rc;
	rc = store_group_get(ctl->db, slug, &g);
	if (rc == 1) {
		store_group_clear(&g);
		return ctl_rollback(ctl, ctl_err(CTL_EXIT_CONFLICT,
		    "group %s already exists", slug));
	}
	if (rc == -1)
		return ctl_rollback(ctl, ctl_err(CTL_EXIT_FAILURE,
		    "cannot read the groups"));
	int64_t id = store_group_add(ctl->db, slug, name, desc, visibility,
	    language, &err);
	if (id == -1) {
		rc = ctl_err(CTL_EXIT_FAILURE, "%s", buf_cstr(&err));
		buf_free(&err);
		return ctl_rollback(ctl, rc);
	}
	if ((rc = ctl_audit(ctl, "group.add", id, slug, name)) != 0)
		return ctl_rollback(ctl, rc);
	return ctl_commit(ctl);
}

int
ctl_group_add(struct ctl *ctl, int argc, char **argv)
{
	enum { O_NAME, O_DESC, O_VIS, O_LANG };
	struct ctl_opt opts[] = {
		{ "--name", 1, 0, NULL }, { "--description", 1, 0, NULL },
		{ "--visibility", 1, 0, NULL }, { "--language", 1, 0, NULL },
	};
	const char *pos[1];
	int npos, rc;

	if ((rc = ctl_args(ctl, argc, argv, opts, 4, pos, 1, 1, &npos)) != 0)
		return rc;
	if (!opts[O_NAME].seen)
		return ctl_err(CTL_EXIT_USAGE, "--name is required; usage: %s",
		    ctl->usage);
	const char *desc = opts[O_DESC].value ? opts[O_DESC].value : "";
	const char *vis = opts[O_VIS].value ? opts[O_VIS].value : "public";
	const char *lang = opts[O_LANG].value ? opts[O_LANG].value : "en";
	if ((rc = ctl_group_check(pos[0], opts[O_NAME].value, desc, vis,
	    lang)) != 0)
		return rc;
	if ((rc = ctl_group_insert(ctl, pos[0], opts[O_NAME].value, desc, vis,
	    lang)) != 0)
		return rc;
	printf("group %s added\n", pos[0]);
	return ctl_out(NULL, 0);
}

static int
ctl_group_thread_cb(void *arg, const struct thread *t)
{
	struct ctl_group_stats *st = arg;

	st->threads++;
	st->posts += t->post_count;
	if (t->last_post > st->last)
		st->last = t->last_post;
	return 0;
}

static int
ctl_group_held_cb(void *arg, const struct held *h)
{
	(void)h;
	((struct ctl_group_stats *)arg)->held++;
	return 0;
}

static int
ctl_group_stats(struct ctl *ctl, int64_t group_id, struct ctl_group_stats *st)
{
	memset(st, 0, sizeof *st);
	st->members = store_group_count_members(ctl->db, group_id);
	if (store_thread_each(ctl->db, group_id, ctl_group_thread_cb, st) == -1 ||
	    store_held_each(ctl->db, group_id, ctl_group_held_cb, st) == -1)
		return ctl_err(CTL_EXIT_FAILURE, "cannot count the threads of"
		    " group %" PRId64, group_id);
	return 0;
}

/* The members of a group object common to list and show. */
static void
ctl_group_json(struct json *j, const struct group *g,
    const struct ctl_group_stats *st)
{
	json_kv_int(j, "id", g->id);
	json_kv_string(j, "slug", g->slug);
	json_kv_string(j, "name", g->name);
	json_kv_string(j, "description", g->description);
	json_kv_string(j, "visibility", g->visibility);
	json_kv_string(j, "language", g->language);
	json_kv_string(j, "post_policy", g->post_policy);
	json_kv_bool(j, "archived", g->archived);
	ctl_json_time(j, "created", g->created);
	json_kv_int(j, "members", st->members);
	json_kv_int(j, "threads", st->threads);
	json_kv_int(j, "posts", st->posts);
	json_kv_int(j, "held", st->held);
	ctl_json_time(j, "last_activity", st->last);
}

struct ctl_group_listing {
	struct ctl		*ctl;
	struct json		*json;
	struct ctl_table	*table;
	int			 rc;
};

static int
ctl_group_list_cb(void *arg, const struct group *g)
{
	struct ctl_group_listing *l = arg;
	struct ctl_group_stats st;

	if ((l->rc = ctl_group_stats(l->ctl, g->id, &st)) != 0)
		return -1;
	if (l->json) {
		json_begin_object(l->json);
		ctl_group_json(l->json, g, &st);
		json_end_object(l->json);
		return 0;
	}
	ctl_table_add(l->table, g->slug);
	ctl_table_add(l->table, g->name);
	ctl_table_add(l->table, g->visibility);
	ctl_table_add(l->table, g->language);
	ctl_table_addf(l->table, "%" PRId64, st.members);
	ctl_table_addf(l->table, "%" PRId64, st.threads);
	ctl_table_addf(l->table, "%" PRId64, st.held);
	ctl_table_add_time(l->table, st.last);
	return 0;
}

int
ctl_group_list(struct ctl *ctl, int argc, char **argv)
{
	static const char *const heads[] = { "SLUG", "NAME", "VISIBILITY",
	    "LANG", "MEMBERS", "THREADS", "HELD", "LAST ACTIVITY" };
	struct ctl_opt opts[] = { { "--json", 0, 0, NULL } };
	struct ctl_group_listing l = { ctl, NULL, NULL, 0 };
	struct ctl_table t;
	struct buf out = BUF_INIT;
	struct json j;
	int npos, rc;

	if ((rc = ctl_args(ctl, argc, argv, opts, 1, NULL, 0, 0, &npos)) != 0)
		return rc;
	json_init(&j, &out);
	ctl_table_init(&t, 8, heads);
	if (opts[0].seen) {
		l.json = &j;
		json_begin_array(&j);
	} else
		l.table = &t;
	if (store_group_each(ctl->db, ctl_group_list_cb, &l) == -1)
		rc = ctl_err(CTL_EXIT_FAILURE, "cannot list the groups");
	else if (l.rc != 0)
		rc = l.rc;
	else if (opts[0].seen) {
		json_end_array(&j);
		rc = ctl_json_out(&j, &out);
	} else
		rc = ctl_table_print(&t);
	ctl_table_free(&t);
	buf_free(&out);
	return rc;
}

static void
ctl_group_show_json(struct json *j, const struct group *g,
    const struct ctl_group_stats *st, const char *domain)
{
	static const char *const kinds[] = { "post", "request", "join", "leave",
	    "owner" };
	struct buf a = BUF_INIT;

	json_begin_object(j);
	ctl_group_json(j, g, st);
	json_key(j, "addresses");
	json_begin_object(j);
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		buf_reset(&a);
		buf_printf(&a, "%s%s%s@%s", g->slug, i ? "-" : "",
		    i ? kinds[i] : "", domain);
		json_kv_string(j, kinds[i], buf_cstr(&a));
	}
	json_end_object(j);
	json_end_object(j);
	buf_free(&a);
}

static void
ctl_group_row(struct ctl_table *t, const char *field, const char *value)
{
	ctl_table_add(t, field);
	ctl_table_add(t, value);
}

static int
ctl_group_show_table(const struct group *g, const struct ctl_group_stats *st,
    const char *domain)
{
	struct ctl_table t;

	ctl_table_init(&t, 2, NULL);
	t.full = 1;
	ctl_group_row(&t, "slug:", g->slug);
	ctl_group_row(&t, "name:", g->name);
	ctl_group_row(&t, "description:", g->description);
	ctl_group_row(&t, "visibility:", g->visibility);
	ctl_group_row(&t, "language:", g->language);
	ctl_group_row(&t, "post policy:", g->post_policy);
	ctl_group_row(&t, "archived:", g->archived ? "yes" : "no");
	ctl_table_add(&t, "created:");
	ctl_table_add_time(&t, g->created);
	ctl_table_add(&t, "members:");
	ctl_table_addf(&t, "%" PRId64, st->members);
	ctl_table_add(&t, "threads:");
	ctl_table_addf(&t, "%" PRId64 " (%" PRId64 " posts)", st->threads,
	    st->posts);
	ctl_table_add(&t, "held:");
	ctl_table_addf(&t, "%" PRId64, st->held);
	ctl_table_add(&t, "last activity:");
	ctl_table_add_time(&t, st->last);
	ctl_table_add(&t, "address:");
	ctl_table_addf(&t, "%s@%s", g->slug, domain);
	ctl_table_add(&t, "commands:");
	ctl_table_addf(&t, "%s-request@%s", g->slug, domain);
	ctl_table_add(&t, "owners:");
	ctl_table_addf(&t, "%s-owner@%s", g->slug, domain);
	int rc = ctl_table_print(&t);
	ctl_table_free(&t);
	return rc;
}

int
ctl_group_show(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_opt opts[] = { { "--json", 0, 0, NULL } };
	struct ctl_group_stats st;
	const char *pos[1];
	struct group g;
	int npos, rc;

	if ((rc = ctl_args(ctl, argc, argv, opts, 1, pos, 1, 1, &npos)) != 0)
		return rc;
	if ((rc = ctl_group_get(ctl, pos[0], &g)) != 0)
		return rc;
	if ((rc = ctl_group_stats(ctl, g.id, &st)) == 0) {
		if (opts[0].seen) {
			struct buf out = BUF_INIT;
			struct json j;
			json_init(&j, &out);
			ctl_group_show_json(&j, &g, &st, ctl->cfg.list_domain);
			rc = ctl_json_out(&j, &out);
			buf_free(&out);
		} else
			rc = ctl_group_show_table(&g, &st, ctl->cfg.list_domain);
	}
	store_group_clear(&g);
	return rc;
}

/* The keys of group set, in the order of the usage text. */
static const char *const ctl_group_keys[] = {
	"post_policy", "first_post_held", "max_kib", "rate_per_hour",
	"member_notices", "mime_types", "mime_action", "pending_hours",
	"language", "visibility", "description", "subject_prefix", "reply_to",
	"digest_weekday", "digest_hour", "digest_tz", NULL
};

/* A whole decimal number of at most 9 digits: 0 with *out set, or -1. */
static int
ctl_group_number(const char *s, int *out)
{
	size_t n = strlen(s);
	if (n == 0 || n > 9 || strspn(s, "0123456789") != n)
		return -1;
	*out = atoi(s);
	return 0;
}

static int
ctl_group_yesno(const char *s, int *out)
{
	if (strcmp(s, "yes") == 0 || strcmp(s, "1") == 0)
		*out = 1;
	else if (strcmp(s, "no") == 0 || strcmp(s, "0") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

/* Copy v into a fixed field, refusing what does not fit. */
static int
ctl_group_word(char *field, size_t size, const char *v)
{
	if (strlen(v) >= size)
		return -1;
	memcpy(field, v, strlen(v) + 1);
	return 0;
}

static void
ctl_group_str(char **field, const char *v)
{
	free(*field);
	*field = xstrdup(v);
}

/* Put value v of key k into p (the limits are store_policy_check's):
 * 0, or -1 when v cannot be read as that key's kind of value. */
static int
ctl_group_apply(struct group_policy *p, const char *k, const char *v)
{
	struct buf norm = BUF_INIT;
	const char *why;
	int rc = 0;
	if (strcmp(k, "post_policy") == 0)
		rc = ctl_group_word(p->post_policy, sizeof p->post_policy, v);
	else if (strcmp(k, "first_post_held") == 0)
		rc = ctl_group_yesno(v, &p->first_post_held);
	else if (strcmp(k, "member_notices") == 0)
		rc = ctl_group_yesno(v, &p->member_notices);
	else if (strcmp(k, "max_kib") == 0)
		rc = ctl_group_number(v, &p->max_kib);
	else if (strcmp(k, "rate_per_hour") == 0)
		rc = ctl_group_number(v, &p->rate_per_hour);
	else if (strcmp(k, "pending_hours") == 0)
		rc = ctl_group_number(v, &p->pending_hours);
	else if (strcmp(k, "digest_hour") == 0)
		rc = ctl_group_number(v, &p->digest.hour);
	else if (strcmp(k, "mime_types") == 0 &&
	    (rc = mimetypes_parse(v, &norm, &why)) == 0)
		ctl_group_str(&p->mime_types, buf_cstr(&norm));
	else if (strcmp(k, "mime_action") == 0)
		rc = ctl_group_word(p->mime_action, sizeof p->mime_action, v);
	else if (strcmp(k, "language") == 0)
		rc = ctl_group_word(p->language, sizeof p->language, v);
	else if (strcmp(k, "visibility") == 0)
		rc = ctl_group_word(p->visibility, sizeof p->visibility, v);
	else if (strcmp(k, "description") == 0)
		rc = *v && !ctl_valid_text(v, CTL_DESCRIPTION_MAX, 1) ? -1 : 0;
	else if (strcmp(k, "subject_prefix") == 0 &&
	    (rc = store_policy_prefix_parse(v, &norm)) == 0)
		ctl_group_str(&p->subject_prefix, buf_cstr(&norm));
	else if (strcmp(k, "reply_to") == 0)
		rc = ctl_group_word(p->reply_to, sizeof p->reply_to, v);
	else if (strcmp(k, "digest_weekday") == 0)
		rc = (p->digest.weekday = store_policy_weekday(v)) < 0 ? -1 : 0;
	else if (strcmp(k, "digest_tz") == 0)
		rc = ctl_group_word(p->digest.tz, sizeof p->digest.tz, v);
	if (rc == 0 && strcmp(k, "description") == 0)
		ctl_group_str(&p->description, v);
	buf_free(&norm);
	return rc;
}

/* Save p over old in one transaction, audited when it changed. */
static int
ctl_group_save(struct ctl *ctl, const struct group *g,
    const struct group_policy *old, const struct group_policy *p)
{
	struct buf before = BUF_INIT, after = BUF_INIT, err = BUF_INIT;
	int rc = 0;
	store_policy_json(&before, old);
	store_policy_json(&after, p);
	if (store_policy_check(p, &err) == -1)
		rc = ctl_err(CTL_EXIT_USAGE, "bad value: %s", buf_cstr(&err));
	else if (strcmp(buf_cstr(&before), buf_cstr(&after)) != 0) {
		if (store_policy_set(ctl->db, g->id, p, &err) == -1)
			rc = ctl_err(CTL_EXIT_FAILURE, "%s", buf_cstr(&err));
		else if (store_mod_audit(ctl->db, CTL_ACTOR, "group.policy", g->id,
		    g->slug, "", buf_cstr(&before), buf_cstr(&after)) == -1)
			rc = ctl_err(CTL_EXIT_FAILURE, "cannot write the audit log");
	}
	buf_free(&before);
	buf_free(&after);
	buf_free(&err);
	return rc;
}

int
ctl_group_set(struct ctl *ctl, int argc, char **argv)
{
	const char *pos[CTL_ARGS_MAX];
	int npos, rc;
	for (int i = 0; i < argc; i++)
		if (strncmp(argv[i], "--digest-", 9) == 0)
			return ctl_digest_group_set(ctl, argc, argv);
	if ((rc = ctl_args(ctl, argc, argv, NULL, 0, pos, 3, 3, &npos)) != 0)
		return rc;
	if (!ctl_in(pos[1], ctl_group_keys))
		return ctl_err(CTL_EXIT_USAGE, "unknown key \"%.32s\"; usage: %s",
		    pos[1], ctl->usage);
	struct group g;
	if ((rc = ctl_group_get(ctl, pos[0], &g)) != 0)
		return rc;
	struct group_policy old, p;
	if ((rc = ctl_begin(ctl)) != 0) {
		store_group_clear(&g);
		return rc;
	}
	if (store_policy_get(ctl->db, g.id, &old) != 1)
		rc = ctl_err(CTL_EXIT_FAILURE, "cannot read the policy of %s",
		    g.slug);
	else if (store_policy_get(ctl->db, g.id, &p) != 1) {
		store_policy_clear(&old);
		rc = ctl_err(CTL_EXIT_FAILURE, "cannot read the policy of %s",
		    g.slug);
	} else {
		if (ctl_group_apply(&p, pos[1], pos[2]) == -1)
			rc = ctl_err(CTL_EXIT_USAGE, "bad value for %s: \"%.64s\"",
			    pos[1], pos[2]);
		else
			rc = ctl_group_save(ctl, &g, &old, &p);
		store_policy_clear(&old);
		store_policy_clear(&p);
	}
	rc = rc != 0 ? ctl_rollback(ctl, rc) : ctl_commit(ctl);
	if (rc == 0)
		printf("%s: %s set\n", g.slug, pos[1]);
	store_group_clear(&g);
	return rc;
}
