/* Unit tests for the web layer's pure parts: web/route.c (the real table
 * and the matcher), web/html.c (escaping, template), web/i18n.c (language
 * choice, catalogs, dates), web/board.c's body folding and web/export.c's
 * mboxrd, content types and dispositions. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/buf.h"
#include "web/board.h"
#include "web/export.h"
#include "web/html.h"
#include "web/i18n.h"
#include "web/route.h"

/* The handler the table names for a path, or NULL; params filled. */
static const struct route *
match(int method, const char *path, enum route_result want,
    struct route_params *p)
{
	const struct route *r;
	enum route_result res = route_match(route_table, route_count(), method,
	    path, &r, p);
	assert_int_equal(res, want);
	return r;
}

static void
test_route_table(void **state)
{
	struct route_params p;
	const struct route *r = match(ROUTE_GET, "/", ROUTE_OK, &p);
	assert_string_equal(r->pattern, "/");
	r = match(ROUTE_GET, "/g/cloud-souverain", ROUTE_OK, &p);
	assert_string_equal(r->pattern, "/g/{slug}");
	assert_string_equal(p.slug, "cloud-souverain");
	assert_int_equal(r->perm, ROUTE_PERM_GROUP_READ);
	r = match(ROUTE_GET, "/g/cloud-souverain.json", ROUTE_OK, &p);
	assert_string_equal(r->pattern, "/g/{slug}.json");
	assert_string_equal(p.slug, "cloud-souverain");
	r = match(ROUTE_GET, "/g/x/t/123.json", ROUTE_OK, &p);
	assert_string_equal(r->pattern, "/g/{slug}/t/{id}.json");
	assert_int_equal(p.id, 123);
	r = match(ROUTE_GET, "/g/x/t/123", ROUTE_OK, &p);
	assert_string_equal(r->pattern, "/g/{slug}/t/{id}");
	r = match(ROUTE_GET, "/g/x/t/9.mbox", ROUTE_OK, &p);
	assert_string_equal(r->pattern, "/g/{slug}/t/{id}.mbox");
	r = match(ROUTE_GET, "/g/x/atom.xml", ROUTE_OK, &p);
	assert_string_equal(r->pattern, "/g/{slug}/atom.xml");
	r = match(ROUTE_GET, "/a/7/r%C3%A9sum%C3%A9.pdf", ROUTE_OK, &p);
	assert_int_equal(p.id, 7);
	assert_string_equal(p.name, "résumé.pdf");
	assert_int_equal(r->perm, ROUTE_PERM_IN_HANDLER);
	r = match(ROUTE_POST, "/u/AbC_-09", ROUTE_OK, &p);
	assert_string_equal(p.token, "AbC_-09");
	assert_int_equal(r->csrf, 0);
	match(ROUTE_GET, "/static/majlis.css", ROUTE_OK, &p);
	match(ROUTE_GET, "/healthz", ROUTE_OK, &p);
	match(ROUTE_GET, "/index.json", ROUTE_OK, &p);
	/* every group route asks for the group read permission */
	for (int i = 0; i < route_count(); i++)
		if (strstr(route_table[i].pattern, "{slug}") != NULL)
			assert_int_equal(route_table[i].perm,
			    ROUTE_PERM_GROUP_READ);
}

static void
test_route_rejects(void **state)
{
	struct route_params p;
	match(ROUTE_POST, "/g/x", ROUTE_BAD_METHOD, &p);
	match(ROUTE_GET, "/g/x/", ROUTE_NOT_FOUND, &p);
	match(ROUTE_GET, "/g/", ROUTE_NOT_FOUND, &p);
	match(ROUTE_GET, "/g/a.b", ROUTE_NOT_FOUND, &p);
	match(ROUTE_GET, "/g/x/t/0", ROUTE_NOT_FOUND, &p);
	match(ROUTE_GET, "/g/x/t/012", ROUTE_NOT_FOUND, &p);
	match(ROUTE_GET, "/g/x/t/-1", ROUTE_NOT_FOUND, &p);
	match(ROUTE_GET, "/g/x/t/1e3", ROUTE_NOT_FOUND, &p);
	/* 18 digits pass, 19 do not (no overflow) */
	match(ROUTE_GET, "/g/x/t/999999999999999999", ROUTE_OK, &p);
	assert_true(p.id == 999999999999999999LL);
	match(ROUTE_GET, "/g/x/t/1000000000000000000", ROUTE_NOT_FOUND, &p);
	match(ROUTE_GET, "/g/x%00y", ROUTE_BAD_PATH, &p);
	match(ROUTE_GET, "/g/%zz", ROUTE_BAD_PATH, &p);
	match(ROUTE_GET, "/g/%4", ROUTE_BAD_PATH, &p);
	match(ROUTE_GET, "/g/%ff%fe", ROUTE_BAD_PATH, &p);
	match(ROUTE_GET, "/g/%C3%A9", ROUTE_NOT_FOUND, &p);
	/* an encoded slash stays inside its segment */
	match(ROUTE_GET, "/g/x%2Ft%2F1", ROUTE_NOT_FOUND, &p);
	match(ROUTE_GET, "/a/1/x%0Ay", ROUTE_NOT_FOUND, &p);
	match(ROUTE_GET, "relative", ROUTE_BAD_PATH, &p);
	match(ROUTE_GET, "/a/b/c/d/e/f/g/h/i/j", ROUTE_NOT_FOUND, &p);
	/* slug and token limits */
	char path[ROUTE_PATH_MAX + 16];
	memcpy(path, "/g/", 3);
	memset(path + 3, 'a', ROUTE_SLUG_MAX);
	path[3 + ROUTE_SLUG_MAX] = '\0';
	match(ROUTE_GET, path, ROUTE_OK, &p);
	path[3 + ROUTE_SLUG_MAX] = 'a';
	path[4 + ROUTE_SLUG_MAX] = '\0';
	match(ROUTE_GET, path, ROUTE_NOT_FOUND, &p);
	memcpy(path, "/u/", 3);
	memset(path + 3, 'a', ROUTE_TOKEN_MAX + 1);
	path[4 + ROUTE_TOKEN_MAX] = '\0';
	match(ROUTE_GET, path, ROUTE_NOT_FOUND, &p);
	memset(path, 'a', sizeof path);
	path[0] = '/';
	path[ROUTE_PATH_MAX + 1] = '\0';
	match(ROUTE_GET, path, ROUTE_BAD_PATH, &p);
}

