/*
 * majlisctl member add|list|remove|set: memberships of a group, changed in
 * one audited transaction each.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "daemon/ctl.h"
#include "daemon/db.h"
#include "daemon/store_group.h"
#include "mail/charset.h"

static const char *const ctl_member_roles[] = {
	"member", "moderator", "owner", NULL
};
static const char *const ctl_member_deliveries[] = {
	"each", "daily", "weekly", "none", NULL
};
static const char *const ctl_member_yesno[] = { "yes", "no", NULL };

int
ctl_member_valid_email(const char *s)
{
	size_t len = strlen(s);
	const char *at = strchr(s, '@');

	if (len == 0 || len > CTL_EMAIL_MAX || at == NULL || at == s ||
	    at[1] == '\0' || strchr(at + 1, '@') != NULL ||
	    !charset_utf8_valid(s, len))
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return 0;
	/* C1 controls (U+0080-U+009F) are \xc2\x80-\xc2\x9f in UTF-8. */
	for (const char *p = strstr(s, "\xc2"); p; p = strstr(p + 1, "\xc2"))
		if ((unsigned char)p[1] >= 0x80 && (unsigned char)p[1] <= 0x9f)
			return 0;
	return 1;
}

static int
ctl_member_check_email(const char *email)
{
	if (!ctl_member_valid_email(email))
		return ctl_err(CTL_EXIT_USAGE, "bad address \"%.80s\": one @"
		    " between non-empty parts, no spaces, at most %d bytes",
		    email, CTL_EMAIL_MAX);
	return 0;
}

static int
ctl_member_check_role(const char *role)
{
	if (role != NULL && !ctl_in(role, ctl_member_roles))
		return ctl_err(CTL_EXIT_USAGE, "bad role \"%.32s\": member,"
		    " moderator or owner", role);
	return 0;
}

static int
ctl_member_check_delivery(const char *delivery)
{
	if (delivery != NULL && !ctl_in(delivery, ctl_member_deliveries))
		return ctl_err(CTL_EXIT_USAGE, "bad delivery \"%.32s\": each,"
		    " daily, weekly or none", delivery);
	return 0;
}

/* The group and the member's membership, inside a transaction: 0, or an
 * error line and its exit code. */
static int
ctl_member_find(struct ctl *ctl, const char *slug, const char *email,
    struct group *g, struct membership *m)
{
	int rc;

	if ((rc = ctl_group_get(ctl, slug, g)) != 0)
		return rc;
	rc = store_membership_get(ctl->db, g->id, email, m);
	if (rc == 1)
		return 0;
	store_group_clear(g);
	if (rc == 0)
		return ctl_err(CTL_EXIT_NOTFOUND, "%.80s is not a member of %s",
		    email, slug);
	return ctl_err(CTL_EXIT_FAILURE, "cannot read the members of %s", slug);
}

static int
ctl_member_insert(struct ctl *ctl, const struct group *g, const char *email,
    const char *name, const char *role, const char *delivery)
{
	struct buf err = BUF_INIT, detail = BUF_INIT;
	int64_t mid = store_member_ensure(ctl->db, email, name);
	int rc;

	if (mid == -1)
		return ctl_err(CTL_EXIT_FAILURE, "cannot add member %.80s", email);
	rc = store_membership_add(ctl->db, g->id, mid, role, delivery, &err);
	if (rc == 1) {
		buf_printf(&detail, "role=%s delivery=%s", role, delivery);
		rc = ctl_audit(ctl, "member.add", g->id, email, buf_cstr(&detail));
	} else if (rc == 0)
		rc = ctl_err(CTL_EXIT_CONFLICT, "%.80s is already a member of %s",
		    email, g->slug);
	else
		rc = ctl_err(CTL_EXIT_FAILURE, "%s", buf_cstr(&err));
	buf_free(&err);
	buf_free(&detail);
	return rc;
}

