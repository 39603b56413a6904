/*
 * Engine side of the fetcher channel (see fetchin.h). Records are read from
 * a bufferevent; each message is handled in one BEGIN IMMEDIATE ... COMMIT
 * (synchronous=FULL) before the reply goes back, so a reply of committed
 * or duplicate always means durable.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <openssl/sha.h>

#include "daemon/config.h"
#include "daemon/db.h"
#include "daemon/engine.h"
#include "daemon/ipc.h"
#include "daemon/log.h"
#include "daemon/store_group.h"
#include "daemon/store_inbound.h"
#include "daemon/store_source.h"
#include "daemon/xalloc.h"
#include "mail/address.h"
#include "mail/compose.h"
#include "mail/fetchin.h"
#include "mail/fetchipc.h"
#include "mail/header.h"
#include "mail/process.h"

struct fetchin {
	struct engine		*e;
	struct bufferevent	*bev;
	struct bufferevent	*dead;		/* freed by the reap event */
	struct event		*reap;
	pid_t			 pid;
};

static int
fetchin_addr_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr(".!#$%&'*+/=?^_`{|}~-", c);
}

/* Every local@list_domain in an unfolded header value. */
static void
fetchin_scan_value(const char *v, const char *domain, struct buf *rcpts,
    int *n)
{
	size_t dlen = strlen(domain);
	for (const char *at = strchr(v, '@'); at && *n < FETCHIN_MAX_RCPTS;
	    at = strchr(at + 1, '@')) {
		const char *s = at, *e = at + 1;
		while (s > v && fetchin_addr_char(s[-1]))
			s--;
		while (*e && fetchin_addr_char(*e))
			e++;
		while (e > at + 1 && e[-1] == '.')
			e--;
		if (s == at || (size_t)(e - at - 1) != dlen ||
		    strncasecmp(at + 1, domain, dlen) != 0)
			continue;
		struct buf a = BUF_INIT;
		buf_append(&a, s, (size_t)(e - s));
		struct list_address la;
		if (address_list_split(buf_cstr(&a), domain, &la) == 0) {
			struct buf line = BUF_INIT;
			address_list_format(&line, la.slug, la.kind, la.token, domain);
			buf_putc(&line, '\n');
			int dup = 0;
			for (const char *p = buf_cstr(rcpts); (p = strstr(p,
			    buf_cstr(&line))) != NULL; p++)
				if (p == rcpts->data || p[-1] == '\n')
					dup = 1;
			if (!dup) {
				buf_append(rcpts, line.data, line.len);
				(*n)++;
			}
			buf_free(&line);
		}
		buf_free(&a);
	}
}

int
fetchin_route(const char *raw, size_t len, const char *group,
    const char *list_domain, struct buf *rcpts)
{
	static const char *const names[] = { "To", "Cc", "Delivered-To",
	    "X-Original-To" };
	int n = 0;
	buf_reset(rcpts);
	if (group != NULL) {
		buf_printf(rcpts, "%s@%s", group, list_domain);
		return 1;
	}
	size_t pos = 0;
	struct header_field f;
	struct buf v = BUF_INIT;
	while (header_next(raw, len, &pos, &f) == 1 && n < FETCHIN_MAX_RCPTS)
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
			if (header_is(&f, names[i])) {
				buf_reset(&v);
				header_unfold(&v, f.value, f.value_len);
				fetchin_scan_value(buf_cstr(&v), list_domain, rcpts,
				    &n);
			}
	buf_free(&v);
	if (rcpts->len > 0)
		buf_truncate(rcpts, rcpts->len - 1);	/* last newline */
	return n;
}

void
fetchin_sender(const char *raw, size_t len, struct buf *out)
{
	struct buf v = BUF_INIT, name = BUF_INIT;
	buf_reset(out);
	if (header_get(raw, len, "Return-Path", &v) == 1 &&
	    address_parse_path(buf_cstr(&v), out, NULL) == 0 && out->len > 0)
		goto done;
	buf_reset(&v);
	buf_reset(out);
	if (header_get(raw, len, "From", &v) == 1)
		address_parse_mailbox(buf_cstr(&v), &name, out);
done:
	buf_free(&v);
	buf_free(&name);
}

