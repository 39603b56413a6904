/* Unit tests for search: the query builder (daemon/store_search.c), the
 * index kept by the triggers of schema migration 5 and its agreement with
 * daemon/fold.c, visibility and counts of store_search_run on a temporary
 * database, and the snippets of web/search.c. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/db.h"
#include "daemon/fold.h"
#include "daemon/store_group.h"
#include "daemon/store_post.h"
#include "daemon/store_search.h"
#include "web/route.h"
#include "web/search.h"

static char dbdir[] = "/tmp/majlis-test-search-XXXXXX";

struct fixture {
	struct db	*db;
	int64_t		 pub, mem, priv;	/* groups */
	int64_t		 alice, bob, admin;	/* alice in priv, bob in none */
	int		 msgid;
};

static int
setup(void **state)
{
	if (mkdtemp(dbdir) == NULL)
		return -1;
	char path[256];
	snprintf(path, sizeof path, "%s/t.db", dbdir);
	struct buf err = BUF_INIT;
	struct fixture *f = calloc(1, sizeof *f);
	f->db = db_open(path, &err);
	buf_free(&err);
	*state = f;
	return f->db ? 0 : -1;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	db_close(&f->db);
	free(f);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dbdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- query building ---- */

static enum search_parse
parse(const char *q, int email, const char *want_match)
{
	struct search_query sq;
	store_search_query_init(&sq);
	enum search_parse r = store_search_parse(&sq, q, strlen(q), email);
	if (want_match != NULL)
		assert_string_equal(buf_cstr(&sq.match), want_match);
	store_search_query_free(&sq);
	return r;
}

#define COLS	"{subject body author} : "

static void
test_parse(void **state)
{
	(void)state;
	assert_int_equal(parse("cloud", 0, COLS "\"cloud\""), SEARCH_OK);
	assert_int_equal(parse("  élève   Cœur ", 0, COLS "\"élève\" AND "
	    COLS "\"Coeur\""), SEARCH_OK);
	/* one Arabic word: also with the article and the particles */
	assert_int_equal(parse("مُحَمَّد", 0, COLS "(\"محمد\" OR \"المحمد\" OR"
	    " \"والمحمد\" OR \"بالمحمد\" OR \"فالمحمد\" OR \"كالمحمد\" OR"
	    " \"للمحمد\")"), SEARCH_OK);
	assert_int_equal(parse("السَّحابة", 0, COLS "(\"السحابه\" OR"
	    " \"والسحابه\" OR \"بالسحابه\" OR \"فالسحابه\" OR \"كالسحابه\" OR"
	    " \"للسحابه\" OR \"وللسحابه\")"), SEARCH_OK);
	/* not for a phrase, a single letter, the bare article or mixed text */
	assert_int_equal(parse("\"سحابة عامة\"", 0, COLS "\"سحابه عامه\""),
	    SEARCH_OK);
	assert_int_equal(parse("ب", 0, COLS "\"ب\""), SEARCH_OK);
	assert_int_equal(parse("ال", 0, COLS "(\"ال\" OR \"الال\" OR"
	    " \"والال\" OR \"بالال\" OR \"فالال\" OR \"كالال\" OR"
	    " \"للال\")"), SEARCH_OK);
	assert_int_equal(parse("سحابةx", 0, COLS "\"سحابهx\""), SEARCH_OK);
	/* a phrase; an unbalanced quote runs to the end */
	assert_int_equal(parse("\"cloud souverain\" x", 0, COLS
	    "\"cloud souverain\" AND " COLS "\"x\""), SEARCH_OK);
	assert_int_equal(parse("a \"b c", 0, COLS "\"a\" AND " COLS "\"b c\""),
	    SEARCH_OK);
	/* operators and syntax are words inside quoted strings */
	assert_int_equal(parse("a AND b OR NOT c", 0, COLS "\"a\" AND " COLS
	    "\"AND\" AND " COLS "\"b\" AND " COLS "\"OR\" AND " COLS "\"NOT\""
	    " AND " COLS "\"c\""), SEARCH_OK);
	assert_int_equal(parse("NEAR(a b) subject:x x* ^y", 0, COLS
	    "\"NEAR(a\" AND " COLS "\"b)\" AND " COLS "\"subject:x\" AND "
	    COLS "\"x*\" AND " COLS "\"^y\""), SEARCH_OK);
	assert_int_equal(parse("it\"s", 0, COLS "\"it\" AND " COLS "\"s\""),
	    SEARCH_OK);
	/* an invalid byte is a word break inside the quoted string */
	assert_int_equal(parse("a\xff\"b", 0, COLS "\"a \" AND " COLS "\"b\""),
	    SEARCH_OK);
	/* nothing to look for */
	assert_int_equal(parse("", 0, ""), SEARCH_EMPTY);
	assert_int_equal(parse("   \t ", 0, ""), SEARCH_EMPTY);
	assert_int_equal(parse("* \" - () : ^ … ؟", 0, ""), SEARCH_EMPTY);
	assert_int_equal(parse("\"", 0, ""), SEARCH_EMPTY);
	/* addresses: the author's address only for signed-in readers */
	assert_int_equal(parse("a@x.org", 1,
	    "{subject body author email} : \"a@x.org\""), SEARCH_OK);
	assert_int_equal(parse("a@x.org", 0, COLS "\"a@x.org\""), SEARCH_OK);
}

static void
test_parse_limits(void **state)
{
	char q[SEARCH_QUERY_MAX + 2];
	(void)state;
	memset(q, 'a', sizeof q);
	q[SEARCH_QUERY_MAX] = '\0';
	assert_int_equal(parse(q, 0, NULL), SEARCH_OK);
	q[SEARCH_QUERY_MAX] = 'a';
	q[SEARCH_QUERY_MAX + 1] = '\0';
	assert_int_equal(parse(q, 0, NULL), SEARCH_TOO_LONG);
	struct buf b = BUF_INIT;
	for (int i = 0; i < SEARCH_TERMS_MAX; i++)
		buf_printf(&b, "w%d ", i);
	assert_int_equal(parse(buf_cstr(&b), 0, NULL), SEARCH_OK);
	buf_puts(&b, "* - ");	/* no word: not counted */
	assert_int_equal(parse(buf_cstr(&b), 0, NULL), SEARCH_OK);
	buf_puts(&b, "last");
	assert_int_equal(parse(buf_cstr(&b), 0, NULL), SEARCH_TOO_MANY);
	buf_free(&b);
	/* highlighting keys are capped and distinct */
	struct search_query sq;
	store_search_query_init(&sq);
	const char *dup = "\"a a b A\" a";
	assert_int_equal(store_search_parse(&sq, dup, strlen(dup), 0),
	    SEARCH_OK);
	assert_int_equal(sq.nkeys, 2);
	store_search_query_free(&sq);
	store_search_query_init(&sq);
	buf_init(&b);
	buf_putc(&b, '"');
	for (int i = 0; i < SEARCH_KEYS_MAX + 5; i++)
		buf_printf(&b, "k%d ", i);
	assert_int_equal(store_search_parse(&sq, buf_cstr(&b), b.len, 0),
	    SEARCH_OK);
	assert_int_equal(sq.nkeys, SEARCH_KEYS_MAX);
	store_search_query_free(&sq);
	buf_free(&b);
}

/* ---- the index ---- */

static int64_t
add_post(struct fixture *f, int64_t group, const char *author,
    const char *subject, const char *body)
{
	char msgid[64];
	snprintf(msgid, sizeof msgid, "m%d@x.org", ++f->msgid);
	struct post_new pn = { .group_id = group, .author_name = author,
	    .author_email = "author@example.org", .subject = subject,
	    .subject_norm = subject, .body = body, .mime_part = "X",
	    .mime_part_len = 1, .message_id = msgid, .source = "mail" };
	assert_int_equal(db_begin(f->db), 0);
	int64_t id = store_post_add(f->db, &pn);
	assert_true(id > 0);
	assert_int_equal(db_commit(f->db), 0);
	return id;
}

struct hits {
	int64_t	 ids[64];
	int	 n;
};

static int
hit_cb(void *arg, const struct search_hit *h)
{
	struct hits *hs = arg;
	if (hs->n < 64)
		hs->ids[hs->n] = h->post_id;
	hs->n++;
	return 0;
}

/* Search q as (member, admin) in group slug (NULL: all); the number of
 * hits reported, which must equal the count. */
static int
search(struct fixture *f, const char *q, int64_t member, int admin,
    const char *slug, struct hits *hs)
{
	struct search_query sq;
	struct hits local = { .n = 0 };
	struct search_scope sc = { member, admin, slug, 0 };
	int64_t total = -5;
	if (hs == NULL)
		hs = &local;
	hs->n = 0;
	store_search_query_init(&sq);
	enum search_parse p = store_search_parse(&sq, q, strlen(q), member != 0);
	assert_true(p == SEARCH_OK || p == SEARCH_EMPTY);
	if (p == SEARCH_EMPTY) {
		store_search_query_free(&sq);
		return 0;
	}
	assert_int_equal(store_search_run(f->db, &sq, &sc, 0, 64, &total,
	    hit_cb, hs), 0);
	store_search_query_free(&sq);
	assert_int_equal(total, hs->n);
	return hs->n;
}

static void
make_site(struct fixture *f)
{
	struct buf err = BUF_INIT;
	f->pub = store_group_add(f->db, "pub", "Public", "", "public", "fr", &err);
	f->mem = store_group_add(f->db, "mem", "Members", "", "members", "fr",
	    &err);
	f->priv = store_group_add(f->db, "priv", "Private", "", "private", "ar",
	    &err);
	assert_true(f->pub > 0 && f->mem > 0 && f->priv > 0);
	f->alice = store_member_ensure(f->db, "alice@example.org", "Alice");
	f->bob = store_member_ensure(f->db, "bob@example.org", "Bob");
	f->admin = store_member_ensure(f->db, "root@example.org", "Root");
	assert_int_equal(store_membership_add(f->db, f->priv, f->alice, "member",
	    "each", &err), 1);
	buf_free(&err);
}

static void
test_index_and_visibility(void **state)
{
	struct fixture *f = *state;
	struct hits hs;
	make_site(f);
	int64_t p1 = add_post(f, f->pub, "Amélie", "Réunion du comité",
	    "L'élève présente le cœur du projet.");
	int64_t p2 = add_post(f, f->pub, "أحمد", "الحَوْسَبَة السَّحابِيَّة",
	    "نُناقِشُ السِّيادَةَ الرَّقْمِيَّةَ في المدرسة على الخادم وللخادم.");
	int64_t p3 = add_post(f, f->mem, "Bob", "inner", "sovereign cloud");
	int64_t p4 = add_post(f, f->priv, "Alice", "secret",
	    "sovereign cloud plans");
	/* accents both ways, ligature, case */
	assert_int_equal(search(f, "eleve", 0, 0, NULL, &hs), 1);
	assert_int_equal(hs.ids[0], p1);
	assert_int_equal(search(f, "ÉLÈVE coeur", 0, 0, NULL, NULL), 1);
	assert_int_equal(search(f, "réunion", 0, 0, NULL, NULL), 1);
	assert_int_equal(search(f, "amelie", 0, 0, NULL, NULL), 1);
	/* Arabic: bare query finds the vowelled text and the reverse */
	assert_int_equal(search(f, "الحوسبة", 0, 0, NULL, &hs), 1);
	assert_int_equal(hs.ids[0], p2);
	assert_int_equal(search(f, "السِّيادَة", 0, 0, NULL, NULL), 1);
	/* the article and particles written onto the word */
	assert_int_equal(search(f, "حوسبة", 0, 0, NULL, NULL), 1);
	assert_int_equal(search(f, "خادم", 0, 0, NULL, NULL), 1);
	assert_int_equal(search(f, "الخادم", 0, 0, NULL, NULL), 1);
	assert_int_equal(search(f, "مدرسة", 0, 0, NULL, NULL), 1);
	assert_int_equal(search(f, "درسة", 0, 0, NULL, NULL), 0);
	assert_int_equal(search(f, "احمد", 0, 0, NULL, NULL), 1);
	assert_int_equal(search(f, "المدرسه علي", 0, 0, NULL, NULL), 1);
	assert_int_equal(search(f, "\"الرقمية في\"", 0, 0, NULL, NULL), 1);
	assert_int_equal(search(f, "\"في الرقمية\"", 0, 0, NULL, NULL), 0);
	/* visibility: anonymous sees public only */
	assert_int_equal(search(f, "sovereign", 0, 0, NULL, NULL), 0);
	/* a signed-in non-member: members groups, not private ones */
	assert_int_equal(search(f, "sovereign", f->bob, 0, NULL, &hs), 1);
	assert_int_equal(hs.ids[0], p3);
	assert_int_equal(search(f, "plans", f->bob, 0, NULL, NULL), 0);
	assert_int_equal(search(f, "plans", f->bob, 0, "priv", NULL), 0);
	/* the member of the private group, and an administrator */
	assert_int_equal(search(f, "sovereign", f->alice, 0, NULL, NULL), 2);
	assert_int_equal(search(f, "sovereign", f->alice, 0, "priv", &hs), 1);
	assert_int_equal(hs.ids[0], p4);
	assert_int_equal(search(f, "sovereign", f->admin, 1, NULL, NULL), 2);
	/* a suspended member loses the private group */
	struct buf err = BUF_INIT;
	assert_int_equal(store_membership_set(f->db, f->priv, f->alice,
	    "suspended", "yes", &err), 1);
	assert_int_equal(search(f, "sovereign", f->alice, 0, NULL, NULL), 1);
	buf_free(&err);
	/* the author's address: signed-in readers only */
	assert_int_equal(search(f, "author@example.org", f->bob, 0, "pub",
	    NULL), 2);
	assert_int_equal(search(f, "author@example.org", 0, 0, NULL, NULL), 0);
	/* hidden posts leave the index and come back; deleted ones leave */
	assert_int_equal(db_run(f->db, "UPDATE posts SET hidden = 1 WHERE id = ?",
	    "i", p1), 0);
	assert_int_equal(search(f, "eleve", 0, 0, NULL, NULL), 0);
	assert_int_equal(db_run(f->db, "UPDATE posts SET hidden = 0 WHERE id = ?",
	    "i", p1), 0);
	assert_int_equal(search(f, "eleve", 0, 0, NULL, NULL), 1);
	assert_int_equal(db_run(f->db, "UPDATE posts SET body = 'autre chose'"
	    " WHERE id = ?", "i", p1), 0);
	assert_int_equal(search(f, "eleve", 0, 0, NULL, NULL), 0);
	assert_int_equal(search(f, "autre", 0, 0, NULL, NULL), 1);
	assert_int_equal(db_run(f->db, "DELETE FROM posts WHERE id = ?", "i", p2),
	    0);
	assert_int_equal(search(f, "الحوسبة", 0, 0, NULL, NULL), 0);
	assert_int_equal(db_exec(f->db, "INSERT INTO post_fts(post_fts)"
	    " VALUES('integrity-check')"), 0);
}

/* The SQL fold of the index view and fold_text agree on every code point
 * of the Arabic block, Latin-1 and Latin Extended-A. */
static void
test_sql_fold_agrees(void **state)
{
	struct fixture *f = *state;
	struct buf text = BUF_INIT, want = BUF_INIT, got = BUF_INIT;
	for (uint32_t c = 0x20; c < 0x180; c++)
		if (c < 0x7F || c >= 0xA0)
			fold_put(&text, c);
	for (uint32_t c = 0x0600; c <= 0x06FF; c++)
		fold_put(&text, c);
	for (uint32_t c = 0x0750; c <= 0x077F; c++)
		fold_put(&text, c);
	struct buf err = BUF_INIT;
	int64_t g = store_group_add(f->db, "fold", "Fold", "", "public", "ar",
	    &err);
	assert_true(g > 0);
	buf_free(&err);
	int64_t id = add_post(f, g, buf_cstr(&text), buf_cstr(&text),
	    buf_cstr(&text));
	fold_text(&want, text.data, text.len);
	static const char *const cols[] = {
		"SELECT subject FROM post_search_text WHERE id = ?",
		"SELECT body FROM post_search_text WHERE id = ?",
		"SELECT author FROM post_search_text WHERE id = ?",
	};
	for (size_t i = 0; i < 3; i++) {
		buf_reset(&got);
		assert_int_equal(db_text(f->db, &got, cols[i], "i", id), 1);
		assert_string_equal(buf_cstr(&got), buf_cstr(&want));
	}
	buf_free(&text);
	buf_free(&want);
	buf_free(&got);
}

static void
test_hostile_queries(void **state)
{
	struct fixture *f = *state;
	add_post(f, f->pub, "X", "near subject body", "star \"quoted\" text");
	static const char *const qs[] = { "\"", "\"\"", "*", "NEAR(", "NEAR(a b",
	    "subject:", "subject:near", "body : x", "{subject}:x", "a OR",
	    "AND", "NOT x", "^", "x*", "-x", "+x", "(", ")", "a \"b", "'",
	    "rank:1", "rowid", "%", "\\", "\"\"\"\"", "quoted\"", "\"quoted",
	    "a\xff\xfe", "\xd9", "NEAR(\"x\" \"y\", 2)", "post_fts:x" };
	for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++)
		search(f, qs[i], 0, 0, NULL, NULL);
	assert_int_equal(search(f, "near:subject", 0, 0, NULL, NULL), 1);
	assert_int_equal(search(f, "\"quoted", 0, 0, NULL, NULL), 1);
}

