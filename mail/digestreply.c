/*
 * Replies to a digest (see digestreply.h). A phone client often quotes the
 * whole digest, so links alone may name every thread of the week: then
 * the author's own words decide, or the text it quotes when that is found
 * in one thread only, or the reply is held and its author told how to
 * answer one post.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "daemon/db.h"
#include "daemon/modnotice.h"
#include "daemon/store_digestreply.h"
#include "daemon/store_group.h"
#include "daemon/store_post.h"
#include "mail/digestreply.h"
#include "mail/listcmd.h"
#include "mail/parsed.h"
#include "mail/subject.h"

/* The digest subjects ("Weekly digest, ..." after the group's tag), and
 * their language. */
static const struct {
	const char	*words;
	const char	*lang;
} digestreply_kinds[] = {
	{ "weekly digest", "en" }, { "daily digest", "en" },
	{ "résumé hebdomadaire", "fr" }, { "résumé quotidien", "fr" },
	{ "الملخص الأسبوعي", "ar" }, { "الملخص اليومي", "ar" },
};

/* The language of the digest a reply's subject answers, or NULL when it
 * answers none. */
static const char *
digestreply_kind(const char *subject, const char *slug, const char *prefix)
{
	if (!subject_is_reply(subject))
		return NULL;
	struct buf norm = BUF_INIT;
	subject_normalize_prefix(&norm, subject, slug, prefix);
	const char *lang = NULL;
	for (size_t i = 0; i < sizeof digestreply_kinds /
	    sizeof digestreply_kinds[0] && lang == NULL; i++)
		if (strncmp(buf_cstr(&norm), digestreply_kinds[i].words,
		    strlen(digestreply_kinds[i].words)) == 0)
			lang = digestreply_kinds[i].lang;
	buf_free(&norm);
	return lang;
}

int
digestreply_is(const char *subject, const char *slug, const char *prefix)
{
	return digestreply_kind(subject, slug, prefix) != NULL;
}

static size_t
digestreply_add(int64_t *ids, size_t n, size_t max, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return n;
	if (n < max)
		ids[n++] = id;
	return n;
}

size_t
digestreply_links(const char *text, const char *slug, int64_t *ids,
    size_t max, size_t *foreign)
{
	static const char slugchars[] = "abcdefghijklmnopqrstuvwxyz0123456789-";
	size_t n = 0, len = strlen(slug);
	if (foreign)
		*foreign = 0;
	for (const char *s = strstr(text, "/g/"); s != NULL;
	    s = strstr(s, "/g/")) {
		s += 3;
		size_t sl = strspn(s, slugchars);
		if (sl == 0 || strncmp(s + sl, "/t/", 3) != 0)
			continue;
		const char *d = s + sl + 3;
		int64_t id = 0;
		int digits = 0;
		for (; *d >= '0' && *d <= '9' && digits < 18; d++, digits++)
			id = id * 10 + (*d - '0');
		/* a whole number: not followed by another digit or a letter */
		if (digits == 0 || id == 0 || (*d >= '0' && *d <= '9') ||
		    (*d >= 'a' && *d <= 'z') || (*d >= 'A' && *d <= 'Z'))
			continue;
		if (sl == len && strncmp(s, slug, len) == 0)
			n = digestreply_add(ids, n, max, id);
		else if (foreign)
			(*foreign)++;
	}
	return n;
}

static int
digestreply_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The percent-decoded value at s (up to '&', a space, a quote, or a '>'
 * it then holds), without its brackets, into id: 0, or -1 when it is
 * empty, too long or holds a control character. */
static int
digestreply_value(const char *s, struct buf *id)
{
	buf_reset(id);
	for (; *s && !strchr("& \t\r\n\"'", *s) &&
	    (id->len == 0 || id->data[id->len - 1] != '>'); s++) {
		int c = (unsigned char)*s, h, l;
		if (c == '%' && (h = digestreply_hex(s[1])) >= 0 &&
		    (l = digestreply_hex(s[2])) >= 0) {
			c = h * 16 + l;
			s += 2;
		}
		if (c < 0x21 || c == 0x7f || id->len >= DIGESTREPLY_MSGID_MAX + 2)
			return -1;
		buf_putc(id, (char)c);
	}
	const char *v = buf_cstr(id);
	size_t len = id->len;
	if (len >= 2 && v[0] == '<' && v[len - 1] == '>') {
		memmove(id->data, id->data + 1, len - 2);
		id->len = len - 2;
		id->data[id->len] = '\0';
	}
	return id->len > 0 && id->len <= DIGESTREPLY_MSGID_MAX &&
	    strpbrk(buf_cstr(id), "<>") == NULL ? 0 : -1;
}

