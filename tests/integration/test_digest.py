"""Digests end to end: members on weekly, daily and each-post delivery,
posts by SMTP, `majlisctl digest send` and the engine's own schedule, the
copies at the relay sink (one per member and period, multipart/alternative,
Arabic right to left, reply links with a real In-Reply-To), exactly once
across a kill -9 and a restart, private groups to current members only.
Run: /usr/bin/python3 tests/integration/test_digest.py"""

import html.parser
import os
import re
import sqlite3
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import LIST_DOMAIN, Majlis, parse, run, wait_for  # noqa: E402

SLUG = "wg"
ADDR = SLUG + "@" + LIST_DOMAIN
N = [0]


def post(m, sender, subject, body):
    N[0] += 1
    msgid = "digest-test-%d-%d@example.org" % (os.getpid(), N[0])
    raw = ("From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s>\r\n"
           "Date: Mon, 16 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n" %
           (sender, ADDR, subject, msgid,
            body.replace("\n", "\r\n"))).encode()
    before = m.db("SELECT count(*) FROM posts")[0][0]
    m.send(raw, sender, [ADDR])
    wait_for(lambda: m.db("SELECT count(*) FROM posts")[0][0] > before,
             "post " + subject)
    return msgid


def rw(m, sql, *args):
    con = sqlite3.connect(os.path.join(m.data, "majlis.db"), timeout=10)
    try:
        con.execute(sql, args)
        con.commit()
    finally:
        con.close()


def digests(m, rcpt):
    return [parse(raw) for env, raw in m.sink.to(rcpt)
            if str(parse(raw)["Message-ID"]).startswith("<digest.")]


def parts(msg):
    assert msg.get_content_type() == "multipart/alternative", \
        msg.get_content_type()
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    return text, html


def group(m, slug=SLUG, members=(), visibility="public", lang="en"):
    m.ctl("group", "add", slug, "--name", "Working group " + slug,
          "--language", lang, "--visibility", visibility)
    for addr, delivery in members:
        m.ctl("member", "add", slug, addr, "--name", addr.split("@")[0],
              "--delivery", delivery)


def send(m, slug=SLUG, period="weekly"):
    return m.ctl("digest", "send", slug, "--period",
                 period).stdout.decode()


