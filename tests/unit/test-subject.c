/* Unit tests for mail/subject.c, with the subjects of the sample corpus
 * (decoded by hand). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/buf.h"
#include "mail/subject.h"

#define NBSP	"\xc2\xa0"
#define NNBSP	"\xe2\x80\xaf"
#define CS	"cloud-souverain"
#define SV	"souverainete"

/* fr-latin1-qp.eml, outlook-reply-no-refs.eml, apple-flowed-fr.eml */
#define FR_NEW	"R\xc3\xa9union du comit\xc3\xa9 - \xc3\xa9t\xc3\xa9 2026"
#define FR_OUTLOOK	"RE: [cloud-souverain] " FR_NEW
#define FR_APPLE	"Re: [cloud-souverain] " FR_NEW
#define FR_KEY	"r\xc3\xa9union du comit\xc3\xa9 - \xc3\xa9t\xc3\xa9 2026"
/* ar-cp1256-b64.eml ("مسودة التقرير: السيادة الرقمية") and its Gmail reply */
#define AR_NEW	"\xd9\x85\xd8\xb3\xd9\x88\xd8\xaf\xd8\xa9 " \
	"\xd8\xa7\xd9\x84\xd8\xaa\xd9\x82\xd8\xb1\xd9\x8a\xd8\xb1: " \
	"\xd8\xa7\xd9\x84\xd8\xb3\xd9\x8a\xd8\xa7\xd8\xaf\xd8\xa9 " \
	"\xd8\xa7\xd9\x84\xd8\xb1\xd9\x82\xd9\x85\xd9\x8a\xd8\xa9"
#define AR_GMAIL	"Re: [souverainete] " AR_NEW
#define AR_RADD	"\xd8\xb1\xd8\xaf"	/* رد */
#define AR_RA	"\xd8\xb1"		/* ر */
#define AR_FWD	"\xd8\xa5\xd8\xb9\xd8\xa7\xd8\xaf\xd8\xa9 " \
	"\xd8\xaa\xd9\x88\xd8\xac\xd9\x8a\xd9\x87"	/* إعادة توجيه */

static void
norm(const char *subject, const char *slug, const char *want)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, "old");
	subject_normalize(&b, subject, slug);
	if (strcmp(buf_cstr(&b), want) != 0)
		fail_msg("normalize(\"%s\") = \"%s\", want \"%s\"", subject,
		    buf_cstr(&b), want);
	buf_free(&b);
}

static void
tag(const char *subject, const char *slug, const char *want)
{
	struct buf b = BUF_INIT, again = BUF_INIT;

	buf_puts(&b, "old");
	subject_for_list(&b, subject, slug);
	if (strcmp(buf_cstr(&b), want) != 0)
		fail_msg("for_list(\"%s\") = \"%s\", want \"%s\"", subject,
		    buf_cstr(&b), want);
	subject_for_list(&again, buf_cstr(&b), slug);
	assert_string_equal(buf_cstr(&again), want);
	buf_free(&b);
	buf_free(&again);
}

static void
test_corpus_threads(void **state)
{
	norm(FR_NEW, CS, FR_KEY);
	norm(FR_OUTLOOK, CS, FR_KEY);
	norm(FR_APPLE, CS, FR_KEY);
	norm(AR_NEW, SV, AR_NEW);
	norm(AR_GMAIL, SV, AR_NEW);
	norm(AR_RADD ": " AR_NEW, SV, AR_NEW);
	norm(AR_RADD " : " AR_NEW, SV, AR_NEW);
	norm(AR_RA ": [souverainete] " AR_NEW, SV, AR_NEW);
	norm(AR_FWD ": " AR_RADD ": " AR_NEW, SV, AR_NEW);
	norm("Re: [cloud-souverain] Weekly digest, 16 Nov 2026 (5 new posts)",
	    CS, "weekly digest, 16 nov 2026 (5 new posts)");
	norm("RE: [cloud-souverain] Souverainet\xc3\xa9  num\xc3\xa9rique", CS,
	    "souverainet\xc3\xa9 num\xc3\xa9rique");
	norm("Souverainet\xc3\xa9 num\xc3\xa9rique", CS,
	    "souverainet\xc3\xa9 num\xc3\xa9rique");
}

