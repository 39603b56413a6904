/* Unit tests for daemon/site.c: the checks and their limits, the
 * configuration's values as defaults, stored values taken only when
 * valid, and saving only what changed (audited). */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/buf.h"
#include "daemon/config.h"
#include "daemon/db.h"
#include "daemon/schema.h"
#include "daemon/site.h"
#include "daemon/store_site.h"

static void
test_check(void **state)
{
	(void)state;
	struct config cfg;
	struct site_settings s;
	config_defaults(&cfg);
	site_defaults(&cfg, &s);
	assert_string_equal(s.name, cfg.site_name);
	assert_string_equal(s.language, "en");
	assert_int_equal(s.registration, 1);
	assert_int_equal(s.held_reminder, cfg.mod_pending_interval);
	assert_int_equal(site_check(&s), SITE_OK);
	memset(s.name, 'n', SITE_NAME_MAX);
	s.name[SITE_NAME_MAX] = '\0';
	assert_int_equal(site_check(&s), SITE_OK);
	s.name[0] = '\0';
	assert_int_equal(site_check(&s), SITE_BAD_NAME);
	snprintf(s.name, sizeof s.name, "a\tb");
	assert_int_equal(site_check(&s), SITE_BAD_NAME);
	snprintf(s.name, sizeof s.name, "bad \xc3(");
	assert_int_equal(site_check(&s), SITE_BAD_NAME);
	snprintf(s.name, sizeof s.name, "مجلس");
	assert_int_equal(site_check(&s), SITE_OK);
	snprintf(s.language, sizeof s.language, "de");
	assert_int_equal(site_check(&s), SITE_BAD_LANGUAGE);
	snprintf(s.language, sizeof s.language, "ar");
	s.held_reminder = SITE_REMINDER_MIN - 1;
	assert_int_equal(site_check(&s), SITE_BAD_REMINDER);
	s.held_reminder = SITE_REMINDER_MIN;
	assert_int_equal(site_check(&s), SITE_OK);
	s.held_reminder = SITE_REMINDER_MAX;
	assert_int_equal(site_check(&s), SITE_OK);
	s.held_reminder = SITE_REMINDER_MAX + 1;
	assert_int_equal(site_check(&s), SITE_BAD_REMINDER);
	/* a longer name in majlis.conf is cut before a whole character */
	struct buf err = BUF_INIT, name = BUF_INIT;
	for (int i = 0; i < SITE_NAME_MAX - 1; i++)
		buf_putc(&name, 'a');
	buf_puts(&name, "\xd9\x85" "bc");	/* U+0645 across the limit */
	assert_int_equal(config_set(&cfg, "site_name", buf_cstr(&name), &err),
	    0);
	site_defaults(&cfg, &s);
	assert_int_equal(strlen(s.name), SITE_NAME_MAX - 1);
	assert_int_equal(site_check(&s), SITE_OK);
	buf_free(&name);
	buf_free(&err);
	config_free(&cfg);
}

static void
test_load_save(void **state)
{
	(void)state;
	char dir[] = "/tmp/majlis-test-site-XXXXXX", path[256], cmd[300];
	struct buf err = BUF_INIT;
	struct config cfg;
	struct site_settings before, after, got;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/t.db", dir);
	struct db *db = db_open(path, &err);
	assert_non_null(db);
	assert_int_equal(schema_migrate(db, &err), 0);
	config_defaults(&cfg);
	assert_int_equal(site_load(db, &cfg, &before), 0);
	after = before;
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(site_save(db, &before, &after, "root"), 0);
	snprintf(after.name, sizeof after.name, "Observatoire");
	after.registration = 0;
	assert_int_equal(site_save(db, &before, &after, "root"), 1);
	assert_int_equal(db_commit(db), 0);
	/* only what changed is stored */
	assert_int_equal(db_int(db, "SELECT count(*) FROM settings WHERE key"
	    " LIKE 'site.%'", -1, NULL), 2);
	assert_int_equal(db_int(db, "SELECT count(*) FROM audit_log WHERE"
	    " action = 'site.settings' AND actor = 'root'", -1, NULL), 1);
	assert_int_equal(site_load(db, &cfg, &got), 0);
	assert_string_equal(got.name, "Observatoire");
	assert_int_equal(got.registration, 0);
	assert_string_equal(got.language, "en");
	assert_int_equal(got.held_reminder, cfg.mod_pending_interval);
	/* a stored value that is not valid (written by hand) is ignored */
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(store_site_set(db, "language", "de"), 0);
	assert_int_equal(store_site_set(db, "held_reminder", "12x"), 0);
	assert_int_equal(store_site_set(db, "registration", "maybe"), 0);
	assert_int_equal(store_site_set(db, "name", ""), 0);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(site_load(db, &cfg, &got), 0);
	assert_string_equal(got.name, cfg.site_name);
	assert_string_equal(got.language, "en");
	assert_int_equal(got.registration, 1);
	assert_int_equal(got.held_reminder, cfg.mod_pending_interval);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(store_site_set(db, "held_reminder", "3600"), 0);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(site_load(db, &cfg, &got), 0);
	assert_int_equal(got.held_reminder, 3600);
	/* site_current: what a save stored shows at once, and a value
	 * written behind its back once it forgets */
	assert_int_equal(site_current(db, &cfg, &got), 0);
	assert_int_equal(got.held_reminder, 3600);
	before = got;
	after = got;
	after.held_reminder = 7200;
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(site_save(db, &before, &after, "root"), 1);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(site_current(db, &cfg, &got), 0);
	assert_int_equal(got.held_reminder, 7200);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(store_site_set(db, "language", "ar"), 0);
	assert_int_equal(db_commit(db), 0);
	site_forget();
	assert_int_equal(site_current(db, &cfg, &got), 0);
	assert_string_equal(got.language, "ar");
	config_free(&cfg);
	db_close(&db);
	buf_free(&err);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_load_save),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
