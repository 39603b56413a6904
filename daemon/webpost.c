/*
 * Web posts as mail (see webpost.h): checks, the format=flowed body, the
 * header fields, and the commit of the inbound row.
 */
#include <config.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/db.h"
#include "daemon/engine.h"
#include "daemon/log.h"
#include "daemon/store_inbound.h"
#include "daemon/webpost.h"
#include "mail/charset.h"
#include "mail/compose.h"
#include "mail/process.h"
#include "mail/rfc2047.h"
#include "mail/subject.h"

/* Bytes never taken into an address or a Message-ID we write. */
#define WEBPOST_ADDR_REJECT	"<>()[]\\,;:\"'`"

/* The span s[0..*n) without leading and trailing white space. */
static const char *
webpost_trim(const char *s, size_t *n)
{
	while (*n > 0 && strchr(" \t\r\n", s[0]) != NULL) {
		s++;
		(*n)--;
	}
	while (*n > 0 && strchr(" \t\r\n", s[*n - 1]) != NULL)
		(*n)--;
	return s;
}

enum webpost_check
webpost_check(const char *subject, const char *body)
{
	size_t sn = subject ? strlen(subject) : 0;
	size_t bn = body ? strlen(body) : 0;
	if (!charset_utf8_valid(subject ? subject : "", sn) ||
	    !charset_utf8_valid(body ? body : "", bn))
		return WEBPOST_BAD_TEXT;
	webpost_trim(subject ? subject : "", &sn);
	if (sn == 0)
		return WEBPOST_SUBJECT_EMPTY;
	if (sn > WEBPOST_SUBJECT_MAX)
		return WEBPOST_SUBJECT_LONG;
	if (bn > WEBPOST_BODY_MAX)
		return WEBPOST_BODY_LONG;
	webpost_trim(body ? body : "", &bn);
	return bn == 0 ? WEBPOST_BODY_EMPTY : WEBPOST_OK;
}

/* Cut b to at most max bytes, on a character boundary. */
static void
webpost_cut(struct buf *b, size_t max)
{
	if (b->len <= max)
		return;
	size_t n = max;
	while (n > 0 && ((unsigned char)b->data[n] & 0xc0) == 0x80)
		n--;
	buf_truncate(b, n);
}

void
webpost_reply_subject(struct buf *out, const char *parent)
{
	buf_reset(out);
	if (!subject_is_reply(parent ? parent : ""))
		buf_puts(out, "Re: ");
	buf_puts(out, parent ? parent : "");
	webpost_cut(out, WEBPOST_SUBJECT_MAX);
}

/* ---- the format=flowed body ---- */

/* Characters (not bytes) of s[0..n). */
static size_t
webpost_chars(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

/* Where to end the first piece of s[0..n) for width characters: just
 * after a space that follows a non-space, the last one within width, else
 * the first one past it; n when there is none. */
static size_t
webpost_break(const char *s, size_t n, size_t width)
{
	size_t best = 0, chars = 0;
	for (size_t i = 0; i < n; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			chars++;
		if (s[i] == ' ' && i > 0 && s[i - 1] != ' ') {
			if (chars <= width || best == 0)
				best = i + 1;
			if (chars > width)
				break;
		}
	}
	return best == 0 || best >= n ? n : best;
}

/* One output line: quote marks, the (stuffed) piece, CRLF. */
static void
webpost_flowed_piece(struct buf *out, size_t depth, const char *s, size_t n)
{
	for (size_t i = 0; i < depth; i++)
		buf_putc(out, '>');
	if (depth > 0 && n > 0)
		buf_putc(out, ' ');
	else if (depth == 0 && n > 0 && (s[0] == ' ' || s[0] == '>' ||
	    (n >= 5 && memcmp(s, "From ", 5) == 0)))
		buf_putc(out, ' ');
	buf_append(out, s, n);
	buf_puts(out, "\r\n");
}

/* One line of text (no line end): cleaned, then written in pieces. */
static void
webpost_flowed_line(struct buf *out, const char *s, size_t n,
    struct buf *tmp)
{
	buf_reset(tmp);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= ' ' && s[i] != 0x7f)
			buf_putc(tmp, s[i]);
		else if (s[i] == '\t')
			buf_putc(tmp, '\t');
	while (tmp->len > 0 && tmp->data[tmp->len - 1] == ' ')
		tmp->len--;
	const char *t = buf_cstr(tmp);
	size_t len = tmp->len, depth = 0;
	while (depth < len && t[depth] == '>')
		depth++;
	t += depth;
	len -= depth;
	if (depth > 0 && len > 0 && t[0] == ' ') {
		t++;
		len--;
	}
	size_t width = WEBPOST_FLOW_WIDTH > depth + 1 + 20 ?
	    WEBPOST_FLOW_WIDTH - (depth ? depth + 1 : 0) : 20;
	do {
		size_t k = webpost_chars(t, len) <= width ? len :
		    webpost_break(t, len, width);
		webpost_flowed_piece(out, depth, t, k);
		t += k;
		len -= k;
	} while (len > 0);
}

