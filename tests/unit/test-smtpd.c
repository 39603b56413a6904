/*
 * Unit tests for mail/smtpd.c: real sessions driven through a socketpair on
 * an event_base, the client being a bufferevent on the same loop.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <cmocka.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "daemon/buf.h"
#include "daemon/log.h"
#include "mail/smtpd.h"

#define HOST		"mx.example.org"
#define GREETING	"220 " HOST " ESMTP majlis\r\n"
#define LGREETING	"220 " HOST " LMTP majlis\r\n"
#define CAPS_TAIL	"250-PIPELINING\r\n250-SIZE 26214400\r\n250-8BITMIME\r\n" \
			"250-SMTPUTF8\r\n"
#define WAIT_MAX	10	/* seconds before a test gives up waiting */

enum { DONE_NOW, DONE_TIMER, DONE_HOLD };

struct t {
	struct event_base	*base;
	struct smtpd_server	*srv;
	struct bufferevent	*cli;
	struct event		*deadline;
	struct event		*done_timer;
	struct buf		 in;		/* bytes the client received */
	int			 eof;
	int			 expired;
	int			 reads;		/* client read callbacks */
	int			 tls_up;
	int			 done_mode;
	int			 done_ok;
	const char		*done_reply;
	struct smtpd_session	*pending;
	int			 nmsgs;
	struct buf		 msg;		/* last message */
	struct buf		 from;		/* its MAIL FROM */
	struct buf		 rcpts;		/* its recipients, one per line */
	int			 env_tls;
	struct buf		 rcpt_seen;	/* every rcpt the hook saw */
};

/* ---- hooks ---- */

static int
hook_rcpt(void *arg, const struct smtpd_envelope *env, const char *rcpt,
    struct buf *reply)
{
	struct t *t = arg;
	const char *dom = "@lists.example.org";
	size_t n = strlen(rcpt), d = strlen(dom);

	buf_printf(&t->rcpt_seen, "%s\n", rcpt);
	if (n > d && strcasecmp(rcpt + n - d, dom) == 0)
		return 0;
	buf_printf(reply, "550 5.1.1 <%s>: no such list", rcpt);
	return -1;
}

static void
done_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct t *t = arg;
	struct smtpd_session *s = t->pending;

	t->pending = NULL;
	smtpd_data_done(s, t->done_ok, t->done_reply);
}

static void
hook_data(void *arg, struct smtpd_session *s, const struct smtpd_envelope *env,
    const char *msg, size_t len)
{
	struct t *t = arg;
	struct timeval tv = { 0, 20000 };

	t->nmsgs++;
	buf_reset(&t->msg);
	buf_append(&t->msg, msg, len);
	assert_int_equal(msg[len], '\0');
	buf_reset(&t->from);
	buf_puts(&t->from, env->mail_from);
	buf_reset(&t->rcpts);
	for (size_t i = 0; i < env->nrcpts; i++)
		buf_printf(&t->rcpts, "%s\n", env->rcpts[i]);
	t->env_tls = env->tls;
	if (t->done_mode == DONE_NOW) {
		smtpd_data_done(s, t->done_ok, t->done_reply);
		return;
	}
	t->pending = s;
	if (t->done_mode == DONE_TIMER)
		evtimer_add(t->done_timer, &tv);
}

/* ---- client side ---- */

static void
cli_read_cb(struct bufferevent *bev, void *arg)
{
	struct t *t = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t n = evbuffer_get_length(in);

	buf_reserve(&t->in, n);
	evbuffer_remove(in, t->in.data + t->in.len, n);
	t->in.len += n;
	t->in.data[t->in.len] = '\0';
	t->reads++;
}

static void
cli_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct t *t = arg;

	if (what & BEV_EVENT_CONNECTED) {
		t->tls_up = 1;
		return;
	}
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		cli_read_cb(bev, arg);
		t->eof = 1;
	}
}

static void
deadline_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct t *t = arg;

	t->expired = 1;
}

