/*
 * The moderators' panel: the held queue of the groups one moderates,
 * each held message as members would read it, decisions one by one or in
 * bulk (POST, CSRF), and the moderation log. Every handler asks
 * daemon/modperm.h; a held message or group the viewer may not moderate
 * is answered 404, exactly like one that does not exist.
 */
#ifndef MAJLIS_MOD_H
#define MAJLIS_MOD_H

struct web_req;

/* Held messages listed at most per group on /mod. */
#define MOD_QUEUE_PER_GROUP	100
/* Held messages decided at most by one bulk POST. */
#define MOD_BULK_MAX		100

/* GET /mod: the queue, per group, oldest first. */
void	mod_queue(struct web_req *);
/* GET /mod.json: the same queue as JSON ({"groups": [{"slug", "name",
 * "pending", "held": [{"id", "sender", "subject", "reason", "created"}]}]}),
 * 403 for a viewer who moderates no group. */
void	mod_queue_json(struct web_req *);
/* GET /mod/held/ID: one held message; POST: decide it (field action:
 * approve, approve-allow, reject, discard, ban; reason for reject). */
void	mod_held(struct web_req *);
/* POST /mod/bulk: fields h-ID=1 for each message and action. */
void	mod_bulk(struct web_req *);
/* GET /mod/log?group=SLUG&action=NAME: the audit log. */
void	mod_log(struct web_req *);

#endif