size_t
digestreply_msgids(const char *text, struct buf *out)
{
	static const char key[] = "In-Reply-To=";
	struct buf id = BUF_INIT;
	size_t n = 0;
	for (const char *s = strstr(text, key); s != NULL && n <
	    DIGESTREPLY_IDS_MAX; s = strstr(s, key)) {
		s += sizeof key - 1;
		if (digestreply_value(s, &id) == -1)
			continue;
		int seen = 0;
		for (size_t off = 0; off < out->len && !seen;
		    off += strlen(out->data + off) + 1)
			seen = strcmp(out->data + off, buf_cstr(&id)) == 0;
		if (!seen) {
			buf_append(out, id.data, id.len + 1);
			n++;
		}
	}
	buf_free(&id);
	return n;
}

void
digestreply_unquoted(struct buf *out, const char *text)
{
	for (const char *l = text; *l; ) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) + 1 : strlen(l);
		const char *c = l;
		while (c < l + len && (*c == ' ' || *c == '\t'))
			c++;
		if (*c != '>')
			buf_append(out, l, len);
		l += len;
	}
}

#define DIGESTREPLY_BLANKS	" \t\r\n"

/* Append s[0..n) to out, runs of blanks made one space, none at either
 * end (s holds no NUL before n). */
static void
digestreply_squeeze(struct buf *out, const char *s, size_t n)
{
	size_t start = out->len, i = 0;
	while (i < n) {
		size_t word = strcspn(s + i, DIGESTREPLY_BLANKS);
		if (word > n - i)
			word = n - i;
		if (word > 0 && out->len > start)
			buf_putc(out, ' ');
		buf_append(out, s + i, word);
		i += word;
		i += strspn(s + i, DIGESTREPLY_BLANKS);
	}
}

/* Is s one of the NUL-separated strings of list? */
static int
digestreply_listed(const struct buf *list, const char *s)
{
	for (size_t off = 0; off < list->len; off += strlen(list->data + off) + 1)
		if (strcmp(list->data + off, s) == 0)
			return 1;
	return 0;
}

size_t
digestreply_quoted(struct buf *out, const char *text)
{
	struct buf line = BUF_INIT;
	size_t n = 0;
	for (const char *l = text; *l && n < DIGESTREPLY_QUOTE_LINES_MAX; ) {
		const char *nl = strchr(l, '\n');
		const char *end = nl ? nl : l + strlen(l), *c = l;
		while (c < end && (*c == ' ' || *c == '\t'))
			c++;
		if (c < end && *c == '>') {
			while (c < end && (*c == '>' || *c == ' ' || *c == '\t'))
				c++;
			buf_reset(&line);
			digestreply_squeeze(&line, c, (size_t)(end - c));
			const char *q = buf_cstr(&line);
			if (line.len >= DIGESTREPLY_QUOTE_MIN &&
			    !digestreply_listed(out, q)) {
				buf_append(out, q, line.len + 1);
				n++;
			}
		}
		l = nl ? nl + 1 : end;
	}
	buf_free(&line);
	return n;
}

/* What the links of a reply point to, and the answer being built. */
struct digestreply_find {
	struct db	*db;
	int64_t		 group_id;
	int64_t		 threads[DIGESTREPLY_IDS_MAX];
	int64_t		 parents[DIGESTREPLY_IDS_MAX];	/* 0: the root */
	size_t		 n;
	const char	*words;		/* the author's own text */
	int64_t		 named;		/* thread whose subject it names */
	int		 names;		/* how many do */
};

static void
digestreply_candidate(struct digestreply_find *f, int64_t thread,
    int64_t parent)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->threads[i] == thread) {
			if (f->parents[i] == 0)
				f->parents[i] = parent;
			return;
		}
	if (f->n < DIGESTREPLY_IDS_MAX) {
		f->threads[f->n] = thread;
		f->parents[f->n++] = parent;
	}
}