int
ctl_member_add(struct ctl *ctl, int argc, char **argv)
{
	enum { O_NAME, O_ROLE, O_DELIVERY };
	struct ctl_opt opts[] = {
		{ "--name", 1, 0, NULL }, { "--role", 1, 0, NULL },
		{ "--delivery", 1, 0, NULL },
	};
	const char *pos[2];
	const char *name, *role, *delivery;
	struct group g;
	int npos, rc;

	if ((rc = ctl_args(ctl, argc, argv, opts, 3, pos, 2, 2, &npos)) != 0)
		return rc;
	name = opts[O_NAME].value ? opts[O_NAME].value : "";
	role = opts[O_ROLE].value ? opts[O_ROLE].value : "member";
	delivery = opts[O_DELIVERY].value ? opts[O_DELIVERY].value : "each";
	if ((rc = ctl_member_check_email(pos[1])) != 0 ||
	    (rc = ctl_member_check_role(role)) != 0 ||
	    (rc = ctl_member_check_delivery(delivery)) != 0)
		return rc;
	if (*name != '\0' && !ctl_valid_text(name, CTL_NAME_MAX, 0))
		return ctl_err(CTL_EXIT_USAGE, "bad name: at most %d bytes of"
		    " UTF-8 text without control characters", CTL_NAME_MAX);
	if ((rc = ctl_begin(ctl)) != 0)
		return rc;
	if ((rc = ctl_group_get(ctl, pos[0], &g)) != 0)
		return ctl_rollback(ctl, rc);
	rc = ctl_member_insert(ctl, &g, pos[1], name, role, delivery);
	store_group_clear(&g);
	if (rc != 0)
		return ctl_rollback(ctl, rc);
	if ((rc = ctl_commit(ctl)) != 0)
		return rc;
	printf("%s added to %s\n", pos[1], pos[0]);
	return ctl_out(NULL, 0);
}

struct ctl_member_listing {
	struct json		*json;
	struct ctl_table	*table;
};

static int
ctl_member_list_cb(void *arg, const struct membership *m)
{
	struct ctl_member_listing *l = arg;

	if (l->json) {
		struct json *j = l->json;
		json_begin_object(j);
		json_kv_string(j, "email", m->email);
		json_kv_string(j, "name", m->name);
		json_kv_string(j, "role", m->role);
		json_kv_string(j, "delivery", m->delivery);
		json_kv_bool(j, "moderated", m->moderated);
		json_kv_bool(j, "receive_own", m->receive_own);
		json_kv_int(j, "bounce_score", m->bounce_score);
		json_kv_bool(j, "suspended", m->suspended);
		ctl_json_time(j, "joined", m->joined);
		json_end_object(j);
		return 0;
	}
	ctl_table_add(l->table, m->email);
	ctl_table_add(l->table, m->name);
	ctl_table_add(l->table, m->role);
	ctl_table_add(l->table, m->delivery);
	ctl_table_add(l->table, m->moderated ? "yes" : "no");
	ctl_table_addf(l->table, "%d", m->bounce_score);
	ctl_table_add(l->table, m->suspended ? "yes" : "no");
	ctl_table_add_time(l->table, m->joined);
	return 0;
}

int
ctl_member_list(struct ctl *ctl, int argc, char **argv)
{
	static const char *const heads[] = { "EMAIL", "NAME", "ROLE",
	    "DELIVERY", "MODERATED", "BOUNCES", "SUSPENDED", "JOINED" };
	struct ctl_opt opts[] = { { "--json", 0, 0, NULL } };
	struct ctl_member_listing l = { NULL, NULL };
	struct buf out = BUF_INIT;
	struct ctl_table t;
	const char *pos[1];
	struct group g;
	struct json j;
	int npos, rc;

	if ((rc = ctl_args(ctl, argc, argv, opts, 1, pos, 1, 1, &npos)) != 0 ||
	    (rc = ctl_group_get(ctl, pos[0], &g)) != 0)
		return rc;
	json_init(&j, &out);
	ctl_table_init(&t, 8, heads);
	if (opts[0].seen) {
		l.json = &j;
		json_begin_array(&j);
	} else
		l.table = &t;
	if (store_membership_each(ctl->db, g.id, ctl_member_list_cb, &l) == -1)
		rc = ctl_err(CTL_EXIT_FAILURE, "cannot list the members of %s",
		    g.slug);
	else if (opts[0].seen) {
		json_end_array(&j);
		rc = ctl_json_out(&j, &out);
	} else
		rc = ctl_table_print(&t);
	ctl_table_free(&t);
	buf_free(&out);
	store_group_clear(&g);
	return rc;
}

