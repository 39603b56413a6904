/* Unit tests for mail/threading.c: the resolution order of DESIGN.md and
 * isolation between groups, on a temporary database. */
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
#include "daemon/store_group.h"
#include "daemon/store_post.h"
#include "daemon/xalloc.h"
#include "mail/threading.h"

static char dir[] = "/tmp/majlis-test-threading-XXXXXX";
static struct db *db;
static int64_t g1, g2, root, reply;

static int64_t
post(int64_t group, int64_t thread, int64_t parent, const char *msgid,
    const char *subject, const char *norm)
{
	struct post_new pn = { .group_id = group, .thread_id = thread,
	    .parent_id = parent, .author_name = "A", .author_email = "a@x.org",
	    .subject = subject, .subject_norm = norm, .body = "b",
	    .mime_part = "", .message_id = msgid, .source = "mail" };
	assert_int_equal(db_begin(db), 0);
	int64_t id = store_post_add(db, &pn);
	assert_int_equal(db_commit(db), 0);
	return id;
}

static int
setup(void **state)
{
	char path[256];
	struct buf err = BUF_INIT;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof path, "%s/t.db", dir);
	db = db_open(path, &err);
	g1 = store_group_add(db, "cloud", "Cloud", "", "public", "fr", &err);
	g2 = store_group_add(db, "other", "Other", "", "private", "fr", &err);
	root = post(g1, 0, 0, "root@x", "Réunion du comité", "réunion du comité");
	reply = post(g1, 1, root, "reply@x", "Re: Réunion du comité",
	    "réunion du comité");
	post(g2, 0, 0, "secret@x", "Secret", "secret");
	buf_free(&err);
	return db ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[300];
	db_close(&db);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
resolve_prefix(const char *irt, const char *refs, const char *subject,
    int64_t group, const char *slug, const char *prefix, unsigned flags,
    struct threading_result *tr)
{
	struct parsed p;
	parsed_init(&p);
	free(p.in_reply_to);
	p.in_reply_to = xstrdup(irt);
	free(p.references);
	p.references = xstrdup(refs);
	free(p.subject);
	p.subject = xstrdup(subject);
	assert_int_equal(threading_resolve(db, group, slug, prefix, &p, flags,
	    tr), 0);
	parsed_clear(&p);
}

static void
resolve_flags(const char *irt, const char *refs, const char *subject,
    int64_t group, const char *slug, unsigned flags,
    struct threading_result *tr)
{
	resolve_prefix(irt, refs, subject, group, slug, NULL, flags, tr);
}

static void
resolve(const char *irt, const char *refs, const char *subject, int64_t group,
    const char *slug, struct threading_result *tr)
{
	resolve_flags(irt, refs, subject, group, slug, 0, tr);
}

static void
test_order(void **state)
{
	struct threading_result tr;
	resolve("reply@x", "root@x", "anything", g1, "cloud", &tr);
	assert_string_equal(tr.how, "in-reply-to");
	assert_int_equal(tr.parent_id, reply);
	buf_free(&tr.subject_norm);
	/* unknown In-Reply-To: the last known reference wins */
	resolve("unknown@x", "root@x reply@x gone@x", "x", g1, "cloud", &tr);
	assert_string_equal(tr.how, "references");
	assert_int_equal(tr.parent_id, reply);
	buf_free(&tr.subject_norm);
	/* a reply by subject only ("RE : [cloud] ..."), Outlook style */
	resolve("", "", "RE : [cloud] Réunion du comité", g1, "cloud", &tr);
	assert_string_equal(tr.how, "subject");
	assert_int_equal(tr.thread_id, 1);
	assert_int_equal(tr.parent_id, root);
	buf_free(&tr.subject_norm);
	/* the same subject without a reply prefix starts a new thread */
	resolve("", "", "Réunion du comité", g1, "cloud", &tr);
	assert_string_equal(tr.how, "new");
	assert_int_equal(tr.thread_id, 0);
	assert_string_equal(buf_cstr(&tr.subject_norm), "réunion du comité");
	buf_free(&tr.subject_norm);
}

static void
test_reference_window(void **state)
{
	struct threading_result tr;
	/* root@x is the 6th last reference: beyond THREADING_MAX_REFS */
	resolve("", "root@x a@x b@x c@x d@x e@x", "x", g1, "cloud", &tr);
	assert_string_equal(tr.how, "new");
	buf_free(&tr.subject_norm);
	resolve("", "root@x a@x b@x c@x d@x", "x", g1, "cloud", &tr);
	assert_string_equal(tr.how, "references");
	buf_free(&tr.subject_norm);
}

/* Written on the web: a topic titled "Re: ..." still starts a thread, a
 * reply goes under the parent its In-Reply-To names. */
static void
test_web_never_by_subject(void **state)
{
	struct threading_result tr;
	resolve_flags("", "", "Re: Réunion du comité", g1, "cloud",
	    THREADING_WEB, &tr);
	assert_string_equal(tr.how, "new");
	assert_int_equal(tr.thread_id, 0);
	assert_int_equal(tr.parent_id, 0);
	buf_free(&tr.subject_norm);
	resolve_flags("root@x", "root@x", "Re: Réunion du comité", g1, "cloud",
	    THREADING_WEB, &tr);
	assert_string_equal(tr.how, "in-reply-to");
	assert_int_equal(tr.parent_id, root);
	buf_free(&tr.subject_norm);
	/* the same subject by mail joins by subject */
	resolve("", "", "Re: Réunion du comité", g1, "cloud", &tr);
	assert_string_equal(tr.how, "subject");
	buf_free(&tr.subject_norm);
}

/* A group whose copies carry its own prefix: a reply by subject only
 * under that prefix joins the thread; the slug's tag is still known. */
static void
test_own_prefix(void **state)
{
	struct threading_result tr;
	resolve_prefix("", "", "Re: OBS: Réunion du comité", g1, "cloud", "OBS:",
	    0, &tr);
	assert_string_equal(tr.how, "subject");
	assert_int_equal(tr.parent_id, root);
	assert_string_equal(buf_cstr(&tr.subject_norm), "réunion du comité");
	buf_free(&tr.subject_norm);
	resolve_prefix("", "", "RE : [Observatoire] Re: [cloud] Réunion du"
	    " comité", g1, "cloud", "[Observatoire]", 0, &tr);
	assert_string_equal(tr.how, "subject");
	assert_int_equal(tr.parent_id, root);
	buf_free(&tr.subject_norm);
	/* without the group's prefix given, the same reply is not known */
	resolve("", "", "Re: OBS: Réunion du comité", g1, "cloud", &tr);
	assert_string_equal(tr.how, "new");
	buf_free(&tr.subject_norm);
	/* a prefix that is only the start of a word is not the prefix */
	resolve_prefix("", "", "Re: OBSRéunion du comité", g1, "cloud", "OBS",
	    0, &tr);
	assert_string_equal(tr.how, "new");
	buf_free(&tr.subject_norm);
}

static void
test_groups_isolated(void **state)
{
	struct threading_result tr;
	/* a Message-ID of a private group never pulls a post into its thread */
	resolve("secret@x", "secret@x", "Re: Secret", g1, "cloud", &tr);
	assert_string_equal(tr.how, "new");
	assert_int_equal(tr.thread_id, 0);
	buf_free(&tr.subject_norm);
	resolve("root@x", "", "x", g2, "other", &tr);
	assert_string_equal(tr.how, "new");
	buf_free(&tr.subject_norm);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_web_never_by_subject),
		cmocka_unit_test(test_reference_window),
		cmocka_unit_test(test_own_prefix),
		cmocka_unit_test(test_groups_isolated),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