static void
fetchin_hash(const void *p, size_t n, char hex[2 * SHA256_DIGEST_LENGTH + 1])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256(p, n, md);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) {
		hex[2 * i] = "0123456789abcdef"[md[i] >> 4];
		hex[2 * i + 1] = "0123456789abcdef"[md[i] & 15];
	}
	hex[2 * SHA256_DIGEST_LENGTH] = '\0';
}

static void
fetchin_message_id(const char *raw, size_t len, struct buf *out)
{
	struct buf v = BUF_INIT, ids = BUF_INIT;
	buf_reset(out);
	if (header_get(raw, len, "Message-ID", &v) == 1 &&
	    header_msgids(&ids, v.data, v.len, 1) == 1)
		buf_puts(out, buf_cstr(&ids));
	buf_free(&v);
	buf_free(&ids);
}

/* Keep only the recipients whose group exists and takes mail. */
static void
fetchin_known(struct fetchin *in, struct buf *rcpts)
{
	const char *domain = in->e->cfg->list_domain;
	struct buf out = BUF_INIT;
	char *copy = xstrdup(buf_cstr(rcpts)), *save = NULL;
	for (char *a = strtok_r(copy, "\n", &save); a;
	    a = strtok_r(NULL, "\n", &save)) {
		struct list_address la;
		struct group g;
		if (address_list_split(a, domain, &la) == -1 ||
		    la.kind == ADDR_MODERATE ||
		    store_group_get(in->e->db, la.slug, &g) != 1)
			continue;
		int ok = !(g.archived && la.kind == ADDR_POST);
		store_group_clear(&g);
		if (ok)
			buf_printf(&out, "%s%s", out.len ? "\n" : "", a);
	}
	free(copy);
	buf_reset(rcpts);
	buf_append(rcpts, out.data, out.len);
	buf_free(&out);
}

static void
fetchin_received(struct fetchin *in, const struct config_source *cs,
    struct buf *out)
{
	const struct config *cfg = in->e->cfg;
	struct buf date = BUF_INIT;
	compose_date(&date, db_now());
	buf_printf(out, "Received: from IMAP source %s (%s)\r\n\tby %s (majlis)"
	    " with %s;\r\n\t%s\r\n", config_source_name(cs), cs->url.host,
	    cfg->hostname, cs->url.tls == IMAPURL_PLAIN ? "IMAP" : "IMAPS",
	    buf_cstr(&date));
	buf_free(&date);
}

/* Store a message of source cs that is not a duplicate; returns the
 * inbound id, 0 when refused, -1 on error. */
static int64_t
fetchin_store(struct fetchin *in, const struct config_source *cs,
    const struct fetchipc *m, const char *hash, const char *msgid)
{
	const struct config *cfg = in->e->cfg;
	struct buf rcpts = BUF_INIT, from = BUF_INIT, raw = BUF_INIT,
	    peer = BUF_INIT;
	int64_t id = 0;
	fetchin_route(m->raw, m->rawlen, cs->group, cfg->list_domain, &rcpts);
	fetchin_known(in, &rcpts);
	if (rcpts.len == 0) {
		log_warnx("source %s: UID %llu is for no group here: refused",
		    m->source, (unsigned long long)m->uid);
		goto done;
	}
	fetchin_sender(m->raw, m->rawlen, &from);
	fetchin_received(in, cs, &raw);
	buf_append(&raw, m->raw, m->rawlen);
	buf_printf(&peer, "imap:%s", m->source);
	id = store_inbound_add(in->e->db, buf_cstr(&from), buf_cstr(&rcpts),
	    buf_cstr(&peer), raw.data, raw.len);
	if (id > 0 && store_source_record(in->e->db, m->source, hash, msgid, id,
	    (int64_t)m->uidvalidity, (int64_t)m->uid) == -1)
		id = -1;
done:
	buf_free(&rcpts);
	buf_free(&from);
	buf_free(&raw);
	buf_free(&peer);
	return id;
}