static struct t *
t_new_cfg(const struct smtpd_config *cfg)
{
	struct t *t = calloc(1, sizeof *t);
	struct smtpd_hooks hooks = { hook_rcpt, hook_data };
	int sv[2];

	assert_non_null(t);
	t->base = event_base_new();
	t->srv = smtpd_server_new(t->base, cfg, &hooks, t);
	t->deadline = evtimer_new(t->base, deadline_cb, t);
	t->done_timer = evtimer_new(t->base, done_timer_cb, t);
	t->done_ok = 1;
	t->done_reply = "250 2.0.0 Ok: queued as X1";
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	evutil_make_socket_nonblocking(sv[0]);
	t->cli = bufferevent_socket_new(t->base, sv[0], BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(t->cli, cli_read_cb, NULL, cli_event_cb, t);
	bufferevent_enable(t->cli, EV_READ | EV_WRITE);
	smtpd_server_accept_fd(t->srv, sv[1], "test-peer");
	return t;
}

static struct t *
t_new(void)
{
	struct smtpd_config cfg = { .hostname = HOST };

	return t_new_cfg(&cfg);
}

static void
t_free(struct t *t)
{
	if (t->cli)
		bufferevent_free(t->cli);
	smtpd_server_free(&t->srv);
	assert_null(t->srv);
	event_free(t->deadline);
	event_free(t->done_timer);
	event_base_free(t->base);
	buf_free(&t->in);
	buf_free(&t->msg);
	buf_free(&t->from);
	buf_free(&t->rcpts);
	buf_free(&t->rcpt_seen);
	free(t);
}

/* Run the loop until pred(t, x) holds or WAIT_MAX seconds pass. */
static void
run_until(struct t *t, int (*pred)(struct t *, size_t), size_t x)
{
	struct timeval tv = { WAIT_MAX, 0 };

	t->expired = 0;
	evtimer_add(t->deadline, &tv);
	while (!pred(t, x) && !t->expired)
		event_base_loop(t->base, EVLOOP_ONCE);
	evtimer_del(t->deadline);
}

static int
has_len(struct t *t, size_t n)
{
	return t->in.len >= n || t->eof;
}

static int
has_eof(struct t *t, size_t n)
{
	return t->eof;
}

static int
has_sessions(struct t *t, size_t n)
{
	return smtpd_server_sessions(t->srv) == n;
}

static int
has_msgs(struct t *t, size_t n)
{
	return (size_t)t->nmsgs >= n;
}

static int
has_tls(struct t *t, size_t n)
{
	return t->tls_up || t->eof;
}

static int
has_readable(struct t *t, size_t fd)
{
	struct pollfd pfd = { (int)fd, POLLIN, 0 };

	return poll(&pfd, 1, 0) == 1;
}

/* Read what the server sent on a raw socket fd (after the loop ran). */
static void
read_fd(struct t *t, int fd, char *out, size_t size)
{
	ssize_t n;

	run_until(t, has_readable, (size_t)fd);
	n = read(fd, out, size - 1);
	assert_true(n > 0);
	out[n] = '\0';
}

static void
send_bytes(struct t *t, const void *p, size_t n)
{
	bufferevent_write(t->cli, p, n);
}

static void
send_str(struct t *t, const char *s)
{
	send_bytes(t, s, strlen(s));
}

/* The next bytes from the server must be exactly want. */
#define expect(t, want) expect_at(t, want, __LINE__)
static void
expect_at(struct t *t, const char *want, int line)
{
	size_t n = strlen(want);

	run_until(t, has_len, n);
	if (t->in.len < n || memcmp(t->in.data, want, n) != 0) {
		print_error("line %d: want \"%s\"\ngot \"%.*s\"\n", line, want,
		    (int)(t->in.len < 400 ? t->in.len : 400), buf_cstr(&t->in));
		fail();
	}
	memmove(t->in.data, t->in.data + n, t->in.len - n + 1);
	t->in.len -= n;
}

/* The server closes the connection with nothing more said. */
#define expect_eof(t) expect_eof_at(t, __LINE__)
static void
expect_eof_at(struct t *t, int line)
{
	run_until(t, has_eof, 0);
	if (!t->eof || t->in.len != 0) {
		print_error("line %d: want EOF, eof=%d, got \"%s\"\n", line,
		    t->eof, buf_cstr(&t->in));
		fail();
	}
	run_until(t, has_sessions, 0);
	assert_int_equal(smtpd_server_sessions(t->srv), 0);
}

static void
ehlo(struct t *t)
{
	expect(t, GREETING);
	send_str(t, "EHLO client.example\r\n");
	expect(t, "250-" HOST "\r\n" CAPS_TAIL "250 ENHANCEDSTATUSCODES\r\n");
}

static void
quit(struct t *t)
{
	send_str(t, "QUIT\r\n");
	expect(t, "221 2.0.0 Bye\r\n");
	expect_eof(t);
}

/* MAIL, one good RCPT, DATA: ready for the body. */
static void
start_data(struct t *t)
{
	send_str(t, "MAIL FROM:<alice@example.com>\r\n"
	    "RCPT TO:<wg@lists.example.org>\r\nDATA\r\n");
	expect(t, "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
	    "354 End data with <CR><LF>.<CR><LF>\r\n");
}

/* ---- tests ---- */

static void
test_normal_session(void **state)
{
	struct t *t = t_new();

	log_set_level(LOG_LEVEL_DEBUG);	/* the command log path too */
	ehlo(t);
	send_str(t, "MAIL FROM:<alice@example.com>\r\n");
	expect(t, "250 2.1.0 Ok\r\n");
	send_str(t, "RCPT TO:<wg@lists.example.org>\r\n");
	expect(t, "250 2.1.5 Ok\r\n");
	send_str(t, "RCPT TO:<bob@elsewhere.example>\r\n");
	expect(t, "550 5.1.1 <bob@elsewhere.example>: no such list\r\n");
	send_str(t, "DATA\r\n");
	expect(t, "354 End data with <CR><LF>.<CR><LF>\r\n");
	send_str(t, "Subject: hi\r\n\r\nHello\r\n.\r\n");
	expect(t, "250 2.0.0 Ok: queued as X1\r\n");
	assert_int_equal(t->nmsgs, 1);
	assert_string_equal(buf_cstr(&t->msg), "Subject: hi\r\n\r\nHello\r\n");
	assert_string_equal(buf_cstr(&t->from), "alice@example.com");
	assert_string_equal(buf_cstr(&t->rcpts), "wg@lists.example.org\n");
	assert_int_equal(t->env_tls, 0);
	send_str(t, "NOOP\r\nHELP\r\nVRFY bob\r\nEXPN wg\r\nAUTH PLAIN\r\n");
	expect(t, "250 2.0.0 Ok\r\n"
	    "214 2.0.0 Commands: HELO EHLO MAIL RCPT DATA RSET NOOP QUIT HELP VRFY\r\n"
	    "252 2.5.0 Cannot VRFY user, but will accept message\r\n"
	    "502 5.5.1 Error: command not implemented\r\n"
	    "502 5.5.1 Error: command not implemented\r\n");
	quit(t);
	log_set_level(LOG_LEVEL_INFO);
	t_free(t);
}

static void
test_pipelined_batch(void **state)
{
	struct t *t = t_new();
	const char *want = "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
	    "550 5.1.1 <x@bad.example>: no such list\r\n250 2.1.5 Ok\r\n"
	    "354 End data with <CR><LF>.<CR><LF>\r\n";

	ehlo(t);
	t->reads = 0;
	send_str(t, "MAIL FROM:<a@example.com> BODY=8BITMIME\r\n"
	    "RCPT TO:<wg@lists.example.org>\r\nRCPT TO:<x@bad.example>\r\n"
	    "RCPT TO:<other@LISTS.example.org>\r\nDATA\r\n");
	run_until(t, has_len, strlen(want));
	/* one batch: every reply arrived in a single read */
	assert_int_equal(t->reads, 1);
	expect(t, want);
	/* body, end, and the next transaction in the same write */
	send_str(t, "body\r\n.\r\nMAIL FROM:<>\r\nRSET\r\nQUIT\r\n");
	expect(t, "250 2.0.0 Ok: queued as X1\r\n250 2.1.0 Ok\r\n"
	    "250 2.0.0 Ok\r\n221 2.0.0 Bye\r\n");
	expect_eof(t);
	assert_string_equal(buf_cstr(&t->rcpts),
	    "wg@lists.example.org\nother@LISTS.example.org\n");
	t_free(t);
}

static void
test_async_commit_in_order(void **state)
{
	struct t *t = t_new();

	t->done_mode = DONE_TIMER;
	t->done_ok = 0;
	t->done_reply = NULL;
	ehlo(t);
	start_data(t);
	/* commands pipelined behind the message wait for the commit */
	send_str(t, "x\r\n.\r\nNOOP\r\nMAIL FROM:<a@b.example>\r\n");
	expect(t, "451 4.3.0 Temporary failure, please try again later\r\n"
	    "250 2.0.0 Ok\r\n250 2.1.0 Ok\r\n");
	assert_int_equal(t->nmsgs, 1);
	quit(t);
	t_free(t);
}

static void
test_ehlo_capabilities(void **state)
{
	struct smtpd_config cfg = { .hostname = HOST, .max_message_size = 1000 };
	struct t *t = t_new_cfg(&cfg);

	expect(t, GREETING);
	send_str(t, "EHLO\r\nEHLO a b\r\nHELO\r\nEHLO x\x01y\r\n");
	expect(t, "501 5.5.4 Syntax: EHLO hostname\r\n"
	    "501 5.5.4 Invalid hostname\r\n"
	    "501 5.5.4 Syntax: EHLO hostname\r\n"
	    "501 5.5.4 Invalid hostname\r\n");
	send_str(t, "ehlo [192.0.2.1]  \r\n");
	expect(t, "250-" HOST "\r\n250-PIPELINING\r\n250-SIZE 1000\r\n"
	    "250-8BITMIME\r\n250-SMTPUTF8\r\n250 ENHANCEDSTATUSCODES\r\n");
	send_str(t, "HELO client.example\r\n");
	expect(t, "250 " HOST "\r\n");
	/* parameters need EHLO */
	send_str(t, "MAIL FROM:<a@b.example> SIZE=10\r\nMAIL FROM:<a@b.example>\r\n");
	expect(t, "555 5.5.4 Unsupported MAIL parameter\r\n250 2.1.0 Ok\r\n");
	send_str(t, "STARTTLS\r\nLHLO x\r\nBDAT 10 LAST\r\n");
	expect(t, "502 5.5.1 Error: STARTTLS not offered\r\n"
	    "500 5.5.1 Error: command not recognized\r\n"
	    "502 5.5.1 Error: command not implemented\r\n");
	quit(t);
	t_free(t);
}

static void
test_lmtp(void **state)
{
	struct smtpd_config cfg = { .hostname = HOST, .lmtp = 1 };
	struct t *t = t_new_cfg(&cfg);

	expect(t, LGREETING);
	send_str(t, "EHLO x\r\nHELO x\r\nMAIL FROM:<a@b.example>\r\n");
	expect(t, "500 5.5.1 Error: command not recognized\r\n"
	    "500 5.5.1 Error: command not recognized\r\n"
	    "503 5.5.1 Error: send HELO/EHLO first\r\n");
	send_str(t, "LHLO client.example\r\n");
	expect(t, "250-" HOST "\r\n" CAPS_TAIL "250 ENHANCEDSTATUSCODES\r\n");
	send_str(t, "MAIL FROM:<a@b.example>\r\nRCPT TO:<one@lists.example.org>\r\n"
	    "RCPT TO:<no@where.example>\r\nRCPT TO:<two@lists.example.org>\r\n"
	    "DATA\r\n");
	expect(t, "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
	    "550 5.1.1 <no@where.example>: no such list\r\n250 2.1.5 Ok\r\n"
	    "354 End data with <CR><LF>.<CR><LF>\r\n");
	send_str(t, "hello\r\n.\r\n");
	expect(t, "250 2.0.0 Ok: queued as X1\r\n250 2.0.0 Ok: queued as X1\r\n");
	assert_string_equal(buf_cstr(&t->rcpts),
	    "one@lists.example.org\ntwo@lists.example.org\n");
	/* a refused message is answered once per recipient too */
	send_str(t, "MAIL FROM:<a@b.example>\r\nRCPT TO:<one@lists.example.org>\r\n"
	    "RCPT TO:<two@lists.example.org>\r\nDATA\r\n");
	expect(t, "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n"
	    "354 End data with <CR><LF>.<CR><LF>\r\n");
	send_str(t, "bad\n.\r\n.\r\n");
	expect(t, "550 5.6.11 Error: bare CR or LF not allowed\r\n"
	    "550 5.6.11 Error: bare CR or LF not allowed\r\n");
	assert_int_equal(t->nmsgs, 1);
	quit(t);
	t_free(t);
}

static void
test_long_command_line(void **state)
{
	struct t *t = t_new();
	size_t n = 1024 * 1024;
	char *big = malloc(n);

	assert_non_null(big);
	memset(big, 'A', n);
	ehlo(t);
	/* 1 MB without CRLF: refused as soon as it passes the limit */
	send_bytes(t, big, n);
	expect(t, "500 5.5.2 Error: line too long\r\n");
	/* the rest of that line is skipped up to its CRLF */
	send_bytes(t, big, n);
	send_str(t, "\r\nNOOP\r\n");
	expect(t, "250 2.0.0 Ok\r\n");
	/* a long line arriving whole, CR and LF split across writes */
	memcpy(big + SMTPD_MAX_LINE + 1, "\r", 1);
	send_bytes(t, big, SMTPD_MAX_LINE + 2);
	send_str(t, "\nNOOP\r\n");
	expect(t, "500 5.5.2 Error: line too long\r\n250 2.0.0 Ok\r\n");
	/* exactly at the limit is still a command */
	memcpy(big, "NOOP ", 5);
	send_bytes(t, big, SMTPD_MAX_LINE);
	send_str(t, "\r\n");
	expect(t, "250 2.0.0 Ok\r\n");
	quit(t);
	free(big);
	t_free(t);
}

static void
test_nul_and_bare_lf_in_command(void **state)
{
	struct t *t = t_new();

	ehlo(t);
	send_bytes(t, "NOOP\0x\r\n", 8);
	expect(t, "500 5.5.2 Error: bare CR, LF or NUL in command\r\n");
	send_bytes(t, "MAIL FROM:<a@b.example>\0\r\n", 26);
	expect(t, "500 5.5.2 Error: bare CR, LF or NUL in command\r\n");
	/* a bare LF does not split the line: the whole line is refused */
	send_str(t, "MAIL FROM:<a@b.example>\nRCPT TO:<wg@lists.example.org>\r\n");
	expect(t, "500 5.5.2 Error: bare CR, LF or NUL in command\r\n");
	send_str(t, "NOOP\rRSET\r\n");
	expect(t, "500 5.5.2 Error: bare CR, LF or NUL in command\r\n");
	/* nothing of the above started a transaction */
	send_str(t, "RCPT TO:<wg@lists.example.org>\r\n");
	expect(t, "503 5.5.1 Error: need MAIL command\r\n");
	quit(t);
	t_free(t);
}

/* A "second message" smuggled behind a fake end of data. */
static void
smuggle(const char *fake_end)
{
	struct t *t = t_new();
	struct buf b = BUF_INIT;

	ehlo(t);
	start_data(t);
	buf_printf(&b, "Subject: one\r\n\r\nfirst%s"
	    "MAIL FROM:<evil@attacker.example>\r\n"
	    "RCPT TO:<wg@lists.example.org>\r\nDATA\r\n"
	    "Subject: smuggled\r\n\r\nsecond\r\n.\r\n", fake_end);
	send_bytes(t, b.data, b.len);
	expect(t, "550 5.6.11 Error: bare CR or LF not allowed\r\n");
	send_str(t, "NOOP\r\n");
	expect(t, "250 2.0.0 Ok\r\n");
	assert_int_equal(t->nmsgs, 0);
	quit(t);
	buf_free(&b);
	t_free(t);
}

static void
test_smuggling(void **state)
{
	smuggle("\n.\n");
	smuggle("\r.\r");
	smuggle("\r\n.\n");
	smuggle("\n.\r\n");
	smuggle("\r.\r\n");
	smuggle("\r\n.\r");
}

static void
test_dot_unstuffing(void **state)
{
	struct t *t = t_new();

	ehlo(t);
	start_data(t);
	send_str(t, "..leading\r\n...\r\n.x\r\nmid.dle\r\n..\r\n\r\n.\r\n");
	expect(t, "250 2.0.0 Ok: queued as X1\r\n");
	assert_string_equal(buf_cstr(&t->msg),
	    ".leading\r\n..\r\nx\r\nmid.dle\r\n.\r\n\r\n");
	/* empty message; end split over writes */
	start_data(t);
	send_str(t, ".");
	send_str(t, "\r");
	send_str(t, "\n");
	expect(t, "250 2.0.0 Ok: queued as X1\r\n");
	assert_int_equal(t->msg.len, 0);
	assert_int_equal(t->nmsgs, 2);
	/* NUL bytes in a body are passed on (not ours to judge) */
	start_data(t);
	send_bytes(t, "a\0b\r\n.\r\n", 8);
	expect(t, "250 2.0.0 Ok: queued as X1\r\n");
	assert_int_equal(t->msg.len, 5);
	assert_memory_equal(t->msg.data, "a\0b\r\n", 5);
	quit(t);
	t_free(t);
}

static void
test_size_param(void **state)
{
	struct smtpd_config cfg = { .hostname = HOST, .max_message_size = 1000 };
	struct t *t = t_new_cfg(&cfg);

	expect(t, GREETING);
	send_str(t, "EHLO c\r\n");
	expect(t, "250-" HOST "\r\n250-PIPELINING\r\n250-SIZE 1000\r\n"
	    "250-8BITMIME\r\n250-SMTPUTF8\r\n250 ENHANCEDSTATUSCODES\r\n");
	send_str(t, "MAIL FROM:<a@b.example> SIZE=1001\r\n"
	    "MAIL FROM:<a@b.example> SIZE=99999999999999999999999\r\n"
	    "MAIL FROM:<a@b.example> SIZE=12x\r\n"
	    "MAIL FROM:<a@b.example> BODY=BINARYMIME\r\n"
	    "MAIL FROM:<a@b.example> FOO=1\r\n"
	    "MAIL FROM:<a@b.example> SIZE=1000 BODY=8bitmime SMTPUTF8\r\n");
	expect(t, "552 5.3.4 Message size exceeds fixed limit\r\n"
	    "555 5.5.4 Unsupported MAIL parameter\r\n"
	    "555 5.5.4 Unsupported MAIL parameter\r\n"
	    "555 5.5.4 Unsupported MAIL parameter\r\n"
	    "555 5.5.4 Unsupported MAIL parameter\r\n"
	    "250 2.1.0 Ok\r\n");
	send_str(t, "RCPT TO:<wg@lists.example.org> NOTIFY=NEVER\r\n");
	expect(t, "555 5.5.4 Unsupported RCPT parameter\r\n");
	quit(t);
	t_free(t);
}

static void
send_body_of(struct t *t, size_t n)
{
	char *p = malloc(n);

	assert_non_null(p);
	memset(p, 'x', n);
	for (size_t i = 78; i + 1 < n; i += 80)
		memcpy(p + i, "\r\n", 2);
	if (n >= 2)
		memcpy(p + n - 2, "\r\n", 2);
	send_bytes(t, p, n);
	send_str(t, ".\r\n");
	free(p);
}

static void
test_streaming_size_limit(void **state)
{
	struct smtpd_config cfg = { .hostname = HOST, .max_message_size = 1000 };
	struct t *t = t_new_cfg(&cfg);

	expect(t, GREETING);
	send_str(t, "HELO c\r\n");
	expect(t, "250 " HOST "\r\n");
	start_data(t);
	send_body_of(t, 1000);
	expect(t, "250 2.0.0 Ok: queued as X1\r\n");
	assert_int_equal(t->msg.len, 1000);
	start_data(t);
	send_body_of(t, 1001);
	expect(t, "552 5.3.4 Error: message too big\r\n");
	start_data(t);
	send_body_of(t, 3 * 1024 * 1024);
	expect(t, "552 5.3.4 Error: message too big\r\n");
	assert_int_equal(t->nmsgs, 1);
	send_str(t, "NOOP\r\n");
	expect(t, "250 2.0.0 Ok\r\n");
	quit(t);
	t_free(t);
}

static void
test_too_many_rcpts(void **state)
{
	struct t *t = t_new();
	struct buf cmds = BUF_INIT, want = BUF_INIT;

	ehlo(t);
	send_str(t, "MAIL FROM:<a@b.example>\r\n");
	expect(t, "250 2.1.0 Ok\r\n");
	for (int i = 0; i <= SMTPD_MAX_RCPTS; i++) {
		buf_printf(&cmds, "RCPT TO:<r%d@lists.example.org>\r\n", i);
		buf_puts(&want, i < SMTPD_MAX_RCPTS ? "250 2.1.5 Ok\r\n" :
		    "452 4.5.3 Error: too many recipients\r\n");
	}
	send_bytes(t, cmds.data, cmds.len);
	expect(t, buf_cstr(&want));
	send_str(t, "DATA\r\nm\r\n.\r\n");
	expect(t, "354 End data with <CR><LF>.<CR><LF>\r\n"
	    "250 2.0.0 Ok: queued as X1\r\n");
	assert_int_equal(t->nmsgs, 1);
	assert_true(strncmp(buf_cstr(&t->rcpts), "r0@lists.example.org\n", 21) == 0);
	assert_non_null(strstr(buf_cstr(&t->rcpts), "\nr99@lists.example.org\n"));
	assert_null(strstr(buf_cstr(&t->rcpts), "r100@"));
	quit(t);
	buf_free(&cmds);
	buf_free(&want);
	t_free(t);
}

static void
test_too_many_errors(void **state)
{
	struct t *t = t_new();
	struct buf cmds = BUF_INIT, want = BUF_INIT;

	ehlo(t);
	for (int i = 0; i < SMTPD_MAX_ERRORS + 5; i++) {
		buf_puts(&cmds, "FOO\r\n");
		if (i < SMTPD_MAX_ERRORS)
			buf_puts(&want, "500 5.5.1 Error: command not recognized\r\n");
	}
	buf_puts(&want, "421 4.7.0 " HOST " Error: too many errors\r\n");
	send_bytes(t, cmds.data, cmds.len);
	expect(t, buf_cstr(&want));
	expect_eof(t);
	buf_free(&cmds);
	buf_free(&want);
	t_free(t);
}

static void
test_command_timeout(void **state)
{
	struct smtpd_config cfg = { .hostname = HOST, .cmd_timeout = 1 };
	struct t *t = t_new_cfg(&cfg);

	ehlo(t);
	send_str(t, "NOO");	/* a partial line does not reset the deadline */
	expect(t, "421 4.4.2 " HOST " Error: timeout exceeded\r\n");
	expect_eof(t);
	t_free(t);
}

struct drip {
	struct t	*t;
	struct event	*ev;
	int		 sent;
};

static void
drip_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct drip *d = arg;

	if (d->t->eof)
		return;
	send_str(d->t, "x");
	d->sent++;
}

