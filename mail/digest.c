/*
 * Digest composition (see digest.h): the catalog of the digest's words in
 * Arabic, French and English, the plain and HTML parts, the headers.
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "daemon/db.h"
#include "daemon/deliverylink.h"
#include "daemon/digest.h"
#include "daemon/quote.h"
#include "daemon/store_group.h"
#include "daemon/token.h"
#include "daemon/xalloc.h"
#include "mail/charset.h"
#include "mail/compose.h"
#include "mail/digest.h"
#include "mail/rfc2047.h"
#include "mail/subject.h"

#define DIGEST_B64_IN	57	/* input bytes per 76-column base64 line */
#define DIGEST_RULE	"------------------------------"

struct digest_words {
	const char	*lang, *dir;
	const char	*weekly, *daily;
	const char	*count;		/* posts, threads */
	const char	*count_one;	/* 1 post in 1 thread */
	const char	*issue;		/* volume, issue */
	const char	*contents, *new_thread, *reply, *web, *attachments;
	const char	*folded;	/* number of lines */
	const char	*from, *date, *subject;
	const char	*why;		/* group name */
	const char	*unsubscribe, *change;
	const char	*months[12];
};

static const struct digest_words digest_catalog[] = {
	{ "en", "ltr", "Weekly digest", "Daily digest",
	  "%d posts in %d threads", "1 post in 1 thread",
	  "Vol. %d, Issue %d", "Contents", "new thread", "Reply",
	  "Thread on the web", "Attachments", "[%d quoted lines folded]",
	  "From", "Date", "Subject",
	  "You receive this digest as a member of %s.",
	  "Unsubscribe", "Change delivery (each post, daily, weekly, web only)",
	  { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
	    "Oct", "Nov", "Dec" } },
	{ "fr", "ltr", "Résumé hebdomadaire", "Résumé quotidien",
	  "%d messages dans %d fils", "1 message dans 1 fil",
	  "Vol. %d, numéro %d", "Sommaire", "nouveau fil", "Répondre",
	  "Le fil sur le web", "Pièces jointes",
	  "[%d lignes citées repliées]", "De", "Date", "Sujet",
	  "Vous recevez ce résumé en tant que membre de %s.",
	  "Se désabonner",
	  "Changer de mode de réception (chaque message, quotidien,"
	  " hebdomadaire, web seulement)",
	  { "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août",
	    "sept.", "oct.", "nov.", "déc." } },
	{ "ar", "rtl", "الملخص الأسبوعي", "الملخص اليومي",
	  "الرسائل: %d في المواضيع: %d", "رسالة واحدة في موضوع واحد",
	  "المجلد %d، العدد %d", "المحتويات", "موضوع جديد", "رد",
	  "الموضوع على الويب", "المرفقات", "[%d سطور مقتبسة مطوية]",
	  "من", "التاريخ", "الموضوع",
	  "تصلك هذه النشرة لأنك عضو في %s.",
	  "إلغاء الاشتراك",
	  "تغيير طريقة الاستلام (كل رسالة، يومي، أسبوعي، على الويب فقط)",
	  { "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو",
	    "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر" } },
};

/* Catalog templates: each "%d" takes the next of a, b; "%s" takes str. */
static void
digest_tmpl(struct buf *out, const char *t, const char *str, int a, int b)
{
	int nint = 0;
	for (; *t; t++) {
		if (t[0] == '%' && t[1] == 'd') {
			buf_printf(out, "%d", nint++ == 0 ? a : b);
			t++;
		} else if (t[0] == '%' && t[1] == 's') {
			buf_puts(out, str ? str : "");
			t++;
		} else
			buf_putc(out, *t);
	}
}

static const struct digest_words *
digest_words(const char *locale)
{
	for (size_t i = 0; i < sizeof digest_catalog / sizeof *digest_catalog;
	    i++)
		if (strcmp(locale, digest_catalog[i].lang) == 0)
			return &digest_catalog[i];
	return &digest_catalog[0];
}

void
digest_pct(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
		    c == '~')
			buf_putc(out, (char)c);
		else {
			buf_putc(out, '%');
			buf_putc(out, hex[c >> 4]);
			buf_putc(out, hex[c & 15]);
		}
	}
}

void
digest_mailto(struct buf *out, const char *addr, const char *subject,
    const char *in_reply_to)
{
	buf_puts(out, "mailto:");
	const char *at = strrchr(addr, '@');
	if (at == NULL)
		digest_pct(out, addr);
	else {
		struct buf local = BUF_INIT;
		buf_append(&local, addr, (size_t)(at - addr));
		digest_pct(out, buf_cstr(&local));
		buf_putc(out, '@');
		digest_pct(out, at + 1);
		buf_free(&local);
	}
	buf_puts(out, "?subject=");
	digest_pct(out, subject ? subject : "");
	if (in_reply_to && *in_reply_to) {
		struct buf id = BUF_INIT;
		buf_printf(&id, "<%s>", in_reply_to);
		buf_puts(out, "&In-Reply-To=");
		digest_pct(out, buf_cstr(&id));
		buf_free(&id);
	}
}

