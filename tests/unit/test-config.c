/* Unit tests for daemon/config.c: defaults, every key good and bad, relay and
 * listen forms, limits, file syntax and hostile files. */
#include <config.h>

#include <sys/stat.h>

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

#include "daemon/buf.h"
#include "daemon/config.h"
#include "daemon/config_addr.h"
#include "daemon/log.h"

static char tmpdir[PATH_MAX];
static char conf_path[PATH_MAX + 32];

static int
setup_dir(void **state)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof tmpdir, "%s/test-config-XXXXXX",
	    base && *base ? base : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(conf_path, sizeof conf_path, "%s/majlis.conf", tmpdir);
	return 0;
}

static int
teardown_dir(void **state)
{
	unlink(conf_path);
	return rmdir(tmpdir);
}

static void
write_conf(const char *text, size_t len)
{
	FILE *f = fopen(conf_path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Load text as a file; returns config_load's result, err filled. */
static int
load_text(struct config *cfg, const char *text, struct buf *err)
{
	write_conf(text, strlen(text));
	return config_load(cfg, conf_path, err);
}

/* The file must fail with exactly "PATH:LINE: msg". */
static void
assert_load_error(const char *text, int line, const char *msg)
{
	struct config cfg;
	struct buf err = BUF_INIT, want = BUF_INIT;

	assert_int_equal(load_text(&cfg, text, &err), -1);
	if (line > 0)
		buf_printf(&want, "%s:%d: %s", conf_path, line, msg);
	else
		buf_printf(&want, "%s: %s", conf_path, msg);
	assert_string_equal(buf_cstr(&err), buf_cstr(&want));
	config_free(&cfg);
	buf_free(&err);
	buf_free(&want);
}

/* config_set must fail with exactly msg and leave the dump unchanged. */
static void
assert_set_error(const char *key, const char *value, const char *msg)
{
	struct config cfg;
	struct buf err = BUF_INIT, before = BUF_INIT, after = BUF_INIT;

	config_defaults(&cfg);
	config_dump(&cfg, &before);
	assert_int_equal(config_set(&cfg, key, value, &err), -1);
	assert_string_equal(buf_cstr(&err), msg);
	config_dump(&cfg, &after);
	assert_string_equal(buf_cstr(&after), buf_cstr(&before));
	config_free(&cfg);
	buf_free(&err);
	buf_free(&before);
	buf_free(&after);
}

static void
set_ok(struct config *cfg, const char *key, const char *value)
{
	struct buf err = BUF_INIT;

	if (config_set(cfg, key, value, &err) != 0)
		fail_msg("%s = %s: %s", key, value, buf_cstr(&err));
	buf_free(&err);
}

static void
test_defaults(void **state)
{
	struct config cfg;

	config_defaults(&cfg);
	assert_null(cfg.path);
	assert_string_equal(cfg.data_dir, "./majlis-data");
	assert_string_equal(cfg.site_name, "majlis");
	assert_string_equal(cfg.site_url, "http://127.0.0.1:8080");
	assert_string_equal(cfg.list_domain, "localhost");
	assert_non_null(cfg.hostname);
	assert_true(strlen(cfg.hostname) > 0);
	assert_int_equal(cfg.http_listen.kind, CONFIG_LISTEN_TCP);
	assert_string_equal(cfg.http_listen.host, "127.0.0.1");
	assert_string_equal(cfg.http_listen.port, "8080");
	assert_int_equal(cfg.smtp_listen.kind, CONFIG_LISTEN_TCP);
	assert_string_equal(cfg.smtp_listen.port, "2525");
	assert_int_equal(cfg.lmtp_listen.kind, CONFIG_LISTEN_OFF);
	assert_string_equal(cfg.lmtp_listen.text, "");
	assert_int_equal(cfg.relay.tls, CONFIG_RELAY_PLAIN);
	assert_string_equal(cfg.relay.host, "127.0.0.1");
	assert_string_equal(cfg.relay.port, "25");
	assert_null(cfg.relay.user);
	assert_null(cfg.relay.password);
	assert_int_equal(cfg.relay_tls_verify, 1);
	assert_null(cfg.relay_ca_file);
	assert_int_equal(cfg.relay_connections, 4);
	assert_null(cfg.tls_cert);
	assert_null(cfg.tls_key);
	assert_int_equal(cfg.http_tls, 0);
	assert_int_equal(cfg.max_message_size, 25 * 1024 * 1024);
	assert_null(cfg.user);
	assert_int_equal(cfg.parser_workers, 2);
	assert_int_equal(cfg.log_level, LOG_LEVEL_INFO);
	assert_int_equal(cfg.bounce_threshold, 5);
	assert_int_equal(cfg.retry_max_age, 5 * 86400);
	assert_int_equal(cfg.retry_min_delay, 60);
	assert_int_equal(cfg.retry_max_delay, 4 * 3600);
	assert_int_equal(cfg.smtp_max_recipients, 100);
	assert_int_equal(cfg.smtp_command_timeout, 300);
	assert_int_equal(cfg.parser_timeout, 10);
	assert_int_equal(cfg.parser_memory, 256 * 1024 * 1024);
	assert_int_equal(cfg.mod_pending_interval, 86400);
	assert_int_equal(config_check(&cfg, NULL), 0);
	config_free(&cfg);
	assert_null(cfg.data_dir);
}

static const char default_dump[] =
    "# majlis configuration: defaults\n"
    "data_dir = ./majlis-data\n"
    "site_name = majlis\n"
    "site_url = http://127.0.0.1:8080\n"
    "list_domain = localhost\n"
    "hostname = mx.example.org\n"
    "http_listen = 127.0.0.1:8080\n"
    "smtp_listen = 127.0.0.1:2525\n"
    "lmtp_listen = \"\"\n"
    "relay = smtp://127.0.0.1:25\n"
    "relay_tls_verify = yes\n"
    "relay_ca_file = \"\"\n"
    "relay_connections = 4\n"
    "tls_cert = \"\"\n"
    "tls_key = \"\"\n"
    "http_tls = no\n"
    "max_message_size = 25M\n"
    "user = \"\"\n"
    "parser_workers = 2\n"
    "log_level = info\n"
    "bounce_threshold = 5\n"
    "retry_max_age = 5d\n"
    "retry_min_delay = 1m\n"
    "retry_max_delay = 4h\n"
    "smtp_max_recipients = 100\n"
    "smtp_command_timeout = 5m\n"
    "parser_timeout = 10s\n"
    "parser_memory = 256M\n"
    "mod_pending_interval = 1d\n";

static void
test_dump_defaults(void **state)
{
	struct config cfg;
	struct buf out = BUF_INIT;

	config_defaults(&cfg);
	set_ok(&cfg, "hostname", "mx.example.org");
	config_dump(&cfg, &out);
	assert_string_equal(buf_cstr(&out), default_dump);
	config_free(&cfg);
	buf_free(&out);
}

/* config_load(NULL): defaults with data_dir made absolute against cwd. */
static void
test_load_null_and_paths(void **state)
{
	struct config cfg;
	struct buf err = BUF_INIT, want = BUF_INIT;
	char old[PATH_MAX], cwd[PATH_MAX];

	assert_non_null(getcwd(old, sizeof old));
	assert_int_equal(chdir(tmpdir), 0);
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(config_load(&cfg, NULL, &err), 0);
	buf_printf(&want, "%s/majlis-data", cwd);
	assert_string_equal(cfg.data_dir, buf_cstr(&want));
	config_free(&cfg);

	assert_int_equal(load_text(&cfg, "data_dir = .//./d/x\n"
	    "tls_cert = c.pem\ntls_key = /k.pem\nrelay_ca_file = .\n",
	    &err), 0);
	buf_reset(&want);
	buf_printf(&want, "%s/d/x", cwd);
	assert_string_equal(cfg.data_dir, buf_cstr(&want));
	buf_reset(&want);
	buf_printf(&want, "%s/c.pem", cwd);
	assert_string_equal(cfg.tls_cert, buf_cstr(&want));
	assert_string_equal(cfg.tls_key, "/k.pem");
	assert_string_equal(cfg.relay_ca_file, cwd);
	assert_string_equal(cfg.path, conf_path);
	config_free(&cfg);
	assert_int_equal(chdir(old), 0);
	buf_free(&err);
	buf_free(&want);
}

static void
test_good_values(void **state)
{
	struct config cfg;

	config_defaults(&cfg);
	set_ok(&cfg, "data_dir", "/var/lib/majlis");
	assert_string_equal(cfg.data_dir, "/var/lib/majlis");
	set_ok(&cfg, "site_name", "مرصد السيادة الرقمية");
	assert_string_equal(cfg.site_name, "مرصد السيادة الرقمية");
	set_ok(&cfg, "site_url", "https://forum.example.org/majlis///");
	assert_string_equal(cfg.site_url, "https://forum.example.org/majlis");
	set_ok(&cfg, "site_url", "http://[::1]:8080/");
	assert_string_equal(cfg.site_url, "http://[::1]:8080");
	set_ok(&cfg, "list_domain", "Lists.Example.ORG");
	assert_string_equal(cfg.list_domain, "lists.example.org");
	set_ok(&cfg, "hostname", "MX1.example.org");
	assert_string_equal(cfg.hostname, "MX1.example.org");
	set_ok(&cfg, "relay_tls_verify", "no");
	assert_int_equal(cfg.relay_tls_verify, 0);
	set_ok(&cfg, "relay_ca_file", "/etc/ssl/ca.pem");
	assert_string_equal(cfg.relay_ca_file, "/etc/ssl/ca.pem");
	set_ok(&cfg, "relay_ca_file", "");
	assert_null(cfg.relay_ca_file);
	set_ok(&cfg, "relay_connections", "64");
	assert_int_equal(cfg.relay_connections, 64);
	set_ok(&cfg, "relay_connections", "1");
	assert_int_equal(cfg.relay_connections, 1);
	set_ok(&cfg, "tls_cert", "/etc/c.pem");
	set_ok(&cfg, "tls_key", "/etc/k.pem");
	set_ok(&cfg, "http_tls", "yes");
	assert_int_equal(cfg.http_tls, 1);
	assert_int_equal(config_check(&cfg, NULL), 0);
	set_ok(&cfg, "user", "_majlis");
	assert_string_equal(cfg.user, "_majlis");
	set_ok(&cfg, "user", "");
	assert_null(cfg.user);
	set_ok(&cfg, "parser_workers", "32");
	assert_int_equal(cfg.parser_workers, 32);
	set_ok(&cfg, "log_level", "debug");
	assert_int_equal(cfg.log_level, LOG_LEVEL_DEBUG);
	set_ok(&cfg, "log_level", "warn");
	assert_int_equal(cfg.log_level, LOG_LEVEL_WARN);
	set_ok(&cfg, "bounce_threshold", "100");
	assert_int_equal(cfg.bounce_threshold, 100);
	set_ok(&cfg, "smtp_max_recipients", "10000");
	assert_int_equal(cfg.smtp_max_recipients, 10000);
	set_ok(&cfg, "smtp_command_timeout", "1h");
	assert_int_equal(cfg.smtp_command_timeout, 3600);
	set_ok(&cfg, "parser_timeout", "600");
	assert_int_equal(cfg.parser_timeout, 600);
	set_ok(&cfg, "parser_memory", "2G");
	assert_int_equal(cfg.parser_memory, (size_t)2 << 30);
	set_ok(&cfg, "max_message_size", "0010m");
	assert_int_equal(cfg.max_message_size, 10 << 20);
	set_ok(&cfg, "retry_max_age", "30d");
	assert_int_equal(cfg.retry_max_age, 30 * 86400);
	set_ok(&cfg, "mod_pending_interval", "1s");
	assert_int_equal(cfg.mod_pending_interval, 1);
	set_ok(&cfg, "mod_pending_interval", "30d");
	assert_int_equal(cfg.mod_pending_interval, 30 * 86400);
	set_ok(&cfg, "retry_min_delay", "1s");
	assert_int_equal(cfg.retry_min_delay, 1);
	set_ok(&cfg, "retry_max_delay", "1d");
	assert_int_equal(cfg.retry_max_delay, 86400);
	config_free(&cfg);
}

static const struct {
	const char *key, *value, *msg;
} bad_values[] = {
	{ "data_dir", "", "data_dir: must not be empty" },
	{ "site_name", "", "site_name: must not be empty" },
	{ "site_name", "a\x01" "b", "site_name: control character in value" },
	{ "site_name", "a\rb", "site_name: control character in value" },
	{ "site_name", "caf\xe9", "site_name: value is not valid UTF-8" },
	{ "site_name", "\xc0\xaf", "site_name: value is not valid UTF-8" },
	{ "site_name", "\xed\xa0\x80", "site_name: value is not valid UTF-8" },
	{ "site_name", "\xf4\x90\x80\x80",
	    "site_name: value is not valid UTF-8" },
	{ "site_url", "ftp://x.org",
	    "site_url: must start with http:// or https://" },
	{ "site_url", "HTTP://x.org",
	    "site_url: must start with http:// or https://" },
	{ "site_url", "https://", "site_url: missing host" },
	{ "site_url", "https:///path", "site_url: missing host" },
	{ "site_url", "https://x.org/a b", "site_url: character not allowed "
	    "in the URL (no spaces, quotes, '?' or '#')" },
	{ "site_url", "https://x.org/?q=1", "site_url: character not allowed "
	    "in the URL (no spaces, quotes, '?' or '#')" },
	{ "site_url", "https://x.org/\"><script>", "site_url: character not "
	    "allowed in the URL (no spaces, quotes, '?' or '#')" },
	{ "site_url", "https://\xd9\x85.org", "site_url: character not "
	    "allowed in the URL (no spaces, quotes, '?' or '#')" },
	{ "list_domain", "", "list_domain: not a valid domain name" },
	{ "list_domain", "exa_mple.org", "list_domain: not a valid domain name" },
	{ "list_domain", "example.org.", "list_domain: not a valid domain name" },
	{ "list_domain", "-x.org", "list_domain: not a valid domain name" },
	{ "list_domain", "x-.org", "list_domain: not a valid domain name" },
	{ "list_domain", "a..org", "list_domain: not a valid domain name" },
	{ "list_domain", "192.168.1.1", "list_domain: not a valid domain name" },
	{ "list_domain", "user@x.org", "list_domain: not a valid domain name" },
	{ "hostname", "", "hostname: not a valid host name" },
	{ "hostname", "mx example", "hostname: not a valid host name" },
	{ "http_listen", "8080", "http_listen: expected host:port, "
	    "[ipv6]:port, unix:/path or \"\"" },
	{ "smtp_listen", "127.0.0.1:0", "smtp_listen: bad port (1-65535)" },
	{ "lmtp_listen", "unix:rel.sock",
	    "lmtp_listen: unix socket path must be absolute" },
	{ "relay", "", "relay: must start with smtp://, smtp+starttls:// "
	    "or smtps://" },
	{ "relay", "http://x.org", "relay: must start with smtp://, "
	    "smtp+starttls:// or smtps://" },
	{ "relay_tls_verify", "true", "relay_tls_verify: expected yes or no" },
	{ "relay_tls_verify", "", "relay_tls_verify: expected yes or no" },
	{ "http_tls", "Yes", "http_tls: expected yes or no" },
	{ "relay_connections", "0",
	    "relay_connections: expected a number from 1 to 64" },
	{ "relay_connections", "65",
	    "relay_connections: expected a number from 1 to 64" },
	{ "relay_connections", "-1",
	    "relay_connections: expected a number from 1 to 64" },
	{ "relay_connections", "+4",
	    "relay_connections: expected a number from 1 to 64" },
	{ "relay_connections", "4 ",
	    "relay_connections: expected a number from 1 to 64" },
	{ "relay_connections", "99999999999999999999999",
	    "relay_connections: expected a number from 1 to 64" },
	{ "relay_connections", "4294967297",
	    "relay_connections: expected a number from 1 to 64" },
	{ "parser_workers", "0",
	    "parser_workers: expected a number from 1 to 32" },
	{ "parser_workers", "33",
	    "parser_workers: expected a number from 1 to 32" },
	{ "bounce_threshold", "101",
	    "bounce_threshold: expected a number from 1 to 100" },
	{ "bounce_threshold", "", "bounce_threshold: expected a number "
	    "from 1 to 100" },
	{ "smtp_max_recipients", "10001",
	    "smtp_max_recipients: expected a number from 1 to 10000" },
	{ "smtp_max_recipients", "0",
	    "smtp_max_recipients: expected a number from 1 to 10000" },
	{ "log_level", "error", "log_level: expected warn, info or debug" },
	{ "log_level", "INFO", "log_level: expected warn, info or debug" },
	{ "user", "-root", "user: not a valid user name" },
	{ "user", "a b", "user: not a valid user name" },
	{ "user", "a/b", "user: not a valid user name" },
	{ "user", "abcdefghijabcdefghijabcdefghijabc",
	    "user: not a valid user name" },
	{ "max_message_size", "1023", "max_message_size: expected a size "
	    "from 1K to 1G (bytes, or with a K, M or G suffix)" },
	{ "max_message_size", "1073741825", "max_message_size: expected a "
	    "size from 1K to 1G (bytes, or with a K, M or G suffix)" },
	{ "max_message_size", "25MB", "max_message_size: expected a size "
	    "from 1K to 1G (bytes, or with a K, M or G suffix)" },
	{ "parser_memory", "15M", "parser_memory: expected a size from 16M "
	    "to 2G (bytes, or with a K, M or G suffix)" },
	{ "parser_memory", "2049M", "parser_memory: expected a size from 16M "
	    "to 2G (bytes, or with a K, M or G suffix)" },
	{ "retry_max_age", "59s", "retry_max_age: expected a duration from "
	    "1m to 30d (seconds, or with an s, m, h or d suffix)" },
	{ "retry_max_age", "721h", "retry_max_age: expected a duration from "
	    "1m to 30d (seconds, or with an s, m, h or d suffix)" },
	{ "retry_max_age", "5w", "retry_max_age: expected a duration from "
	    "1m to 30d (seconds, or with an s, m, h or d suffix)" },
	{ "retry_min_delay", "0", "retry_min_delay: expected a duration from "
	    "1s to 1d (seconds, or with an s, m, h or d suffix)" },
	{ "retry_max_delay", "86401", "retry_max_delay: expected a duration "
	    "from 1s to 1d (seconds, or with an s, m, h or d suffix)" },
	{ "smtp_command_timeout", "3601s", "smtp_command_timeout: expected a "
	    "duration from 1s to 1h (seconds, or with an s, m, h or d "
	    "suffix)" },
	{ "parser_timeout", "0s", "parser_timeout: expected a duration from "
	    "1s to 10m (seconds, or with an s, m, h or d suffix)" },
	{ "parser_timeout", "601", "parser_timeout: expected a duration from "
	    "1s to 10m (seconds, or with an s, m, h or d suffix)" },
	{ "parser_timeout", "1.5s", "parser_timeout: expected a duration from "
	    "1s to 10m (seconds, or with an s, m, h or d suffix)" },
	{ "mod_pending_interval", "0s", "mod_pending_interval: expected a "
	    "duration from 1s to 30d (seconds, or with an s, m, h or d "
	    "suffix)" },
	{ "mod_pending_interval", "2592001", "mod_pending_interval: expected "
	    "a duration from 1s to 30d (seconds, or with an s, m, h or d "
	    "suffix)" },
	{ "no_such_key", "1", "unknown key \"no_such_key\"" },
	{ "Data_Dir", "/x", "unknown key \"Data_Dir\"" },
};

static void
test_bad_values(void **state)
{
	size_t i;

	for (i = 0; i < sizeof bad_values / sizeof bad_values[0]; i++)
		assert_set_error(bad_values[i].key, bad_values[i].value,
		    bad_values[i].msg);
}

/* Each bad value also fails from a file, blamed on its line. */
static void
test_bad_values_in_file(void **state)
{
	struct buf text = BUF_INIT, msg = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof bad_values / sizeof bad_values[0]; i++) {
		if (strpbrk(bad_values[i].value, "\r\"\\#") != NULL)
			continue;
		buf_reset(&text);
		buf_printf(&text, "# test\n\n%s = \"%s\"\n", bad_values[i].key,
		    bad_values[i].value);
		assert_load_error(buf_cstr(&text), 3, bad_values[i].msg);
	}
	buf_free(&text);
	buf_free(&msg);
}

struct relay_case {
	const char *url;
	int tls;
	const char *host, *port, *user, *password, *safe;
};

static const struct relay_case relay_good[] = {
	{ "smtp://127.0.0.1", CONFIG_RELAY_PLAIN, "127.0.0.1", "25", NULL,
	    NULL, "smtp://127.0.0.1:25" },
	{ "smtp://mail.example.org:2525/", CONFIG_RELAY_PLAIN,
	    "mail.example.org", "2525", NULL, NULL,
	    "smtp://mail.example.org:2525" },
	{ "smtp+starttls://u:p@smtp.example.org", CONFIG_RELAY_STARTTLS,
	    "smtp.example.org", "587", "u", "p",
	    "smtp+starttls://u:***@smtp.example.org:587" },
	{ "smtps://relay.example.org", CONFIG_RELAY_SMTPS,
	    "relay.example.org", "465", NULL, NULL,
	    "smtps://relay.example.org:465" },
	{ "SMTPS://relay.example.org:10465", CONFIG_RELAY_SMTPS,
	    "relay.example.org", "10465", NULL, NULL,
	    "smtps://relay.example.org:10465" },
	{ "smtp://[::1]", CONFIG_RELAY_PLAIN, "::1", "25", NULL, NULL,
	    "smtp://[::1]:25" },
	{ "smtps://[2001:db8::25]:465", CONFIG_RELAY_SMTPS, "2001:db8::25",
	    "465", NULL, NULL, "smtps://[2001:db8::25]:465" },
	{ "smtp+starttls://list%40example.org:p%40ss%3Aw%25rd@[2001:db8::1]",
	    CONFIG_RELAY_STARTTLS, "2001:db8::1", "587", "list@example.org",
	    "p@ss:w%rd",
	    "smtp+starttls://list%40example.org:***@[2001:db8::1]:587" },
	/* unencoded '@', ':' and '/' in the password: the last '@' wins */
	{ "smtps://bob:a@b:c/d@mx.example.org:465", CONFIG_RELAY_SMTPS,
	    "mx.example.org", "465", "bob", "a@b:c/d",
	    "smtps://bob:***@mx.example.org:465" },
	{ "smtp://%E2%82%AC:%e2%82%ac@h", CONFIG_RELAY_PLAIN, "h", "25",
	    "\xe2\x82\xac", "\xe2\x82\xac", "smtp://%E2%82%AC:***@h:25" },
};

static void
check_relay(const struct relay_case *c)
{
	struct config_relay r;
	struct buf err = BUF_INIT;

	memset(&r, 0, sizeof r);
	if (config_addr_parse_relay(&r, c->url, &err) != 0)
		fail_msg("%s: %s", c->url, buf_cstr(&err));
	assert_int_equal(r.tls, c->tls);
	assert_string_equal(r.host, c->host);
	assert_string_equal(r.port, c->port);
	if (c->user == NULL) {
		assert_null(r.user);
		assert_null(r.password);
	} else {
		assert_string_equal(r.user, c->user);
		assert_string_equal(r.password, c->password);
	}
	assert_string_equal(r.text_safe, c->safe);
	config_addr_relay_free(&r);
	buf_free(&err);
}

static const struct {
	const char *url, *msg;
} relay_bad[] = {
	{ "smtp:/x.org", "must start with smtp://, smtp+starttls:// or "
	    "smtps://" },
	{ "lmtp://x.org", "must start with smtp://, smtp+starttls:// or "
	    "smtps://" },
	{ "smtp://", "missing host" },
	{ "smtp://:25", "missing host" },
	{ "smtp://u:p@", "missing host" },
	{ "smtp://x.org:", "bad port (1-65535)" },
	{ "smtp://x.org:0", "bad port (1-65535)" },
	{ "smtp://x.org:65536", "bad port (1-65535)" },
	{ "smtp://x.org:25a", "bad port (1-65535)" },
	{ "smtp://x.org:000025", "bad port (1-65535)" },
	{ "smtp://2001:db8::1", "an IPv6 address must be in brackets" },
	{ "smtp://[2001:db8::1", "missing ']' after IPv6 address" },
	{ "smtp://[2001:db8::g]:25", "bad IPv6 address" },
	{ "smtp://[]:25", "bad IPv6 address" },
	{ "smtp://[::1]x", "unexpected text after ']'" },
	{ "smtp://x_y.org", "bad host name or address" },
	{ "smtp://300.1.1.1", "bad host name or address" },
	{ "smtp://x.org/path", "unexpected path after the host" },
	{ "smtp://x.org?a=b", "unexpected path after the host" },
	{ "smtp://user@x.org", "user without password (user:password@host)" },
	{ "smtp://:p@x.org", "empty user or password" },
	{ "smtp://u:@x.org", "empty user or password" },
	{ "smtp://u:p%4@x.org", "bad percent-encoding in user or password" },
	{ "smtp://u:p%zz@x.org", "bad percent-encoding in user or password" },
	{ "smtp://u:p%@x.org", "bad percent-encoding in user or password" },
	{ "smtp://u:p%00@x.org", "bad percent-encoding in user or password" },
	{ "smtp://u:p%0d%0a@x.org",
	    "bad percent-encoding in user or password" },
	{ "smtp://u:p q@x.org", "space or control character in URL" },
	{ "smtp://x.org\n", "space or control character in URL" },
};

static void
test_relay_forms(void **state)
{
	struct config_relay r;
	struct buf err = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof relay_good / sizeof relay_good[0]; i++)
		check_relay(&relay_good[i]);
	memset(&r, 0, sizeof r);
	assert_int_equal(config_addr_parse_relay(&r, "smtp://a.org", &err), 0);
	for (i = 0; i < sizeof relay_bad / sizeof relay_bad[0]; i++) {
		buf_reset(&err);
		if (config_addr_parse_relay(&r, relay_bad[i].url, &err) != -1)
			fail_msg("accepted %s", relay_bad[i].url);
		assert_string_equal(buf_cstr(&err), relay_bad[i].msg);
		/* the previous value is kept on error */
		assert_string_equal(r.text_safe, "smtp://a.org:25");
	}
	config_addr_relay_free(&r);
	buf_free(&err);
	assert_set_error("relay", "smtp://u:p%zz@x.org",
	    "relay: bad percent-encoding in user or password");
}

