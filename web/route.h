/*
 * The route table of the web server and its matcher: method, path pattern,
 * handler, permission and CSRF flag per route. Patterns are segments split
 * on '/'; a segment may hold one capture {slug}, {id}, {token} or {name}
 * between a literal prefix and suffix ("{id}.json").
 */
#ifndef MAJLIS_ROUTE_H
#define MAJLIS_ROUTE_H

#include <stdint.h>

struct web_req;

#define ROUTE_PATH_MAX		2048	/* bytes of a raw request path */
#define ROUTE_SEGMENTS_MAX	8
#define ROUTE_SLUG_MAX		63
#define ROUTE_TOKEN_MAX		64
#define ROUTE_NAME_MAX		255	/* bytes of a decoded {name} */
#define ROUTE_ID_DIGITS		18

#define ROUTE_GET	0x1		/* GET and HEAD */
#define ROUTE_POST	0x2

enum route_perm {
	ROUTE_PERM_ANYONE,	/* no check */
	ROUTE_PERM_GROUP_READ,	/* {slug} names a group the viewer may read */
	ROUTE_PERM_IN_HANDLER,	/* the handler checks once it knows the group */
	ROUTE_PERM_REGISTRATION	/* anyone while self-registration is open
				 * (daemon/site.h); else 403 */
};

struct route {
	int		 methods;
	const char	*pattern;
	void		(*handler)(struct web_req *);
	enum route_perm	 perm;
	int		 csrf;	/* 1: a POST must carry the session's token */
};

/* What the captures of a matched path hold (decoded, validated). */
struct route_params {
	char	 slug[ROUTE_SLUG_MAX + 1];	/* [A-Za-z0-9_-], not empty */
	int64_t	 id;				/* 1..10^18-1 */
	char	 token[ROUTE_TOKEN_MAX + 1];	/* [A-Za-z0-9_-] */
	char	 name[ROUTE_NAME_MAX + 1];	/* UTF-8, no control char */
};

enum route_result {
	ROUTE_OK,
	ROUTE_NOT_FOUND,	/* no pattern matches */
	ROUTE_BAD_METHOD,	/* a pattern matches, not with this method */
	ROUTE_BAD_PATH		/* bad percent-encoding, NUL, broken UTF-8 */
};

/* The routes of majlis; route_count() entries. */
extern const struct route route_table[];
int	route_count(void);

/*
 * Match the raw (percent-encoded) path against routes[0..n) for method
 * (ROUTE_GET or ROUTE_POST). On ROUTE_OK *found points into routes and
 * params holds the captures. Segments are decoded one by one, so "%2F"
 * never splits a segment.
 */
enum route_result route_match(const struct route *routes, int n, int method,
	    const char *path, const struct route **found,
	    struct route_params *params);

#endif
