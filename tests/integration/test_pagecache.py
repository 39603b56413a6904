"""Thread pages kept for anonymous readers (web/pagecache.c, keyed by
threads.version): every change to a thread's posts shows at once, whoever
makes it (the daemon publishing a reply, or another connection hiding,
editing or adding an attachment the way majlisctl or the sqlite3 shell
would), and each language keeps its own page. Signed-in readers' pages
are rendered for each of them around post bodies kept the same way
(web/bodycache.c): the same bodies, and the same changes shown at once.
Run: /usr/bin/python3 tests/integration/test_pagecache.py"""

import os
import re
import sqlite3
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import LIST_DOMAIN, run, site, wait_for  # noqa: E402
from webclient import WebClient, account  # noqa: E402

GROUP = "cloud-souverain"


def mail(subject, body, msgid, parent=None, sender="alice@example.org",
         group=GROUP):
    refs = ("In-Reply-To: <%s>\r\nReferences: <%s>\r\n" % (parent, parent)
            if parent else "")
    return ("From: Alice <%s>\r\nTo: %s@%s\r\nSubject: %s\r\n"
            "Message-ID: <%s>\r\n%sDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n" %
            (sender, group, LIST_DOMAIN, subject, msgid, refs,
             body)).encode()


def page(m, path, lang="en"):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (m.http_port, path),
                                 headers={"Accept-Language": lang})
    with urllib.request.urlopen(req, timeout=20) as r:
        return r.read().decode()


def write(m, sql, *args):
    con = sqlite3.connect(os.path.join(m.data, "majlis.db"), timeout=20)
    try:
        con.execute(sql, args)
        con.commit()
    finally:
        con.close()


def test_changes_show_at_once():
    m = site("pagecache")
    try:
        m.send(mail("Cache topic", "First post, plain words.", "c1@t.test"),
               "alice@example.org", ["%s@%s" % (GROUP, LIST_DOMAIN)])
        # one at a time: two parsers could otherwise publish the reply
        # before its parent
        wait_for(lambda: len(m.db("SELECT id FROM posts")) == 1, "1 post")
        m.send(mail("Re: Cache topic", "> First post, plain words.\r\n\r\n"
                    "Second post answers.", "c2@t.test", "c1@t.test"),
               "alice@example.org", ["%s@%s" % (GROUP, LIST_DOMAIN)])
        wait_for(lambda: len(m.db("SELECT id FROM posts")) == 2, "2 posts")
        tid = m.db("SELECT thread_id FROM posts WHERE message_id ="
                   " 'c1@t.test'")[0][0]
        assert m.db("SELECT count(DISTINCT thread_id) FROM posts")[0][0] == 1
        path = "/g/%s/t/%d" % (GROUP, tid)
        first = page(m, path)
        assert "Second post answers." in first and "Quoted text" in first
        assert page(m, path) == first           # kept, and the same
        # each language its own page
        fr = page(m, path, "fr")
        assert "Texte cité" in fr and "Quoted text" not in fr, fr[-3000:]
        assert "Quoted text" in page(m, path)

        # a reply published by the daemon
        m.send(mail("Re: Cache topic", "Third post arrives.", "c3@t.test",
                    "c2@t.test"), "alice@example.org",
               ["%s@%s" % (GROUP, LIST_DOMAIN)])
        wait_for(lambda: len(m.db("SELECT id FROM posts")) == 3, "3 posts")
        assert "Third post arrives." in page(m, path)
        assert "Third post arrives." in page(m, path, "fr")

        # changes by another connection
        second = m.db("SELECT id FROM posts WHERE message_id = 'c2@t.test'")
        write(m, "UPDATE posts SET hidden = 1 WHERE id = ?", second[0][0])
        assert "Second post answers." not in page(m, path)
        write(m, "UPDATE posts SET hidden = 0 WHERE id = ?", second[0][0])
        assert "Second post answers." in page(m, path)
        write(m, "UPDATE posts SET body = 'Second post, edited.' "
              "WHERE id = ?", second[0][0])
        text = page(m, path)
        assert "Second post, edited." in text
        assert "Second post answers." not in text
        write(m, "INSERT INTO attachments(post_id, filename, content_type,"
              " size, data) VALUES(?, 'minutes.pdf', 'application/pdf', 3,"
              " x'414243')", second[0][0])
        assert "minutes.pdf" in page(m, path)
        assert "minutes.pdf" in page(m, path, "ar")
        write(m, "DELETE FROM attachments WHERE filename = 'minutes.pdf'")
        assert "minutes.pdf" not in page(m, path)
        versions = m.db("SELECT version FROM threads WHERE id = ?", tid)
        assert versions[0][0] >= 8, versions
    finally:
        m.close()