static void
test_drip_feed_timeout(void **state)
{
	struct smtpd_config cfg = { .hostname = HOST, .cmd_timeout = 1 };
	struct t *t = t_new_cfg(&cfg);
	struct drip d = { t, NULL, 0 };
	struct timeval tv = { 0, 200000 };

	expect(t, GREETING);
	d.ev = event_new(t->base, -1, EV_PERSIST, drip_cb, &d);
	evtimer_add(d.ev, &tv);
	/* a byte every 200 ms: the line never completes within 1 s */
	expect(t, "421 4.4.2 " HOST " Error: timeout exceeded\r\n");
	expect_eof(t);
	assert_true(d.sent >= 3);
	event_free(d.ev);
	t_free(t);
}

static void
test_data_timeout(void **state)
{
	struct smtpd_config cfg = { .hostname = HOST, .data_timeout = 1,
	    .cmd_timeout = 30 };
	struct t *t = t_new_cfg(&cfg);

	ehlo(t);
	start_data(t);
	send_str(t, "partial body\r\n");
	expect(t, "421 4.4.2 " HOST " Error: timeout exceeded\r\n");
	expect_eof(t);
	assert_int_equal(t->nmsgs, 0);
	t_free(t);
}

static void
test_sequence_errors(void **state)
{
	struct t *t = t_new();

	expect(t, GREETING);
	send_str(t, "MAIL FROM:<a@b.example>\r\nRCPT TO:<wg@lists.example.org>\r\n"
	    "DATA\r\nSTARTTLS\r\n");
	expect(t, "503 5.5.1 Error: send HELO/EHLO first\r\n"
	    "503 5.5.1 Error: need MAIL command\r\n"
	    "503 5.5.1 Error: need MAIL command\r\n"
	    "502 5.5.1 Error: STARTTLS not offered\r\n");
	send_str(t, "HELO c\r\nDATA\r\nMAIL FROM:<a@b.example>\r\n"
	    "MAIL FROM:<a@b.example>\r\nDATA\r\nRCPT TO:<x@nowhere.example>\r\n"
	    "DATA\r\nDATA x\r\nQUIT now\r\nRSET x\r\n");
	expect(t, "250 " HOST "\r\n"
	    "503 5.5.1 Error: need MAIL command\r\n"
	    "250 2.1.0 Ok\r\n"
	    "503 5.5.1 Error: nested MAIL command\r\n"
	    "503 5.5.1 Error: no valid recipients\r\n"
	    "550 5.1.1 <x@nowhere.example>: no such list\r\n"
	    "503 5.5.1 Error: no valid recipients\r\n"
	    "503 5.5.1 Error: no valid recipients\r\n"
	    "501 5.5.4 Syntax error: no parameters allowed\r\n"
	    "501 5.5.4 Syntax error: no parameters allowed\r\n");
	quit(t);
	t_free(t);
}

