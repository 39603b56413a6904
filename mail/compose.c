/*
 * Outgoing mail (see compose.h): a small header writer that folds and lets
 * only printable ASCII through, the per-recipient copy of a post, system
 * messages, and the MIME part shared by every copy (quoted-printable too).
 */
#include <config.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>

#include "daemon/buf.h"
#include "daemon/log.h"
#include "daemon/store_group.h"
#include "daemon/store_post.h"
#include "daemon/token.h"
#include "mail/charset.h"
#include "mail/compose.h"
#include "mail/header.h"
#include "mail/rfc2047.h"
#include "mail/subject.h"

/* Bytes never taken from data into an address, a URL or a Message-ID
 * (besides controls, space and 8-bit bytes, which are never taken). */
#define ADDR_REJECT	"<>()[]\\,;:\""
#define URL_REJECT	"<>\"\\,"
#define ID_REJECT	"<>()\\\","
/* An address: local part and domain, each a piece from data. */
#define ADDR_MAX	(2 * COMPOSE_PIECE_MAX + 1)

/* A header field being written: the column reached, and whether anything
 * follows "Name:" yet. */
struct hdr {
	struct buf	*out;
	size_t		 col;
	int		 empty;
};

/* The list's own names, cleaned once per message. */
struct names {
	struct buf	 slug;
	struct buf	 domain;
	struct buf	 url;		/* site_url without a final "/" */
	struct buf	 tmp;		/* scratch for one header value */
};

static int
printable(unsigned char c)
{
	return c > ' ' && c < 0x7f;
}

/* Append the printable ASCII bytes of s not in reject, at most max. */
static void
put_clean(struct buf *out, const char *s, const char *reject, size_t max)
{
	for (size_t n = 0; s != NULL && *s != '\0' && n < max; s++)
		if (printable((unsigned char)*s) && strchr(reject, *s) == NULL) {
			buf_putc(out, *s);
			n++;
		}
}

/* Cut a UTF-8 buffer to at most max bytes, on a character boundary. */
static void
cut_utf8(struct buf *b, size_t max)
{
	size_t n = max;

	if (b->len <= max)
		return;
	while (n > 0 && ((unsigned char)b->data[n] & 0xc0) == 0x80)
		n--;
	buf_truncate(b, n);
}

/* Replace out with s as display text cut to max bytes. */
static void
display_cut(struct buf *out, const char *s, size_t max)
{
	buf_reset(out);
	if (s != NULL)
		charset_display(out, s, strlen(s));
	cut_utf8(out, max);
}

static void
hdr_begin(struct hdr *h, struct buf *out, const char *name)
{
	h->out = out;
	h->col = strlen(name) + 1;
	h->empty = 1;
	buf_puts(out, name);
	buf_putc(out, ':');
}

/* Write the printable bytes of s[0..n) as one word after a space, on a new
 * line when the word would pass COMPOSE_LINE_SOFT (the first word stays
 * after "Name:": a field never starts with a fold) or COMPOSE_LINE_MAX. */
static void
hdr_word(struct hdr *h, const char *s, size_t n)
{
	size_t len = 0, room;
	int fold;

	for (size_t i = 0; i < n; i++)
		len += printable((unsigned char)s[i]);
	if (len == 0)
		return;
	fold = (!h->empty && h->col + 1 + len > COMPOSE_LINE_SOFT) ||
	    h->col + 1 + len > COMPOSE_LINE_MAX;
	buf_puts(h->out, fold ? "\r\n " : " ");
	h->col = fold ? 1 : h->col + 1;
	room = COMPOSE_LINE_MAX - h->col;
	for (size_t i = 0; i < n && room > 0; i++)
		if (printable((unsigned char)s[i])) {
			buf_putc(h->out, s[i]);
			h->col++;
			room--;
		}
	h->empty = 0;
}

/* Write every word of s[0..n), words being split at any byte <= space. */
static void
hdr_words(struct hdr *h, const char *s, size_t n)
{
	size_t i = 0, start;

	while (i < n) {
		while (i < n && (unsigned char)s[i] <= ' ')
			i++;
		start = i;
		while (i < n && (unsigned char)s[i] > ' ')
			i++;
		hdr_word(h, s + start, i - start);
	}
}

static void
hdr_end(struct hdr *h)
{
	buf_puts(h->out, "\r\n");
}

/* A whole field whose value is the words of value. */
static void
hdr_field(struct buf *out, const char *name, const char *value, size_t n)
{
	struct hdr h;

	hdr_begin(&h, out, name);
	hdr_words(&h, value, n);
	hdr_end(&h);
}

