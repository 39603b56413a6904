/* Unit tests of digest replies: the subject test, links and reply links
 * found in a body (and their limits), unquoted text, and the thread a
 * reply is placed in (one link, the whole digest quoted with a subject
 * named, nothing named, the recent-thread and subject-length limits). */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/db.h"
#include "daemon/store_group.h"
#include "daemon/store_post.h"
#include "mail/digestreply.h"
#include "mail/parsed.h"
#include "tests/unit/fixture_db.h"

static void
test_is(void **state)
{
	(void)state;
	assert_true(digestreply_is("Re: [wg] Weekly digest, 16 Nov 2026 — 3"
	    " posts in 2 threads", "wg"));
	assert_true(digestreply_is("RE: [wg] Résumé hebdomadaire, 16 nov.",
	    "wg"));
	assert_true(digestreply_is("رد: [wg] الملخص الأسبوعي", "wg"));
	assert_false(digestreply_is("[wg] Weekly digest, 16 Nov", "wg"));
	assert_false(digestreply_is("Re: [wg] Budget", "wg"));
}

static void
test_links(void **state)
{
	(void)state;
	int64_t ids[DIGESTREPLY_IDS_MAX + 1];
	const char *t = "> Web: http://x/g/wg/t/12\n> Web: http://x/g/wg/t/7\n"
	    "http://x/g/wg/t/12 again, http://x/g/other/t/9, /g/wg/t/3a,"
	    " /g/wg/t/, /g/wgx/t/5 <http://x/g/wg/t/40>";
	assert_int_equal(digestreply_links(t, "wg", ids, 8), 3);
	assert_true(ids[0] == 12 && ids[1] == 7 && ids[2] == 40);
	assert_int_equal(digestreply_links(t, "wg", ids, 2), 2);
	/* DIGESTREPLY_IDS_MAX distinct ids are kept, no more */
	struct buf many = BUF_INIT;
	for (int i = 1; i <= DIGESTREPLY_IDS_MAX + 1; i++)
		buf_printf(&many, "/g/wg/t/%d\n", i);
	assert_int_equal(digestreply_links(buf_cstr(&many), "wg", ids,
	    DIGESTREPLY_IDS_MAX), DIGESTREPLY_IDS_MAX);
	buf_free(&many);
}

static void
test_msgids(void **state)
{
	(void)state;
	struct buf out = BUF_INIT;
	const char *t = "> Reply: mailto:wg%40l.org?subject=Re%3A%20x&"
	    "In-Reply-To=%3Cp1%40example.org%3E\n"
	    "mailto:wg@l.org?In-Reply-To=<p2@example.org>&subject=y\n"
	    "again In-Reply-To=%3Cp1%40example.org%3E, In-Reply-To=&x,"
	    " In-Reply-To=%3Ca%01b%3E";
	assert_int_equal(digestreply_msgids(t, &out), 2);
	assert_string_equal(out.data, "p1@example.org");
	assert_string_equal(out.data + strlen(out.data) + 1, "p2@example.org");
	buf_free(&out);
	/* a Message-ID of DIGESTREPLY_MSGID_MAX bytes is taken, one more not */
	struct buf t2 = BUF_INIT;
	buf_puts(&t2, "In-Reply-To=%3C");
	for (int i = 0; i < DIGESTREPLY_MSGID_MAX - 2; i++)
		buf_putc(&t2, 'a');
	buf_puts(&t2, "@b%3E In-Reply-To=<");
	for (int i = 0; i < DIGESTREPLY_MSGID_MAX - 1; i++)
		buf_putc(&t2, 'c');
	buf_puts(&t2, "@d>");
	assert_int_equal(digestreply_msgids(buf_cstr(&t2), &out), 1);
	assert_int_equal(strlen(out.data), DIGESTREPLY_MSGID_MAX);
	buf_free(&out);
	/* at most DIGESTREPLY_IDS_MAX ids */
	buf_reset(&t2);
	for (int i = 0; i < DIGESTREPLY_IDS_MAX + 5; i++)
		buf_printf(&t2, "In-Reply-To=<m%d@x>\n", i);
	assert_int_equal(digestreply_msgids(buf_cstr(&t2), &out),
	    DIGESTREPLY_IDS_MAX);
	buf_free(&out);
	buf_free(&t2);
}

static void
test_unquoted(void **state)
{
	(void)state;
	struct buf out = BUF_INIT;
	digestreply_unquoted(&out, "mine\n> theirs\n  >> deeper\nmine too");
	assert_string_equal(buf_cstr(&out), "mine\nmine too");
	buf_free(&out);
}

static int64_t
add_post(struct db *db, int64_t gid, const char *subject, int64_t thread,
    const char *msgid)
{
	struct post_new p = { gid, thread, 0, 0, "Author", "a@example.org",
	    subject, subject, "Body\n", "", 0, msgid, "", "mail", 0 };
	assert_int_equal(db_begin(db), 0);
	int64_t id = store_post_add(db, &p);
	assert_true(id > 0);
	assert_int_equal(db_commit(db), 0);
	return id;
}