static void
test_rset(void **state)
{
	struct t *t = t_new();

	ehlo(t);
	send_str(t, "MAIL FROM:<a@b.example>\r\nRCPT TO:<wg@lists.example.org>\r\n"
	    "RSET\r\nDATA\r\nRCPT TO:<wg@lists.example.org>\r\n"
	    "MAIL FROM:<c@d.example>\r\nRCPT TO:<z@lists.example.org>\r\n"
	    "DATA\r\nbody\r\n.\r\n");
	expect(t, "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.0.0 Ok\r\n"
	    "503 5.5.1 Error: need MAIL command\r\n"
	    "503 5.5.1 Error: need MAIL command\r\n"
	    "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
	    "354 End data with <CR><LF>.<CR><LF>\r\n"
	    "250 2.0.0 Ok: queued as X1\r\n");
	assert_string_equal(buf_cstr(&t->from), "c@d.example");
	assert_string_equal(buf_cstr(&t->rcpts), "z@lists.example.org\n");
	quit(t);
	t_free(t);
}

static void
test_paths(void **state)
{
	struct t *t = t_new();
	char longpath[400];

	ehlo(t);
	send_str(t, "MAIL FROM:<;sleep 1;>\r\nMAIL FROM:a@b.example\r\n"
	    "MAIL FROM:<a@b.example>x\r\nMAIL FROM:<a@-b.example>\r\n"
	    "MAIL FROM:<a@b..example>\r\nMAIL FROM:<a.@b.example>\r\n"
	    "MAIL FROM:<\"a\x01\"@b.example>\r\nMAIL TO:<a@b.example>\r\n");
	for (int i = 0; i < 8; i++)
		expect(t, "501 5.1.7 Bad sender address syntax\r\n");
	send_str(t, "MAIL FROM:<J\xc3\xa9r\xc3\xb4me@b.example>\r\n");
	expect(t, "553 5.6.7 Non-ASCII address needs SMTPUTF8\r\n");
	send_str(t, "MAIL FROM:<J\xc3" "A@b.example> SMTPUTF8\r\n");
	expect(t, "553 5.6.7 Non-ASCII address needs SMTPUTF8\r\n");
	send_str(t, "mail from: <>\r\nRCPT TO:<>\r\nRCPT TO:<Postmaster>\r\n"
	    "RCPT TO:<@relay.example,@r2.example:a@lists.example.org>\r\n"
	    "RCPT TO:<\"odd \\\" name\"@lists.example.org>\r\n"
	    "RCPT TO:<b@[192.0.2.1]>\r\n");
	expect(t, "250 2.1.0 Ok\r\n"
	    "501 5.1.3 Bad recipient address syntax\r\n"
	    "550 5.1.1 <Postmaster>: no such list\r\n"
	    "250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n"
	    "550 5.1.1 <b@[192.0.2.1]>: no such list\r\n");
	assert_string_equal(buf_cstr(&t->rcpt_seen), "Postmaster\n"
	    "a@lists.example.org\n\"odd \\\" name\"@lists.example.org\n"
	    "b@[192.0.2.1]\n");
	send_str(t, "RSET\r\nMAIL FROM:<J\xc3\xa9r\xc3\xb4me@b.example> SMTPUTF8\r\n"
	    "RCPT TO:<\xd8\xb9@lists.example.org>\r\n");
	expect(t, "250 2.0.0 Ok\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n");
	/* paths over SMTPD_MAX_PATH */
	memset(longpath, 'a', sizeof longpath);
	snprintf(longpath + 240, sizeof longpath - 240, "@lists.example.org");
	send_str(t, "RCPT TO:<");
	send_str(t, longpath);
	send_str(t, ">\r\n");
	expect(t, "501 5.1.3 Bad recipient address syntax\r\n");
	quit(t);
	t_free(t);
}