/* "Name: phrase <addr>" with the phrase encoded (none when empty). */
static void
hdr_mailbox(struct buf *out, const char *name, const char *display,
    const char *addr)
{
	struct buf b = BUF_INIT;
	struct hdr h;

	hdr_begin(&h, out, name);
	if (display != NULL && *display != '\0') {
		rfc2047_encode_phrase(&b, display);
		hdr_words(&h, b.data, b.len);
		buf_reset(&b);
	}
	buf_putc(&b, '<');
	put_clean(&b, addr, ADDR_REJECT, ADDR_MAX);
	buf_putc(&b, '>');
	hdr_word(&h, b.data, b.len);
	hdr_end(&h);
	buf_free(&b);
}

/* "Subject:" with the UTF-8 text cleaned, cut and encoded. */
static void
hdr_subject(struct buf *out, const char *utf8)
{
	struct buf enc = BUF_INIT, text = BUF_INIT;

	display_cut(&text, utf8, COMPOSE_SUBJECT_MAX);
	rfc2047_encode(&enc, buf_cstr(&text), strlen("Subject: "));
	hdr_field(out, "Subject", enc.data, enc.len);
	buf_free(&enc);
	buf_free(&text);
}

void
compose_date(struct buf *out, int64_t t)
{
	static const char days[] = "SunMonTueWedThuFriSat";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	time_t tt = (time_t)t;
	struct tm tm;

	if ((int64_t)tt != t || gmtime_r(&tt, &tm) == NULL ||
	    tm.tm_year < 0 || tm.tm_year > 9999 - 1900) {
		tt = 0;
		gmtime_r(&tt, &tm);
	}
	buf_printf(out, "%.3s, %d %.3s %04d %02d:%02d:%02d +0000",
	    days + 3 * tm.tm_wday, tm.tm_mday, months + 3 * tm.tm_mon,
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void
compose_message_id(struct buf *out, const char *list_domain)
{
	char tok[TOKEN_LEN + 1];
	size_t mark;

	token_random(tok);
	buf_printf(out, "majlis.%s@", tok);
	mark = out->len;
	put_clean(out, list_domain, ADDR_REJECT, COMPOSE_PIECE_MAX);
	if (out->len == mark)
		buf_puts(out, "invalid");
}

static void
hdr_date(struct buf *out, int64_t t)
{
	struct buf d = BUF_INIT;

	compose_date(&d, t);
	hdr_field(out, "Date", d.data, d.len);
	buf_free(&d);
}

/* "Name: <id>" for one Message-ID; nothing when the id is not usable. */
static void
hdr_msgid(struct buf *out, const char *name, const char *id)
{
	struct buf b = BUF_INIT;

	buf_putc(&b, '<');
	put_clean(&b, id, ID_REJECT, COMPOSE_MSGID_MAX);
	buf_putc(&b, '>');
	if (b.len > 2)
		hdr_field(out, name, b.data, b.len);
	buf_free(&b);
}

/*
 * References of a copy.
 */

/* Ids of a References field: the first, the latest, then the parent. */
struct refs {
	const char	*id[COMPOSE_REFS_MAX];
	size_t		 len[COMPOSE_REFS_MAX];
	int		 n;
};

/* A Message-ID we write: printable, no brackets or quotes, "left@right". */
static int
id_usable(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);

	if (n == 0 || n > COMPOSE_MSGID_MAX || at == NULL || at == s ||
	    at == s + n - 1)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!printable((unsigned char)s[i]) || strchr(ID_REJECT, s[i]))
			return 0;
	return 1;
}

static int
id_equal(const char *a, size_t n, const char *b)
{
	return b != NULL && strlen(b) == n && memcmp(a, b, n) == 0;
}

/* Keep id as the latest one; slot 0 stays the first id ever seen. */
static void
refs_push(struct refs *r, const char *id, size_t n, int cap)
{
	if (r->n == cap) {
		memmove(r->id + 1, r->id + 2, sizeof r->id[0] * (size_t)(cap - 2));
		memmove(r->len + 1, r->len + 2, sizeof r->len[0] * (size_t)(cap - 2));
		r->n--;
	}
	r->id[r->n] = id;
	r->len[r->n] = n;
	r->n++;
}

/* The ids of refs (separated by spaces, commas or angle brackets) that are
 * usable and neither self nor parent, then parent, at most
 * COMPOSE_REFS_MAX in all. */
static void
refs_build(struct refs *r, const char *refs, const char *self,
    const char *parent)
{
	int has_parent = parent != NULL && id_usable(parent, strlen(parent));
	int cap = COMPOSE_REFS_MAX - has_parent;
	const char *s = refs != NULL ? refs : "";
	size_t n;

	r->n = 0;
	while (*s != '\0') {
		n = strcspn(s, " \t\r\n,<>");
		if (id_usable(s, n) && !id_equal(s, n, self) &&
		    !id_equal(s, n, parent))
			refs_push(r, s, n, cap);
		s += n + (s[n] != '\0');
	}
	if (has_parent) {
		r->id[r->n] = parent;
		r->len[r->n] = strlen(parent);
		r->n++;
	}
}

