/*
 * The page of a signed delivery link (/d/TOKEN, see daemon/deliverylink.h):
 * shows a member's delivery mode in one group and changes it without
 * signing in. The link is the capability; the form carries a short-lived
 * form token bound to it, so a form cannot be forged without the link.
 */
#ifndef MAJLIS_DELIVERYPAGE_H
#define MAJLIS_DELIVERYPAGE_H

struct web_req;

/* GET /d/TOKEN: the current mode and a form; POST: change it (idempotent,
 * audited). 404 for an unknown or forged link, 403 for a missing, forged
 * or expired form token, 400 for an unknown mode. */
void	deliverypage_show(struct web_req *);

#endif
