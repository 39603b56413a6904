"""List commands answered in the sender's language, and banned senders
answered not at all.

The answers of slug-request@, slug-join@ and slug-confirm+TOKEN@ are in
the language of the sender's web account; else the first ar, fr or en tag
of the message's Content-Language or Accept-Language; else French or
Arabic when the command word is; else the group's language. Subjects are
RFC 2047 encoded, Arabic bodies open every line with a right-to-left mark
(the link in them still works), and the /c/TOKEN page speaks the same
languages. A sender banned in the group, or site-wide, gets no answer and
no confirmation (no backscatter), by From or by envelope sender.
Run: /usr/bin/python3 tests/integration/test_listcmd_lang.py"""

import email.message
import email.policy
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import LIST_DOMAIN, parse, run, site, wait_for  # noqa: E402
from webclient import WebClient, account  # noqa: E402

FR = "cloud-souverain"          # the test site's French group
AR = "souverainete"             # and its Arabic one
RLM = "\u200f"
n_sent = [0]


def mail(m, sender, to, subject, body="", headers=(), envelope=None):
    msg = email.message.EmailMessage(policy=email.policy.SMTP)
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    n_sent[0] += 1
    msg["Message-ID"] = "<lang%d@example.net>" % n_sent[0]
    msg.set_content(body or "\n")    # (it drops Content-* fields set before)
    for k, v in headers:
        msg[k] = v
    addr = re.search(r"<([^>]+)>", sender)
    m.send(msg.as_bytes(), envelope or (addr.group(1) if addr else sender),
           [to])


def answer(m, rcpt, n=1):
    """The n-th mail to rcpt: (message, raw bytes)."""
    got = wait_for(lambda: len(m.sink.to(rcpt)) >= n and m.sink.to(rcpt),
                   "answer %d to %s" % (n, rcpt))
    raw = got[n - 1][1]
    return parse(raw), raw


def text_of(msg):
    return msg.get_body(("plain",)).get_content().replace("\r\n", "\n")


def raw_subject(raw):
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    return re.search(r"^Subject:(.*(?:\r\n[ \t].*)*)", head, re.M).group(1)


def test_answers_in_the_senders_language():
    m = site("listcmd-lang")
    try:
        # no account, no header, an English word: the French group's language
        mail(m, "X1 <x1@example.net>", FR + "-request@" + LIST_DOMAIN,
             "subscribe")
        msg, raw = answer(m, "x1@example.net")
        assert str(msg["Subject"]) == \
            "Confirmation : rejoindre le groupe Cloud souverain", \
            msg["Subject"]
        assert "Confirmation :" in raw_subject(raw)    # ASCII: as is
        assert msg["Content-Language"] == "fr"
        assert msg["Auto-Submitted"] == "auto-replied"
        body = text_of(msg)
        assert "Pour confirmer, ouvrez ce lien" in body, body
        assert "  x1@example.net\n" in body
        path = re.search(r"/c/[A-Za-z0-9_-]+", body).group(0)
        # its page: no Accept-Language, so the group's language
        st, page, _ = m.http(path)
        assert st == 200 and '<html lang="fr" dir="ltr">' in page, page[:200]
        assert "Confirmez : rejoindre ce groupe avec cette adresse." in page
        assert '<dd dir="ltr">x1@example.net</dd>' in page
        # the reader's Accept-Language comes before the group's
        st, page = WebClient(m, "ar").get(path)
        assert st == 200 and '<html lang="ar" dir="rtl">' in page.decode()
        # confirmed by reply: welcome, in French
        rt = msg["Reply-To"].addresses[0].addr_spec
        mail(m, "X1 <x1@example.net>", rt, "Re: confirmation", "oui")
        msg, _ = answer(m, "x1@example.net", 2)
        assert str(msg["Subject"]) == "Bienvenue : Cloud souverain"
        assert "  %s@%s\n" % (FR, LIST_DOMAIN) in text_of(msg)

        # the Arabic group: Arabic, each line opens right to left
        mail(m, "X2 <x2@example.net>", AR + "-join@" + LIST_DOMAIN, "join")
        msg, raw = answer(m, "x2@example.net")
        assert str(msg["Subject"]).startswith("تأكيد: الانضمام إلى المجموعة")
        assert raw_subject(raw).strip().startswith("=?UTF-8?")  # RFC 2047
        assert msg["Content-Language"] == "ar"
        body = text_of(msg)
        lines = [line for line in body.split("\n") if line]
        assert lines and all(line.startswith(RLM) for line in lines), lines
        assert "\u2068Souveraineté numérique\u2069" in body  # isolated name
        link = re.search(r"^" + RLM + r"  (http://\S+/c/[A-Za-z0-9_-]+)$",
                         body, re.M).group(1)
        path = "/" + link.split("/", 3)[3]
        st, page, _ = m.http(path)
        assert st == 200 and '<html lang="ar" dir="rtl">' in page
        assert "أكّد: الانضمام إلى هذه المجموعة بهذا العنوان." in page
        st, page, _ = m.http(path, data=b"", method="POST")
        assert st == 200 and "أصبحت عضوا." in page, page[-600:]

        # Content-Language of the message before the group's language
        mail(m, "X3 <x3@example.net>", FR + "-request@" + LIST_DOMAIN, "help",
             headers=[("Content-Language", "en-GB")])
        msg, _ = answer(m, "x3@example.net")
        assert str(msg["Subject"]) == "Help: Cloud souverain"
        assert "delivery MODE" in text_of(msg)
        # Accept-Language (Outlook sends it): its first known tag
        mail(m, "X4 <x4@example.net>", FR + "-request@" + LIST_DOMAIN, "help",
             headers=[("Accept-Language", "de-DE, ar;q=0.8, fr;q=0.5")])
        msg, _ = answer(m, "x4@example.net")
        assert str(msg["Subject"]) == "مساعدة: Cloud souverain", \
            msg["Subject"]
        assert "\u2068Cloud souverain\u2069" not in str(msg["Subject"])
        # a French command word to the Arabic group: French
        mail(m, "X5 <x5@example.net>", AR + "-request@" + LIST_DOMAIN, "aide")
        msg, _ = answer(m, "x5@example.net")
        assert str(msg["Subject"]).startswith("Aide : "), msg["Subject"]
        # an Arabic word to the French group: Arabic, not a member
        mail(m, "X6 <x6@example.net>", FR + "-request@" + LIST_DOMAIN,
             "إلغاء الاشتراك")
        msg, _ = answer(m, "x6@example.net")
        assert str(msg["Subject"]) == "لست عضوا: Cloud souverain", \
            msg["Subject"]

        # a web account's language comes first, even before the headers
        account(m, "alice@example.org", "Alice")
        c = WebClient(m).signin("alice@example.org")
        st, _ = c.submit("/settings", {"name": "Alice", "lang": "ar",
                                       "tz": "UTC"})
        assert st in (200, 303), st
        mail(m, "Alice <alice@example.org>", FR + "-request@" + LIST_DOMAIN,
             "delivery daily", headers=[("Content-Language", "fr")])
        msg = wait_for(lambda: [parse(r) for _, r in
                                m.sink.to("alice@example.org")
                                if "تأكيد" in str(parse(r)["Subject"])],
                       "alice's confirmation")[0]
        assert "«يومي»" in text_of(msg) and "«فوري»" in text_of(msg)
    finally:
        m.close()