static int64_t
thread_of(struct db *db, int64_t post)
{
	return db_int(db, "SELECT thread_id FROM posts WHERE id = ?", 0, "i",
	    post);
}

static int
place(struct db *db, int64_t gid, const char *text, int64_t *thread,
    int64_t *parent)
{
	struct parsed p;
	memset(&p, 0, sizeof p);
	p.subject = (char *)"Re: [wg] Weekly digest, 8 Feb 2027";
	p.text = (char *)text;
	return digestreply_resolve(db, gid, "wg", &p, thread, parent);
}

static void
test_resolve(void **state)
{
	struct db *db = *state;
	struct buf err = BUF_INIT;
	assert_int_equal(db_begin(db), 0);
	int64_t gid = store_group_add(db, "wg", "WG", "", "public", "en", &err);
	int64_t other = store_group_add(db, "other", "O", "", "public", "en",
	    &err);
	assert_int_equal(db_commit(db), 0);
	int64_t a1 = add_post(db, gid, "Cloud procurement", 0, "a1@x");
	int64_t ta = thread_of(db, a1);
	int64_t a2 = add_post(db, gid, "Re: Cloud procurement", ta, "a2@x");
	int64_t b1 = add_post(db, gid, "Réunion du comité - été 2026", 0,
	    "b1@x");
	int64_t tb = thread_of(db, b1);
	int64_t o1 = add_post(db, other, "Elsewhere topic", 0, "o1@x");
	int64_t thread, parent;
	/* one post's reply link: that post */
	assert_int_equal(place(db, gid, "Yes.\n> Reply: mailto:wg@l?"
	    "In-Reply-To=%3Ca2%40x%3E\n", &thread, &parent), 1);
	assert_true(thread == ta && parent == a2);
	/* one thread's web link: its first post */
	char t[200];
	snprintf(t, sizeof t, "Agreed.\n> Web: http://s/g/wg/t/%lld\n",
	    (long long)tb);
	assert_int_equal(place(db, gid, t, &thread, &parent), 1);
	assert_true(thread == tb && parent == b1);
	/* the whole digest quoted, the author names a subject */
	snprintf(t, sizeof t, "Concernant \"Réunion du comité - été 2026\" :"
	    " présent.\n> /g/wg/t/%lld\n> /g/wg/t/%lld\n", (long long)ta,
	    (long long)tb);
	assert_int_equal(place(db, gid, t, &thread, &parent), 1);
	assert_true(thread == tb && parent == b1);
	/* the whole digest and no subject of the author's: held */
	snprintf(t, sizeof t, "Thanks.\n> /g/wg/t/%lld\n> /g/wg/t/%lld\n"
	    "> Cloud procurement\n", (long long)ta, (long long)tb);
	assert_int_equal(place(db, gid, t, &thread, &parent), 0);
	/* links and ids of another group are not ours */
	snprintf(t, sizeof t, "> /g/wg/t/%lld In-Reply-To=<o1@x>\n",
	    (long long)thread_of(db, o1));
	assert_int_equal(place(db, gid, t, &thread, &parent), 0);
	/* two subjects named: held */
	assert_int_equal(place(db, gid, "Cloud procurement and Réunion du"
	    " comité - été 2026\n", &thread, &parent), 0);
	/* a subject shorter than DIGESTREPLY_SUBJECT_MIN is never matched */
	int64_t s1 = add_post(db, gid, "Budge", 0, "s1@x");
	assert_int_equal(place(db, gid, "About Budge.\n", &thread, &parent), 0);
	int64_t s2 = add_post(db, gid, "Budget", 0, "s2@x");
	assert_int_equal(place(db, gid, "About Budget.\n", &thread, &parent),
	    1);
	assert_true(thread == thread_of(db, s2) && parent == s2);
	(void)s1;
	/* only the DIGESTREPLY_THREADS_MAX most recent threads are compared */
	for (int i = 0; i < DIGESTREPLY_THREADS_MAX - 1; i++) {
		char subj[32], id[32];
		snprintf(subj, sizeof subj, "Filler thread %d", i);
		snprintf(id, sizeof id, "f%d@x", i);
		add_post(db, gid, subj, 0, id);
	}
	assert_int_equal(place(db, gid, "About Budget.\n", &thread, &parent),
	    1);
	add_post(db, gid, "One filler too many", 0, "f-last@x");
	assert_int_equal(place(db, gid, "About Budget.\n", &thread, &parent),
	    0);
	buf_free(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is),
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_msgids),
		cmocka_unit_test(test_unquoted),
		cmocka_unit_test(test_resolve),
	};
	return cmocka_run_group_tests(tests, fixture_db_setup,
	    fixture_db_teardown);
}