static void
test_prefixes(void **state)
{
	norm("RE : Fwd: AW: [Cloud-Souverain]  Re[2]: Re(3): SV: Antw: "
	    "R\xc3\xa9" "f.: REF: TR: Fw: FW : Tr : Aw: R\xc3\xa9" "f" NBSP ": "
	    "Re" NNBSP ": R\xc3\x89" "F : [ cloud-souverain ]Re:x", CS, "x");
	norm("Re:Re:Re: a", CS, "a");
	norm("Re:", CS, "");
	norm("  ", CS, "");
	norm("", CS, "");
	norm("Re: [other-list] x", CS, "[other-list] x");
	norm("[cloud-souverain] Re: x", NULL, "[cloud-souverain] re: x");
	norm("[cloud-souverain] Re: x", "", "[cloud-souverain] re: x");
	norm("Re: x [cloud-souverain]", CS, "x [cloud-souverain]");
}

static void
test_not_prefixes(void **state)
{
	norm("Return of the king", CS, "return of the king");
	norm("Re", CS, "re");
	norm("Re [2] x", CS, "re [2] x");
	norm("Re[x]: y", CS, "re[x]: y");
	norm("Tr\xc3\xa9sor: a", CS, "tr\xc3\xa9sor: a");
	norm("Fwdx: a", CS, "fwdx: a");
	norm("Ordre du jour : h\xc3\xa9" "bergement", CS,
	    "ordre du jour : h\xc3\xa9" "bergement");
	norm("[cloud] x", CS, "[cloud] x");
	norm("[cloud-souverainX] x", CS, "[cloud-souverainx] x");
}

static void
norm_prefix(const char *subject, const char *prefix, const char *want)
{
	struct buf b = BUF_INIT, again = BUF_INIT;

	subject_normalize_prefix(&b, subject, CS, prefix);
	if (strcmp(buf_cstr(&b), want) != 0)
		fail_msg("normalize(\"%s\", \"%s\") = \"%s\", want \"%s\"",
		    subject, prefix, buf_cstr(&b), want);
	subject_normalize_prefix(&again, buf_cstr(&b), CS, prefix);
	assert_string_equal(buf_cstr(&again), want);
	buf_free(&b);
	buf_free(&again);
}

/* The group's own prefix goes wherever a slug tag may stand: among the
 * leading reply prefixes, any case, as a whole word only. */
static void
test_own_prefix(void **state)
{
	norm_prefix("Re: [OBS] Budget", "[OBS]", "budget");
	norm_prefix("RE : [obs] Fwd: [cloud-souverain] Re: [OBS] Budget",
	    "[OBS]", "budget");
	norm_prefix("Re: Observatoire : Budget", "Observatoire :", "budget");
	norm_prefix("Re: OBS Budget", "OBS", "budget");
	norm_prefix("Re: OBSBudget", "OBS", "obsbudget");
	norm_prefix("Re: " AR_RADD ": [\xd9\x85] x", "[\xd9\x85]", "x");
	/* not at the start: kept */
	norm_prefix("Budget [OBS]", "[OBS]", "budget [obs]");
	/* none, or empty: only the slug's tag */
	norm_prefix("Re: [OBS] Budget", NULL, "[obs] budget");
	norm_prefix("Re: [OBS] Budget", "", "[obs] budget");
	norm_prefix("Re: [cloud-souverain] Budget", "[OBS]", "budget");
}

static void
test_whitespace(void **state)
{
	norm("  A \t B" NBSP NBSP "C\r\n D" NNBSP "E  ", CS, "a b c d e");
	norm("\xe2\x80\x8f" AR_RADD ": x", SV, "x");
	norm("MiXeD CaSe \xc3\x89T\xc3\x89", CS, "mixed case \xc3\x89t\xc3\x89");
}

