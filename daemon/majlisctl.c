/*
 * majlisctl: the administrative command line of majlis. main() finds the
 * configuration, opens the database and hands over to a command family.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/ctl.h"
#include "daemon/db.h"
#include "daemon/log.h"

/* The configuration file looked for in the current directory. */
#define CTL_LOCAL_CONFIG	"majlis.conf"
/* Mode of a data directory created by init. */
#define CTL_DATA_DIR_MODE	0700

struct ctl_cmd {
	const char	*family;
	const char	*verb;		/* NULL: a one-word command */
	int		(*fn)(struct ctl *, int, char **);
	const char	*usage;
};

static int ctl_main_init(struct ctl *, int, char **);

static const struct ctl_cmd ctl_cmds[] = {
	{ "init", NULL, ctl_main_init, "majlisctl init" },
	{ "group", "add", ctl_group_add, "majlisctl group add SLUG --name NAME"
	    " [--description TEXT] [--visibility public|members|private]"
	    " [--language ar|fr|en]" },
	{ "group", "list", ctl_group_list, "majlisctl group list [--json]" },
	{ "group", "show", ctl_group_show, "majlisctl group show SLUG [--json]" },
	{ "group", "set", ctl_group_set, "majlisctl group set SLUG KEY VALUE"
	    " (KEY: post_policy, first_post_held, max_kib, rate_per_hour,"
	    " member_notices, mime_types, mime_action, pending_hours, language,"
	    " visibility, description, subject_prefix, reply_to,"
	    " digest_weekday, digest_hour, digest_tz) | majlisctl group set SLUG"
	    " [--digest-weekday sun..sat] [--digest-hour 0-23]"
	    " [--digest-tz ZONE]" },
	{ "member", "add", ctl_member_add, "majlisctl member add SLUG EMAIL"
	    " [--name NAME] [--role member|moderator|owner]"
	    " [--delivery each|daily|weekly|none]" },
	{ "member", "list", ctl_member_list,
	    "majlisctl member list SLUG [--json]" },
	{ "member", "remove", ctl_member_remove,
	    "majlisctl member remove SLUG EMAIL" },
	{ "member", "set", ctl_member_set, "majlisctl member set SLUG EMAIL"
	    " [--delivery MODE] [--role ROLE] [--moderated yes|no]" },
	{ "thread", "list", ctl_post_thread_list,
	    "majlisctl thread list SLUG [--json]" },
	{ "post", "show", ctl_post_show,
	    "majlisctl post show ID [--raw | --json]" },
	{ "held", "list", ctl_held_list, "majlisctl held list [SLUG] [--json]" },
	{ "held", "approve", ctl_held_approve, "majlisctl held approve ID"
	    " [--thread N]" },
	{ "held", "reject", ctl_held_reject,
	    "majlisctl held reject ID [--reason TEXT]" },
	{ "held", "discard", ctl_held_discard, "majlisctl held discard ID" },
	{ "queue", "list", ctl_queue_list,
	    "majlisctl queue list [--all] [--json]" },
	{ "queue", "retry", ctl_queue_retry, "majlisctl queue retry [ID]" },
	{ "user", "add", ctl_user_add, "majlisctl user add EMAIL [--name NAME]"
	    " [--admin] [--password-file FILE|-]" },
	{ "source", "list", ctl_source_list,
	    "majlisctl source list [--json]" },
	{ "digest", "preview", ctl_digest_preview, "majlisctl digest preview"
	    " SLUG [--member EMAIL] [--period daily|weekly]" },
	{ "digest", "send", ctl_digest_send,
	    "majlisctl digest send SLUG [--period daily|weekly]" },
	{ "ban", "add", ctl_ban_add, "majlisctl ban add SLUG|--site VALUE"
	    " [--subdomains]" },
	{ "ban", "list", ctl_ban_list,
	    "majlisctl ban list [SLUG|--site] [--json]" },
	{ "ban", "remove", ctl_ban_remove, "majlisctl ban remove ID" },
	{ "dkim", NULL, ctl_dkim, "majlisctl dkim generate [--selector S]"
	    " [--type rsa|ed25519] [--bits 2048] [--out PATH]" },
};
#define CTL_NCMDS	(sizeof ctl_cmds / sizeof ctl_cmds[0])

static const char ctl_usage_tail[] =
"\n"
"Options:\n"
"  -f CONFIG  configuration file; default $MAJLIS_CONFIG, else ./majlis.conf\n"
"             if it exists, else the built-in defaults\n"
"  --json     listings print a JSON array of objects, show commands one\n"
"             object\n"
"\n"
"SLUG: 1 to 63 of a-z, 0-9 and '-', not starting with '-', not ending with\n"
"-request, -join, -leave, -owner, -bounces, -confirm or -moderate.\n"
"queue list shows queued and failed deliveries (--all: sent ones too);\n"
"queue retry makes every queued delivery due now, or delivery ID, even a\n"
"failed one.\n"
"user add creates or completes the web account of EMAIL (a member known\n"
"by mail keeps its memberships) with the password read from the first\n"
"line of FILE, or of standard input.\n"
"source list shows each IMAP source's state, last success and error,\n"
"position (UIDVALIDITY/last UID) and messages taken.\n"
"ban add bans VALUE from group SLUG, or from every group (--site):\n"
"user@example.com an address, @example.com a domain (--subdomains: and\n"
"every domain under it), a value with * or ? a pattern over the whole\n"
"address (* any run, ? one character, at most 128 bytes); it prints the\n"
"ban's ID. Mail from a banned author or envelope sender is dropped.\n"
"\n"
"Exit status: 0 success, 1 usage error or invalid value, 2 not found,\n"
"3 conflict (already exists, already a member, already decided),\n"
"4 configuration, database or output error.\n";

