/*
 * The engine process: builds the shared context, binds the listeners, drops
 * privileges, opens the database and runs the loop until told to stop, then
 * drains: SMTP sessions get 421, pending commits finish, connections close.
 */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "daemon/config.h"
#include "daemon/db.h"
#include "daemon/digest.h"
#include "daemon/engine.h"
#include "daemon/ipc.h"
#include "daemon/log.h"
#include "daemon/modpending.h"
#include "daemon/store_held.h"
#include "daemon/supervisor.h"
#include "daemon/xalloc.h"
#include "mail/delivery.h"
#include "mail/fetchin.h"
#include "mail/intake.h"
#include "mail/parsepool.h"
#include "mail/process.h"
#include "mail/smtpc.h"
#include "mail/smtpd.h"
#include "web/httpd.h"

#define ENGINE_DRAIN_TIMEOUT	10	/* seconds to finish work at shutdown */

static void engine_stop(struct engine *);

static SSL_CTX *
engine_server_tls(const struct config *cfg)
{
	if (cfg->tls_cert == NULL)
		return NULL;
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL)
		fatalx("SSL_CTX_new failed");
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	if (SSL_CTX_use_certificate_chain_file(ctx, cfg->tls_cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, cfg->tls_key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1)
		fatalx("tls_cert %s / tls_key %s: %s", cfg->tls_cert, cfg->tls_key,
		    ERR_reason_error_string(ERR_get_error()));
	return ctx;
}

static struct smtpd_server *
engine_listen_smtp(struct engine *e, const struct config_listen *l, int lmtp)
{
	if (l->kind == CONFIG_LISTEN_OFF)
		return NULL;
	struct smtpd_config sc;
	memset(&sc, 0, sizeof sc);
	sc.lmtp = lmtp;
	sc.hostname = e->cfg->hostname;
	sc.max_message_size = e->cfg->max_message_size;
	sc.max_rcpts = (size_t)e->cfg->smtp_max_recipients;
	sc.tls = e->server_tls;
	sc.cmd_timeout = (int)e->cfg->smtp_command_timeout;
	struct smtpd_server *s = smtpd_server_new(e->base, &sc, lmtp ?
	    &intake_hooks_lmtp : &intake_hooks, e->intake);
	if (smtpd_server_listen(s, l->text) == -1)
		fatalx("cannot listen for %s on %s", lmtp ? "LMTP" : "SMTP",
		    l->text);
	log_info("%s listening on %s", lmtp ? "LMTP" : "SMTP", l->text);
	return s;
}

static void
engine_ctl(evutil_socket_t fd, short ev, void *arg)
{
	struct engine *e = arg;
	struct buf body = BUF_INIT;
	uint32_t type;
	int pfd;
	if (ipc_recv_fd(fd, &type, &body, &pfd) == -1) {
		log_warnx("supervisor channel closed");
		engine_stop(e);
		buf_free(&body);
		return;
	}
	struct ipc_reader r;
	ipc_reader_init(&r, body.data, body.len);
	switch (type) {
	case IPC_PARSER_FD: {
		pid_t pid = (pid_t)ipc_get_u64(&r);
		if (ipc_reader_end(&r) == 0 && pfd >= 0)
			parsepool_add_worker(e->pool, pfd, pid);
		else if (pfd >= 0)
			close(pfd);
		break;
	}
	case IPC_FETCHER_FD: {	/* the IMAP fetcher (mail/fetchin.c) */
		pid_t pid = (pid_t)ipc_get_u64(&r);
		if (ipc_reader_end(&r) == 0 && pfd >= 0)
			fetchin_attach(e->fetchin, pfd, pid);
		else if (pfd >= 0)
			close(pfd);
		break;
	}
	case IPC_SHUTDOWN:
		engine_stop(e);
		break;
	case IPC_RELOAD:
		log_reopen();
		log_info("reloaded");
		break;
	default:
		log_warnx("unexpected record %u from the supervisor", type);
		if (pfd >= 0)
			close(pfd);
	}
	buf_free(&body);
}

static void
engine_drain(evutil_socket_t fd, short ev, void *arg)
{
	struct engine *e = arg;
	static int waited;
	size_t busy = intake_pending(e->intake) +
	    (size_t)delivery_connections(e->delivery) +
	    (e->smtp ? smtpd_server_sessions(e->smtp) : 0) +
	    (e->lmtp ? smtpd_server_sessions(e->lmtp) : 0);
	if (busy == 0 || ++waited > ENGINE_DRAIN_TIMEOUT * 10)
		event_base_loopexit(e->base, NULL);
}

