"""The web archive against the real daemon: every route, JSON shapes, the
corpus threads with quotes folded and Arabic laid out right to left, the
XSS sample escaped everywhere, private groups invisible, bad input refused
while the server keeps serving. Run: /usr/bin/python3 tests/integration/test_web.py"""

import json
import os
import re
import socket
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import LIST_DOMAIN, corpus, run, site, wait_for  # noqa: E402

CLOUD = "cloud-souverain@" + LIST_DOMAIN
SOUV = "souverainete@" + LIST_DOMAIN
MEMBERS = (("amelie.dupre@example.fr", "Amélie", "member"),
           ("y.tazi@ministere.example.ma", "Youssef", "member"),
           ("karim@diaspora.example.ca", "Karim", "member"),
           ("ahmed.alaoui@example.ma", "Ahmed", "member"),
           ("fz.benali@example.com", "Fatima", "member"),
           ("mallory@example.net", "Mallory", "member"),
           ("mod@example.org", "Moderator", "moderator"))
ATOM = "{http://www.w3.org/2005/Atom}"


def settled(m, n):
    rows = m.db("SELECT state FROM inbound ORDER BY id")
    return len(rows) >= n and all(r[0] != "new" for r in rows)


def get(m, path, lang=None, method="GET"):
    """(status, body bytes, headers) for path, with Accept-Language."""
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (m.http_port, path),
                                 method=method)
    if lang:
        req.add_header("Accept-Language", lang)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)


def raw_request(m, data, timeout=10):
    """Send raw bytes; return the reply bytes ('' when the server closed
    without answering)."""
    s = socket.create_connection(("127.0.0.1", m.http_port), timeout)
    out = b""
    try:
        try:
            s.sendall(data)
        except OSError:
            pass
        while True:
            try:
                chunk = s.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    finally:
        s.close()
    return out


def status_of(reply):
    m = re.match(rb"HTTP/1\.[01] (\d{3}) ", reply)
    return int(m.group(1)) if m else None


def corpus_site(name):
    """A site with the corpus threads published: the French thread (three
    posts), the Arabic thread (two), the XSS sample and an attachment."""
    m = site(name, members=MEMBERS)
    m.send(corpus("fr-latin1-qp.eml"), "amelie.dupre@example.fr", [CLOUD])
    wait_for(lambda: settled(m, 1), "first post")
    m.send(corpus("outlook-reply-no-refs.eml"), "y.tazi@ministere.example.ma",
           [CLOUD])
    m.send(corpus("apple-flowed-fr.eml"), "karim@diaspora.example.ca", [CLOUD])
    m.send(corpus("ar-cp1256-b64.eml"), "ahmed.alaoui@example.ma", [SOUV])
    wait_for(lambda: settled(m, 4), "four posts")
    m.send(corpus("ar-utf8-gmail-reply.eml"), "fz.benali@example.com", [SOUV])
    m.send(corpus("html-only-xss.eml"), "mallory@example.net", [CLOUD])
    m.send(corpus("attachment-rfc2231.eml"), "ahmed.alaoui@example.ma", [CLOUD])
    wait_for(lambda: settled(m, 7), "all posts")
    assert len(m.db("SELECT id FROM posts")) == 7
    return m


def thread_of(m, msgid):
    return m.db("SELECT thread_id FROM posts WHERE message_id = ?", msgid)[0][0]