def inbound_done(m, n):
    rows = m.db("SELECT state, note FROM inbound ORDER BY id")
    return len(rows) >= n and all(r[0] != "new" for r in rows) and rows


def test_banned_sender_gets_no_answer():
    m = site("listcmd-ban")
    try:
        m.ctl("ban", "add", FR, "spam@example.net")
        m.ctl("ban", "add", "--site", "@bad.example")
        mail(m, "Spam <spam@example.net>", FR + "-request@" + LIST_DOMAIN,
             "subscribe")
        mail(m, "Spam <spam@example.net>", FR + "-join@" + LIST_DOMAIN, "x")
        mail(m, "Evil <evil@bad.example>", AR + "-join@" + LIST_DOMAIN, "x")
        # a clean From, a banned envelope sender
        mail(m, "Nice <nice@example.net>", FR + "-join@" + LIST_DOMAIN, "x",
             envelope="spam@example.net")
        # in another group the same address is not banned
        mail(m, "Spam <spam@example.net>", AR + "-request@" + LIST_DOMAIN,
             "help")
        mail(m, "Ok <ok@example.net>", FR + "-join@" + LIST_DOMAIN, "x")
        rows = wait_for(lambda: inbound_done(m, 6), "processing")
        answer(m, "ok@example.net")
        answer(m, "spam@example.net")           # the help of the AR group
        assert len(m.sink.to("spam@example.net")) == 1
        assert "مساعدة" in str(parse(m.sink.to("spam@example.net")[0][1])[
            "Subject"])
        assert m.sink.to("evil@bad.example") == []
        assert m.sink.to("nice@example.net") == []
        notes = [r[1] for r in rows]
        assert sum("banned sender" in n for n in notes) == 4, notes
        assert m.db("SELECT count(*) FROM tokens WHERE email IN"
                    " ('spam@example.net', 'evil@bad.example',"
                    " 'nice@example.net')")[0][0] == 0
        assert m.logtext().count("from a banned sender dropped") == 4
    finally:
        m.close()


if __name__ == "__main__":
    run([test_answers_in_the_senders_language,
         test_banned_sender_gets_no_answer])
