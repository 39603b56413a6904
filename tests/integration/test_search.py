"""Full-text search against the real daemon: posts in Arabic, French and
English delivered by SMTP are found by /search and /search.json whatever
the accents, harakat, tatweel or alef forms of the query; snippets are
highlighted and escaped; private groups never show nor count; hidden posts
leave the index; hostile queries answer 200 "no results" or 400, never
500; pagination. Run: /usr/bin/python3 tests/integration/test_search.py"""

import email.message
import email.policy
import email.utils
import json
import os
import re
import sqlite3
import sys
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import LIST_DOMAIN, parse, run, site, wait_for  # noqa: E402
from webclient import WebClient  # noqa: E402

CLOUD = "cloud-souverain@" + LIST_DOMAIN
SOUV = "souverainete@" + LIST_DOMAIN
NONE_EN = "No results."


def mail(sender, name, rcpt, subject, body, msgid):
    """A message as a mail client writes it: RFC 2047 headers, UTF-8
    body."""
    msg = email.message.EmailMessage(policy=email.policy.SMTP)
    msg["From"] = email.utils.formataddr((name, sender))
    msg["To"] = rcpt
    msg["Subject"] = subject
    msg["Message-ID"] = "<%s>" % msgid
    msg.set_content(body)
    return msg.as_bytes()


def deliver(m, posts):
    """Send (sender, name, rcpt, subject, body) tuples; wait until every
    one is a post."""
    before = len(m.db("SELECT id FROM posts"))
    for i, (sender, name, rcpt, subject, body) in enumerate(posts):
        m.send(mail(sender, name, rcpt, subject, body,
                    "s%d-%d@test" % (before, i)), sender, [rcpt])
    n = before + len(posts)
    wait_for(lambda: len(m.db("SELECT id FROM posts")) == n, "%d posts" % n)


def get(m, path, lang=None):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (m.http_port, path))
    if lang:
        req.add_header("Accept-Language", lang)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), dict(e.headers)


def search(m, q, extra="", lang=None, fmt=""):
    return get(m, "/search%s?q=%s%s" % (fmt, urllib.parse.quote(q), extra),
               lang)


def hits(m, q, extra=""):
    """The post ids /search.json returns for q, after checking the page
    agrees with it."""
    code, body, h = search(m, q, extra, fmt=".json")
    assert code == 200, (q, code, body)
    assert h["Content-Type"] == "application/json; charset=utf-8"
    doc = json.loads(body)
    ids = [r["post_id"] for r in doc["results"]]
    assert doc["total"] == len(ids) or doc["pages"] > 1, doc
    code, page, _ = search(m, q, extra)
    assert code == 200, (q, code)
    for pid in ids:
        assert "#p%d\"" % pid in page, (q, pid)
    if not ids:
        assert NONE_EN in page, q
    return ids


def post_id(m, subject):
    return m.db("SELECT id FROM posts WHERE subject = ?", subject)[0][0]


CORPUS = [
    ("alice@example.org", "Amélie Dupré", CLOUD, "Réunion du comité",
     "L'élève présentera le cœur du projet de cloud souverain."),
    ("bob@example.org", "Bob", CLOUD, "Reunion notes",
     "Plain English notes: the eleve word written without accents."),
    ("alice@example.org", "أحمد العلوي", SOUV, "الحَوْسَبَةُ السَّحابِيَّةُ",
     "نُناقِشُ السِّيادَةَ الرَّقْمِيَّةَ في المدرسة، و الــــخوادم."),
    ("bob@example.org", "Bob", SOUV, "السيادة الرقمية",
     "إعلان: اجتماع أعضاء المجموعة يوم الأحد."),
    ("bob@example.org", "<script>alert(1)</script>", CLOUD,
     "<script>alert('x')</script> payload",
     "Body with <img src=x onerror=alert(2)> and \"><b>bold</b> payload."),
]


