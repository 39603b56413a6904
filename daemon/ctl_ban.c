/*
 * majlisctl ban add|list|remove: the banned addresses, domains and
 * patterns of a group or of the whole site, changed in one audited
 * transaction each.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "daemon/ban.h"
#include "daemon/ctl.h"
#include "daemon/db.h"
#include "daemon/store_ban.h"

/* The scope named by --site or a SLUG argument: 0 with *group_id set (0
 * for the site), or an error line and its code. */
static int
ctl_ban_scope(struct ctl *ctl, int site, const char *slug, int64_t *group_id)
{
	struct group g;
	int rc;

	*group_id = 0;
	if (site && slug != NULL)
		return ctl_err(CTL_EXIT_USAGE, "give a SLUG or --site, not both;"
		    " usage: %s", ctl->usage);
	if (site)
		return 0;
	if (slug == NULL)
		return ctl_err(CTL_EXIT_USAGE, "give a SLUG or --site; usage: %s",
		    ctl->usage);
	if ((rc = ctl_group_get(ctl, slug, &g)) != 0)
		return rc;
	*group_id = g.id;
	store_group_clear(&g);
	return 0;
}

static int
ctl_ban_insert(struct ctl *ctl, int64_t group_id, enum ban_kind kind,
    const char *value, int subdomains)
{
	struct buf detail = BUF_INIT;
	int64_t id = store_ban_add(ctl->db, group_id, kind, value, subdomains,
	    CTL_ACTOR);
	int rc;

	if (id == 0)
		return ctl_err(CTL_EXIT_CONFLICT, "%.80s is already banned there",
		    value);
	if (id == -2)
		return ctl_err(CTL_EXIT_CONFLICT, "too many bans there (at most"
		    " %d); remove some first", STORE_BAN_MAX);
	if (id == -1)
		return ctl_err(CTL_EXIT_FAILURE, "cannot add the ban");
	buf_printf(&detail, "id=%lld kind=%s subdomains=%d", (long long)id,
	    ban_kind_name(kind), subdomains);
	rc = ctl_audit(ctl, "ban.add", group_id, value, buf_cstr(&detail));
	buf_free(&detail);
	if (rc == 0)
		printf("%lld\n", (long long)id);
	return rc;
}

int
ctl_ban_add(struct ctl *ctl, int argc, char **argv)
{
	enum { O_SITE, O_SUB };
	struct ctl_opt opts[] = { { "--site", 0, 0, NULL },
	    { "--subdomains", 0, 0, NULL } };
	const char *pos[2] = { NULL, NULL }, *err;
	struct buf value = BUF_INIT;
	enum ban_kind kind;
	int64_t gid;
	int npos, rc;

	if ((rc = ctl_args(ctl, argc, argv, opts, 2, pos, 1, 2, &npos)) != 0)
		return rc;
	const char *slug = npos == 2 ? pos[0] : NULL, *v = pos[npos - 1];
	if (ban_parse(v, &kind, &value, &err) == -1)
		rc = ctl_err(CTL_EXIT_USAGE, "%s: \"%.80s\"", err, v);
	else if (opts[O_SUB].seen && kind != BAN_DOMAIN)
		rc = ctl_err(CTL_EXIT_USAGE, "--subdomains is for a domain ban"
		    " (@example.com)");
	else if (npos == 1 && !opts[O_SITE].seen)
		rc = ctl_err(CTL_EXIT_USAGE, "give a SLUG or --site; usage: %s",
		    ctl->usage);
	if (rc == 0 && (rc = ctl_begin(ctl)) == 0) {
		rc = ctl_ban_scope(ctl, opts[O_SITE].seen, slug, &gid);
		if (rc == 0)
			rc = ctl_ban_insert(ctl, gid, kind, buf_cstr(&value),
			    opts[O_SUB].seen);
		rc = rc == 0 ? ctl_commit(ctl) : ctl_rollback(ctl, rc);
	}
	buf_free(&value);
	return rc;
}

struct ctl_ban_listing {
	struct json		*json;
	struct ctl_table	*table;
};