static void
hdr_threading(struct buf *out, const struct post *p)
{
	const char *parent = p->parent_message_id;
	struct buf b = BUF_INIT;
	struct refs r;
	struct hdr h;

	hdr_msgid(out, "Message-ID", p->message_id);
	if (parent != NULL && id_usable(parent, strlen(parent)))
		hdr_msgid(out, "In-Reply-To", parent);
	refs_build(&r, p->refs, p->message_id, parent);
	if (r.n == 0)
		return;
	hdr_begin(&h, out, "References");
	for (int i = 0; i < r.n; i++) {
		buf_reset(&b);
		buf_putc(&b, '<');
		buf_append(&b, r.id[i], r.len[i]);
		buf_putc(&b, '>');
		hdr_word(&h, b.data, b.len);
	}
	hdr_end(&h);
	buf_free(&b);
}

/*
 * The copy of a post.
 */

static void
names_init(struct names *nm, const struct compose_copy *c)
{
	memset(nm, 0, sizeof *nm);
	put_clean(&nm->slug, c->group->slug, ADDR_REJECT "@/?", GROUP_SLUG_MAX);
	put_clean(&nm->domain, c->list_domain, ADDR_REJECT "@/?",
	    COMPOSE_PIECE_MAX);
	put_clean(&nm->url, c->site_url, URL_REJECT, COMPOSE_URL_MAX);
	while (nm->url.len > 0 && nm->url.data[nm->url.len - 1] == '/')
		buf_truncate(&nm->url, nm->url.len - 1);
	if (nm->domain.len == 0)
		buf_puts(&nm->domain, "invalid");
}

static void
names_free(struct names *nm)
{
	buf_free(&nm->slug);
	buf_free(&nm->domain);
	buf_free(&nm->url);
	buf_free(&nm->tmp);
}

