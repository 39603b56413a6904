"""Mail in → processing → mail out, end to end against the real daemon and
a relay sink. Run: /usr/bin/python3 tests/integration/test_mail.py"""

import os
import re
import signal
import smtplib
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (LIST_DOMAIN, Majlis, corpus, parse, run, site,  # noqa: E402
                     wait_for)

CLOUD = "cloud-souverain@" + LIST_DOMAIN
SOUV = "souverainete@" + LIST_DOMAIN
CORPUS_MEMBERS = (("amelie.dupre@example.fr", "Amélie", "member"),
                  ("y.tazi@ministere.example.ma", "Youssef", "member"),
                  ("karim@diaspora.example.ca", "Karim", "member"),
                  ("ahmed.alaoui@example.ma", "Ahmed", "member"),
                  ("fz.benali@example.com", "Fatima", "member"),
                  ("reader@example.org", "Reader", "member"),
                  ("mod@example.org", "Moderator", "moderator"))


def inbound_states(m):
    return m.db("SELECT state FROM inbound ORDER BY id")


def settled(m, n):
    """n inbound rows exist and none is still 'new'."""
    rows = inbound_states(m)
    return len(rows) >= n and all(r[0] != "new" for r in rows)


def test_post_fanout_headers():
    m = site("fanout", members=CORPUS_MEMBERS)
    try:
        m.send(corpus("fr-latin1-qp.eml"), "amelie.dupre@example.fr", [CLOUD])
        # every member but the author receives a copy
        wait_for(lambda: len(m.sink.messages()) == 6, "6 copies")
        assert not m.sink.to("amelie.dupre@example.fr"), "author got a copy"
        env, raw = m.sink.to("reader@example.org")[0]
        msg = parse(raw)
        assert msg["Message-ID"] == "<20261112091403.4711@mail.example.fr>"
        assert msg["Subject"] == "[cloud-souverain] Réunion du comité - été 2026"
        assert msg["From"].addresses[0].addr_spec == CLOUD
        assert msg["From"].addresses[0].display_name.startswith("Amélie Dupré via")
        assert msg["Reply-To"].addresses[0].addr_spec == CLOUD
        assert msg["List-Id"].endswith("<cloud-souverain.%s>" % LIST_DOMAIN)
        assert msg["List-Post"] == "<mailto:%s>" % CLOUD
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert re.search(r"<http://127\.0\.0\.1:\d+/u/[A-Za-z0-9_-]{24}>",
                         msg["List-Unsubscribe"]), msg["List-Unsubscribe"]
        assert "mailto:cloud-souverain-leave@" in msg["List-Unsubscribe"]
        assert msg["Precedence"] == "list"
        assert "Bcc" not in msg and "Return-Path" not in msg
        body = msg.get_content()
        assert "Chères et chers collègues" in body or "comité" in body, body
        assert re.fullmatch(r"cloud-souverain-bounces\+o\d+-[A-Za-z0-9_-]{10}@"
                            + re.escape(LIST_DOMAIN), env["mail_from"]), env
        # one-click tokens differ per member
        tokens = {parse(r)["List-Unsubscribe"] for _, r in m.sink.messages()}
        assert len(tokens) == 6
        for line in raw.split(b"\r\n"):
            assert len(line) <= 998
        assert b"\n" not in raw.replace(b"\r\n", b"")
        posts = m.ctl("thread", "list", "cloud-souverain", json_out=True)
        assert len(posts) == 1
    finally:
        m.close()


