/*
 * The IMAP fetcher process (see fetcher.h). The main thread reads the
 * engine's answers and runs the watchdog; each source's session runs in its
 * own thread, blocking in libetpan with a deadline the watchdog enforces.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libetpan/libetpan.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "daemon/config.h"
#include "daemon/ipc.h"
#include "daemon/log.h"
#include "daemon/supervisor.h"
#include "daemon/xalloc.h"
#include "mail/fetcher.h"
#include "mail/fetchipc.h"

struct fetcher;

struct fetcher_source {
	struct fetcher		*f;
	const struct config_source *conf;
	const char		*name;
	const struct imapurl	*url;
	char			*password;	/* NULL: unreadable, no session */
	int			 action;
	int			 timeout;	/* imap_timeout, seconds */
	const char		*folder;
	pthread_t		 thread;
	/* session state, owned by the thread */
	mailimap		*imap;
	uint32_t		 uidvalidity;
	uint32_t		 last_uid;
	uint32_t		 skip[FETCHER_SKIP_MAX];
	size_t			 nskip;
	int			 has_idle, has_move, has_uidplus;
	/* shared with the main thread, under f->lock */
	int			 fd;		/* socket, -1 when none */
	time_t			 deadline;	/* 0: not in an IMAP step */
	time_t			 cancelled;	/* when the watchdog cut it */
	int			 have_reply;
	struct fetchipc		 reply;
};

struct fetcher {
	const struct config	*cfg;
	int			 sock;
	pthread_mutex_t		 lock;		/* sources' shared fields, sock writes */
	pthread_cond_t		 cond;
	struct fetcher_source	 src[CONFIG_IMAP_SOURCES_MAX];
	int			 nsrc;
};

int
fetcher_password(const struct config_source *cs, struct buf *out,
    struct buf *err)
{
	buf_reset(out);
	if (cs->password_file == NULL) {
		buf_puts(out, cs->url.password ? cs->url.password : "");
		return 0;
	}
	int fd = open(cs->password_file, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		buf_printf(err, "%s: %s", cs->password_file, strerror(errno));
		return -1;
	}
	char b[IMAPURL_CRED_MAX + 2];
	ssize_t n = read(fd, b, sizeof b);
	close(fd);
	if (n < 0)
		n = 0;
	size_t len = 0;
	while (len < (size_t)n && b[len] != '\n' && b[len] != '\r')
		len++;
	while (len > 0 && (b[len - 1] == ' ' || b[len - 1] == '\t'))
		len--;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)b[i] < 0x20 || b[i] == 0x7f)
			len = IMAPURL_CRED_MAX + 1;
	if (len == 0 || len > IMAPURL_CRED_MAX) {
		buf_printf(err, "%s: the first line must hold the password (1 to"
		    " %d bytes, no control characters)", cs->password_file,
		    IMAPURL_CRED_MAX);
		return -1;
	}
	buf_append(out, b, len);
	explicit_bzero(b, sizeof b);
	return 0;
}

static int
fetcher_trust(X509_STORE *store, const char *ca_file, struct buf *err)
{
	int ok = ca_file ? X509_STORE_load_file(store, ca_file) :
	    X509_STORE_set_default_paths(store);
	if (ok != 1)
		buf_printf(err, "cannot load the trust store%s%s", ca_file ?
		    " " : "", ca_file ? ca_file : "");
	return ok == 1 ? 0 : -1;
}

