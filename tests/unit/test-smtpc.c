/*
 * Unit tests for mail/smtpc.c, the protocol: transactions, hostile and
 * slow servers, deadlines, connections and name resolution, against the
 * scripted server of fake_smtp.c on 127.0.0.1.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "daemon/buf.h"
#include "daemon/xalloc.h"
#include "mail/smtpc.h"
#include "tests/unit/fake_smtp.h"

/* ---------------------------------------------------------------------
 * Tests: transactions
 */

static void
test_simple(void **state)
{
	struct env e;

	fake_smtp_env_init(&e, fake_smtp_one_job, 1);
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	fake_smtp_assert_res(&e.cl.res[0], 250, 0, SMTPC_STAGE_BODY);
	assert_string_equal(e.cl.res[0].enhanced, "2.0.0");
	assert_string_equal(e.cl.res[0].text, "queued");
	assert_string_equal(buf_cstr(&e.f.cmds),
	    "EHLO client.test\n"
	    "MAIL FROM:<list-bounces+abc@list.test> SIZE=22\n"
	    "RCPT TO:<member@example.org>\n"
	    "DATA\n"
	    "QUIT\n");
	assert_string_equal(buf_cstr(&e.f.lastmsg), fake_smtp_one_job[0].data);
	assert_int_equal(e.cl.why.code, 221);
	assert_int_equal(e.cl.why.local, 0);
	fake_smtp_env_free(&e);
}

static void
test_twenty_jobs_one_connection(void **state)
{
	static struct tjob jobs[20];
	static char rcpts[20][32];
	struct env e;

	for (int i = 0; i < 20; i++) {
		snprintf(rcpts[i], sizeof rcpts[i], "m%d@example.org", i);
		jobs[i] = (struct tjob){ "", rcpts[i], "x\r\n", 0 };
	}
	fake_smtp_env_init(&e, jobs, 20);
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	for (int i = 0; i < 20; i++)
		fake_smtp_assert_res(&e.cl.res[i], 250, 0, SMTPC_STAGE_BODY);
	assert_int_equal(e.f.nconns, 1);
	assert_int_equal(e.f.msgs, 20);
	assert_int_equal(e.f.ehlos, 1);
	/* PIPELINING: each MAIL, RCPT and DATA arrived in one read. */
	assert_int_equal(e.f.pipelined_reads, 20);
	assert_int_equal(e.f.split_reads, 0);
	assert_non_null(strstr(buf_cstr(&e.f.cmds), "MAIL FROM:<> SIZE=3\n"));
	fake_smtp_env_free(&e);
}

static void
test_lockstep_without_pipelining(void **state)
{
	static const struct tjob jobs[] = {
		{ "a@list.test", "b@example.org", "one\r\n", 0 },
		{ "a@list.test", "c@example.org", "two\r\n", 0 },
	};
	struct env e;

	fake_smtp_env_init(&e, jobs, 2);
	e.f.ehlo = EHLO_LOCKSTEP;
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	fake_smtp_assert_res(&e.cl.res[0], 250, 0, SMTPC_STAGE_BODY);
	fake_smtp_assert_res(&e.cl.res[1], 250, 0, SMTPC_STAGE_BODY);
	assert_int_equal(e.f.pipelined_reads, 0);
	assert_int_equal(e.f.split_reads, 2);
	assert_int_equal(e.f.msgs, 2);
	fake_smtp_env_free(&e);
}

static const char *
hook_rcpt_bad(struct fake *f, const char *line)
{
	if (fake_smtp_is(line, "RCPT TO:<bad"))
		return "550 5.1.1 no such user\r\n";
	if (fake_smtp_is(line, "RCPT TO:<full"))
		return "452 4.2.2 mailbox full\r\n";
	return NULL;
}

static const struct tjob rcpt_jobs[] = {
	{ "l@list.test", "ok1@example.org", "one\r\n", 0 },
	{ "l@list.test", "bad@example.org", "two\r\n", 0 },
	{ "l@list.test", "full@example.org", "three\r\n", 0 },
	{ "l@list.test", "ok2@example.org", "four\r\n", 0 },
};

static void
check_rcpt_jobs(struct env *e)
{
	fake_smtp_assert_res(&e->cl.res[0], 250, 0, SMTPC_STAGE_BODY);
	fake_smtp_assert_res(&e->cl.res[1], 550, 0, SMTPC_STAGE_RCPT);
	assert_string_equal(e->cl.res[1].enhanced, "5.1.1");
	assert_string_equal(e->cl.res[1].text, "no such user");
	fake_smtp_assert_res(&e->cl.res[2], 452, 0, SMTPC_STAGE_RCPT);
	assert_string_equal(e->cl.res[2].enhanced, "4.2.2");
	fake_smtp_assert_res(&e->cl.res[3], 250, 0, SMTPC_STAGE_BODY);
	assert_int_equal(e->f.msgs, 2);
	assert_int_equal(e->f.rsets, 2);
	assert_string_equal(buf_cstr(&e->f.lastmsg), "four\r\n");
	assert_int_equal(e->f.nconns, 1);
}

