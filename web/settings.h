/*
 * The settings page of a signed-in member (/settings): display name,
 * language, time zone, and per group the mail delivery and whether they
 * receive their own posts; password change; sign-out on every device.
 */
#ifndef MAJLIS_SETTINGS_H
#define MAJLIS_SETTINGS_H

struct web_req;

/* Most groups shown and saved on the page (each takes two form fields,
 * see FORM_FIELDS_MAX). */
#define SETTINGS_GROUPS_MAX	100

void	settings_page(struct web_req *);
/* POST /settings/password: the current password, then the new one; every
 * other session of the member ends. */
void	settings_password(struct web_req *);

#endif
