/* Unit tests for the DKIM keys of daemon/config.c: selectors, the rules
 * between the keys, and the private keys read at load (size limit of RSA
 * keys and of key files, wrong types, unreadable and encrypted files). */
#include <config.h>

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "daemon/buf.h"
#include "daemon/config.h"

static char tmpdir[PATH_MAX];
static char conf_path[PATH_MAX + 32];
static char rsa_path[PATH_MAX + 32], ed_path[PATH_MAX + 32];
static char key_path[PATH_MAX + 32];	/* scratch key file */

static void
write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void
write_key(const char *path, EVP_PKEY *k, const char *prefix)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(prefix, f);
	assert_int_equal(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL,
	    NULL), 1);
	assert_int_equal(fclose(f), 0);
}

/* Load text as the file; err gets the message. */
static int
load(struct config *cfg, const char *text, struct buf *err)
{
	write_file(conf_path, text, strlen(text));
	return config_load(cfg, conf_path, err);
}

/* The file must fail with "CONF:LINE: " followed by msg. */
static void
load_fails(const char *text, int line, const char *msg)
{
	struct config cfg;
	struct buf err = BUF_INIT, want = BUF_INIT;

	assert_int_equal(load(&cfg, text, &err), -1);
	buf_printf(&want, "%s:%d: %s", conf_path, line, msg);
	assert_string_equal(buf_cstr(&err), buf_cstr(&want));
	config_free(&cfg);
	buf_free(&err);
	buf_free(&want);
}

static void
load_ok(struct config *cfg, const char *text)
{
	struct buf err = BUF_INIT;

	if (load(cfg, text, &err) != 0)
		fail_msg("%s", buf_cstr(&err));
	buf_free(&err);
}

/* "dkim_selector = s\ndkim_key = PATH\n" and more lines. */
static void
conf_rsa(struct buf *out, const char *path, const char *more)
{
	buf_reset(out);
	buf_printf(out, "dkim_selector = s2026\ndkim_key = %s\n%s", path,
	    more ? more : "");
}

static void
test_selectors(void **state)
{
	struct config cfg;
	struct buf err = BUF_INIT;
	char sel[CONFIG_DKIM_SELECTOR_MAX + 2];

	config_defaults(&cfg);
	assert_int_equal(config_set(&cfg, "dkim_selector", "s2026", &err), 0);
	assert_string_equal(cfg.dkim_selector, "s2026");
	assert_int_equal(config_set(&cfg, "dkim_selector", "a.b-2.C", &err), 0);
	assert_int_equal(config_set(&cfg, "dkim_selector", "", &err), 0);
	assert_null(cfg.dkim_selector);
	memset(sel, 'a', sizeof sel);
	sel[CONFIG_DKIM_SELECTOR_MAX] = '\0';
	assert_int_equal(config_set(&cfg, "dkim_ed25519_selector", sel, &err),
	    0);
	sel[CONFIG_DKIM_SELECTOR_MAX] = 'a';
	sel[CONFIG_DKIM_SELECTOR_MAX + 1] = '\0';
	const char *bad[] = { sel, "a b", "-a", "a-", "a..b", ".a", "a.",
	    "a_b", "a;b", "sél" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(config_set(&cfg, "dkim_selector", bad[i], &err),
		    -1);
		assert_string_equal(buf_cstr(&err), "dkim_selector: expected"
		    " labels of letters, digits and '-' separated by dots, at"
		    " most 63 bytes");
	}
	assert_null(cfg.dkim_selector);
	assert_true(config_dkim_selector_valid("x"));
	assert_false(config_dkim_selector_valid(""));
	config_free(&cfg);
	buf_free(&err);
}