static void
test_quit_frees(void **state)
{
	struct t *t = t_new();

	expect(t, GREETING);
	assert_int_equal(smtpd_server_sessions(t->srv), 1);
	send_str(t, "QUIT\r\nNOOP\r\n");
	expect(t, "221 2.0.0 Bye\r\n");
	expect_eof(t);
	t_free(t);
}

static void
pump(struct t *t, int n)
{
	for (int i = 0; i < n; i++)
		event_base_loop(t->base, EVLOOP_NONBLOCK);
}

static void
test_close_during_commit(void **state)
{
	struct t *t = t_new();
	struct smtpd_session *s;

	t->done_mode = DONE_HOLD;
	ehlo(t);
	start_data(t);
	send_str(t, "body\r\n.\r\n");
	run_until(t, has_msgs, 1);
	assert_non_null(t->pending);
	bufferevent_free(t->cli);
	t->cli = NULL;
	pump(t, 10);
	/* the peer is gone but the session waits for its commit */
	assert_int_equal(smtpd_server_sessions(t->srv), 1);
	s = t->pending;
	t->pending = NULL;
	smtpd_data_done(s, 1, NULL);
	run_until(t, has_sessions, 0);
	assert_int_equal(smtpd_server_sessions(t->srv), 0);
	t_free(t);
}