/* HTML text: & < > " ' escaped. */
static void
digest_esc(struct buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		switch (s[i]) {
		case '&': buf_puts(out, "&amp;"); break;
		case '<': buf_puts(out, "&lt;"); break;
		case '>': buf_puts(out, "&gt;"); break;
		case '"': buf_puts(out, "&quot;"); break;
		case '\'': buf_puts(out, "&#39;"); break;
		case '\r': break;
		default: buf_putc(out, s[i]);
		}
}

static void
digest_escs(struct buf *out, const char *s)
{
	digest_esc(out, s, strlen(s));
}

/* "16 Nov 2026" (with_time: " 14:05") of the local time tm (nothing for
 * a time out of range: tm_mon outside 0..11). */
static void
digest_date(struct buf *out, const struct digest_words *w,
    const struct tm *tm, int with_time)
{
	if (tm->tm_mon < 0 || tm->tm_mon > 11)
		return;
	buf_printf(out, "%d %s %d", tm->tm_mday, w->months[tm->tm_mon],
	    tm->tm_year + 1900);
	if (with_time)
		buf_printf(out, " %02d:%02d", tm->tm_hour, tm->tm_min);
}

/* The broken-down local time of t in the zone TZ is set to; tm_mon -1
 * when t is out of range. */
static void
digest_tm(int64_t t, struct tm *tm)
{
	time_t tt = (time_t)t;
	if ((int64_t)tt != t || localtime_r(&tt, tm) == NULL) {
		memset(tm, 0, sizeof *tm);
		tm->tm_mon = -1;
	}
}

void
digest_mail_localise(struct digest_mail *dm, struct tm *post_tm, int64_t now)
{
	char *saved = digest_tz_push(dm->group_tz);
	digest_tm(dm->digest->period_end, &dm->issue_tm);
	digest_tz_pop(saved);
	saved = digest_tz_push(dm->member->timezone);
	for (size_t i = 0; i < dm->nposts; i++)
		digest_tm(dm->posts[i]->created, &post_tm[i]);
	digest_tz_pop(saved);
	dm->post_tm = post_tm;
	dm->now = now;
}

/* The date of the issue in the group's zone. */
static void
digest_issue_date(struct buf *out, const struct digest_words *w,
    const struct digest_mail *dm)
{
	digest_date(out, w, &dm->issue_tm, 0);
}

/* Threads of the digest: indexes into posts, new threads first. */
struct digest_order {
	size_t	*idx;		/* posts in display order */
	size_t	*start;		/* first index in idx of each thread */
	size_t	 nthreads;
};

static int
digest_is_new(const struct digest_mail *dm, const struct digest_post *p)
{
	return p->thread_first > dm->member->mark;
}

static void
digest_order(const struct digest_mail *dm, struct digest_order *o)
{
	size_t n = dm->nposts, k = 0;
	o->idx = calloc(n + 1, sizeof *o->idx);
	o->start = calloc(n + 2, sizeof *o->start);
	o->nthreads = 0;
	char *used = calloc(n + 1, 1);
	if (o->idx == NULL || o->start == NULL || used == NULL)
		abort();
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			const struct digest_post *p = dm->posts[i];
			if (used[i] || digest_is_new(dm, p) != (pass == 0))
				continue;
			o->start[o->nthreads++] = k;
			for (size_t j = i; j < n; j++)
				if (!used[j] && dm->posts[j]->thread_id ==
				    p->thread_id) {
					used[j] = 1;
					o->idx[k++] = j;
				}
		}
	o->start[o->nthreads] = k;
	free(used);
}

static void
digest_order_free(struct digest_order *o)
{
	free(o->idx);
	free(o->start);
}

void
digest_subject(struct buf *out, const struct digest_mail *dm)
{
	const struct digest_words *w = digest_words(dm->member->locale);
	struct digest_order o;
	digest_order(dm, &o);
	const char *prefix = dm->group->subject_prefix;
	if (prefix == NULL)
		buf_printf(out, "[%s] ", dm->group->slug);
	else if (*prefix != '\0')
		buf_printf(out, "%s ", prefix);
	buf_printf(out, "%s, ", strcmp(dm->digest->kind, "daily") == 0 ?
	    w->daily : w->weekly);
	digest_issue_date(out, w, dm);
	buf_puts(out, " — ");
	if (dm->nposts == 1)
		buf_puts(out, w->count_one);
	else
		digest_tmpl(out, w->count, NULL, (int)dm->nposts, (int)o.nthreads);
	digest_order_free(&o);
}

static void
digest_reply_subject(struct buf *out, const struct digest_post *p)
{
	if (!subject_is_reply(p->subject))
		buf_puts(out, "Re: ");
	buf_puts(out, p->subject);
}

static void
digest_post_mailto(struct buf *out, const struct digest_mail *dm,
    const struct digest_post *p)
{
	struct buf addr = BUF_INIT, subj = BUF_INIT;
	buf_printf(&addr, "%s@%s", dm->group->slug, dm->list_domain);
	digest_reply_subject(&subj, p);
	digest_mailto(out, buf_cstr(&addr), buf_cstr(&subj), p->message_id);
	buf_free(&addr);
	buf_free(&subj);
}

