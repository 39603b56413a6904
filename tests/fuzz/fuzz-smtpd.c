/*
 * libFuzzer target for mail/smtpd.c: the input bytes go through a socketpair
 * into a real SMTP or LMTP session; the loop runs until the session is gone.
 * The first byte picks the mode: bit 0 LMTP, bit 1 asynchronous commit,
 * bit 2 commit failure.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "daemon/buf.h"
#include "daemon/log.h"
#include "mail/smtpd.h"

struct fuzz {
	struct event_base	*base;
	struct smtpd_server	*smtp;
	struct smtpd_server	*lmtp;
	struct event		*ev_done;
	struct smtpd_session	*pending;
	int			 mode;
	const uint8_t		*data;	/* input not yet written */
	size_t			 left;
	int			 fd;	/* client end */
};

static struct fuzz F;

static int
fuzz_rcpt(void *arg, const struct smtpd_envelope *env, const char *rcpt,
    struct buf *reply)
{
	if (strchr(rcpt, 'x') == NULL)
		return 0;
	if (strchr(rcpt, 'y'))
		buf_puts(reply, "bogus reply\r\n");
	else
		buf_printf(reply, "550 5.1.1 <%s>: no such list", rcpt);
	return -1;
}

static void
fuzz_done_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct smtpd_session *s = F.pending;

	F.pending = NULL;
	smtpd_data_done(s, !(F.mode & 4), NULL);
}

static void
fuzz_data(void *arg, struct smtpd_session *s, const struct smtpd_envelope *env,
    const char *msg, size_t len)
{
	if (msg[len] != '\0' || env->nrcpts == 0)
		abort();
	if (F.mode & 2) {
		F.pending = s;
		event_active(F.ev_done, EV_TIMEOUT, 1);
		return;
	}
	smtpd_data_done(s, !(F.mode & 4), (F.mode & 4) ? "554 5.7.1 no" : NULL);
}

static void
fuzz_init(void)
{
	struct smtpd_config cfg = { .hostname = "fuzz.example",
	    .max_message_size = 4096, .max_rcpts = 4 };
	struct smtpd_hooks hooks = { fuzz_rcpt, fuzz_data };

	signal(SIGPIPE, SIG_IGN);
	log_init("fuzz-smtpd", 1, LOG_LEVEL_WARN);
	F.base = event_base_new();
	F.smtp = smtpd_server_new(F.base, &cfg, &hooks, NULL);
	cfg.lmtp = 1;
	F.lmtp = smtpd_server_new(F.base, &cfg, &hooks, NULL);
	F.ev_done = event_new(F.base, -1, 0, fuzz_done_cb, NULL);
	if (F.base == NULL || F.ev_done == NULL)
		abort();
}

/* Client end: write the input, then half-close; read and drop replies. */
static void
fuzz_client_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct event *self = arg;
	char sink[16384];

	if (ev & EV_READ)
		while (read(fd, sink, sizeof sink) > 0)
			;
	if (!(ev & EV_WRITE))
		return;
	if (F.left > 0) {
		ssize_t n = write(fd, F.data, F.left);

		if (n > 0) {
			F.data += n;
			F.left -= (size_t)n;
		} else if (n < 0 && errno != EAGAIN) {
			F.left = 0;
		}
	}
	if (F.left == 0) {
		shutdown(fd, SHUT_WR);
		event_del(self);
		event_assign(self, F.base, fd, EV_READ | EV_PERSIST,
		    fuzz_client_cb, self);
		event_add(self, NULL);
	}
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtpd_server *srv;
	struct event *ev;
	int sv[2];

	if (F.base == NULL)
		fuzz_init();
	if (size < 1)
		return 0;
	F.mode = data[0];
	F.data = data + 1;
	F.left = size - 1;
	srv = (F.mode & 1) ? F.lmtp : F.smtp;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		abort();
	evutil_make_socket_nonblocking(sv[0]);
	ev = event_new(F.base, sv[0], EV_READ | EV_WRITE | EV_PERSIST,
	    fuzz_client_cb, event_self_cbarg());
	event_add(ev, NULL);
	smtpd_server_accept_fd(srv, sv[1], "fuzz");
	while (smtpd_server_sessions(srv) > 0)
		event_base_loop(F.base, EVLOOP_ONCE);
	event_free(ev);
	close(sv[0]);
	return 0;
}