def test_deleted_group_thread_id_reused():
    """A deleted group's last thread id is given again to the next thread
    (threads has no AUTOINCREMENT): its cached posts must not show there."""
    m = site("pagecache-reuse", start=False)
    m.ctl("group", "add", "ephemere", "--name", "Ephemere")
    m.ctl("member", "add", "ephemere", "alice@example.org", "--name", "Alice")
    m.start()
    try:
        m.send(mail("Gone soon", "Words of a group about to go.", "g1@t.test",
                    group="ephemere"), "alice@example.org",
               ["ephemere@" + LIST_DOMAIN])
        wait_for(lambda: len(m.db("SELECT id FROM posts")) == 1, "1 post")
        old = m.db("SELECT thread_id FROM posts")[0][0]
        assert "about to go" in page(m, "/g/ephemere/t/%d" % old)
        account(m, "root@example.org", "Root", admin=True)
        admin = WebClient(m).signin("root@example.org")
        st, body = admin.submit("/admin/g/ephemere", {"action": "delete",
                                                      "confirm": "ephemere"})
        assert st in (200, 303), (st, body[:300])
        assert m.db("SELECT count(*) FROM threads")[0][0] == 0
        m.send(mail("Fresh topic", "A new thread in another group.",
                    "n1@t.test"), "alice@example.org",
               ["%s@%s" % (GROUP, LIST_DOMAIN)])
        wait_for(lambda: len(m.db("SELECT id FROM posts")) == 1, "new post")
        new = m.db("SELECT thread_id FROM posts")[0][0]
        assert new == old, "the id was not reused (%d, %d)" % (old, new)
        text = page(m, "/g/%s/t/%d" % (GROUP, new))
        assert "A new thread in another group" in text, text[-500:]
        assert "about to go" not in text
    finally:
        m.close()


def bodies(html):
    """The post bodies and attachment lists of a thread page, in order."""
    return re.findall(r'<div class="body".*?</div>\n(?:<div class="files">'
                      r'.*?</ul></div>\n)?', html, re.S)


def test_signed_in_bodies():
    m = site("pagecache-in")
    try:
        m.send(mail("Signed topic", "First words.\r\n\r\n-- \r\nAlice",
                    "s1@t.test"), "alice@example.org",
               ["%s@%s" % (GROUP, LIST_DOMAIN)])
        wait_for(lambda: len(m.db("SELECT id FROM posts")) == 1, "1 post")
        m.send(mail("Re: Signed topic", "> First words.\r\n\r\n"
                    "\u0631\u062f \u0642\u0635\u064a\u0631 reply.",
                    "s2@t.test", "s1@t.test"), "alice@example.org",
               ["%s@%s" % (GROUP, LIST_DOMAIN)])
        wait_for(lambda: len(m.db("SELECT id FROM posts")) == 2, "2 posts")
        tid = m.db("SELECT thread_id FROM posts WHERE message_id ="
                   " 's1@t.test'")[0][0]
        second = m.db("SELECT id FROM posts WHERE message_id = 's2@t.test'"
                      )[0][0]
        root = m.db("SELECT id FROM posts WHERE message_id = 's1@t.test'"
                    )[0][0]
        path = "/g/%s/t/%d" % (GROUP, tid)
        account(m, "alice@example.org", "Alice")
        alice = WebClient(m).signin("alice@example.org")

        def signed():
            st, data = alice.get(path)
            assert st == 200, st
            text = data.decode()
            assert "/p/%d/reply" % root in text, "not signed in"
            return text

        first = signed()
        kept = bodies(first)
        assert len(kept) == 2 and "reply." in kept[1], kept
        assert bodies(signed()) == kept         # from the kept blob
        assert bodies(page(m, path)) == kept    # what anonymous readers see
        write(m, "UPDATE posts SET body = 'Second, edited by majlisctl.' "
              "WHERE id = ?", second)
        text = signed()
        assert "Second, edited by majlisctl." in text and "reply." not in text
        write(m, "INSERT INTO attachments(post_id, filename, content_type,"
              " size, data) VALUES(?, 'agenda.pdf', 'application/pdf', 3,"
              " x'414243')", second)
        assert "agenda.pdf" in bodies(signed())[1]
        write(m, "UPDATE posts SET hidden = 1 WHERE id = ?", second)
        text = signed()
        assert "Second, edited" not in text and len(bodies(text)) == 1
        # a new reply shows; the bodies before it are unchanged
        write(m, "UPDATE posts SET hidden = 0 WHERE id = ?", second)
        m.send(mail("Re: Signed topic", "Third arrives.", "s3@t.test",
                    "s2@t.test"), "alice@example.org",
               ["%s@%s" % (GROUP, LIST_DOMAIN)])
        wait_for(lambda: len(m.db("SELECT id FROM posts")) == 3, "3 posts")
        now = bodies(signed())
        assert len(now) == 3 and "Third arrives." in now[2], now
        assert now == bodies(page(m, path))
    finally:
        m.close()


if __name__ == "__main__":
    run([test_changes_show_at_once, test_deleted_group_thread_id_reused,
         test_signed_in_bodies])
