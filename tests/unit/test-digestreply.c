/* Unit tests of digest replies: the subject test, links and reply links
 * found in a body (and their limits), unquoted text, and the thread a
 * reply is placed in (one link, the whole digest quoted with a subject
 * named, nothing named, the recent-thread and subject-length limits; a
 * post's text quoted, the quote's length and the posts compared); the
 * notice to the author of a held reply (its text in en, fr and ar, the
 * subject's length limit, one an hour, its language and headers). */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/db.h"
#include "daemon/store_digestreply.h"
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
	    " posts in 2 threads", "wg", NULL));
	assert_true(digestreply_is("RE: [wg] Résumé hebdomadaire, 16 nov.",
	    "wg", NULL));
	assert_true(digestreply_is("رد: [wg] الملخص الأسبوعي", "wg", NULL));
	assert_false(digestreply_is("[wg] Weekly digest, 16 Nov", "wg", NULL));
	assert_false(digestreply_is("Re: [wg] Budget", "wg", NULL));
	/* a group's own prefix in place of the tag, or none at all */
	assert_true(digestreply_is("Re: [OBS] Weekly digest, 16 Nov", "wg",
	    "[OBS]"));
	assert_true(digestreply_is("Re: Observatoire : Résumé quotidien", "wg",
	    "Observatoire :"));
	assert_false(digestreply_is("Re: [OBS] Weekly digest, 16 Nov", "wg",
	    NULL));
	assert_true(digestreply_is("Re: Weekly digest, 16 Nov", "wg", ""));
}