static void
test_count_cap_and_pages(void **state)
{
	struct fixture *f = *state;
	struct buf err = BUF_INIT;
	int64_t g = store_group_add(f->db, "many", "Many", "", "public", "en",
	    &err);
	buf_free(&err);
	assert_int_equal(db_begin(f->db), 0);
	for (int i = 0; i < SEARCH_COUNT_MAX + 5; i++) {
		char msgid[32], body[64];
		snprintf(msgid, sizeof msgid, "many%d@x", i);
		snprintf(body, sizeof body, "common word number %d", i);
		struct post_new pn = { .group_id = g, .author_name = "M",
		    .author_email = "m@x", .subject = "s", .subject_norm = "s",
		    .body = body, .mime_part = "X", .mime_part_len = 1,
		    .message_id = msgid, .source = "mail" };
		assert_true(store_post_add(f->db, &pn) > 0);
	}
	assert_int_equal(db_commit(f->db), 0);
	struct search_query sq;
	struct search_scope sc = { 0, 0, "many", 0 };
	struct hits hs = { .n = 0 };
	int64_t total;
	store_search_query_init(&sq);
	assert_int_equal(store_search_parse(&sq, "common", 6, 0), SEARCH_OK);
	assert_int_equal(store_search_run(f->db, &sq, &sc, 0, SEARCH_PER_PAGE,
	    &total, hit_cb, &hs), 0);
	assert_int_equal(total, SEARCH_COUNT_MAX + 1);
	assert_int_equal(hs.n, SEARCH_PER_PAGE);
	/* the last page of what can be reached, and past everything */
	hs.n = 0;
	assert_int_equal(store_search_run(f->db, &sq, &sc, SEARCH_COUNT_MAX,
	    SEARCH_PER_PAGE, &total, hit_cb, &hs), 0);
	assert_int_equal(hs.n, 5);
	hs.n = 0;
	assert_int_equal(store_search_run(f->db, &sq, &sc, 10000,
	    SEARCH_PER_PAGE, &total, hit_cb, &hs), 0);
	assert_int_equal(hs.n, 0);
	/* out of time: interrupted, nothing counted, the connection fine */
	sc.budget_ms = -1;
	total = 7;
	assert_int_equal(store_search_run(f->db, &sq, &sc, 0, SEARCH_PER_PAGE,
	    &total, hit_cb, &hs), 1);
	assert_int_equal(total, 0);
	sc.budget_ms = 0;
	assert_int_equal(store_search_run(f->db, &sq, &sc, 0, SEARCH_PER_PAGE,
	    &total, hit_cb, &hs), 0);
	assert_int_equal(total, SEARCH_COUNT_MAX + 1);
	store_search_query_free(&sq);
}

