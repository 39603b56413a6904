"""Replies to a digest, by the real daemon: the corpus's digest-reply.eml
(In-Reply-To the digest's Message-ID, the thread named in the author's own
words) joins that thread; a reply quoting one post of the digest (its web
and reply links) joins that thread under that post; a reply quoting the
whole digest without naming a thread is held, never a thread called
"Re: ... digest", and its author gets one notice (from the owner address,
DKIM-signed, in their language) saying why and how to answer one post;
a second within the hour gets none; a placed reply none at all. A group
with its own subject prefix: its digest carries it, a reply to that
digest is recognised, a reply by subject only under it joins its thread.
A reply to a digest quoting a post's text without its links joins that
post's thread.
Run: /usr/bin/python3 tests/integration/test_digestreply.py"""

import email.header
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (LIST_DOMAIN, Majlis, corpus, parse, run,  # noqa: E402
                     wait_for)
from webclient import WebClient, account  # noqa: E402

SLUG = "cloud-souverain"
ADDR = SLUG + "@" + LIST_DOMAIN
AUTHOR = "author@example.org"
OMAR = "omar@example.org"
MOD = "mod@example.org"
PLACE_THREADS_MAX = 50  # web/mod.c MOD_PLACE_THREADS_MAX


def post(m, sender, subject, body, msgid, extra=""):
    post_to(m, SLUG, sender, subject, body, msgid, extra)


def post_to(m, slug, sender, subject, body, msgid, extra=""):
    addr = slug + "@" + LIST_DOMAIN
    if not subject.isascii():
        subject = email.header.Header(subject, "utf-8").encode(
            linesep="\r\n")
    raw = ("From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s>\r\n%s"
           "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
           "\r\n%s\r\n" % (sender, addr, subject, msgid, extra,
                           body.replace("\n", "\r\n"))).encode()
    before = m.db("SELECT count(*) FROM inbound WHERE state <> 'new'")[0][0]
    m.send(raw, sender, [addr])
    wait_for(lambda: m.db("SELECT count(*) FROM inbound WHERE state <>"
                          " 'new'")[0][0] > before, "processed " + subject)


def notices(m, rcpt):
    """The owner's notices queued for rcpt (in the outbox: it is written
    in the transaction that holds the reply)."""
    return m.db("SELECT count(*) FROM outbox WHERE rcpt = ? AND CAST(message"
                " AS TEXT) LIKE '%%From: %%-owner@%%'", rcpt)[0][0]


def sink_notices(m, rcpt):
    return [parse(raw) for _, raw in m.sink.to(rcpt)
            if "-owner@" in str(parse(raw)["From"])]


