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
 * is left the digest is marked done. Returns the members handled (0: the
 * digest is done), -1 on error (nothing of the slice kept).
 */
int	digest_send_slice(struct db *, const struct digest_site *,
	    const struct digest_row *d, int max, int *queued);

/* Compose the copy of digest d for member (nothing recorded): 1 with the
 * message in out, 0 when they have nothing new, -1 on error. */
int	digest_preview(struct db *, const struct digest_site *,
	    const struct digest_row *d, const struct digest_member *m,
	    struct buf *out);

/* The engine's digest timer: checks at start-up, at each group's next slot
 * and at least every DIGEST_CHECK_SECONDS, then sends DIGEST_SLICE_MEMBERS copies a loop pass
 * until every digest is done, kicking delivery after each slice. */
struct digest_runner;
struct digest_runner *digest_runner_new(struct engine *);
void	digest_runner_free(struct digest_runner **);

#endif