/* The client resets the connection (it leaves replies unread, which makes
 * AF_UNIX report ECONNRESET) while the commit is pending. */
static void
test_reset_during_commit(void **state)
{
	struct t *t = t_new();
	struct smtpd_session *s;

	t->done_mode = DONE_HOLD;
	ehlo(t);
	bufferevent_disable(t->cli, EV_READ);
	send_str(t, "MAIL FROM:<a@b.example>\r\nRCPT TO:<wg@lists.example.org>\r\n"
	    "DATA\r\nbody\r\n.\r\n");
	run_until(t, has_msgs, 1);
	assert_non_null(t->pending);
	bufferevent_free(t->cli);
	t->cli = NULL;
	pump(t, 10);
	assert_int_equal(smtpd_server_sessions(t->srv), 1);
	s = t->pending;
	t->pending = NULL;
	smtpd_data_done(s, 1, NULL);
	run_until(t, has_sessions, 0);
	assert_int_equal(smtpd_server_sessions(t->srv), 0);
	t_free(t);
}

static void
test_half_close_during_commit(void **state)
{
	struct t *t = t_new();

	t->done_mode = DONE_TIMER;
	t->done_reply = NULL;
	ehlo(t);
	start_data(t);
	send_str(t, "body\r\n.\r\nQUIT\r\n");
	run_until(t, has_msgs, 1);
	shutdown(bufferevent_getfd(t->cli), SHUT_WR);
	/* still answered in full after the client's EOF */
	expect(t, "250 2.0.0 Ok: queued\r\n221 2.0.0 Bye\r\n");
	expect_eof(t);
	t_free(t);
}

static void
test_eof_mid_data(void **state)
{
	struct t *t = t_new();

	ehlo(t);
	start_data(t);
	send_str(t, "half a message\r\n");
	pump(t, 5);
	shutdown(bufferevent_getfd(t->cli), SHUT_WR);
	expect_eof(t);
	assert_int_equal(t->nmsgs, 0);
	t_free(t);
}

static void
test_shutdown(void **state)
{
	struct t *t = t_new();
	int sv[2];

	ehlo(t);
	smtpd_server_shutdown(t->srv);
	expect(t, "421 4.3.2 " HOST " Service shutting down\r\n");
	expect_eof(t);
	/* no new sessions once shut down */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	smtpd_server_accept_fd(t->srv, sv[1], "late");
	assert_int_equal(smtpd_server_sessions(t->srv), 0);
	assert_int_equal(read(sv[0], sv, 1), 0);
	close(sv[0]);
	t_free(t);
}