def dkim_key(m):
    """A key from majlisctl dkim generate, in the site's configuration."""
    out = m.ctl("dkim", "generate", "--out",
                os.path.join(m.root, "dkim.key")).stdout.decode()
    conf = dict(re.findall(r"^(dkim_[a-z0-9_]+) = (.+)$", out, re.M))
    assert "dkim_key" in conf, out
    with open(m.conf, "a") as f:
        for k, v in conf.items():
            f.write('%s = "%s"\n' % (k, v.strip('"')))


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
        dkim_key(m)
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
        # ... and Omar told, once: the placed replies before told nothing
        assert notices(m, OMAR) == 1
        wait_for(lambda: sink_notices(m, OMAR), "the notice to Omar")
        n = sink_notices(m, OMAR)[0]
        assert str(n["From"]) == "Cloud souverain <%s-owner@%s>" % (
            SLUG, LIST_DOMAIN), n["From"]
        assert n["Auto-Submitted"] == "auto-replied"
        assert n["List-Id"] == "<%s.%s>" % (SLUG, LIST_DOMAIN)
        assert "d=" + LIST_DOMAIN in n["DKIM-Signature"].replace(" ", "")
        # no web account, no Content-Language, an English digest subject:
        # the group's language
        assert n["Content-Language"] == "fr", n["Content-Language"]
        assert n["Subject"] == ("Votre réponse au résumé de Cloud souverain"
                                " attend un modérateur"), n["Subject"]
        body = n.get_content().replace("\r\n", "\n")
        assert "« Cloud souverain »" in body, body
        assert "\n  Re: [%s] Weekly digest\n" % SLUG in body, body
        assert "« Répondre »" in body, body
        web = "http://127.0.0.1:%d/g/%s" % (m.http_port, SLUG)
        assert "\n  %s\n" % web in body, body
        note = m.db("SELECT note FROM inbound WHERE CAST(raw AS TEXT) LIKE"
                    " '%reply-whole@%'")[0][0]
        assert "author told how to reply to one post" in note, note

        # a second one within the hour: held, nobody told again
        post(m, OMAR, "Re: [%s] Weekly digest" % SLUG, "Et aussi.\n\n" +
             whole, "reply-whole-2@example.org", "In-Reply-To: %s\r\n" % did)
        assert m.db("SELECT count(*) FROM held WHERE sender = ?",
                    OMAR)[0][0] == 2
        assert notices(m, OMAR) == 1
        note = m.db("SELECT note FROM inbound WHERE CAST(raw AS TEXT) LIKE"
                    " '%reply-whole-2@%'")[0][0]
        assert "told within the hour, not again" in note, note

        # another member, an Arabic digest's subject: in Arabic
        post(m, AUTHOR, "رد: [%s] الملخص الأسبوعي" % SLUG, "شكرا\n\n" +
             whole, "reply-ar@example.org", "In-Reply-To: %s\r\n" % did)
        assert notices(m, AUTHOR) == 1
        wait_for(lambda: sink_notices(m, AUTHOR), "the notice in Arabic")
        n = sink_notices(m, AUTHOR)[0]
        assert n["Content-Language"] == "ar", n["Content-Language"]
        lines = [l for l in n.get_content().splitlines() if l]
        assert all(l.startswith("\u200f") for l in lines), lines
        assert "\u200f  " + web in lines, lines
        assert len(sink_notices(m, OMAR)) == 1
        assert m.db("SELECT count(*) FROM threads WHERE subject LIKE"
                    " '%digest%' OR subject LIKE '%résumé%'")[0][0] == 0

        # a moderator approves the first held reply: published as any
        # approved message, and its author is not told again
        hid = m.db("SELECT h.id FROM held h JOIN inbound i ON i.id ="
                   " h.inbound_id WHERE CAST(i.raw AS TEXT) LIKE"
                   " '%reply-whole@%'")[0][0]
        m.ctl("held", "approve", str(hid))
        wait_for(lambda: thread_of(m, "reply-whole@example.org"),
                 "the approved reply published")
        assert notices(m, OMAR) == 1
        approve_into_thread(m, meet, host)
    finally:
        m.close()


def held_of(m, msgid):
    return m.db("SELECT h.id FROM held h JOIN inbound i ON i.id ="
                " h.inbound_id WHERE CAST(i.raw AS TEXT) LIKE ?",
                "%<" + msgid + ">%")[0][0]


def root_of(m, thread):
    return m.db("SELECT min(id) FROM posts WHERE thread_id = ?", thread)[0][0]


def place_options(body):
    sel = re.search(r'<select id="thread" name="thread">(.*?)</select>',
                    body, re.S)
    assert sel, body[-2000:]
    return re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>',
                      sel.group(1))


