/*
 * majlisctl: the context shared by the command families, option parsing,
 * one-line errors, aligned tables and the formatting of values.
 */
#ifndef MAJLIS_CTL_H
#define MAJLIS_CTL_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/buf.h"
#include "daemon/config.h"
#include "daemon/json.h"
#include "daemon/store_group.h"

/* Exit codes (documented in the usage text). */
#define CTL_EXIT_OK		0
#define CTL_EXIT_USAGE		1	/* bad usage or invalid value */
#define CTL_EXIT_NOTFOUND	2	/* no such group, member, post, ... */
#define CTL_EXIT_CONFLICT	3	/* exists already, already decided */
#define CTL_EXIT_FAILURE	4	/* configuration, database or I/O */

/* The actor written to the audit log for every change. */
#define CTL_ACTOR		"majlisctl"

/* Limits of the values given on the command line. */
#define CTL_ARGS_MAX		4	/* positional arguments of a command */
#define CTL_EMAIL_MAX		254	/* bytes in an address (RFC 5321) */
#define CTL_NAME_MAX		200	/* bytes in a person's name */
#define CTL_DESCRIPTION_MAX	4000	/* bytes in a group description */
#define CTL_REASON_MAX		1000	/* bytes in a rejection reason */
#define CTL_CELL_WIDTH_MAX	60	/* terminal columns of a table cell */
#define CTL_TABLE_GAP		2	/* spaces between table columns */

struct db;

/* What every command gets: the loaded configuration and the database
 * (open for every command but init, which opens it itself). */
struct ctl {
	struct config	 cfg;
	struct db	*db;
	const char	*usage;		/* usage line of the running command */
};

/* One option of a command: name with its dashes ("--json"), whether it
 * takes a value; ctl_args fills seen and value (borrowed from argv). */
struct ctl_opt {
	const char	*name;
	int		 has_value;
	int		 seen;
	const char	*value;
};

/*
 * Parse the arguments of a command: options from opts (in any order, "--x
 * VALUE" or "--x=VALUE", each at most once, "--" ends them) and between
 * minpos and maxpos (<= CTL_ARGS_MAX) positional arguments stored in pos.
 * Returns 0, or prints one error line with ctl->usage and returns
 * CTL_EXIT_USAGE.
 */
int	ctl_args(struct ctl *, int argc, char **argv, struct ctl_opt *opts,
	    size_t nopts, const char **pos, int minpos, int maxpos, int *npos);

/* Print "majlisctl: MESSAGE" on one line to stderr (control characters of
 * the message replaced by spaces) and return code. */