/* Set nm->tmp to a printf result and write it as the field's value. */
static void
names_field(struct names *nm, struct buf *out, const char *name,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
names_field(struct names *nm, struct buf *out, const char *name,
    const char *fmt, ...)
{
	va_list ap;

	buf_reset(&nm->tmp);
	va_start(ap, fmt);
	buf_vprintf(&nm->tmp, fmt, ap);
	va_end(ap);
	hdr_field(out, name, nm->tmp.data, nm->tmp.len);
}

/* The group's name as display text ("" when it has none). */
static void
group_display(struct buf *out, const struct group *g)
{
	display_cut(out, g->name, GROUP_NAME_MAX);
}

/* Reply-To as the group's policy says: the list (the default), the author
 * (From stays the list, so DMARC holds), or both; the list alone when the
 * post has no usable author address. */
static void
copy_reply_to(struct buf *out, const struct compose_copy *c,
    struct names *nm)
{
	const char *mode = c->group->reply_to, *dom = buf_cstr(&nm->domain);
	struct buf author = BUF_INIT;
	put_clean(&author, c->post->author_email, ADDR_REJECT, ADDR_MAX);
	const char *at = strchr(buf_cstr(&author), '@');
	int usable = at != NULL && at != author.data && at[1] != '\0' &&
	    strchr(at + 1, '@') == NULL;
	if (usable && strcmp(mode, "author") == 0)
		names_field(nm, out, "Reply-To", "<%s>", buf_cstr(&author));
	else if (usable && strcmp(mode, "both") == 0)
		names_field(nm, out, "Reply-To", "<%s@%s>, <%s>",
		    buf_cstr(&nm->slug), dom, buf_cstr(&author));
	else
		names_field(nm, out, "Reply-To", "<%s@%s>", buf_cstr(&nm->slug),
		    dom);
	buf_free(&author);
}

/* Date, From, Reply-To, To, Subject. */
static void
copy_origin(struct buf *out, const struct compose_copy *c, struct names *nm)
{
	const struct post *p = c->post;
	struct buf name = BUF_INIT, group = BUF_INIT, subj = BUF_INIT;
	const char *slug = buf_cstr(&nm->slug);

	hdr_date(out, p->created);
	display_cut(&name, p->author_name, COMPOSE_NAME_MAX);
	if (name.len == 0)
		buf_puts(&name, "A member");
	group_display(&group, c->group);
	buf_printf(&name, " via %s", group.len > 0 ? buf_cstr(&group) : slug);
	buf_reset(&nm->tmp);
	buf_printf(&nm->tmp, "%s@%s", slug, buf_cstr(&nm->domain));
	hdr_mailbox(out, "From", buf_cstr(&name), buf_cstr(&nm->tmp));
	copy_reply_to(out, c, nm);
	names_field(nm, out, "To", "<%s@%s>", slug, buf_cstr(&nm->domain));
	display_cut(&subj, p->subject, COMPOSE_SUBJECT_MAX);
	if (c->group->subject_prefix == NULL)
		subject_for_list(&name, buf_cstr(&subj), slug);
	else {
		display_cut(&group, c->group->subject_prefix, COMPOSE_PREFIX_MAX);
		subject_for_list_prefix(&name, buf_cstr(&subj), slug,
		    buf_cstr(&group));
	}
	hdr_subject(out, buf_cstr(&name));
	buf_free(&name);
	buf_free(&group);
	buf_free(&subj);
}

/* List-Id and the RFC 2369 / RFC 8058 fields, Precedence, X-Loop. */
static void
copy_list_fields(struct buf *out, const struct compose_copy *c,
    struct names *nm)
{
	const char *slug = buf_cstr(&nm->slug), *dom = buf_cstr(&nm->domain);
	const char *url = buf_cstr(&nm->url);
	struct buf group = BUF_INIT, tok = BUF_INIT;

	group_display(&group, c->group);
	buf_reset(&nm->tmp);
	buf_printf(&nm->tmp, "%s.%s", slug, dom);
	hdr_mailbox(out, "List-Id", buf_cstr(&group), buf_cstr(&nm->tmp));
	names_field(nm, out, "List-Post", "<mailto:%s@%s>", slug, dom);
	names_field(nm, out, "List-Help", "<mailto:%s-request@%s?subject=help>",
	    slug, dom);
	names_field(nm, out, "List-Archive", "<%s/g/%s/t/%lld>", url, slug,
	    (long long)c->post->thread_id);
	put_clean(&tok, c->unsub_token, ADDR_REJECT "@/?#%&=+", COMPOSE_PIECE_MAX);
	if (tok.len > 0)
		names_field(nm, out, "List-Unsubscribe",
		    "<%s/u/%s>, <mailto:%s-leave@%s?subject=unsubscribe>", url,
		    buf_cstr(&tok), slug, dom);
	else
		names_field(nm, out, "List-Unsubscribe",
		    "<mailto:%s-leave@%s?subject=unsubscribe>", slug, dom);
	if (tok.len > 0)
		buf_puts(out, "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
	buf_puts(out, "Precedence: list\r\n");
	names_field(nm, out, "X-Loop", "%s@%s", slug, dom);
	buf_free(&group);
	buf_free(&tok);
}

void
compose_post_copy(struct buf *out, const struct compose_copy *c)
{
	const struct post *p = c->post;
	struct names nm;

	names_init(&nm, c);
	buf_reserve(out, 4096 + p->mime_part.len);
	copy_origin(out, c, &nm);
	if (p->message_id == NULL || !id_usable(p->message_id,
	    strlen(p->message_id)))
		log_warnx("compose: post %lld has no usable Message-ID",
		    (long long)p->id);
	hdr_threading(out, p);
	copy_list_fields(out, c, &nm);
	buf_puts(out, "MIME-Version: 1.0\r\n");
	if (p->mime_part.len > 0)
		buf_append(out, p->mime_part.data, p->mime_part.len);
	else
		compose_mime_part_text(out, p->body != NULL ? p->body : "");
	names_free(&nm);
}

/*
 * System messages.
 */

static const char *
str_or_empty(const char *s)
{
	return s != NULL ? s : "";
}

void
compose_system(struct buf *out, const struct compose_system *s)
{
	struct buf id = BUF_INIT, name = BUF_INIT;

	hdr_date(out, s->date != 0 ? s->date : (int64_t)time(NULL));
	display_cut(&name, s->from_name, GROUP_NAME_MAX);
	hdr_mailbox(out, "From", buf_cstr(&name), str_or_empty(s->from_addr));
	hdr_mailbox(out, "To", NULL, str_or_empty(s->to));
	if (s->reply_to != NULL && *s->reply_to != '\0')
		hdr_mailbox(out, "Reply-To", NULL, s->reply_to);
	hdr_subject(out, str_or_empty(s->subject));
	compose_message_id(&id, s->list_domain);
	hdr_msgid(out, "Message-ID", buf_cstr(&id));
	if (s->in_reply_to != NULL &&
	    id_usable(s->in_reply_to, strlen(s->in_reply_to))) {
		hdr_msgid(out, "In-Reply-To", s->in_reply_to);
		hdr_msgid(out, "References", s->in_reply_to);
	}
	if (s->auto_submitted)
		buf_puts(out, "Auto-Submitted: auto-replied\r\n"
		    "X-Auto-Response-Suppress: All\r\n");
	if (s->list_id != NULL && *s->list_id != '\0')
		hdr_mailbox(out, "List-Id", NULL, s->list_id);
	if (s->language != NULL && *s->language != '\0')
		hdr_field(out, "Content-Language", s->language,
		    strlen(s->language));
	buf_puts(out, "MIME-Version: 1.0\r\n");
	compose_mime_part_text(out, str_or_empty(s->text));
	buf_free(&id);
	buf_free(&name);
}

/*
 * Bodies: scanning, line ends, quoted-printable, text parts.
 */

struct body_info {
	size_t	 longest;	/* longest line, line end excluded */
	int	 bare;		/* a CR or LF that is not part of CRLF */
	int	 bare_cr;	/* a CR not followed by LF */
	int	 nul;
	int	 eight;		/* a byte >= 0x80 */
};

static void
body_scan(struct body_info *bi, const char *s, size_t n)
{
	size_t col = 0;

	memset(bi, 0, sizeof *bi);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\r' && i + 1 < n && s[i + 1] == '\n') {
			i++;
			col = 0;
		} else if (c == '\r' || c == '\n') {
			bi->bare = 1;
			bi->bare_cr |= c == '\r';
			col = 0;
		} else {
			if (++col > bi->longest)
				bi->longest = col;
			bi->nul |= c == 0;
			bi->eight |= c >= 0x80;
		}
	}
}

