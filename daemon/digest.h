/*
 * Digests: when they are due (schedule math in the group's IANA time zone,
 * read from the system tzdata), which posts each member gets (per-member
 * marks: posts after the last one they got), and sending them exactly once
 * in slices that never hold the event loop for long.
 */
#ifndef MAJLIS_DIGEST_H
#define MAJLIS_DIGEST_H

#include <stdint.h>
#include <time.h>

#include "daemon/buf.h"
#include "daemon/store_digest.h"

struct db;
struct engine;

#define DIGEST_ZONEINFO		"/usr/share/zoneinfo"
#define DIGEST_CHECK_SECONDS	60	/* the engine looks for due digests */
#define DIGEST_SLICE_MEMBERS	50	/* most copies built per loop pass */
#define DIGEST_SLICE_BUDGET_MS	20	/* a pass stops after this much work */
#define DIGEST_POSTS_MAX	500	/* newest posts one digest carries */
#define DIGEST_RENDER_NICE	10	/* the render thread yields to the loop */

enum digest_kind { DIGEST_DAILY, DIGEST_WEEKLY };

/* "daily" / "weekly"; digest_kind_parse: 0 with *k set, -1 unknown. */
const char *digest_kind_name(enum digest_kind);
int	digest_kind_parse(const char *, enum digest_kind *);

/* Whether name is an IANA zone present in the system tzdata (letters,
 * digits, "_+-/", no "..", a regular file under DIGEST_ZONEINFO). */
int	digest_tz_valid(const char *name);
/* Set the process's TZ to zone (UTC when not valid) for local-time calls
 * until digest_tz_pop, which restores the old value returned here (and
 * frees it). */
char	*digest_tz_push(const char *zone);
void	 digest_tz_pop(char *saved);
/* Broken-down local time of t in zone tz (invalid zone: UTC). The process's
 * TZ is set for the call and restored. 0, or -1 when t is out of range. */
int	digest_localtime(int64_t t, const char *tz, struct tm *out);
/*
 * The latest slot of the schedule at or before now: for weekly, the last
 * s->weekday at s->hour:00 local time in s->tz; for daily, the last
 * s->hour:00. An hour skipped by a DST change is the first instant after
 * it (mktime's reading). Returns the UTC time, or -1 (bad zone).
 */
int64_t	digest_slot_prev(int64_t now, const struct digest_schedule *s,
	    enum digest_kind);
/* The first slot strictly after now (same rules). */
int64_t	digest_slot_next(int64_t now, const struct digest_schedule *s,
	    enum digest_kind);

/*
 * Issue the digests of every group that are due at now: for each kind,
 * when the latest slot is later than the last digest's end (and than the
 * group's creation), one digest covering everything since (missed slots
 * give one digest, not one each). Inside its own transaction. Returns the
 * number issued or -1.
 */
int	digest_issue_due(struct db *, int64_t now);
/* The earliest daily or weekly slot after now over the groups that are not
 * archived: its time, 0 when there is none, -1 on error. */
int64_t	digest_next_due(struct db *, int64_t now);
/* Issue a digest of (group, kind) ending now whatever the schedule (for
 * "majlisctl digest send"). Returns its id, 0 when none is needed (no
 * post since the last one), -1 on error. */
int64_t	digest_issue_now(struct db *, int64_t group_id, enum digest_kind,
	    int64_t now);

/* What a digest's copies are built with. */
struct digest_site {
	const char	*list_domain;
	const char	*site_url;
};

/*
 * Send up to max copies of digest d (members in id order, those already
 * done skipped): each member's copy is composed from the posts after their
 * mark, queued as an outbox row and recorded in one transaction per call;
 * a member with nothing new gets no mail but is recorded; the slice stops
 * early once DIGEST_SLICE_BUDGET_MS have passed. When no member
 * is left the digest is marked done. after (NULL: from the first) is where
 * the slices of d are: members up to that id are done, it moves past
 * each member handled and goes back to 0 on an error; the last slice
 * looks from the first member again (someone who joined meanwhile).
 * Returns the members handled (0: the digest is done), -1 on error
 * (nothing of the slice kept).
 */
int	digest_send_slice(struct db *, const struct digest_site *,
	    const struct digest_row *d, int max, int *queued, int64_t *after);

/*
 * The same, but a body not yet stored is not rendered here: the slice
 * stops before the first member who needs it (what it did before is
 * kept) and *need gets the job that makes it (else NULL): the caller runs
 * digest_render_job on any thread (or digest_render_run and
 * digest_render_store), then slices again. With *need set, the return
 * value may be 0 without the digest being done.
 */
struct digest_render;
int	digest_send_slice_async(struct db *, const struct digest_site *,
	    const struct digest_row *d, int max, int *queued,
	    struct digest_render **need, int64_t *after);
/* Read the job's posts through db (one a single thread uses) and render
 * the body; reads no time zone (its posts' local times were computed
 * when the job was made). 0 or -1. */
int	digest_render_run(struct digest_render *, struct db *);
/* Store the rendered body under its variant (inside the caller's
 * transaction; one stored meanwhile is kept instead). Its id, 0 when
 * every post of the job was hidden since, or -1. */
int64_t	digest_render_store(struct db *, struct digest_render *);
/* Both, on a connection of its own to the database at db_path, in one
 * transaction that stores nothing once the digest is no longer being
 * sent. The body's id, 0 when none was needed, -1 (the job says why). */
int64_t	digest_render_job(struct digest_render *, const char *db_path);
/* The digest the job belongs to. */
int64_t	digest_render_digest(const struct digest_render *);
void	digest_render_free(struct digest_render **);

/* Compose the copy of digest d for member (nothing recorded): 1 with the
 * message in out, 0 when they have nothing new, -1 on error. */
int	digest_preview(struct db *, const struct digest_site *,
	    const struct digest_row *d, const struct digest_member *m,
	    struct buf *out);

/* The engine's digest timer: checks at start-up, at each group's next slot
 * and at least every DIGEST_CHECK_SECONDS, then sends DIGEST_SLICE_MEMBERS copies a loop pass
 * until every digest is done, kicking delivery after each slice. A body is
 * read, rendered and stored on a worker thread (daemon/workq.c) with a
 * database connection of its own while the loop serves everything
 * else. */
struct digest_runner;
struct digest_runner *digest_runner_new(struct engine *);
void	digest_runner_free(struct digest_runner **);

#endif
