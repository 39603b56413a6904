/*
 * The IMAP source keys of the configuration: imap_source starts a source
 * (the defaults with that URL), the other imap_* keys set the last one.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/buf.h"
#include "daemon/config.h"
#include "daemon/config_int.h"
#include "daemon/imapurl.h"
#include "daemon/xalloc.h"

/* The IMAP source keys (see daemon/imapurl.h). */
static int
set_imap_source(void *cfg, const struct config_key *k,
    const char *v, struct buf *err)
{
	struct buf msg = BUF_INIT;
	int r;

	if (*v == '\0') {
		config_err_set(err,
		    "%s: empty (for no source, write no %s line)",
		    k->name, k->name);
		return -1;
	}
	if ((r = imapurl_parse(FIELD(cfg, k, struct imapurl), v, &msg)) == -1)
		config_err_set(err, "%s: %s", k->name, buf_cstr(&msg));
	buf_free(&msg);
	return r;
}

static void
dump_imap_source(const void *cfg, const struct config_key *k,
    struct buf *out)
{
	const char *s = CFIELD(cfg, k, struct imapurl)->text_safe;

	config_dump_quoted(out, s ? s : "");
}

static int
set_imap_processed(void *cfg, const struct config_key *k,
    const char *v, struct buf *err)
{
	const char *folder;
	int action;

	if (imapurl_action(v, &action, &folder) == -1) {
		config_err_set(err,
		    "%s: expected move:FOLDER, flag or delete", k->name);
		return -1;
	}
	return config_set_text(cfg, k, v, err);
}

const struct config_type config_imap_source_type = {
	set_imap_source, dump_imap_source
};
const struct config_type config_imap_processed_type = {
	set_imap_processed, config_dump_str
};

int
config_imap_is_source(const struct config_key *k)
{
	return k->type == &config_imap_source_type;
}

static char *
strdup_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* A new source from the defaults (every field but the URL). */
static void
source_copy(struct config_source *dst, const struct config_source *src)
{
	*dst = *src;
	memset(&dst->url, 0, sizeof dst->url);
	dst->processed = strdup_null(src->processed);
	dst->password_file = strdup_null(src->password_file);
	dst->ca_file = strdup_null(src->ca_file);
	dst->group = strdup_null(src->group);
}

void
config_imap_source_free(struct config_source *s)
{
	free(s->processed);
	free(s->password_file);
	free(s->ca_file);
	free(s->group);
	imapurl_free(&s->url);
	memset(s, 0, sizeof *s);
}

int
config_imap_add_source(struct config *cfg, const struct config_key *k,
    const char *v, struct buf *err)
{
	struct config_source *s;

	if (cfg->imap_nsources >= CONFIG_IMAP_SOURCES_MAX) {
		config_err_set(err, "%s: more than %d sources", k->name,
		    CONFIG_IMAP_SOURCES_MAX);
		return -1;
	}
	s = &cfg->imap_sources[cfg->imap_nsources];
	source_copy(s, &cfg->imap_defaults);
	if (k->type->set(s, k, v, err) == -1) {
		config_imap_source_free(s);
		return -1;
	}
	cfg->imap_nsources++;
	return 0;
}

/* The line of source n's key (its own, else the default's); 0 unknown. */
static int
source_line(const struct config_lines *all, int n, const char *key)
{
	int own = config_line(all, 1 + n, key);

	return own ? own : config_line(all, 0, key);
}

static int
same_mailbox(const struct imapurl *a, const struct imapurl *b)
{
	return strcasecmp(a->host, b->host) == 0 &&
	    strcmp(a->port, b->port) == 0 && strcmp(a->user, b->user) == 0 &&
	    strcmp(a->mailbox, b->mailbox) == 0;
}

int
config_imap_check(const struct config *cfg, const struct config_lines *all,
    int *line, struct buf *err)
{
	char first[64];
	int n, o;

	for (n = 0; n < cfg->imap_nsources; n++) {
		const struct config_source *s = &cfg->imap_sources[n];
		int at = source_line(all, n, "imap_source");

		if (s->url.password != NULL && s->password_file != NULL) {
			*line = source_line(all, n, "imap_password_file");
			config_err_set(err, "imap_source has a password and"
			    " imap_password_file is set: use one");
			return -1;
		}
		if (s->url.password == NULL && s->password_file == NULL) {
			*line = at;
			config_err_set(err,
			    "imap_source has no password: put it in the"
			    " URL or set imap_password_file");
			return -1;
		}
		for (o = 0; o < n; o++) {
			const struct config_source *p = &cfg->imap_sources[o];
			int po = source_line(all, o, "imap_source");

			first[0] = '\0';
			if (po > 0)
				snprintf(first, sizeof first, " (first on line %d)",
				    po);
			if (strcmp(config_source_name(p),
			    config_source_name(s)) == 0) {
				int g = config_line(all, 1 + n, "imap_group");

				*line = g ? g : at;
				config_err_set(err,
				    "two IMAP sources named \"%s\"%s: give"
				    " each its own imap_group (none for the"
				    " site-wide one)", config_source_name(s), first);
				return -1;
			}
			if (same_mailbox(&p->url, &s->url)) {
				*line = at;
				config_err_set(err,
				    "imap_source: the same mailbox as"
				    " another source%s", first);
				return -1;
			}
		}
	}
	return 0;
}