static void
test_rcpt_rejected_pipelined(void **state)
{
	struct env e;

	fake_smtp_env_init(&e, rcpt_jobs, NJOBS(rcpt_jobs));
	e.f.hook = hook_rcpt_bad;
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	check_rcpt_jobs(&e);
	/* The DATA sent with the refused RCPT got 554 and no body. */
	assert_int_equal(e.f.datas, 4);
	fake_smtp_env_free(&e);
}

static void
test_rcpt_rejected_lockstep(void **state)
{
	struct env e;

	fake_smtp_env_init(&e, rcpt_jobs, NJOBS(rcpt_jobs));
	e.f.hook = hook_rcpt_bad;
	e.f.ehlo = EHLO_LOCKSTEP;
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	check_rcpt_jobs(&e);
	assert_int_equal(e.f.datas, 2);
	fake_smtp_env_free(&e);
}

static const char *
hook_354_anyway(struct fake *f, const char *line)
{
	if (fake_smtp_is(line, "RCPT TO:<bad"))
		return "550 5.1.1 no such user\r\n";
	if (strcmp(line, "DATA") == 0)
		return "354 go ahead anyway\r\n";
	return NULL;
}

static void
test_354_after_rejected_rcpt(void **state)
{
	static const struct tjob jobs[] = {
		{ "l@list.test", "bad@example.org", "secret\r\n", 0 },
		{ "l@list.test", "ok@example.org", "fine\r\n", 0 },
	};
	struct env e;

	fake_smtp_env_init(&e, jobs, 2);
	e.f.hook = hook_354_anyway;
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	fake_smtp_assert_res(&e.cl.res[0], 550, 0, SMTPC_STAGE_RCPT);
	fake_smtp_assert_res(&e.cl.res[1], 250, 0, SMTPC_STAGE_BODY);
	/* The first "message" was ended empty: its body never went out. */
	assert_int_equal(e.f.msgs, 2);
	assert_null(strstr(buf_cstr(&e.f.lastmsg), "secret"));
	assert_string_equal(buf_cstr(&e.f.lastmsg), "fine\r\n");
	fake_smtp_env_free(&e);
}

static const char *
hook_mail_refused(struct fake *f, const char *line)
{
	if (fake_smtp_is(line, "MAIL FROM:<refused"))
		return "553 5.1.8 sender refused\r\n";
	if (fake_smtp_is(line, "RCPT TO:") && f->mails == 1)
		return "503 5.5.1 need MAIL\r\n";
	return NULL;
}

static void
test_mail_refused(void **state)
{
	static const struct tjob jobs[] = {
		{ "refused@list.test", "a@example.org", "one\r\n", 0 },
		{ "l@list.test", "b@example.org", "two\r\n", 0 },
	};
	struct env e;

	fake_smtp_env_init(&e, jobs, 2);
	e.f.hook = hook_mail_refused;
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	fake_smtp_assert_res(&e.cl.res[0], 553, 0, SMTPC_STAGE_MAIL);
	fake_smtp_assert_res(&e.cl.res[1], 250, 0, SMTPC_STAGE_BODY);
	assert_int_equal(e.f.msgs, 1);
	fake_smtp_env_free(&e);
}

static const char *
hook_final(struct fake *f, const char *line)
{
	if (strcmp(line, "<EOM>") == 0 && f->msgs == 1)
		return "554 5.7.1 message refused\r\n";
	if (strcmp(line, "<EOM>") == 0 && f->msgs == 2)
		return "451 4.3.0 try later\r\n";
	if (strcmp(line, "<EOM>") == 0)
		return "250-2.0.0 first\r\n250-2.0.0 second\r\n250 third\r\n";
	return NULL;
}

static void
test_final_reply(void **state)
{
	static const struct tjob jobs[] = {
		{ "l@list.test", "a@example.org", "one\r\n", 0 },
		{ "l@list.test", "b@example.org", "two\r\n", 0 },
		{ "l@list.test", "c@example.org", "three\r\n", 0 },
	};
	struct env e;

	fake_smtp_env_init(&e, jobs, 3);
	e.f.hook = hook_final;
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	fake_smtp_assert_res(&e.cl.res[0], 554, 0, SMTPC_STAGE_BODY);
	assert_string_equal(e.cl.res[0].enhanced, "5.7.1");
	fake_smtp_assert_res(&e.cl.res[1], 451, 0, SMTPC_STAGE_BODY);
	fake_smtp_assert_res(&e.cl.res[2], 250, 0, SMTPC_STAGE_BODY);
	assert_string_equal(e.cl.res[2].enhanced, "2.0.0");
	assert_string_equal(e.cl.res[2].text, "first second third");
	assert_int_equal(e.f.rsets, 0);
	fake_smtp_env_free(&e);
}

