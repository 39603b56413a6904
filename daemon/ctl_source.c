/*
 * majlisctl source list: each IMAP source's state, last success and error,
 * position in its mailbox (UIDVALIDITY, last UID) and counters; the rows
 * of the database (sources seen by the fetcher), then the configured
 * sources the fetcher has not reported on yet. A row of a source no longer
 * in the configuration says so.
 */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "daemon/config.h"
#include "daemon/ctl.h"
#include "daemon/db.h"
#include "daemon/store_source.h"

struct ctl_source_listing {
	const struct config	*cfg;
	struct json		*json;
	struct ctl_table	*table;
	int			 listed[CONFIG_IMAP_SOURCES_MAX];
};

static void
ctl_source_json(struct json *j, const struct source_row *r,
    const struct config_source *cs)
{
	json_begin_object(j);
	json_kv_string(j, "name", r->name);
	json_kv_bool(j, "configured", cs != NULL);
	/* a source that never reached its mailbox has no URL stored yet */
	json_kv_string(j, "url", *r->url == '\0' && cs != NULL ?
	    cs->url.text_safe : r->url);
	json_kv_string(j, "state", r->state);
	ctl_json_time(j, "last_success", r->last_success);
	json_kv_string(j, "last_error", r->last_error);
	ctl_json_time(j, "last_error_at", r->last_error_at);
	json_kv_int(j, "uidvalidity", r->uidvalidity);
	json_kv_int(j, "last_uid", r->last_uid);
	json_kv_int(j, "fetched", r->fetched);
	json_kv_int(j, "committed", r->committed);
	json_kv_int(j, "duplicates", r->duplicates);
	json_kv_int(j, "refused", r->refused);
	ctl_json_time(j, "updated", r->updated);
	json_end_object(j);
}

static int
ctl_source_list_cb(void *arg, const struct source_row *r)
{
	struct ctl_source_listing *l = arg;
	const struct config_source *cs = config_source_find(l->cfg, r->name);

	if (cs != NULL)
		l->listed[cs - l->cfg->imap_sources] = 1;
	if (l->json) {
		ctl_source_json(l->json, r, cs);
		return 0;
	}
	ctl_table_add(l->table, r->name);
	if (cs != NULL)
		ctl_table_add(l->table, r->state);
	else
		ctl_table_addf(l->table, "%s (not configured)", r->state);
	ctl_table_add_time(l->table, r->last_success);
	ctl_table_addf(l->table, "%" PRId64 "/%" PRId64, r->uidvalidity,
	    r->last_uid);
	ctl_table_addf(l->table, "%" PRId64 " (%" PRId64 " dup, %" PRId64
	    " refused)", r->committed, r->duplicates, r->refused);
	ctl_table_add(l->table, r->last_error);
	return 0;
}

/* The configured sources without a row yet: the fetcher has not started
 * them (majlisd not running, or just started). */
static void
ctl_source_list_waiting(struct ctl_source_listing *l)
{
	for (int n = 0; n < l->cfg->imap_nsources; n++) {
		const struct config_source *cs = &l->cfg->imap_sources[n];
		struct source_row r;

		if (l->listed[n])
			continue;
		memset(&r, 0, sizeof r);
		r.name = (char *)config_source_name(cs);
		r.url = cs->url.text_safe;
		r.state = (char *)"not started";
		r.last_error = (char *)"";
		ctl_source_list_cb(l, &r);
	}
}

int
ctl_source_list(struct ctl *ctl, int argc, char **argv)
{
	static const char *const heads[] = { "NAME", "STATE", "LAST SUCCESS",
	    "UIDVALIDITY/UID", "TAKEN", "LAST ERROR" };
	struct ctl_opt opts[] = { { "--json", 0, 0, NULL } };
	struct ctl_source_listing l;
	struct buf out = BUF_INIT;
	struct ctl_table t;
	struct json j;
	int npos, rc;

	if ((rc = ctl_args(ctl, argc, argv, opts, 1, NULL, 0, 0, &npos)) != 0)
		return rc;
	memset(&l, 0, sizeof l);
	l.cfg = &ctl->cfg;
	json_init(&j, &out);
	ctl_table_init(&t, 6, heads);
	if (opts[0].seen) {
		l.json = &j;
		json_begin_array(&j);
	} else
		l.table = &t;
	if (store_source_list(ctl->db, ctl_source_list_cb, &l) == -1)
		rc = ctl_err(CTL_EXIT_FAILURE, "cannot list the sources");
	else {
		ctl_source_list_waiting(&l);
		if (opts[0].seen) {
			json_end_array(&j);
			rc = ctl_json_out(&j, &out);
		} else
			rc = ctl_table_print(&t);
	}
	ctl_table_free(&t);
	buf_free(&out);
	return rc;
}
