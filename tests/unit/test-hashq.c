/* Unit tests for daemon/hashq.c: hashes and checks on the worker thread
 * come back on the loop in order, the queue refuses job HASHQ_QUEUE_MAX + 1,
 * and freeing the queue cancels what is left (no leak, every callback
 * called once). */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <event2/event.h>

#include "daemon/hashq.h"
#include "daemon/password.h"

#define CALLS_MAX	(2 * HASHQ_QUEUE_MAX + 16)

struct calls {
	int	 n;
	int	 result[CALLS_MAX];
	char	 hash[CALLS_MAX][PASSWORD_HASH_MAX + 1];
	int	 tag[CALLS_MAX];
	struct event_base *base;
	int	 want;		/* stop the loop after this many calls */
};

struct tagged {
	struct calls	*c;
	int		 tag;
};

static void
record(int result, const char *hash, void *arg)
{
	struct tagged *t = arg;
	struct calls *c = t->c;
	assert_true(c->n < CALLS_MAX);
	c->result[c->n] = result;
	strncpy(c->hash[c->n], hash, PASSWORD_HASH_MAX);
	c->tag[c->n] = t->tag;
	c->n++;
	if (c->want > 0 && c->n == c->want)
		event_base_loopbreak(c->base);
}

static void
run_until(struct calls *c, int want)
{
	c->want = want;
	while (c->n < want)
		assert_int_equal(event_base_loop(c->base, EVLOOP_ONCE), 0);
}

static void
test_hash_then_verify(void **state)
{
	(void)state;
	struct calls c = { .n = 0 };
	c.base = event_base_new();
	struct hashq *q = hashq_new(c.base);
	assert_non_null(q);
	struct tagged t[4] = { { &c, 0 }, { &c, 1 }, { &c, 2 }, { &c, 3 } };
	assert_int_equal(hashq_hash(q, NULL, "correct horse battery", record, &t[0]),
	    0);
	assert_int_equal(hashq_pending(q), 1);
	run_until(&c, 1);
	assert_int_equal(c.result[0], HASHQ_OK);
	assert_true(strncmp(c.hash[0], "$argon2id$", 10) == 0);
	char hash[PASSWORD_HASH_MAX + 1];
	strcpy(hash, c.hash[0]);
	/* queued together: answered in order, on the loop */
	assert_int_equal(hashq_verify(q, NULL, hash, "correct horse battery", record,
	    &t[1]), 0);
	assert_int_equal(hashq_verify(q, NULL, hash, "wrong horse battery", record,
	    &t[2]), 0);
	assert_int_equal(hashq_verify(q, NULL, "", "no account at all", record,
	    &t[3]), 0);
	assert_int_equal(c.n, 1);	/* nothing runs inside the calls */
	run_until(&c, 4);
	assert_int_equal(c.tag[1], 1);
	assert_int_equal(c.result[1], HASHQ_OK);
	assert_string_equal(c.hash[1], "");
	assert_int_equal(c.tag[2], 2);
	assert_int_equal(c.result[2], HASHQ_NO_MATCH);
	assert_int_equal(c.tag[3], 3);
	assert_int_equal(c.result[3], HASHQ_NO_MATCH);
	assert_int_equal(hashq_pending(q), 0);
	hashq_free(&q);
	assert_null(q);
	event_base_free(c.base);
}

static void
test_change(void **state)
{
	(void)state;
	struct calls c = { .n = 0 };
	c.base = event_base_new();
	struct hashq *q = hashq_new(c.base);
	assert_non_null(q);
	struct tagged t[4] = { { &c, 0 }, { &c, 1 }, { &c, 2 }, { &c, 3 } };
	char old[PASSWORD_HASH_MAX + 1];
	assert_int_equal(password_hash("old password 1", old), 0);
	assert_int_equal(hashq_change(q, NULL, old, "not the old one", "new password 2",
	    record, &t[0]), 0);
	assert_int_equal(hashq_change(q, NULL, old, "old password 1", "new password 2",
	    record, &t[1]), 0);
	run_until(&c, 2);
	assert_int_equal(c.result[0], HASHQ_NO_MATCH);
	assert_string_equal(c.hash[0], "");
	assert_int_equal(c.result[1], HASHQ_OK);
	assert_int_equal(password_verify(c.hash[1], "new password 2"), 1);
	assert_int_equal(password_verify(c.hash[1], "old password 1"), 0);
	hashq_free(&q);
	event_base_free(c.base);
}

/* Job HASHQ_QUEUE_MAX + 1 is refused, so is a password over PASSWORD_MAX;
 * freeing the queue then cancels every job left, each callback once. */
