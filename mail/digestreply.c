/*
 * Replies to a digest (see digestreply.h). A phone client often quotes the
 * whole digest, so links alone may name every thread of the week: then
 * the author's own words decide, or the reply is held.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "daemon/store_digestreply.h"
#include "mail/digestreply.h"
#include "mail/parsed.h"
#include "mail/subject.h"

int
digestreply_is(const char *subject, const char *slug)
{
	static const char *const prefixes[] = { "weekly digest", "daily digest",
	    "résumé hebdomadaire", "résumé quotidien", "الملخص الأسبوعي",
	    "الملخص اليومي", NULL };
	if (!subject_is_reply(subject))
		return 0;
	struct buf norm = BUF_INIT;
	subject_normalize(&norm, subject, slug);
	int hit = 0;
	for (int i = 0; prefixes[i] && !hit; i++)
		hit = strncmp(buf_cstr(&norm), prefixes[i], strlen(prefixes[i])) == 0;
	buf_free(&norm);
	return hit;
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
    size_t max)
{
	struct buf pat = BUF_INIT;
	buf_printf(&pat, "/g/%s/t/", slug);
	size_t n = 0;
	for (const char *s = strstr(text, buf_cstr(&pat)); s != NULL;
	    s = strstr(s, buf_cstr(&pat))) {
		s += pat.len;
		int64_t id = 0;
		int digits = 0;
		for (; *s >= '0' && *s <= '9' && digits < 18; s++, digits++)
			id = id * 10 + (*s - '0');
		/* a whole number: not followed by another digit or a letter */
		if (digits > 0 && id > 0 && !(*s >= '0' && *s <= '9') &&
		    !(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z'))
			n = digestreply_add(ids, n, max, id);
	}
	buf_free(&pat);
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
		rc = store_digestreply_post(f->db, f->group_id, ids.data + off,
		    &thread, &post);
		if (rc == 1)
			digestreply_candidate(f, thread, post);
		off += strlen(ids.data + off) + 1;
	}
	buf_free(&ids);
	int64_t links[DIGESTREPLY_IDS_MAX];
	n = digestreply_links(text, slug, links, DIGESTREPLY_IDS_MAX);
	for (size_t i = 0; i < n && rc != -1; i++) {
		int64_t root;
		rc = store_digestreply_thread(f->db, f->group_id, links[i], &root);
		if (rc == 1)
			digestreply_candidate(f, links[i], 0);
	}
	return rc == -1 ? -1 : 0;
}

static int
digestreply_subject(void *arg, int64_t thread, const char *subject)
{
	struct digestreply_find *f = arg;
	int among = f->n == 0;
	for (size_t i = 0; i < f->n && !among; i++)
		among = f->threads[i] == thread;
	if (among && strlen(subject) >= DIGESTREPLY_SUBJECT_MIN &&
	    strstr(f->words, subject) != NULL) {
		f->named = thread;
		f->names++;
	}
	return 0;
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
		}
	}
	if (*thread > 0 && *parent == 0 &&
	    store_digestreply_thread(db, group_id, *thread, parent) == -1)
		return -1;
	return *thread > 0;
}