int
ctl_member_remove(struct ctl *ctl, int argc, char **argv)
{
	struct membership m;
	const char *pos[2];
	struct group g;
	int npos, rc;

	if ((rc = ctl_args(ctl, argc, argv, NULL, 0, pos, 2, 2, &npos)) != 0 ||
	    (rc = ctl_begin(ctl)) != 0)
		return rc;
	if ((rc = ctl_member_find(ctl, pos[0], pos[1], &g, &m)) != 0)
		return ctl_rollback(ctl, rc);
	if (store_membership_remove(ctl->db, g.id, m.member_id) != 1)
		rc = ctl_err(CTL_EXIT_FAILURE, "cannot remove %.80s", m.email);
	else
		rc = ctl_audit(ctl, "member.remove", g.id, m.email, "");
	store_group_clear(&g);
	store_membership_clear(&m);
	if (rc != 0)
		return ctl_rollback(ctl, rc);
	if ((rc = ctl_commit(ctl)) != 0)
		return rc;
	printf("%s removed from %s\n", pos[1], pos[0]);
	return ctl_out(NULL, 0);
}

/* Apply one field; a new delivery mode also lifts a suspension by bounces
 * (store_membership_set resets the bounce score with it). */
static int
ctl_member_set_field(struct ctl *ctl, const struct membership *m,
    const char *field, const char *value, struct buf *detail)
{
	struct buf err = BUF_INIT;
	int rc = store_membership_set(ctl->db, m->group_id, m->member_id, field,
	    value, &err);

	if (rc == 1 && strcmp(field, "delivery") == 0 && m->suspended)
		rc = store_membership_set(ctl->db, m->group_id, m->member_id,
		    "suspended", "no", &err);
	if (rc != 1) {
		rc = ctl_err(CTL_EXIT_FAILURE, "cannot set %s: %s", field,
		    buf_cstr(&err));
		buf_free(&err);
		return rc;
	}
	buf_printf(detail, "%s%s=%s", detail->len ? " " : "", field, value);
	return 0;
}

static int
ctl_member_update(struct ctl *ctl, const char *slug, const char *email,
    const struct ctl_opt *opts, struct buf *detail)
{
	static const char *const fields[] = { "delivery", "role", "moderated" };
	struct membership m;
	struct group g;
	int rc;

	if ((rc = ctl_begin(ctl)) != 0)
		return rc;
	if ((rc = ctl_member_find(ctl, slug, email, &g, &m)) != 0)
		return ctl_rollback(ctl, rc);
	for (int i = 0; i < 3 && rc == 0; i++)
		if (opts[i].seen)
			rc = ctl_member_set_field(ctl, &m, fields[i],
			    opts[i].value, detail);
	if (rc == 0)
		rc = ctl_audit(ctl, "member.set", g.id, m.email, buf_cstr(detail));
	store_group_clear(&g);
	store_membership_clear(&m);
	if (rc != 0)
		return ctl_rollback(ctl, rc);
	return ctl_commit(ctl);
}

int
ctl_member_set(struct ctl *ctl, int argc, char **argv)
{
	enum { O_DELIVERY, O_ROLE, O_MODERATED };
	struct ctl_opt opts[] = {
		{ "--delivery", 1, 0, NULL }, { "--role", 1, 0, NULL },
		{ "--moderated", 1, 0, NULL },
	};
	struct buf detail = BUF_INIT;
	const char *pos[2];
	int npos, rc;

	if ((rc = ctl_args(ctl, argc, argv, opts, 3, pos, 2, 2, &npos)) != 0)
		return rc;
	if (!opts[O_DELIVERY].seen && !opts[O_ROLE].seen &&
	    !opts[O_MODERATED].seen)
		return ctl_err(CTL_EXIT_USAGE, "nothing to change; usage: %s",
		    ctl->usage);
	if ((rc = ctl_member_check_delivery(opts[O_DELIVERY].value)) != 0 ||
	    (rc = ctl_member_check_role(opts[O_ROLE].value)) != 0)
		return rc;
	if (opts[O_MODERATED].seen &&
	    !ctl_in(opts[O_MODERATED].value, ctl_member_yesno))
		return ctl_err(CTL_EXIT_USAGE, "bad --moderated \"%.32s\": yes or"
		    " no", opts[O_MODERATED].value);
	rc = ctl_member_update(ctl, pos[0], pos[1], opts, &detail);
	if (rc == 0) {
		printf("%s in %s: %s\n", pos[1], pos[0], buf_cstr(&detail));
		rc = ctl_out(NULL, 0);
	}
	buf_free(&detail);
	return rc;
}