static void
test_limit_and_cancel(void **state)
{
	(void)state;
	struct calls c = { .n = 0 };
	c.base = event_base_new();
	struct hashq *q = hashq_new(c.base);
	assert_non_null(q);
	struct tagged t[CALLS_MAX];
	for (int i = 0; i < CALLS_MAX; i++) {
		t[i].c = &c;
		t[i].tag = i;
	}
	char big[PASSWORD_MAX + 2];
	memset(big, 'p', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(hashq_verify(q, NULL, "", big, record, &t[0]), -1);
	big[PASSWORD_MAX] = '\0';	/* exactly PASSWORD_MAX: accepted */
	assert_int_equal(hashq_verify(q, NULL, "", big, record, &t[0]), 0);
	for (int i = 1; i < HASHQ_QUEUE_MAX; i++)
		assert_int_equal(hashq_verify(q, NULL, "", "some password", record,
		    &t[i]), 0);
	assert_int_equal(hashq_pending(q), HASHQ_QUEUE_MAX);
	assert_int_equal(hashq_hash(q, NULL, "one too many", record,
	    &t[HASHQ_QUEUE_MAX]), -1);
	/* the first job is done: room for one more */
	run_until(&c, 1);
	assert_int_equal(c.result[0], HASHQ_NO_MATCH);
	assert_int_equal(hashq_hash(q, NULL, "room again now", record,
	    &t[HASHQ_QUEUE_MAX]), 0);
	/* jobs left in the queue (one may be running, it ends first): every
	 * one is cancelled */
	int before = c.n;
	hashq_free(&q);
	assert_int_equal(c.n, HASHQ_QUEUE_MAX + 1);
	int cancelled = 0;
	for (int i = before; i < c.n; i++)
		if (c.result[i] == HASHQ_CANCELLED)
			cancelled++;
	assert_int_equal(cancelled, c.n - before);
	assert_true(cancelled > 0);
	int seen[CALLS_MAX] = { 0 };
	for (int i = 0; i < c.n; i++)
		seen[c.tag[i]]++;
	for (int i = 0; i <= HASHQ_QUEUE_MAX; i++)
		assert_int_equal(seen[i], 1);
	event_base_free(c.base);
}

/* One client gets HASHQ_PER_CLIENT_MAX jobs at once, then
 * HASHQ_REFUSED_CLIENT until a callback gives one back; other clients
 * (and jobs of no client) still get in. */
static void
test_per_client(void **state)
{
	(void)state;
	struct calls c = { .n = 0 };
	c.base = event_base_new();
	struct hashq *q = hashq_new(c.base);
	assert_non_null(q);
	struct tagged t[CALLS_MAX];
	for (int i = 0; i < CALLS_MAX; i++) {
		t[i].c = &c;
		t[i].tag = i;
	}
	const char *a = "198.51.100.7", *b = "2001:db8::7";
	int i = 0;
	for (; i < HASHQ_PER_CLIENT_MAX; i++)
		assert_int_equal(hashq_verify(q, a, "", "some password", record,
		    &t[i]), 0);
	assert_int_equal(hashq_pending_client(q, a), HASHQ_PER_CLIENT_MAX);
	assert_int_equal(hashq_hash(q, a, "one too many", record, &t[i]),
	    HASHQ_REFUSED_CLIENT);
	assert_int_equal(hashq_change(q, a, "", "x", "one too many", record,
	    &t[i]), HASHQ_REFUSED_CLIENT);
	assert_int_equal(hashq_pending_client(q, a), HASHQ_PER_CLIENT_MAX);
	assert_int_equal(hashq_verify(q, b, "", "other client", record, &t[i++]),
	    0);
	assert_int_equal(hashq_verify(q, NULL, "", "no client", record,
	    &t[i++]), 0);
	assert_int_equal(hashq_verify(q, "", "", "no client", record, &t[i++]),
	    0);
	assert_int_equal(hashq_pending_client(q, b), 1);
	assert_int_equal(hashq_pending(q), HASHQ_PER_CLIENT_MAX + 3);
	/* an address longer than any client address: refused */
	char big[HASHQ_CLIENT_MAX + 2];
	memset(big, '1', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(hashq_verify(q, big, "", "x", record, &t[i]),
	    HASHQ_REFUSED);
	big[HASHQ_CLIENT_MAX] = '\0';
	assert_int_equal(hashq_verify(q, big, "", "x", record, &t[i++]), 0);
	/* the first job of a is answered: a has room for one again */
	run_until(&c, 1);
	assert_int_equal(c.tag[0], 0);
	assert_int_equal(hashq_pending_client(q, a), HASHQ_PER_CLIENT_MAX - 1);
	assert_int_equal(hashq_hash(q, a, "room again", record, &t[i++]), 0);
	assert_int_equal(hashq_hash(q, a, "one too many", record, &t[i]),
	    HASHQ_REFUSED_CLIENT);
	run_until(&c, i);
	assert_int_equal(hashq_pending(q), 0);
	assert_int_equal(hashq_pending_client(q, a), 0);
	assert_int_equal(hashq_pending_client(q, b), 0);
	/* the slots were given back: every slot can serve a client again */
	for (int k = 0; k < HASHQ_QUEUE_MAX; k++) {
		char addr[32];
		snprintf(addr, sizeof addr, "192.0.2.%d", k);
		assert_int_equal(hashq_verify(q, addr, "", "x", record, &t[0]),
		    0);
	}
	assert_int_equal(hashq_verify(q, "192.0.2.200", "", "x", record,
	    &t[0]), HASHQ_REFUSED);
	hashq_free(&q);
	event_base_free(c.base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_then_verify),
		cmocka_unit_test(test_change),
		cmocka_unit_test(test_limit_and_cancel),
		cmocka_unit_test(test_per_client),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