def test_corpus_threading():
    m = site("threads", members=CORPUS_MEMBERS)
    try:
        m.send(corpus("fr-latin1-qp.eml"), "amelie.dupre@example.fr", [CLOUD])
        wait_for(lambda: settled(m, 1), "first post")
        m.send(corpus("outlook-reply-no-refs.eml"), "y.tazi@ministere.example.ma",
               [CLOUD])
        m.send(corpus("apple-flowed-fr.eml"), "karim@diaspora.example.ca", [CLOUD])
        m.send(corpus("ar-cp1256-b64.eml"), "ahmed.alaoui@example.ma", [SOUV])
        wait_for(lambda: settled(m, 4), "four posts")
        m.send(corpus("ar-utf8-gmail-reply.eml"), "fz.benali@example.com", [SOUV])
        wait_for(lambda: settled(m, 5), "five posts")
        cloud = m.ctl("thread", "list", "cloud-souverain", json_out=True)
        souv = m.ctl("thread", "list", "souverainete", json_out=True)
        assert len(cloud) == 1 and len(souv) == 1, (cloud, souv)
        # by Message-ID, not by id: the three mails sent together can be
        # stored in any order by the parser workers
        rows = m.db("SELECT p.subject, p.body, p.parent_id, p.message_id"
                    " FROM posts p ORDER BY p.id")
        assert len(rows) == 5
        assert rows[0][0] == "Réunion du comité - été 2026"
        arabic = [r for r in rows if r[3] == "CAB1234-ar-001@mail.example.ma"]
        # flowed lines joined, Arabic decoded from windows-1256
        assert len(arabic) == 1 and "مسودة" in arabic[0][0], rows
        assert arabic[0][2] is None, arabic
        replies = [r for r in rows[1:] if r is not arabic[0]]
        assert all(r[2] is not None for r in replies), replies
        # the Gmail reply's copy threads under the Arabic post
        wait_for(lambda: len(m.sink.to("reader@example.org")) == 5, "copies")
        copies = [parse(r) for _, r in m.sink.to("reader@example.org")]
        gm = [c for c in copies if c["Message-ID"] ==
              "<CAF-gmail-reply-77@mail.gmail.example>"][0]
        assert gm["In-Reply-To"] == "<CAB1234-ar-001@mail.example.ma>"
    finally:
        m.close()


def test_stranger_held_then_approved():
    m = site("held", members=CORPUS_MEMBERS)
    try:
        raw = (b"From: Stranger <stranger@example.net>\r\nTo: " + CLOUD.encode() +
               b"\r\nSubject: hello from outside\r\nMessage-ID: <s1@example.net>"
               b"\r\n\r\nHi all.\r\n")
        m.send(raw, "stranger@example.net", [CLOUD])
        wait_for(lambda: settled(m, 1), "processing")
        held = m.ctl("held", "list", json_out=True)
        assert len(held) == 1 and held[0]["reason"] == "non-member", held
        # the moderator is told, nobody else gets anything
        wait_for(lambda: m.sink.to("mod@example.org"), "moderator notice")
        assert len(m.sink.messages()) == 1
        notice = parse(m.sink.to("mod@example.org")[0][1])
        assert "hello from outside" in notice["Subject"]
        assert notice["Auto-Submitted"] == "auto-replied"
        m.ctl("held", "approve", str(held[0]["id"]))
        wait_for(lambda: m.sink.to("reader@example.org"), "approved copy")
        r = m.ctl("held", "approve", str(held[0]["id"]), check=False)
        assert r.returncode != 0 and b"already decided" in r.stderr, r
        time.sleep(1.5)  # a second approval must not publish again
        assert len(m.db("SELECT id FROM posts")) == 1
        assert len(m.sink.to("reader@example.org")) == 1
    finally:
        m.close()