def approve_into_thread(m, meet, host):
    """The two held replies left: a moderator places one in a thread from
    the panel and the other with majlisctl held approve --thread; a thread
    of no such number, or of another group, is refused and nothing is
    decided. The panel offers the MOD_PLACE_THREADS_MAX most recent
    threads; an older one may still be posted."""
    m.ctl("group", "add", "other", "--name", "Other")
    m.ctl("member", "add", "other", AUTHOR)
    post_to(m, "other", AUTHOR, "Elsewhere", "Another group's thread.",
            "other@example.org")
    other = thread_of(m, "other@example.org")[0][0]
    m.ctl("member", "add", SLUG, MOD, "--name", "Mod", "--role",
          "moderator")
    account(m, MOD, "Mod")
    c = WebClient(m).signin(MOD)
    hid = held_of(m, "reply-whole-2@example.org")
    st, body = c.get("/mod/held/%d" % hid)
    body = body.decode()
    assert st == 200 and "Approve into the thread" in body, body[-2000:]
    opts = place_options(body)
    assert opts[0] == ("", "(a new thread of its own)"), opts
    assert ("%d" % host, "Hébergement souverain") in opts, opts
    assert ("%d" % meet, "Réunion du comité - été 2026") in opts, opts
    assert "%d" % other not in [v for v, _ in opts], opts
    for bad, code in (("%d" % other, 404), ("999999", 404), ("x", 400),
                      ("-3", 400)):
        st, _ = c.submit("/mod/held/%d" % hid, {"action": "approve",
                                                 "thread": bad})
        assert st == code, (bad, st)
    assert m.db("SELECT state, place_thread FROM held WHERE id = ?",
                hid) == [("pending", 0)]
    st, _ = c.submit("/mod/held/%d" % hid, {"action": "approve",
                                             "thread": "%d" % host})
    assert st == 303, st
    wait_for(lambda: thread_of(m, "reply-whole-2@example.org"),
             "the reply approved into a thread")
    assert thread_of(m, "reply-whole-2@example.org") == \
        [(host, root_of(m, host))]
    after = m.db("SELECT after_json FROM audit_log WHERE action ="
                 " 'held.approve' AND target = ?", "held %d" % hid)
    assert after == [('{"state":"approved","decided_by":"%s","thread":%d}'
                      % (MOD, host),)], after

    # majlisctl: a thread of another group refused, then placed
    aid = held_of(m, "reply-ar@example.org")
    r = m.ctl("held", "approve", str(aid), "--thread", str(other),
              check=False)
    assert r.returncode == 2 and b"has no thread" in r.stderr, r
    assert m.db("SELECT state FROM held WHERE id = ?", aid) == \
        [("pending",)]
    m.ctl("held", "approve", str(aid), "--thread", str(meet))
    wait_for(lambda: thread_of(m, "reply-ar@example.org"),
             "the reply approved into a thread by majlisctl")
    assert thread_of(m, "reply-ar@example.org") == \
        [(meet, root_of(m, meet))]
    assert m.db("SELECT count(*) FROM threads WHERE subject LIKE '%digest"
                "%' OR subject LIKE '%الملخص%'")[0][0] == 1  # by ctl alone

    # more recent threads than the panel offers: the oldest not offered,
    # still accepted when posted
    for i in range(PLACE_THREADS_MAX):
        post(m, AUTHOR, "Fil %d" % i, "Texte %d." % i, "fil-%d@example.org"
             % i)
    post(m, OMAR, "Re: [%s] Weekly digest" % SLUG, "Encore.\n\n> x",
         "reply-late@example.org")
    late = held_of(m, "reply-late@example.org")
    opts = place_options(c.get("/mod/held/%d" % late)[1].decode())
    assert len(opts) == 1 + PLACE_THREADS_MAX, len(opts)
    assert "%d" % host not in [v for v, _ in opts], opts
    st, _ = c.submit("/mod/held/%d" % late, {"action": "approve",
                                              "thread": "%d" % host})
    assert st == 303, st
    wait_for(lambda: thread_of(m, "reply-late@example.org"),
             "the late reply approved into an older thread")
    assert thread_of(m, "reply-late@example.org")[0][0] == host
    approve_by_mail(m, meet, host, other)


def notice_to(m, rcpt, msgid):
    """The moderator's notice of the held message msgid (its text quotes
    the message): its approve address and its text."""
    def find():
        for _, raw in m.sink.to(rcpt):
            msg = parse(raw)
            text = msg.get_body(("plain",)).get_content()
            if msgid not in text and "Encore %s" % msgid not in text:
                continue
            ok = re.findall(r"(%s-moderate\+[A-Za-z0-9_-]+@%s)" % (
                SLUG, re.escape(LIST_DOMAIN)), text)
            return (ok[0], text) if len(ok) == 2 else None
        return None
    return wait_for(find, "notice to %s about %s" % (rcpt, msgid))


def mail_to(m, sender, rcpt, text):
    before = m.db("SELECT count(*) FROM inbound WHERE state <> 'new'")[0][0]
    raw = ("From: <%s>\r\nTo: %s\r\nSubject: Re: held\r\nMessage-ID:"
           " <%d@x.test>\r\n\r\n%s\r\n" % (sender, rcpt, time.time_ns(),
                                           text.replace("\n", "\r\n"))
           ).encode()
    m.send(raw, sender, [rcpt])
    wait_for(lambda: m.db("SELECT count(*) FROM inbound WHERE state <>"
                          " 'new'")[0][0] > before, "mail to " + rcpt)