/* Length of the line at s[0..n); *eol gets the length of its end: 2 for
 * CRLF, 1 for LF, 0 at the end of the data. A CR not before LF is part of
 * the line. */
static size_t
line_next(const char *s, size_t n, size_t *eol)
{
	const char *nl = memchr(s, '\n', n);
	size_t len;

	if (nl == NULL) {
		*eol = 0;
		return n;
	}
	len = (size_t)(nl - s);
	*eol = 1;
	if (len > 0 && s[len - 1] == '\r') {
		len--;
		*eol = 2;
	}
	return len;
}

/* Append s[0..n) with every line ending in CRLF (CRLF, LF and a lone CR
 * are line ends; the last line gets one too). */
static void
put_crlf(struct buf *out, const char *s, size_t n, int bare)
{
	size_t start = 0;

	if (!bare) {
		buf_append(out, s, n);
		if (n > 0 && s[n - 1] != '\n')
			buf_puts(out, "\r\n");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\r' && s[i] != '\n')
			continue;
		buf_append(out, s + start, i - start);
		buf_puts(out, "\r\n");
		if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
			i++;
		start = i + 1;
	}
	if (start < n) {
		buf_append(out, s + start, n - start);
		buf_puts(out, "\r\n");
	}
}

/* One line (no line end) in quoted-printable, soft breaks included. */
static void
qp_line(struct buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t col = 0, tok, limit;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int plain = (printable(c) && c != '=') ||
		    ((c == ' ' || c == '\t') && i + 1 < n);
		tok = plain ? 1 : 3;
		limit = i + 1 == n ? COMPOSE_QP_LINE : COMPOSE_QP_LINE - 1;
		if (col + tok > limit) {
			buf_puts(out, "=\r\n");
			col = 0;
		}
		if (plain)
			buf_putc(out, (char)c);
		else {
			buf_putc(out, '=');
			buf_putc(out, hex[c >> 4]);
			buf_putc(out, hex[c & 15]);
		}
		col += tok;
	}
}

/* Text in quoted-printable: CRLF and LF are hard line breaks, a lone CR
 * is encoded. */
static void
qp_body(struct buf *out, const char *s, size_t n)
{
	size_t len, eol;

	while (n > 0) {
		len = line_next(s, n, &eol);
		qp_line(out, s, len);
		buf_puts(out, "\r\n");
		s += len + eol;
		n -= len + eol;
	}
}

/* A text/plain; charset=utf-8 part from s[0..n) (any bytes). */
static void
part_text(struct buf *out, const char *s, size_t n)
{
	struct buf t = BUF_INIT;
	struct body_info bi;
	int qp;

	charset_utf8_repair(&t, s, n);
	body_scan(&bi, buf_cstr(&t), t.len);
	qp = bi.longest > COMPOSE_LINE_MAX || bi.nul || bi.bare_cr;
	buf_printf(out, "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: %s\r\n\r\n",
	    qp ? "quoted-printable" : bi.eight ? "8bit" : "7bit");
	if (qp)
		qp_body(out, buf_cstr(&t), t.len);
	else
		put_crlf(out, buf_cstr(&t), t.len, bi.bare);
	buf_free(&t);
}

void
compose_mime_part_text(struct buf *out, const char *utf8)
{
	part_text(out, utf8 != NULL ? utf8 : "",
	    utf8 != NULL ? strlen(utf8) : 0);
}

/*
 * The part of a raw message.
 */