int
fetcher_verify_chain(const unsigned char *const *der, const size_t *len,
    size_t n, const char *host, const char *ca_file, struct buf *err)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *rest = sk_X509_new_null();
	X509 *leaf = NULL;
	int ret = -1;
	for (size_t i = 0; i < n; i++) {
		const unsigned char *p = der[i];
		X509 *c = d2i_X509(NULL, &p, (long)len[i]);
		if (c == NULL) {
			buf_puts(err, "the server sent an unreadable certificate");
			goto done;
		}
		if (leaf == NULL)
			leaf = c;
		else
			sk_X509_push(rest, c);
	}
	if (leaf == NULL) {
		buf_puts(err, "the server sent no certificate");
		goto done;
	}
	if (fetcher_trust(store, ca_file, err) == -1 ||
	    X509_STORE_CTX_init(ctx, store, leaf, rest) != 1)
		goto done;
	X509_VERIFY_PARAM *vp = X509_STORE_CTX_get0_param(ctx);
	if (X509_VERIFY_PARAM_set1_ip_asc(vp, host) != 1)
		X509_VERIFY_PARAM_set1_host(vp, host, 0);
	if (X509_verify_cert(ctx) == 1)
		ret = 0;
	else
		buf_printf(err, "certificate of %s not accepted: %s", host,
		    X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
done:
	X509_free(leaf);
	sk_X509_pop_free(rest, X509_free);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return ret;
}

/* Watchdog bookkeeping: the thread enters and leaves IMAP steps. */
static void
fetcher_step(struct fetcher_source *s, int seconds)
{
	pthread_mutex_lock(&s->f->lock);
	s->deadline = seconds ? time(NULL) + seconds : 0;
	pthread_mutex_unlock(&s->f->lock);
}

static void
fetcher_set_fd(struct fetcher_source *s, int fd)
{
	pthread_mutex_lock(&s->f->lock);
	s->fd = fd;
	s->cancelled = 0;
	pthread_mutex_unlock(&s->f->lock);
}

static int
fetcher_send(struct fetcher *f, const struct fetchipc *r)
{
	struct buf b = BUF_INIT;
	fetchipc_encode(&b, r);
	pthread_mutex_lock(&f->lock);
	int rc = ipc_write_all(f->sock, b.data, b.len);
	pthread_mutex_unlock(&f->lock);
	buf_free(&b);
	return rc;
}

static void
fetcher_status(struct fetcher_source *s, const char *state, const char *error,
    int success)
{
	struct fetchipc r;
	memset(&r, 0, sizeof r);
	r.type = IPC_FETCH_STATUS;
	r.source = (char *)s->name;
	r.state = (char *)state;
	r.error = (char *)(error ? error : "");
	r.success = success ? 1 : 0;
	if (error && *error)
		log_warnx("source %s: %s", s->name, error);
	fetcher_send(s->f, &r);
}

/* Send a record and wait for the engine's reply about uid. 0 with *out
 * filled (fetchipc_clear it), or -1 on timeout or a dead channel. */
static int
fetcher_ask(struct fetcher_source *s, const struct fetchipc *req,
    struct fetchipc *out)
{
	struct fetcher *f = s->f;
	pthread_mutex_lock(&f->lock);
	if (s->have_reply)
		fetchipc_clear(&s->reply);
	s->have_reply = 0;
	pthread_mutex_unlock(&f->lock);
	if (fetcher_send(f, req) == -1)
		return -1;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += FETCHER_REPLY_TIMEOUT;
	int rc = 0;
	pthread_mutex_lock(&f->lock);
	while (rc == 0 && !(s->have_reply && s->reply.uid == req->uid))
		rc = pthread_cond_timedwait(&f->cond, &f->lock, &until);
	if (rc == 0) {
		*out = s->reply;
		s->have_reply = 0;
	}
	pthread_mutex_unlock(&f->lock);
	return rc == 0 ? 0 : -1;
}

/* A readable account of a failed libetpan call. */
static void
fetcher_error(struct fetcher_source *s, struct buf *err, const char *what,
    int rc)
{
	const char *resp = s->imap ? s->imap->imap_response : NULL;
	buf_reset(err);
	buf_printf(err, "%s failed (libetpan error %d)", what, rc);
	if (resp != NULL && *resp != '\0') {
		buf_puts(err, ": ");
		for (const char *p = resp; *p && p - resp < 200; p++)
			buf_putc(err, (unsigned char)*p < 0x20 ? ' ' : *p);
	}
}

static int
fetcher_skipped(const struct fetcher_source *s, uint32_t uid)
{
	for (size_t i = 0; i < s->nskip; i++)
		if (s->skip[i] == uid)
			return 1;
	return 0;
}