/* Relevance orders the newest SEARCH_CANDIDATES_MAX matches only: the
 * best post, older than those, is not ranked; one newer is. */
static void
test_candidates(void **state)
{
	struct fixture *f = *state;
	struct buf err = BUF_INIT;
	int64_t g = store_group_add(f->db, "cand", "Cand", "", "public", "en",
	    &err);
	buf_free(&err);
	int64_t best = add_post(f, g, "B", "special", "special special special");
	assert_int_equal(db_begin(f->db), 0);
	for (int i = 0; i < SEARCH_CANDIDATES_MAX; i++) {
		char msgid[32];
		snprintf(msgid, sizeof msgid, "cand%d@x", i);
		struct post_new pn = { .group_id = g, .author_name = "M",
		    .author_email = "m@x", .subject = "s", .subject_norm = "s",
		    .body = "a long body with one special word and many others",
		    .mime_part = "X", .mime_part_len = 1, .message_id = msgid,
		    .source = "mail" };
		assert_true(store_post_add(f->db, &pn) > 0);
	}
	assert_int_equal(db_commit(f->db), 0);
	struct search_query sq;
	struct search_scope sc = { 0, 0, "cand", 0 };
	struct hits hs = { .n = 0 };
	int64_t total;
	store_search_query_init(&sq);
	assert_int_equal(store_search_parse(&sq, "special", 7, 0), SEARCH_OK);
	assert_int_equal(store_search_run(f->db, &sq, &sc, 0, 1, &total, hit_cb,
	    &hs), 0);
	assert_int_equal(total, SEARCH_COUNT_MAX + 1);
	assert_int_equal(hs.n, 1);
	assert_true(hs.ids[0] != best);
	int64_t newer = add_post(f, g, "B", "special", "special special special");
	hs.n = 0;
	assert_int_equal(store_search_run(f->db, &sq, &sc, 0, 1, &total, hit_cb,
	    &hs), 0);
	assert_int_equal(hs.ids[0], newer);
	store_search_query_free(&sq);
}