/* The password never shows in the dump. */
static void
test_relay_dump_masks_password(void **state)
{
	struct config cfg;
	struct buf out = BUF_INIT;

	config_defaults(&cfg);
	set_ok(&cfg, "relay", "smtps://alice:s3cr%23t@mx.example.org");
	assert_string_equal(cfg.relay.password, "s3cr#t");
	config_dump(&cfg, &out);
	assert_non_null(strstr(buf_cstr(&out),
	    "\nrelay = smtps://alice:***@mx.example.org:465\n"));
	assert_null(strstr(buf_cstr(&out), "s3cr"));
	config_free(&cfg);
	buf_free(&out);
}

static void
test_listen_forms(void **state)
{
	struct config_listen l;
	struct buf err = BUF_INIT;
	char path[CONFIG_UNIX_PATH_MAX + 2];

	memset(&l, 0, sizeof l);
	assert_int_equal(config_addr_parse_listen(&l, "0.0.0.0:25", &err), 0);
	assert_int_equal(l.kind, CONFIG_LISTEN_TCP);
	assert_string_equal(l.host, "0.0.0.0");
	assert_string_equal(l.port, "25");
	assert_null(l.path);
	assert_string_equal(l.text, "0.0.0.0:25");
	assert_int_equal(config_addr_parse_listen(&l, "[::]:8080", &err), 0);
	assert_string_equal(l.host, "::");
	assert_string_equal(l.port, "8080");
	assert_int_equal(config_addr_parse_listen(&l, "[fe80::1:2]:65535", &err),
	    0);
	assert_string_equal(l.host, "fe80::1:2");
	assert_string_equal(l.port, "65535");
	assert_int_equal(config_addr_parse_listen(&l, "localhost:1", &err), 0);
	assert_string_equal(l.host, "localhost");
	assert_int_equal(config_addr_parse_listen(&l,
	    "unix:/run/majlis/lmtp.sock", &err), 0);
	assert_int_equal(l.kind, CONFIG_LISTEN_UNIX);
	assert_string_equal(l.path, "/run/majlis/lmtp.sock");
	assert_null(l.host);
	assert_null(l.port);
	assert_int_equal(config_addr_parse_listen(&l, "", &err), 0);
	assert_int_equal(l.kind, CONFIG_LISTEN_OFF);
	assert_string_equal(l.text, "");
	assert_null(l.host);

	/* unix path at and across its limit */
	memset(path, 'p', sizeof path);
	path[0] = '/';
	path[CONFIG_UNIX_PATH_MAX] = '\0';
	buf_reset(&err);
	buf_printf(&err, "unix:%s", path);
	{
		char *v = buf_steal(&err);
		assert_int_equal(config_addr_parse_listen(&l, v, &err), 0);
		assert_int_equal(strlen(l.path), CONFIG_UNIX_PATH_MAX);
		free(v);
	}
	path[CONFIG_UNIX_PATH_MAX] = 'p';
	path[CONFIG_UNIX_PATH_MAX + 1] = '\0';
	buf_printf(&err, "unix:%s", path);
	{
		char *v = buf_steal(&err);
		assert_int_equal(config_addr_parse_listen(&l, v, &err), -1);
		assert_string_equal(buf_cstr(&err),
		    "unix socket path too long (max 107 bytes)");
		free(v);
	}
	config_addr_listen_free(&l);
	buf_free(&err);
}