def check_headers(h, ctype):
    assert h["Content-Type"] == ctype, h
    csp = h["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp, csp
    assert "frame-ancestors 'none'" in csp
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["X-Frame-Options"] == "DENY"
    assert h["Referrer-Policy"]


def test_pages_and_json():
    m = corpus_site("web-pages")
    try:
        fr = thread_of(m, "20261112091403.4711@mail.example.fr")
        ar = thread_of(m, "CAB1234-ar-001@mail.example.ma")
        code, body, h = get(m, "/")
        assert code == 200
        check_headers(h, "text/html; charset=utf-8")
        page = body.decode()
        assert '<html lang="en" dir="ltr">' in page
        assert 'href="/g/cloud-souverain"' in page and "souverainete" in page
        assert '<link rel="stylesheet" href="/static/majlis.css">' in page
        assert "style=" not in page and "<script" not in page
        assert '<main id="main">' in page and "<nav aria-label=" in page
        code, css, h = get(m, "/static/majlis.css")
        assert code == 200 and h["Content-Type"] == "text/css; charset=utf-8"
        assert b"inset-inline-start" in css and b"@import" not in css
        # the same numbers in JSON
        code, body, h = get(m, "/index.json")
        check_headers(h, "application/json; charset=utf-8")
        groups = {g["slug"]: g for g in json.loads(body)["groups"]}
        assert groups["cloud-souverain"]["threads"] == 3, groups
        assert groups["cloud-souverain"]["posts"] == 5
        assert groups["souverainete"]["posts"] == 2
        assert groups["souverainete"]["language"] == "ar"
        # group page: threads by last activity, French from the group
        code, body, h = get(m, "/g/cloud-souverain")
        page = body.decode()
        assert code == 200 and '<html lang="fr" dir="ltr">' in page
        assert 'href="/g/cloud-souverain/t/%d"' % fr in page
        assert 'type="application/atom+xml"' in page
        assert "mailto:cloud-souverain@" + LIST_DOMAIN in page
        code, body, _ = get(m, "/g/cloud-souverain.json")
        g = json.loads(body)
        assert g["page"] == 1 and g["pages"] == 1 and len(g["threads"]) == 3
        assert set(g["threads"][0]) == {"id", "subject", "posts", "created",
                                        "last_activity", "url"}
        first = [t for t in g["threads"] if t["id"] == fr][0]
        assert first["posts"] == 3
        assert first["subject"] == "Réunion du comité - été 2026"
        # the French thread: three posts in order, quotes folded
        code, body, _ = get(m, "/g/cloud-souverain/t/%d" % fr)
        page = body.decode()
        assert code == 200
        assert page.count('<article class="post"') == 3
        assert page.index("Amélie Dupré") < page.index("Youssef Tazi") < \
            page.index("Karim")
        assert page.count('<div class="body" dir="auto">') == 3
        assert re.search(r'<details class="quote"><summary>Texte cité</summary>'
                         r'<p class="text">-----Message d&#39;origine-----', page)
        assert '<details class="sig"><summary>Signature</summary>' in page
        assert "Je confirme ma présence" in page.split("<details")[0] or \
            page.index("Je confirme") < page.index('class="quote"')
        # its JSON
        code, body, _ = get(m, "/g/cloud-souverain/t/%d.json" % fr)
        t = json.loads(body)
        assert t["group"]["slug"] == "cloud-souverain"
        posts = t["thread"]["posts"]
        assert [p["author"] for p in posts][0] == "Amélie Dupré"
        assert posts[0]["parent_id"] is None and posts[1]["parent_id"]
        assert set(posts[0]) == {"id", "parent_id", "author", "date",
                                 "subject", "body", "attachments",
                                 "source", "edited"}
        assert posts[0]["source"] == "mail" and posts[0]["edited"] is None
        assert "email" not in body.decode() and "@example.fr" not in \
            json.dumps([p["author"] for p in posts])
        # the Arabic thread: the group's language is Arabic
        code, body, _ = get(m, "/g/souverainete/t/%d" % ar)
        page = body.decode()
        assert '<html lang="ar" dir="rtl">' in page, page[:200]
        assert '<h1 dir="auto">مسودة التقرير' in page
        assert re.search(r'<details class="quote"><summary>النص المقتبس</summary>'
                         r'<p class="text">في الجمعة', page), page
        # the reader's language wins over the group's
        for lang, want in (("fr-FR,fr;q=0.9", '<html lang="fr" dir="ltr">'),
                           ("en", '<html lang="en" dir="ltr">'),
                           ("de, ar;q=0.5", '<html lang="ar" dir="rtl">')):
            body = get(m, "/g/souverainete/t/%d" % ar, lang)[1].decode()
            assert want in body, (lang, body[:100])
        body = get(m, "/", "ar")[1].decode()
        assert '<html lang="ar" dir="rtl">' in body and "المجموعات" in body
        # HEAD answers without a body
        code, body, h = get(m, "/g/cloud-souverain", method="HEAD")
        assert code == 200 and body == b""
    finally:
        m.close()


def test_feed_mbox_attachment():
    m = corpus_site("web-export")
    try:
        fr = thread_of(m, "20261112091403.4711@mail.example.fr")
        code, body, h = get(m, "/g/cloud-souverain/atom.xml")
        assert code == 200
        check_headers(h, "application/atom+xml; charset=utf-8")
        feed = ET.fromstring(body)
        assert feed.tag == ATOM + "feed"
        assert feed.find(ATOM + "title").text == "Cloud souverain"
        entries = feed.findall(ATOM + "entry")
        assert len(entries) == 5
        titles = [e.find(ATOM + "title").text for e in entries]
        assert 'Hello "><img src=x onerror=alert(2)>' in titles
        authors = [e.find(ATOM + "author/" + ATOM + "name").text
                   for e in entries]
        assert "<script>alert(1)</script>" in authors
        # mbox: the three raw messages, From-quoted, as an attachment
        code, body, h = get(m, "/g/cloud-souverain/t/%d.mbox" % fr)
        assert code == 200 and h["Content-Type"] == "application/mbox"
        assert h["Content-Disposition"].startswith("attachment;")
        text = body.decode("latin-1")
        assert len(re.findall(r"(?m)^From majlis ", text)) == 3
        for mid in ("<20261112091403.4711@mail.example.fr>",
                    "<8F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0@diaspora.example.ca>"):
            assert mid in text, mid
        assert "\r\n" not in text
        # the attachment: listed in the thread, served as a download
        aid, post_id, name, ctype, size = m.db(
            "SELECT id, post_id, filename, content_type, size FROM attachments")[0]
        tid = m.db("SELECT thread_id FROM posts WHERE id = ?", post_id)[0][0]
        t = json.loads(get(m, "/g/cloud-souverain/t/%d.json" % tid)[1])
        att = t["thread"]["posts"][0]["attachments"][0]
        assert att["name"] == name and att["size"] == size and \
            att["type"] == ctype
        assert att["url"].endswith("/a/%d/%s" % (aid, urllib.parse.quote(
            name, safe="")))
        page = get(m, "/g/cloud-souverain/t/%d" % tid)[1].decode()
        assert 'href="/a/%d/' % aid in page and name in page
        code, data, h = get(m, "/a/%d/%s" % (aid, urllib.parse.quote(name)))
        assert code == 200 and len(data) == size
        assert h["Content-Disposition"].startswith("attachment;"), h
        assert "filename*=UTF-8''" in h["Content-Disposition"]
        assert h["X-Content-Type-Options"] == "nosniff"
        assert h["Content-Type"] == ctype
        assert get(m, "/a/%d/x" % (aid + 100))[0] == 404
    finally:
        m.close()


def test_xss_escaped_everywhere():
    m = corpus_site("web-xss")
    try:
        xt = thread_of(m, "xss-1@example.net")
        paths = ["/", "/index.json", "/g/cloud-souverain",
                 "/g/cloud-souverain.json", "/g/cloud-souverain/atom.xml",
                 "/g/cloud-souverain/t/%d" % xt,
                 "/g/cloud-souverain/t/%d.json" % xt]
        tag_with_handler = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
        for p in paths:
            for lang in (None, "ar"):
                code, body, _ = get(m, p, lang)
                assert code == 200, (p, code)
                text = body.decode()
                assert "<script" not in text.lower(), p
                assert "<img" not in text.lower(), p
                assert not tag_with_handler.search(text), p
                assert "javascript:" not in text.lower(), p
                if p.endswith(".json"):
                    assert "<" not in text and ">" not in text, p
        page = get(m, "/g/cloud-souverain/t/%d" % xt)[1].decode()
        assert "Plain text that must survive." in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert '>Hello &quot;&gt;&lt;img src=x onerror=alert(2)&gt;</h1>' in page
        t = json.loads(get(m, "/g/cloud-souverain/t/%d.json" % xt)[1])
        assert t["thread"]["posts"][0]["author"] == "<script>alert(1)</script>"
    finally:
        m.close()


def test_private_groups_invisible():
    m = site("web-private", members=MEMBERS, start=False)
    for slug, vis in (("secret", "private"), ("inner", "members")):
        m.ctl("group", "add", slug, "--name", "Hidden " + slug, "--language",
              "fr", "--visibility", vis)
        for addr in ("amelie.dupre@example.fr", "ahmed.alaoui@example.ma"):
            m.ctl("member", "add", slug, addr, "--name", "A")
    m.start()
    try:
        m.send(corpus("attachment-rfc2231.eml"), "ahmed.alaoui@example.ma",
               ["secret@" + LIST_DOMAIN])
        m.send(corpus("fr-latin1-qp.eml"), "amelie.dupre@example.fr",
               ["inner@" + LIST_DOMAIN])
        wait_for(lambda: settled(m, 2), "posts")
        assert len(m.db("SELECT id FROM posts")) == 2
        aid = m.db("SELECT id FROM attachments")[0][0]
        missing = get(m, "/g/nosuchgroup")
        for slug in ("secret", "inner"):
            tid = m.db("SELECT t.id FROM threads t JOIN groups g ON"
                       " g.id = t.group_id WHERE g.slug = ?", slug)[0][0]
            for p in ("/g/%s", "/g/%s.json", "/g/%s/atom.xml", "/g/%s/t/%d",
                      "/g/%s/t/%d.json", "/g/%s/t/%d.mbox"):
                path = p % ((slug, tid) if "%d" in p else (slug,))
                for lang in (None, "ar"):
                    code, body, _ = get(m, path, lang)
                    assert code == 404, (path, code)
                    other = get(m, path.replace(slug, "nosuchgroup"), lang)
                    assert body == other[1], path
            assert get(m, "/g/%s?page=9" % slug)[0] == 404
        code, body, _ = get(m, "/a/%d/x" % aid)
        assert code == 404 and body == get(m, "/a/999999/x")[1]
        assert missing[0] == 404
        for p in ("/", "/index.json"):
            text = get(m, p)[1].decode()
            assert "secret" not in text and "inner" not in text and \
                "Hidden" not in text, p
        groups = json.loads(get(m, "/index.json")[1])["groups"]
        assert all(g["posts"] == 0 for g in groups), groups
    finally:
        m.close()


def test_pagination():
    m = site("web-pages-n", members=MEMBERS)
    try:
        n = 35
        for i in range(n):
            raw = ("From: Amélie <amelie.dupre@example.fr>\r\nTo: %s\r\n"
                   "Subject: sujet numéro %d\r\nMessage-ID: <p%d@example.fr>\r\n"
                   "Content-Type: text/plain; charset=utf-8\r\n\r\ncorps %d\r\n"
                   % (CLOUD, i, i, i)).encode()
            m.send(raw, "amelie.dupre@example.fr", [CLOUD])
        wait_for(lambda: settled(m, n), "posts")
        g1 = json.loads(get(m, "/g/cloud-souverain.json")[1])
        g2 = json.loads(get(m, "/g/cloud-souverain.json?page=2")[1])
        assert g1["pages"] == 2 and len(g1["threads"]) == 30
        assert len(g2["threads"]) == 5 and g2["page"] == 2
        ids = [t["id"] for t in g1["threads"] + g2["threads"]]
        assert len(set(ids)) == n
        last = [t["last_activity"] for t in g1["threads"] + g2["threads"]]
        assert last == sorted(last, reverse=True)
        page = get(m, "/g/cloud-souverain?page=2")[1].decode()
        assert 'rel="prev" href="/g/cloud-souverain?page=1"' in page
        assert 'rel="next"' not in page
        assert 'rel="next" href="/g/cloud-souverain?page=2"' in \
            get(m, "/g/cloud-souverain")[1].decode()
        assert get(m, "/g/cloud-souverain?page=3")[0] == 404
        for bad in ("0", "-1", "abc", "1.5", "99999999", "", "%ff", "2%00"):
            assert get(m, "/g/cloud-souverain?page=" + bad)[0] == 400, bad
    finally:
        m.close()


def test_bad_input():
    os.environ["MAJLIS_TEST_HTTP_DEADLINE"] = "3"
    try:
        m = site("web-bad", members=MEMBERS)
    finally:
        del os.environ["MAJLIS_TEST_HTTP_DEADLINE"]
    try:
        big = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (1 << 20) + \
            b"\r\n\r\n"
        st = status_of(raw_request(m, big))
        assert st is None or 400 <= st < 500, st
        many = b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(
            b"X-H%d: v\r\n" % i for i in range(10000)) + b"\r\n"
        st = status_of(raw_request(m, many))
        assert st is None or 400 <= st < 500, st
        for path in ("/g/%00", "/g/cloud-souverain%00", "/%00", "/u/%00",
                     "/g/cloud-souverain/t/1%00.json", "/a/1/%00"):
            code = get(m, path)[0]
            assert code in (400, 404), (path, code)
        for q in ("?x=%ff%fe", "?page=%c3", "?%ff=1", "?x=%zz"):
            assert get(m, "/g/cloud-souverain" + q)[0] == 400, q
        assert get(m, "/?x=%ff")[0] == 400
        long_q = "/g/cloud-souverain?x=" + "a" * 5000
        assert get(m, long_q)[0] == 400
        assert get(m, "/" + "a/" * 3000)[0] == 404
        assert get(m, "/g/cloud-souverain", method="PUT")[0] in (400, 405, 501)
        assert get(m, "/g/cloud-souverain", method="POST")[0] == 405
        # a client dripping its request is cut at the deadline
        s = socket.create_connection(("127.0.0.1", m.http_port), 10)
        start = time.monotonic()
        closed = False
        for b in b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"y" * 40:
            try:
                s.send(bytes([b]))
                s.settimeout(0.5)
                if s.recv(1024) == b"":
                    closed = True
                    break
            except socket.timeout:
                continue
            except OSError:
                closed = True
                break
        elapsed = time.monotonic() - start
        s.close()
        assert closed and elapsed < 10, (closed, elapsed)
        code, body, _ = get(m, "/")
        assert code == 200 and b"<h1>" in body
        assert get(m, "/healthz")[0] == 200
    finally:
        m.close()


if __name__ == "__main__":
    run([test_pages_and_json, test_feed_mbox_attachment,
         test_xss_escaped_everywhere, test_private_groups_invisible,
         test_pagination, test_bad_input])