static const char *
hook_drop_eom(struct fake *f, const char *line)
{
	return strcmp(line, "<EOM>") == 0 ? FAKE_DROP : NULL;
}

static void
test_drop_after_data(void **state)
{
	struct env e;

	fake_smtp_env_init(&e, rcpt_jobs, NJOBS(rcpt_jobs));
	e.f.hook = hook_drop_eom;
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	assert_int_equal(e.cl.taken, 1);
	fake_smtp_assert_res(&e.cl.res[0], 421, 1, SMTPC_STAGE_BODY);
	assert_string_equal(e.cl.res[0].enhanced, "4.4.2");
	assert_int_equal(e.cl.why.code, 421);
	assert_int_equal(e.cl.why.local, 1);
	fake_smtp_env_free(&e);
}

static const char *
hook_421(struct fake *f, const char *line)
{
	return fake_smtp_is(line, "RCPT") ? "421 4.3.2 shutting down\r\n" :
	    NULL;
}

static void
test_421_closes(void **state)
{
	struct env e;

	fake_smtp_env_init(&e, rcpt_jobs, NJOBS(rcpt_jobs));
	e.f.hook = hook_421;
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	assert_int_equal(e.cl.taken, 1);
	fake_smtp_assert_res(&e.cl.res[0], 421, 0, SMTPC_STAGE_RCPT);
	assert_int_equal(e.cl.why.code, 421);
	assert_int_equal(e.cl.why.local, 0);
	assert_int_equal(e.f.quits, 0);
	fake_smtp_env_free(&e);
}

static void
test_dot_stuffing(void **state)
{
	static const struct tjob jobs[] = {
		{ "l@list.test", "a@example.org",
		    ".start\r\nmid\r\n..two\r\n.\r\nend", 0 },
		{ "l@list.test", "b@example.org", "a\n.b\r\n", 0 },
		{ "l@list.test", "c@example.org", NULL, 0 },
		{ "l@list.test", "d@example.org", ".", 0 },
	};
	struct env e;
	const char *msgs[4];
	int i;

	fake_smtp_env_init(&e, jobs, 1);
	for (i = 0; i < 4; i++) {
		/* One job per connection to look at each message. */
		e.cl.jobs = &jobs[i];
		e.cl.taken = e.cl.nres = e.cl.nclosed = 0;
		memset(e.cl.res, 0, sizeof e.cl.res);
		fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
		fake_smtp_assert_res(&e.cl.res[0], 250, 0, SMTPC_STAGE_BODY);
		msgs[i] = xstrdup(buf_cstr(&e.f.lastmsg));
	}
	assert_string_equal(msgs[0],
	    "..start\r\nmid\r\n...two\r\n..\r\nend\r\n");
	assert_string_equal(msgs[1], "a\n..b\r\n");
	assert_string_equal(msgs[2], "");
	assert_string_equal(msgs[3], "..\r\n");
	for (i = 0; i < 4; i++)
		free((char *)msgs[i]);
	fake_smtp_env_free(&e);
}

static void
test_large_message(void **state)
{
	static struct tjob jobs[1];
	struct buf b = BUF_INIT;
	struct env e;

	for (int i = 0; i < 20000; i++)
		buf_printf(&b, "%sline %d of a long message\r\n",
		    i % 7 == 0 ? "." : "", i);
	jobs[0] = (struct tjob){ "l@list.test", "a@example.org", b.data, 0 };
	fake_smtp_env_init(&e, jobs, 1);
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	fake_smtp_assert_res(&e.cl.res[0], 250, 0, SMTPC_STAGE_BODY);
	assert_int_equal(e.f.lastmsg.len, b.len + (20000 + 6) / 7);
	assert_memory_equal(e.f.lastmsg.data, "..line 0 of", 11);
	buf_free(&b);
	fake_smtp_env_free(&e);
}

/* ---------------------------------------------------------------------
 * Tests: hostile or broken relays
 */

static const char *hostile_reply;

static const char *
hook_hostile_eom(struct fake *f, const char *line)
{
	return strcmp(line, "<EOM>") == 0 ? hostile_reply : NULL;
}

/* Send one job to a relay giving reply as its final reply; check the
 * job's result. */
static void
run_hostile(const char *reply, int code, int local, const char *text)
{
	struct env e;

	hostile_reply = reply;
	fake_smtp_env_init(&e, fake_smtp_one_job, 1);
	e.f.hook = hook_hostile_eom;
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	assert_int_equal(e.cl.res[0].n, 1);
	assert_int_equal(e.cl.res[0].code, code);
	assert_int_equal(e.cl.res[0].local, local);
	assert_non_null(strstr(e.cl.res[0].text, text));
	if (local) {
		assert_int_equal(e.cl.why.code, 421);
		assert_int_equal(e.cl.why.local, 1);
	}
	fake_smtp_env_free(&e);
}