def approve_by_mail(m, meet, host, other):
    """A moderator approves a held digest reply into a thread by mail: the
    thread's web link in their own words. A link to no thread of the group,
    to another group's, or to two threads decides nothing: the moderator
    is told and the address stays valid. Links in what the client quoted
    or appended (the notice carries the held message) do not count."""
    site = "http://127.0.0.1:%d" % m.http_port
    post(m, OMAR, "Re: [%s] Weekly digest" % SLUG,
         "Encore reply-mail.\n\n> x", "reply-mail@example.org")
    hid = held_of(m, "reply-mail@example.org")
    ok, notice = notice_to(m, MOD, "reply-mail")
    assert "web link in your mail to the approve address" in notice, notice
    link = "%s/g/%s/t/%%d" % (site, SLUG)
    refused = [link % 999999, "%s/g/other/t/%d" % (site, other),
               "%s\n%s" % (link % meet, link % host)]
    for i, text in enumerate(refused):
        mail_to(m, MOD, ok, "Into this one:\n" + text)
        wait_for(lambda: len([1 for _, raw in m.sink.to(MOD) if
                              parse(raw)["Subject"].startswith(
                                  "Not decided")]) == i + 1,
                 "the moderator told of " + text)
        assert m.db("SELECT state FROM held WHERE id = ?", hid) == \
            [("pending",)], text
    told = [parse(raw) for _, raw in m.sink.to(MOD)
            if parse(raw)["Subject"].startswith("Not decided")]
    body = told[0].get_body(("plain",)).get_content()
    assert "thread 999999, which is not a thread of the group" in body, body
    assert "/mod/held/%d" % hid in body, body
    assert "several threads" in told[2].get_body(("plain",)).get_content()
    # the same address, now with one link; the quoted notice and the
    # message under the client's rule name other threads
    mail_to(m, MOD, ok, "%s\n\n> %s\n-----Original Message-----\n%s\n"
            % (link % meet, link % host, link % host))
    wait_for(lambda: thread_of(m, "reply-mail@example.org"),
             "the reply approved into a thread by mail")
    assert thread_of(m, "reply-mail@example.org") == \
        [(meet, root_of(m, meet))]
    after = m.db("SELECT after_json FROM audit_log WHERE action ="
                 " 'held.approve' AND target = ?", "held %d" % hid)[0][0]
    assert '"thread":%d' % meet in after, after


def test_custom_prefix():
    m = Majlis("digestreply-prefix")
    try:
        m.ctl("group", "add", SLUG, "--name", "Cloud souverain",
              "--language", "fr")
        m.ctl("group", "set", SLUG, "subject_prefix", "[OBS]")
        m.ctl("member", "add", SLUG, AUTHOR, "--name", "Author",
              "--delivery", "each")
        m.ctl("member", "add", SLUG, OMAR, "--name", "Omar Chraibi",
              "--delivery", "weekly")
        m.start()
        post(m, AUTHOR, "Budget 2027", "Le budget.", "budget@example.org")
        post(m, AUTHOR, "Calendrier", "Les dates.", "dates@example.org")
        post(m, AUTHOR, "Re: Calendrier", "Le comité se réunira le 3 juillet"
             " dans la grande salle,\navec le budget à l'ordre du jour.",
             "dates2@example.org", "In-Reply-To: <dates@example.org>\r\n")
        m.ctl("digest", "send", SLUG, "--period", "weekly")
        wait_for(lambda: m.sink.to(OMAR), "Omar's digest")
        digest = parse(m.sink.to(OMAR)[0][1])
        subject = str(digest["Subject"])
        assert subject.startswith("[OBS] Weekly digest, "), subject
        text = digest.get_body(("plain",)).get_content()
        # a reply to it, quoting all of it and naming no thread: known as
        # a digest reply (held), not a thread "Re: [OBS] Weekly digest..."
        whole = "".join("> " + l + "\n" for l in text.splitlines())
        post(m, OMAR, "Re: " + subject, "Merci.\n\n" + whole,
             "prefix-whole@example.org",
             "In-Reply-To: %s\r\n" % digest["Message-ID"])
        assert not thread_of(m, "prefix-whole@example.org")
        assert m.db("SELECT reason FROM held WHERE sender = ?", OMAR) == \
            [("reply to a digest",)]
        assert notices(m, OMAR) == 1
        # a reply by subject only under the group's prefix: its thread
        post(m, OMAR, "Re: [OBS] Budget 2027", "D'accord.",
             "prefix-subject@example.org")
        root = thread_of(m, "budget@example.org")[0][0]
        first = m.db("SELECT id FROM posts WHERE message_id ="
                     " 'budget@example.org'")[0][0]
        assert thread_of(m, "prefix-subject@example.org") == [(root, first)]
        assert m.db("SELECT count(*) FROM threads")[0][0] == 2

        # a post's text quoted without its links (the digest wraps it,
        # the client quotes it again): under that post
        assert "le 3 juillet" in text, text
        post(m, OMAR, "Re: " + subject, "J'y serai.\n\n> Le comité se"
             " réunira le 3 juillet dans la grande\n> salle, avec le budget"
             " à l'ordre du jour.\n", "prefix-quote@example.org",
             "In-Reply-To: %s\r\n" % digest["Message-ID"])
        dates2 = m.db("SELECT id, thread_id FROM posts WHERE message_id ="
                      " 'dates2@example.org'")[0]
        assert thread_of(m, "prefix-quote@example.org") == \
            [(dates2[1], dates2[0])], thread_of(m, "prefix-quote@example.org")
        note = m.db("SELECT note FROM inbound WHERE CAST(raw AS TEXT) LIKE"
                    " '%prefix-quote@%'")[0][0]
        assert "digest reply" in note, note
    finally:
        m.close()


if __name__ == "__main__":
    run([test_digest_replies, test_custom_prefix])
