/*
 * Unit tests for mail/smtpc.c over TLS: STARTTLS, SMTPS, certificate checks
 * and AUTH, against the scripted server of fake_smtp.c with a certificate
 * made at start-up.
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
 * Tests: STARTTLS, SMTPS, AUTH
 */

struct pki {
	SSL_CTX	*good;		/* server: cert for localhost, 127.0.0.1 */
	SSL_CTX	*other;		/* server: cert for other.test */
	char	 ca[64];	/* the good cert, as a CA file */
	char	 ca_other[64];
};

static struct pki pki;

static X509 *
make_cert(EVP_PKEY *key, const char *cn, const char *san)
{
	X509 *x = X509_new();
	X509_NAME *name;
	X509_EXTENSION *ext;
	X509V3_CTX v3;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, name);
	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san);
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	X509_sign(x, key, EVP_sha256());
	return x;
}

static SSL_CTX *
make_server(const char *cn, const char *san, char *ca, size_t casz)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = make_cert(key, cn, san);
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	FILE *fp;
	int fd;

	snprintf(ca, casz, "/tmp/test-smtpc-ca-XXXXXX");
	fd = mkstemp(ca);
	if (fd == -1 || (fp = fdopen(fd, "w")) == NULL)
		abort();
	PEM_write_X509(fp, x);
	fclose(fp);
	SSL_CTX_use_certificate(ctx, x);
	SSL_CTX_use_PrivateKey(ctx, key);
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	X509_free(x);
	EVP_PKEY_free(key);
	return ctx;
}

static int
pki_setup(void **state)
{
	pki.good = make_server("localhost", "DNS:localhost,IP:127.0.0.1",
	    pki.ca, sizeof pki.ca);
	pki.other = make_server("other.test", "DNS:other.test",
	    pki.ca_other, sizeof pki.ca_other);
	return 0;
}

static int
pki_teardown(void **state)
{
	SSL_CTX_free(pki.good);
	SSL_CTX_free(pki.other);
	unlink(pki.ca);
	unlink(pki.ca_other);
	return 0;
}

#define EHLO_TLS \
	"250-fake.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n" \
	"250-AUTH LOGIN PLAIN\r\n250 8BITMIME\r\n"

/* Run one job over TLS with AUTH. */
static void
run_tls(struct env *e, enum smtpc_tls tls, SSL_CTX *server, int verify,
    const char *ca, const char *host)
{
	SSL_CTX *ctx;

	fake_smtp_env_init(e, fake_smtp_one_job, 1);
	e->f.ehlo = EHLO_TLS;
	e->f.ssl = server;
	e->f.smtps = tls == SMTPC_TLS_SMTPS;
	e->cfg.tls = tls;
	e->cfg.tls_verify = verify;
	e->cfg.ca_file = ca;
	e->cfg.host = host;
	e->cfg.user = "user";
	e->cfg.pass = "secret";
	ctx = smtpc_ssl_ctx_new(&e->cfg);
	assert_non_null(ctx);
	fake_smtp_run(&e->cl, &e->cfg, ctx, 1);
	SSL_CTX_free(ctx);
}

static void
test_starttls_auth(void **state)
{
	struct env e;

	run_tls(&e, SMTPC_TLS_STARTTLS, pki.good, 1, pki.ca, "localhost");
	fake_smtp_assert_res(&e.cl.res[0], 250, 0, SMTPC_STAGE_BODY);
	assert_int_equal(e.f.starttls, 1);
	assert_int_equal(e.f.ehlos, 2);
	assert_int_equal(e.f.auth_tls, 1);
	assert_int_equal(e.f.auth_clear, 0);
	assert_int_equal(e.f.auth_ok, 1);
	assert_int_equal(e.cl.why.code, 221);
	fake_smtp_env_free(&e);
}

static void
test_smtps_ip(void **state)
{
	struct env e;

	run_tls(&e, SMTPC_TLS_SMTPS, pki.good, 1, pki.ca, "127.0.0.1");
	fake_smtp_assert_res(&e.cl.res[0], 250, 0, SMTPC_STAGE_BODY);
	assert_int_equal(e.f.starttls, 0);
	assert_int_equal(e.f.auth_tls, 1);
	assert_int_equal(e.cl.why.code, 221);
	fake_smtp_env_free(&e);
}