/* Migration 5 ends with a 'rebuild' of the index from its view: that
 * indexes every visible post already there (backfill), in every group,
 * and leaves hidden ones out. */
static void
test_backfill(void **state)
{
	struct fixture *f = *state;
	int64_t old = add_post(f, f->pub, "Old", "ancien message",
	    "écrit avant l'index");
	assert_int_equal(db_run(f->db, "UPDATE posts SET hidden = 1 WHERE"
	    " subject = 'secret'", NULL), 0);
	assert_int_equal(db_exec(f->db, "INSERT INTO post_fts(post_fts)"
	    " VALUES('delete-all')"), 0);
	assert_int_equal(search(f, "ecrit avant", 0, 0, NULL, NULL), 0);
	assert_int_equal(db_exec(f->db, "INSERT INTO post_fts(post_fts)"
	    " VALUES('rebuild')"), 0);
	struct hits hs;
	assert_int_equal(search(f, "ecrit avant", 0, 0, NULL, &hs), 1);
	assert_int_equal(hs.ids[0], old);
	assert_int_equal(search(f, "sovereign", f->admin, 1, NULL, NULL), 1);
	assert_int_equal(db_exec(f->db, "INSERT INTO post_fts(post_fts)"
	    " VALUES('integrity-check')"), 0);
}

