/*
 * /admin/settings: the site settings of daemon/site.h, for site
 * administrators only (others get 404). A change is CSRF-checked,
 * audited ("site.settings", before and after) and applies from the next
 * request on; a form that changes nothing answers 409.
 */
#ifndef MAJLIS_ADMIN_SETTINGS_H
#define MAJLIS_ADMIN_SETTINGS_H

struct web_req;

/* GET: the form; POST (CSRF) name, language (en, fr, ar), registration
 * (present: open), held_reminder (seconds or a duration: 12h, 1d): each
 * checked (400 naming the first bad one), then stored. */
void	admin_settings(struct web_req *);

#endif