static void
fetcher_skip(struct fetcher_source *s, uint32_t uid)
{
	if (s->nskip < FETCHER_SKIP_MAX && !fetcher_skipped(s, uid))
		s->skip[s->nskip++] = uid;
}

static int
fetcher_check_cert(struct fetcher_source *s, struct buf *err)
{
	if (!s->conf->tls_verify)
		return 0;
	carray *chain = mailstream_get_certificate_chain(s->imap->imap_stream);
	size_t n = chain ? carray_count(chain) : 0;
	const unsigned char **der = xcalloc(n + 1, sizeof *der);
	size_t *len = xcalloc(n + 1, sizeof *len);
	for (size_t i = 0; i < n; i++) {
		MMAPString *c = carray_get(chain, (unsigned int)i);
		der[i] = (const unsigned char *)c->str;
		len[i] = c->len;
	}
	int rc = fetcher_verify_chain(der, len, n, s->url->host,
	    s->conf->ca_file, err);
	free(der);
	free(len);
	if (chain)
		mailstream_certificate_chain_free(chain);
	return rc;
}

static int
fetcher_connect(struct fetcher_source *s, struct buf *err)
{
	const struct imapurl *u = s->url;
	uint16_t port = (uint16_t)atoi(u->port);
	int rc;
	fetcher_step(s, s->timeout);
	if (u->tls == IMAPURL_IMAPS)
		rc = mailimap_ssl_connect(s->imap, u->host, port);
	else
		rc = mailimap_socket_connect(s->imap, u->host, port);
	if (rc != MAILIMAP_NO_ERROR_AUTHENTICATED &&
	    rc != MAILIMAP_NO_ERROR_NON_AUTHENTICATED) {
		buf_printf(err, "cannot reach the IMAP server %s port %s"
		    " (libetpan error %d)", u->host, u->port, rc);
		return -1;
	}
	fetcher_set_fd(s, mailstream_low_get_fd(mailstream_get_low(
	    s->imap->imap_stream)));
	if (u->tls == IMAPURL_STARTTLS &&
	    (rc = mailimap_socket_starttls(s->imap)) != MAILIMAP_NO_ERROR) {
		fetcher_error(s, err, "STARTTLS", rc);
		return -1;
	}
	if (u->tls != IMAPURL_PLAIN && fetcher_check_cert(s, err) == -1)
		return -1;
	return 0;
}

static int
fetcher_login(struct fetcher_source *s, struct buf *err)
{
	struct mailimap_capability_data *cap = NULL;
	int rc = mailimap_login(s->imap, s->url->user, s->password);
	if (rc != MAILIMAP_NO_ERROR) {
		fetcher_error(s, err, "login", rc);
		buf_printf(err, " (authentication failed for %s at %s?)",
		    s->url->user, s->url->host);
		return -1;
	}
	if ((rc = mailimap_capability(s->imap, &cap)) != MAILIMAP_NO_ERROR) {
		fetcher_error(s, err, "CAPABILITY", rc);
		return -1;
	}
	mailimap_capability_data_free(cap);
	s->has_idle = mailimap_has_idle(s->imap);
	s->has_move = mailimap_has_extension(s->imap, "MOVE");
	s->has_uidplus = mailimap_has_extension(s->imap, "UIDPLUS");
	if (s->action == IMAPURL_MOVE)
		mailimap_create(s->imap, s->folder);	/* may exist: ignored */
	return 0;
}

