/*
 * Search benchmark (run by bench/search): builds an archive of N posts in
 * French, English and Arabic (vowelled or not; half the words from a long
 * tail of BENCH_TAIL rarer ones) through the real schema and
 * its index triggers, then runs each query for a few seconds through
 * store_search_run (count + first page, visibility included) and, in the
 * same run, through a LIKE scan of subject and body with the same
 * visibility join, count cap and page size: the baseline FTS5 replaces.
 * Prints queries per second and the slowest query of each.
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/buf.h"
#include "daemon/db.h"
#include "daemon/store_group.h"
#include "daemon/store_post.h"
#include "daemon/store_search.h"

#define BENCH_WORDS_PER_POST	60
#define BENCH_BATCH		5000
#define BENCH_TAIL		50000	/* distinct words of the long tail */

static const char *const bench_vocab[] = {
	"the", "de", "la", "le", "et", "في", "من", "على", "cloud", "souverain",
	"données", "réunion", "comité", "projet", "serveur", "hébergement",
	"sovereignty", "meeting", "agenda", "budget", "policy", "draft",
	"الحوسبة", "السَّحابِيَّة", "السيادة", "الرَّقْمِيَّة", "المدرسة",
	"إعلان", "الأحد", "اجتماع", "أعضاء", "المجموعة", "élève", "été",
	"numérique", "infrastructure", "datacenter", "chiffrement", "clé",
	"encryption", "license", "open", "source", "logiciel", "libre",
	"القانون", "البيانات", "الخادم", "التشفير", "مفتوح", "المصدر",
	"marché", "public", "appel", "offres", "procurement", "tender",
	"observatoire", "observatory", "المرصد", "diaspora", "expert",
};
#define BENCH_NVOCAB	(sizeof bench_vocab / sizeof bench_vocab[0])

static uint64_t bench_rng = 88172645463325252ULL;

static uint64_t
bench_rand(void)
{
	bench_rng ^= bench_rng << 13;
	bench_rng ^= bench_rng >> 7;
	bench_rng ^= bench_rng << 17;
	return bench_rng;
}

/* A word, skewed so the first words of the list are the most common. */
static const char *
bench_word(void)
{
	uint64_t r = bench_rand() % (BENCH_NVOCAB * BENCH_NVOCAB);
	size_t i = 0;
	while ((i + 1) * (i + 1) <= r)
		i++;
	return bench_vocab[BENCH_NVOCAB - 1 - i % BENCH_NVOCAB];
}

static double
bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
bench_fill(struct db *db, int64_t pub, int64_t priv, long n)
{
	struct buf body = BUF_INIT, subject = BUF_INIT;
	char msgid[64];
	for (long i = 0; i < n; i++) {
		if (i % BENCH_BATCH == 0 && (i > 0 ? db_commit(db) : 0) == -1)
			return -1;
		if (i % BENCH_BATCH == 0 && db_begin(db) == -1)
			return -1;
		buf_reset(&body);
		buf_reset(&subject);
		for (int w = 0; w < BENCH_WORDS_PER_POST; w++) {
			if (w % 2)	/* a long tail of rarer words */
				buf_printf(&body, "mot%llu", (unsigned long long)
				    (bench_rand() % BENCH_TAIL * (bench_rand() %
				    BENCH_TAIL) / BENCH_TAIL));
			else
				buf_puts(&body, bench_word());
			buf_puts(&body, w % 12 == 11 ? ".\n" : " ");
		}
		buf_printf(&subject, "%s %s %s %ld", bench_word(), bench_word(),
		    bench_word(), i);
		snprintf(msgid, sizeof msgid, "b%ld@bench", i);
		struct post_new pn = { .group_id = i % 10 == 0 ? priv : pub,
		    .author_name = i % 2 ? "Amélie" : "أحمد",
		    .author_email = "author@example.org",
		    .subject = buf_cstr(&subject), .subject_norm = msgid,
		    .body = buf_cstr(&body), .mime_part = "X",
		    .mime_part_len = 1, .message_id = msgid, .source = "mail" };
		if (store_post_add(db, &pn) == -1)
			return -1;
	}
	buf_free(&body);
	buf_free(&subject);
	return db_commit(db);
}

static int
bench_hit(void *arg, const struct search_hit *h)
{
	(void)h;
	(*(int64_t *)arg)++;
	return 0;
}