def test_digest_send_content_and_exactly_once():
    m = Majlis("digest")
    try:
        group(m, members=(("author@example.org", "each"),
                          ("wendy@example.org", "weekly"),
                          ("amina@example.org", "weekly"),
                          ("dan@example.org", "daily"),
                          ("eve@example.org", "each")))
        rw(m, "UPDATE members SET locale = 'ar', timezone = 'Asia/Dubai'"
           " WHERE email = 'amina@example.org'")
        m.start()
        ids = [post(m, "author@example.org", "Cloud procurement",
                    "First post <script>alert(1)</script>\n"),
               post(m, "author@example.org", "Re: Cloud procurement",
                    "Agreed.\n\nOn Mon, A wrote:\n> one\n> two\n> three\n"
                    "> four\n> five\n"),
               post(m, "author@example.org", "تقرير السيادة الرقمية",
                    "نص عربي للمشاركة\n")]
        out = send(m)
        assert "2 copies queued" in out, out
        wait_for(lambda: digests(m, "wendy@example.org") and
                 digests(m, "amina@example.org"), "two digests")
        time.sleep(1.5)     # nothing else may come
        assert len(digests(m, "wendy@example.org")) == 1
        assert len(digests(m, "amina@example.org")) == 1
        assert not digests(m, "dan@example.org"), "daily member got weekly"
        assert not digests(m, "eve@example.org"), "each member got a digest"
        d = digests(m, "wendy@example.org")[0]
        assert re.fullmatch(r"\[wg\] Weekly digest, \d+ \w+ \d{4} — "
                            r"3 posts in 2 threads", d["Subject"]), \
            d["Subject"]
        assert d["From"].addresses[0].addr_spec == ADDR
        assert d["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert re.search(r"/u/[A-Za-z0-9_-]{24}>", d["List-Unsubscribe"])
        text, html = parts(d)
        for subj in ("Cloud procurement", "تقرير السيادة الرقمية"):
            assert subj in text and subj in html, subj
        assert "<script>" not in html and "&lt;script&gt;" in html
        assert 'dir="auto"' in html and "Vol. 1, Issue 1" in text
        assert "[4 quoted lines folded]" in text, text
        # the reply link: list address, Re: subject, a real In-Reply-To
        links = re.findall(r"mailto:[^\s\"]+", text)
        assert len(links) == 3, links
        u = urllib.parse.urlsplit(links[0])
        q = urllib.parse.parse_qs(u.query)
        assert u.path == ADDR
        assert q["subject"] == ["Re: Cloud procurement"], q
        assert q["In-Reply-To"] == ["<%s>" % ids[0]], q
        assert m.db("SELECT count(*) FROM posts WHERE message_id = ?",
                    ids[0])[0][0] == 1
        a = digests(m, "amina@example.org")[0]
        assert a["Content-Language"] == "ar"
        assert a["Subject"].startswith("[wg] الملخص الأسبوعي"), a["Subject"]
        atext, ahtml = parts(a)
        assert 'dir="rtl"' in ahtml and 'lang="ar"' in ahtml
        assert "المحتويات" in atext and "رد" in atext
        # a second send with no new post sends nothing
        assert "no post since" in send(m)
        # a post after the digest is in the next one only; eve turns from
        # each post to weekly in between: post 4 came to her by itself,
        # post 5 comes in her digest
        post(m, "author@example.org", "Fourth topic", "Four.\n")
        wait_for(lambda: any("Fourth topic" in str(parse(r)["Subject"])
                             for e, r in m.sink.to("eve@example.org")),
                 "eve's copy of post 4")
        m.ctl("member", "set", SLUG, "eve@example.org", "--delivery",
              "weekly")
        post(m, "author@example.org", "Fifth topic", "Five.\n")
        assert "3 copies queued" in send(m)  # wendy, amina, eve
        wait_for(lambda: len(digests(m, "wendy@example.org")) == 2 and
                 digests(m, "eve@example.org"), "second digests")
        t2, h2 = parts(digests(m, "wendy@example.org")[1])
        assert "Fourth topic" in t2 and "Fifth topic" in t2
        assert "Cloud procurement" not in t2, "repeated post"
        assert "Vol. 1, Issue 2" in t2
        te, he = parts(digests(m, "eve@example.org")[0])
        assert "Fifth topic" in te and "Fifth topic" in he
        assert "Fourth topic" not in te, "eve got post 4 twice"
        # the daily member gets the five posts in one daily digest
        assert "1 copies queued" in send(m, period="daily")
        wait_for(lambda: digests(m, "dan@example.org"), "daily digest")
        dd = digests(m, "dan@example.org")[0]
        assert "Daily digest" in dd["Subject"], dd["Subject"]
        assert "5 posts in 4 threads" in dd["Subject"], dd["Subject"]
        # a reply sent with what the link carries joins the post's thread
        raw = ("From: wendy@example.org\r\nTo: %s\r\nSubject: %s\r\n"
               "Message-ID: <reply-by-link@example.org>\r\nIn-Reply-To: "
               "%s\r\n\r\nFrom the digest.\r\n" %
               (u.path, q["subject"][0], q["In-Reply-To"][0])).encode()
        m.send(raw, "wendy@example.org", [u.path])
        wait_for(lambda: m.db("SELECT count(*) FROM posts WHERE message_id"
                              " = 'reply-by-link@example.org'")[0][0],
                 "reply by the digest link")
        assert m.db("SELECT p.thread_id = q.thread_id, p.parent_id = q.id"
                    " FROM posts p, posts q WHERE p.message_id ="
                    " 'reply-by-link@example.org' AND q.message_id = ?",
                    ids[0]) == [(1, 1)]
        # a reply to the digest itself is held, not a thread "Re: digest"
        raw = ("From: wendy@example.org\r\nTo: %s\r\nSubject: Re: %s\r\n"
               "Message-ID: <reply-to-digest@example.org>\r\nIn-Reply-To: "
               "%s\r\n\r\nThanks!\r\n" % (ADDR, d["Subject"],
                                          d["Message-ID"])).encode()
        m.send(raw, "wendy@example.org", [ADDR])
        wait_for(lambda: m.db("SELECT count(*) FROM held WHERE reason ="
                              " 'reply to a digest'")[0][0] == 1,
                 "digest reply held")
    finally:
        m.close()


class StrictHTML(html.parser.HTMLParser):
    """html.parser with the checks it does not make itself: known tags
    only, every element closed in order (void ones excepted), attribute
    values quoted, no stray '<' or bare '&' in text, no script, style
    sheet, frame, image or other remote resource."""
    VOID = {"meta", "br", "hr"}
    ALLOWED = {"html", "head", "meta", "title", "body", "h1", "h2", "p",
               "ol", "ul", "li", "a", "em", "strong", "section", "div",
               "span", "br", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.stack, self.errors = [], []

    def handle_starttag(self, tag, attrs):
        raw = self.get_starttag_text()
        if tag not in self.ALLOWED:
            self.errors.append("tag " + tag)
        for k, v in attrs:
            if v is not None and not re.search(
                    r'\s%s="[^"<]*"' % re.escape(k), raw):
                self.errors.append("unquoted %s in %s" % (k, raw))
            if k in ("src", "srcset", "background", "action") or \
                    k.startswith("on"):
                self.errors.append("attribute " + k)
            if k == "href" and not re.match(
                    r"(#|mailto:|http://127\.0\.0\.1:\d+/)", v or ""):
                self.errors.append("link " + str(v))
            if k == "style" and "url(" in (v or ""):
                self.errors.append("remote style " + v)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.errors.append("self-closing " + tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append("misnested </%s>" % tag)

    def handle_data(self, data):
        if "<" in data or ">" in data:
            self.errors.append("unescaped text %r" % data[:40])

    def handle_entityref(self, name):
        if name not in ("amp", "lt", "gt", "quot"):
            self.errors.append("entity " + name)

    def unknown_decl(self, data):
        self.errors.append("declaration " + data)

    def check(self, doc):
        if "&" in re.sub(r"&(amp|lt|gt|quot|#39);", "", doc):
            self.errors.append("bare &")
        self.feed(doc)
        self.close()
        if self.stack:
            self.errors.append("unclosed " + ",".join(self.stack))
        return self.errors


HOSTILE = ('Avant <script>alert("x")</script> & <img src="http://evil.test/'
           't.png"> <a href="javascript:alert(1)">clic</a> "guillemets" '
           "l'été\n")


def test_digest_content_and_preview():
    """The corpus's French and Arabic posts and a hostile one in each
    language's digest: the HTML passes a strict parser with no script,
    remote resource or unescaped text, the plain part keeps to 78 columns
    (URLs excepted), and the preview a member saw is what was sent; the
    copies share stored bodies, one per language here."""
    m = Majlis("digest-content")
    try:
        group(m, members=(("author@example.org", "each"),
                          ("karim@diaspora.example.ca", "none"),
                          ("fz.benali@example.com", "none"),
                          ("amelie.dupre@example.fr", "none"),
                          ("ahmed.alaoui@example.ma", "none"),
                          ("en@example.org", "weekly"),
                          ("fr@example.org", "weekly"),
                          ("fr2@example.org", "weekly"),
                          ("ar@example.org", "weekly")))
        for who, lang in (("fr", "fr"), ("fr2", "fr"), ("ar", "ar")):
            rw(m, "UPDATE members SET locale = ? WHERE email = ?", lang,
               who + "@example.org")
        m.start()
        corpus = os.environ.get("MAJLIS_CORPUS", "/work/shared/corpus")
        for name in ("apple-flowed-fr.eml", "ar-utf8-gmail-reply.eml",
                     "fr-latin1-qp.eml", "ar-cp1256-b64.eml"):
            before = m.db("SELECT count(*) FROM posts")[0][0]
            raw = open(os.path.join(corpus, name), "rb").read()
            sender = re.search(rb"^From:.*<([^>]+)>", raw, re.M)[1].decode()
            m.send(raw, sender, [ADDR])
            wait_for(lambda: m.db("SELECT count(*) FROM posts")[0][0] >
                     before, "corpus " + name)
        post(m, "author@example.org", "Sujet <b>gras</b> & \"cité\"",
             HOSTILE + ".point en tête de ligne (doublé en SMTP)\n"
             "Une ligne longue: " + "mot " * 40 + "fin\n"
             "Lien https://example.org/" + "x" * 90 + "\n")
        post(m, "author@example.org", "نقاش طويل", "كلمة " * 40 + "\n")
        previews = {}
        for who in ("en", "fr", "ar"):
            r = m.ctl("digest", "preview", SLUG, "--member",
                      who + "@example.org")
            previews[who] = parts(parse(r.stdout))
        assert m.db("SELECT count(*) FROM posts")[0][0] == 6
        out = send(m)
        assert "4 copies queued" in out, out
        # four copies, three languages: three stored bodies, no message
        # (counted from the copies: the engine may have sent one already,
        # and a body goes with its last queued copy)
        assert m.db("SELECT count(DISTINCT body_id) FROM outbox")[0][0] == 3
        assert m.db("SELECT count(*) FROM outbox WHERE body_id IS NOT NULL"
                    " AND message IS NULL")[0][0] == 4
        for who in ("en", "fr", "fr2", "ar"):
            wait_for(lambda: digests(m, who + "@example.org"), who)
        for who in ("en", "fr", "ar"):
            text, html_part = parts(digests(m, who + "@example.org")[0])
            assert (text, html_part) == previews[who], \
                "%s: the preview is not what was sent" % who
            errors = StrictHTML().check(html_part)
            assert errors == [], (who, errors[:5])
            assert "&lt;script&gt;" in html_part and "evil.test" in html_part
            for line in text.splitlines():
                if "http://" in line or "https://" in line or \
                        "mailto:" in line:
                    continue
                assert len(line) <= 78, (who, line)
        # fr and fr2 share a body but each has their own token
        f1 = digests(m, "fr@example.org")[0]
        f2 = digests(m, "fr2@example.org")[0]
        assert f1["List-Unsubscribe"] != f2["List-Unsubscribe"]
        t1, t2 = parts(f1)[0], parts(f2)[0]
        tok = re.search(r"/u/([A-Za-z0-9_-]+)>", f2["List-Unsubscribe"])[1]
        assert tok in t2 and tok not in t1
        # once every copy is sent the bodies go
        wait_for(lambda: m.db("SELECT count(*) FROM outbox WHERE state ="
                              " 'queued'")[0][0] == 0, "all sent")
        assert m.db("SELECT count(*) FROM digest_bodies")[0][0] == 0
    finally:
        m.close()


def test_digest_preview_changes_nothing():
    m = Majlis("digest-preview")
    try:
        group(m, members=(("author@example.org", "each"),
                          ("wendy@example.org", "weekly")))
        m.start()
        post(m, "author@example.org", "Preview me", "Text.\n")
        r = m.ctl("digest", "preview", SLUG, "--member", "wendy@example.org")
        msg = parse(r.stdout)
        assert "Preview me" in parts(msg)[0]
        assert m.db("SELECT count(*) FROM digests")[0][0] == 0
        assert m.db("SELECT count(*) FROM outbox WHERE kind = 'system'"
                    )[0][0] == 0
        r = m.ctl("digest", "preview", SLUG, "--member", "nobody@example.org",
                  check=False)
        assert r.returncode == 2, r
        r = m.ctl("group", "set", SLUG, "--digest-tz", "Nowhere/Atlantis",
                  check=False)
        assert r.returncode == 1 and b"time zone" in r.stderr
        m.ctl("group", "set", SLUG, "--digest-weekday", "tue",
              "--digest-hour", "9", "--digest-tz", "Europe/Paris")
        assert m.db("SELECT weekday, hour, timezone FROM digest_schedule"
                    ) == [(2, 9, "Europe/Paris")]
    finally:
        m.close()


def test_private_group_current_members_only():
    m = Majlis("digest-private")
    try:
        group(m, slug="priv", visibility="private",
              members=(("author@example.org", "each"),
                       ("stay@example.org", "weekly"),
                       ("gone@example.org", "weekly")))
        m.start()
        post_priv = "priv@" + LIST_DOMAIN
        raw = ("From: author@example.org\r\nTo: %s\r\nSubject: Secret\r\n"
               "Message-ID: <secret@example.org>\r\n\r\nSecret.\r\n" %
               post_priv).encode()
        m.send(raw, "author@example.org", [post_priv])
        wait_for(lambda: m.db("SELECT count(*) FROM posts")[0][0] == 1,
                 "private post")
        m.ctl("member", "remove", "priv", "gone@example.org")
        assert "1 copies queued" in send(m, slug="priv")
        wait_for(lambda: digests(m, "stay@example.org"), "member's digest")
        time.sleep(1.5)
        assert not digests(m, "gone@example.org")
    finally:
        m.close()


def test_schedule_kill9_resume_exactly_once():
    """The engine issues the weekly digest of a slot missed while it was
    down at start-up; majlisd is killed while sending and restarted: every
    member has exactly one outbox row for it."""
    m = Majlis("digest-kill")
    try:
        # the copies share stored bodies, so a slice is quick: enough
        # members, in several languages and zones (a body each), that the
        # kill falls in the middle
        members = ["m%04d@example.org" % i for i in range(4000)]
        zones = ("Africa/Casablanca", "Europe/Paris", "Asia/Dubai",
                 "America/Montreal", "Asia/Beirut", "Europe/London")
        langs = ("en", "fr", "ar")
        group(m, members=(("author@example.org", "each"),))
        # many members at once, as an import would add them
        con = sqlite3.connect(os.path.join(m.data, "majlis.db"))
        for i, addr in enumerate(members):
            cur = con.execute("INSERT INTO members(email, locale, timezone,"
                              " created) VALUES (?, ?, ?, 0)",
                              (addr, langs[i % 3], zones[i // 3 % 6]))
            con.execute("INSERT INTO memberships(group_id, member_id,"
                        " delivery, unsub_token, joined) VALUES (1, ?,"
                        " 'weekly', ?, 0)", (cur.lastrowid, "tok%020d" % i))
        con.commit()
        con.close()
        m.start()
        for i in range(20):
            post(m, "author@example.org", "Topic %d" % i, "Body %d.\n" % i)
        m.stop()
        # the group is eight days old: a weekly slot passed while majlisd
        # was down, and is sent at start-up
        rw(m, "UPDATE groups SET created = created - 8 * 86400")
        m.start()
        wait_for(lambda: m.db("SELECT count(*) FROM digest_copies")[0][0]
                 > 0, "sending started", timeout=60)
        m.kill9()
        done = m.db("SELECT count(*) FROM digest_copies")[0][0]
        m.start()
        wait_for(lambda: m.db("SELECT count(*) FROM digests WHERE kind ="
                              " 'weekly' AND state = 'sending'")[0][0]
                 == 0 and m.db("SELECT count(*) FROM digests WHERE"
                               " kind = 'weekly'")[0][0] == 1,
                 "weekly digest done", timeout=120)
        assert done < len(members), "killed after the end: %d" % done
        rows = m.db("SELECT member_id, count(*) FROM outbox WHERE kind ="
                    " 'system' GROUP BY member_id HAVING count(*) > 1")
        assert rows == [], rows
        assert m.db("SELECT count(*) FROM outbox WHERE kind = 'system'"
                    )[0][0] == len(members)
        assert m.db("SELECT count(*) FROM digest_copies c JOIN digests d ON"
                    " d.id = c.digest_id WHERE d.kind = 'weekly'"
                    )[0][0] == len(members)
        # 18 variants in turn, more than delivery keeps loaded
        # (DELIVERY_BODIES): each copy has its member's language and token
        # (the first few hundred at the sink; the Python sink is slow)
        msgs = os.path.join(m.sink.dir, "msgs")
        wait_for(lambda: os.path.isdir(msgs) and
                 len(os.listdir(msgs)) >= 2 * 300, "300 copies at the sink",
                 timeout=120)
        want = dict(((e, (lang, tok)) for e, lang, tok in m.db(
            "SELECT m.email, m.locale, ms.unsub_token FROM members m JOIN"
            " memberships ms ON ms.member_id = m.id")))
        seen = set()
        for env, raw in m.sink.messages():
            msg = parse(raw)
            if not str(msg["Message-ID"]).startswith("<digest."):
                continue
            lang, tok = want[env["rcpt"]]
            assert msg["Content-Language"] == lang, env["rcpt"]
            assert msg["List-Unsubscribe"].startswith(
                "<http://127.0.0.1:%d/u/%s>" % (m.http_port, tok)), env["rcpt"]
            seen.add(env["rcpt"])
        assert len(seen) >= 250, len(seen)
    finally:
        m.close()


if __name__ == "__main__":
    run([test_digest_send_content_and_exactly_once,
         test_digest_content_and_preview,
         test_digest_preview_changes_nothing,
         test_private_group_current_members_only,
         test_schedule_kill9_resume_exactly_once])