static void
test_tiny_and_garbage_replies(void **state)
{
	run_hostile("2\r\n", 421, 1, "not an SMTP reply");
	run_hostile("25\r\n", 421, 1, "not an SMTP reply");
	run_hostile("\r\n", 421, 1, "not an SMTP reply");
	run_hostile("hello world\r\n", 421, 1, "not an SMTP reply");
	run_hostile("2500 ok\r\n", 421, 1, "not an SMTP reply");
	run_hostile("150 what\r\n", 421, 1, "not an SMTP reply");
	run_hostile("250-one\r\n550 two\r\n", 421, 1, "changes");
	/* Three bytes are a whole reply; NUL and control bytes are shown. */
	run_hostile("250\r\n", 250, 0, "");
	run_hostile("250 a\001b\r\n", 250, 0, "a?b");
	run_hostile("250 x\n", 250, 0, "x");
}

static const char *
hook_partial_then_drop(struct fake *f, const char *line)
{
	if (fake_smtp_is(line, "MAIL")) {
		struct fconn *fc = f->conns;
		bufferevent_write(fc->bev, "25", 2);
		return FAKE_SILENT;
	}
	if (fake_smtp_is(line, "DATA"))
		return FAKE_DROP;
	return NULL;
}

static void
test_partial_reply_then_close(void **state)
{
	struct env e;

	fake_smtp_env_init(&e, fake_smtp_one_job, 1);
	e.f.hook = hook_partial_then_drop;
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	fake_smtp_assert_res(&e.cl.res[0], 421, 1, SMTPC_STAGE_MAIL);
	fake_smtp_env_free(&e);
}

static struct buf huge;

static const char *
hook_huge_rcpt(struct fake *f, const char *line)
{
	return fake_smtp_is(line, "RCPT") ? buf_cstr(&huge) : NULL;
}

static const char *
hook_huge_ehlo(struct fake *f, const char *line)
{
	return fake_smtp_is(line, "EHLO") ? buf_cstr(&huge) : NULL;
}

static void
test_million_line_reply(void **state)
{
	struct env e;

	buf_reserve(&huge, 7000010);
	for (int i = 0; i < 1000000; i++)
		buf_append(&huge, "250-x\r\n", 7);
	buf_puts(&huge, "250 ok\r\n");

	fake_smtp_env_init(&e, fake_smtp_one_job, 1);
	e.f.hook = hook_huge_rcpt;
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	fake_smtp_assert_res(&e.cl.res[0], 421, 1, SMTPC_STAGE_RCPT);
	assert_non_null(strstr(e.cl.res[0].text, "too many reply lines"));
	fake_smtp_env_free(&e);

	fake_smtp_env_init(&e, fake_smtp_one_job, 1);
	e.f.hook = hook_huge_ehlo;
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	assert_int_equal(e.cl.taken, 0);
	assert_int_equal(e.cl.why.code, 421);
	assert_int_equal(e.cl.why.stage, SMTPC_STAGE_EHLO);
	fake_smtp_env_free(&e);
	buf_free(&huge);
}

static void
test_reply_line_limit(void **state)
{
	struct buf b = BUF_INIT;

	/* Exactly SMTPC_MAX_LINE bytes is accepted, one more is not. */
	buf_puts(&b, "250 ");
	while (b.len < SMTPC_MAX_LINE)
		buf_putc(&b, 'x');
	buf_puts(&b, "\r\n");
	run_hostile(buf_cstr(&b), 250, 0, "xxxx");
	buf_truncate(&b, b.len - 2);
	buf_puts(&b, "y\r\n");
	run_hostile(buf_cstr(&b), 421, 1, "longer than");
	/* No line end at all. */
	buf_reset(&b);
	for (int i = 0; i < 100000; i++)
		buf_putc(&b, 'z');
	run_hostile(buf_cstr(&b), 421, 1, "longer than");
	buf_free(&b);
}

static void
test_reply_lines_limit(void **state)
{
	struct buf b = BUF_INIT;

	for (int i = 0; i < SMTPC_MAX_REPLY_LINES; i++)
		buf_puts(&b, i == SMTPC_MAX_REPLY_LINES - 1 ?
		    "250 last\r\n" : "250-l\r\n");
	run_hostile(buf_cstr(&b), 250, 0, "last");
	buf_reset(&b);
	for (int i = 0; i <= SMTPC_MAX_REPLY_LINES; i++)
		buf_puts(&b, i == SMTPC_MAX_REPLY_LINES ? "250 last\r\n" :
		    "250-l\r\n");
	run_hostile(buf_cstr(&b), 421, 1, "too many reply lines");
	buf_free(&b);
}