static void
test_rules(void **state)
{
	struct buf t = BUF_INIT, msg = BUF_INIT;

	load_fails("site_name = x\ndkim_selector = s\n", 2,
	    "dkim_selector is set but dkim_key is not");
	buf_printf(&t, "dkim_key = %s\n", rsa_path);
	load_fails(buf_cstr(&t), 1, "dkim_key is set but dkim_selector is not");
	conf_rsa(&t, rsa_path, "dkim_ed25519_selector = e\n");
	load_fails(buf_cstr(&t), 3,
	    "dkim_ed25519_selector is set but dkim_ed25519_key is not");
	buf_reset(&t);
	buf_printf(&t, "dkim_ed25519_selector = e\ndkim_ed25519_key = %s\n",
	    ed_path);
	load_fails(buf_cstr(&t), 1, "dkim_ed25519_selector needs dkim_selector"
	    " and dkim_key too: verifiers that do not know Ed25519 need the RSA"
	    " signature");
	buf_reset(&msg);
	buf_printf(&msg, "dkim_ed25519_selector = s2026\ndkim_ed25519_key ="
	    " %s\n", ed_path);
	conf_rsa(&t, rsa_path, buf_cstr(&msg));
	load_fails(buf_cstr(&t), 3, "dkim_ed25519_selector must differ from"
	    " dkim_selector (one DNS record per selector)");
	/* selector._domainkey.domain: 63 + 12 + 178 = 253 fits, 254 not */
	struct config cfg;
	struct buf dom = BUF_INIT;
	for (int i = 0; i < 5; i++)
		buf_printf(&dom, "%029d.", i);
	buf_puts(&dom, "xxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	assert_int_equal(dom.len, 178);
	buf_reset(&t);
	buf_printf(&t, "list_domain = %s\ndkim_selector = %063d\n"
	    "dkim_key = %s\n", buf_cstr(&dom), 0, rsa_path);
	load_ok(&cfg, buf_cstr(&t));
	config_free(&cfg);
	buf_putc(&dom, 'x');
	buf_reset(&t);
	buf_printf(&t, "list_domain = %s\ndkim_selector = %063d\n"
	    "dkim_key = %s\n", buf_cstr(&dom), 0, rsa_path);
	buf_reset(&msg);
	buf_printf(&msg, "dkim_selector: %063d._domainkey.%s is longer than"
	    " 253 bytes", 0, buf_cstr(&dom));
	load_fails(buf_cstr(&t), 2, buf_cstr(&msg));
	buf_free(&dom);
	buf_free(&t);
	buf_free(&msg);
}

/* Both keys load, are of their types, and are dumped and loaded back;
 * without dkim_selector nothing dkim_ is dumped. */
static void
test_keys_load(void **state)
{
	struct config cfg, again;
	struct buf t = BUF_INIT, more = BUF_INIT, dump = BUF_INIT;
	struct buf dump2 = BUF_INIT, err = BUF_INIT;

	buf_printf(&more, "dkim_ed25519_selector = e2026\n"
	    "dkim_ed25519_key = %s\n", ed_path);
	conf_rsa(&t, rsa_path, buf_cstr(&more));
	load_ok(&cfg, buf_cstr(&t));
	assert_non_null(cfg.dkim_rsa);
	assert_int_equal(EVP_PKEY_get_base_id(cfg.dkim_rsa), EVP_PKEY_RSA);
	assert_int_equal(EVP_PKEY_get_bits(cfg.dkim_rsa), 1024);
	assert_int_equal(EVP_PKEY_get_base_id(cfg.dkim_ed25519),
	    EVP_PKEY_ED25519);
	config_dump(&cfg, &dump);
	assert_non_null(strstr(buf_cstr(&dump), "\ndkim_selector = s2026\n"));
	assert_non_null(strstr(buf_cstr(&dump), "\ndkim_ed25519_selector ="
	    " e2026\n"));
	write_file(conf_path, strchr(dump.data, '\n') + 1,
	    strlen(strchr(dump.data, '\n') + 1));
	assert_int_equal(config_load(&again, conf_path, &err), 0);
	config_dump(&again, &dump2);
	assert_string_equal(strchr(dump.data, '\n'), strchr(dump2.data, '\n'));
	config_free(&again);
	config_free(&cfg);
	assert_null(cfg.dkim_rsa);
	load_ok(&cfg, "site_name = x\n");
	assert_null(cfg.dkim_rsa);
	buf_reset(&dump);
	config_dump(&cfg, &dump);
	assert_null(strstr(buf_cstr(&dump), "dkim_"));
	config_free(&cfg);
	buf_free(&t);
	buf_free(&more);
	buf_free(&dump);
	buf_free(&dump2);
	buf_free(&err);
}

/* CONFIG_DKIM_RSA_BITS_MIN bits load (test_keys_load), one bit less is
 * refused with the file and line. */
static void
test_rsa_too_small(void **state)
{
	EVP_PKEY *k = EVP_RSA_gen(CONFIG_DKIM_RSA_BITS_MIN - 1);
	struct buf t = BUF_INIT, msg = BUF_INIT;

	assert_non_null(k);
	write_key(key_path, k, "");
	conf_rsa(&t, key_path, NULL);
	buf_printf(&msg, "dkim_key: %s: RSA key of 1023 bits, at least 1024"
	    " needed", key_path);
	load_fails(buf_cstr(&t), 2, buf_cstr(&msg));
	EVP_PKEY_free(k);
	unlink(key_path);
	buf_free(&t);
	buf_free(&msg);
}

/* Missing, not PEM, encrypted, wrong type, too large. */
static void
test_key_errors(void **state)
{
	struct buf t = BUF_INIT, msg = BUF_INIT, big = BUF_INIT;
	struct config cfg;
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	FILE *f;

	conf_rsa(&t, "/nonexistent/dkim.key", NULL);
	load_fails(buf_cstr(&t), 2, "dkim_key: /nonexistent/dkim.key: cannot"
	    " open: No such file or directory");
	write_file(key_path, "hello\n", 6);
	conf_rsa(&t, key_path, NULL);
	buf_printf(&msg, "dkim_key: %s: not a PEM private key (without a"
	    " passphrase)", key_path);
	load_fails(buf_cstr(&t), 2, buf_cstr(&msg));
	assert_non_null(f = fopen(key_path, "w"));
	assert_int_equal(PEM_write_PrivateKey(f, ed, EVP_aes_128_cbc(),
	    (unsigned char *)"secret", 6, NULL, NULL), 1);
	fclose(f);
	load_fails(buf_cstr(&t), 2, buf_cstr(&msg));
	conf_rsa(&t, ed_path, NULL);
	buf_reset(&msg);
	buf_printf(&msg, "dkim_key: %s: not an RSA key", ed_path);
	load_fails(buf_cstr(&t), 2, buf_cstr(&msg));
	buf_reset(&t);
	buf_printf(&t, "dkim_selector = s\ndkim_key = %s\ndkim_ed25519_selector"
	    " = e\ndkim_ed25519_key = %s\n", rsa_path, rsa_path);
	buf_reset(&msg);
	buf_printf(&msg, "dkim_ed25519_key: %s: not an Ed25519 key", rsa_path);
	load_fails(buf_cstr(&t), 4, buf_cstr(&msg));
	/* a key file of CONFIG_DKIM_KEY_FILE_MAX bytes loads, one more not */
	write_key(key_path, ed, "");
	assert_non_null(f = fopen(key_path, "r"));
	char pem[1024];
	size_t n = fread(pem, 1, sizeof pem, f);
	fclose(f);
	while (big.len + n < CONFIG_DKIM_KEY_FILE_MAX)
		buf_puts(&big, "#\n");
	buf_truncate(&big, CONFIG_DKIM_KEY_FILE_MAX - n - 1);
	buf_putc(&big, '\n');
	buf_append(&big, pem, n);
	assert_int_equal(big.len, CONFIG_DKIM_KEY_FILE_MAX);
	write_file(key_path, big.data, big.len);
	buf_reset(&t);
	buf_printf(&t, "dkim_selector = s\ndkim_key = %s\ndkim_ed25519_selector"
	    " = e\ndkim_ed25519_key = %s\n", rsa_path, key_path);
	load_ok(&cfg, buf_cstr(&t));
	config_free(&cfg);
	buf_puts(&big, "\n");
	write_file(key_path, big.data, big.len);
	buf_reset(&msg);
	buf_printf(&msg, "dkim_ed25519_key: %s: file too large (max 65536"
	    " bytes)", key_path);
	load_fails(buf_cstr(&t), 4, buf_cstr(&msg));
	unlink(key_path);
	EVP_PKEY_free(ed);
	buf_free(&t);
	buf_free(&msg);
	buf_free(&big);
}

/* A relative key path is taken from the current directory. */
static void
test_relative_path(void **state)
{
	char cwd[PATH_MAX];
	struct config cfg;

	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(tmpdir), 0);
	load_ok(&cfg, "dkim_selector = s\ndkim_key = rsa.key\n");
	assert_string_equal(cfg.dkim_key, rsa_path);
	assert_non_null(cfg.dkim_rsa);
	config_free(&cfg);
	assert_int_equal(chdir(cwd), 0);
}

