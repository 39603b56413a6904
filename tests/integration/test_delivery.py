"""Changing the delivery mode without the settings page: the "delivery
MODE" command to slug-request@ (confirmed like subscribe, by reply or by
link), and the signed link at the foot of every digest (/d/TOKEN: the
current mode and a form, no session). Each change shows in the database,
in `majlisctl member list --json`, in the audit log, and in what the next
post or digest does. Run: /usr/bin/python3 tests/integration/test_delivery.py"""

import base64
import hashlib
import hmac
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import LIST_DOMAIN, parse, run, site, wait_for  # noqa: E402
from test_write import Client  # noqa: E402

SLUG = "cloud-souverain"
LIST = SLUG + "@" + LIST_DOMAIN
REQUEST = SLUG + "-request@" + LIST_DOMAIN
MEMBERS = (("alice@example.org", "Alice", "member"),
           ("bob@example.org", "Bob", "member"),
           ("carol@example.org", "Carol", "member"))
FORM_TTL = 3600         # DELIVERYLINK_FORM_TTL of daemon/deliverylink.h
N = [0]


def mail(m, sender, to, subject, body="", extra=""):
    N[0] += 1
    raw = ("From: %s\r\nTo: %s\r\nSubject: %s\r\n"
           "Message-ID: <delivery-%d-%d@example.org>\r\n%s"
           "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n" % (
               sender, to, subject, os.getpid(), N[0], extra,
               body)).encode()
    m.send(raw, sender, [to])


def delivery(m, email, slug=SLUG):
    rows = m.ctl("member", "list", slug, json_out=True)
    ctl = [r["delivery"] for r in rows if r["email"] == email]
    db = m.db("SELECT ms.delivery FROM memberships ms JOIN members mb ON"
              " mb.id = ms.member_id JOIN groups g ON g.id = ms.group_id"
              " WHERE mb.email = ? AND g.slug = ?", email, slug)
    assert ctl == [r[0] for r in db], (ctl, db)
    return ctl[0] if ctl else None


def answers(m, rcpt, subject):
    """Replies of the request address to rcpt whose subject starts so."""
    return [parse(raw) for _, raw in m.sink.to(rcpt)
            if str(parse(raw)["Subject"]).startswith(subject)]


def copies_of(m, rcpt, subject):
    return [raw for _, raw in m.sink.to(rcpt)
            if str(parse(raw)["Subject"]).endswith(subject)]


def audit(m, target):
    return m.db("SELECT actor, detail FROM audit_log WHERE action ="
                " 'delivery' AND target = ? ORDER BY id", target)


def post_and_wait(m, subject, witness):
    """A post by bob; returns once witness has its copy."""
    mail(m, "Bob <bob@example.org>", LIST, subject, "Texte.")
    wait_for(lambda: copies_of(m, witness, subject), "copy to " + witness)