static const char *
hook_silent_rcpt(struct fake *f, const char *line)
{
	if (fake_smtp_is(line, "RCPT") || strcmp(line, "DATA") == 0)
		return FAKE_SILENT;
	return NULL;
}

static void
test_stage_timeout(void **state)
{
	struct env e;

	fake_smtp_env_init(&e, rcpt_jobs, NJOBS(rcpt_jobs));
	e.f.hook = hook_silent_rcpt;
	e.cfg.timeouts.rcpt = 1;
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	assert_int_equal(e.cl.taken, 1);
	fake_smtp_assert_res(&e.cl.res[0], 421, 1, SMTPC_STAGE_RCPT);
	assert_string_equal(e.cl.res[0].enhanced, "4.4.2");
	assert_non_null(strstr(e.cl.res[0].text, "timeout"));
	assert_int_equal(e.cl.why.code, 421);
	fake_smtp_env_free(&e);
}

static const char *
hook_stop_reading(struct fake *f, const char *line)
{
	if (strcmp(line, "DATA") == 0)
		bufferevent_disable(f->conns->bev, EV_READ);
	return NULL;
}

static const char *
hook_silent_eom(struct fake *f, const char *line)
{
	return strcmp(line, "<EOM>") == 0 ? FAKE_SILENT : NULL;
}

static void
test_body_timeouts(void **state)
{
	static struct tjob jobs[1];
	size_t big = 32 * 1024 * 1024;
	char *data = xmalloc(big);
	struct env e;

	/* The relay stops reading: no write progress for data_block. */
	memset(data, 'a', big);
	for (size_t i = 998; i < big; i += 1000)
		memcpy(data + i, "\r\n", 2);
	jobs[0] = (struct tjob){ "l@list.test", "a@example.org", data, big };
	fake_smtp_env_init(&e, jobs, 1);
	e.f.ehlo = "250-fake\r\n250 PIPELINING\r\n";
	e.f.hook = hook_stop_reading;
	e.cfg.timeouts.data_block = 1;
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	fake_smtp_assert_res(&e.cl.res[0], 421, 1, SMTPC_STAGE_BODY);
	assert_string_equal(e.cl.res[0].text, "timeout sending the message");
	fake_smtp_env_free(&e);

	/* All sent, no final reply within data_term. */
	fake_smtp_env_init(&e, fake_smtp_one_job, 1);
	e.f.hook = hook_silent_eom;
	e.cfg.timeouts.data_term = 1;
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	fake_smtp_assert_res(&e.cl.res[0], 421, 1, SMTPC_STAGE_BODY);
	assert_string_equal(e.cl.res[0].text,
	    "timeout waiting for the final reply");
	assert_int_equal(e.f.msgs, 1);
	fake_smtp_env_free(&e);
	free(data);
}

static void
test_greeting_timeout_and_refusal(void **state)
{
	struct env e;

	fake_smtp_env_init(&e, fake_smtp_one_job, 1);
	e.f.greeting = "";
	e.cfg.timeouts.greeting = 1;
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	assert_int_equal(e.cl.taken, 0);
	assert_int_equal(e.cl.why.code, 421);
	assert_int_equal(e.cl.why.stage, SMTPC_STAGE_GREETING);
	fake_smtp_env_free(&e);

	fake_smtp_env_init(&e, fake_smtp_one_job, 1);
	e.f.greeting = "554-5.3.2 go away\r\n554 5.3.2 really\r\n";
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	assert_int_equal(e.cl.taken, 0);
	assert_int_equal(e.cl.why.code, 554);
	assert_int_equal(e.cl.why.local, 0);
	assert_string_equal(e.cl.why.text, "go away really");
	assert_int_equal(e.f.ehlos, 0);
	fake_smtp_env_free(&e);
}

static const char *
hook_ehlo_502(struct fake *f, const char *line)
{
	return fake_smtp_is(line, "EHLO") ? "502 5.5.1 EHLO not here\r\n" :
	    NULL;
}

static void
test_ehlo_502_helo(void **state)
{
	struct env e;

	fake_smtp_env_init(&e, rcpt_jobs, 2);
	e.f.hook = hook_ehlo_502;
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	fake_smtp_assert_res(&e.cl.res[0], 250, 0, SMTPC_STAGE_BODY);
	fake_smtp_assert_res(&e.cl.res[1], 250, 0, SMTPC_STAGE_BODY);
	assert_int_equal(e.f.helos, 1);
	assert_int_equal(e.f.split_reads, 2);
	assert_non_null(strstr(buf_cstr(&e.f.cmds),
	    "EHLO client.test\nHELO client.test\n"
	    "MAIL FROM:<l@list.test>\nRCPT TO:<ok1@example.org>\nDATA\n"));
	fake_smtp_env_free(&e);
}