static void
test_html_escape(void **state)
{
	struct buf b = BUF_INIT;
	html_esc(&b, "<script>a&b\"c'd</script>");
	assert_string_equal(buf_cstr(&b),
	    "&lt;script&gt;a&amp;b&quot;c&#39;d&lt;/script&gt;");
	buf_reset(&b);
	/* NUL and broken UTF-8 become U+FFFD, C0/C1 controls vanish,
	 * tab and newlines stay, Arabic passes */
	html_esc_len(&b, "a\0b\xc3(\x01\x7f\t\n\xc2\x85\xd8\xb3", 13);
	assert_string_equal(buf_cstr(&b), "a\xef\xbf\xbd" "b\xef\xbf\xbd(\t\n"
	    "\xd8\xb3");
	buf_reset(&b);
	html_esc(&b, "\xed\xa0\x80\xf4\x90\x80\x80\xc0\xaf\xef\xbf\xbe");
	/* one U+FFFD per invalid byte: 3 (surrogate), 4 (> U+10FFFF),
	 * 2 (overlong); U+FFFE dropped */
	struct buf want = BUF_INIT;
	for (int i = 0; i < 9; i++)
		buf_puts(&want, "\xef\xbf\xbd");
	assert_string_equal(buf_cstr(&b), buf_cstr(&want));
	buf_free(&want);
	buf_reset(&b);
	html_url_segment(&b, "a b/é\"<");
	assert_string_equal(buf_cstr(&b), "a%20b%2F%C3%A9%22%3C");
	buf_reset(&b);
	html_printf(&b, "<a href=\"/g/%u\">%s</a>%H %d %D %%", "x y", "<b>",
	    "<i>", -3, (int64_t)1 << 40);
	assert_string_equal(buf_cstr(&b), "<a href=\"/g/x%20y\">&lt;b&gt;</a>"
	    "<i> -3 1099511627776 %");
	buf_free(&b);
	assert_int_equal(html_utf8_valid("caf\xc3\xa9", 5), 1);
	assert_int_equal(html_utf8_valid("a\0b", 3), 0);
	assert_int_equal(html_utf8_valid("\xe2\x82", 2), 0);
}

static void
test_i18n_pick(void **state)
{
	assert_int_equal(i18n_pick(NULL, I18N_FR), I18N_FR);
	assert_int_equal(i18n_pick("", I18N_AR), I18N_AR);
	assert_int_equal(i18n_pick("ar", I18N_EN), I18N_AR);
	assert_int_equal(i18n_pick("fr-CA,fr;q=0.9,en;q=0.8", I18N_EN), I18N_FR);
	assert_int_equal(i18n_pick("de-DE,de;q=0.9,en;q=0.5,ar;q=0.6",
	    I18N_FR), I18N_AR);
	assert_int_equal(i18n_pick("de, es", I18N_FR), I18N_FR);
	assert_int_equal(i18n_pick("fr;q=0, en;q=0.1", I18N_AR), I18N_EN);
	assert_int_equal(i18n_pick("fr;q=0", I18N_AR), I18N_AR);
	assert_int_equal(i18n_pick("*", I18N_AR), I18N_AR);
	assert_int_equal(i18n_pick("EN-gb", I18N_AR), I18N_EN);
	assert_int_equal(i18n_pick("fra, ara", I18N_EN), I18N_EN);
	assert_int_equal(i18n_pick("fr;q=bad, ar;q=0.2", I18N_EN), I18N_AR);
	assert_int_equal(i18n_pick("en;q=0.5, fr;q=0.5", I18N_AR), I18N_EN);
	/* ranges past the limit and bytes past I18N_ACCEPT_MAX are ignored */
	struct buf b = BUF_INIT;
	for (int i = 0; i < I18N_ACCEPT_RANGES; i++)
		buf_puts(&b, "de,");
	buf_puts(&b, "ar");
	assert_int_equal(i18n_pick(buf_cstr(&b), I18N_FR), I18N_FR);
	buf_reset(&b);
	for (int i = 0; i < I18N_ACCEPT_MAX; i++)
		buf_putc(&b, ' ');
	buf_puts(&b, "ar");
	assert_int_equal(i18n_pick(buf_cstr(&b), I18N_FR), I18N_FR);
	buf_free(&b);
	assert_string_equal(i18n_dir(I18N_AR), "rtl");
	assert_string_equal(i18n_dir(I18N_FR), "ltr");
	assert_string_equal(i18n_code(I18N_AR), "ar");
	assert_int_equal(i18n_lang_from_code("fr", I18N_EN), I18N_FR);
	assert_int_equal(i18n_lang_from_code("xx", I18N_AR), I18N_AR);
}