static void
test_shutdown_during_commit(void **state)
{
	struct t *t = t_new();

	t->done_mode = DONE_TIMER;
	ehlo(t);
	start_data(t);
	send_str(t, "body\r\n.\r\n");
	run_until(t, has_msgs, 1);
	smtpd_server_shutdown(t->srv);
	expect(t, "250 2.0.0 Ok: queued as X1\r\n"
	    "421 4.3.2 " HOST " Service shutting down\r\n");
	expect_eof(t);
	t_free(t);
}

static void
test_output_backpressure(void **state)
{
	struct t *t = t_new();
	size_t n = 100000;
	struct buf cmds = BUF_INIT;
	struct timeval tv = { 0, 300000 };

	ehlo(t);
	for (size_t i = 0; i < n; i++)
		buf_puts(&cmds, "NOOP\r\n");
	buf_puts(&cmds, "QUIT\r\n");
	bufferevent_disable(t->cli, EV_READ);
	send_bytes(t, cmds.data, cmds.len);
	/* the client reads nothing for a while: the server must pause */
	event_base_loopexit(t->base, &tv);
	event_base_dispatch(t->base);
	assert_int_equal(smtpd_server_sessions(t->srv), 1);
	bufferevent_enable(t->cli, EV_READ);
	run_until(t, has_eof, 0);
	assert_int_equal(t->in.len, n * 14 + 15);
	assert_memory_equal(t->in.data + n * 14, "221 2.0.0 Bye\r\n", 15);
	for (size_t i = 0; i < n; i++)
		assert_memory_equal(t->in.data + i * 14, "250 2.0.0 Ok\r\n", 14);
	buf_reset(&t->in);
	expect_eof(t);
	buf_free(&cmds);
	t_free(t);
}

static void
test_too_many_sessions(void **state)
{
	struct smtpd_config cfg = { .hostname = HOST, .max_sessions = 1 };
	struct t *t = t_new_cfg(&cfg);
	int sv[2];
	char got[128];

	expect(t, GREETING);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	smtpd_server_accept_fd(t->srv, sv[1], "second");
	read_fd(t, sv[0], got, sizeof got);
	run_until(t, has_sessions, 1);
	assert_string_equal(got, "421 4.3.2 " HOST " Error: too many sessions\r\n");
	close(sv[0]);
	quit(t);
	t_free(t);
}

/* ---- listeners ---- */