/* Lines of s[0..n) holding something other than blanks. */
static size_t
digest_count_lines(const char *s, size_t n)
{
	size_t lines = 0;
	int filled = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n') {
			lines += filled;
			filled = 0;
		} else if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			filled = 1;
	}
	return lines + filled;
}

/* Columns of s[0..n): UTF-8 code points. */
static size_t
digest_cols(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/* Where to break the line s[0..n), shown after lead columns, when it is
 * wider than DIGEST_TEXT_COLS: the last blank at or after `from` that
 * keeps the first piece within them, else the first one (a long word or
 * URL stays whole); n when there is none. */
static size_t
digest_break(const char *s, size_t n, size_t lead, size_t from)
{
	size_t cols = lead, at = n;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ' && i >= from && i > 0) {
			if (cols <= DIGEST_TEXT_COLS || at == n)
				at = i;
			if (cols > DIGEST_TEXT_COLS)
				break;
		}
		cols += ((unsigned char)s[i] & 0xC0) != 0x80;
	}
	return cols > DIGEST_TEXT_COLS ? at : n;
}

/* One line of plain text (no line end) wrapped at blanks to
 * DIGEST_TEXT_COLS columns; the pieces of a quoted line ("> ...") keep
 * its quote marks. */
static void
digest_wrap_line(struct buf *out, const char *s, size_t n)
{
	size_t pre = 0;
	if (n > 0 && s[0] == '>')
		while (pre < n && (s[pre] == '>' || s[pre] == ' '))
			pre++;
	const char *prefix = s;
	size_t lead = 0, from = pre;
	for (;;) {
		size_t b = digest_break(s, n, lead, from);
		if (lead > 0)
			buf_append(out, prefix, pre);
		if (b >= n)
			break;
		buf_append(out, s, b);
		buf_putc(out, '\n');
		s += b + 1;
		n -= b + 1;
		lead = digest_cols(prefix, pre);
		from = 0;
		if (pre == 0)
			lead = 0;
	}
	buf_append(out, s, n);
}

static void
digest_wrapf(struct buf *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Plain text s[0..n), every line wrapped by digest_wrap_line. */
static void
digest_wrap(struct buf *out, const char *s, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(s, '\n', n);
		size_t l = nl ? (size_t)(nl - s) : n;
		digest_wrap_line(out, s, l);
		if (nl)
			buf_putc(out, '\n');
		s += l + (nl != NULL);
		n -= l + (nl != NULL);
	}
}

/* digest_wrap of a formatted text. */
static void
digest_wrapf(struct buf *out, const char *fmt, ...)
{
	struct buf t = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&t, fmt, ap);
	va_end(ap);
	digest_wrap(out, t.data, t.len);
	buf_free(&t);
}

/* The body with quotes folded: text as it is, the first DIGEST_QUOTE_SHOWN
 * lines of a quote then a note of how many more were folded. html escapes
 * and wraps quotes in a grey block. */
static void
digest_body(struct buf *out, const struct digest_words *w, const char *body,
    int html)
{
	struct quote_span sp[QUOTE_MAX_SPANS];
	size_t len = strlen(body);
	size_t n = quote_split(body, len, sp, QUOTE_MAX_SPANS);
	for (size_t i = 0; i < n; i++) {
		const char *s = body + sp[i].start;
		size_t l = sp[i].len, shown = 0, lines = 0;
		if (sp[i].kind == QUOTE_TEXT) {
			html ? digest_esc(out, s, l) : digest_wrap(out, s, l);
			continue;
		}
		while (shown < l && lines < DIGEST_QUOTE_SHOWN) {
			if (s[shown++] == '\n')
				lines++;
		}
		size_t rest = digest_count_lines(s + shown, l - shown);
		if (html) {
			buf_puts(out, "<span style=\"color:#777\">");
			digest_esc(out, s, shown);
		} else
			digest_wrap(out, s, shown);
		if (shown > 0 && s[shown - 1] != '\n')
			buf_putc(out, '\n');
		if (rest > 0) {
			digest_tmpl(out, w->folded, NULL, (int)rest, 0);
			buf_putc(out, '\n');
		}
		if (html)
			buf_puts(out, "</span>");
	}
}

static void
digest_url_thread(struct buf *out, const struct digest_mail *dm,
    const struct digest_post *p)
{
	buf_printf(out, "%s/g/%s/t/%lld", dm->site_url, dm->group->slug,
	    (long long)p->thread_id);
}

static void
digest_attachments(struct buf *out, const struct digest_mail *dm,
    const struct digest_words *w, const char *list, int html)
{
	if (*list == '\0')
		return;
	buf_puts(out, html ? "<p style=\"margin:.3em 0\">" : "");
	buf_printf(out, "%s:%s", w->attachments, html ? "</p><ul>" : "\n");
	for (const char *l = list; *l; ) {
		const char *tab = strchr(l, '\t'), *nl = strchr(l, '\n');
		if (tab == NULL || nl == NULL || tab > nl)
			break;
		struct buf id = BUF_INIT, name = BUF_INIT, url = BUF_INIT;
		buf_append(&id, l, (size_t)(tab - l));
		buf_append(&name, tab + 1, (size_t)(nl - tab - 1));
		buf_printf(&url, "%s/a/%s/", dm->site_url, buf_cstr(&id));
		digest_pct(&url, buf_cstr(&name));
		if (html) {
			buf_puts(out, "<li><a href=\"");
			digest_escs(out, buf_cstr(&url));
			buf_puts(out, "\">");
			digest_escs(out, buf_cstr(&name));
			buf_puts(out, "</a></li>");
		} else
			buf_printf(out, "  %s <%s>\n", buf_cstr(&name),
			    buf_cstr(&url));
		buf_free(&id);
		buf_free(&name);
		buf_free(&url);
		l = nl + 1;
	}
	buf_puts(out, html ? "</ul>\n" : "");
}

