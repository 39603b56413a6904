/*
 * majlisctl thread list and post show: reading the archive, and the raw
 * message a mail post came from, byte for byte.
 */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "daemon/ctl.h"
#include "daemon/db.h"
#include "daemon/store_group.h"
#include "daemon/store_post.h"

struct ctl_post_listing {
	struct json		*json;
	struct ctl_table	*table;
};

static int
ctl_post_thread_cb(void *arg, const struct thread *t)
{
	struct ctl_post_listing *l = arg;

	if (l->json) {
		struct json *j = l->json;
		json_begin_object(j);
		json_kv_int(j, "id", t->id);
		json_kv_string(j, "subject", t->subject);
		json_kv_int(j, "posts", t->post_count);
		ctl_json_time(j, "created", t->created);
		ctl_json_time(j, "last_post", t->last_post);
		json_kv_bool(j, "pinned", t->pinned);
		json_kv_bool(j, "locked", t->locked);
		json_end_object(j);
		return 0;
	}
	ctl_table_addf(l->table, "%" PRId64, t->id);
	ctl_table_addf(l->table, "%d", t->post_count);
	ctl_table_add_time(l->table, t->last_post);
	ctl_table_addf(l->table, "%s%s", t->pinned ? "pinned" : "",
	    t->locked ? (t->pinned ? ",locked" : "locked") : "");
	ctl_table_add(l->table, t->subject);
	return 0;
}