static void
test_connect_refused(void **state)
{
	struct env e;
	char port[8];

	fake_smtp_env_init(&e, fake_smtp_one_job, 1);
	/* The listener's port, once it is closed, refuses connections. */
	memcpy(port, e.f.port, sizeof port);
	evconnlistener_free(e.f.lev);
	e.f.lev = NULL;
	e.cfg.port = port;
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	assert_int_equal(e.cl.taken, 0);
	assert_int_equal(e.cl.why.code, 421);
	assert_string_equal(e.cl.why.enhanced, "4.4.1");
	assert_non_null(strstr(e.cl.why.text, "cannot connect to 127.0.0.1 "
	    "port"));
	assert_int_equal(e.cl.why.stage, SMTPC_STAGE_CONNECT);
	fake_smtp_env_free(&e);
}

/* ---------------------------------------------------------------------
 * Tests: jobs, extensions, life cycle
 */

static const char *
hook_size_100(struct fake *f, const char *line)
{
	if (fake_smtp_is(line, "EHLO"))
		return "250-fake\r\n250-PIPELINING\r\n250 SIZE 100\r\n";
	return NULL;
}

static void
test_refused_jobs(void **state)
{
	static char big[201];
	static struct tjob jobs[] = {
		{ "l@list.test", "a@b\r\nRCPT TO:<evil@x>", "x\r\n", 0 },
		{ "l@list.test", "", "x\r\n", 0 },
		{ "l@list.test", "<a@b>", "x\r\n", 0 },
		{ "l@list.test", "\xc3\xa9@example.org", "x\r\n", 0 },
		{ "l@list.test", "a@example.org", big, 0 },
		{ NULL, "a@example.org", "x\r\n", 0 },
		{ "l@list.test", "ok@example.org", "x\r\n", 0 },
	};
	struct env e;

	memset(big, 'b', 200);
	fake_smtp_env_init(&e, jobs, NJOBS(jobs));
	e.f.hook = hook_size_100;
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	for (int i = 0; i < 3; i++) {
		fake_smtp_assert_res(&e.cl.res[i], 553, 1, SMTPC_STAGE_MAIL);
		assert_string_equal(e.cl.res[i].enhanced, "5.1.3");
	}
	fake_smtp_assert_res(&e.cl.res[3], 553, 1, SMTPC_STAGE_MAIL);
	assert_string_equal(e.cl.res[3].enhanced, "5.6.7");
	fake_smtp_assert_res(&e.cl.res[4], 552, 1, SMTPC_STAGE_MAIL);
	fake_smtp_assert_res(&e.cl.res[5], 553, 1, SMTPC_STAGE_MAIL);
	fake_smtp_assert_res(&e.cl.res[6], 250, 0, SMTPC_STAGE_BODY);
	assert_int_equal(e.f.mails, 1);
	assert_null(strstr(buf_cstr(&e.f.cmds), "evil"));
	fake_smtp_env_free(&e);
}

static const char *
hook_utf8(struct fake *f, const char *line)
{
	if (fake_smtp_is(line, "EHLO"))
		return "250-fake\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
		    "250 SMTPUTF8\r\n";
	return NULL;
}

static void
test_8bitmime_smtputf8(void **state)
{
	static const struct tjob jobs[] = {
		{ "l@list.test", "\xd8\xb9@example.org", "x\r\n", 0 },
		{ "l@list.test", "a@example.org", "caf\xc3\xa9\r\n", 0 },
		{ "l@list.test", "a@example.org", "plain\r\n", 0 },
	};
	struct env e;

	fake_smtp_env_init(&e, jobs, 3);
	e.f.hook = hook_utf8;
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	for (int i = 0; i < 3; i++)
		fake_smtp_assert_res(&e.cl.res[i], 250, 0, SMTPC_STAGE_BODY);
	assert_non_null(strstr(buf_cstr(&e.f.cmds),
	    "MAIL FROM:<l@list.test> SMTPUTF8\n"
	    "RCPT TO:<\xd8\xb9@example.org>\n"));
	assert_non_null(strstr(buf_cstr(&e.f.cmds),
	    "MAIL FROM:<l@list.test> BODY=8BITMIME\n"));
	assert_non_null(strstr(buf_cstr(&e.f.cmds),
	    "MAIL FROM:<l@list.test>\n"));
	fake_smtp_env_free(&e);
}

static void
test_idle_then_quit(void **state)
{
	struct env e;

	fake_smtp_env_init(&e, fake_smtp_one_job, 1);
	e.cl.hold = 1;
	e.cfg.timeouts.idle = 1;
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	assert_int_equal(e.cl.taken, 0);
	assert_int_equal(e.f.quits, 1);
	assert_int_equal(e.cl.why.code, 221);
	assert_int_equal(e.cl.why.local, 0);
	fake_smtp_env_free(&e);
}