static const char *
digest_author(const struct digest_post *p)
{
	return *p->author_name ? p->author_name : "—";
}

/* A member's value goes at the end of part p so far. */
static void
digest_hole(struct digest_template *t, int p, char kind)
{
	if (t->nholes == DIGEST_HOLES_MAX)
		abort();	/* a broken invariant: the holes are ours */
	t->holes[t->nholes].part = p;
	t->holes[t->nholes].off = t->part[p].len;
	t->holes[t->nholes++].kind = kind;
}

static void
digest_text(struct digest_template *tp, const struct digest_mail *dm,
    const struct digest_order *o, const struct digest_words *w,
    const char *idate)
{
	struct buf *out = &tp->part[DIGEST_PART_TEXT];

	buf_printf(out, "%s — ", dm->group->name);
	digest_tmpl(out, w->issue, NULL, dm->digest->volume, dm->digest->issue);
	buf_puts(out, "\n");
	buf_puts(out, idate);
	buf_printf(out, "\n\n%s:\n\n", w->contents);
	size_t num = 1;
	for (size_t t = 0; t < o->nthreads; t++) {
		const struct digest_post *first = dm->posts[o->idx[o->start[t]]];
		digest_wrapf(out, "  %s\n", first->thread_subject);
		for (size_t k = o->start[t]; k < o->start[t + 1]; k++)
			digest_wrapf(out, "    %zu. %s\n", num++,
			    digest_author(dm->posts[o->idx[k]]));
	}
	buf_puts(out, "\n" DIGEST_RULE DIGEST_RULE "\n");
	num = 1;
	for (size_t k = 0; k < dm->nposts; k++) {
		const struct digest_post *p = dm->posts[o->idx[k]];
		buf_printf(out, "\nMessage: %zu\n%s: ", num++, w->date);
		digest_date(out, w, &dm->post_tm[o->idx[k]], 1);
		digest_wrapf(out, "\n%s: %s\n", w->from, digest_author(p));
		digest_wrapf(out, "%s: %s\n", w->subject, p->subject);
		buf_printf(out, "%s: ", w->web);
		digest_url_thread(out, dm, p);
		buf_printf(out, "\n%s: ", w->reply);
		digest_post_mailto(out, dm, p);
		buf_puts(out, "\n\n");
		digest_body(out, w, p->body, 0);
		if (out->len && out->data[out->len - 1] != '\n')
			buf_putc(out, '\n');
		digest_attachments(out, dm, w, p->attachments, 0);
		buf_puts(out, "\n" DIGEST_RULE "\n");
	}
	buf_puts(out, "\n");
	digest_tmpl(out, w->why, dm->group->name, 0, 0);
	buf_printf(out, "\n%s: %s/u/", w->unsubscribe, dm->site_url);
	digest_hole(tp, DIGEST_PART_TEXT, DIGEST_HOLE_UNSUB);
	buf_printf(out, "\n%s: %s/d/", w->change, dm->site_url);
	digest_hole(tp, DIGEST_PART_TEXT, DIGEST_HOLE_DELIVERY);
	buf_putc(out, '\n');
}

static void
digest_html_post(struct buf *out, const struct digest_mail *dm,
    const struct digest_words *w, size_t i)
{
	const struct digest_post *p = dm->posts[i];

	buf_printf(out, "<div id=\"p%lld\" style=\"border-top:1px solid #ddd;"
	    "padding:.6em 0\">\n<p style=\"margin:0;color:#555\"><strong>",
	    (long long)p->id);
	digest_escs(out, digest_author(p));
	buf_puts(out, "</strong> — ");
	digest_date(out, w, &dm->post_tm[i], 1);
	buf_puts(out, "</p>\n<div dir=\"auto\" style=\"white-space:pre-wrap;"
	    "margin:.5em 0\">");
	digest_body(out, w, p->body, 1);
	buf_puts(out, "</div>\n");
	digest_attachments(out, dm, w, p->attachments, 1);
	buf_puts(out, "<p style=\"margin:0\"><a href=\"");
	struct buf u = BUF_INIT;
	digest_post_mailto(&u, dm, p);
	digest_escs(out, buf_cstr(&u));
	buf_printf(out, "\">%s</a> · <a href=\"", w->reply);
	buf_reset(&u);
	digest_url_thread(&u, dm, p);
	digest_escs(out, buf_cstr(&u));
	buf_printf(out, "\">%s</a></p>\n</div>\n", w->web);
	buf_free(&u);
}