def test_mail_command_confirmed_by_reply_and_by_link():
    m = site("delivery-mail", members=MEMBERS)
    try:
        # the help names the command
        # (the group is French: so are the answers to a member without a
        # web account, test_listcmd_lang.py has the other languages)
        mail(m, "Alice <alice@example.org>", REQUEST, "help")
        help_ = wait_for(lambda: answers(m, "alice@example.org", "Aide"),
                         "help")[0]
        assert "réception MODE" in help_.get_body(("plain",)).get_content()
        # the command asks first: nothing changes before the confirmation
        mail(m, "Alice <alice@example.org>", REQUEST, "delivery digest")
        ask = wait_for(lambda: answers(m, "alice@example.org",
                                       "Confirmation :"),
                       "confirmation request")[0]
        assert ask["Auto-Submitted"] == "auto-replied"
        assert "« hebdomadaire »" in str(ask["Subject"]), ask["Subject"]
        assert delivery(m, "alice@example.org") == "each"
        rt = ask["Reply-To"].addresses[0].addr_spec
        assert rt.startswith(SLUG + "-confirm+"), rt
        mail(m, "Alice <alice@example.org>", rt, "Re: confirm", "yes")
        wait_for(lambda: delivery(m, "alice@example.org") == "weekly",
                 "weekly after the confirmation")
        done = wait_for(lambda: answers(m, "alice@example.org",
                                        "Réception modifiée"), "answer")[0]
        assert "« hebdomadaire »" in done.get_body(("plain",)).get_content()
        assert audit(m, "alice@example.org") == [("mail", "each -> weekly")]
        # the next post goes to carol, not to alice
        post_and_wait(m, "Premier sujet", "carol@example.org")
        assert not copies_of(m, "alice@example.org", "Premier sujet")
        # ... and comes to alice in the weekly digest
        out = m.ctl("digest", "send", SLUG, "--period", "weekly")
        assert "1 copies queued" in out.stdout.decode() or \
            "1 copy queued" in out.stdout.decode(), out.stdout
        dg = wait_for(lambda: answers(m, "alice@example.org", "[%s] Weekly"
                                      % SLUG), "alice's digest")[0]
        text = dg.get_body(("plain",)).get_content()
        assert "Premier sujet" in text
        # the same mode again: said so, no confirmation asked
        before = m.db("SELECT count(*) FROM tokens")[0][0]
        mail(m, "Alice <alice@example.org>", REQUEST, "Delivery weekly")
        wait_for(lambda: answers(m, "alice@example.org",
                                 "Réception inchangée"), "unchanged")
        assert m.db("SELECT count(*) FROM tokens")[0][0] == before
        # no mode, an unknown one, a stranger: refused with a reason
        mail(m, "Alice <alice@example.org>", REQUEST, "delivery monthly")
        wait_for(lambda: answers(m, "alice@example.org",
                                 "Réception non modifiée"), "bad mode")
        mail(m, "Zed <zed@example.net>", REQUEST, "delivery none")
        wait_for(lambda: answers(m, "zed@example.net", "Pas membre"),
                 "stranger")
        assert m.db("SELECT count(*) FROM tokens")[0][0] == before
        # French words in the body, confirmed on the web (/c/TOKEN)
        mail(m, "Bob <bob@example.org>", REQUEST, "Re: commande",
             "réception aucun\r\n")
        ask = wait_for(lambda: answers(m, "bob@example.org",
                                       "Confirmation :"),
                       "bob's confirmation request")[0]
        path = re.search(r"/c/[A-Za-z0-9_-]+",
                         ask.get_body(("plain",)).get_content()).group(0)
        c = Client(m)
        st, body, _ = c.get(path)
        assert st == 200 and "receive this group at this address by" in \
            body and 'data-mode="none"' in body and \
            '<dd dir="ltr">bob@example.org</dd>' in body, (st, body[:300])
        assert delivery(m, "bob@example.org") == "each"
        st, body, _ = c.post(path, {})
        assert st == 200 and "delivery mode was changed" in body, body[:500]
        assert delivery(m, "bob@example.org") == "none"
        assert audit(m, "bob@example.org") == [("web", "each -> none")]
        # the link is single use
        st, body, _ = c.post(path, {})
        assert st == 404
        # bob (web only) gets no copy of the next post, carol does
        mail(m, "Alice <alice@example.org>", LIST, "Second sujet", "Texte.")
        wait_for(lambda: copies_of(m, "carol@example.org", "Second sujet"),
                 "carol's copy")
        assert not copies_of(m, "bob@example.org", "Second sujet")
    finally:
        m.close()