void
webpost_flowed(struct buf *out, const char *text)
{
	struct buf tmp = BUF_INIT;
	const char *s = text ? text : "";
	while (*s != '\0') {
		size_t n = strcspn(s, "\r\n");
		webpost_flowed_line(out, s, n, &tmp);
		s += n;
		if (s[0] == '\r' && s[1] == '\n')
			s += 2;
		else if (s[0] != '\0')
			s++;
	}
	buf_free(&tmp);
}

/* Longest line of a CRLF text, in bytes; *eight set when a byte is not
 * ASCII. */
static size_t
webpost_longest(const struct buf *b, int *eight)
{
	size_t longest = 0, cur = 0;
	*eight = 0;
	for (size_t i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->data[i];
		if (c >= 0x80)
			*eight = 1;
		if (c == '\r' || c == '\n')
			cur = 0;
		else if (++cur > longest)
			longest = cur;
	}
	return longest;
}

/* Append the CRLF text b as quoted-printable, lines of at most
 * WEBPOST_QP_LINE bytes (soft breaks included). */
static void
webpost_qp(struct buf *out, const struct buf *b)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t col = 0;
	for (size_t i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->data[i];
		if (c == '\r' && i + 1 < b->len && b->data[i + 1] == '\n') {
			buf_puts(out, "\r\n");
			col = 0;
			i++;
			continue;
		}
		int at_end = i + 1 == b->len || b->data[i + 1] == '\r';
		int plain = (c > ' ' && c < 0x7f && c != '=') ||
		    ((c == ' ' || c == '\t') && !at_end);
		size_t w = plain ? 1 : 3;
		if (col + w > WEBPOST_QP_LINE - 1) {
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
		col += w;
	}
}

/* ---- header fields ---- */

/* 1 when s is an address or Message-ID we may write: printable ASCII
 * without specials, "left@right", at most WEBPOST_ID_MAX bytes. */
static int
webpost_id_ok(const char *s, size_t n)
{
	const char *at = s ? memchr(s, '@', n) : NULL;
	if (n == 0 || n > WEBPOST_ID_MAX || at == NULL || at == s ||
	    at == s + n - 1)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f ||
		    strchr(WEBPOST_ADDR_REJECT, s[i]) != NULL)
			return 0;
	return 1;
}

/* The ids of a References field for a reply to parent whose own
 * References are refs: first id, latest ones, parent last. */
struct webpost_refs {
	const char	*id[WEBPOST_REFS_MAX];
	size_t		 len[WEBPOST_REFS_MAX];
	int		 n;
};

static void
webpost_refs_build(struct webpost_refs *r, const char *refs,
    const char *parent)
{
	size_t plen = strlen(parent);
	const char *s = refs ? refs : "";
	r->n = 0;
	while (*s != '\0') {
		size_t n = strcspn(s, " \t\r\n,<>");
		if (webpost_id_ok(s, n) && !(n == plen && memcmp(s, parent,
		    n) == 0)) {
			if (r->n == WEBPOST_REFS_MAX - 1) {
				/* keep the first; drop the oldest after it */
				memmove(r->id + 1, r->id + 2, sizeof r->id[0] *
				    (WEBPOST_REFS_MAX - 3));
				memmove(r->len + 1, r->len + 2, sizeof r->len[0] *
				    (WEBPOST_REFS_MAX - 3));
				r->n--;
			}
			r->id[r->n] = s;
			r->len[r->n++] = n;
		}
		s += n + (s[n] != '\0');
	}
	r->id[r->n] = parent;
	r->len[r->n++] = plen;
}

static void
webpost_threading(struct buf *out, const struct webpost *p)
{
	const char *parent = p->parent_msgid ? p->parent_msgid : "";
	if (!webpost_id_ok(parent, strlen(parent)))
		return;
	buf_printf(out, "In-Reply-To: <%s>\r\n", parent);
	struct webpost_refs r;
	webpost_refs_build(&r, p->parent_refs, parent);
	buf_puts(out, "References:");
	size_t col = strlen("References:");
	for (int i = 0; i < r.n; i++) {
		if (col + 1 + r.len[i] + 2 > COMPOSE_LINE_SOFT && i > 0) {
			buf_puts(out, "\r\n");
			col = 0;
		}
		buf_putc(out, ' ');
		buf_putc(out, '<');
		buf_append(out, r.id[i], r.len[i]);
		buf_putc(out, '>');
		col += r.len[i] + 3;
	}
	buf_puts(out, "\r\n");
}