enum { F_TYPE, F_CTE, F_DISP, F_LANG, F_ID, F_COUNT };

static const char *const kept_fields[F_COUNT] = {
	"Content-Type", "Content-Transfer-Encoding", "Content-Disposition",
	"Content-Language", "Content-ID"
};

enum cte { CTE_NONE, CTE_IDENTITY, CTE_QP, CTE_BASE64, CTE_OTHER };

/* What the body needs: nothing, quoted-printable encoding, base64
 * wrapping, quoted-printable soft breaks, or to become a text part. */
enum mend { MEND_NONE, MEND_QP, MEND_BASE64, MEND_SOFT, MEND_TEXT };

struct rawpart {
	struct header_field	 f[F_COUNT];
	int			 have[F_COUNT];
	const char		*body;
	size_t			 body_len;
	struct body_info	 info;
	int			 utf8;		/* body valid UTF-8 */
	enum cte		 cte;
	int			 container;	/* multipart or message */
};

static void field_write(struct buf *, const char *,
	    const struct header_field *);

/* The value of a kept field as field_write will write it (a cleaned field
 * may lose bytes), unfolded: what the receiver will act on. */
static void
field_written_value(struct buf *v, const char *name,
    const struct header_field *f)
{
	struct buf w = BUF_INIT;
	size_t skip = strlen(name) + 1;

	field_write(&w, name, f);
	header_unfold(v, w.data + skip, w.len - skip);
	buf_free(&w);
}

static enum cte
cte_kind(const struct header_field *f)
{
	struct buf v = BUF_INIT;
	const char *s;
	enum cte k = CTE_OTHER;

	field_written_value(&v, "Content-Transfer-Encoding", f);
	s = buf_cstr(&v);
	if (strcasecmp(s, "7bit") == 0 || strcasecmp(s, "8bit") == 0 ||
	    strcasecmp(s, "binary") == 0)
		k = CTE_IDENTITY;
	else if (strcasecmp(s, "quoted-printable") == 0)
		k = CTE_QP;
	else if (strcasecmp(s, "base64") == 0)
		k = CTE_BASE64;
	buf_free(&v);
	return k;
}

/* Whether the Content-Type names a container, judged as written. */
static int
type_container(const struct header_field *f)
{
	struct buf v = BUF_INIT;
	int yes;

	field_written_value(&v, "Content-Type", f);
	yes = strncasecmp(buf_cstr(&v), "multipart/", 10) == 0 ||
	    strncasecmp(buf_cstr(&v), "message/", 8) == 0;
	buf_free(&v);
	return yes;
}

static void
rawpart_parse(struct rawpart *rp, const char *raw, size_t len)
{
	struct header_field f;
	size_t pos = 0, body;

	memset(rp, 0, sizeof *rp);
	while (header_next(raw, len, &pos, &f))
		for (int i = 0; i < F_COUNT; i++)
			if (!rp->have[i] && header_is(&f, kept_fields[i])) {
				rp->f[i] = f;
				rp->have[i] = 1;
			}
	body = header_body_offset(raw, len);
	rp->body = raw + body;
	rp->body_len = len - body;
	body_scan(&rp->info, rp->body, rp->body_len);
	rp->utf8 = !rp->info.eight ||
	    charset_utf8_valid(rp->body, rp->body_len);
	rp->cte = rp->have[F_CTE] ? cte_kind(&rp->f[F_CTE]) : CTE_NONE;
	rp->container = rp->have[F_TYPE] && type_container(&rp->f[F_TYPE]);
}

static enum mend
rawpart_mend(const struct rawpart *rp)
{
	int identity = rp->cte == CTE_NONE || rp->cte == CTE_IDENTITY;

	if (!rp->have[F_TYPE] && identity && !rp->utf8)
		return MEND_TEXT;
	/* an encoded container is invalid (RFC 2045 6.4): sent as text */
	if (rp->container && !identity)
		return MEND_TEXT;
	if (rp->info.longest <= COMPOSE_LINE_MAX && !rp->info.nul)
		return MEND_NONE;
	if (rp->container)
		return MEND_TEXT;
	switch (rp->cte) {
	case CTE_NONE:
	case CTE_IDENTITY:
		return MEND_QP;
	case CTE_QP:
		return MEND_SOFT;
	case CTE_BASE64:
		return MEND_BASE64;
	default:
		return MEND_TEXT;
	}
}

/* Whether a field can be copied line by line after "Name:": printable
 * ASCII and TAB only, no line over COMPOSE_LINE_MAX, no blank
 * continuation line, no CR outside CRLF. */