def test_auto_reply_loop_and_injection():
    m = site("auto", members=CORPUS_MEMBERS + (
        ("n.idrissi@univ.example.ma", "Nadia", "member"),
        ("eve@example.net", "Eve", "member")))
    try:
        m.send(corpus("auto-reply-ooo.eml"), "n.idrissi@univ.example.ma", [CLOUD])
        own = (b"From: Reader <reader@example.org>\r\nTo: " + CLOUD.encode() +
               b"\r\nSubject: loop\r\nX-Loop: " + CLOUD.encode() +
               b"\r\nMessage-ID: <loop1@example.org>\r\n\r\nx\r\n")
        m.send(own, "reader@example.org", [CLOUD])
        m.send(corpus("header-injection-2047.eml"), "eve@example.net", [CLOUD])
        wait_for(lambda: settled(m, 3), "processing")
        wait_for(lambda: m.sink.to("reader@example.org"), "injection post copy")
        time.sleep(1)
        msgs = m.sink.messages()
        # only the injection post is fanned out; nothing answers the robots
        assert all(parse(r)["Message-ID"] == "<inj-1@example.net>"
                   for _, r in msgs), [parse(r)["Subject"] for _, r in msgs]
        for _, raw in msgs:
            head = raw.split(b"\r\n\r\n")[0]
            assert not re.search(rb"(?im)^bcc:", head), head
            assert not re.search(rb"(?im)^x-evil:", head), head
    finally:
        m.close()


def test_hostile_messages_quarantined():
    m = site("hostile", members=CORPUS_MEMBERS + (("a@example.net", "A", "member"),))
    try:
        m.send(corpus("crash-boundary-quote.eml"), "a@example.net", [CLOUD])
        deep = [b"From: a@example.net\r\nTo: " + CLOUD.encode() +
                b"\r\nSubject: deep\r\nMIME-Version: 1.0\r\n"]
        for i in range(30000):
            deep.append(b"Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n"
                        b"--b%d\r\n" % (i, i))
        m.send(b"".join(deep), "a@example.net", [CLOUD])
        m.send(corpus("boundary-never-present.eml"), "a@example.net", [CLOUD])
        wait_for(lambda: settled(m, 3), "processing")
        states = [r[0] for r in inbound_states(m)]
        assert states[0] == "quarantined" and states[1] == "quarantined", states
        assert states[2] == "done", states
        # the daemon still serves: a normal post goes through
        m.send(corpus("fr-latin1-qp.eml"), "amelie.dupre@example.fr", [CLOUD])
        wait_for(lambda: any(parse(r)["Message-ID"] ==
                             "<20261112091403.4711@mail.example.fr>"
                             for _, r in m.sink.messages()), "normal post")
        bnp = [parse(r) for _, r in m.sink.to("reader@example.org")
               if b"crash-2@example.net" in r]
        assert bnp and bnp[0].get_content_type() == "text/plain", bnp
    finally:
        m.close()


def test_unknown_recipients_refused():
    import smtplib
    m = site("rcpt")
    try:
        assert m.send(b"Subject: x\r\n\r\nx\r\n", "alice@example.org",
                      [CLOUD, "cloud-souverain-request@" + LIST_DOMAIN,
                       "souverainete-owner@" + LIST_DOMAIN]) == {}
        for bad in ("nobody@" + LIST_DOMAIN, "cloud-souverain@elsewhere.org",
                    "postmaster@example.com", "nogroup-request@" + LIST_DOMAIN):
            try:
                m.send(b"Subject: x\r\n\r\nx\r\n", "a@example.org", [bad])
                raise AssertionError("accepted " + bad)
            except smtplib.SMTPRecipientsRefused as e:
                code = list(e.recipients.values())[0][0]
                assert code == 550, (bad, e.recipients)
    finally:
        m.close()


def test_subscribe_double_opt_in():
    m = site("subscribe")
    try:
        m.send(corpus("request-subscribe.eml"), "salma@example.org",
               ["cloud-souverain-request@" + LIST_DOMAIN])
        wait_for(lambda: m.sink.to("salma@example.org"), "confirmation")
        conf = parse(m.sink.to("salma@example.org")[0][1])
        assert conf["Auto-Submitted"] == "auto-replied"
        members = [x["email"] for x in
                   m.ctl("member", "list", "cloud-souverain", json_out=True)]
        assert "salma@example.org" not in members
        rt = conf["Reply-To"].addresses[0].addr_spec
        assert rt.startswith("cloud-souverain-confirm+"), rt
        reply = (b"From: Salma Berrada <salma@example.org>\r\nTo: " + rt.encode() +
                 b"\r\nSubject: Re: confirm\r\nMessage-ID: <c1@example.org>\r\n"
                 b"\r\nyes\r\n")
        m.send(reply, "salma@example.org", [rt])
        wait_for(lambda: "salma@example.org" in [
            x["email"] for x in m.ctl("member", "list", "cloud-souverain",
                                      json_out=True)], "membership")
        # a second use of the same token changes nothing
        m.send(reply.replace(b"<c1@", b"<c2@"), "salma@example.org", [rt])
        wait_for(lambda: settled(m, 3), "processing")
    finally:
        m.close()


