/*
 * The DATA state machine of an SMTP/LMTP session (see smtpd_int.h): a
 * linear scanner that unstuffs dots, notes bare CR and LF, enforces the
 * size limit while streaming and ends at CRLF.CRLF; the data reply; the
 * DATA deadline.
 */
#include "config.h"

#include <stddef.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "daemon/buf.h"
#include "mail/smtpd.h"
#include "mail/smtpd_int.h"

static void
data_out(struct tx *t, const void *p, size_t n, size_t max)
{
	if (t->toobig)
		return;
	if (n > max - t->msg.len) {
		t->toobig = 1;
		buf_free(&t->msg);
		return;
	}
	buf_append(&t->msg, p, n);
}

/* Text up to the next CR or LF; returns the bytes used. */
static size_t
data_text(struct tx *t, const unsigned char *p, size_t n, size_t max)
{
	size_t i = 0;

	while (i < n && p[i] != '\r' && p[i] != '\n')
		i++;
	data_out(t, p, i, max);
	if (i == n)
		return i;
	if (p[i] == '\r') {
		t->dstate = D_CR;
	} else {
		t->bare = 1;
		data_out(t, "\n", 1, max);
	}
	return i + 1;
}

/*
 * Scan n bytes of DATA: unstuff dots, note bare CR and LF, stop after
 * CRLF.CRLF (*end set). Only a CRLF starts a line, so "\n.\n" and the like
 * never end the message. Returns the bytes used. Linear in n.
 */
static size_t
data_scan(struct tx *t, const unsigned char *p, size_t n, size_t max, int *end)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = p[i];

		switch (t->dstate) {
		case D_TEXT:
			i += data_text(t, p + i, n - i, max);
			break;
		case D_BOL:
			t->dstate = c == '.' ? D_DOT : D_TEXT;
			i += c == '.';
			break;
		case D_DOT:
			t->dstate = c == '\r' ? D_DOTCR : D_TEXT;
			i += c == '\r';
			break;
		case D_CR:
		case D_DOTCR:
			if (c == '\n' && t->dstate == D_DOTCR) {
				*end = 1;
				return i + 1;
			}
			if (c == '\n') {
				data_out(t, "\r\n", 2, max);
				t->dstate = D_BOL;
				i++;
				break;
			}
			t->bare = 1;
			data_out(t, "\r", 1, max);
			t->dstate = D_TEXT;
			break;
		}
	}
	return n;
}

void
smtpd_body_reply(struct smtpd_session *s, const char *reply)
{
	size_t n = s->srv->cfg.lmtp ? s->tx.nrcpts : 1;

	for (size_t i = 0; i < n; i++)
		smtpd_reply(s, "%s", reply);
}

static void
data_refuse(struct smtpd_session *s, const char *reply)
{
	smtpd_body_reply(s, reply);
	s->n_msgs_refused++;
	smtpd_tx_reset(&s->tx);
	s->state = ST_HELO;
	smtpd_arm_cmd_timer(s);
}

/* CRLF.CRLF seen: refuse, or hand the message to the data hook. */
static void
data_end(struct smtpd_session *s)
{
	struct smtpd_server *srv = s->srv;
	struct tx *t = &s->tx;

	if (t->bare) {
		data_refuse(s, "550 5.6.11 Error: bare CR or LF not allowed");
		return;
	}
	if (t->toobig) {
		data_refuse(s, "552 5.3.4 Error: message too big");
		return;
	}
	s->state = ST_COMMIT;
	evtimer_del(s->ev_timer);
	srv->hooks.data(srv->arg, s, smtpd_envelope(s), buf_cstr(&t->msg),
	    t->msg.len);
}

/* Feed buffered input to the DATA scanner; 0 when it needs more input. */
int
smtpd_body_consume(struct smtpd_session *s)
{
	struct evbuffer *in = bufferevent_get_input(s->bev);
	struct evbuffer_iovec v[8];
	size_t used = 0, max = s->srv->cfg.max_message_size;
	int nv, end = 0;

	if (evbuffer_get_length(in) == 0)
		return 0;
	nv = evbuffer_peek(in, -1, NULL, v, 8);
	if (nv > 8)
		nv = 8;
	for (int i = 0; i < nv && !end; i++)
		used += data_scan(&s->tx, v[i].iov_base, v[i].iov_len, max, &end);
	evbuffer_drain(in, used);
	s->tx.received += used;
	if (end)
		data_end(s);
	return 1;
}

/* DATA deadline: data_timeout, extended while the client keeps the rate. */
int
smtpd_body_deadline_extend(struct smtpd_session *s)
{
	struct tx *t = &s->tx;
	size_t expect = t->size > t->received ? t->size : t->received;
	time_t allowed = s->srv->cfg.data_timeout;
	time_t elapsed = smtpd_now() - t->data_start;

	if ((time_t)(expect / SMTPD_MIN_DATA_RATE) > allowed)
		allowed = (time_t)(expect / SMTPD_MIN_DATA_RATE);
	if (elapsed >= allowed)
		return 0;
	smtpd_timer_arm(s->ev_timer, (long)(allowed - elapsed), 0);
	return 1;
}