static int
field_clean(const char *name, const struct header_field *f)
{
	const char *s = f->value;
	size_t n = f->value_len, col = strlen(name) + 1;
	int cont = 0, blank = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\r' && i + 1 < n && s[i + 1] == '\n')
			continue;
		if (c == '\n') {
			if (cont && blank)
				return 0;
			cont = blank = 1;
			col = 0;
			continue;
		}
		if (c != '\t' && (c < ' ' || c >= 0x7f))
			return 0;
		if (c != ' ' && c != '\t')
			blank = 0;
		if (++col > COMPOSE_LINE_MAX)
			return 0;
	}
	return !(cont && blank);
}

/* A kept field: copied with CRLF line ends when clean, else unfolded and
 * folded again with only its printable ASCII words. */
static void
field_write(struct buf *out, const char *name, const struct header_field *f)
{
	struct buf v = BUF_INIT;

	if (!field_clean(name, f)) {
		header_unfold(&v, f->value, f->value_len);
		hdr_field(out, name, v.data, v.len);
		buf_free(&v);
		return;
	}
	buf_puts(out, name);
	buf_putc(out, ':');
	for (size_t i = 0; i < f->value_len; i++) {
		if (f->value[i] == '\r')
			continue;	/* clean: only before LF */
		if (f->value[i] == '\n')
			buf_putc(out, '\r');
		buf_putc(out, f->value[i]);
	}
	buf_puts(out, "\r\n");
}

static void
rawpart_headers(struct buf *out, const struct rawpart *rp, enum mend m)
{
	if (rp->have[F_TYPE])
		field_write(out, kept_fields[F_TYPE], &rp->f[F_TYPE]);
	else
		buf_printf(out, "Content-Type: text/plain; charset=%s\r\n",
		    rp->info.eight ? "utf-8" : "us-ascii");
	if (m == MEND_QP)
		buf_puts(out, "Content-Transfer-Encoding: quoted-printable\r\n");
	else if (rp->have[F_CTE])
		field_write(out, kept_fields[F_CTE], &rp->f[F_CTE]);
	else if (rp->info.eight)
		buf_puts(out, "Content-Transfer-Encoding: 8bit\r\n");
	for (int i = F_DISP; i < F_COUNT; i++)
		if (rp->have[i])
			field_write(out, kept_fields[i], &rp->f[i]);
	buf_puts(out, "\r\n");
}

/* A base64 body without anything but base64 characters, in lines of
 * COMPOSE_B64_LINE. */
static void
b64_wrap(struct buf *out, const char *s, size_t n)
{
	size_t col = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '='))
			continue;
		buf_putc(out, (char)c);
		if (++col == COMPOSE_B64_LINE) {
			buf_puts(out, "\r\n");
			col = 0;
		}
	}
	if (col > 0)
		buf_puts(out, "\r\n");
}

/* A quoted-printable body with NUL and stray CR bytes dropped and soft
 * breaks added to lines over COMPOSE_LINE_MAX, never inside "=XX". */
static void
qp_soften(struct buf *out, const char *s, size_t n)
{
	size_t len, eol, col, tok;

	while (n > 0) {
		len = line_next(s, n, &eol);
		col = 0;
		for (size_t i = 0; i < len; i += tok) {
			tok = s[i] == '=' && i + 2 < len ? 3 : 1;
			if (len > COMPOSE_LINE_MAX &&
			    col + tok > COMPOSE_QP_LINE - 1) {
				buf_puts(out, "=\r\n");
				col = 0;
			}
			for (size_t k = i; k < i + tok; k++)
				if (s[k] != '\0' && s[k] != '\r') {
					buf_putc(out, s[k]);
					col++;
				}
		}
		buf_puts(out, "\r\n");
		s += len + eol;
		n -= len + eol;
	}
}

/* The body as a text part: UTF-8 as it is, else read as windows-1252. */
static void
rawpart_text(struct buf *out, const struct rawpart *rp)
{
	struct buf t = BUF_INIT;

	if (rp->utf8)
		part_text(out, rp->body, rp->body_len);
	else {
		charset_to_utf8(&t, "windows-1252", rp->body, rp->body_len);
		part_text(out, buf_cstr(&t), t.len);
	}
	buf_free(&t);
}

void
compose_mime_part_from_raw(struct buf *out, const char *raw, size_t len,
    const char *fallback_text)
{
	struct rawpart rp;
	enum mend m;

	if (fallback_text != NULL) {
		compose_mime_part_text(out, fallback_text);
		return;
	}
	rawpart_parse(&rp, raw != NULL ? raw : "", raw != NULL ? len : 0);
	if ((m = rawpart_mend(&rp)) == MEND_TEXT) {
		rawpart_text(out, &rp);
		return;
	}
	rawpart_headers(out, &rp, m);
	if (m == MEND_QP)
		qp_body(out, rp.body, rp.body_len);
	else if (m == MEND_BASE64)
		b64_wrap(out, rp.body, rp.body_len);
	else if (m == MEND_SOFT)
		qp_soften(out, rp.body, rp.body_len);
	else
		put_crlf(out, rp.body, rp.body_len, rp.info.bare);
}