int	ctl_err(int code, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Start a write transaction (BEGIN IMMEDIATE) / commit it. 0, or an error
 * line printed and CTL_EXIT_FAILURE returned (rolled back). */
int	ctl_begin(struct ctl *);
int	ctl_commit(struct ctl *);
/* Roll back and return code (for the error paths of a transaction). */
int	ctl_rollback(struct ctl *, int code);
/* Audit one change (actor CTL_ACTOR) inside the transaction: 0, or an error
 * line and CTL_EXIT_FAILURE. */
int	ctl_audit(struct ctl *, const char *action, int64_t group_id,
	    const char *target, const char *detail);

/* Write len bytes to stdout and flush: 0, or CTL_EXIT_FAILURE (printed). */
int	ctl_out(const void *, size_t len);
/* Check the writer and print its output with a newline: 0 or
 * CTL_EXIT_FAILURE. */
int	ctl_json_out(struct json *, struct buf *);
/* A time as ISO 8601 UTC ("2026-11-23T09:06:32Z") appended to out; nothing
 * for 0. */
void	ctl_time(struct buf *out, int64_t t);
/* key and ISO 8601 time, or null for 0. */
void	ctl_json_time(struct json *, const char *key, int64_t t);

/* Append len bytes as terminal text: UTF-8 repaired (U+FFFD), control
 * characters removed except newline and tab. */
void	ctl_clean_text(struct buf *out, const char *s, size_t len);
/* Terminal columns taken by valid UTF-8 text (combining marks 0, wide
 * East Asian characters and emoji 2). */
size_t	ctl_width(const char *s, size_t len);

/* Whether s is acceptable text for a name or description: valid UTF-8,
 * 1 to max bytes, no control character (newline and tab allowed when
 * multiline). */
int	ctl_valid_text(const char *s, size_t max, int multiline);
/* Whether v is one of the NULL-terminated words. */
int	ctl_in(const char *v, const char *const *words);
/* Parse a positive decimal id: 0 with *id set, or an error line and
 * CTL_EXIT_USAGE. */
int	ctl_parse_id(const char *s, int64_t *id);

/* A table for humans: a header line and rows of cells, each cell cleaned
 * (one line, controls removed) and, unless full is set, cut to
 * CTL_CELL_WIDTH_MAX columns; columns are aligned by terminal width. */
struct ctl_table {
	int	 ncols;
	int	 full;		/* keep long cells whole */
	char	**cells;	/* row-major, headers first */
	size_t	 ncells, cap;
};

/* Start a table with ncols columns named by heads (NULL: no header line). */
void	ctl_table_init(struct ctl_table *, int ncols, const char *const *heads);
/* Add the next cell (NULL or "" shows "-"). */
void	ctl_table_add(struct ctl_table *, const char *);
void	ctl_table_addf(struct ctl_table *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	ctl_table_add_time(struct ctl_table *, int64_t t);
/* Print to stdout (header only when no row): 0 or CTL_EXIT_FAILURE. */
int	ctl_table_print(struct ctl_table *);
void	ctl_table_free(struct ctl_table *);

/* The command families; each returns an exit code. argv[0] is the first
 * argument after the command words. */
int	ctl_group_add(struct ctl *, int argc, char **argv);
int	ctl_group_list(struct ctl *, int argc, char **argv);
int	ctl_group_show(struct ctl *, int argc, char **argv);
/* Look a group up by slug: 0 (out filled, store_group_clear it), or an
 * error line and CTL_EXIT_NOTFOUND / CTL_EXIT_FAILURE. */
int	ctl_group_get(struct ctl *, const char *slug, struct group *out);
/* Whether slug is a valid group slug (see the usage), 1 or 0. */
int	ctl_group_valid_slug(const char *slug);

int	ctl_member_add(struct ctl *, int argc, char **argv);
int	ctl_member_list(struct ctl *, int argc, char **argv);
int	ctl_member_remove(struct ctl *, int argc, char **argv);
int	ctl_member_set(struct ctl *, int argc, char **argv);
/* Whether an address passes the minimal check (one @, non-empty parts, no
 * space or control character, at most CTL_EMAIL_MAX bytes), 1 or 0. */
int	ctl_member_valid_email(const char *);

int	ctl_post_thread_list(struct ctl *, int argc, char **argv);
int	ctl_post_show(struct ctl *, int argc, char **argv);

struct held;
int	ctl_held_list(struct ctl *, int argc, char **argv);
int	ctl_held_approve(struct ctl *, int argc, char **argv);
int	ctl_held_reject(struct ctl *, int argc, char **argv);
int	ctl_held_discard(struct ctl *, int argc, char **argv);
/*
 * Hook run inside the transaction that rejected a held message, after the
 * decision and the audit row: the place to queue the notice to the sender
 * (reason may be NULL). Returns 0, or -1 to roll the rejection back. It does
 * nothing else yet.
 */
int	ctl_held_rejected(struct ctl *, const struct held *, const char *reason);

int	ctl_queue_list(struct ctl *, int argc, char **argv);
int	ctl_queue_retry(struct ctl *, int argc, char **argv);

/* Web accounts (daemon/ctl_user.c). */
int	ctl_user_add(struct ctl *, int argc, char **argv);

/* IMAP sources (daemon/ctl_source.c). */
int	ctl_source_list(struct ctl *, int argc, char **argv);

/* group set SLUG KEY VALUE (daemon/ctl_group.c): one policy value (the
 * keys of daemon/store_policy.h), audited; with --digest-* options it is
 * ctl_digest_group_set. */
int	ctl_group_set(struct ctl *, int argc, char **argv);

/* Digests (daemon/ctl_digest.c): group set (schedule), digest preview and
 * digest send. */
int	ctl_digest_group_set(struct ctl *, int argc, char **argv);
int	ctl_digest_preview(struct ctl *, int argc, char **argv);
int	ctl_digest_send(struct ctl *, int argc, char **argv);

/* Bans (daemon/ctl_ban.c). */
int	ctl_ban_add(struct ctl *, int argc, char **argv);
int	ctl_ban_list(struct ctl *, int argc, char **argv);
int	ctl_ban_remove(struct ctl *, int argc, char **argv);

/* DKIM keys (daemon/ctl_dkim.c): "dkim generate [options]"; argv[0] is
 * "generate". Needs no database. */
int	ctl_dkim(struct ctl *, int argc, char **argv);

#endif