/* SELECT, then learn the stored position from the engine. */
static int
fetcher_select(struct fetcher_source *s, struct buf *err)
{
	int rc = mailimap_select(s->imap, s->url->mailbox);
	if (rc != MAILIMAP_NO_ERROR) {
		fetcher_error(s, err, "SELECT", rc);
		return -1;
	}
	s->uidvalidity = s->imap->imap_selection_info ?
	    s->imap->imap_selection_info->sel_uidvalidity : 0;
	struct fetchipc req, rep;
	memset(&req, 0, sizeof req);
	req.type = IPC_FETCH_SYNC;
	req.source = (char *)s->name;
	req.uidvalidity = s->uidvalidity;
	fetcher_step(s, 0);
	if (fetcher_ask(s, &req, &rep) == -1) {
		buf_puts(err, "no answer from the engine");
		return -1;
	}
	s->last_uid = (uint32_t)rep.last_uid;
	fetchipc_clear(&rep);
	log_info("source %s: %s selected, UIDVALIDITY %u, position %u%s",
	    s->name, s->url->mailbox, s->uidvalidity, s->last_uid,
	    s->has_idle ? ", IDLE" : "");
	return 0;
}

static int
fetcher_uidcmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static struct mailimap_search_key *
fetcher_search_key(struct fetcher_source *s, int pending)
{
	struct mailimap_set *set = pending ?
	    mailimap_set_new_interval(1, s->last_uid) :
	    mailimap_set_new_interval(s->last_uid + 1, 0);
	if (!pending || s->action != IMAPURL_FLAG)
		return mailimap_search_key_new_uid(set);
	struct mailimap_search_key *k = mailimap_search_key_new_multiple_empty();
	mailimap_search_key_multiple_add(k, mailimap_search_key_new_uid(set));
	mailimap_search_key_multiple_add(k, mailimap_search_key_new(
	    MAILIMAP_SEARCH_KEY_UNSEEN, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	    NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL,
	    NULL, NULL, 0, NULL, NULL, NULL));
	return k;
}

/* UIDs to take: pending ones (at or below the position, still there or
 * not flagged: committed before a crash) or new ones. Sorted, at most
 * FETCHER_BATCH_MAX; returns how many, or -1. */
static int
fetcher_search(struct fetcher_source *s, int pending, uint32_t *uids,
    struct buf *err)
{
	clist *res = NULL;
	if (pending && s->last_uid == 0)
		return 0;
	struct mailimap_search_key *key = fetcher_search_key(s, pending);
	fetcher_step(s, s->timeout);
	int rc = mailimap_uid_search(s->imap, NULL, key, &res);
	mailimap_search_key_free(key);
	if (rc != MAILIMAP_NO_ERROR) {
		fetcher_error(s, err, "UID SEARCH", rc);
		return -1;
	}
	int n = 0;
	for (clistiter *it = clist_begin(res); it && n < FETCHER_BATCH_MAX;
	    it = clist_next(it)) {
		uint32_t u = *(uint32_t *)clist_content(it);
		if ((pending ? u <= s->last_uid : u > s->last_uid) &&
		    !fetcher_skipped(s, u))
			uids[n++] = u;
	}
	mailimap_search_result_free(res);
	qsort(uids, (size_t)n, sizeof *uids, fetcher_uidcmp);
	return n;
}

/* FETCH one message's size (body 0) or whole text (body 1); *found 0 when
 * the message is gone. */
static int
fetcher_fetch(struct fetcher_source *s, uint32_t uid, int body,
    uint32_t *size, struct buf *raw, int *found, struct buf *err)
{
	struct mailimap_fetch_type *ft =
	    mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft, body ?
	    mailimap_fetch_att_new_body_peek_section(mailimap_section_new(NULL)) :
	    mailimap_fetch_att_new_rfc822_size());
	struct mailimap_set *set = mailimap_set_new_single(uid);
	clist *res = NULL;
	fetcher_step(s, s->timeout);
	int rc = mailimap_uid_fetch(s->imap, set, ft, &res);
	mailimap_set_free(set);
	mailimap_fetch_type_free(ft);
	if (rc != MAILIMAP_NO_ERROR) {
		fetcher_error(s, err, "UID FETCH", rc);
		return -1;
	}
	*found = 0;
	for (clistiter *i = clist_begin(res); i; i = clist_next(i)) {
		struct mailimap_msg_att *ma = clist_content(i);
		uint32_t got_uid = 0, got_size = 0;
		struct mailimap_msg_att_body_section *sec = NULL;
		for (clistiter *j = clist_begin(ma->att_list); j; j = clist_next(j)) {
			struct mailimap_msg_att_item *it = clist_content(j);
			if (it->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
				continue;
			struct mailimap_msg_att_static *st = it->att_data.att_static;
			if (st->att_type == MAILIMAP_MSG_ATT_UID)
				got_uid = st->att_data.att_uid;
			else if (st->att_type == MAILIMAP_MSG_ATT_RFC822_SIZE)
				got_size = st->att_data.att_rfc822_size;
			else if (st->att_type == MAILIMAP_MSG_ATT_BODY_SECTION)
				sec = st->att_data.att_body_section;
		}
		if (got_uid != uid)
			continue;
		*found = 1;
		*size = got_size;
		if (body && sec && sec->sec_body_part)
			buf_append(raw, sec->sec_body_part, sec->sec_length);
	}
	mailimap_fetch_list_free(res);
	return 0;
}