int
compose_mime_part_check(const char *raw, size_t len)
{
	struct rawpart rp;

	rawpart_parse(&rp, raw != NULL ? raw : "", raw != NULL ? len : 0);
	return rawpart_mend(&rp) != MEND_TEXT;
}

/*
 * Parts rebuilt when a group's MIME policy strips attachments.
 */

/* Base64 lines of COMPOSE_B64_LINE characters, CRLF after each. */
static void
b64_lines(struct buf *out, const unsigned char *s, size_t n)
{
	enum { IN = COMPOSE_B64_LINE / 4 * 3 };
	unsigned char line[COMPOSE_B64_LINE + 1];
	for (size_t off = 0; off < n; off += IN) {
		size_t k = n - off < IN ? n - off : IN;
		int w = EVP_EncodeBlock(line, s + off, (int)k);
		buf_append(out, line, (size_t)w);
		buf_puts(out, "\r\n");
	}
}

/* A Content-Type value from data: "type/subtype" of token characters, or
 * application/octet-stream. */
static void
att_type(struct buf *out, const char *ct)
{
	size_t mark = out->len;
	put_clean(out, ct, "()<>@,;:\\\"[]?= ", COMPOSE_PIECE_MAX);
	const char *v = out->data + mark, *sl = strchr(v, '/');
	if (out->len == mark || sl == NULL || sl == v || sl[1] == '\0' ||
	    strchr(sl + 1, '/') != NULL) {
		buf_truncate(out, mark);
		buf_puts(out, "application/octet-stream");
	}
}

/* Content-Disposition with the filename: quoted when plain printable
 * ASCII without quotes or backslashes, else RFC 2231 percent-encoded. */
static void
att_disposition(struct buf *out, const char *name)
{
	struct buf v = BUF_INIT, cut = BUF_INIT;
	int plain = 1;
	display_cut(&cut, name, COMPOSE_NAME_MAX);
	for (const char *p = buf_cstr(&cut); *p; p++)
		if (!printable((unsigned char)*p) || *p == '"' || *p == '\\')
			plain = *p == ' ' && plain;
	buf_puts(&v, "attachment");
	if (cut.len > 0 && plain)
		buf_printf(&v, "; filename=\"%s\"", buf_cstr(&cut));
	else if (cut.len > 0) {
		buf_puts(&v, "; filename*=utf-8''");
		for (const unsigned char *p = (const unsigned char *)buf_cstr(&cut);
		    *p; p++)
			if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || strchr("-._~", *p))
				buf_putc(&v, (char)*p);
			else
				buf_printf(&v, "%%%02X", *p);
	}
	hdr_field(out, "Content-Disposition", v.data, v.len);
	buf_free(&v);
	buf_free(&cut);
}

void
compose_mime_part_mixed(struct buf *out, const char *utf8,
    const struct compose_attachment *att, size_t n)
{
	if (n == 0) {
		compose_mime_part_text(out, utf8);
		return;
	}
	char tok[TOKEN_LEN + 1];
	token_random(tok);
	buf_printf(out, "Content-Type: multipart/mixed; boundary=\"=_majlis_%s\""
	    "\r\n\r\n--=_majlis_%s\r\n", tok, tok);
	compose_mime_part_text(out, utf8);
	struct buf t = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		buf_printf(out, "\r\n--=_majlis_%s\r\n", tok);
		buf_reset(&t);
		att_type(&t, att[i].content_type);
		hdr_field(out, "Content-Type", t.data, t.len);
		buf_puts(out, "Content-Transfer-Encoding: base64\r\n");
		att_disposition(out, att[i].filename);
		buf_puts(out, "\r\n");
		b64_lines(out, att[i].data, att[i].len);
	}
	buf_printf(out, "\r\n--=_majlis_%s--\r\n", tok);
	buf_free(&t);
}

void
compose_replace_body(struct buf *out, const char *raw, size_t len,
    const char *part, size_t part_len)
{
	struct header_field f;
	size_t pos = 0, start = 0;
	while (header_next(raw, len, &pos, &f) == 1) {
		int drop = header_is(&f, "MIME-Version") || (f.name_len >= 8 &&
		    strncasecmp(f.name, "Content-", 8) == 0);
		if (!drop) {
			buf_append(out, raw + start, pos - start);
			if (pos > 0 && raw[pos - 1] != '\n')
				buf_puts(out, "\r\n");
		}
		start = pos;
	}
	buf_puts(out, "MIME-Version: 1.0\r\n");
	buf_append(out, part, part_len);
}