static void
engine_stop(struct engine *e)
{
	if (e->stopping)
		return;
	e->stopping = 1;
	log_info("stopping");
	if (e->smtp)
		smtpd_server_shutdown(e->smtp);
	if (e->lmtp)
		smtpd_server_shutdown(e->lmtp);
	delivery_stop(e->delivery);
	if (e->httpd)
		httpd_stop(e->httpd);
	e->drain = event_new(e->base, -1, EV_PERSIST, engine_drain, e);
	struct timeval tv = { 0, 100000 };
	event_add(e->drain, &tv);
}

static void
engine_signal(evutil_socket_t sig, short ev, void *arg)
{
	engine_stop(arg);
}

static void
engine_open_db(struct engine *e)
{
	struct buf path = BUF_INIT, err = BUF_INIT;
	if (mkdir(e->cfg->data_dir, 0700) == -1 && errno != EEXIST)
		fatal("mkdir %s", e->cfg->data_dir);
	buf_printf(&path, "%s/%s", e->cfg->data_dir, DB_FILE_NAME);
	e->db = db_open(buf_cstr(&path), &err);
	if (e->db == NULL)
		fatalx("database: %s", buf_cstr(&err));
	struct buf secret = BUF_INIT;
	if (store_site_secret(e->db, &secret) == -1)
		fatalx("cannot read or create the site secret");
	e->secret = buf_steal(&secret);
	buf_free(&path);
	buf_free(&err);
}

int
engine_main(const struct config *cfg, int ctl_fd)
{
	struct engine eng, *e = &eng;
	memset(e, 0, sizeof *e);
	log_set_ident("engine");
	signal(SIGPIPE, SIG_IGN);
	e->cfg = cfg;
	e->ctl_fd = ctl_fd;
	e->base = event_base_new();
	if (e->base == NULL)
		fatalx("event_base_new failed");
	e->dns = evdns_base_new(e->base, EVDNS_BASE_INITIALIZE_NAMESERVERS |
	    EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	e->server_tls = engine_server_tls(cfg);
	if (cfg->relay.tls != CONFIG_RELAY_PLAIN) {
		struct smtpc_config sc;
		memset(&sc, 0, sizeof sc);
		sc.tls = cfg->relay.tls == CONFIG_RELAY_SMTPS ? SMTPC_TLS_SMTPS :
		    SMTPC_TLS_STARTTLS;
		sc.tls_verify = cfg->relay_tls_verify;
		sc.ca_file = cfg->relay_ca_file;
		if ((e->relay_tls = smtpc_ssl_ctx_new(&sc)) == NULL)
			fatalx("cannot set up TLS for the relay");
	}
	e->intake = intake_new(e);	/* no database access before the loop */
	e->smtp = engine_listen_smtp(e, &cfg->smtp_listen, 0);
	e->lmtp = engine_listen_smtp(e, &cfg->lmtp_listen, 1);
	e->httpd = httpd_new(e);
	supervisor_drop_privileges(cfg->user);
	engine_open_db(e);
	e->process = process_new(e);
	e->pool = parsepool_new(e->base, (int)cfg->parser_timeout, process_parsed,
	    e->process);
	e->delivery = delivery_new(e);
	e->fetchin = fetchin_new(e);
	e->digest = digest_runner_new(e);
	e->modpending = modpending_runner_new(e);
	struct event *ctl = event_new(e->base, ctl_fd, EV_READ | EV_PERSIST,
	    engine_ctl, e);
	event_add(ctl, NULL);
	struct event *sterm = evsignal_new(e->base, SIGTERM, engine_signal, e);
	struct event *sint = evsignal_new(e->base, SIGINT, engine_signal, e);
	event_add(sterm, NULL);
	event_add(sint, NULL);
	log_info("engine ready: site %s, lists @%s, relay %s", cfg->site_url,
	    cfg->list_domain, cfg->relay.text_safe);
	event_base_dispatch(e->base);
	/* drained: release everything */
	event_free(ctl);
	if (e->drain)
		event_free(e->drain);
	event_free(sterm);
	event_free(sint);
	httpd_free(&e->httpd);
	smtpd_server_free(&e->smtp);
	smtpd_server_free(&e->lmtp);
	intake_free(&e->intake);
	fetchin_free(&e->fetchin);
	digest_runner_free(&e->digest);
	modpending_runner_free(&e->modpending);
	delivery_free(&e->delivery);
	parsepool_free(&e->pool);
	process_free(&e->process);
	db_close(&e->db);
	free(e->secret);
	if (e->dns)
		evdns_base_free(e->dns, 0);
	SSL_CTX_free(e->server_tls);
	SSL_CTX_free(e->relay_tls);
	event_base_free(e->base);
	log_info("engine stopped");
	return 0;
}