static int
fetcher_store(struct fetcher_source *s, struct mailimap_set *set,
    struct mailimap_flag *flag)
{
	struct mailimap_flag_list *fl = mailimap_flag_list_new_empty();
	mailimap_flag_list_add(fl, flag);
	struct mailimap_store_att_flags *sa =
	    mailimap_store_att_flags_new_add_flags_silent(fl);
	int rc = mailimap_uid_store(s->imap, set, sa);
	mailimap_store_att_flags_free(sa);
	return rc;
}

static int
fetcher_delete(struct fetcher_source *s, struct mailimap_set *set)
{
	int rc = fetcher_store(s, set, mailimap_flag_new_deleted());
	if (rc != MAILIMAP_NO_ERROR)
		return rc;
	return s->has_uidplus ? mailimap_uid_expunge(s->imap, set) :
	    mailimap_expunge(s->imap);
}

/* The processed action on one committed (or known) message. */
static int
fetcher_apply(struct fetcher_source *s, uint32_t uid, struct buf *err)
{
	struct mailimap_set *set = mailimap_set_new_single(uid);
	int rc;
	fetcher_step(s, s->timeout);
	switch (s->action) {
	case IMAPURL_FLAG:
		rc = fetcher_store(s, set, mailimap_flag_new_seen());
		break;
	case IMAPURL_MOVE:
		if (s->has_move)
			rc = mailimap_uid_move(s->imap, set, s->folder);
		else if ((rc = mailimap_uid_copy(s->imap, set, s->folder)) ==
		    MAILIMAP_NO_ERROR)
			rc = fetcher_delete(s, set);
		break;
	default:
		rc = fetcher_delete(s, set);
	}
	mailimap_set_free(set);
	if (rc != MAILIMAP_NO_ERROR)
		fetcher_error(s, err, s->action == IMAPURL_FLAG ? "UID STORE" :
		    s->action == IMAPURL_MOVE ? "UID MOVE" : "delete", rc);
	return rc == MAILIMAP_NO_ERROR ? 0 : -1;
}

