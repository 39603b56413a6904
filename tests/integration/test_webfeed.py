"""The Atom feed shows bodies as the board does (web Markdown rendered,
mail quotes folded, hostile markup escaped) and validates as XML; a topic
started on the web is never threaded by its subject, a web reply always
goes under its parent. Run: /usr/bin/python3 tests/integration/test_webfeed.py"""

import os
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import LIST_DOMAIN, run, site, wait_for  # noqa: E402
from test_write import SLUG, publish, sign_in  # noqa: E402

ATOM = "{http://www.w3.org/2005/Atom}"
LIST = SLUG + "@" + LIST_DOMAIN


def feed_entries(c):
    st, body, h = c.get("/g/%s/atom.xml" % SLUG)
    assert st == 200, (st, body[:300])
    assert h["content-type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(body.encode())
    assert feed.tag == ATOM + "feed"
    out = {}
    for e in feed.findall(ATOM + "entry"):
        content = e.find(ATOM + "content")
        out[e.find(ATOM + "title").text] = (content.get("type"),
                                            content.text or "", body)
    return out, body


def test_feed_renders_bodies_as_the_board():
    m = site("webfeed-atom")
    try:
        alice = sign_in(m, "alice@example.org", "Alice")
        md = ("Un *accent* et un [lien](https://example.org/doc).\r\n\r\n"
              "<script>alert(1)</script>\r\n\r\n"
              "[piège](javascript:alert(2))\r\n")
        publish(alice, "/g/%s/new" % SLUG, {"subject": "Markdown au fil",
                                            "body": md, "publish": "1"})
        mail = ("From: Bob <bob@example.org>\r\nTo: %s\r\n"
                "Subject: Avis par courriel\r\n"
                "Message-ID: <bob.feed.1@example.org>\r\n"
                "Content-Type: text/plain; charset=utf-8\r\n\r\n"
                "Mon avis <b>net</b> :\r\n\r\n> ce que disait Alice\r\n"
                "> sur deux lignes\r\n\r\nVoilà.\r\n" % LIST).encode()
        m.send(mail, "bob@example.org", [LIST])
        wait_for(lambda: m.db("SELECT count(*) FROM posts")[0][0] == 2,
                 "both posts published")
        entries, raw = feed_entries(alice)
        kind, html, _ = entries["Markdown au fil"]
        assert kind == "html", kind
        # the HTML the board shows, escaped once more inside the XML
        assert "<em>accent</em>" in html, html
        assert '<a href="https://example.org/doc">lien</a>' in html, html
        assert "<script" not in html and "javascript:" not in html, html
        assert "*accent*" not in html
        kind, html, _ = entries["Avis par courriel"]
        assert kind == "html"
        assert "Mon avis &lt;b&gt;net&lt;/b&gt;" in html, html
        assert '<details class="quote">' in html, html
        assert "ce que disait Alice" in html
        # nothing in the document itself is markup from a post
        assert "<script" not in raw and "<em>" not in raw and "<b>" not in raw
        # the same folding as on the thread page
        tid = m.db("SELECT thread_id FROM posts WHERE message_id = ?",
                   "bob.feed.1@example.org")[0][0]
        st, page, _ = alice.get("/g/%s/t/%d" % (SLUG, tid))
        assert st == 200 and '<details class="quote">' in page
    finally:
        m.close()


def test_web_topic_never_threaded_by_subject():
    m = site("webfeed-thread")
    try:
        alice = sign_in(m, "alice@example.org", "Alice")
        bob = sign_in(m, "bob@example.org", "Bob")
        t1, p1 = publish(alice, "/g/%s/new" % SLUG, {
            "subject": "Budget 2027", "body": "Premier jet.",
            "publish": "1"})
        # a web topic whose subject looks like a reply starts a thread
        t2, p2 = publish(bob, "/g/%s/new" % SLUG, {
            "subject": "Re: Budget 2027", "body": "Un autre sujet.",
            "publish": "1"})
        assert t2 != t1
        assert m.db("SELECT parent_id FROM posts WHERE id = ?", p2)[0][0] \
            is None
        # a mail with the same subject still joins by subject
        mail = ("From: Bob <bob@example.org>\r\nTo: %s\r\n"
                "Subject: RE: Budget 2027\r\n"
                "Message-ID: <bob.subj.1@example.org>\r\n"
                "Content-Type: text/plain; charset=utf-8\r\n\r\n"
                "Par courriel.\r\n" % LIST).encode()
        m.send(mail, "bob@example.org", [LIST])
        row = wait_for(lambda: m.db(
            "SELECT thread_id FROM posts WHERE message_id = ?",
            "bob.subj.1@example.org"), "the mail reply")
        assert row[0][0] in (t1, t2)
        # a web reply goes under its parent, whatever its subject
        t3, p3 = publish(alice, "/g/%s/p/%d/reply" % (SLUG, p2), {
            "body": "Sous le bon parent.",
            "publish": "1"})
        assert t3 == t2
        assert m.db("SELECT parent_id FROM posts WHERE id = ?", p3)[0][0] \
            == p2
        t4, p4 = publish(bob, "/g/%s/p/%d/reply" % (SLUG, p1), {
            "body": "Réponse au premier.",
            "publish": "1"})
        assert t4 == t1
        assert m.db("SELECT parent_id FROM posts WHERE id = ?", p4)[0][0] \
            == p1
    finally:
        m.close()


if __name__ == "__main__":
    run([test_feed_renders_bodies_as_the_board,
         test_web_topic_never_threaded_by_subject])
