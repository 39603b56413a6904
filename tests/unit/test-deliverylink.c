/* Unit tests for daemon/deliverylink.c: link tokens bound to group, member
 * and key, their shape limits, form tokens and their lifetime, mode names. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/deliverylink.h"

static const char key[] = "unsub-token-of-the-membership";

static void
test_link_round_trip(void **state)
{
	struct buf t = BUF_INIT, u = BUF_INIT;
	int64_t g = 0, m = 0;
	deliverylink_token(&t, 7, 42, key);
	assert_true(strncmp(buf_cstr(&t), "7-42-", 5) == 0);
	assert_int_equal(t.len, 5 + DELIVERYLINK_MAC_LEN);
	assert_true(deliverylink_parse(buf_cstr(&t), &g, &m));
	assert_int_equal(g, 7);
	assert_int_equal(m, 42);
	assert_true(deliverylink_verify(buf_cstr(&t), key));
	/* another key, another member or group: refused */
	assert_false(deliverylink_verify(buf_cstr(&t), "other-key"));
	assert_false(deliverylink_verify(buf_cstr(&t), ""));
	struct buf forged = BUF_INIT;
	buf_printf(&forged, "7-43-%s", buf_cstr(&t) + 5);
	assert_false(deliverylink_verify(buf_cstr(&forged), key));
	buf_reset(&forged);
	buf_printf(&forged, "8-42-%s", buf_cstr(&t) + 5);
	assert_false(deliverylink_verify(buf_cstr(&forged), key));
	deliverylink_url(&u, "https://majlis.example", 7, 42, key);
	assert_true(strncmp(buf_cstr(&u), "https://majlis.example/d/7-42-",
	    30) == 0);
	assert_string_equal(buf_cstr(&u) + 25, buf_cstr(&t));
	buf_free(&forged);
	buf_free(&t);
	buf_free(&u);
}

static void
test_link_shape(void **state)
{
	int64_t g = 5, m = 5;
	char mac[DELIVERYLINK_MAC_LEN + 2];
	memset(mac, 'A', sizeof mac);
	mac[DELIVERYLINK_MAC_LEN] = '\0';
	char s[160];
	snprintf(s, sizeof s, "1-2-%s", mac);
	assert_true(deliverylink_parse(s, &g, &m));
	snprintf(s, sizeof s, "0-2-%s", mac);		/* leading zero */
	assert_false(deliverylink_parse(s, &g, &m));
	snprintf(s, sizeof s, "1--%s", mac);		/* no member */
	assert_false(deliverylink_parse(s, &g, &m));
	snprintf(s, sizeof s, "1-2-%.*s", DELIVERYLINK_MAC_LEN - 1, mac);
	assert_false(deliverylink_parse(s, &g, &m));
	mac[DELIVERYLINK_MAC_LEN] = 'A';
	mac[DELIVERYLINK_MAC_LEN + 1] = '\0';
	snprintf(s, sizeof s, "1-2-%s", mac);		/* one char too many */
	assert_false(deliverylink_parse(s, &g, &m));
	mac[DELIVERYLINK_MAC_LEN] = '\0';
	snprintf(s, sizeof s, "1-2-%.*s.", DELIVERYLINK_MAC_LEN - 1, mac);
	assert_false(deliverylink_parse(s, &g, &m));
	/* ids of DELIVERYLINK_ID_DIGITS (18) digits pass, 19 do not */
	snprintf(s, sizeof s, "123456789012345678-2-%s", mac);
	assert_true(deliverylink_parse(s, &g, &m));
	assert_int_equal(g, 123456789012345678LL);
	snprintf(s, sizeof s, "1234567890123456789-2-%s", mac);
	assert_false(deliverylink_parse(s, &g, &m));
	/* the whole token over DELIVERYLINK_TOKEN_MAX */
	snprintf(s, sizeof s, "123456789012345678-123456789012345678-%s"
	    "AAAAAAAAAA", mac);
	assert_true(strlen(s) > DELIVERYLINK_TOKEN_MAX);
	assert_false(deliverylink_parse(s, &g, &m));
	assert_int_equal(g, 123456789012345678LL);
	assert_int_equal(m, 2);
}

static void
test_form_token(void **state)
{
	const char *secret = "site-secret", *link = "7-42-abc";
	struct buf f = BUF_INIT;
	int64_t now = 1800000000;
	deliverylink_form_token(&f, secret, link, now);
	assert_true(deliverylink_form_check(buf_cstr(&f), secret, link, now));
	assert_true(deliverylink_form_check(buf_cstr(&f), secret, link,
	    now + DELIVERYLINK_FORM_TTL));
	assert_false(deliverylink_form_check(buf_cstr(&f), secret, link,
	    now + DELIVERYLINK_FORM_TTL + 1));
	assert_false(deliverylink_form_check(buf_cstr(&f), secret, link,
	    now - 1));	/* from the future */
	assert_false(deliverylink_form_check(buf_cstr(&f), secret, "7-43-abc",
	    now));
	assert_false(deliverylink_form_check(buf_cstr(&f), "other", link, now));
	/* the time cannot be moved without the MAC */
	struct buf moved = BUF_INIT;
	buf_printf(&moved, "%lld%s", (long long)now + 100,
	    strchr(buf_cstr(&f), '.'));
	assert_false(deliverylink_form_check(buf_cstr(&moved), secret, link,
	    now + 100));
	assert_false(deliverylink_form_check("", secret, link, now));
	assert_false(deliverylink_form_check("1800000000", secret, link, now));
	buf_free(&moved);
	buf_free(&f);
}

static void
test_modes(void **state)
{
	assert_true(deliverylink_mode_valid("each"));
	assert_true(deliverylink_mode_valid("none"));
	assert_false(deliverylink_mode_valid("digest"));
	assert_false(deliverylink_mode_valid(""));
	assert_string_equal(deliverylink_kind_mode("delivery-weekly"), "weekly");
	assert_null(deliverylink_kind_mode("delivery-monthly"));
	assert_null(deliverylink_kind_mode("subscribe"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_round_trip),
		cmocka_unit_test(test_link_shape),
		cmocka_unit_test(test_form_token),
		cmocka_unit_test(test_modes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
