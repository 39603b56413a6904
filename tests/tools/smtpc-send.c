/*
 * smtpc-send: send one message from stdin through mail/smtpc.c and print
 * the relay's reply ("250 2.0.0 text"). For integration tests (STARTTLS,
 * AUTH against aiosmtpd or Postfix). Exit 0 on 2xx, 1 otherwise, 2 on usage.
 */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <openssl/ssl.h>

#include "daemon/buf.h"
#include "daemon/log.h"
#include "daemon/xalloc.h"
#include "mail/smtpc.h"

#define SEND_MAX_MESSAGE	(64 * 1024 * 1024)

struct send_state {
	struct event_base	*base;
	struct smtpc		*c;
	struct smtpc_job	 job;
	int			 taken, code;
};

static int
send_next(void *ctx, struct smtpc_job *job)
{
	struct send_state *st = ctx;

	if (st->taken)
		return 0;
	st->taken = 1;
	*job = st->job;
	return 1;
}

static void
send_print(const struct smtpc_reply *r)
{
	printf("%d%s%s %s%s\n", r->code, r->enhanced[0] ? " " : "",
	    r->enhanced, r->text, r->local ? " (local)" : "");
}

static void
send_result(void *ctx, const struct smtpc_job *job,
    const struct smtpc_reply *r)
{
	struct send_state *st = ctx;

	st->code = r->code;
	send_print(r);
	smtpc_quit(st->c);
}

static void
send_closed(void *ctx, struct smtpc *c, const struct smtpc_reply *why)
{
	struct send_state *st = ctx;

	if (st->code == 0) {
		st->code = why->code == 221 ? 421 : why->code;
		send_print(why);
	}
	event_base_loopbreak(st->base);
}

/* Read stdin, turning bare LF line ends into CRLF. */
static void
send_read_message(struct buf *b)
{
	int ch, prev = 0;

	while ((ch = getchar()) != EOF) {
		if (ch == '\n' && prev != '\r')
			buf_putc(b, '\r');
		buf_putc(b, (char)ch);
		prev = ch;
		if (b->len > SEND_MAX_MESSAGE)
			fatalx("message larger than %d bytes",
			    SEND_MAX_MESSAGE);
	}
}

static void __attribute__((noreturn))
send_usage(void)
{
	fprintf(stderr, "usage: smtpc-send [--starttls|--smtps] [--no-verify] "
	    "[--ca FILE] [--auth USER:PASS] [--helo NAME] [-v]\n"
	    "                  HOST PORT FROM RCPT < message\n");
	exit(2);
}

/* Parse the options into cfg; returns the index of the first operand. */
static int
send_options(int argc, char **argv, struct smtpc_config *cfg)
{
	static const struct option opts[] = {
		{ "starttls", no_argument, NULL, 's' },
		{ "smtps", no_argument, NULL, 'S' },
		{ "no-verify", no_argument, NULL, 'n' },
		{ "ca", required_argument, NULL, 'c' },
		{ "auth", required_argument, NULL, 'a' },
		{ "helo", required_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *colon;
	int ch;

	while ((ch = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (ch) {
		case 's': cfg->tls = SMTPC_TLS_STARTTLS; break;
		case 'S': cfg->tls = SMTPC_TLS_SMTPS; break;
		case 'n': cfg->tls_verify = 0; break;
		case 'c': cfg->ca_file = optarg; break;
		case 'h': cfg->helo = optarg; break;
		case 'v': log_set_level(LOG_LEVEL_DEBUG); break;
		case 'a':
			if ((colon = strchr(optarg, ':')) == NULL)
				send_usage();
			*colon = '\0';
			cfg->user = optarg;
			cfg->pass = colon + 1;
			break;
		default:
			send_usage();
		}
	}
	if (argc - optind != 4)
		send_usage();
	return optind;
}

int
main(int argc, char **argv)
{
	struct smtpc_config cfg = { .tls_verify = 1 };
	struct smtpc_callbacks cb = { send_next, send_result, send_closed };
	struct send_state st = { 0 };
	struct evdns_base *dns;
	struct buf msg = BUF_INIT;
	SSL_CTX *ssl = NULL;
	int i;

	log_init("smtpc-send", 1, LOG_LEVEL_INFO);
	signal(SIGPIPE, SIG_IGN);
	i = send_options(argc, argv, &cfg);
	cfg.host = argv[i];
	cfg.port = argv[i + 1];
	send_read_message(&msg);
	st.job.mail_from = argv[i + 2];
	st.job.rcpt = argv[i + 3];
	st.job.data = buf_cstr(&msg);
	st.job.len = msg.len;
	if ((st.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	dns = evdns_base_new(st.base, EVDNS_BASE_INITIALIZE_NAMESERVERS |
	    EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	if (cfg.tls != SMTPC_TLS_NONE && (ssl = smtpc_ssl_ctx_new(&cfg)) == NULL)
		return 1;
	if ((st.c = smtpc_connect(st.base, dns, ssl, &cfg, &cb, &st)) == NULL)
		return 2;
	event_base_dispatch(st.base);
	if (ssl != NULL)
		SSL_CTX_free(ssl);
	if (dns != NULL)
		evdns_base_free(dns, 0);
	event_base_free(st.base);
	buf_free(&msg);
	return st.code / 100 == 2 ? 0 : 1;
}