/* The thread links and reply links of text, checked against the group. */
static int
digestreply_candidates(struct digestreply_find *f, const char *text,
    const char *slug)
{
	struct buf ids = BUF_INIT;
	size_t n = digestreply_msgids(text, &ids);
	int rc = 0;
	for (size_t i = 0, off = 0; i < n && rc != -1; i++) {
		int64_t thread, post;
		rc = store_post_by_msgid(f->db, f->group_id, ids.data + off,
		    &post, &thread);
		if (rc == 1)
			digestreply_candidate(f, thread, post);
		off += strlen(ids.data + off) + 1;
	}
	buf_free(&ids);
	int64_t links[DIGESTREPLY_IDS_MAX];
	n = digestreply_links(text, slug, links, DIGESTREPLY_IDS_MAX, NULL);
	for (size_t i = 0; i < n && rc != -1; i++) {
		int64_t root;
		rc = store_digestreply_thread(f->db, f->group_id, links[i], &root);
		if (rc == 1)
			digestreply_candidate(f, links[i], 0);
	}
	return rc == -1 ? -1 : 0;
}

/* Is thread among those the links name (any, when they name none)? */
static int
digestreply_among(const struct digestreply_find *f, int64_t thread)
{
	int among = f->n == 0;
	for (size_t i = 0; i < f->n && !among; i++)
		among = f->threads[i] == thread;
	return among;
}

static int
digestreply_subject(void *arg, int64_t thread, const char *subject)
{
	struct digestreply_find *f = arg;
	if (digestreply_among(f, thread) &&
	    strlen(subject) >= DIGESTREPLY_SUBJECT_MIN &&
	    strstr(f->words, subject) != NULL) {
		f->named = thread;
		f->names++;
	}
	return 0;
}

/* The quoted lines of a reply, and the threads whose posts hold them. */
struct digestreply_quotes {
	const struct digestreply_find *f;
	struct buf	 lines;		/* digestreply_quoted */
	size_t		 n;
	int64_t		 thread[DIGESTREPLY_QUOTE_LINES_MAX];	/* 0 none yet,
						   -1 in several threads */
	int64_t		 post[DIGESTREPLY_QUOTE_LINES_MAX];	/* newest */
	struct buf	 body;		/* one post's text, blanks squeezed */
};

static int
digestreply_body(void *arg, int64_t thread, int64_t post, const char *body)
{
	struct digestreply_quotes *q = arg;
	if (!digestreply_among(q->f, thread))
		return 0;
	buf_reset(&q->body);
	digestreply_squeeze(&q->body, body, strlen(body));
	const char *b = buf_cstr(&q->body);
	size_t off = 0;
	for (size_t i = 0; i < q->n; off += strlen(q->lines.data + off) + 1,
	    i++) {
		if (q->thread[i] == thread || q->thread[i] == -1 ||
		    strstr(b, q->lines.data + off) == NULL)
			continue;
		if (q->thread[i] != 0) {
			q->thread[i] = -1;	/* in two threads: ambiguous */
			return -1;
		}
		q->thread[i] = thread;
		q->post[i] = post;
	}
	return 0;
}

/* The one recent thread (among the links' ones, if any) whose posts hold
 * every quoted line of text (none found elsewhere or nowhere): *thread
 * and *parent (the newest post holding one) set, else left alone. 0, or
 * -1 on a database error. */
static int
digestreply_by_quotes(struct digestreply_find *f, const char *text,
    int64_t *thread, int64_t *parent)
{
	struct digestreply_quotes q;
	memset(&q, 0, sizeof q);
	q.f = f;
	q.n = digestreply_quoted(&q.lines, text);
	int rc = q.n > 0 ? store_digestreply_bodies(f->db, f->group_id,
	    DIGESTREPLY_THREADS_MAX, DIGESTREPLY_QUOTE_POSTS_MAX,
	    digestreply_body, &q) : 0;
	int one = rc == 0 && q.n > 0 && q.thread[0] > 0;
	int64_t newest = 0;
	for (size_t i = 0; i < q.n && one; i++) {
		one = q.thread[i] == q.thread[0];
		if (q.post[i] > newest)
			newest = q.post[i];
	}
	if (one) {
		*thread = q.thread[0];
		*parent = newest;
	}
	buf_free(&q.lines);
	buf_free(&q.body);
	return rc;
}