/* ---- routes ---- */

static void
test_routes(void **state)
{
	const struct route *r;
	struct route_params p;
	(void)state;
	assert_int_equal(route_match(route_table, route_count(), ROUTE_GET,
	    "/search", &r, &p), ROUTE_OK);
	assert_ptr_equal(r->handler, search_page);
	assert_int_equal(r->perm, ROUTE_PERM_ANYONE);
	assert_int_equal(route_match(route_table, route_count(), ROUTE_GET,
	    "/search.json", &r, &p), ROUTE_OK);
	assert_ptr_equal(r->handler, search_json);
	assert_int_equal(route_match(route_table, route_count(), ROUTE_POST,
	    "/search", &r, &p), ROUTE_BAD_METHOD);
	assert_int_equal(route_match(route_table, route_count(), ROUTE_GET,
	    "/search/", &r, &p), ROUTE_NOT_FOUND);
	assert_int_equal(route_match(route_table, route_count(), ROUTE_GET,
	    "/search.xml", &r, &p), ROUTE_NOT_FOUND);
}

/* ---- snippets ---- */

static void
snippet(const char *q, const char *text, size_t width, int html,
    const char *want)
{
	struct search_query sq;
	struct buf out = BUF_INIT;
	store_search_query_init(&sq);
	store_search_parse(&sq, q, strlen(q), 0);
	search_snippet(&out, text, strlen(text), &sq, width, html);
	assert_string_equal(buf_cstr(&out), want);
	buf_free(&out);
	store_search_query_free(&sq);
}