static const struct {
	const char *value, *msg;
} listen_bad[] = {
	{ "127.0.0.1", "expected host:port, [ipv6]:port, unix:/path or \"\"" },
	{ "unix:", "unix socket path must be absolute" },
	{ "unix:sock", "unix socket path must be absolute" },
	{ ":8080", "missing host" },
	{ "127.0.0.1:", "bad port (1-65535)" },
	{ "127.0.0.1:65536", "bad port (1-65535)" },
	{ "127.0.0.1:http", "bad port (1-65535)" },
	{ "127.0.0.1:-1", "bad port (1-65535)" },
	{ "::1:8080", "an IPv6 address must be in brackets" },
	{ "[::1]", "missing port" },
	{ "[::1]8080", "unexpected text after ']'" },
	{ "[::1:8080", "missing ']' after IPv6 address" },
	{ "[127.0.0.1]:80", "bad IPv6 address" },
	{ "*:80", "bad host name or address" },
	{ "host name:80", "bad host name or address" },
};

static void
test_listen_bad(void **state)
{
	struct config_listen l;
	struct buf err = BUF_INIT, want = BUF_INIT;
	size_t i;

	memset(&l, 0, sizeof l);
	assert_int_equal(config_addr_parse_listen(&l, "127.0.0.1:1", &err), 0);
	for (i = 0; i < sizeof listen_bad / sizeof listen_bad[0]; i++) {
		buf_reset(&err);
		if (config_addr_parse_listen(&l, listen_bad[i].value,
		    &err) != -1)
			fail_msg("accepted %s", listen_bad[i].value);
		assert_string_equal(buf_cstr(&err), listen_bad[i].msg);
		assert_string_equal(l.text, "127.0.0.1:1");
		buf_reset(&want);
		buf_printf(&want, "smtp_listen: %s", listen_bad[i].msg);
		assert_set_error("smtp_listen", listen_bad[i].value,
		    buf_cstr(&want));
	}
	config_addr_listen_free(&l);
	buf_free(&err);
	buf_free(&want);
}