static int
ctl_ban_list_cb(void *arg, const struct ban_row *r)
{
	struct ctl_ban_listing *l = arg;
	if (l->json != NULL) {
		json_begin_object(l->json);
		json_kv_int(l->json, "id", r->id);
		json_key(l->json, "group");
		if (r->group_id)
			json_string(l->json, r->slug);
		else
			json_null(l->json);
		json_kv_string(l->json, "kind", ban_kind_name(r->kind));
		json_kv_string(l->json, "value", r->value);
		json_kv_bool(l->json, "subdomains", r->subdomains);
		json_kv_string(l->json, "added_by", r->added_by);
		ctl_json_time(l->json, "created", r->created);
		json_end_object(l->json);
		return 0;
	}
	ctl_table_addf(l->table, "%lld", (long long)r->id);
	ctl_table_add(l->table, r->group_id ? r->slug : "(site)");
	ctl_table_add(l->table, ban_kind_name(r->kind));
	ctl_table_add(l->table, r->value);
	ctl_table_add(l->table, r->subdomains ? "yes" : "no");
	ctl_table_add(l->table, r->added_by);
	ctl_table_add_time(l->table, r->created);
	return 0;
}

int
ctl_ban_list(struct ctl *ctl, int argc, char **argv)
{
	static const char *const heads[] = { "ID", "GROUP", "KIND", "VALUE",
	    "SUBDOMAINS", "BY", "ADDED" };
	enum { O_JSON, O_SITE };
	struct ctl_opt opts[] = { { "--json", 0, 0, NULL },
	    { "--site", 0, 0, NULL } };
	const char *pos[1] = { NULL };
	struct ctl_ban_listing l = { NULL, NULL };
	struct ctl_table t;
	struct buf out = BUF_INIT;
	struct json j;
	enum store_ban_scope scope = STORE_BAN_ALL;
	int64_t gid = 0;
	int npos, rc;

	if ((rc = ctl_args(ctl, argc, argv, opts, 2, pos, 0, 1, &npos)) != 0)
		return rc;
	if (npos == 1 || opts[O_SITE].seen) {
		if ((rc = ctl_ban_scope(ctl, opts[O_SITE].seen, pos[0], &gid)) != 0)
			return rc;
		scope = gid ? STORE_BAN_GROUP : STORE_BAN_SITE;
	}
	json_init(&j, &out);
	ctl_table_init(&t, 7, heads);
	if (opts[O_JSON].seen) {
		l.json = &j;
		json_begin_array(&j);
	} else
		l.table = &t;
	if (store_ban_each(ctl->db, scope, gid, ctl_ban_list_cb, &l) == -1)
		rc = ctl_err(CTL_EXIT_FAILURE, "cannot list the bans");
	else if (opts[O_JSON].seen) {
		json_end_array(&j);
		rc = ctl_json_out(&j, &out);
	} else
		rc = ctl_table_print(&t);
	ctl_table_free(&t);
	buf_free(&out);
	return rc;
}

int
ctl_ban_remove(struct ctl *ctl, int argc, char **argv)
{
	const char *pos[1];
	struct ban_row r;
	struct buf value = BUF_INIT, detail = BUF_INIT;
	int64_t id, gid = 0;
	int npos, rc;

	if ((rc = ctl_args(ctl, argc, argv, NULL, 0, pos, 1, 1, &npos)) != 0 ||
	    (rc = ctl_parse_id(pos[0], &id)) != 0 ||
	    (rc = ctl_begin(ctl)) != 0)
		return rc;
	int found = store_ban_get(ctl->db, id, &r);
	if (found == 1) {
		gid = r.group_id;
		buf_puts(&value, r.value);
		buf_printf(&detail, "id=%lld kind=%s subdomains=%d", (long long)id,
		    ban_kind_name(r.kind), r.subdomains);
		found = store_ban_remove(ctl->db, id);
	}
	if (found == 0)
		rc = ctl_err(CTL_EXIT_NOTFOUND, "no ban %lld", (long long)id);
	else if (found == -1)
		rc = ctl_err(CTL_EXIT_FAILURE, "cannot remove ban %lld",
		    (long long)id);
	else
		rc = ctl_audit(ctl, "ban.remove", gid, buf_cstr(&value),
		    buf_cstr(&detail));
	rc = rc == 0 ? ctl_commit(ctl) : ctl_rollback(ctl, rc);
	buf_free(&value);
	buf_free(&detail);
	return rc;
}