static void
test_links(void **state)
{
	(void)state;
	int64_t ids[DIGESTREPLY_IDS_MAX + 1];
	const char *t = "> Web: http://x/g/wg/t/12\n> Web: http://x/g/wg/t/7\n"
	    "http://x/g/wg/t/12 again, http://x/g/other/t/9, /g/wg/t/3a,"
	    " /g/wg/t/, /g/wgx/t/5 <http://x/g/wg/t/40>";
	size_t foreign;
	assert_int_equal(digestreply_links(t, "wg", ids, 8, &foreign), 3);
	assert_true(ids[0] == 12 && ids[1] == 7 && ids[2] == 40);
	/* other/t/9 and wgx/t/5; wg/t/3a and wg/t/ are no links */
	assert_int_equal(foreign, 2);
	assert_int_equal(digestreply_links(t, "wg", ids, 2, NULL), 2);
	/* DIGESTREPLY_IDS_MAX distinct ids are kept, no more */
	struct buf many = BUF_INIT;
	for (int i = 1; i <= DIGESTREPLY_IDS_MAX + 1; i++)
		buf_printf(&many, "/g/wg/t/%d\n", i);
	assert_int_equal(digestreply_links(buf_cstr(&many), "wg", ids,
	    DIGESTREPLY_IDS_MAX, NULL), DIGESTREPLY_IDS_MAX);
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
test_quoted(void **state)
{
	(void)state;
	struct buf out = BUF_INIT, t = BUF_INIT, want = BUF_INIT;
	/* DIGESTREPLY_QUOTE_MIN bytes once squeezed: taken; one less: not */
	for (int i = 0; i < DIGESTREPLY_QUOTE_MIN - 2; i++)
		buf_putc(&want, 'a' + i % 26);
	buf_printf(&t, "mine\n  >>  %s \t x  \n>%s\n> %s x\n> short\n",
	    buf_cstr(&want), buf_cstr(&want), buf_cstr(&want));
	assert_int_equal(digestreply_quoted(&out, buf_cstr(&t)), 1);
	buf_puts(&want, " x");
	assert_string_equal(out.data, buf_cstr(&want));
	/* at most DIGESTREPLY_QUOTE_LINES_MAX distinct lines */
	buf_reset(&out);
	buf_reset(&t);
	for (int i = 0; i < DIGESTREPLY_QUOTE_LINES_MAX + 3; i++)
		buf_printf(&t, "> line %03d of a quote long enough to be compared\n",
		    i);
	assert_int_equal(digestreply_quoted(&out, buf_cstr(&t)),
	    DIGESTREPLY_QUOTE_LINES_MAX);
	buf_free(&out);
	buf_free(&t);
	buf_free(&want);
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

/* n posts of body in thread (0: each its own) of group, in one
 * transaction: the last one's id. */
static int64_t
add_posts(struct db *db, int64_t gid, int64_t thread, const char *body,
    int n)
{
	static int serial;
	int64_t id = 0;
	assert_int_equal(db_begin(db), 0);
	for (int i = 0; i < n; i++) {
		char msgid[64];
		snprintf(msgid, sizeof msgid, "q%d@x", serial++);
		struct post_new p = { gid, thread, 0, 0, "Author", "a@x.org",
		    "Quoted topic", "quoted topic", body, "", 0, msgid, "",
		    "mail", 0 };
		id = store_post_add(db, &p);
		assert_true(id > 0);
	}
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
place_in(struct db *db, int64_t gid, const char *slug, const char *text,
    int64_t *thread, int64_t *parent)
{
	struct parsed p;
	memset(&p, 0, sizeof p);
	p.subject = (char *)"Re: [wg] Weekly digest, 8 Feb 2027";
	p.text = (char *)text;
	return digestreply_resolve(db, gid, slug, &p, thread, parent);
}

static int
place(struct db *db, int64_t gid, const char *text, int64_t *thread,
    int64_t *parent)
{
	return place_in(db, gid, "wg", text, thread, parent);
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


#define RLM	"\xe2\x80\x8f"
#define FSI	"\xe2\x81\xa8"
#define PDI	"\xe2\x81\xa9"

static void
notice(const char *lang, const char *subject, struct buf *subj,
    struct buf *text)
{
	struct digestreply_notice n = { lang, "Cloud souverain", subject,
	    "https://s.example/g/wg" };
	buf_reset(subj);
	buf_reset(text);
	digestreply_notice_text(subj, text, &n);
}

static void
test_notice_text(void **state)
{
	(void)state;
	struct buf subj = BUF_INIT, text = BUF_INIT;
	const char *re = "Re: [wg] Weekly digest, 8 Feb 2027";
	notice("en", re, &subj, &text);
	assert_string_equal(buf_cstr(&subj), "Your reply to the digest of Cloud"
	    " souverain waits for a moderator");
	assert_non_null(strstr(buf_cstr(&text), "\"Cloud souverain\""));
	assert_non_null(strstr(buf_cstr(&text), "could not be\nmatched to one"
	    " discussion: it waits for a moderator."));
	assert_non_null(strstr(buf_cstr(&text), "\n  Re: [wg] Weekly digest, 8"
	    " Feb 2027\n"));
	assert_non_null(strstr(buf_cstr(&text), "\"Reply\" link"));
	assert_non_null(strstr(buf_cstr(&text), "\n  https://s.example/g/wg\n"));
	assert_null(strstr(buf_cstr(&text), RLM));
	notice("fr", re, &subj, &text);
	assert_string_equal(buf_cstr(&subj), "Votre réponse au résumé de Cloud"
	    " souverain attend un modérateur");
	assert_non_null(strstr(buf_cstr(&text), "« Cloud souverain »"));
	assert_non_null(strstr(buf_cstr(&text), "« Répondre »"));
	assert_non_null(strstr(buf_cstr(&text), "\n  https://s.example/g/wg\n"));
	/* Arabic: every line that is not empty opens with U+200F, the
	 * group's name and the subject are isolated, the link stands alone */
	notice("ar", re, &subj, &text);
	assert_string_equal(buf_cstr(&subj), "ردك على ملخص Cloud souverain"
	    " ينتظر مشرفا");
	const char *t = buf_cstr(&text);
	assert_non_null(strstr(t, "«" FSI "Cloud souverain" PDI "»"));
	assert_non_null(strstr(t, "\n" RLM "  " FSI "Re: [wg] Weekly digest, 8"
	    " Feb 2027" PDI "\n"));
	assert_non_null(strstr(t, "\n" RLM "  https://s.example/g/wg\n"));
	assert_non_null(strstr(t, "«رد»"));
	int lines = 0;
	for (const char *l = t; *l; lines++) {
		const char *nl = strchr(l, '\n');
		assert_non_null(nl);	/* the text ends with a line end */
		if (nl > l)
			assert_memory_equal(l, RLM, strlen(RLM));
		l = nl + 1;
	}
	assert_true(lines > 8);
	/* another language: English */
	notice("de", re, &subj, &text);
	assert_non_null(strstr(buf_cstr(&subj), "waits for a moderator"));
	buf_free(&subj);
	buf_free(&text);
}

static void
test_notice_subject_max(void **state)
{
	(void)state;
	struct buf subj = BUF_INIT, text = BUF_INIT, s = BUF_INIT,
	    want = BUF_INIT;
	/* DIGESTREPLY_NOTICE_SUBJECT_MAX bytes are quoted whole */
	for (int i = 0; i < DIGESTREPLY_NOTICE_SUBJECT_MAX; i++)
		buf_putc(&s, 'a' + i % 26);
	notice("en", buf_cstr(&s), &subj, &text);
	buf_printf(&want, "\n  %s\n", buf_cstr(&s));
	assert_non_null(strstr(buf_cstr(&text), buf_cstr(&want)));
	/* one more: cut, never inside a character, "…" added */
	buf_truncate(&s, DIGESTREPLY_NOTICE_SUBJECT_MAX - 1);
	buf_puts(&s, "é");
	notice("en", buf_cstr(&s), &subj, &text);
	buf_reset(&want);
	buf_printf(&want, "\n  %.*s\xe2\x80\xa6\n",
	    DIGESTREPLY_NOTICE_SUBJECT_MAX - 1, buf_cstr(&s));
	assert_non_null(strstr(buf_cstr(&text), buf_cstr(&want)));
	buf_free(&subj);
	buf_free(&text);
	buf_free(&s);
	buf_free(&want);
}

static void
test_notice_window(void **state)
{
	struct db *db = *state;
	struct buf err = BUF_INIT;
	assert_int_equal(db_begin(db), 0);
	int64_t g1 = store_group_add(db, "win1", "W1", "", "public", "en", &err);
	int64_t g2 = store_group_add(db, "win2", "W2", "", "public", "en", &err);
	int64_t t = 1800000000;
	assert_int_equal(store_digestreply_notice_take(db, g1, "a@x.org", t,
	    DIGESTREPLY_NOTICE_MIN), 1);
	/* within DIGESTREPLY_NOTICE_MIN: not again, whatever the case */
	assert_int_equal(store_digestreply_notice_take(db, g1, "A@X.org", t +
	    DIGESTREPLY_NOTICE_MIN - 1, DIGESTREPLY_NOTICE_MIN), 0);
	/* another group, another author: their own windows */
	assert_int_equal(store_digestreply_notice_take(db, g2, "a@x.org", t + 1,
	    DIGESTREPLY_NOTICE_MIN), 1);
	assert_int_equal(store_digestreply_notice_take(db, g1, "b@x.org", t + 1,
	    DIGESTREPLY_NOTICE_MIN), 1);
	/* DIGESTREPLY_NOTICE_MIN after the first: once more, and the window
	 * starts again there */
	assert_int_equal(store_digestreply_notice_take(db, g1, "a@x.org", t +
	    DIGESTREPLY_NOTICE_MIN, DIGESTREPLY_NOTICE_MIN), 1);
	assert_int_equal(store_digestreply_notice_take(db, g1, "a@x.org", t +
	    2 * DIGESTREPLY_NOTICE_MIN - 1, DIGESTREPLY_NOTICE_MIN), 0);
	/* rows whose window is over are pruned, per group: b's went at a's
	 * last try; g2's stays until g2 takes one */
	assert_int_equal(db_int(db, "SELECT count(*) FROM digestreply_notice"
	    " WHERE group_id = ?", -1, "i", g1), 1);
	assert_int_equal(db_int(db, "SELECT count(*) FROM digestreply_notice"
	    " WHERE group_id = ?", -1, "i", g2), 1);
	assert_int_equal(store_digestreply_notice_take(db, g2, "c@x.org", t +
	    3 * DIGESTREPLY_NOTICE_MIN, DIGESTREPLY_NOTICE_MIN), 1);
	assert_int_equal(db_int(db, "SELECT count(*) FROM digestreply_notice"
	    " WHERE group_id = ? AND email = 'c@x.org'", -1, "i", g2), 1);
	assert_int_equal(db_int(db, "SELECT count(*) FROM digestreply_notice"
	    " WHERE group_id = ?", -1, "i", g2), 1);
	assert_int_equal(db_commit(db), 0);
	buf_free(&err);
}

/* The notice queued for a held reply of subject to group slug (language
 * lang), raw its message: the outbox's message for rcpt, or "" when none
 * was queued (rc: what digestreply_notice returned). */
static int
queue_notice(struct db *db, const char *slug, const char *rcpt,
    const char *subject, const char *raw, struct buf *msg)
{
	struct group g;
	struct parsed p;
	struct buf r = BUF_INIT;
	memset(&p, 0, sizeof p);
	p.subject = (char *)subject;
	buf_puts(&r, raw);
	assert_int_equal(store_group_get(db, slug, &g), 1);
	assert_int_equal(db_begin(db), 0);
	int rc = digestreply_notice(db, &g, "lists.example.org",
	    "https://s.example", rcpt, &p, &r, 1800000000);
	assert_int_equal(db_commit(db), 0);
	buf_reset(msg);
	assert_int_equal(db_text(db, msg, "SELECT coalesce((SELECT CAST(message"
	    " AS TEXT) FROM outbox WHERE rcpt = ? ORDER BY id DESC LIMIT 1),"
	    " '')", "t", rcpt), 1);
	store_group_clear(&g);
	buf_free(&r);
	return rc;
}

static void
test_notice_queued(void **state)
{
	struct db *db = *state;
	struct buf err = BUF_INIT, msg = BUF_INIT;
	assert_int_equal(db_begin(db), 0);
	assert_true(store_group_add(db, "obs", "Observatoire", "", "public",
	    "en", &err) > 0);
	assert_int_equal(db_commit(db), 0);
	/* a French digest's subject: French, from the owner address */
	assert_int_equal(queue_notice(db, "obs", "fr@x.org", "Re: [obs] Résumé"
	    " hebdomadaire, 8 févr. 2027", "Subject: x\r\n\r\nbody\r\n", &msg), 1);
	const char *m = buf_cstr(&msg);
	assert_non_null(strstr(m, "From: Observatoire <obs-owner@"
	    "lists.example.org>\r\n"));
	assert_non_null(strstr(m, "To: <fr@x.org>\r\n"));
	assert_non_null(strstr(m, "Auto-Submitted: auto-replied\r\n"));
	assert_non_null(strstr(m, "Content-Language: fr\r\n"));
	assert_non_null(strstr(m, "Subject: Votre =?UTF-8?Q?r=C3=A9ponse?="));
	assert_non_null(strstr(m, "« Répondre »"));
	/* the message's Content-Language wins over the digest's */
	assert_int_equal(queue_notice(db, "obs", "ar@x.org", "Re: [obs] Résumé"
	    " hebdomadaire", "Content-Language: ar\r\n\r\nb\r\n", &msg), 1);
	assert_non_null(strstr(buf_cstr(&msg), "Content-Language: ar\r\n"));
	/* an English digest: the group's language */
	assert_int_equal(queue_notice(db, "obs", "en@x.org", "Re: [obs] Weekly"
	    " digest", "\r\nb\r\n", &msg), 1);
	assert_non_null(strstr(buf_cstr(&msg), "Content-Language: en\r\n"));
	/* the same author again within the hour: nothing queued */
	assert_int_equal(db_run(db, "DELETE FROM outbox", ""), 0);
	assert_int_equal(queue_notice(db, "obs", "en@x.org", "Re: [obs] Weekly"
	    " digest", "\r\nb\r\n", &msg), 0);
	assert_string_equal(buf_cstr(&msg), "");
	buf_free(&msg);
	buf_free(&err);
}

/* A reply quoting a post's text without its links: the one thread whose
 * posts hold the quoted lines, under the newest such post. */
static void
test_resolve_quotes(void **state)
{
	struct db *db = *state;
	struct buf err = BUF_INIT;
	assert_int_equal(db_begin(db), 0);
	int64_t gid = store_group_add(db, "wq", "WQ", "", "public", "en", &err);
	assert_int_equal(db_commit(db), 0);
	int64_t a = add_posts(db, gid, 0, "The committee meets on the third of"
	    " July\nin the main hall, with the budget on the agenda.\n", 1);
	int64_t ta = thread_of(db, a);
	int64_t b = add_posts(db, gid, 0, "Which hosting providers are"
	    " qualified for sovereign cloud work?\n", 1);
	int64_t thread, parent;
	/* a line of a, rewrapped by the digest and quoted by the client */
	const char *one = "I will come.\n\n> The committee meets on the"
	    " third of July in the\n> main hall\n";
	assert_int_equal(place_in(db, gid, "wq", one, &thread, &parent), 1);
	assert_true(thread == ta && parent == a);
	/* lines of both threads: held */
	const char *two = "Both.\n> The committee meets on the third of July\n"
	    "> Which hosting providers are qualified for sovereign\n";
	assert_int_equal(place_in(db, gid, "wq", two, &thread, &parent), 0);
	(void)b;
	/* a quote shorter than DIGESTREPLY_QUOTE_MIN is never compared */
	char t[200];
	snprintf(t, sizeof t, "Yes.\n> %.*s\n", DIGESTREPLY_QUOTE_MIN - 1,
	    "The committee meets on the third of July in the main hall");
	assert_int_equal(place_in(db, gid, "wq", t, &thread, &parent), 0);
	snprintf(t, sizeof t, "Yes.\n> %.*s\n", DIGESTREPLY_QUOTE_MIN,
	    "The committee meets on the third of July in the main hall");
	assert_int_equal(place_in(db, gid, "wq", t, &thread, &parent), 1);
	assert_true(thread == ta);
	/* a quoted line found in no post (the digest's own words): held */
	snprintf(t, sizeof t, "%s> You receive this digest because you are a"
	    " member\n", one);
	assert_int_equal(place_in(db, gid, "wq", t, &thread, &parent), 0);
	/* a line found in two threads: held */
	add_posts(db, gid, 0, "As said: The committee meets on the third of"
	    " July in the main hall.\n", 1);
	assert_int_equal(place_in(db, gid, "wq", one, &thread, &parent), 0);
	/* only the DIGESTREPLY_QUOTE_POSTS_MAX newest posts are compared */
	int64_t last = add_posts(db, gid, ta, "Agreed.\n",
	    DIGESTREPLY_QUOTE_POSTS_MAX - 3);
	const char *agenda = "> in the main hall, with the budget on the"
	    " agenda.\n";
	assert_int_equal(place_in(db, gid, "wq", agenda, &thread, &parent), 1);
	assert_true(thread == ta && parent == a);
	add_posts(db, gid, thread_of(db, last), "Agreed again.\n", 1);
	assert_int_equal(place_in(db, gid, "wq", agenda, &thread, &parent), 0);
	buf_free(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is),
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_msgids),
		cmocka_unit_test(test_quoted),
		cmocka_unit_test(test_unquoted),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_resolve_quotes),
		cmocka_unit_test(test_notice_text),
		cmocka_unit_test(test_notice_subject_max),
		cmocka_unit_test(test_notice_window),
		cmocka_unit_test(test_notice_queued),
	};
	return cmocka_run_group_tests(tests, fixture_db_setup,
	    fixture_db_teardown);
}