/* Hand one message to the engine; apply the action once it is stored. */
static int
fetcher_take(struct fetcher_source *s, uint32_t uid, struct buf *err)
{
	size_t max = s->f->cfg->max_message_size;
	uint32_t size = 0;
	int found, rc = -1;
	struct buf raw = BUF_INIT;
	if (fetcher_fetch(s, uid, 0, &size, &raw, &found, err) == -1)
		return -1;
	if (found && size > max) {
		log_warnx("source %s: UID %u is %u bytes, over max_message_size:"
		    " left on the server", s->name, uid, size);
		fetcher_skip(s, uid);
		return 0;
	}
	if (!found || fetcher_fetch(s, uid, 1, &size, &raw, &found, err) == -1)
		return found ? -1 : 0;
	if (!found || raw.len == 0 || raw.len > max) {
		fetcher_skip(s, uid);
		buf_free(&raw);
		return 0;
	}
	struct fetchipc req, rep;
	memset(&req, 0, sizeof req);
	req.type = IPC_FETCH_MSG;
	req.source = (char *)s->name;
	req.uidvalidity = s->uidvalidity;
	req.uid = uid;
	req.raw = raw.data;
	req.rawlen = raw.len;
	fetcher_step(s, 0);
	if (fetcher_ask(s, &req, &rep) == -1) {
		buf_puts(err, "no answer from the engine");
		buf_free(&raw);
		return -1;
	}
	buf_free(&raw);
	if (rep.verdict == FETCHIPC_RETRY)
		buf_printf(err, "the engine could not store UID %u; will retry",
		    uid);
	else {
		if (rep.uidvalidity == s->uidvalidity && rep.last_uid > s->last_uid)
			s->last_uid = (uint32_t)rep.last_uid;
		if (uid > s->last_uid && rep.verdict != FETCHIPC_REFUSED)
			s->last_uid = uid;
		log_debug("source %s: UID %u %s", s->name, uid,
		    rep.verdict == FETCHIPC_COMMITTED ? "committed" :
		    rep.verdict == FETCHIPC_DUPLICATE ? "already taken" :
		    "refused");
		if (rep.verdict == FETCHIPC_REFUSED) {
			fetcher_skip(s, uid);
			rc = 0;
		} else
			rc = fetcher_apply(s, uid, err);
	}
	fetchipc_clear(&rep);
	return rc;
}

/* One round: pending then new messages. Returns how many were looked at,
 * or -1. */
static int
fetcher_scan(struct fetcher_source *s, struct buf *err)
{
	static __thread uint32_t uids[FETCHER_BATCH_MAX];
	int total = 0;
	for (int pending = 1; pending >= 0; pending--) {
		int n = fetcher_search(s, pending, uids, err);
		if (n < 0)
			return -1;
		for (int i = 0; i < n; i++)
			if (fetcher_take(s, uids[i], err) == -1)
				return -1;
		total += n;
	}
	return total;
}

/* Wait for news: IDLE (re-issued every FETCHER_IDLE_MAX) or the poll
 * interval then NOOP. 0, or -1. */
static int
fetcher_wait(struct fetcher_source *s, struct buf *err)
{
	int rc;
	if (!s->has_idle) {
		fetcher_step(s, 0);
		sleep((unsigned)s->conf->poll_interval);
		fetcher_step(s, s->timeout);
		if ((rc = mailimap_noop(s->imap)) != MAILIMAP_NO_ERROR)
			fetcher_error(s, err, "NOOP", rc);
		return rc == MAILIMAP_NO_ERROR ? 0 : -1;
	}
	fetcher_step(s, s->timeout);
	if ((rc = mailimap_idle(s->imap)) != MAILIMAP_NO_ERROR) {
		fetcher_error(s, err, "IDLE", rc);
		return -1;
	}
	fetcher_step(s, FETCHER_IDLE_MAX + s->timeout);
	if (s->imap->imap_stream->read_buffer_len == 0) {
		struct pollfd p = { mailimap_idle_get_fd(s->imap), POLLIN, 0 };
		poll(&p, 1, FETCHER_IDLE_MAX * 1000);
	}
	fetcher_step(s, s->timeout);
	if ((rc = mailimap_idle_done(s->imap)) != MAILIMAP_NO_ERROR) {
		fetcher_error(s, err, "IDLE DONE", rc);
		return -1;
	}
	return 0;
}

/* One connection, from connect to the first error. Returns 1 when at least
 * one round succeeded (the backoff starts again), else 0; err says why it
 * ended. */
static int
fetcher_session(struct fetcher_source *s, struct buf *err)
{
	int progressed = 0;
	s->nskip = 0;
	s->imap = mailimap_new(0, NULL);
	mailimap_set_timeout(s->imap, s->timeout < FETCHER_IO_TIMEOUT ?
	    s->timeout : FETCHER_IO_TIMEOUT);
	fetcher_status(s, "connecting", NULL, 0);
	if (fetcher_connect(s, err) == 0 && fetcher_login(s, err) == 0 &&
	    fetcher_select(s, err) == 0) {
		for (;;) {
			int n = fetcher_scan(s, err);
			if (n < 0)
				break;
			progressed = 1;
			fetcher_status(s, s->has_idle ? "idle" : "polling", NULL, 1);
			if (n < FETCHER_BATCH_MAX && fetcher_wait(s, err) == -1)
				break;
		}
	}
	fetcher_step(s, s->timeout);
	fetcher_set_fd(s, -1);
	mailimap_free(s->imap);	/* no LOGOUT: the session may be broken */
	s->imap = NULL;
	fetcher_step(s, 0);
	return progressed;
}