static void
release_jobs(evutil_socket_t fd, short what, void *arg)
{
	struct client *cl = arg;

	cl->hold = 0;
	smtpc_wakeup(cl->c[0]);
}

static void
test_wakeup(void **state)
{
	struct timeval tv = { 0, 200000 };
	struct env e;

	fake_smtp_env_init(&e, rcpt_jobs, 2);
	e.cl.hold = 1;
	event_base_once(e.base, -1, EV_TIMEOUT, release_jobs, &e.cl, &tv);
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	fake_smtp_assert_res(&e.cl.res[0], 250, 0, SMTPC_STAGE_BODY);
	fake_smtp_assert_res(&e.cl.res[1], 250, 0, SMTPC_STAGE_BODY);
	assert_int_equal(e.f.nconns, 1);
	assert_int_equal(e.cl.why.code, 221);
	fake_smtp_env_free(&e);
}

static void
test_quit_mid_transaction(void **state)
{
	struct env e;

	fake_smtp_env_init(&e, rcpt_jobs, NJOBS(rcpt_jobs));
	e.cl.quit_in_next = 1;
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	assert_int_equal(e.cl.taken, 1);
	fake_smtp_assert_res(&e.cl.res[0], 250, 0, SMTPC_STAGE_BODY);
	assert_int_equal(e.f.quits, 1);
	assert_int_equal(e.cl.why.code, 221);
	fake_smtp_env_free(&e);
}

static void
test_quit_before_connect(void **state)
{
	struct env e;
	struct timeval guard = { 5, 0 };

	fake_smtp_env_init(&e, fake_smtp_one_job, 1);
	e.cl.c[0] = smtpc_connect(e.base, NULL, NULL, &e.cfg, &fake_smtp_cb,
	    &e.cl);
	assert_non_null(e.cl.c[0]);
	e.cl.nconn = 1;
	smtpc_quit(e.cl.c[0]);
	smtpc_quit(e.cl.c[0]);
	assert_int_equal(e.cl.nclosed, 0);	/* never inside the call */
	event_base_loopexit(e.base, &guard);
	event_base_dispatch(e.base);
	assert_int_equal(e.cl.nclosed, 1);
	assert_int_equal(e.cl.why.code, 221);
	assert_int_equal(e.cl.taken, 0);
	fake_smtp_env_free(&e);
}

static void
test_parallel_connections(void **state)
{
	static struct tjob jobs[100];
	static char rcpts[100][32];
	struct env e;

	for (int i = 0; i < 100; i++) {
		snprintf(rcpts[i], sizeof rcpts[i], "m%d@example.org", i);
		jobs[i] = (struct tjob){ "l@list.test", rcpts[i], "x\r\n", 0 };
	}
	fake_smtp_env_init(&e, jobs, 100);
	fake_smtp_run(&e.cl, &e.cfg, NULL, 4);
	for (int i = 0; i < 100; i++)
		fake_smtp_assert_res(&e.cl.res[i], 250, 0, SMTPC_STAGE_BODY);
	assert_int_equal(e.f.nconns, 4);
	assert_int_equal(e.f.msgs, 100);
	assert_int_equal(e.f.quits, 4);
	fake_smtp_env_free(&e);
}