int
digestreply_resolve(struct db *db, int64_t group_id, const char *slug,
    const struct parsed *p, int64_t *thread, int64_t *parent)
{
	struct digestreply_find f;
	memset(&f, 0, sizeof f);
	f.db = db;
	f.group_id = group_id;
	const char *text = p->text ? p->text : "";
	if (digestreply_candidates(&f, text, slug) == -1)
		return -1;
	*thread = f.n == 1 ? f.threads[0] : 0;
	*parent = f.n == 1 ? f.parents[0] : 0;
	if (f.n != 1) {
		struct buf words = BUF_INIT;
		digestreply_unquoted(&words, text);
		f.words = buf_cstr(&words);
		int rc = store_digestreply_subjects(db, group_id,
		    DIGESTREPLY_THREADS_MAX, digestreply_subject, &f);
		buf_free(&words);
		if (rc == -1)
			return -1;
		if (f.names == 1) {
			*thread = f.named;
			for (size_t i = 0; i < f.n; i++)
				if (f.threads[i] == f.named)
					*parent = f.parents[i];
		} else if (digestreply_by_quotes(&f, text, thread, parent) == -1)
			return -1;
	}
	if (*thread > 0 && *parent == 0 &&
	    store_digestreply_thread(db, group_id, *thread, parent) == -1)
		return -1;
	return *thread > 0;
}

#define DIGESTREPLY_RLM	"\xe2\x80\x8f"	/* U+200F right-to-left mark */
#define DIGESTREPLY_FSI	"\xe2\x81\xa8"	/* U+2068 first strong isolate */
#define DIGESTREPLY_PDI	"\xe2\x81\xa9"	/* U+2069 pop directional isolate */

/*
 * The notice to the author of a held reply, in en, fr and ar: {group},
 * {subject} (theirs) and {link} (the group's web page) are filled by
 * digestreply_fill. Links stand on lines of their own; in Arabic every
 * line opens with a right-to-left mark and the group's name and the
 * author's subject are isolated (they may be written in Latin letters).
 */
static const struct {
	const char	*lang, *subject, *body;
} digestreply_notices[] = {
	{ "en", "Your reply to the digest of {group} waits for a moderator",
	  "Your reply to the digest of the group \"{group}\" could not be\n"
	  "matched to one discussion: it waits for a moderator.\n\n"
	  "Your subject:\n  {subject}\n\n"
	  "To answer one post, use the \"Reply\" link under that post in the\n"
	  "digest: it sets the subject and In-Reply-To, and your answer joins\n"
	  "that discussion. Or reply on the web:\n\n  {link}\n\n"
	  "This notice is sent automatically, at most once an hour.\n" },
	{ "fr", "Votre réponse au résumé de {group} attend un modérateur",
	  "Votre réponse au résumé du groupe « {group} » n'a pu être\n"
	  "rattachée à une seule discussion : elle attend un modérateur.\n\n"
	  "Votre sujet :\n  {subject}\n\n"
	  "Pour répondre à un message, utilisez le lien « Répondre » sous ce\n"
	  "message dans le résumé : il règle le sujet et In-Reply-To, et votre\n"
	  "réponse rejoint cette discussion. Ou répondez sur le web :\n\n"
	  "  {link}\n\n"
	  "Cet avis est envoyé automatiquement, au plus une fois par heure.\n" },
	{ "ar", "ردك على ملخص {group} ينتظر مشرفا",
	  "تعذر ربط ردك على ملخص المجموعة «{group}» بنقاش واحد،\n"
	  "وهو ينتظر مشرفا.\n\n"
	  "موضوع رسالتك:\n  {subject}\n\n"
	  "للرد على مشاركة بعينها استعمل رابط «رد» تحت تلك المشاركة في\n"
	  "الملخص: فهو يضبط الموضوع وترويسة In-Reply-To فينضم ردك إلى\n"
	  "ذلك النقاش. أو رد على الويب:\n\n  {link}\n\n"
	  "أرسل هذا الإشعار آليا، مرة في الساعة على الأكثر.\n" },
};
_Static_assert(DIGESTREPLY_NOTICE_MIN == 3600, "the notices say an hour");