static void
test_snippets(void **state)
{
	(void)state;
	snippet("eleve", "L'Élève <b>arrive</b>\n\n et l'élève part", 0, 1,
	    "L&#39;<mark>Élève</mark> &lt;b&gt;arrive&lt;/b&gt; et l&#39;<mark>"
	    "élève</mark> part");
	snippet("eleve", "L'Élève <b>", 0, 0, "L'Élève <b>");
	snippet("الحوسبة", "عن الحَوْسَبَةِ السحابية", 0, 1,
	    "عن <mark>الحَوْسَبَةِ</mark> السحابية");
	snippet("حوسبة", "عن الحَوْسَبَةِ والحوسبة وحوسبة", 0, 1,
	    "عن <mark>الحَوْسَبَةِ</mark> <mark>والحوسبة</mark> وحوسبة");
	snippet("<script>", "a <script>alert(1)</script> b", 0, 1,
	    "a &lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt; b");
	snippet("zzz", "nothing here", 0, 1, "nothing here");
	snippet("zzz", " \n padded \r\n ", 0, 1, "padded");
	snippet("zzz", " \n padded \r\n ", 3, 0, "pad\u2026");
	/* a long text: a window around the first match, cut at spaces */
	struct buf t = BUF_INIT, want = BUF_INIT;
	for (int i = 0; i < 100; i++)
		buf_puts(&t, "word ");
	buf_puts(&t, "needle ");
	for (int i = 0; i < 100; i++)
		buf_puts(&t, "more ");
	struct search_query sq;
	struct buf out = BUF_INIT;
	store_search_query_init(&sq);
	store_search_parse(&sq, "needle", 6, 0);
	search_snippet(&out, t.data, t.len, &sq, SEARCH_SNIPPET_BYTES, 1);
	const char *s = buf_cstr(&out);
	assert_true(strncmp(s, "\u2026word ", strlen("\u2026word ")) == 0);
	assert_non_null(strstr(s, "<mark>needle</mark>"));
	assert_true(strstr(s, "<mark>needle</mark>") - s <=
	    SEARCH_SNIPPET_BEFORE + 4);
	assert_true(out.len < SEARCH_SNIPPET_BYTES + 40);
	assert_string_equal(s + out.len - strlen("\u2026"), "\u2026");
	/* never cut inside a character */
	buf_reset(&t);
	for (int i = 0; i < 300; i++)
		buf_puts(&t, "ب");
	buf_reset(&out);
	search_snippet(&out, t.data, t.len, &sq, 101, 1);
	assert_int_equal(out.len, 100 + strlen("\u2026"));
	/* a match past SEARCH_SNIPPET_SCAN is not looked for: the start */
	buf_reset(&t);
	while (t.len < SEARCH_SNIPPET_SCAN)
		buf_puts(&t, "filler ");
	buf_puts(&t, "needle");
	buf_reset(&out);
	search_snippet(&out, t.data, t.len, &sq, SEARCH_SNIPPET_BYTES, 1);
	assert_true(strncmp(buf_cstr(&out), "filler", 6) == 0);
	assert_null(strstr(buf_cstr(&out), "<mark>"));
	buf_truncate(&t, SEARCH_SNIPPET_SCAN - 7);	/* ends at the limit */
	buf_puts(&t, " needle");
	buf_reset(&out);
	search_snippet(&out, t.data, t.len, &sq, 0, 1);
	assert_non_null(strstr(buf_cstr(&out), "<mark>needle</mark>"));
	/* at most SEARCH_SNIPPET_MARKS marks */
	buf_reset(&t);
	for (int i = 0; i < SEARCH_SNIPPET_MARKS + 8; i++)
		buf_puts(&t, "needle ");
	buf_reset(&out);
	search_snippet(&out, t.data, t.len, &sq, 0, 1);
	int marks = 0;
	for (const char *p = buf_cstr(&out); (p = strstr(p, "<mark>")) != NULL;
	    p++)
		marks++;
	assert_int_equal(marks, SEARCH_SNIPPET_MARKS);
	store_search_query_free(&sq);
	buf_free(&t);
	buf_free(&want);
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_snippets),
		cmocka_unit_test(test_index_and_visibility),
		cmocka_unit_test(test_sql_fold_agrees),
		cmocka_unit_test(test_hostile_queries),
		cmocka_unit_test(test_count_cap_and_pages),
		cmocka_unit_test(test_backfill),
		cmocka_unit_test(test_candidates),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