static void
ctl_usage(FILE *fp)
{
	fputs("usage: majlisctl [-f CONFIG] COMMAND [ARGUMENT ...]\n"
	    "       majlisctl help\n\nCommands:\n", fp);
	for (size_t i = 0; i < CTL_NCMDS; i++)
		fprintf(fp, "  %s\n", ctl_cmds[i].usage + strlen("majlisctl "));
	fputs(ctl_usage_tail, fp);
}

/* Append the path of the database file under data_dir to out. */
static void
ctl_db_path(const struct ctl *ctl, struct buf *out)
{
	buf_printf(out, "%s/%s", ctl->cfg.data_dir, DB_FILE_NAME);
}

static int
ctl_open_db(struct ctl *ctl, const char *path)
{
	struct buf err = BUF_INIT;

	ctl->db = db_open(path, &err);
	if (ctl->db == NULL) {
		int rc = ctl_err(CTL_EXIT_FAILURE, "cannot open the database: %s",
		    buf_cstr(&err));
		buf_free(&err);
		return rc;
	}
	return 0;
}

static int
ctl_main_init(struct ctl *ctl, int argc, char **argv)
{
	struct buf path = BUF_INIT;
	int npos, rc;

	if ((rc = ctl_args(ctl, argc, argv, NULL, 0, NULL, 0, 0, &npos)) != 0)
		return rc;
	if (mkdir(ctl->cfg.data_dir, CTL_DATA_DIR_MODE) == -1 &&
	    errno != EEXIST)
		return ctl_err(CTL_EXIT_FAILURE, "cannot create %s: %s",
		    ctl->cfg.data_dir, strerror(errno));
	ctl_db_path(ctl, &path);
	if ((rc = ctl_open_db(ctl, buf_cstr(&path))) == 0) {
		printf("%s\n", buf_cstr(&path));
		rc = ctl_out(NULL, 0);
	}
	buf_free(&path);
	return rc;
}

/* Open the existing database for every command but init. */
static int
ctl_open_existing(struct ctl *ctl)
{
	struct buf path = BUF_INIT;
	int rc;

	ctl_db_path(ctl, &path);
	if (access(buf_cstr(&path), F_OK) == -1)
		rc = ctl_err(CTL_EXIT_FAILURE, "no database at %s (run"
		    " \"majlisctl init\" first)", buf_cstr(&path));
	else
		rc = ctl_open_db(ctl, buf_cstr(&path));
	buf_free(&path);
	return rc;
}

/* -f, else $MAJLIS_CONFIG, else ./majlis.conf if present, else NULL. */
static const char *
ctl_config_path(const char *given)
{
	const char *env = getenv("MAJLIS_CONFIG");

	if (given != NULL)
		return given;
	if (env != NULL && *env != '\0')
		return env;
	if (access(CTL_LOCAL_CONFIG, F_OK) == 0)
		return CTL_LOCAL_CONFIG;
	return NULL;
}

static const struct ctl_cmd *
ctl_find(int argc, char **argv, int *used)
{
	for (size_t i = 0; i < CTL_NCMDS; i++) {
		const struct ctl_cmd *c = &ctl_cmds[i];
		if (strcmp(argv[0], c->family) != 0)
			continue;
		if (c->verb == NULL) {
			*used = 1;
			return c;
		}
		if (argc > 1 && strcmp(argv[1], c->verb) == 0) {
			*used = 2;
			return c;
		}
	}
	return NULL;
}

static int
ctl_run(const struct ctl_cmd *c, const char *config, int argc, char **argv)
{
	struct buf err = BUF_INIT;
	struct ctl ctl;
	int rc;

	memset(&ctl, 0, sizeof ctl);
	ctl.usage = c->usage;
	if (config_load(&ctl.cfg, ctl_config_path(config), &err) == -1) {
		rc = ctl_err(CTL_EXIT_FAILURE, "%s", buf_cstr(&err));
		buf_free(&err);
		config_free(&ctl.cfg);
		return rc;
	}
	if (c->verb == NULL || (rc = ctl_open_existing(&ctl)) == 0)
		rc = c->fn(&ctl, argc, argv);
	db_close(&ctl.db);
	config_free(&ctl.cfg);
	return rc;
}

static int
ctl_is_help(const char *a)
{
	return strcmp(a, "help") == 0 || strcmp(a, "--help") == 0 ||
	    strcmp(a, "-h") == 0;
}

int
main(int argc, char **argv)
{
	const char *config = NULL;
	const struct ctl_cmd *c;
	int used;

	log_init("majlisctl", 1, LOG_LEVEL_WARN);
	argc--, argv++;
	if (argc >= 1 && ctl_is_help(argv[0])) {
		ctl_usage(stdout);
		return ctl_out(NULL, 0);
	}
	if (argc >= 1 && strcmp(argv[0], "-f") == 0) {
		if (argc < 2 || argv[1][0] == '\0')
			return ctl_err(CTL_EXIT_USAGE, "-f needs a file name");
		config = argv[1];
		argc -= 2, argv += 2;
	}
	if (argc >= 1 && ctl_is_help(argv[0])) {
		ctl_usage(stdout);
		return ctl_out(NULL, 0);
	}
	if (argc == 0) {
		ctl_usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if ((c = ctl_find(argc, argv, &used)) == NULL)
		return ctl_err(CTL_EXIT_USAGE, "unknown command \"%.40s%s%.40s\";"
		    " try majlisctl help", argv[0], argc > 1 ? " " : "",
		    argc > 1 ? argv[1] : "");
	return ctl_run(c, config, argc - used, argv + used);
}
