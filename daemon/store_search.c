/*
 * Full-text search (see store_search.h): the query builder and the SQL of
 * search. Visibility is decided in the same statement as the match, so a
 * post the reader may not read is neither returned nor counted.
 */
#include <config.h>

#include <stdint.h>
#include <string.h>
#include <time.h>

#include "daemon/db.h"
#include "daemon/fold.h"
#include "daemon/log.h"
#include "daemon/store_search.h"

/* SQLite virtual machine steps between two looks at the clock. */
#define SEARCH_PROGRESS_STEPS	1000

void
store_search_query_init(struct search_query *sq)
{
	memset(sq, 0, sizeof *sq);
	buf_init(&sq->match);
	buf_init(&sq->keys);
}

void
store_search_query_free(struct search_query *sq)
{
	buf_free(&sq->match);
	buf_free(&sq->keys);
	sq->nkeys = sq->nterms = 0;
}

static int
store_search_key(void *arg, const char *key, size_t start, size_t end)
{
	struct search_query *sq = arg;
	size_t klen = strlen(key);
	(void)start;
	(void)end;
	for (size_t i = 0; i < sq->keys.len; i += strlen(sq->keys.data + i) + 1)
		if (strcmp(sq->keys.data + i, key) == 0)
			return 0;
	if (sq->nkeys == SEARCH_KEYS_MAX)
		return 1;
	buf_append(&sq->keys, key, klen + 1);
	sq->nkeys++;
	return 0;
}

/* Arabic writes the article and the particles before it onto the word:
 * a bare word is also looked for after them ("سحابة" finds "السحابة",
 * "بالسحابة"), and a word with the article after the particles
 * ("السحابة" finds "والسحابة", "للسحابة"). Folded forms. */
static const char *const search_ar_bare[] = {
	"\u0627\u0644", "\u0648\u0627\u0644", "\u0628\u0627\u0644",
	"\u0641\u0627\u0644", "\u0643\u0627\u0644", "\u0644\u0644",
};
static const char *const search_ar_article[] = {
	"\u0648", "\u0628", "\u0641", "\u0643",
};
#define SEARCH_AR_ARTICLE	"\u0627\u0644"	/* ال */
#define SEARCH_AR_LIL		"\u0644\u0644"	/* لل */
#define SEARCH_AR_WALIL		"\u0648\u0644\u0644"	/* ولل */

struct search_word {
	int	 n;
	char	 key[FOLD_WORD_MAX + 1];
};

static int
store_search_count(void *arg, const char *key, size_t start, size_t end)
{
	struct search_word *sw = arg;
	(void)start;
	(void)end;
	if (sw->n++ == 0)
		memcpy(sw->key, key, strlen(key) + 1);
	return 0;
}

/* 1 when key is made of two or more Arabic letters (U+0621-U+064A). */
static int
store_search_arabic(const char *key)
{
	size_t len = strlen(key), i = 0;
	int letters = 0;
	uint32_t cp;
	while (i < len) {
		i += fold_decode(key + i, len - i, &cp);
		if (cp < 0x0621 || cp > 0x064A)
			return 0;
		letters++;
	}
	return letters >= 2;
}

/* Add one variant of an Arabic word: prefix + word, as an OR branch. */
static void
store_search_variant(struct search_query *sq, const char *prefix,
    const char *word)
{
	struct buf v = BUF_INIT;
	buf_puts(&v, prefix);
	buf_puts(&v, word);
	buf_printf(&sq->match, " OR \"%s\"", buf_cstr(&v));
	store_search_key(sq, buf_cstr(&v), 0, 0);
	buf_free(&v);
}

/* The term as one Arabic word with its clitic forms. */
static void
store_search_arabic_term(struct search_query *sq, const char *key)
{
	buf_printf(&sq->match, "{subject body author} : (\"%s\"", key);
	size_t al = strlen(SEARCH_AR_ARTICLE);
	if (strncmp(key, SEARCH_AR_ARTICLE, al) == 0 &&
	    store_search_arabic(key + al)) {
		for (size_t i = 0; i < sizeof search_ar_article /
		    sizeof search_ar_article[0]; i++)
			store_search_variant(sq, search_ar_article[i], key);
		store_search_variant(sq, SEARCH_AR_LIL, key + al);
		store_search_variant(sq, SEARCH_AR_WALIL, key + al);
	} else
		for (size_t i = 0; i < sizeof search_ar_bare /
		    sizeof search_ar_bare[0]; i++)
			store_search_variant(sq, search_ar_bare[i], key);
	buf_putc(&sq->match, ')');
}

/* Append the term t[0..n) to the query; 0 when it has no word (dropped),
 * 1 when added. */
static int
store_search_term(struct search_query *sq, const char *t, size_t n,
    int with_email)
{
	struct buf folded = BUF_INIT;
	struct search_word sw = { .n = 0 };
	fold_text(&folded, t, n);
	const char *f = folded.data ? folded.data : "";
	fold_words(f, folded.len, store_search_count, &sw);
	if (sw.n == 0) {
		buf_free(&folded);
		return 0;
	}
	fold_words(f, folded.len, store_search_key, sq);
	if (sq->match.len > 0)
		buf_puts(&sq->match, " AND ");
	if (sw.n == 1 && store_search_arabic(sw.key)) {
		store_search_arabic_term(sq, sw.key);
		buf_free(&folded);
		return 1;
	}
	buf_puts(&sq->match, with_email && memchr(t, '@', n) != NULL ?
	    "{subject body author email} : \"" : "{subject body author} : \"");
	for (size_t i = 0; i < folded.len; i++) {
		if (folded.data[i] == '"')
			buf_putc(&sq->match, '"');
		buf_putc(&sq->match, folded.data[i]);
	}
	buf_putc(&sq->match, '"');
	buf_free(&folded);
	return 1;
}