static void
test_tls_bad_certificates(void **state)
{
	struct env e;

	/* Host name does not match. */
	run_tls(&e, SMTPC_TLS_STARTTLS, pki.other, 1, pki.ca_other,
	    "localhost");
	assert_int_equal(e.cl.taken, 0);
	assert_int_equal(e.cl.why.code, 421);
	assert_int_equal(e.cl.why.stage, SMTPC_STAGE_TLS);
	assert_non_null(strstr(e.cl.why.text, "certificate"));
	assert_int_equal(e.f.auth_clear + e.f.auth_tls, 0);
	fake_smtp_env_free(&e);

	/* Unknown issuer. */
	run_tls(&e, SMTPC_TLS_SMTPS, pki.good, 1, pki.ca_other, "localhost");
	assert_int_equal(e.cl.taken, 0);
	assert_string_equal(e.cl.why.enhanced, "4.7.5");
	assert_non_null(strstr(e.cl.why.text, "certificate"));
	fake_smtp_env_free(&e);

	/* Not verified when told so. */
	run_tls(&e, SMTPC_TLS_STARTTLS, pki.other, 0, NULL, "localhost");
	fake_smtp_assert_res(&e.cl.res[0], 250, 0, SMTPC_STAGE_BODY);
	fake_smtp_env_free(&e);
}

static const char *
hook_inject(struct fake *f, const char *line)
{
	if (strcmp(line, "STARTTLS") == 0)
		return "220 go ahead\r\n250-injected\r\n250 AUTH PLAIN\r\n";
	return NULL;
}

static void
test_starttls_refusals(void **state)
{
	struct env e;
	SSL_CTX *ctx;

	/* Required but not offered. */
	fake_smtp_env_init(&e, fake_smtp_one_job, 1);
	e.cfg.tls = SMTPC_TLS_STARTTLS;
	ctx = smtpc_ssl_ctx_new(&e.cfg);
	fake_smtp_run(&e.cl, &e.cfg, ctx, 1);
	assert_int_equal(e.cl.taken, 0);
	assert_int_equal(e.cl.why.code, 421);
	assert_non_null(strstr(e.cl.why.text, "STARTTLS"));
	assert_int_equal(e.f.mails, 0);
	fake_smtp_env_free(&e);

	/* Cleartext injected after the 220. */
	fake_smtp_env_init(&e, fake_smtp_one_job, 1);
	e.f.ehlo = EHLO_TLS;
	e.f.hook = hook_inject;
	e.cfg.tls = SMTPC_TLS_STARTTLS;
	fake_smtp_run(&e.cl, &e.cfg, ctx, 1);
	assert_int_equal(e.cl.taken, 0);
	assert_non_null(strstr(e.cl.why.text, "after its STARTTLS reply"));
	assert_int_equal(e.f.mails, 0);
	fake_smtp_env_free(&e);
	SSL_CTX_free(ctx);
}

static void
test_auth_cleartext_loopback(void **state)
{
	struct env e;

	fake_smtp_env_init(&e, fake_smtp_one_job, 1);
	e.f.ehlo = "250-fake\r\n250 AUTH=LOGIN\r\n";
	e.cfg.user = "user";
	e.cfg.pass = "secret";
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	fake_smtp_assert_res(&e.cl.res[0], 250, 0, SMTPC_STAGE_BODY);
	assert_int_equal(e.f.auth_clear, 1);
	assert_int_equal(e.f.auth_ok, 1);
	assert_non_null(strstr(buf_cstr(&e.f.cmds),
	    "AUTH LOGIN\ndXNlcg==\nc2VjcmV0\nMAIL"));
	fake_smtp_env_free(&e);

	fake_smtp_env_init(&e, fake_smtp_one_job, 1);
	e.f.ehlo = "250-fake\r\n250 AUTH PLAIN\r\n";
	e.cfg.user = "user";
	e.cfg.pass = "wrong";
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	assert_int_equal(e.cl.taken, 0);
	assert_int_equal(e.cl.why.code, 535);
	assert_int_equal(e.cl.why.stage, SMTPC_STAGE_AUTH);
	fake_smtp_env_free(&e);

	fake_smtp_env_init(&e, fake_smtp_one_job, 1);
	e.cfg.user = "user";
	e.cfg.pass = "secret";
	fake_smtp_run(&e.cl, &e.cfg, NULL, 1);
	assert_int_equal(e.cl.taken, 0);
	assert_non_null(strstr(e.cl.why.text, "AUTH"));
	fake_smtp_env_free(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_starttls_auth),
		cmocka_unit_test(test_smtps_ip),
		cmocka_unit_test(test_tls_bad_certificates),
		cmocka_unit_test(test_starttls_refusals),
		cmocka_unit_test(test_auth_cleartext_loopback),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, pki_setup, pki_teardown);
}