static int
setup(void **state)
{
	const char *base = getenv("TMPDIR");
	EVP_PKEY *rsa = EVP_RSA_gen(CONFIG_DKIM_RSA_BITS_MIN);
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

	snprintf(tmpdir, sizeof tmpdir, "%s/test-config-dkim-XXXXXX",
	    base && *base ? base : "/tmp");
	if (mkdtemp(tmpdir) == NULL || rsa == NULL || ed == NULL)
		return -1;
	snprintf(conf_path, sizeof conf_path, "%s/majlis.conf", tmpdir);
	snprintf(rsa_path, sizeof rsa_path, "%s/rsa.key", tmpdir);
	snprintf(ed_path, sizeof ed_path, "%s/ed.key", tmpdir);
	snprintf(key_path, sizeof key_path, "%s/other.key", tmpdir);
	write_key(rsa_path, rsa, "");
	write_key(ed_path, ed, "");
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ed);
	return 0;
}

static int
teardown(void **state)
{
	unlink(conf_path);
	unlink(rsa_path);
	unlink(ed_path);
	return rmdir(tmpdir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_selectors),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_keys_load),
		cmocka_unit_test(test_rsa_too_small),
		cmocka_unit_test(test_key_errors),
		cmocka_unit_test(test_relative_path),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