/* One FTS query as the search page runs it: count and first page. */
static int64_t
bench_fts(struct db *db, const char *q)
{
	struct search_query sq;
	struct search_scope sc = { 0, 0, NULL, 0 };
	int64_t total = 0, n = 0;
	store_search_query_init(&sq);
	if (store_search_parse(&sq, q, strlen(q), 0) == SEARCH_OK &&
	    store_search_run(db, &sq, &sc, 0, SEARCH_PER_PAGE, &total,
	    bench_hit, &n) != 0)
		total = -1;
	store_search_query_free(&sq);
	return total;
}

/* The same by LIKE: count (capped alike) and first page, newest first. */
static int64_t
bench_like(struct db *db, const char *q)
{
	char pat[300];
	snprintf(pat, sizeof pat, "%%%s%%", q);
	int64_t total = db_int(db, "SELECT count(*) FROM (SELECT 1 FROM posts p"
	    " JOIN groups g ON g.id = p.group_id WHERE p.hidden = 0 AND"
	    " g.visibility = 'public' AND (p.subject LIKE ?1 OR p.body LIKE ?1)"
	    " LIMIT ?2)", -1, "ti", pat, (int64_t)SEARCH_COUNT_MAX + 1);
	sqlite3_stmt *st = db_stmt(db, "SELECT p.id, p.subject, p.body FROM posts"
	    " p JOIN groups g ON g.id = p.group_id WHERE p.hidden = 0 AND"
	    " g.visibility = 'public' AND (p.subject LIKE ?1 OR p.body LIKE ?1)"
	    " ORDER BY p.id DESC LIMIT ?2", "ti", pat, (int64_t)SEARCH_PER_PAGE);
	while (st != NULL && db_step(db, st) == 1)
		;
	return total;
}

static void
bench_run(struct db *db, const char *q, double secs)
{
	int64_t (*fns[2])(struct db *, const char *) = { bench_fts, bench_like };
	const char *names[2] = { "fts5", "like" };
	for (int k = 0; k < 2; k++) {
		double start = bench_now(), worst = 0;
		long n = 0;
		int64_t total = 0;
		while (bench_now() - start < secs || n == 0) {
			double t0 = bench_now();
			total = fns[k](db, q);
			double dt = bench_now() - t0;
			if (dt > worst)
				worst = dt;
			n++;
		}
		double el = bench_now() - start;
		printf("%-28s %-5s %8.1f %9.2f %7lld\n", q, names[k], n / el,
		    worst * 1000, (long long)total);
		fflush(stdout);
	}
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	double secs = argc > 2 ? atof(argv[2]) : 2.0;
	char dir[] = "/tmp/majlis-bench-search.XXXXXX", path[64];
	struct buf err = BUF_INIT;
	if (n < 1 || secs <= 0 || mkdtemp(dir) == NULL) {
		fprintf(stderr, "usage: searchload [POSTS [SECONDS]]\n");
		return 1;
	}
	snprintf(path, sizeof path, "%s/bench.db", dir);
	struct db *db = db_open(path, &err);
	if (db == NULL) {
		fprintf(stderr, "searchload: %s\n", buf_cstr(&err));
		return 1;
	}
	int64_t pub = store_group_add(db, "pub", "Public", "", "public", "fr",
	    &err);
	int64_t priv = store_group_add(db, "priv", "Private", "", "private",
	    "ar", &err);
	double t0 = bench_now();
	if (pub < 0 || priv < 0 || bench_fill(db, pub, priv, n) == -1) {
		fprintf(stderr, "searchload: cannot fill the archive\n");
		return 1;
	}
	double fill = bench_now() - t0;
	fprintf(stderr, "%ld posts indexed in %.1f s (%.0f posts/s, with the"
	    " triggers), database %s\n", n, fill, n / fill, path);
	printf("%-28s %-5s %8s %9s %7s\n", "query", "how", "q/s", "worst_ms",
	    "total");
	static const char *const queries[] = { "observatory", "datacenter",
	    "souverain", "cloud souverain", "eleve", "المرصد", "الحوسبة",
	    "السحابية", "the", "\"open source\"", "mot7", "mot4711",
	    "mot40000", "zzzabsent" };
	for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++)
		bench_run(db, queries[i], secs);
	db_close(&db);
	buf_free(&err);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : 1;
}
