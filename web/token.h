/*
 * Pages reached through a token sent by mail: one-click unsubscribe
 * (/u/TOKEN, RFC 8058) and subscription confirmation (/c/TOKEN). GET shows
 * a form; POST acts. The token is the capability.
 */
#ifndef MAJLIS_TOKEN_PAGES_H
#define MAJLIS_TOKEN_PAGES_H

struct web_req;

void	token_unsubscribe(struct web_req *);
void	token_confirm(struct web_req *);

#endif