static void
webpost_from(struct buf *out, const struct webpost *p)
{
	struct buf name = BUF_INIT;
	buf_puts(&name, p->author_name ? p->author_name : "");
	webpost_cut(&name, WEBPOST_NAME_MAX);
	buf_puts(out, "From: ");
	size_t mark = out->len;
	rfc2047_encode_phrase(out, buf_cstr(&name));
	buf_printf(out, "%s<%s>\r\n", out->len > mark ? " " : "",
	    p->author_email);
	buf_free(&name);
}

int
webpost_build(struct buf *out, const struct webpost *p, struct buf *msgid)
{
	const char *email = p->author_email ? p->author_email : "";
	const char *slug = p->slug ? p->slug : "";
	const char *domain = p->list_domain ? p->list_domain : "";
	struct buf to = BUF_INIT, body = BUF_INIT;
	buf_printf(&to, "%s@%s", slug, domain);
	int ok = webpost_id_ok(email, strlen(email)) && webpost_id_ok(to.data,
	    to.len) && strchr(slug, '@') == NULL;
	if (ok) {
		buf_reset(msgid);
		compose_message_id(msgid, domain);
		buf_puts(out, "Date: ");
		compose_date(out, p->date);
		buf_puts(out, "\r\n");
		webpost_from(out, p);
		buf_printf(out, "To: <%s>\r\nSubject: ", buf_cstr(&to));
		rfc2047_encode(out, p->subject ? p->subject : "",
		    strlen("Subject: "));
		buf_printf(out, "\r\nMessage-ID: <%s>\r\n", buf_cstr(msgid));
		webpost_threading(out, p);
		webpost_flowed(&body, p->body);
		int eight;
		size_t longest = webpost_longest(&body, &eight);
		const char *cte = longest > WEBPOST_LINE_MAX ?
		    "quoted-printable" : eight ? "8bit" : "7bit";
		buf_printf(out, "MIME-Version: 1.0\r\nContent-Type: text/plain;"
		    " charset=utf-8; format=flowed\r\nContent-Transfer-Encoding:"
		    " %s\r\n\r\n", cte);
		if (longest > WEBPOST_LINE_MAX)
			webpost_qp(out, &body);
		else
			buf_append(out, body.data, body.len);
	}
	buf_free(&to);
	buf_free(&body);
	return ok ? 0 : -1;
}

int64_t
webpost_peer_member(const char *peer)
{
	size_t n = strlen(WEBPOST_PEER_PREFIX);
	if (peer == NULL || strncmp(peer, WEBPOST_PEER_PREFIX, n) != 0)
		return 0;
	const char *d = peer + n;
	if (d[0] < '1' || d[0] > '9' || strspn(d, "0123456789") != strlen(d) ||
	    strlen(d) > 18)
		return 0;
	return strtoll(d, NULL, 10);
}

int64_t
webpost_submit(struct engine *e, int64_t member_id, const struct webpost *p,
    struct buf *msgid)
{
	struct buf msg = BUF_INIT, rcpt = BUF_INIT, peer = BUF_INIT;
	int64_t id = -1;
	if (webpost_build(&msg, p, msgid) == -1) {
		log_warnx("web post of member %" PRId64 " not built: unusable"
		    " address", member_id);
		goto done;
	}
	buf_printf(&rcpt, "%s@%s", p->slug, p->list_domain);
	buf_printf(&peer, "%s%" PRId64, WEBPOST_PEER_PREFIX, member_id);
	if (db_begin(e->db) == -1)
		goto done;
	id = store_inbound_add(e->db, p->author_email, buf_cstr(&rcpt),
	    buf_cstr(&peer), msg.data, msg.len);
	if (id == -1 || db_commit(e->db) == -1) {
		db_rollback(e->db);
		id = -1;
		goto done;
	}
	log_info("inbound %" PRId64 ": web post of member %" PRId64 " to %s,"
	    " <%s>", id, member_id, buf_cstr(&rcpt), buf_cstr(msgid));
	if (e->process != NULL)
		process_enqueue(e->process, id);
done:
	buf_free(&msg);
	buf_free(&rcpt);
	buf_free(&peer);
	return id;
}