def test_one_click_unsubscribe():
    m = site("unsub")
    try:
        raw = (b"From: Alice <alice@example.org>\r\nTo: " + CLOUD.encode() +
               b"\r\nSubject: hi\r\nMessage-ID: <u1@example.org>\r\n\r\nhi\r\n")
        m.send(raw, "alice@example.org", [CLOUD])
        wait_for(lambda: m.sink.to("bob@example.org"), "copy to bob")
        url = parse(m.sink.to("bob@example.org")[0][1])["List-Unsubscribe"]
        path = re.search(r"<http://[^/]+(/u/[^>]+)>", url).group(1)
        code, body, headers = m.http(path)
        assert code == 200 and "<form" in body
        assert "default-src 'none'" in headers["Content-Security-Policy"]
        code, body, _ = m.http(path, data=b"List-Unsubscribe=One-Click",
                               method="POST")
        assert code == 200, (code, body)
        members = [x["email"] for x in
                   m.ctl("member", "list", "cloud-souverain", json_out=True)]
        assert "bob@example.org" not in members
        code, _, _ = m.http(path, data=b"List-Unsubscribe=One-Click",
                            method="POST")
        assert code == 404
        assert m.http("/u/%00")[0] == 404
        assert m.http("/healthz")[0] == 200
    finally:
        m.close()


def test_relay_faults_and_retry():
    m = site("faults", members=CORPUS_MEMBERS)
    try:
        m.sink.set_faults([{"rcpt": "reader@", "stage": "rcpt", "code": 550,
                            "text": "no such user"},
                           {"rcpt": "karim@", "stage": "rcpt", "code": 451,
                            "text": "try later", "count": 2}])
        m.send(corpus("fr-latin1-qp.eml"), "amelie.dupre@example.fr", [CLOUD])
        wait_for(lambda: m.sink.to("karim@diaspora.example.ca"), "retried copy",
                 timeout=60)
        wait_for(lambda: m.sink.to("mod@example.org"), "other copies")
        assert not m.sink.to("reader@example.org")
        # the sink records a copy before its 250 reaches majlisd, which
        # marks the row sent only then: wait for the rows, not the copies
        wanted = {"reader@example.org": "failed",
                  "karim@diaspora.example.ca": "sent"}

        def rows_settled():
            states = dict(m.db("SELECT rcpt, state FROM outbox"))
            return all(states.get(r) == s for r, s in wanted.items())
        wait_for(rows_settled, "outbox rows failed/sent")
        attempts = m.db("SELECT attempts FROM outbox WHERE rcpt = ?",
                        "karim@diaspora.example.ca")[0][0]
        assert attempts == 3, attempts
        score = m.db("SELECT bounce_score FROM memberships ms JOIN members m"
                     " ON m.id = ms.member_id WHERE m.email = ?",
                     "reader@example.org")[0][0]
        assert score == 1, score
    finally:
        m.close()


def test_relay_down_then_back():
    m = site("down", members=CORPUS_MEMBERS)
    try:
        m.sink.set_faults([{"down": True}])
        m.send(corpus("fr-latin1-qp.eml"), "amelie.dupre@example.fr", [CLOUD])
        wait_for(lambda: settled(m, 1), "processing")
        time.sleep(2)
        assert not m.sink.messages()
        m.sink.set_faults([])
        wait_for(lambda: len(m.sink.messages()) == 6, "delivery after outage",
                 timeout=90)
        time.sleep(2)
        rcpts = [e["rcpt"] for e, _ in m.sink.messages()]
        assert len(rcpts) == len(set(rcpts)) == 6, rcpts
    finally:
        m.close()