static void
test_bad_config(void **state)
{
	struct env e;
	struct smtpc_config cfg;
	char longname[SMTPC_MAX_NAME + 2];

	fake_smtp_env_init(&e, fake_smtp_one_job, 1);
	memset(longname, 'h', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	cfg = e.cfg;
	cfg.port = "0";
	assert_null(smtpc_connect(e.base, NULL, NULL, &cfg, &fake_smtp_cb,
	    &e.cl));
	cfg.port = "65536";
	assert_null(smtpc_connect(e.base, NULL, NULL, &cfg, &fake_smtp_cb,
	    &e.cl));
	cfg.port = "25x";
	assert_null(smtpc_connect(e.base, NULL, NULL, &cfg, &fake_smtp_cb,
	    &e.cl));
	cfg = e.cfg;
	cfg.host = "";
	assert_null(smtpc_connect(e.base, NULL, NULL, &cfg, &fake_smtp_cb,
	    &e.cl));
	cfg.host = longname;
	assert_null(smtpc_connect(e.base, NULL, NULL, &cfg, &fake_smtp_cb,
	    &e.cl));
	cfg = e.cfg;
	cfg.helo = "bad helo\r\nRSET";
	assert_null(smtpc_connect(e.base, NULL, NULL, &cfg, &fake_smtp_cb,
	    &e.cl));
	cfg = e.cfg;
	cfg.user = "user";
	assert_null(smtpc_connect(e.base, NULL, NULL, &cfg, &fake_smtp_cb,
	    &e.cl));
	cfg = e.cfg;
	cfg.tls = SMTPC_TLS_STARTTLS;
	assert_null(smtpc_connect(e.base, NULL, NULL, &cfg, &fake_smtp_cb,
	    &e.cl));
	fake_smtp_env_free(&e);
}

static void
test_name_without_resolver(void **state)
{
	struct env e;

	fake_smtp_env_init(&e, fake_smtp_one_job, 1);
	e.cfg.host = "relay.example.org";
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	assert_int_equal(e.cl.why.code, 421);
	assert_string_equal(e.cl.why.enhanced, "4.4.3");
	fake_smtp_env_free(&e);

	fake_smtp_env_init(&e, fake_smtp_one_job, 1);
	e.cfg.host = "localhost";
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	fake_smtp_assert_res(&e.cl.res[0], 250, 0, SMTPC_STAGE_BODY);
	fake_smtp_env_free(&e);
}

/* A resolver that knows relay.test (::1 first, then 127.0.0.1) from a
 * hosts file and asks a name server that never answers for the rest. */
static struct evdns_base *
make_resolver(struct event_base *base, int *udp)
{
	struct evdns_base *dns = evdns_base_new(base, 0);
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	char hosts[] = "/tmp/test-smtpc-hosts-XXXXXX", ns[32];
	int fd = mkstemp(hosts);

	assert_true(fd != -1);
	assert_int_equal(write(fd, "::1 relay.test\n127.0.0.1 relay.test\n",
	    36), 36);
	close(fd);
	assert_int_equal(evdns_base_load_hosts(dns, hosts), 0);
	unlink(hosts);
	*udp = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(*udp, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(getsockname(*udp, (struct sockaddr *)&sin, &len), 0);
	snprintf(ns, sizeof ns, "127.0.0.1:%d", ntohs(sin.sin_port));
	assert_int_equal(evdns_base_nameserver_ip_add(dns, ns), 0);
	return dns;
}

static void
test_resolver(void **state)
{
	struct env e;
	int udp;

	/* From the hosts file; ::1 refuses, 127.0.0.1 answers. */
	fake_smtp_env_init(&e, fake_smtp_one_job, 1);
	e.cl.dns = make_resolver(e.base, &udp);
	e.cfg.host = "relay.test";
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	fake_smtp_assert_res(&e.cl.res[0], 250, 0, SMTPC_STAGE_BODY);
	evdns_base_free(e.cl.dns, 0);
	close(udp);
	fake_smtp_env_free(&e);

	/* The name server is silent: the connect deadline cancels the
	 * query (ASan checks that the cancelled callback does not touch the
	 * freed connection). */
	fake_smtp_env_init(&e, fake_smtp_one_job, 1);
	e.cl.dns = make_resolver(e.base, &udp);
	e.cfg.host = "unknown.test";
	e.cfg.timeouts.connect = 1;
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	assert_int_equal(e.cl.taken, 0);
	assert_int_equal(e.cl.why.code, 421);
	assert_string_equal(e.cl.why.enhanced, "4.4.3");
	assert_string_equal(e.cl.why.text, "timeout resolving unknown.test");
	event_base_loop(e.base, EVLOOP_NONBLOCK);
	evdns_base_free(e.cl.dns, 0);
	close(udp);
	fake_smtp_env_free(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_twenty_jobs_one_connection),
		cmocka_unit_test(test_lockstep_without_pipelining),
		cmocka_unit_test(test_rcpt_rejected_pipelined),
		cmocka_unit_test(test_rcpt_rejected_lockstep),
		cmocka_unit_test(test_354_after_rejected_rcpt),
		cmocka_unit_test(test_mail_refused),
		cmocka_unit_test(test_final_reply),
		cmocka_unit_test(test_drop_after_data),
		cmocka_unit_test(test_421_closes),
		cmocka_unit_test(test_dot_stuffing),
		cmocka_unit_test(test_large_message),
		cmocka_unit_test(test_tiny_and_garbage_replies),
		cmocka_unit_test(test_partial_reply_then_close),
		cmocka_unit_test(test_million_line_reply),
		cmocka_unit_test(test_reply_line_limit),
		cmocka_unit_test(test_reply_lines_limit),
		cmocka_unit_test(test_stage_timeout),
		cmocka_unit_test(test_body_timeouts),
		cmocka_unit_test(test_greeting_timeout_and_refusal),
		cmocka_unit_test(test_ehlo_502_helo),
		cmocka_unit_test(test_connect_refused),
		cmocka_unit_test(test_refused_jobs),
		cmocka_unit_test(test_8bitmime_smtputf8),
		cmocka_unit_test(test_idle_then_quit),
		cmocka_unit_test(test_wakeup),
		cmocka_unit_test(test_quit_mid_transaction),
		cmocka_unit_test(test_quit_before_connect),
		cmocka_unit_test(test_parallel_connections),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_name_without_resolver),
		cmocka_unit_test(test_resolver),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