static void *
fetcher_thread(void *arg)
{
	struct fetcher_source *s = arg;
	int backoff = FETCHER_BACKOFF_MIN;
	for (;;) {
		struct buf err = BUF_INIT;
		int progressed = fetcher_session(s, &err);
		fetcher_status(s, "error", buf_cstr(&err), 0);
		buf_free(&err);
		if (progressed)
			backoff = FETCHER_BACKOFF_MIN;
		log_info("source %s: reconnecting in %d s", s->name, backoff);
		sleep((unsigned)backoff);
		backoff = backoff * 2 > FETCHER_BACKOFF_MAX ? FETCHER_BACKOFF_MAX :
		    backoff * 2;
	}
	return NULL;
}

/* An answer from the engine: hand it to its session. */
static void
fetcher_reply(struct fetcher *f, const struct buf *body, uint32_t type)
{
	struct fetchipc r;
	if (type != IPC_FETCH_REPLY ||
	    fetchipc_decode(type, body->data, body->len, &r) == -1) {
		log_warnx("fetcher: bad record %u from the engine", type);
		return;
	}
	struct fetcher_source *s = NULL;
	for (int i = 0; i < f->nsrc && s == NULL; i++)
		if (strcmp(r.source, f->src[i].name) == 0)
			s = &f->src[i];
	pthread_mutex_lock(&f->lock);
	if (s != NULL) {
		if (s->have_reply)
			fetchipc_clear(&s->reply);
		s->reply = r;
		s->have_reply = 1;
		pthread_cond_broadcast(&f->cond);
	} else
		fetchipc_clear(&r);
	pthread_mutex_unlock(&f->lock);
}

/* Cut a session stuck past its deadline; exit when cutting did not help. */
static void
fetcher_watchdog_one(struct fetcher *f, struct fetcher_source *s)
{
	time_t now = time(NULL);
	pthread_mutex_lock(&f->lock);
	if (s->deadline != 0 && now > s->deadline && s->cancelled == 0) {
		log_warnx("source %s: IMAP step over %d s, cancelling the session",
		    s->name, s->timeout);
		if (s->fd >= 0)
			shutdown(s->fd, SHUT_RDWR);
		s->cancelled = now;
	}
	int dead = s->cancelled != 0 && s->deadline != 0 &&
	    now > s->cancelled + FETCHER_WATCHDOG_GRACE;
	pthread_mutex_unlock(&f->lock);
	if (dead) {
		log_warnx("source %s: session does not stop; restarting the"
		    " fetcher", s->name);
		_exit(3);
	}
}

static void
fetcher_watchdog(struct fetcher *f)
{
	for (int i = 0; i < f->nsrc; i++)
		fetcher_watchdog_one(f, &f->src[i]);
}

static void
fetcher_limits(const struct config *cfg)
{
	struct rlimit fds = { FETCHER_MAX_FDS, FETCHER_MAX_FDS };
	if (setrlimit(RLIMIT_NOFILE, &fds) == -1)
		log_warn("fetcher: setrlimit(RLIMIT_NOFILE)");
#ifndef MAJLIS_ASAN
	/* each session may hold a message (fetched, parsed, encoded) and has
	 * its stack; the malloc arenas, each a large reservation, are shared */
	size_t n = cfg->imap_nsources > 0 ? (size_t)cfg->imap_nsources : 1;
	size_t mem = FETCHER_MEMORY_BASE + n * 4 * cfg->max_message_size +
	    (n - 1) * FETCHER_STACK_SIZE;
#ifdef M_ARENA_MAX
	mallopt(M_ARENA_MAX, FETCHER_ARENAS_MAX);
#endif
	struct rlimit as = { mem, mem };
	if (setrlimit(RLIMIT_AS, &as) == -1)
		log_warn("fetcher: setrlimit(RLIMIT_AS)");
#endif
	struct rlimit core = { 0, 0 };
	setrlimit(RLIMIT_CORE, &core);
}