def test_durability_kill9_loop():
    m = site("durable", members=(("alice@example.org", "Alice", "member"),))
    try:
        accepted = []
        for i in range(20):
            raw = (b"From: Alice <alice@example.org>\r\nTo: " + CLOUD.encode() +
                   b"\r\nSubject: durable %d\r\nMessage-ID: <d%d@example.org>"
                   b"\r\n\r\nbody %d\r\n" % (i, i, i))
            m.send(raw, "alice@example.org", [CLOUD])
            accepted.append("d%d@example.org" % i)
            m.kill9()
            m.start()
        wait_for(lambda: len(m.db("SELECT id FROM posts")) == 20,
                 "20 posts after 20 kill -9 cycles")
        ids = {r[0] for r in m.db("SELECT message_id FROM posts")}
        assert ids == set(accepted)
        assert len(m.db("SELECT id FROM inbound")) == 20
    finally:
        m.close()


def test_lmtp_and_sigterm():
    m = site("lmtp", members=CORPUS_MEMBERS)
    try:
        r = m.send(corpus("fr-latin1-qp.eml"), "amelie.dupre@example.fr",
                   [CLOUD, "cloud-souverain-owner@" + LIST_DOMAIN], lmtp=True)
        assert r == {}, r
        wait_for(lambda: settled(m, 1), "processing")
        m.stop(signal.SIGTERM)
        assert "majlis stopped" in m.logtext()
    finally:
        m.close()


def verp_token(m, outbox_id):
    import base64
    import hashlib
    import hmac
    secret = m.db("SELECT value FROM settings WHERE key = 'secret'")[0][0]
    mac = hmac.new(secret.encode(), b"verp:%d" % outbox_id,
                   hashlib.sha256).digest()
    return "o%d-%s" % (outbox_id, base64.urlsafe_b64encode(mac).decode()[:10])


def test_dsn_bounce_suspends():
    m = site("dsn", members=CORPUS_MEMBERS, conf_extra={"bounce_threshold": "1"})
    try:
        m.send(corpus("fr-latin1-qp.eml"), "amelie.dupre@example.fr", [CLOUD])
        wait_for(lambda: m.sink.to("reader@example.org"), "copy")
        oid = m.db("SELECT id FROM outbox WHERE rcpt = 'reader@example.org'")[0][0]
        dsn = corpus("dsn-bounce.eml")
        forged = dsn.replace(b"TOKEN", b"o%d-AAAAAAAAAA" % oid)
        addr = "cloud-souverain-bounces+%s@%s"
        m.send(forged, "", [addr % ("o%d-AAAAAAAAAA" % oid, LIST_DOMAIN)])
        wait_for(lambda: settled(m, 2), "forged bounce processed")
        assert m.db("SELECT count(*) FROM bounces")[0][0] == 0
        tok = verp_token(m, oid)
        m.send(dsn.replace(b"TOKEN", tok.encode()), "", [addr % (tok, LIST_DOMAIN)])
        wait_for(lambda: settled(m, 3), "bounce processed")
        rows = m.db("SELECT b.status, ms.bounce_score, ms.suspended FROM bounces b"
                    " JOIN memberships ms ON ms.member_id = b.member_id AND"
                    " ms.group_id = b.group_id")
        assert len(rows) == 1 and rows[0][0].startswith("5.") and \
            rows[0][1] == 1 and rows[0][2] == 1, rows
        # the member is told, and no longer gets posts
        wait_for(lambda: len(m.sink.to("reader@example.org")) == 2, "notice")
        notice = parse(m.sink.to("reader@example.org")[1][1])
        assert notice["Subject"] == "Delivery suspended", notice["Subject"]
        raw = corpus("fr-latin1-qp.eml").replace(b"20261112091403.4711",
                                                 b"second-post")
        m.send(raw, "amelie.dupre@example.fr", [CLOUD])
        wait_for(lambda: settled(m, 4), "second post")
        time.sleep(1)
        assert len(m.sink.to("reader@example.org")) == 2
    finally:
        m.close()


