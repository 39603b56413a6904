/* Unit tests for web/pagecache.c: hits only at the same version, the
 * entry, byte, fragment and key limits crossed, least recently used
 * evicted first. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "web/pagecache.h"

static void
test_versions(void **state)
{
	(void)state;
	struct pagecache *c = pagecache_new(4, 1000);
	size_t len = 0;
	assert_null(pagecache_get(c, "t:1:en:", 1, &len));
	assert_int_equal(pagecache_put(c, "t:1:en:", 1, "<p>one</p>", 10), 0);
	const char *s = pagecache_get(c, "t:1:en:", 1, &len);
	assert_non_null(s);
	assert_int_equal(len, 10);
	assert_memory_equal(s, "<p>one</p>", 10);
	/* another key, another language: a miss */
	assert_null(pagecache_get(c, "t:1:fr:", 1, &len));
	/* the thread changed: a miss, and the old entry is gone */
	assert_null(pagecache_get(c, "t:1:en:", 2, &len));
	assert_int_equal(pagecache_count(c), 0);
	assert_int_equal(pagecache_bytes(c), 0);
	assert_int_equal(pagecache_put(c, "t:1:en:", 2, "<p>two</p>", 10), 0);
	/* the same key again replaces */
	assert_int_equal(pagecache_put(c, "t:1:en:", 3, "<p>three</p>", 12), 0);
	assert_int_equal(pagecache_count(c), 1);
	assert_int_equal(pagecache_bytes(c), 12);
	assert_null(pagecache_get(c, "t:1:en:", 2, &len));
	pagecache_free(&c);
	assert_null(c);
}

static void
test_entry_limit_lru(void **state)
{
	(void)state;
	struct pagecache *c = pagecache_new(3, 1000);
	size_t len;
	assert_int_equal(pagecache_put(c, "a", 1, "A", 1), 0);
	assert_int_equal(pagecache_put(c, "b", 1, "B", 1), 0);
	assert_int_equal(pagecache_put(c, "c", 1, "C", 1), 0);
	assert_non_null(pagecache_get(c, "a", 1, &len));	/* a is fresh */
	/* a fourth entry crosses the limit of 3: b, least recently used, goes */
	assert_int_equal(pagecache_put(c, "d", 1, "D", 1), 0);
	assert_int_equal(pagecache_count(c), 3);
	assert_null(pagecache_get(c, "b", 1, &len));
	assert_non_null(pagecache_get(c, "a", 1, &len));
	assert_non_null(pagecache_get(c, "c", 1, &len));
	assert_non_null(pagecache_get(c, "d", 1, &len));
	pagecache_free(&c);
}

static void
test_byte_limits(void **state)
{
	(void)state;
	struct pagecache *c = pagecache_new(8, 100);
	char buf[PAGECACHE_ENTRY_MAX + 1];
	size_t len;
	memset(buf, 'x', sizeof buf);
	assert_int_equal(pagecache_put(c, "a", 1, buf, 40), 0);
	assert_int_equal(pagecache_put(c, "b", 1, buf, 40), 0);
	/* 40 + 40 + 40 > 100: a goes to make room */
	assert_int_equal(pagecache_put(c, "c", 1, buf, 40), 0);
	assert_int_equal(pagecache_bytes(c), 80);
	assert_null(pagecache_get(c, "a", 1, &len));
	/* exactly the byte limit fits, one more byte does not */
	assert_int_equal(pagecache_put(c, "d", 1, buf, 100), 0);
	assert_int_equal(pagecache_count(c), 1);
	assert_int_equal(pagecache_put(c, "e", 1, buf, 101), -1);
	assert_non_null(pagecache_get(c, "d", 1, &len));
	pagecache_free(&c);

	c = pagecache_new(2, 4 * PAGECACHE_ENTRY_MAX);
	assert_int_equal(pagecache_put(c, "big", 1, buf, PAGECACHE_ENTRY_MAX), 0);
	assert_int_equal(pagecache_put(c, "bigger", 1, buf,
	    PAGECACHE_ENTRY_MAX + 1), -1);
	assert_null(pagecache_get(c, "bigger", 1, &len));
	pagecache_free(&c);
}

static void
test_key_limit(void **state)
{
	(void)state;
	struct pagecache *c = pagecache_new(2, 100);
	char key[PAGECACHE_KEY_MAX + 2];
	size_t len;
	memset(key, 'k', sizeof key);
	key[PAGECACHE_KEY_MAX] = '\0';
	assert_int_equal(pagecache_put(c, key, 1, "v", 1), 0);
	assert_non_null(pagecache_get(c, key, 1, &len));
	key[PAGECACHE_KEY_MAX] = 'k';
	key[PAGECACHE_KEY_MAX + 1] = '\0';
	assert_int_equal(pagecache_put(c, key, 1, "v", 1), -1);
	assert_int_equal(pagecache_put(c, "", 1, "v", 1), -1);
	pagecache_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_entry_limit_lru),
		cmocka_unit_test(test_byte_limits),
		cmocka_unit_test(test_key_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