static void
fetcher_close_fds(int keep)
{
	for (int fd = 3; fd < FETCHER_MAX_FDS * 4; fd++)
		if (fd != keep)
			close(fd);
}

/* Read every source's password (before the privilege drop): a source
 * whose password file cannot be read gets no session and says why in its
 * status; the others run. Returns how many can run. */
static int
fetcher_prepare(struct fetcher *f, const struct config *cfg, int sock)
{
	int usable = 0;
	memset(f, 0, sizeof *f);
	f->cfg = cfg;
	f->sock = sock;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	for (int i = 0; i < cfg->imap_nsources; i++) {
		struct fetcher_source *s = &f->src[f->nsrc++];
		struct buf pw = BUF_INIT, err = BUF_INIT;
		s->f = f;
		s->conf = &cfg->imap_sources[i];
		s->name = config_source_name(s->conf);
		s->url = &s->conf->url;
		s->fd = -1;
		s->timeout = (int)s->conf->timeout;
		if (imapurl_action(s->conf->processed, &s->action,
		    &s->folder) == -1)
			fatalx("imap_processed: bad value");
		if (fetcher_password(s->conf, &pw, &err) == 0) {
			s->password = xstrdup(buf_cstr(&pw));
			usable++;
		} else
			log_warnx("source %s: %s", s->name, buf_cstr(&err));
		if (pw.data != NULL)
			explicit_bzero(pw.data, pw.len);
		buf_free(&pw);
		buf_free(&err);
	}
	return usable;
}

/* A session thread for each source with a password; the others report
 * why they do not run. */
static void
fetcher_start(struct fetcher *f)
{
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	if (pthread_attr_setstacksize(&attr, FETCHER_STACK_SIZE) != 0)
		fatalx("fetcher: bad FETCHER_STACK_SIZE");
	for (int i = 0; i < f->nsrc; i++) {
		struct fetcher_source *s = &f->src[i];
		if (s->password == NULL) {
			fetcher_status(s, "error", "cannot read imap_password_file"
			    " (see the log); read again when majlisd restarts", 0);
			continue;
		}
		if (pthread_create(&s->thread, &attr, fetcher_thread, s) != 0)
			fatalx("fetcher: cannot start the session thread");
	}
	pthread_attr_destroy(&attr);
}

void
fetcher_main(const struct config *cfg, int sock)
{
	static struct fetcher f;
	struct buf body = BUF_INIT;
	log_set_ident("fetcher");
	signal(SIGPIPE, SIG_IGN);
	fetcher_close_fds(sock);
	if (fetcher_prepare(&f, cfg, sock) == 0) {
		sleep(FETCHER_BACKOFF_MAX / 10);
		_exit(1);
	}
	supervisor_drop_privileges(cfg->user);
	fetcher_limits(cfg);
	long delay = 0;
	for (int i = 0; i < cfg->imap_nsources; i++)
		if (cfg->imap_sources[i].timeout > delay)
			delay = cfg->imap_sources[i].timeout;
	mailstream_network_delay.tv_sec = delay < FETCHER_IO_TIMEOUT ? delay :
	    FETCHER_IO_TIMEOUT;
	mailstream_network_delay.tv_usec = 0;
	fetcher_start(&f);
	for (;;) {
		struct pollfd p = { sock, POLLIN, 0 };
		int n = poll(&p, 1, 1000);
		if (n > 0) {
			uint32_t type;
			if (ipc_read_record(sock, 1024 * 1024, &type, &body) == -1) {
				log_info("engine channel closed: fetcher exits");
				_exit(0);
			}
			fetcher_reply(&f, &body, type);
		}
		fetcher_watchdog(&f);
	}
}