static void
fetchin_reply(struct fetchin *in, const struct fetchipc *q, int verdict,
    int64_t last_uid)
{
	struct fetchipc r;
	struct buf b = BUF_INIT;
	memset(&r, 0, sizeof r);
	r.type = IPC_FETCH_REPLY;
	r.source = q->source;
	r.uidvalidity = q->uidvalidity;
	r.uid = q->uid;
	r.verdict = (uint64_t)verdict;
	r.last_uid = last_uid > 0 ? (uint64_t)last_uid : 0;
	fetchipc_encode(&b, &r);
	if (in->bev)
		bufferevent_write(in->bev, b.data, b.len);
	buf_free(&b);
}

static void
fetchin_sync(struct fetchin *in, const struct config_source *cs,
    const struct fetchipc *q)
{
	struct db *db = in->e->db;
	int64_t last = 0;
	int reset = 0, ok = db_begin(db) == 0;
	if (ok && store_source_sync(db, q->source, cs->url.text_safe,
	    (int64_t)q->uidvalidity, &last, &reset) == -1)
		ok = 0;
	if (ok)
		ok = db_commit(db) == 0;
	else
		db_rollback(db);
	if (!ok) {
		fetchin_reply(in, q, FETCHIPC_RETRY, 0);
		return;
	}
	if (reset)
		log_info("source %s: UIDVALIDITY is now %llu: position reset,"
		    " messages already taken are recognised by hash and"
		    " Message-ID", q->source, (unsigned long long)q->uidvalidity);
	fetchin_reply(in, q, FETCHIPC_POSITION, last);
}

static void
fetchin_message(struct fetchin *in, const struct config_source *cs,
    const struct fetchipc *q)
{
	struct db *db = in->e->db;
	char hash[2 * SHA256_DIGEST_LENGTH + 1];
	struct buf msgid = BUF_INIT;
	int64_t id = 0;
	int verdict = FETCHIPC_RETRY;
	fetchin_hash(q->raw, q->rawlen, hash);
	fetchin_message_id(q->raw, q->rawlen, &msgid);
	int begun = db_begin(db) == 0, ok = begun;
	int seen = ok ? store_source_seen(db, q->source, hash,
	    buf_cstr(&msgid)) : -1;
	if (seen == 1)
		verdict = FETCHIPC_DUPLICATE;
	else if (seen == 0 && (id = fetchin_store(in, cs, q, hash,
	    buf_cstr(&msgid))) >= 0)
		verdict = id > 0 ? FETCHIPC_COMMITTED : FETCHIPC_REFUSED;
	else
		ok = 0;
	if (ok && store_source_advance(db, q->source, (int64_t)q->uidvalidity,
	    (int64_t)q->uid, verdict) == -1)
		ok = 0;
	int64_t last = ok ? db_int(db, "SELECT last_uid FROM sources WHERE"
	    " name = ?", 0, "t", q->source) : 0;
	if (ok)
		ok = db_commit(db) == 0;
	else if (begun)
		db_rollback(db);
	buf_free(&msgid);
	if (!ok) {
		log_warnx("source %s: cannot store UID %llu: the fetcher retries",
		    q->source, (unsigned long long)q->uid);
		fetchin_reply(in, q, FETCHIPC_RETRY, 0);
		return;
	}
	if (verdict == FETCHIPC_COMMITTED) {
		log_info("source %s: UID %llu stored as inbound %lld", q->source,
		    (unsigned long long)q->uid, (long long)id);
		process_enqueue(in->e->process, id);
	}
	fetchin_reply(in, q, verdict, last);
}