static void
test_for_list(void **state)
{
	/* found by fuzzing: a reply behind a foreign tag is a reply */
	tag("[other] Re: x", CS, "Re: [cloud-souverain] [other] Re: x");
	tag(FR_NEW, CS, "[cloud-souverain] " FR_NEW);
	tag(FR_OUTLOOK, CS, "Re: [cloud-souverain] " FR_NEW);
	tag(FR_APPLE, CS, "Re: [cloud-souverain] " FR_NEW);
	tag("[cloud-souverain] Re: [cloud-souverain] x", CS,
	    "Re: [cloud-souverain] x");
	tag("Re: Re: RE: x", CS, "Re: [cloud-souverain] x");
	tag("AW: x", CS, "Re: [cloud-souverain] x");
	tag("", CS, "[cloud-souverain] (no subject)");
	tag("   ", CS, "[cloud-souverain] (no subject)");
	tag("[cloud-souverain]", CS, "[cloud-souverain] (no subject)");
	tag("Re:", CS, "Re: [cloud-souverain] (no subject)");
	tag("Fwd: [cloud-souverain] x", CS, "[cloud-souverain] Fwd: x");
	tag("Re: Fwd: [cloud-souverain] Re: x", CS,
	    "Re: [cloud-souverain] Fwd: Re: x");
	tag("[other] x", CS, "[cloud-souverain] [other] x");
	tag("[Cloud-Souverain] x  ", CS, "[cloud-souverain] x");
	tag("x" NBSP NNBSP " ", CS, "[cloud-souverain] x");
	tag("Re:  a  b", CS, "Re: [cloud-souverain] a  b");
	tag(AR_RADD ": " AR_NEW, SV, "Re: [souverainete] " AR_NEW);
	tag(AR_GMAIL, SV, AR_GMAIL);
	tag(AR_NEW, SV, "[souverainete] " AR_NEW);
}

static void
test_is_reply(void **state)
{
	struct buf b = BUF_INIT;

	assert_int_equal(subject_is_reply("Re: x"), 1);
	assert_int_equal(subject_is_reply("RE : x"), 1);
	assert_int_equal(subject_is_reply("AW: x"), 1);
	assert_int_equal(subject_is_reply("R\xc3\xa9" "f.: x"), 1);
	assert_int_equal(subject_is_reply(AR_RADD ": x"), 1);
	assert_int_equal(subject_is_reply(FR_APPLE), 1);
	assert_int_equal(subject_is_reply("[cloud-souverain] Re: x"), 1);
	assert_int_equal(subject_is_reply("[a] [b] Re: x"), 1);
	assert_int_equal(subject_is_reply("Fwd: Re: x"), 0);
	assert_int_equal(subject_is_reply("TR: x"), 0);
	assert_int_equal(subject_is_reply(FR_NEW), 0);
	assert_int_equal(subject_is_reply("Return"), 0);
	assert_int_equal(subject_is_reply(""), 0);
	assert_int_equal(subject_is_reply("[unclosed Re: x"), 0);

	buf_putc(&b, '[');
	for (int i = 0; i < SUBJECT_MAX_TAG; i++)
		buf_putc(&b, 't');
	buf_puts(&b, "] Re: x");
	assert_int_equal(subject_is_reply(buf_cstr(&b)), 1);
	buf_reset(&b);
	buf_putc(&b, '[');
	for (int i = 0; i <= SUBJECT_MAX_TAG; i++)
		buf_putc(&b, 't');
	buf_puts(&b, "] Re: x");
	assert_int_equal(subject_is_reply(buf_cstr(&b)), 0);
	buf_free(&b);
}

/* Long hostile subjects stay linear and exact. */
static void
test_long(void **state)
{
	struct buf s = BUF_INIT, o = BUF_INIT;

	for (int i = 0; i < 100000; i++)
		buf_puts(&s, "Re: [cloud-souverain] ");
	buf_puts(&s, "end");
	subject_normalize(&o, buf_cstr(&s), CS);
	assert_string_equal(buf_cstr(&o), "end");
	subject_for_list(&o, buf_cstr(&s), CS);
	assert_string_equal(buf_cstr(&o), "Re: [cloud-souverain] end");
	buf_reset(&s);
	for (int i = 0; i < 100000; i++)
		buf_puts(&s, "[[[[");
	assert_int_equal(subject_is_reply(buf_cstr(&s)), 0);
	buf_free(&s);
	buf_free(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_threads),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_not_prefixes),
		cmocka_unit_test(test_own_prefix),
		cmocka_unit_test(test_whitespace),
		cmocka_unit_test(test_for_list),
		cmocka_unit_test(test_is_reply),
		cmocka_unit_test(test_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