def mac(key, msg, n=22):
    d = hmac.new(key.encode(), msg.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(d).decode().rstrip("=")[:n]


def link_page(c, path):
    st, body, _ = c.get(path)
    assert st == 200, (st, body[:400])
    form = re.search(r'name="form" value="([^"]+)"', body).group(1)
    mode = re.search(r'id="current" data-mode="(\w+)"', body).group(1)
    return body, form, mode


def test_digest_link_changes_delivery_without_signing_in():
    m = site("delivery-link", members=MEMBERS)
    try:
        m.ctl("member", "set", SLUG, "alice@example.org", "--delivery",
              "weekly")
        post_and_wait(m, "Sujet du lien", "carol@example.org")
        m.ctl("digest", "send", SLUG, "--period", "weekly")
        dg = wait_for(lambda: answers(m, "alice@example.org", "[%s] Weekly"
                                      % SLUG), "alice's digest")[0]
        text = dg.get_body(("plain",)).get_content()
        html = dg.get_body(("html",)).get_content()
        found = re.search(r"http://[^/\s]+(/d/(\d+)-(\d+)-[A-Za-z0-9_-]+)",
                          text)
        assert found, text[-800:]
        path, gid, mid = found.group(1), found.group(2), found.group(3)
        assert path in html
        assert m.db("SELECT id FROM members WHERE email = ?",
                    "alice@example.org")[0][0] == int(mid)
        # the page, in the reader's language, shows the current mode
        c = Client(m, lang="fr")
        body, form, mode = link_page(c, path)
        assert mode == "weekly" and "Mode actuel" in body
        assert "alice@example.org" in body and 'lang="fr"' in body
        ar = Client(m, lang="ar")
        body_ar, _, _ = link_page(ar, path)
        assert 'dir="rtl"' in body_ar and "الطريقة الحالية" in body_ar
        # without the form token, with a forged or foreign one: 403
        st, body, _ = c.post(path, {"delivery": "each"})
        assert st == 403, st
        st, body, _ = c.post(path, {"delivery": "each",
                                    "form": form[:-1] + "x"})
        assert st == 403, st
        other = "/d/%s-%s-%s" % (gid, m.db(
            "SELECT id FROM members WHERE email = ?",
            "carol@example.org")[0][0], path.rsplit("-", 1)[1])
        st, _, _ = c.post(other, {"delivery": "each", "form": form})
        assert st == 404        # a MAC of alice's does not open carol's
        # an expired form token (made with the site secret, an hour old)
        secret = m.db("SELECT value FROM settings WHERE key = 'secret'")[0][0]
        t = int(time.time()) - FORM_TTL - 5
        old = "%d.%s" % (t, mac(secret, "delivery-form:%d:%s" % (
            t, path[3:])))
        st, body, _ = c.post(path, {"delivery": "each", "form": old})
        assert st == 403 and "expiré" in body, st
        # an unknown mode: 400; nothing changed so far
        st, _, _ = c.post(path, {"delivery": "monthly", "form": form})
        assert st == 400
        assert delivery(m, "alice@example.org") == "weekly"
        assert audit(m, "alice@example.org") == []
        # the change, then the same again: idempotent, logged once
        st, body, _ = c.post(path, {"delivery": "each", "form": form})
        assert st == 200 and 'data-mode="each"' in body, body[:600]
        assert "Enregistré" in body
        assert delivery(m, "alice@example.org") == "each"
        st, body, _ = c.post(path, {"delivery": "each", "form": form})
        assert st == 200 and "Rien à changer" in body
        assert audit(m, "alice@example.org") == [
            ("delivery-link", "weekly -> each")]
        assert "delivery of alice@example.org" in m.logtext()
        # the next post comes to alice by itself
        post_and_wait(m, "Après le lien", "alice@example.org")
        # forged and malformed links: the same 404 as an unknown one
        for bad in (path[:-1] + ("A" if path[-1] != "A" else "B"),
                    "/d/1-1-short", "/d/0-%s-%s" % (mid, path[-22:])):
            st, body, _ = c.get(bad)
            assert st == 404 and "inconnu" in body, (bad, st)
        # a member who left: the link dies with the membership
        m.ctl("member", "remove", SLUG, "alice@example.org")
        st, _, _ = c.get(path)
        assert st == 404
        st, _, _ = c.post(path, {"delivery": "none", "form": form})
        assert st == 404
        assert "LeakSanitizer" not in m.logtext()
    finally:
        m.close()


if __name__ == "__main__":
    run([test_mail_command_confirmed_by_reply_and_by_link,
         test_digest_link_changes_delivery_without_signing_in])