static void
test_sizes(void **state)
{
	size_t n = 0;

	assert_int_equal(config_parse_size("1024", 1024, 1 << 30, &n), 0);
	assert_int_equal(n, 1024);
	assert_int_equal(config_parse_size("1K", 1024, 1 << 30, &n), 0);
	assert_int_equal(n, 1024);
	assert_int_equal(config_parse_size("1k", 1024, 1 << 30, &n), 0);
	assert_int_equal(config_parse_size("1G", 1024, 1 << 30, &n), 0);
	assert_int_equal(n, 1 << 30);
	assert_int_equal(config_parse_size("1024M", 1024, 1 << 30, &n), 0);
	assert_int_equal(config_parse_size("1048576K", 1024, 1 << 30, &n), 0);
	assert_int_equal(config_parse_size("1073741824", 1024, 1 << 30, &n),
	    0);
	n = 7;
	assert_int_equal(config_parse_size("1073741825", 1024, 1 << 30, &n),
	    -1);
	assert_int_equal(n, 7);
	assert_int_equal(config_parse_size("1025M", 1024, 1 << 30, &n), -1);
	assert_int_equal(config_parse_size("1023", 1024, 1 << 30, &n), -1);
	assert_int_equal(config_parse_size("0K", 0, 10, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(config_parse_size("", 0, SIZE_MAX, &n), -1);
	assert_int_equal(config_parse_size("K", 0, SIZE_MAX, &n), -1);
	assert_int_equal(config_parse_size("1T", 0, SIZE_MAX, &n), -1);
	assert_int_equal(config_parse_size("1KK", 0, SIZE_MAX, &n), -1);
	assert_int_equal(config_parse_size(" 1K", 0, SIZE_MAX, &n), -1);
	assert_int_equal(config_parse_size("1 K", 0, SIZE_MAX, &n), -1);
	assert_int_equal(config_parse_size("-1", 0, SIZE_MAX, &n), -1);
	assert_int_equal(config_parse_size("0x10", 0, SIZE_MAX, &n), -1);
	/* overflow of the number and of the multiplication */
	assert_int_equal(config_parse_size("18446744073709551615", 0,
	    SIZE_MAX, &n), 0);
	assert_int_equal(config_parse_size("18446744073709551616", 0,
	    SIZE_MAX, &n), -1);
	assert_int_equal(config_parse_size("17179869183G", 0, SIZE_MAX, &n),
	    0);
	assert_int_equal(config_parse_size("17179869184G", 0, SIZE_MAX, &n),
	    -1);
}

static void
test_durations(void **state)
{
	long s = 0;

	assert_int_equal(config_parse_duration("0", &s), 0);
	assert_int_equal(s, 0);
	assert_int_equal(config_parse_duration("60", &s), 0);
	assert_int_equal(s, 60);
	assert_int_equal(config_parse_duration("60s", &s), 0);
	assert_int_equal(s, 60);
	assert_int_equal(config_parse_duration("2m", &s), 0);
	assert_int_equal(s, 120);
	assert_int_equal(config_parse_duration("4h", &s), 0);
	assert_int_equal(s, 14400);
	assert_int_equal(config_parse_duration("5d", &s), 0);
	assert_int_equal(s, 432000);
	s = 9;
	assert_int_equal(config_parse_duration("", &s), -1);
	assert_int_equal(config_parse_duration("s", &s), -1);
	assert_int_equal(config_parse_duration("1w", &s), -1);
	assert_int_equal(config_parse_duration("1H", &s), -1);
	assert_int_equal(config_parse_duration("-1", &s), -1);
	assert_int_equal(config_parse_duration("1.5h", &s), -1);
	assert_int_equal(config_parse_duration("1hs", &s), -1);
	assert_int_equal(config_parse_duration("1 h", &s), -1);
	assert_int_equal(s, 9);
	assert_int_equal(config_parse_duration("9223372036854775807", &s), 0);
	assert_int_equal(s, LONG_MAX);
	assert_int_equal(config_parse_duration("9223372036854775808", &s), -1);
	assert_int_equal(config_parse_duration("106751991167300d", &s), 0);
	assert_int_equal(config_parse_duration("106751991167301d", &s), -1);
	assert_int_equal(config_parse_duration("99999999999999999999999h",
	    &s), -1);
}

/* Every range limit: the bound is accepted, one past it is not. */
static void
test_limits_crossed(void **state)
{
	struct config cfg;
	struct buf err = BUF_INIT;

	config_defaults(&cfg);
	set_ok(&cfg, "max_message_size", "1024");
	assert_int_equal(cfg.max_message_size, CONFIG_MESSAGE_SIZE_MIN);
	assert_int_equal(config_set(&cfg, "max_message_size", "1023", &err),
	    -1);
	set_ok(&cfg, "max_message_size", "1G");
	assert_int_equal(cfg.max_message_size, CONFIG_MESSAGE_SIZE_MAX);
	assert_int_equal(config_set(&cfg, "max_message_size", "1073741825",
	    &err), -1);
	assert_int_equal(cfg.max_message_size, CONFIG_MESSAGE_SIZE_MAX);
	set_ok(&cfg, "parser_memory", "16M");
	assert_int_equal(cfg.parser_memory, CONFIG_PARSER_MEMORY_MIN);
	assert_int_equal(config_set(&cfg, "parser_memory", "16777215", &err),
	    -1);
	assert_int_equal(config_set(&cfg, "parser_memory", "2147483649",
	    &err), -1);
	set_ok(&cfg, "retry_max_age", "60");
	assert_int_equal(cfg.retry_max_age, CONFIG_RETRY_MAX_AGE_MIN);
	set_ok(&cfg, "retry_max_age", "2592000");
	assert_int_equal(cfg.retry_max_age, CONFIG_RETRY_MAX_AGE_MAX);
	assert_int_equal(config_set(&cfg, "retry_max_age", "2592001", &err),
	    -1);
	set_ok(&cfg, "retry_min_delay", "86400");
	assert_int_equal(config_set(&cfg, "retry_min_delay", "86401", &err),
	    -1);
	set_ok(&cfg, "smtp_command_timeout", "1");
	assert_int_equal(config_set(&cfg, "smtp_command_timeout", "0", &err),
	    -1);
	set_ok(&cfg, "parser_timeout", "10m");
	assert_int_equal(config_set(&cfg, "parser_timeout", "11m", &err), -1);
	set_ok(&cfg, "smtp_max_recipients", "1");
	set_ok(&cfg, "bounce_threshold", "1");
	set_ok(&cfg, "parser_workers", "1");
	config_free(&cfg);
	buf_free(&err);
}

static void
test_unknown_and_duplicate(void **state)
{
	assert_load_error("site_name = a\nsite_nam = b\n", 2,
	    "unknown key \"site_nam\"");
	assert_load_error("\n\n# c\nsite_name = a\n  site_name=b\n", 5,
	    "duplicate key \"site_name\" (first set on line 4)");
	/* a duplicate is an error even with the same value */
	assert_load_error("log_level = info\nlog_level = info\n", 2,
	    "duplicate key \"log_level\" (first set on line 1)");
	assert_load_error("site_name\n", 1, "expected \"key = value\"");
	assert_load_error("= x\n", 1, "expected \"key = value\"");
	assert_load_error("site name = x\n", 1, "expected \"key = value\"");
	assert_load_error("site_name # = x\n", 1, "expected \"key = value\"");
	/* the echoed key is bounded */
	{
		char line[200];
		memset(line, 'k', 150);
		memcpy(line + 150, " = 1\n", 6);
		struct buf want = BUF_INIT;
		buf_printf(&want, "unknown key \"%.*s\"", CONFIG_ECHO_MAX,
		    line);
		assert_load_error(line, 1, buf_cstr(&want));
		buf_free(&want);
	}
}

static void
test_long_lines(void **state)
{
	struct config cfg;
	struct buf text = BUF_INIT, err = BUF_INIT, want = BUF_INIT;
	size_t fill;

	/* exactly CONFIG_LINE_MAX bytes (newline excluded) is accepted */
	buf_puts(&text, "site_name = ");
	fill = CONFIG_LINE_MAX - text.len;
	while (fill-- > 0)
		buf_putc(&text, 'a');
	buf_putc(&text, '\n');
	assert_int_equal(load_text(&cfg, buf_cstr(&text), &err), 0);
	assert_int_equal(strlen(cfg.site_name), CONFIG_LINE_MAX - 12);
	config_free(&cfg);
	/* one more byte is not */
	buf_truncate(&text, text.len - 1);
	buf_puts(&text, "a\n");
	assert_load_error(buf_cstr(&text), 1,
	    "line too long (max 4096 bytes)");
	/* a line of 100 KB, as comment or value */
	buf_reset(&text);
	buf_puts(&text, "site_name = x\n#");
	for (fill = 0; fill < 100 * 1024; fill++)
		buf_putc(&text, 'c');
	buf_puts(&text, "\nlog_level = debug\n");
	assert_load_error(buf_cstr(&text), 2,
	    "line too long (max 4096 bytes)");
	buf_reset(&text);
	buf_puts(&text, "\nsite_url = http://x/");
	for (fill = 0; fill < 100 * 1024; fill++)
		buf_putc(&text, 'u');
	assert_load_error(buf_cstr(&text), 2,
	    "line too long (max 4096 bytes)");
	buf_free(&text);
	buf_free(&err);
	buf_free(&want);
}

static void
test_nul_byte(void **state)
{
	static const char text[] = "site_name = a\n# fine\nlist_domain = "
	    "x.org\0evil.org\nlog_level = debug\n";
	struct config cfg;
	struct buf err = BUF_INIT, want = BUF_INIT;

	write_conf(text, sizeof text - 1);
	assert_int_equal(config_load(&cfg, conf_path, &err), -1);
	buf_printf(&want, "%s:3: NUL byte in line", conf_path);
	assert_string_equal(buf_cstr(&err), buf_cstr(&want));
	config_free(&cfg);
	/* also inside a comment, and as the whole file */
	write_conf("#\0\n", 3);
	assert_int_equal(config_load(&cfg, conf_path, &err), -1);
	buf_reset(&want);
	buf_printf(&want, "%s:1: NUL byte in line", conf_path);
	assert_string_equal(buf_cstr(&err), buf_cstr(&want));
	config_free(&cfg);
	write_conf("\0", 1);
	assert_int_equal(config_load(&cfg, conf_path, &err), -1);
	assert_string_equal(buf_cstr(&err), buf_cstr(&want));
	config_free(&cfg);
	buf_free(&err);
	buf_free(&want);
}

static void
test_comments_and_quoting(void **state)
{
	struct config cfg;
	struct buf err = BUF_INIT;

	assert_int_equal(load_text(&cfg,
	    "# whole-line comment\n"
	    "   # indented comment = with equals\n"
	    "\n"
	    "\t \n"
	    "site_name =  Observatoire n°1#a de la souveraineté   # trailing\n"
	    "data_dir=/srv/a#b\n"
	    "hostname = mx.example.org#no-space-so-kept\n",
	    &err), -1);
	/* '#' without whitespace before it is part of the value */
	assert_non_null(strstr(buf_cstr(&err),
	    ":7: hostname: not a valid host name"));
	assert_string_equal(cfg.site_name,
	    "Observatoire n°1#a de la souveraineté");
	assert_string_equal(cfg.data_dir, "/srv/a#b");
	config_free(&cfg);

	assert_int_equal(load_text(&cfg,
	    "site_name = \"  spaced # not a comment \\\"q\\\" \\\\ \"  # c\n"
	    "user = \"\"\n"
	    "lmtp_listen = \"unix:/run/m.sock\"#c\n"
	    "data_dir = \"/a b\"\r\n"
	    "list_domain = # only a comment: empty value\n",
	    &err), -1);
	assert_non_null(strstr(buf_cstr(&err),
	    ":5: list_domain: not a valid domain name"));
	assert_string_equal(cfg.site_name,
	    "  spaced # not a comment \"q\" \\ ");
	assert_null(cfg.user);
	assert_string_equal(cfg.lmtp_listen.path, "/run/m.sock");
	assert_string_equal(cfg.data_dir, "/a b");
	config_free(&cfg);

	assert_load_error("site_name = \"abc\n", 1,
	    "unterminated quoted value");
	assert_load_error("site_name = \"abc\\\"\n", 1,
	    "unterminated quoted value");
	assert_load_error("site_name = \"a\\nb\"\n", 1,
	    "bad escape in quoted value (only \\\" and \\\\)");
	assert_load_error("site_name = \"ab\\\n", 1,
	    "bad escape in quoted value (only \\\" and \\\\)");
	assert_load_error("site_name = \"a\" b\n", 1,
	    "text after the closing quote");
	assert_load_error("site_name = \"a\"\"b\"\n", 1,
	    "text after the closing quote");
	/* an unquoted value keeps inner quotes and backslashes */
	assert_int_equal(load_text(&cfg, "site_name = a \"b\" \\c\n", &err), 0);
	assert_string_equal(cfg.site_name, "a \"b\" \\c");
	config_free(&cfg);
	/* a quoted control character is still refused */
	assert_load_error("site_name = \"a\x1b[2Jb\"\n", 1,
	    "site_name: control character in value");
	assert_load_error("site_name = \"a\rb\"\r\n", 1,
	    "site_name: control character in value");
	buf_free(&err);
}

static void
test_crlf_bom_no_final_newline(void **state)
{
	struct config cfg;
	struct buf err = BUF_INIT;

	assert_int_equal(load_text(&cfg, "\xef\xbb\xbfsite_name = a\r\n"
	    "\r\nlog_level = debug", &err), 0);
	assert_string_equal(cfg.site_name, "a");
	assert_int_equal(cfg.log_level, LOG_LEVEL_DEBUG);
	config_free(&cfg);
	/* a BOM elsewhere is not whitespace */
	assert_load_error("site_name = a\n\xef\xbb\xbflog_level = debug\n", 2,
	    "expected \"key = value\"");
	/* an empty file is all defaults */
	assert_int_equal(load_text(&cfg, "", &err), 0);
	assert_string_equal(cfg.site_name, "majlis");
	config_free(&cfg);
	buf_free(&err);
}

static void
test_file_errors(void **state)
{
	struct config cfg;
	struct buf err = BUF_INIT, want = BUF_INIT, text = BUF_INIT;

	assert_int_equal(config_load(&cfg, "/nonexistent/majlis.conf", &err),
	    -1);
	assert_string_equal(buf_cstr(&err), "/nonexistent/majlis.conf: "
	    "cannot open: No such file or directory");
	config_free(&cfg);
	assert_int_equal(config_load(&cfg, tmpdir, &err), -1);
	buf_printf(&want, "%s: not a regular file", tmpdir);
	assert_string_equal(buf_cstr(&err), buf_cstr(&want));
	config_free(&cfg);
	/* at most CONFIG_FILE_MAX bytes */
	while (text.len + 10 <= CONFIG_FILE_MAX)
		buf_puts(&text, "#23456789\n");
	while (text.len < CONFIG_FILE_MAX)
		buf_putc(&text, '\n');
	assert_int_equal(load_text(&cfg, buf_cstr(&text), &err), 0);
	config_free(&cfg);
	buf_putc(&text, '\n');
	assert_load_error(buf_cstr(&text), 0,
	    "file too large (max 1048576 bytes)");
	buf_free(&err);
	buf_free(&want);
	buf_free(&text);
}

static void
test_rules_between_keys(void **state)
{
	struct config cfg;
	struct buf err = BUF_INIT;

	assert_load_error("site_name = a\ntls_cert = /c.pem\n", 2,
	    "tls_cert is set but tls_key is not");
	assert_load_error("tls_key = /k.pem\n", 1,
	    "tls_key is set but tls_cert is not");
	assert_load_error("http_tls = yes\n\n", 1,
	    "http_tls = yes needs tls_cert and tls_key");
	assert_load_error("retry_min_delay = 5h\n", 1,
	    "retry_min_delay is longer than retry_max_delay");
	assert_load_error("retry_max_delay = 1m\nretry_min_delay = 61\n", 2,
	    "retry_min_delay is longer than retry_max_delay");
	assert_load_error("retry_min_delay = 61\n#\nretry_max_delay = 1m\n", 3,
	    "retry_min_delay is longer than retry_max_delay");
	assert_int_equal(load_text(&cfg, "retry_min_delay = 4h\n"
	    "tls_cert = /c\ntls_key = /k\nhttp_tls = yes\n", &err), 0);
	config_free(&cfg);
	config_defaults(&cfg);
	set_ok(&cfg, "tls_cert", "/c");
	assert_int_equal(config_check(&cfg, &err), -1);
	assert_string_equal(buf_cstr(&err),
	    "tls_cert is set but tls_key is not");
	config_free(&cfg);
	buf_free(&err);
}

/* A dump loads back into the same configuration. */
static void
test_dump_roundtrip(void **state)
{
	struct config cfg;
	struct buf one = BUF_INIT, two = BUF_INIT, err = BUF_INIT;

	config_defaults(&cfg);
	set_ok(&cfg, "site_name", " \"Majlis\" #2 \\ ");
	set_ok(&cfg, "data_dir", "/srv/majlis data");
	set_ok(&cfg, "lmtp_listen", "unix:/run/majlis.sock");
	set_ok(&cfg, "http_listen", "[::1]:80");
	set_ok(&cfg, "relay", "smtps://mx.example.org");
	set_ok(&cfg, "max_message_size", "1536");
	set_ok(&cfg, "parser_memory", "1025M");
	set_ok(&cfg, "retry_max_age", "90m");
	set_ok(&cfg, "retry_min_delay", "61");
	set_ok(&cfg, "user", "majlis");
	config_dump(&cfg, &one);
	config_free(&cfg);
	assert_non_null(strstr(buf_cstr(&one),
	    "\nsite_name = \" \\\"Majlis\\\" #2 \\\\ \"\n"));
	assert_non_null(strstr(buf_cstr(&one), "\nmax_message_size = 1536\n"));
	assert_non_null(strstr(buf_cstr(&one), "\nretry_max_age = 90m\n"));
	assert_non_null(strstr(buf_cstr(&one), "\nretry_min_delay = 61s\n"));
	if (load_text(&cfg, buf_cstr(&one), &err) != 0)
		fail_msg("%s", buf_cstr(&err));
	config_dump(&cfg, &two);
	/* only the header line differs */
	assert_string_equal(strchr(buf_cstr(&one), '\n'),
	    strchr(buf_cstr(&two), '\n'));
	config_free(&cfg);
	buf_free(&one);
	buf_free(&two);
	buf_free(&err);
}

/* One IMAP source, its keys before (defaults) and after imap_source: the
 * configuration of a single-source site as it has always been written. */
static void
test_imap_one_source(void **state)
{
	struct config cfg;
	struct buf err = BUF_INIT;
	const struct config_source *s;

	config_defaults(&cfg);
	assert_int_equal(cfg.imap_nsources, 0);
	assert_string_equal(cfg.imap_defaults.processed, "flag");
	assert_int_equal(cfg.imap_defaults.poll_interval, 60);
	assert_int_equal(cfg.imap_defaults.timeout, 300);
	assert_int_equal(cfg.imap_defaults.tls_verify, 1);
	assert_null(cfg.imap_defaults.group);
	config_free(&cfg);
	if (load_text(&cfg, "imap_timeout = 3s\nimap_poll_interval = 1s\n"
	    "imap_source = imaps://list:secret@127.0.0.1/INBOX\n"
	    "imap_ca_file = /ca.pem\n", &err) != 0)
		fail_msg("%s", buf_cstr(&err));
	assert_int_equal(cfg.imap_nsources, 1);
	s = &cfg.imap_sources[0];
	assert_string_equal(config_source_name(s), "site");
	assert_string_equal(s->url.password, "secret");
	assert_string_equal(s->url.port, "993");
	assert_int_equal(s->timeout, 3);
	assert_int_equal(s->poll_interval, 1);
	assert_string_equal(s->ca_file, "/ca.pem");
	assert_string_equal(s->processed, "flag");
	assert_null(s->password_file);
	assert_ptr_equal(config_source_find(&cfg, "site"), s);
	assert_null(config_source_find(&cfg, "cloud-souverain"));
	/* the key after the source is the source's, not a default */
	assert_null(cfg.imap_defaults.ca_file);
	config_free(&cfg);
	buf_free(&err);
}

/* Several sources: each imap_source starts one, the keys after it are its
 * own, the keys before the first one are defaults for all. */
static void
test_imap_several_sources(void **state)
{
	static const char text[] =
	    "imap_timeout = 30s\n"				/* 1 */
	    "imap_processed = move:Done\n"
	    "imap_source = imaps://a:pa@imap.example.org/INBOX\n"
	    "imap_group = cloud-souverain\n"
	    "# the second list's mailbox\n"			/* 5 */
	    "imap_source = imap+starttls://b@imap.example.org:1143/Lists\n"
	    "imap_password_file = pw\n"
	    "imap_group = souverainete\n"
	    "imap_processed = delete\n"
	    "imap_timeout = 1m\n"				/* 10 */
	    "imap_tls_verify = no\n"
	    "imap_source = imaps://a:pa@imap.example.org/Other\n"
	    "imap_poll_interval = 2m\n";
	struct config cfg;
	struct buf err = BUF_INIT, one = BUF_INIT, two = BUF_INIT;
	const struct config_source *s;
	char cwd[PATH_MAX], pw[PATH_MAX + 8];

	assert_non_null(getcwd(cwd, sizeof cwd));
	snprintf(pw, sizeof pw, "%s/pw", cwd);
	if (load_text(&cfg, text, &err) != 0)
		fail_msg("%s", buf_cstr(&err));
	assert_int_equal(cfg.imap_nsources, 3);
	s = &cfg.imap_sources[0];
	assert_string_equal(config_source_name(s), "cloud-souverain");
	assert_string_equal(s->url.mailbox, "INBOX");
	assert_string_equal(s->processed, "move:Done");
	assert_int_equal(s->timeout, 30);
	assert_int_equal(s->poll_interval, 60);
	assert_int_equal(s->tls_verify, 1);
	assert_null(s->password_file);
	s = &cfg.imap_sources[1];
	assert_string_equal(config_source_name(s), "souverainete");
	assert_int_equal(s->url.tls, IMAPURL_STARTTLS);
	assert_string_equal(s->url.port, "1143");
	assert_string_equal(s->url.mailbox, "Lists");
	assert_string_equal(s->password_file, pw);
	assert_string_equal(s->processed, "delete");
	assert_int_equal(s->timeout, 60);
	assert_int_equal(s->tls_verify, 0);
	s = &cfg.imap_sources[2];
	assert_string_equal(config_source_name(s), "site");
	assert_string_equal(s->processed, "move:Done");
	assert_int_equal(s->timeout, 30);
	assert_int_equal(s->poll_interval, 120);
	assert_int_equal(s->tls_verify, 1);
	assert_ptr_equal(config_source_find(&cfg, "souverainete"),
	    &cfg.imap_sources[1]);
	assert_ptr_equal(config_source_find(&cfg, "site"), s);
	/* the dump lists every source in full, in order, and loads back */
	config_dump(&cfg, &one);
	assert_non_null(strstr(buf_cstr(&one),
	    "\nimap_source = imaps://a:***@imap.example.org:993/INBOX\n"
	    "imap_processed = move:Done\n"
	    "imap_password_file = \"\"\n"
	    "imap_poll_interval = 1m\n"
	    "imap_timeout = 30s\n"
	    "imap_tls_verify = yes\n"
	    "imap_ca_file = \"\"\n"
	    "imap_group = cloud-souverain\n"
	    "imap_source = imap+starttls://b@imap.example.org:1143/Lists\n"
	    "imap_processed = delete\n"));
	assert_non_null(strstr(buf_cstr(&one),
	    "\nimap_source = imaps://a:***@imap.example.org:993/Other\n"
	    "imap_processed = move:Done\n"
	    "imap_password_file = \"\"\n"
	    "imap_poll_interval = 2m\n"));
	config_free(&cfg);
	if (load_text(&cfg, buf_cstr(&one), &err) != 0)
		fail_msg("%s", buf_cstr(&err));
	assert_int_equal(cfg.imap_nsources, 3);
	config_dump(&cfg, &two);
	assert_string_equal(strchr(buf_cstr(&one), '\n'),
	    strchr(buf_cstr(&two), '\n'));
	config_free(&cfg);
	buf_free(&err);
	buf_free(&one);
	buf_free(&two);
}

/* Errors of the sources, each on the line to blame. */
static void
test_imap_source_errors(void **state)
{
	/* the same name: two site-wide sources, or the same group */
	assert_load_error("imap_source = imaps://a:p@h1.example.org\n"
	    "imap_source = imaps://b:p@h2.example.org\n", 2,
	    "two IMAP sources named \"site\" (first on line 1): give each its"
	    " own imap_group (none for the site-wide one)");
	assert_load_error("imap_source = imaps://a:p@h1.example.org\n"
	    "imap_group = g\n"
	    "imap_source = imaps://b:p@h2.example.org\n"
	    "imap_timeout = 1m\n"
	    "imap_group = g\n", 5,
	    "two IMAP sources named \"g\" (first on line 1): give each its"
	    " own imap_group (none for the site-wide one)");
	/* a default group gives every source the same name */
	assert_load_error("imap_group = g\n"
	    "imap_source = imaps://a:p@h1.example.org\n"
	    "imap_source = imaps://b:p@h2.example.org\n", 3,
	    "two IMAP sources named \"g\" (first on line 2): give each its"
	    " own imap_group (none for the site-wide one)");
	/* the same mailbox (host case, password and scheme aside) */
	assert_load_error("imap_source = imaps://a:p@h1.example.org/INBOX\n"
	    "imap_group = one\n"
	    "imap_source = imaps://a:q@H1.Example.org:993\n"
	    "imap_group = two\n", 3,
	    "imap_source: the same mailbox as another source (first on line"
	    " 1)");
	/* a duplicate key inside one source, not across sources */
	assert_load_error("imap_source = imaps://a:p@h1.example.org\n"
	    "imap_timeout = 1m\n"
	    "imap_timeout = 2m\n", 3,
	    "duplicate key \"imap_timeout\" (first set on line 2)");
	assert_load_error("imap_timeout = 1m\n"
	    "imap_timeout = 2m\n", 2,
	    "duplicate key \"imap_timeout\" (first set on line 1)");
	/* one password per source, blamed on the source's own lines */
	assert_load_error("imap_source = imaps://a:p@h1.example.org\n"
	    "imap_group = one\n"
	    "imap_source = imaps://b@h2.example.org\n"
	    "imap_group = two\n", 3,
	    "imap_source has no password: put it in the URL or set"
	    " imap_password_file");
	assert_load_error("imap_source = imaps://b@h2.example.org\n"
	    "imap_password_file = /pw\n"
	    "imap_group = one\n"
	    "imap_source = imaps://a:p@h1.example.org\n"
	    "imap_password_file = /pw\n", 5,
	    "imap_source has a password and imap_password_file is set: use"
	    " one");
	/* a default password file and a URL with a password */
	assert_load_error("imap_password_file = /pw\n"
	    "imap_source = imaps://a:p@h1.example.org\n", 1,
	    "imap_source has a password and imap_password_file is set: use"
	    " one");
	assert_load_error("imap_source = \"\"\n", 1,
	    "imap_source: empty (for no source, write no imap_source line)");
	/* a bad value in the second source */
	assert_load_error("imap_source = imaps://a:p@h1.example.org\n"
	    "imap_source = imaps://a:p@h2.example.org\n"
	    "imap_processed = archive\n", 3,
	    "imap_processed: expected move:FOLDER, flag or delete");
}

/* CONFIG_IMAP_SOURCES_MAX sources load; one more is an error on its line;
 * config_check finds a duplicate without lines. */
static void
test_imap_sources_max(void **state)
{
	struct config cfg;
	struct buf text = BUF_INIT, err = BUF_INIT;
	int i;

	for (i = 0; i < CONFIG_IMAP_SOURCES_MAX; i++)
		buf_printf(&text, "imap_source = imaps://u%d:p@imap.example.org\n"
		    "imap_group = g%d\n", i, i);
	if (load_text(&cfg, buf_cstr(&text), &err) != 0)
		fail_msg("%s", buf_cstr(&err));
	assert_int_equal(cfg.imap_nsources, CONFIG_IMAP_SOURCES_MAX);
	assert_string_equal(config_source_name(
	    &cfg.imap_sources[CONFIG_IMAP_SOURCES_MAX - 1]), "g31");
	config_free(&cfg);
	buf_puts(&text, "imap_source = imaps://over:p@imap.example.org\n");
	{
		struct buf want = BUF_INIT;
		buf_printf(&want, "imap_source: more than %d sources",
		    CONFIG_IMAP_SOURCES_MAX);
		assert_load_error(buf_cstr(&text), 2 * CONFIG_IMAP_SOURCES_MAX +
		    1, buf_cstr(&want));
		buf_free(&want);
	}
	/* config_set: the same limit, nothing changed by the refused one */
	config_defaults(&cfg);
	for (i = 0; i < CONFIG_IMAP_SOURCES_MAX; i++) {
		buf_reset(&text);
		buf_printf(&text, "imaps://u%d:p@imap.example.org", i);
		set_ok(&cfg, "imap_source", buf_cstr(&text));
	}
	assert_int_equal(config_set(&cfg, "imap_source",
	    "imaps://over:p@imap.example.org", &err), -1);
	assert_int_equal(cfg.imap_nsources, CONFIG_IMAP_SOURCES_MAX);
	/* all named "site": config_check says so, without a line */
	assert_int_equal(config_check(&cfg, &err), -1);
	assert_string_equal(buf_cstr(&err), "two IMAP sources named \"site\":"
	    " give each its own imap_group (none for the site-wide one)");
	config_free(&cfg);
	buf_free(&text);
	buf_free(&err);
}

/* Keys before any source with no source at all: no fetcher, no dump. */
static void
test_imap_defaults_without_source(void **state)
{
	struct config cfg;
	struct buf err = BUF_INIT, out = BUF_INIT;

	if (load_text(&cfg, "imap_group = g\nimap_timeout = 1m\n", &err) != 0)
		fail_msg("%s", buf_cstr(&err));
	assert_int_equal(cfg.imap_nsources, 0);
	assert_string_equal(cfg.imap_defaults.group, "g");
	config_dump(&cfg, &out);
	assert_null(strstr(buf_cstr(&out), "imap_"));
	config_free(&cfg);
	buf_free(&err);
	buf_free(&out);
}

/* A failed load still leaves a struct that config_free releases, and err
 * may be NULL. */
static void
test_error_without_buf(void **state)
{
	struct config cfg;

	write_conf("relay = smtp://u:p@\n", 20);
	assert_int_equal(config_load(&cfg, conf_path, NULL), -1);
	assert_string_equal(cfg.relay.text_safe, "smtp://127.0.0.1:25");
	config_free(&cfg);
	config_defaults(&cfg);
	assert_int_equal(config_set(&cfg, "nope", "1", NULL), -1);
	config_free(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_dump_defaults),
		cmocka_unit_test(test_load_null_and_paths),
		cmocka_unit_test(test_good_values),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_bad_values_in_file),
		cmocka_unit_test(test_relay_forms),
		cmocka_unit_test(test_relay_dump_masks_password),
		cmocka_unit_test(test_listen_forms),
		cmocka_unit_test(test_listen_bad),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_limits_crossed),
		cmocka_unit_test(test_unknown_and_duplicate),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_comments_and_quoting),
		cmocka_unit_test(test_crlf_bom_no_final_newline),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_rules_between_keys),
		cmocka_unit_test(test_dump_roundtrip),
		cmocka_unit_test(test_error_without_buf),
		cmocka_unit_test(test_imap_one_source),
		cmocka_unit_test(test_imap_several_sources),
		cmocka_unit_test(test_imap_source_errors),
		cmocka_unit_test(test_imap_sources_max),
		cmocka_unit_test(test_imap_defaults_without_source),
	};
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
