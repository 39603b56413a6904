"""Who may read what, as one matrix: anonymous, a signed-in outsider (an
account in no group), a member, a moderator and a site admin (in no group)
against a public, a members-only and a private group, for every way a post
can be read: the group page and its JSON, the thread page and its JSON,
the Atom feed, the mbox, the attachment, search and the group list.  A
refusal is a 404 identical to the one for a group or attachment that does
not exist, so it confirms nothing.
Run: /usr/bin/python3 tests/integration/test_access.py"""

import email.message
import email.policy
import email.utils
import json
import os
import re
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import LIST_DOMAIN, run, site, wait_for  # noqa: E402
from webclient import WebClient, account  # noqa: E402

GROUPS = (("agora", "public"), ("cercle", "members"), ("coffre", "private"))
# who may read each kind of group (the semantics of web/access.c)
MAY_READ = {
    "public": {"anonymous", "outsider", "member", "moderator", "admin"},
    "members": {"outsider", "member", "moderator", "admin"},
    "private": {"member", "moderator", "admin"},
}
WORD = {"agora": "quokkaagora", "cercle": "quokkacercle",
        "coffre": "quokkacoffre"}


def post_with_attachment(m, slug):
    msg = email.message.EmailMessage()
    msg["From"] = "Amélie Dupré <amelie@example.fr>"
    msg["To"] = "%s@%s" % (slug, LIST_DOMAIN)
    msg["Subject"] = "Compte rendu %s" % slug
    msg["Date"] = email.utils.formatdate()
    msg["Message-ID"] = "<matrix-%s@example.fr>" % slug
    msg.set_content("Le mot %s est dans ce message.\n" % WORD[slug])
    msg.add_attachment(b"%PDF-1.4 compte rendu\n", maintype="application",
                       subtype="pdf", filename="cr-%s.pdf" % slug)
    m.send(msg.as_bytes(policy=email.policy.SMTP), "amelie@example.fr", [msg["To"]])


def paths(m, slug):
    tid = m.db("SELECT t.id FROM threads t JOIN groups g ON g.id = t.group_id"
               " WHERE g.slug = ?", slug)[0][0]
    aid = m.db("SELECT a.id FROM attachments a JOIN posts p ON p.id ="
               " a.post_id JOIN threads t ON t.id = p.thread_id JOIN groups g"
               " ON g.id = t.group_id WHERE g.slug = ?", slug)[0][0]
    return tid, aid, ["/g/%s" % slug, "/g/%s.json" % slug,
                      "/g/%s/t/%d" % (slug, tid),
                      "/g/%s/t/%d.json" % (slug, tid),
                      "/g/%s/atom.xml" % slug, "/g/%s/t/%d.mbox" % (slug, tid)]


def search_hits(c, word):
    st, body = c.get("/search.json?q=" + urllib.parse.quote(word))
    assert st == 200, (word, st)
    return json.loads(body)["total"]


def test_read_matrix():
    m = site("access", start=False)
    for slug, vis in GROUPS:
        m.ctl("group", "add", slug, "--name", "Groupe " + slug, "--language",
              "fr", "--visibility", vis)
        m.ctl("member", "add", slug, "amelie@example.fr", "--name", "Amélie")
        m.ctl("member", "add", slug, "mina@example.ma", "--name", "Mina")
        m.ctl("member", "add", slug, "modo@example.org", "--name", "Modo",
              "--role", "moderator")
    m.start()
    try:
        for slug, _ in GROUPS:
            post_with_attachment(m, slug)
        wait_for(lambda: m.db("SELECT count(*) FROM attachments")[0][0] == 3,
                 "three posts with their attachment")
        account(m, "outsider@example.net", "Outsider")
        account(m, "mina@example.ma", "Mina")
        account(m, "modo@example.org", "Modo")
        account(m, "root@example.org", "Root", admin=True)
        readers = {"anonymous": WebClient(m),
                   "outsider": WebClient(m).signin("outsider@example.net"),
                   "member": WebClient(m).signin("mina@example.ma"),
                   "moderator": WebClient(m).signin("modo@example.org"),
                   "admin": WebClient(m).signin("root@example.org")}
        checked = 0
        for slug, vis in GROUPS:
            tid, aid, urls = paths(m, slug)
            for who, c in readers.items():
                allowed = who in MAY_READ[vis]
                for url in urls:
                    st, body = c.get(url)
                    if allowed:
                        assert st == 200, (who, url, st)
                        if not url.endswith(".json") and "/t/" in url:
                            assert WORD[slug].encode() in body, (who, url)
                    else:
                        missing = c.get(url.replace(slug, "nosuchgroup"))
                        assert (st, body) == missing, (who, url, st)
                    checked += 1
                # the attachment: its link on the thread page for readers;
                # the same 404 as a missing attachment for the others
                st, body = c.get("/a/%d/cr-%s.pdf" % (aid, slug))
                if allowed:
                    assert st == 200 and body.startswith(b"%PDF"), (who, st)
                else:
                    assert (st, body) == c.get("/a/999999/cr-%s.pdf" % slug), \
                        (who, slug, st)
                checked += 1
                # search, the group list and its counts
                assert search_hits(c, WORD[slug]) == (1 if allowed else 0), \
                    (who, slug)
                st, index = c.get("/index.json")
                listed = [g["slug"] for g in json.loads(index)["groups"]]
                assert (slug in listed) == allowed, (who, slug, listed)
                st, page = c.get("/")
                assert (("Groupe " + slug).encode() in page) == allowed, \
                    (who, slug)
                checked += 3
        assert checked == 3 * 5 * 10, checked
        # the attachment is a download, never rendered inline
        st, _, headers = readers["member"].request(
            "GET", "/a/%d/cr-coffre.pdf" % paths(m, "coffre")[1])
        assert st == 200 and headers["content-disposition"].startswith(
            "attachment"), headers
        # a reader signed out is anonymous again
        out = readers["member"]
        st, body = out.submit("/logout", {}, page="/settings")
        assert st in (200, 303), st
        _, _, urls = paths(m, "coffre")
        assert out.get(urls[2])[0] == 404
        page = out.get("/")[1]
        assert not re.search(rb"coffre|cercle", page)
    finally:
        m.close()


if __name__ == "__main__":
    run([test_read_matrix])
