"""Replies to a digest, by the real daemon: the corpus's digest-reply.eml
(In-Reply-To the digest's Message-ID, the thread named in the author's own
words) joins that thread; a reply quoting one post of the digest (its web
and reply links) joins that thread under that post; a reply quoting the
whole digest without naming a thread is held, never a thread called
"Re: ... digest".
Run: /usr/bin/python3 tests/integration/test_digestreply.py"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (LIST_DOMAIN, Majlis, corpus, parse, run,  # noqa: E402
                     wait_for)

SLUG = "cloud-souverain"
ADDR = SLUG + "@" + LIST_DOMAIN
AUTHOR = "author@example.org"
OMAR = "omar@example.org"


def post(m, sender, subject, body, msgid, extra=""):
    raw = ("From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s>\r\n%s"
           "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
           "\r\n%s\r\n" % (sender, ADDR, subject, msgid, extra,
                           body.replace("\n", "\r\n"))).encode()
    before = m.db("SELECT count(*) FROM inbound WHERE state <> 'new'")[0][0]
    m.send(raw, sender, [ADDR])
    wait_for(lambda: m.db("SELECT count(*) FROM inbound WHERE state <>"
                          " 'new'")[0][0] > before, "processed " + subject)


def thread_of(m, msgid):
    return m.db("SELECT thread_id, parent_id FROM posts WHERE message_id"
                " = ?", msgid)


def test_digest_replies():
    m = Majlis("digestreply")
    try:
        m.ctl("group", "add", SLUG, "--name", "Cloud souverain",
              "--language", "fr")
        m.ctl("member", "add", SLUG, AUTHOR, "--name", "Author",
              "--delivery", "each")
        m.ctl("member", "add", SLUG, OMAR, "--name", "Omar Chraibi",
              "--delivery", "weekly")
        m.start()
        post(m, AUTHOR, "Réunion du comité - été 2026",
             "La réunion aura lieu le 3 juillet.", "meet@example.org")
        post(m, AUTHOR, "Hébergement souverain",
             "Quels hébergeurs qualifiés ?", "host@example.org")
        post(m, AUTHOR, "Re: Hébergement souverain",
             "OVHcloud et Outscale.", "host2@example.org",
             "In-Reply-To: <host@example.org>\r\n")
        m.ctl("digest", "send", SLUG, "--period", "weekly")
        wait_for(lambda: m.sink.to(OMAR), "Omar's digest")
        digest = parse(m.sink.to(OMAR)[0][1])
        did = str(digest["Message-ID"])
        text = digest.get_body(("plain",)).get_content()
        meet, host = thread_of(m, "meet@example.org")[0][0], \
            thread_of(m, "host@example.org")[0][0]
        assert "/g/%s/t/%d" % (SLUG, meet) in text, text

        # the corpus reply: In-Reply-To the digest, the thread named
        raw = corpus("digest-reply.eml").replace(
            b"<digest-placeholder@lists.example.org>", did.encode())
        m.send(raw, OMAR, [ADDR])
        wait_for(lambda: thread_of(m, "digest-reply-1@example.org"),
                 "the corpus reply published")
        root = m.db("SELECT id FROM posts WHERE message_id ="
                    " 'meet@example.org'")[0][0]
        assert thread_of(m, "digest-reply-1@example.org") == \
            [(meet, root)], thread_of(m, "digest-reply-1@example.org")

        # one post of the digest quoted: its thread, under that post
        start = text.index("OVHcloud")
        block = text[text.rindex("Message:", 0, start):start + 40]
        assert "In-Reply-To=" in block and "/t/%d" % host in block, block
        quoted = "".join("> " + l + "\n" for l in block.splitlines())
        post(m, OMAR, "Re: [%s] %s" % (SLUG, digest["Subject"].split(
             "] ", 1)[1]), "Et Scaleway ?\n\n" + quoted,
             "reply-quote@example.org",
             "In-Reply-To: %s\r\n" % did)
        second = m.db("SELECT id FROM posts WHERE message_id ="
                      " 'host2@example.org'")[0][0]
        assert thread_of(m, "reply-quote@example.org") == [(host, second)], \
            thread_of(m, "reply-quote@example.org")

        # the whole digest quoted, no thread named: held, not published
        whole = "".join("> " + l + "\n" for l in text.splitlines())
        post(m, OMAR, "Re: [%s] Weekly digest" % SLUG, "Merci !\n\n" + whole,
             "reply-whole@example.org", "In-Reply-To: %s\r\n" % did)
        assert not thread_of(m, "reply-whole@example.org")
        held = m.db("SELECT h.reason FROM held h JOIN inbound i ON i.id ="
                    " h.inbound_id WHERE h.sender = ?", OMAR)
        assert held == [("reply to a digest",)], held
        assert m.db("SELECT count(*) FROM threads WHERE subject LIKE"
                    " '%digest%' OR subject LIKE '%résumé%'")[0][0] == 0
    finally:
        m.close()


if __name__ == "__main__":
    run([test_digest_replies])