def test_find_in_three_languages():
    m = site("search-langs")
    try:
        deliver(m, CORPUS)
        fr = post_id(m, "Réunion du comité")
        en = post_id(m, "Reunion notes")
        ar1 = post_id(m, "الحَوْسَبَةُ السَّحابِيَّةُ")
        ar2 = post_id(m, "السيادة الرقمية")
        # French accents folded both ways
        assert sorted(hits(m, "eleve")) == sorted([fr, en])
        assert sorted(hits(m, "élève")) == sorted([fr, en])
        assert sorted(hits(m, "REUNION")) == sorted([fr, en])
        assert hits(m, "coeur") == [fr] and hits(m, "cœur") == [fr]
        assert hits(m, "amelie dupre") == [fr]
        # Arabic: bare query, vowelled text; vowelled query, bare text
        assert hits(m, "الحوسبة") == [ar1]
        assert hits(m, "السحابية") == [ar1]
        assert hits(m, "سحابية") == [ar1]          # article on the word
        assert hits(m, "خوادم") == [ar1]
        assert sorted(hits(m, "السِّيادَة")) == sorted([ar1, ar2])
        assert hits(m, "الخوادم") == [ar1]          # tatweel in the text
        assert hits(m, "الأحد") == [ar2] and hits(m, "الاحد") == [ar2]
        assert hits(m, "اعلان") == [ar2]            # alef with hamza
        assert hits(m, "المدرسه") == [ar1]          # ta marbuta
        assert hits(m, "\"الرقمية في المدرسة\"") == [ar1]
        assert hits(m, "\"المدرسة في\"") == []
        assert hits(m, "احمد") == [ar1]             # author name
        # AND of words; group filter
        assert hits(m, "cloud eleve") == [fr]
        assert hits(m, "eleve", "&g=souverainete") == []
        assert sorted(hits(m, "eleve", "&g=cloud-souverain")) == \
            sorted([fr, en])
        # the page: count, highlighted snippets with dir=auto, dates
        code, page, h = search(m, "الحوسبة")
        assert code == 200 and h["Content-Type"].startswith("text/html")
        assert "Results: 1" in page
        assert re.search(r'<h2 dir="auto"><a href="/g/souverainete/t/\d+#p%d">'
                         r'<mark>الحَوْسَبَةُ</mark> السَّحابِيَّةُ</a>' % ar1,
                         page), page
        assert '<p class="snippet" dir="auto">' in page
        assert "<time datetime=" in page
        code, page, _ = search(m, "élève")
        assert "<mark>élève</mark>" in page and "<mark>eleve</mark>" in page
        # JSON shape
        doc = json.loads(search(m, "coeur", fmt=".json")[1])
        assert set(doc) == {"results", "query", "page", "pages", "total",
                            "more", "timed_out"}, doc
        r = doc["results"][0]
        assert set(r) == {"post_id", "thread_id", "group", "group_name",
                          "subject", "author", "date", "url", "snippet",
                          "snippet_html"}, r
        assert r["url"].endswith("/g/cloud-souverain/t/%d#p%d" %
                                 (r["thread_id"], fr))
        assert "<mark>cœur</mark>" in r["snippet_html"]
        assert "<mark>" not in r["snippet"] and "cœur" in r["snippet"]
        # the reader's language
        code, page, _ = search(m, "eleve", lang="ar")
        assert '<html lang="ar" dir="rtl">' in page and "النتائج" in page
        code, page, _ = search(m, "zzzz", lang="fr")
        assert "Aucun résultat." in page
    finally:
        m.close()


def test_escaped_payloads():
    m = site("search-xss")
    try:
        deliver(m, CORPUS[4:])
        for q in ("alert", "payload", "script", "onerror", "bold"):
            code, page, _ = search(m, q)
            assert code == 200 and "Results: 1" in page, q
            main = page[page.index("<main"):]
            assert "<script" not in main and "<img" not in main, main
            assert "<b>" not in main, main
            assert "&lt;" in main
            code, body, _ = search(m, q, fmt=".json")
            assert "<" not in body and ">" not in body, body
            r = json.loads(body)["results"][0]
            assert "<img" not in r["snippet_html"]
            assert "&lt;img" in r["snippet_html"]
    finally:
        m.close()