static void
test_listen_unix(void **state)
{
	struct t *t = t_new();
	struct sockaddr_un sun;
	struct stat st;
	char path[] = "/tmp/test-smtpd-XXXXXX";
	char spec[sizeof(struct sockaddr_un) + 8], got[64];
	int fd;

	assert_int_equal(smtpd_server_listen(t->srv, "unix:relative"), -1);
	assert_int_equal(smtpd_server_listen(t->srv, "127.0.0.1"), -1);
	assert_int_equal(smtpd_server_listen(t->srv, "bogus:25"), -1);
	assert_non_null(mkdtemp(path));
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s/lmtp.sock", path);
	snprintf(spec, sizeof spec, "unix:%s", sun.sun_path);
	/* a regular file in the way is left alone */
	fd = open(sun.sun_path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	assert_int_equal(smtpd_server_listen(t->srv, spec), -1);
	assert_int_equal(stat(sun.sun_path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	unlink(sun.sun_path);
	/* a stale socket is replaced */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	close(fd);
	assert_int_equal(smtpd_server_listen(t->srv, spec), 0);
	assert_int_equal(stat(sun.sun_path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0666);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	read_fd(t, fd, got, sizeof got);
	assert_string_equal(got, GREETING);
	close(fd);
	run_until(t, has_sessions, 1);
	smtpd_server_shutdown(t->srv);
	/* our socket file goes with the listener */
	assert_int_equal(stat(sun.sun_path, &st), -1);
	expect(t, GREETING "421 4.3.2 " HOST " Service shutting down\r\n");
	expect_eof(t);
	rmdir(path);
	t_free(t);
}

static void
test_listen_tcp(void **state)
{
	struct t *t = t_new();
	struct sockaddr_in sin;
	socklen_t sl = sizeof sin;
	char spec[64], got[64];
	int fd;

	/* find a free port, then listen on it */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	close(fd);
	snprintf(spec, sizeof spec, "127.0.0.1:%u", ntohs(sin.sin_port));
	assert_int_equal(smtpd_server_listen(t->srv, spec), 0);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	read_fd(t, fd, got, sizeof got);
	assert_string_equal(got, GREETING);
	close(fd);
	run_until(t, has_sessions, 1);
	assert_int_equal(smtpd_server_sessions(t->srv), 1);
	t_free(t);
}

/* ---- STARTTLS ---- */

static SSL_CTX *
tls_server_ctx(void)
{
	EVP_PKEY *pkey = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *name;
	SSL_CTX *ctx;

	assert_non_null(pkey);
	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, pkey);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)HOST, -1, -1, 0);
	X509_set_issuer_name(x, name);
	assert_true(X509_sign(x, pkey, EVP_sha256()) > 0);
	ctx = SSL_CTX_new(TLS_server_method());
	assert_non_null(ctx);
	assert_int_equal(SSL_CTX_use_certificate(ctx, x), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(ctx, pkey), 1);
	X509_free(x);
	EVP_PKEY_free(pkey);
	return ctx;
}

#define TLS_CAPS "250-" HOST "\r\n" CAPS_TAIL "250-STARTTLS\r\n" \
	"250 ENHANCEDSTATUSCODES\r\n"

static void
test_starttls_pipelined_plaintext(void **state)
{
	SSL_CTX *ctx = tls_server_ctx();
	struct smtpd_config cfg = { .hostname = HOST, .tls = ctx };
	struct t *t = t_new_cfg(&cfg);

	expect(t, GREETING);
	send_str(t, "EHLO c\r\nSTARTTLS x\r\n");
	expect(t, TLS_CAPS "501 5.5.4 Syntax error: no parameters allowed\r\n");
	/* plaintext injected behind STARTTLS: no handshake, connection closed */
	send_str(t, "STARTTLS\r\nMAIL FROM:<evil@attacker.example>\r\n");
	expect(t, "421 4.5.0 " HOST " Error: data pipelined after STARTTLS\r\n");
	expect_eof(t);
	t_free(t);
	SSL_CTX_free(ctx);
}

/* EHLO, STARTTLS and a client handshake over the test's socketpair. */
static void
tls_client_up(struct t *t, SSL_CTX *cctx)
{
	struct bufferevent *tb;
	SSL *ssl;

	expect(t, GREETING);
	send_str(t, "EHLO c\r\n");
	expect(t, TLS_CAPS);
	send_str(t, "STARTTLS\r\n");
	expect(t, "220 2.0.0 Ready to start TLS\r\n");
	ssl = SSL_new(cctx);
	tb = bufferevent_openssl_filter_new(t->base, t->cli, ssl,
	    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
	assert_non_null(tb);
	bufferevent_openssl_set_allow_dirty_shutdown(tb, 1);
	bufferevent_setcb(tb, cli_read_cb, NULL, cli_event_cb, t);
	bufferevent_enable(tb, EV_READ | EV_WRITE);
	t->cli = tb;
	run_until(t, has_tls, 0);
	assert_int_equal(t->tls_up, 1);
}

static void
test_starttls_handshake(void **state)
{
	SSL_CTX *ctx = tls_server_ctx();
	SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
	struct smtpd_config cfg = { .hostname = HOST, .tls = ctx };
	struct t *t = t_new_cfg(&cfg);

	tls_client_up(t, cctx);
	/* state was reset: EHLO again; STARTTLS no longer offered */
	send_str(t, "MAIL FROM:<a@b.example>\r\nEHLO c\r\nSTARTTLS\r\n");
	expect(t, "503 5.5.1 Error: send HELO/EHLO first\r\n"
	    "250-" HOST "\r\n" CAPS_TAIL "250 ENHANCEDSTATUSCODES\r\n"
	    "503 5.5.1 Error: TLS already active\r\n");
	start_data(t);
	send_str(t, "secret\r\n.\r\nQUIT\r\n");
	expect(t, "250 2.0.0 Ok: queued as X1\r\n221 2.0.0 Bye\r\n");
	expect_eof(t);
	assert_int_equal(t->env_tls, 1);
	assert_string_equal(buf_cstr(&t->msg), "secret\r\n");
	t_free(t);
	SSL_CTX_free(cctx);
	SSL_CTX_free(ctx);
}

/* A TLS client that stops reading: the server pauses, nothing is lost. */
static void
test_starttls_backpressure(void **state)
{
	SSL_CTX *ctx = tls_server_ctx();
	SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
	struct smtpd_config cfg = { .hostname = HOST, .tls = ctx };
	struct t *t = t_new_cfg(&cfg);
	struct timeval tv = { 0, 300000 };
	struct buf cmds = BUF_INIT;
	size_t n = 50000;

	tls_client_up(t, cctx);
	send_str(t, "EHLO c\r\n");
	expect(t, "250-" HOST "\r\n" CAPS_TAIL "250 ENHANCEDSTATUSCODES\r\n");
	for (size_t i = 0; i < n; i++)
		buf_puts(&cmds, "NOOP\r\n");
	buf_puts(&cmds, "QUIT\r\n");
	bufferevent_disable(t->cli, EV_READ);
	send_bytes(t, cmds.data, cmds.len);
	event_base_loopexit(t->base, &tv);
	event_base_dispatch(t->base);
	assert_int_equal(smtpd_server_sessions(t->srv), 1);
	bufferevent_enable(t->cli, EV_READ);
	run_until(t, has_eof, 0);
	assert_int_equal(t->in.len, n * 14 + 15);
	for (size_t i = 0; i < n; i++)
		assert_memory_equal(t->in.data + i * 14, "250 2.0.0 Ok\r\n", 14);
	buf_reset(&t->in);
	expect_eof(t);
	buf_free(&cmds);
	t_free(t);
	SSL_CTX_free(cctx);
	SSL_CTX_free(ctx);
}

static void
test_starttls_garbage_handshake(void **state)
{
	SSL_CTX *ctx = tls_server_ctx();
	struct smtpd_config cfg = { .hostname = HOST, .tls = ctx };
	struct t *t = t_new_cfg(&cfg);

	expect(t, GREETING);
	send_str(t, "EHLO c\r\n");
	expect(t, TLS_CAPS);
	send_str(t, "STARTTLS\r\n");
	expect(t, "220 2.0.0 Ready to start TLS\r\n");
	/* plaintext sent after the 220: the handshake fails, session freed */
	send_str(t, "EHLO c\r\nMAIL FROM:<a@b.example>\r\n");
	run_until(t, has_eof, 0);
	assert_int_equal(t->eof, 1);
	assert_null(strstr(buf_cstr(&t->in), "250"));
	buf_reset(&t->in);
	run_until(t, has_sessions, 0);
	assert_int_equal(smtpd_server_sessions(t->srv), 0);
	t_free(t);
	SSL_CTX_free(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normal_session),
		cmocka_unit_test(test_pipelined_batch),
		cmocka_unit_test(test_async_commit_in_order),
		cmocka_unit_test(test_ehlo_capabilities),
		cmocka_unit_test(test_lmtp),
		cmocka_unit_test(test_long_command_line),
		cmocka_unit_test(test_nul_and_bare_lf_in_command),
		cmocka_unit_test(test_smuggling),
		cmocka_unit_test(test_dot_unstuffing),
		cmocka_unit_test(test_size_param),
		cmocka_unit_test(test_streaming_size_limit),
		cmocka_unit_test(test_too_many_rcpts),
		cmocka_unit_test(test_too_many_errors),
		cmocka_unit_test(test_command_timeout),
		cmocka_unit_test(test_drip_feed_timeout),
		cmocka_unit_test(test_data_timeout),
		cmocka_unit_test(test_sequence_errors),
		cmocka_unit_test(test_rset),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_quit_frees),
		cmocka_unit_test(test_close_during_commit),
		cmocka_unit_test(test_reset_during_commit),
		cmocka_unit_test(test_half_close_during_commit),
		cmocka_unit_test(test_eof_mid_data),
		cmocka_unit_test(test_shutdown),
		cmocka_unit_test(test_shutdown_during_commit),
		cmocka_unit_test(test_output_backpressure),
		cmocka_unit_test(test_too_many_sessions),
		cmocka_unit_test(test_listen_unix),
		cmocka_unit_test(test_listen_tcp),
		cmocka_unit_test(test_starttls_pipelined_plaintext),
		cmocka_unit_test(test_starttls_handshake),
		cmocka_unit_test(test_starttls_backpressure),
		cmocka_unit_test(test_starttls_garbage_handshake),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