def test_digest_reply_held():
    m = site("digestreply", members=CORPUS_MEMBERS + (
        ("omar@example.org", "Omar", "member"),))
    try:
        m.send(corpus("digest-reply.eml"), "omar@example.org", [CLOUD])
        wait_for(lambda: settled(m, 1), "processing")
        held = m.ctl("held", "list", json_out=True)
        assert len(held) == 1 and held[0]["reason"] == "reply to a digest", held
        assert m.db("SELECT count(*) FROM threads")[0][0] == 0
    finally:
        m.close()


def test_attachment_and_html_only():
    m = site("attach", members=CORPUS_MEMBERS + (
        ("mallory@example.net", "Mallory", "member"),))
    try:
        m.send(corpus("attachment-rfc2231.eml"), "ahmed.alaoui@example.ma", [SOUV])
        m.send(corpus("html-only-xss.eml"), "mallory@example.net", [CLOUD])
        wait_for(lambda: settled(m, 2), "processing")
        att = m.db("SELECT filename, content_type, size FROM attachments")
        assert att == [("التقرير النهائي.pdf", "application/pdf", att[0][2])], att
        body = m.db("SELECT body FROM posts WHERE message_id = 'xss-1@example.net'")
        assert body and "<script" not in body[0][0] and "alert" not in \
            body[0][0], body
        wait_for(lambda: len(m.sink.to("reader@example.org")) == 2, "copies")
        for _, raw in m.sink.to("reader@example.org"):
            msg = parse(raw)
            if msg["Message-ID"] == "<report-final-2026@mail.example.ma>":
                names = [p.get_filename() for p in msg.iter_attachments()]
                assert names == ["التقرير النهائي.pdf"], names
    finally:
        m.close()


PARSER_MAX_JOBS = 1000      # mail/parser.h


def test_parser_recycled_without_loss():
    """A parser worker exits after PARSER_MAX_JOBS jobs; with one worker and
    more messages than that, none is lost or quarantined on the way."""
    n = PARSER_MAX_JOBS + 50
    m = site("recycle", conf_extra={"parser_workers": "1"})
    try:
        m.ctl("member", "set", "cloud-souverain", "alice@example.org",
              "--delivery", "none")
        s = smtplib.SMTP("127.0.0.1", m.smtp_port)
        try:
            s.ehlo("client.test")
            for i in range(n):
                s.sendmail("alice@example.org", [CLOUD],
                           ("From: alice@example.org\r\nTo: %s\r\n"
                            "Subject: recycle %d\r\n"
                            "Message-ID: <recycle-%d@example.org>\r\n\r\n"
                            "Body %d\r\n" % (CLOUD, i, i, i)).encode())
        finally:
            s.quit()
        wait_for(lambda: settled(m, n), "processing", 120)
        states = [r[0] for r in inbound_states(m)]
        assert states.count("done") == n, [x for x in states if x != "done"]
        assert m.db("SELECT count(*) FROM posts")[0][0] == n
        assert "died while parsing" not in m.logtext()
        assert "parser" in m.logtext() and "exited" in m.logtext()
    finally:
        m.close()


if __name__ == "__main__":
    run([test_post_fanout_headers, test_corpus_threading,
         test_stranger_held_then_approved, test_auto_reply_loop_and_injection,
         test_hostile_messages_quarantined, test_unknown_recipients_refused,
         test_subscribe_double_opt_in, test_one_click_unsubscribe,
         test_relay_faults_and_retry, test_relay_down_then_back,
         test_durability_kill9_loop, test_lmtp_and_sigterm,
         test_dsn_bounce_suspends, test_digest_reply_held,
         test_attachment_and_html_only, test_parser_recycled_without_loss])