def test_private_and_hidden_posts():
    m = site("search-private", start=False)
    for slug, vis in (("secret", "private"), ("inner", "members")):
        m.ctl("group", "add", slug, "--name", "Hidden " + slug, "--language",
              "fr", "--visibility", vis)
        m.ctl("member", "add", slug, "alice@example.org", "--name", "Alice")
    m.start()
    try:
        deliver(m, [
            ("alice@example.org", "Alice", "secret@" + LIST_DOMAIN,
             "confidentiel", "plan souverain numéro un"),
            ("alice@example.org", "Alice", "inner@" + LIST_DOMAIN,
             "interne", "plan souverain numéro deux"),
            ("bob@example.org", "Bob", CLOUD, "public", "plan souverain public"),
        ])
        pub = post_id(m, "public")
        assert hits(m, "souverain") == [pub]
        assert hits(m, "confidentiel") == [] and hits(m, "interne") == []
        doc = json.loads(search(m, "plan", fmt=".json")[1])
        assert doc["total"] == 1 and doc["pages"] == 1, doc
        # naming the group changes nothing, and answers like no group
        for slug in ("secret", "inner"):
            a = search(m, "plan", "&g=" + slug)
            b = search(m, "plan", "&g=nosuchgroup")
            assert a[0] == b[0] == 200
            assert a[1].replace(slug, "X") == b[1].replace("nosuchgroup", "X")
            assert "Hidden" not in a[1]
            assert json.loads(search(m, "plan", "&g=" + slug,
                                     fmt=".json")[1])["total"] == 0
        # a hidden post leaves the index, written by any SQLite client
        con = sqlite3.connect(os.path.join(m.data, "majlis.db"), timeout=10)
        con.execute("UPDATE posts SET hidden = 1 WHERE id = ?", (pub,))
        con.commit()
        assert hits(m, "souverain") == []
        con.execute("UPDATE posts SET hidden = 0 WHERE id = ?", (pub,))
        con.commit()
        con.close()
        assert hits(m, "souverain") == [pub]
    finally:
        m.close()


class Reader(WebClient):
    """A signed-in reader: a WebClient registered by mail."""

    def register(self, addr, name):
        """Register (or claim) addr through the confirmation mail."""
        st, page = self.submit("/register", {"name": name, "email": addr,
                                             "password": "correct horse"
                                             " battery staple"})
        assert st == 200, (st, page[:300])

        def link():
            for _, raw in self.m.sink.to(addr):
                body = parse(raw).get_body(("plain",))
                found = re.search(r"/register/[A-Za-z0-9_-]+",
                                  body.get_content() if body else "")
                if found:
                    return found.group(0)
            return None
        st, _ = self.submit(wait_for(link, "confirmation to " + addr), {})
        assert st == 200 and "majlis_session" in self.cookies, st
        return self

    def hits(self, q, extra=""):
        st, body = self.get("/search.json?q=%s%s" %
                            (urllib.parse.quote(q), extra))
        assert st == 200, (q, st)
        return sorted(r["post_id"] for r in json.loads(body)["results"])


def test_signed_in_readers():
    m = site("search-readers", start=False)
    for slug, vis in (("secret", "private"), ("inner", "members")):
        m.ctl("group", "add", slug, "--name", "Hidden " + slug, "--language",
              "fr", "--visibility", vis)
        m.ctl("member", "add", slug, "alice@example.org", "--name", "Alice")
    m.start()
    try:
        deliver(m, [
            ("alice@example.org", "Alice", "secret@" + LIST_DOMAIN,
             "confidentiel", "plan souverain numéro un"),
            ("alice@example.org", "Alice", "inner@" + LIST_DOMAIN,
             "interne", "plan souverain numéro deux"),
            ("bob@example.org", "Bob", CLOUD, "public", "plan souverain public"),
        ])
        sec, inn, pub = (post_id(m, s) for s in ("confidentiel", "interne",
                                                 "public"))
        alice = Reader(m).register("alice@example.org", "Alice")
        carol = Reader(m).register("carol@example.net", "Carol")
        # private: its members; members: anyone signed in; public: all
        assert alice.hits("plan") == sorted([sec, inn, pub])
        assert carol.hits("plan") == sorted([inn, pub])
        assert hits(m, "plan") == [pub]
        assert carol.hits("confidentiel") == []
        assert carol.hits("plan", "&g=secret") == []
        st, body = carol.get("/search.json?q=plan&g=secret")
        body = body.decode()
        assert json.loads(body)["total"] == 0 and "Hidden" not in body
        assert alice.hits("plan", "&g=secret") == [sec]
        # the author's address: for signed-in readers, within what they see
        assert alice.hits("alice@example.org") == sorted([sec, inn])
        assert carol.hits("alice@example.org") == [inn]
        assert hits(m, "alice@example.org") == []
    finally:
        m.close()