static int
store_search_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\0' ||
	    c == '\f' || c == '\v';
}

enum search_parse
store_search_parse(struct search_query *sq, const char *q, size_t len,
    int with_email)
{
	if (len > SEARCH_QUERY_MAX)
		return SEARCH_TOO_LONG;
	size_t i = 0;
	while (i < len) {
		if (store_search_space(q[i])) {
			i++;
			continue;
		}
		size_t start, end;
		if (q[i] == '"') {
			start = ++i;
			while (i < len && q[i] != '"' && q[i] != '\0')
				i++;
			end = i;
			if (i < len)
				i++;
		} else {
			start = i;
			while (i < len && !store_search_space(q[i]) && q[i] != '"')
				i++;
			end = i;
		}
		if (!store_search_term(sq, q + start, end - start, with_email))
			continue;
		if (++sq->nterms > SEARCH_TERMS_MAX)
			return SEARCH_TOO_MANY;
	}
	return sq->nterms == 0 ? SEARCH_EMPTY : SEARCH_OK;
}

static int64_t
store_search_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
store_search_progress(void *arg)
{
	const int64_t *deadline = arg;
	return store_search_ms() > *deadline;
}

/* The matching posts the viewer may read: ?1 MATCH expression, ?2 the
 * viewer's member id (0: anonymous), ?3 1 for an administrator, ?4 a
 * group slug or NULL. Hidden posts are not in the index (the view it
 * reads leaves them out), so no post column past group_id is read for
 * a candidate: the body and the MIME part stay on their pages. */
#define SEARCH_FROM \
	" FROM post_fts JOIN posts p ON p.id = post_fts.rowid" \
	" JOIN groups g ON g.id = p.group_id" \
	" WHERE post_fts MATCH ?1" \
	" AND (?4 IS NULL OR g.slug = ?4)" \
	" AND (g.visibility = 'public' OR (?2 > 0 AND (?3 = 1" \
	" OR g.visibility = 'members' OR EXISTS (SELECT 1 FROM memberships m" \
	" WHERE m.group_id = g.id AND m.member_id = ?2 AND m.suspended = 0))))"

static int
store_search_rows(struct db *db, const struct search_query *sq,
    const struct search_scope *sc, int64_t offset, int64_t limit,
    int64_t *total, int (*fn)(void *, const struct search_hit *), void *arg)
{
	*total = db_int(db, "SELECT count(*) FROM (SELECT 1" SEARCH_FROM
	    " LIMIT ?5)", -1, "tidti", buf_cstr(&sq->match), sc->member_id,
	    sc->is_admin ? 1 : 0, sc->group_slug, (int64_t)SEARCH_COUNT_MAX + 1);
	if (*total == -1)
		return -1;
	if (*total == 0 || limit == 0)
		return 0;
	/* the newest candidates, ranked; then the texts of the page only */
	sqlite3_stmt *st = db_stmt(db, "SELECT p.id, p.thread_id, p.created,"
	    " g.slug, g.name, p.subject, p.body, p.author_name FROM (SELECT id, r"
	    " FROM (SELECT post_fts.rowid AS id, post_fts.rank AS r" SEARCH_FROM
	    " ORDER BY post_fts.rowid DESC LIMIT ?7)"
	    " ORDER BY r, id DESC LIMIT ?5 OFFSET ?6) AS top"
	    " JOIN posts p ON p.id = top.id JOIN groups g ON g.id = p.group_id"
	    " ORDER BY top.r, top.id DESC", "tidtiii",
	    buf_cstr(&sq->match), sc->member_id, sc->is_admin ? 1 : 0,
	    sc->group_slug, limit, offset, (int64_t)SEARCH_CANDIDATES_MAX);
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = db_step(db, st)) == 1) {
		struct search_hit h = {
			.post_id = sqlite3_column_int64(st, 0),
			.thread_id = sqlite3_column_int64(st, 1),
			.created = sqlite3_column_int64(st, 2),
			.group_slug = db_col_text(st, 3),
			.group_name = db_col_text(st, 4),
			.subject = db_col_text(st, 5),
			.body = db_col_text(st, 6),
			.author_name = db_col_text(st, 7),
		};
		if (fn(arg, &h) != 0) {
			sqlite3_reset(st);
			return 0;
		}
	}
	return rc;
}

int
store_search_run(struct db *db, const struct search_query *sq,
    const struct search_scope *sc, int64_t offset, int64_t limit,
    int64_t *total, int (*fn)(void *, const struct search_hit *), void *arg)
{
	sqlite3 *h = db_handle(db);
	int64_t deadline = store_search_ms() + (sc->budget_ms != 0 ?
	    sc->budget_ms : SEARCH_BUDGET_MS);
	*total = 0;
	sqlite3_progress_handler(h, SEARCH_PROGRESS_STEPS, store_search_progress,
	    &deadline);
	int rc = store_search_rows(db, sq, sc, offset, limit, total, fn, arg);
	int interrupted = rc == -1 && sqlite3_errcode(h) == SQLITE_INTERRUPT;
	sqlite3_progress_handler(h, 0, NULL, NULL);
	if (rc == -1) {
		*total = 0;
		if (interrupted) {
			log_info("search: out of time, interrupted");
			return 1;
		}
		return -1;
	}
	return 0;
}