/* The first max bytes of s at most, cut at a character boundary, with
 * "…" when cut, into out. */
static void
digestreply_cut(struct buf *out, const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max) {
		buf_puts(out, s);
		return;
	}
	while (n > 0 && (n > max || ((unsigned char)s[n] & 0xc0) == 0x80))
		n--;
	buf_append(out, s, n);
	buf_puts(out, "\xe2\x80\xa6");
}

/* Append the hole name[0..len) of n; the group's name and the author's
 * subject isolated when isolate is set. */
static void
digestreply_hole(struct buf *out, const char *name, size_t len,
    const struct digestreply_notice *n, int isolate)
{
#define HOLE(s)	(len == sizeof(s) - 1 && memcmp(name, s, len) == 0)
	int subject = HOLE("subject");
	const char *val = HOLE("group") ? n->group : subject ? n->subject :
	    HOLE("link") ? n->link : NULL;
	isolate = isolate && (subject || HOLE("group"));
#undef HOLE
	if (val == NULL)
		return;
	if (isolate)
		buf_puts(out, DIGESTREPLY_FSI);
	if (subject)
		digestreply_cut(out, val, DIGESTREPLY_NOTICE_SUBJECT_MAX);
	else
		buf_puts(out, val);
	if (isolate)
		buf_puts(out, DIGESTREPLY_PDI);
}

/* Append template s with n's holes filled; body: a message body, where
 * Arabic lines open with a right-to-left mark and holes are isolated. */
static void
digestreply_fill(struct buf *out, const char *s,
    const struct digestreply_notice *n, int body)
{
	int rtl = body && strcmp(n->lang, "ar") == 0, line_start = 1;
	while (*s) {
		if (rtl && line_start && *s != '\n')
			buf_puts(out, DIGESTREPLY_RLM);
		line_start = 0;
		const char *close;
		if (*s == '{' && (close = strchr(s, '}')) != NULL) {
			digestreply_hole(out, s + 1, (size_t)(close - s - 1), n,
			    rtl);
			s = close + 1;
			continue;
		}
		line_start = *s == '\n';
		buf_putc(out, *s++);
	}
}

void
digestreply_notice_text(struct buf *subject, struct buf *text,
    const struct digestreply_notice *n)
{
	size_t i = 0;
	for (size_t k = 0; k < sizeof digestreply_notices /
	    sizeof digestreply_notices[0]; k++)
		if (strcmp(n->lang, digestreply_notices[k].lang) == 0)
			i = k;
	struct digestreply_notice in = *n;
	in.lang = digestreply_notices[i].lang;
	digestreply_fill(subject, digestreply_notices[i].subject, &in, 0);
	digestreply_fill(text, digestreply_notices[i].body, &in, 1);
}

int
digestreply_notice(struct db *db, const struct group *g,
    const char *list_domain, const char *site_url, const char *email,
    const struct parsed *p, const struct buf *raw, int64_t now)
{
	int rc = store_digestreply_notice_take(db, g->id, email, now,
	    DIGESTREPLY_NOTICE_MIN);
	if (rc != 1)
		return rc;
	/* the account's language, the message's Content-Language, the
	 * digest's (a French or Arabic subject), the group's */
	const char *digest = digestreply_kind(p->subject, g->slug,
	    g->subject_prefix);
	enum listcmd_lang l = listcmd_lang_message(db, email, raw, "", "",
	    digest != NULL && strcmp(digest, "en") != 0 ? digest : g->language);
	struct buf link = BUF_INIT, subj = BUF_INIT, text = BUF_INIT;
	buf_printf(&link, "%s/g/%s", site_url, g->slug);
	struct digestreply_notice n = { listcmd_lang_code(l), g->name,
	    p->subject, buf_cstr(&link) };
	digestreply_notice_text(&subj, &text, &n);
	rc = modnotice_owner_mail(db, g, list_domain, email, buf_cstr(&subj),
	    buf_cstr(&text), n.lang) == -1 ? -1 : 1;
	buf_free(&link);
	buf_free(&subj);
	buf_free(&text);
	return rc;
}