HOSTILE = ['"', '""', "*", "NEAR(", "NEAR(a b", "subject:", "subject:plan",
           "body:x", "{subject}:x", "a OR", "AND", "NOT", "^", "x*", "-x",
           "(", ")", "'", "\\", "%", "rank:1", 'a "b', "\u2026", "؟",
           "plan AND OR NOT", "NEAR(\"plan\" \"x\", 2)"]


def test_hostile_queries():
    m = site("search-hostile")
    try:
        deliver(m, [("bob@example.org", "Bob", CLOUD, "plan",
                     "un plan souverain")])
        for q in HOSTILE:
            for fmt in ("", ".json"):
                code, body, _ = search(m, q, fmt=fmt)
                assert code == 200, (q, fmt, code)
                if fmt:
                    assert json.loads(body)["total"] in (0, 1), (q, body)
        assert hits(m, "subject:plan") == []       # a phrase, not a filter
        assert len(hits(m, "plan AND OR NOT")) == 0
        # too long, too many words: 400 with a message, the form kept
        code, page, _ = search(m, "a" * 300)
        assert code == 400 and "too long" in page and 'name="q"' in page
        code, page, _ = search(m, " ".join("w%d" % i for i in range(9)))
        assert code == 400 and "too many words" in page
        code, body, _ = search(m, "a" * 300, fmt=".json")
        assert code == 400 and json.loads(body)["error"] == "query too long"
        assert len(hits(m, " ".join(["plan"] * 8))) == 1
        # broken encodings and oversized query strings
        for raw in ("%ff", "%e2%82", "%00", "%zz", "a" * 2000):
            assert get(m, "/search?q=" + raw)[0] == 400, raw
            assert get(m, "/search.json?q=" + raw)[0] == 400, raw
        assert get(m, "/search?q=plan&page=0")[0] == 400
        assert get(m, "/search?q=plan&page=x")[0] == 400
        # an empty query shows the form only
        for path in ("/search", "/search?q=", "/search?q=+++"):
            code, page, _ = get(m, path)
            assert code == 200 and 'name="q"' in page, path
        assert json.loads(get(m, "/search.json")[1])["total"] == 0
        # still serving
        assert hits(m, "plan") == [post_id(m, "plan")]
        assert get(m, "/healthz")[0] == 200
    finally:
        m.close()


def test_pagination():
    m = site("search-pages")
    try:
        n = 45
        deliver(m, [("bob@example.org", "Bob", CLOUD, "sujet %d" % i,
                     "texte commun numéro %d" % i) for i in range(n)])
        seen = set()
        for page, want in ((1, 20), (2, 20), (3, 5)):
            code, body, _ = search(m, "commun", "&page=%d" % page,
                                   fmt=".json")
            doc = json.loads(body)
            assert code == 200 and doc["total"] == n and doc["pages"] == 3
            assert doc["page"] == page and len(doc["results"]) == want
            seen |= {r["post_id"] for r in doc["results"]}
        assert len(seen) == n
        code, page, _ = search(m, "commun", "&page=2")
        assert 'rel="prev" href="/search?q=commun"' in page
        assert 'rel="next" href="/search?q=commun&amp;page=3"' in page
        assert search(m, "commun", "&page=4")[0] == 404
        assert search(m, "commun", "&page=4", fmt=".json")[0] == 404
        assert search(m, "zzz", "&page=2")[0] == 404
    finally:
        m.close()


if __name__ == "__main__":
    run([test_find_in_three_languages, test_escaped_payloads,
         test_private_and_hidden_posts, test_signed_in_readers,
         test_hostile_queries, test_pagination])
