/* Unit tests for web/bodycache.c: fragments found again by position and
 * post id, anything else (another post, a short or forged blob) a miss,
 * and BODYCACHE_POSTS_MAX crossed. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "web/bodycache.h"

static void
make_blob(struct buf *blob)
{
	struct bodycache_wr wr;
	bodycache_wr_init(&wr);
	bodycache_wr_add(&wr, 7, "<p>seven</p>", 12);
	bodycache_wr_add(&wr, 9, "", 0);
	bodycache_wr_add(&wr, 12, "<p dir=\"auto\">\xd9\x85</p>", 20);
	assert_int_equal(bodycache_wr_finish(&wr, blob), 0);
}

static void
test_round_trip(void **state)
{
	(void)state;
	struct buf blob = BUF_INIT;
	make_blob(&blob);
	size_t n = 99;
	const char *f = bodycache_find(blob.data, blob.len, 0, 7, &n);
	assert_non_null(f);
	assert_int_equal(n, 12);
	assert_memory_equal(f, "<p>seven</p>", 12);
	f = bodycache_find(blob.data, blob.len, 1, 9, &n);
	assert_non_null(f);
	assert_int_equal(n, 0);
	f = bodycache_find(blob.data, blob.len, 2, 12, &n);
	assert_non_null(f);
	assert_int_equal(n, 20);
	assert_memory_equal(f, "<p dir=\"auto\">\xd9\x85</p>", 20);
	buf_free(&blob);
}

static void
test_misses(void **state)
{
	(void)state;
	struct buf blob = BUF_INIT;
	make_blob(&blob);
	size_t n;
	/* another post at that position, a position past the end */
	assert_null(bodycache_find(blob.data, blob.len, 0, 9, &n));
	assert_null(bodycache_find(blob.data, blob.len, 3, 13, &n));
	/* no blob, a blob cut anywhere before its last byte */
	assert_null(bodycache_find(NULL, 0, 0, 7, &n));
	for (size_t cut = 0; cut < blob.len; cut++)
		assert_null(bodycache_find(blob.data, cut, 2, 12, &n));
	/* a count over the limit */
	uint32_t forged = BODYCACHE_POSTS_MAX + 1;
	memcpy(blob.data, &forged, sizeof forged);
	assert_null(bodycache_find(blob.data, blob.len, 0, 7, &n));
	buf_free(&blob);
}

static void
test_posts_max(void **state)
{
	(void)state;
	struct bodycache_wr wr;
	struct buf blob = BUF_INIT;
	bodycache_wr_init(&wr);
	for (int64_t i = 1; i <= BODYCACHE_POSTS_MAX; i++)
		bodycache_wr_add(&wr, i, "x", 1);
	assert_int_equal(bodycache_wr_finish(&wr, &blob), 0);
	size_t n;
	assert_non_null(bodycache_find(blob.data, blob.len,
	    BODYCACHE_POSTS_MAX - 1, BODYCACHE_POSTS_MAX, &n));
	buf_free(&blob);
	bodycache_wr_init(&wr);
	for (int64_t i = 1; i <= BODYCACHE_POSTS_MAX + 1; i++)
		bodycache_wr_add(&wr, i, "x", 1);
	assert_int_equal(bodycache_wr_finish(&wr, &blob), -1);
	assert_int_equal(blob.len, 0);
	buf_free(&blob);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_misses),
		cmocka_unit_test(test_posts_max),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