static void
fetchin_record(struct fetchin *in, uint32_t type, const void *body,
    size_t len)
{
	struct fetchipc q;
	const struct config_source *cs;
	if (fetchipc_decode(type, body, len, &q) == -1 ||
	    type == IPC_FETCH_REPLY) {
		log_warnx("fetcher %d: malformed record %u", (int)in->pid, type);
		return;
	}
	/* only the configured sources: each routes by its own group */
	if ((cs = config_source_find(in->e->cfg, q.source)) == NULL) {
		log_warnx("fetcher %d: unknown source", (int)in->pid);
		fetchipc_clear(&q);
		return;
	}
	if (type == IPC_FETCH_SYNC)
		fetchin_sync(in, cs, &q);
	else if (type == IPC_FETCH_MSG)
		fetchin_message(in, cs, &q);
	else if (store_source_status(in->e->db, q.source, q.state, q.error,
	    (int)q.success) == -1)
		log_warnx("source %s: cannot store the status", q.source);
	fetchipc_clear(&q);
}

static void
fetchin_drop(struct fetchin *in)
{
	if (in->bev == NULL)
		return;
	bufferevent_disable(in->bev, EV_READ | EV_WRITE);
	if (in->dead)
		bufferevent_free(in->dead);
	in->dead = in->bev;
	in->bev = NULL;
	event_active(in->reap, 0, 0);
}

static void
fetchin_read(struct bufferevent *bev, void *arg)
{
	struct fetchin *in = arg;
	struct evbuffer *ib = bufferevent_get_input(bev);
	size_t max = in->e->cfg->max_message_size + 65536;
	while (in->bev == bev) {
		size_t avail = evbuffer_get_length(ib);
		unsigned char *h = evbuffer_pullup(ib, avail < IPC_HEADER_LEN ?
		    -1 : IPC_HEADER_LEN);
		uint32_t type, len;
		int rc = h ? ipc_peek_header(h, avail, max, &type, &len) : 0;
		if (rc == 0 || (rc == 1 && avail < IPC_HEADER_LEN + (size_t)len))
			return;
		if (rc == -1) {
			log_warnx("fetcher %d: record too large", (int)in->pid);
			fetchin_drop(in);
			return;
		}
		unsigned char *rec = evbuffer_pullup(ib, IPC_HEADER_LEN +
		    (ssize_t)len);
		fetchin_record(in, type, rec + IPC_HEADER_LEN, len);
		evbuffer_drain(ib, IPC_HEADER_LEN + (size_t)len);
	}
}

static void
fetchin_event(struct bufferevent *bev, short what, void *arg)
{
	struct fetchin *in = arg;
	log_info("fetcher %d: channel closed", (int)in->pid);
	fetchin_drop(in);
}

static void
fetchin_reap(evutil_socket_t fd, short ev, void *arg)
{
	struct fetchin *in = arg;
	if (in->dead)
		bufferevent_free(in->dead);
	in->dead = NULL;
}

struct fetchin *
fetchin_new(struct engine *e)
{
	struct fetchin *in = xcalloc(1, sizeof *in);
	in->e = e;
	in->reap = event_new(e->base, -1, 0, fetchin_reap, in);
	return in;
}

void
fetchin_attach(struct fetchin *in, int fd, pid_t pid)
{
	fetchin_drop(in);
	in->pid = pid;
	evutil_make_socket_nonblocking(fd);
	in->bev = bufferevent_socket_new(in->e->base, fd, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(in->bev, fetchin_read, NULL, fetchin_event, in);
	bufferevent_enable(in->bev, EV_READ);
}

void
fetchin_free(struct fetchin **inp)
{
	struct fetchin *in = *inp;
	if (in == NULL)
		return;
	if (in->bev)
		bufferevent_free(in->bev);
	if (in->dead)
		bufferevent_free(in->dead);
	event_free(in->reap);
	free(in);
	*inp = NULL;
}