static void
test_i18n_catalogs(void **state)
{
	/* every message exists in every language, and translations differ
	 * from English where a word must change */
	for (int l = 0; l < I18N_NLANGS; l++)
		for (int m = 0; m < I18N_NMSGS; m++)
			assert_true(i18n_msg((enum i18n_lang)l,
			    (enum i18n_msg)m)[0] != '\0');
	assert_string_equal(i18n_msg(I18N_FR, I18N_GROUPS), "Groupes");
	assert_string_equal(i18n_msg(I18N_AR, I18N_GROUPS), "المجموعات");
	struct buf b = BUF_INIT;
	i18n_date(&b, I18N_EN, 1794478443);	/* 2026-11-12 10:14:03 UTC */
	assert_string_equal(buf_cstr(&b), "12 November 2026, 10:14");
	buf_reset(&b);
	i18n_date(&b, I18N_FR, 1794478443);
	assert_string_equal(buf_cstr(&b), "12 novembre 2026 à 10:14");
	buf_reset(&b);
	i18n_date(&b, I18N_AR, 1794478443);
	assert_string_equal(buf_cstr(&b), "12 نوفمبر 2026، 10:14");
	buf_free(&b);
}

static void
test_body_folding(void **state)
{
	const char *text = "Yes.\n\nOn Mon, Bob wrote:\n> <script>x</script>\n"
	    "\n-- \nAlice\n";
	struct buf b = BUF_INIT;
	board_body_html(&b, text, strlen(text), "Quoted", "Sig");
	assert_string_equal(buf_cstr(&b), "<p class=\"text\">Yes.</p>\n"
	    "<details class=\"quote\"><summary>Quoted</summary><p class=\"text\">"
	    "On Mon, Bob wrote:\n&gt; &lt;script&gt;x&lt;/script&gt;</p>"
	    "</details>\n<details class=\"sig\"><summary>Sig</summary>"
	    "<p class=\"text\">-- \nAlice</p></details>\n");
	buf_free(&b);
}

static void
test_mboxrd(void **state)
{
	const char *raw = "From: a@b\r\nSubject: x\r\n\r\nFrom here\r\n"
	    ">From there\r\n>>From: no\r\nlast";
	struct buf b = BUF_INIT;
	export_mboxrd(&b, "majlis", 1794478443, raw, strlen(raw));
	assert_string_equal(buf_cstr(&b), "From majlis Thu Nov 12 10:14:03 2026\n"
	    "From: a@b\nSubject: x\n\n>From here\n>>From there\n>>From: no\n"
	    "last\n\n");
	buf_free(&b);
}

static void
test_export_types(void **state)
{
	assert_string_equal(export_safe_type("application/pdf"),
	    "application/pdf");
	assert_string_equal(export_safe_type("image/png"), "image/png");
	assert_string_equal(export_safe_type("text/html"),
	    "application/octet-stream");
	assert_string_equal(export_safe_type("image/svg+xml"),
	    "application/octet-stream");
	assert_string_equal(export_safe_type("application/xhtml+xml"),
	    "application/octet-stream");
	assert_string_equal(export_safe_type("text/plain\r\nX: y"),
	    "application/octet-stream");
	assert_string_equal(export_safe_type("TEXT/HTML"),
	    "application/octet-stream");
	assert_string_equal(export_safe_type(""), "application/octet-stream");
	assert_string_equal(export_safe_type("text/javascript"),
	    "application/octet-stream");
	struct buf b = BUF_INIT;
	export_disposition(&b, "r\xc3\xa9sum\xc3\xa9 \"v2\"\r\n.pdf");
	assert_string_equal(buf_cstr(&b), "attachment; filename=\"r__sum__ _v2___"
	    ".pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22v2%22%0D%0A.pdf");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_table),
		cmocka_unit_test(test_route_rejects),
		cmocka_unit_test(test_html_escape),
		cmocka_unit_test(test_i18n_pick),
		cmocka_unit_test(test_i18n_catalogs),
		cmocka_unit_test(test_body_folding),
		cmocka_unit_test(test_mboxrd),
		cmocka_unit_test(test_export_types),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