static void
digest_html(struct digest_template *tp, const struct digest_mail *dm,
    const struct digest_order *o, const struct digest_words *w,
    const char *subject, const char *idate)
{
	struct buf *out = &tp->part[DIGEST_PART_HTML];

	buf_printf(out, "<!DOCTYPE html>\n<html lang=\"%s\" dir=\"%s\">\n"
	    "<head><meta charset=\"utf-8\"><title>", w->lang, w->dir);
	digest_escs(out, subject);
	buf_puts(out, "</title></head>\n<body style=\"font-family:sans-serif;"
	    "line-height:1.4;color:#222;max-width:42em;margin:0 auto;"
	    "padding:1em\">\n<h1 style=\"font-size:1.3em\">");
	digest_escs(out, dm->group->name);
	buf_printf(out, " — %s</h1>\n<p style=\"color:#555\">",
	    strcmp(dm->digest->kind, "daily") == 0 ? w->daily : w->weekly);
	digest_tmpl(out, w->issue, NULL, dm->digest->volume, dm->digest->issue);
	buf_puts(out, " · ");
	buf_puts(out, idate);
	buf_printf(out, "</p>\n<h2 style=\"font-size:1.1em\">%s</h2>\n<ol>\n",
	    w->contents);
	for (size_t t = 0; t < o->nthreads; t++) {
		const struct digest_post *f = dm->posts[o->idx[o->start[t]]];
		buf_printf(out, "<li><a href=\"#t%lld\" dir=\"auto\">",
		    (long long)f->thread_id);
		digest_escs(out, f->thread_subject);
		buf_printf(out, "</a> (%zu)%s%s%s</li>\n",
		    o->start[t + 1] - o->start[t],
		    digest_is_new(dm, f) ? " <em>" : "",
		    digest_is_new(dm, f) ? w->new_thread : "",
		    digest_is_new(dm, f) ? "</em>" : "");
	}
	buf_puts(out, "</ol>\n");
	for (size_t t = 0; t < o->nthreads; t++) {
		const struct digest_post *f = dm->posts[o->idx[o->start[t]]];
		buf_printf(out, "<section id=\"t%lld\">\n<h2 dir=\"auto\" "
		    "style=\"font-size:1.1em;margin-top:1.5em\">",
		    (long long)f->thread_id);
		digest_escs(out, f->thread_subject);
		buf_puts(out, "</h2>\n");
		for (size_t k = o->start[t]; k < o->start[t + 1]; k++)
			digest_html_post(out, dm, w, o->idx[k]);
		buf_puts(out, "</section>\n");
	}
	buf_puts(out, "<hr>\n<p style=\"color:#555;font-size:.9em\">");
	struct buf t = BUF_INIT;
	digest_tmpl(&t, w->why, dm->group->name, 0, 0);
	digest_escs(out, buf_cstr(&t));
	buf_puts(out, "<br><a href=\"");
	buf_reset(&t);
	buf_printf(&t, "%s/u/", dm->site_url);
	digest_escs(out, buf_cstr(&t));
	digest_hole(tp, DIGEST_PART_HTML, DIGEST_HOLE_UNSUB);
	buf_printf(out, "\">%s</a> · <a href=\"", w->unsubscribe);
	buf_reset(&t);
	buf_printf(&t, "%s/d/", dm->site_url);
	digest_escs(out, buf_cstr(&t));
	digest_hole(tp, DIGEST_PART_HTML, DIGEST_HOLE_DELIVERY);
	buf_printf(out, "\">%s</a></p>\n</body>\n</html>\n", w->change);
	buf_free(&t);
}

static void
digest_base64(struct buf *out, const char *s, size_t n)
{
	unsigned char line[80];
	for (size_t i = 0; i < n; i += DIGEST_B64_IN) {
		size_t k = n - i < DIGEST_B64_IN ? n - i : DIGEST_B64_IN;
		int m = EVP_EncodeBlock(line, (const unsigned char *)s + i, (int)k);
		buf_append(out, line, (size_t)m);
		buf_puts(out, "\r\n");
	}
}