int
ctl_post_thread_list(struct ctl *ctl, int argc, char **argv)
{
	static const char *const heads[] = { "ID", "POSTS", "LAST POST",
	    "FLAGS", "SUBJECT" };
	struct ctl_opt opts[] = { { "--json", 0, 0, NULL } };
	struct ctl_post_listing l = { NULL, NULL };
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
	ctl_table_init(&t, 5, heads);
	if (opts[0].seen) {
		l.json = &j;
		json_begin_array(&j);
	} else
		l.table = &t;
	if (store_thread_each(ctl->db, g.id, ctl_post_thread_cb, &l) == -1)
		rc = ctl_err(CTL_EXIT_FAILURE, "cannot list the threads of %s",
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

static int
ctl_post_raw(struct ctl *ctl, int64_t id)
{
	struct buf raw = BUF_INIT;
	int rc = store_post_raw(ctl->db, id, &raw);

	if (rc == 1)
		rc = ctl_out(raw.data, raw.len);
	else if (rc == 0)
		rc = ctl_err(CTL_EXIT_NOTFOUND, "post %" PRId64 " has no raw"
		    " message (it was written on the web)", id);
	else
		rc = ctl_err(CTL_EXIT_FAILURE, "cannot read post %" PRId64, id);
	buf_free(&raw);
	return rc;
}

/* The space-separated Message-IDs of refs as a JSON array. */
static void
ctl_post_json_refs(struct json *j, const char *refs)
{
	json_key(j, "references");
	json_begin_array(j);
	while (*refs) {
		size_t n = strcspn(refs, " ");
		if (n > 0)
			json_string_len(j, refs, n);
		refs += n;
		refs += strspn(refs, " ");
	}
	json_end_array(j);
}

static int
ctl_post_show_json(const struct post *p, const char *slug, int64_t nattach)
{
	struct buf out = BUF_INIT;
	struct json j;

	json_init(&j, &out);
	json_begin_object(&j);
	json_kv_int(&j, "id", p->id);
	json_kv_string(&j, "group", slug);
	json_kv_int(&j, "thread_id", p->thread_id);
	json_key(&j, "parent_id");
	if (p->parent_id)
		json_int(&j, p->parent_id);
	else
		json_null(&j);
	json_kv_string(&j, "author_name", p->author_name);
	json_kv_string(&j, "author_email", p->author_email);
	json_kv_string(&j, "subject", p->subject);
	ctl_json_time(&j, "created", p->created);
	json_kv_string(&j, "message_id", p->message_id);
	json_kv_string(&j, "parent_message_id", *p->parent_message_id ?
	    p->parent_message_id : NULL);
	ctl_post_json_refs(&j, p->refs);
	json_kv_string(&j, "source", p->source);
	json_kv_bool(&j, "hidden", p->hidden);
	json_kv_int(&j, "attachments", nattach);
	json_kv_string(&j, "body", p->body);
	json_end_object(&j);
	int rc = ctl_json_out(&j, &out);
	buf_free(&out);
	return rc;
}

static int
ctl_post_show_text(const struct post *p, const char *slug, int64_t nattach)
{
	struct ctl_table t;
	struct buf out = BUF_INIT;

	ctl_table_init(&t, 2, NULL);
	t.full = 1;
	ctl_table_add(&t, "post:");
	ctl_table_addf(&t, "%" PRId64 " in thread %" PRId64 " of %s", p->id,
	    p->thread_id, slug);
	ctl_table_add(&t, "from:");
	ctl_table_addf(&t, "%s <%s>", p->author_name, p->author_email);
	ctl_table_add(&t, "date:");
	ctl_table_add_time(&t, p->created);
	ctl_table_add(&t, "subject:");
	ctl_table_add(&t, p->subject);
	ctl_table_add(&t, "message-id:");
	ctl_table_addf(&t, "<%s>", p->message_id);
	ctl_table_add(&t, "in-reply-to:");
	ctl_table_add(&t, *p->parent_message_id ? p->parent_message_id : NULL);
	ctl_table_add(&t, "source:");
	ctl_table_addf(&t, "%s%s, %" PRId64 " attachment%s", p->source,
	    p->hidden ? " (hidden)" : "", nattach, nattach == 1 ? "" : "s");
	int rc = ctl_table_print(&t);
	ctl_table_free(&t);
	if (rc != 0)
		return rc;
	buf_putc(&out, '\n');
	ctl_clean_text(&out, p->body, strlen(p->body));
	if (out.len > 1 && out.data[out.len - 1] != '\n')
		buf_putc(&out, '\n');
	rc = ctl_out(out.data, out.len);
	buf_free(&out);
	return rc;
}

int
ctl_post_show(struct ctl *ctl, int argc, char **argv)
{
	enum { O_RAW, O_JSON };
	struct ctl_opt opts[] = {
		{ "--raw", 0, 0, NULL }, { "--json", 0, 0, NULL },
	};
	struct post p;
	struct group g;
	const char *pos[1];
	int64_t id;
	int npos, rc;

	if ((rc = ctl_args(ctl, argc, argv, opts, 2, pos, 1, 1, &npos)) != 0 ||
	    (rc = ctl_parse_id(pos[0], &id)) != 0)
		return rc;
	if (opts[O_RAW].seen && opts[O_JSON].seen)
		return ctl_err(CTL_EXIT_USAGE, "--raw and --json exclude each"
		    " other");
	memset(&p, 0, sizeof p);
	rc = store_post_get(ctl->db, id, &p);
	if (rc == 0)
		return ctl_err(CTL_EXIT_NOTFOUND, "no post %" PRId64, id);
	if (rc == -1)
		return ctl_err(CTL_EXIT_FAILURE, "cannot read post %" PRId64, id);
	if (opts[O_RAW].seen)
		rc = ctl_post_raw(ctl, id);
	else {
		memset(&g, 0, sizeof g);
		/* A post always has its group (foreign key); "" otherwise. */
		(void)store_group_get_id(ctl->db, p.group_id, &g);
		int64_t nattach = store_attachment_count(ctl->db, id);
		rc = opts[O_JSON].seen ? ctl_post_show_json(&p, g.slug, nattach) :
		    ctl_post_show_text(&p, g.slug, nattach);
		store_group_clear(&g);
	}
	store_post_clear(&p);
	return rc;
}