static void
digest_header(struct buf *out, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
digest_header(struct buf *out, const char *name, const char *fmt, ...)
{
	va_list ap;
	buf_printf(out, "%s: ", name);
	va_start(ap, fmt);
	buf_vprintf(out, fmt, ap);
	va_end(ap);
	buf_puts(out, "\r\n");
}

static void
digest_headers(struct digest_template *t, const struct digest_mail *dm,
    const char *subject, const char *lang)
{
	struct buf *out = &t->part[DIGEST_PART_HEAD];
	const char *slug = dm->group->slug, *dom = dm->list_domain;
	const char *url = dm->site_url;
	buf_puts(out, "Date: ");
	compose_date(out, dm->now);
	buf_puts(out, "\r\nFrom: ");
	rfc2047_encode_phrase(out, dm->group->name);
	buf_printf(out, " <%s@%s>\r\n", slug, dom);
	digest_header(out, "To", "<%s@%s>", slug, dom);
	digest_header(out, "Reply-To", "<%s@%s>", slug, dom);
	buf_puts(out, "Subject: ");
	rfc2047_encode(out, subject, 9);
	buf_puts(out, "\r\n");
	buf_printf(out, "Message-ID: <digest.%lld.", (long long)dm->digest->id);
	digest_hole(t, DIGEST_PART_HEAD, DIGEST_HOLE_MEMBER);
	buf_printf(out, ".%s@%s>\r\n", slug, dom);
	buf_puts(out, "List-Id: ");
	rfc2047_encode_phrase(out, dm->group->name);
	buf_printf(out, " <%s.%s>\r\n", slug, dom);
	digest_header(out, "List-Post", "<mailto:%s@%s>", slug, dom);
	digest_header(out, "List-Help", "<mailto:%s-request@%s?subject=help>",
	    slug, dom);
	digest_header(out, "List-Archive", "<%s/g/%s>", url, slug);
	buf_printf(out, "List-Unsubscribe: <%s/u/", url);
	digest_hole(t, DIGEST_PART_HEAD, DIGEST_HOLE_UNSUB);
	buf_printf(out, ">, <mailto:%s-leave@%s?subject=unsubscribe>\r\n", slug,
	    dom);
	buf_puts(out, "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
	buf_puts(out, "Precedence: list\r\n");
	digest_header(out, "X-Loop", "%s@%s", slug, dom);
	digest_header(out, "Content-Language", "%s", lang);
	buf_puts(out, "MIME-Version: 1.0\r\n");
}

/* Bytes a hole of kind k may take in a copy (for line lengths). */
static size_t
digest_hole_width(char k)
{
	return k == DIGEST_HOLE_MEMBER ? 20 : k == DIGEST_HOLE_DELIVERY ?
	    DELIVERYLINK_TOKEN_MAX : DIGEST_TOKEN_MAX;
}

/* Whether the lines of the text part s[0..n) stay within COMPOSE_LINE_MAX
 * bytes once its holes are filled; *eight set on a byte >= 0x80. */
static int
digest_lines_fit(const struct digest_template *t, const char *s, size_t n,
    int *eight)
{
	size_t col = 0, h = 0;
	for (size_t i = 0; i <= n; i++) {
		for (; h < t->nholes; h++) {
			const struct digest_hole *x = &t->holes[h];
			if (x->part != DIGEST_PART_TEXT)
				continue;
			if (x->off != i)
				break;
			col += digest_hole_width(x->kind);
		}
		if (i == n)
			break;
		if (s[i] == '\r' || s[i] == '\n')
			col = 0;
		else if (++col > COMPOSE_LINE_MAX)
			return 0;
		*eight |= (unsigned char)s[i] >= 0x80;
	}
	return col <= COMPOSE_LINE_MAX;
}

/* s[0..n) as UTF-8 (bad bytes repaired) with CRLF line ends (CRLF, LF and
 * a lone CR all are one). *cr: the last byte appended was a CR. */
static void
digest_crlf(struct buf *out, const char *s, size_t n, int *cr)
{
	struct buf u = BUF_INIT;
	charset_utf8_repair(&u, s, n);
	for (size_t i = 0, start = 0; i <= u.len; i++) {
		if (i < u.len && u.data[i] != '\r' && u.data[i] != '\n')
			continue;
		buf_append(out, u.data + start, i - start);
		if (i == u.len)
			break;
		if (u.data[i] == '\n' && start == i && *cr) {
			start = i + 1;	/* the LF of a CRLF split by a hole */
			*cr = 0;
			continue;
		}
		buf_puts(out, "\r\n");
		*cr = u.data[i] == '\r';
		if (*cr && i + 1 < u.len && u.data[i + 1] == '\n') {
			i++;
			*cr = 0;
		}
		start = i + 1;
	}
	if (u.len > 0 && u.data[u.len - 1] != '\r')
		*cr = 0;
	buf_free(&u);
}

/*
 * Put the text part in the form it is sent in, part header included, so
 * that a copy only fills its holes: repaired UTF-8, CRLF line ends, 8bit
 * (or 7bit). A text with a line too long once filled is left as it is
 * and encoded for each copy (quoted-printable).
 */
static void
digest_text_ready(struct digest_template *t)
{
	struct buf *tx = &t->part[DIGEST_PART_TEXT];
	struct buf wire = BUF_INIT;
	size_t at = 0, off[DIGEST_HOLES_MAX];
	int cr = 0, eight = 0;
	for (size_t i = 0; i < t->nholes; i++) {
		if (t->holes[i].part != DIGEST_PART_TEXT)
			continue;
		digest_crlf(&wire, tx->data + at, t->holes[i].off - at, &cr);
		off[i] = wire.len;
		at = t->holes[i].off;
	}
	digest_crlf(&wire, tx->data + at, tx->len - at, &cr);
	if (wire.len < 2 || memcmp(wire.data + wire.len - 2, "\r\n", 2) != 0)
		buf_puts(&wire, "\r\n");
	if (!digest_lines_fit(t, tx->data, tx->len, &eight)) {
		buf_free(&wire);
		return;
	}
	struct buf part = BUF_INIT;
	buf_printf(&part, "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: %s\r\n\r\n", eight ? "8bit" : "7bit");
	size_t head = part.len;
	buf_append(&part, wire.data, wire.len);
	for (size_t i = 0; i < t->nholes; i++)
		if (t->holes[i].part == DIGEST_PART_TEXT)
			t->holes[i].off = off[i] + head;
	buf_free(&wire);
	buf_free(tx);
	*tx = part;
	t->text_ready = 1;
}

/* Base64 the HTML part up to its first hole (whole 57-byte groups, so that
 * the rest of the lines come out the same); the rest is encoded for each
 * copy. */
static void
digest_html_ready(struct digest_template *t)
{
	struct buf *h = &t->part[DIGEST_PART_HTML];
	size_t first = h->len;
	for (size_t i = 0; i < t->nholes; i++)
		if (t->holes[i].part == DIGEST_PART_HTML) {
			first = t->holes[i].off;
			break;
		}
	size_t raw = first - first % DIGEST_B64_IN;
	struct buf part = BUF_INIT;
	digest_base64(&part, h->data, raw);
	t->html_ready = part.len;
	buf_append(&part, h->data + raw, h->len - raw);
	for (size_t i = 0; i < t->nholes; i++)
		if (t->holes[i].part == DIGEST_PART_HTML)
			t->holes[i].off = t->holes[i].off - raw + t->html_ready;
	buf_free(h);
	*h = part;
}

void
digest_template_build(struct digest_template *t, const struct digest_mail *dm)
{
	const struct digest_words *w = digest_words(dm->member->locale);
	struct digest_order o;
	struct buf subject = BUF_INIT, idate = BUF_INIT;

	memset(t, 0, sizeof *t);
	token_random(t->boundary);
	digest_order(dm, &o);
	digest_subject(&subject, dm);
	digest_issue_date(&idate, w, dm);
	digest_text(t, dm, &o, w, buf_cstr(&idate));
	digest_html(t, dm, &o, w, buf_cstr(&subject), buf_cstr(&idate));
	digest_headers(t, dm, buf_cstr(&subject), w->lang);
	digest_text_ready(t);
	digest_html_ready(t);
	digest_order_free(&o);
	buf_free(&subject);
	buf_free(&idate);
}

void
digest_template_free(struct digest_template *t)
{
	for (int i = 0; i < DIGEST_NPARTS; i++)
		buf_free(&t->part[i]);
	memset(t, 0, sizeof *t);
}

void
digest_template_holes(struct buf *out, const struct digest_template *t)
{
	buf_printf(out, "T %d\nH %zu\n", t->text_ready, t->html_ready);
	for (size_t i = 0; i < t->nholes; i++)
		buf_printf(out, "%d %zu %c\n", t->holes[i].part, t->holes[i].off,
		    t->holes[i].kind);
}

/* One "PART OFFSET KIND\n" line at *s into h; the end of it, or NULL. */
static const char *
digest_hole_parse(const char *s, struct digest_hole *h)
{
	char *end;
	if (*s < '0' || *s >= '0' + DIGEST_NPARTS || s[1] != ' ')
		return NULL;
	h->part = *s - '0';
	s += 2;
	if (*s < '0' || *s > '9')
		return NULL;
	unsigned long long off = strtoull(s, &end, 10);
	if (end[0] != ' ' || (end[1] != DIGEST_HOLE_UNSUB &&
	    end[1] != DIGEST_HOLE_MEMBER && end[1] != DIGEST_HOLE_DELIVERY) ||
	    end[2] != '\n')
		return NULL;
	h->off = (size_t)off;
	h->kind = end[1];
	return end + 3;
}

int
digest_template_set_holes(struct digest_template *t, const char *holes)
{
	size_t last[DIGEST_NPARTS] = { 0 };
	char *end;
	t->nholes = 0;
	if (strncmp(holes, "T ", 2) != 0 || (holes[2] != '0' &&
	    holes[2] != '1') || strncmp(holes + 3, "\nH ", 3) != 0 ||
	    holes[6] < '0' || holes[6] > '9')
		return -1;
	t->text_ready = holes[2] == '1';
	unsigned long long ready = strtoull(holes + 6, &end, 10);
	if (*end != '\n' || ready > t->part[DIGEST_PART_HTML].len)
		return -1;
	t->html_ready = (size_t)ready;
	last[DIGEST_PART_HTML] = t->html_ready;
	holes = end + 1;
	while (*holes) {
		struct digest_hole h;
		if (t->nholes == DIGEST_HOLES_MAX ||
		    (holes = digest_hole_parse(holes, &h)) == NULL ||
		    h.off < last[h.part] || h.off > t->part[h.part].len)
			return -1;
		last[h.part] = h.off;
		t->holes[t->nholes++] = h;
	}
	return 0;
}

int
digest_template_take(struct digest_template *t, struct digest_body *b)
{
	int rc = -1;
	memset(t, 0, sizeof *t);
	if (b->boundary != NULL && strlen(b->boundary) < sizeof t->boundary) {
		memcpy(t->boundary, b->boundary, strlen(b->boundary) + 1);
		t->part[DIGEST_PART_HEAD] = b->head;
		t->part[DIGEST_PART_TEXT] = b->text;
		t->part[DIGEST_PART_HTML] = b->html;
		buf_init(&b->head);
		buf_init(&b->text);
		buf_init(&b->html);
		rc = digest_template_set_holes(t, b->holes ? b->holes : "");
	}
	store_digest_body_clear(b);
	if (rc == -1)
		digest_template_free(t);
	return rc;
}

/* Where a copy goes: all into own (segs NULL), or own bytes into own and
 * pieces into segs. */
struct digest_out {
	const struct digest_template	*t;
	struct buf			*own;
	struct digest_seg		*segs;
	size_t				 nsegs;
	size_t				 mark;	/* own bytes not yet a piece */
};

/* Own bytes appended since the last piece become one. */
static void
digest_out_flush(struct digest_out *o)
{
	if (o->segs == NULL || o->own->len == o->mark)
		return;
	if (o->nsegs == DIGEST_SEGS_MAX)
		abort();	/* a broken invariant: the pieces are ours */
	o->segs[o->nsegs++] = (struct digest_seg){ DIGEST_NPARTS, o->mark,
	    o->own->len - o->mark };
	o->mark = o->own->len;
}

/* len bytes of part p of the template from off. */
static void
digest_out_shared(struct digest_out *o, int p, size_t off, size_t len)
{
	if (len == 0)
		return;
	if (o->segs == NULL) {
		buf_append(o->own, o->t->part[p].data + off, len);
		return;
	}
	digest_out_flush(o);
	if (o->nsegs == DIGEST_SEGS_MAX)
		abort();
	o->segs[o->nsegs++] = (struct digest_seg){ p, off, len };
}

/* Part p of t from byte `from` with its holes filled for one member. */
static void
digest_fill(struct digest_out *o, int p, size_t from,
    const struct digest_personal *who)
{
	const struct digest_template *t = o->t;
	struct buf *out = o->own;
	size_t at = from;
	for (size_t i = 0; i < t->nholes; i++) {
		const struct digest_hole *h = &t->holes[i];
		if (h->part != p)
			continue;
		digest_out_shared(o, p, at, h->off - at);
		if (h->kind == DIGEST_HOLE_MEMBER)
			buf_printf(out, "%lld", (long long)who->member_id);
		else if (h->kind == DIGEST_HOLE_UNSUB)
			buf_puts(out, who->unsub_token);
		else if (*who->unsub_token != '\0')	/* the link's key */
			deliverylink_token(out, who->group_id, who->member_id,
			    who->unsub_token);
		at = h->off;
	}
	digest_out_shared(o, p, at, t->part[p].len - at);
}

static void
digest_personalise_to(struct digest_out *o, const struct digest_personal *who)
{
	const struct digest_template *t = o->t;
	struct buf part = BUF_INIT;
	struct digest_out tmp = { t, &part, NULL, 0, 0 };
	const char *b = t->boundary;
	struct buf *out = o->own;

	digest_fill(o, DIGEST_PART_HEAD, 0, who);
	buf_printf(out, "Content-Type: multipart/alternative;\r\n"
	    " boundary=\"=_%s\"\r\n\r\n--=_%s\r\n", b, b);
	if (t->text_ready)
		digest_fill(o, DIGEST_PART_TEXT, 0, who);
	else {
		digest_fill(&tmp, DIGEST_PART_TEXT, 0, who);
		compose_mime_part_text(out, buf_cstr(&part));
		buf_reset(&part);
	}
	buf_printf(out, "\r\n--=_%s\r\nContent-Type: text/html; charset=utf-8"
	    "\r\nContent-Transfer-Encoding: base64\r\n\r\n", b);
	digest_out_shared(o, DIGEST_PART_HTML, 0, t->html_ready);
	digest_fill(&tmp, DIGEST_PART_HTML, t->html_ready, who);
	digest_base64(out, part.data, part.len);
	buf_printf(out, "\r\n--=_%s--\r\n", b);
	digest_out_flush(o);
	buf_free(&part);
}

void
digest_personalise(struct buf *out, const struct digest_template *t,
    const struct digest_personal *who)
{
	const struct buf *h = &t->part[DIGEST_PART_HTML];
	struct digest_out o = { t, out, NULL, 0, 0 };

	buf_reserve(out, t->part[DIGEST_PART_HEAD].len +
	    t->part[DIGEST_PART_TEXT].len + t->html_ready +
	    (h->len - t->html_ready) * 4 / 3 + 512);
	digest_personalise_to(&o, who);
}

size_t
digest_personalise_segs(struct buf *own, struct digest_seg *segs,
    const struct digest_template *t, const struct digest_personal *who)
{
	struct digest_out o = { t, own, segs, 0, own->len };

	digest_personalise_to(&o, who);
	return o.nsegs;
}

void
digest_compose(struct buf *out, const struct digest_mail *dm)
{
	struct digest_template t;
	struct digest_personal who = { dm->member->member_id, dm->group->id,
	    dm->member->unsub_token };
	struct digest_mail l = *dm;
	struct tm *tm = xcalloc(dm->nposts + 1, sizeof *tm);

	digest_mail_localise(&l, tm, db_now());
	digest_template_build(&t, &l);
	digest_personalise(out, &t, &who);
	digest_template_free(&t);
	free(tm);
}
