"""Browser layer: Debian's chromium driven by npm playwright-core
(tests/browser/pages.mjs, tests/browser/account.mjs) on the real daemon, in
French and Arabic: reading pages; then an account's life (register, the
confirmation mail at the relay sink, confirm, sign in, search, delivery
mode in the settings and on the digest's link).
Fails when node, npm or chromium is missing: no silent skip.
Screenshots go to tests/artefacts/. Run: /usr/bin/python3 tests/integration/test_browser.py"""

import base64
import hashlib
import hmac
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import LIST_DOMAIN, SRCDIR, parse, run, site, wait_for  # noqa: E402
from test_web import corpus_site, thread_of  # noqa: E402

BROWSER = os.path.join(SRCDIR, "tests", "browser")
ARTEFACTS = os.path.join(SRCDIR, "tests", "artefacts")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def ensure_playwright():
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            raise AssertionError(tool + " is missing (contrib/install-deps)")
    if not os.access(CHROMIUM, os.X_OK):
        raise AssertionError(CHROMIUM + " is missing (contrib/install-deps)")
    if not os.path.isdir(os.path.join(BROWSER, "node_modules",
                                      "playwright-core")):
        r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund",
                            "--silent"], cwd=BROWSER, capture_output=True,
                           text=True, timeout=600)
        if r.returncode != 0:
            raise AssertionError("npm ci failed: " + r.stderr[-2000:])


def test_browser_fr_ar():
    ensure_playwright()
    os.makedirs(ARTEFACTS, exist_ok=True)
    m = corpus_site("browser")
    try:
        fr = thread_of(m, "20261112091403.4711@mail.example.fr")
        ar = thread_of(m, "CAB1234-ar-001@mail.example.ma")
        paths = ["/", "/g/cloud-souverain", "/g/cloud-souverain/t/%d" % fr,
                 "/g/souverainete/t/%d" % ar]
        r = subprocess.run(["node", os.path.join(BROWSER, "pages.mjs"),
                            "http://127.0.0.1:%d" % m.http_port, ARTEFACTS]
                           + paths, capture_output=True, text=True,
                           timeout=300, env=dict(os.environ, CHROMIUM=CHROMIUM))
        print(r.stdout[-6000:])
        if r.returncode != 0:
            raise AssertionError("browser checks failed:\n" +
                                 "\n".join(l for l in r.stdout.splitlines()
                                           if l.startswith("not ok")) +
                                 r.stderr[-3000:])
    finally:
        m.close()


def node(script, *args):
    r = subprocess.run(["node", os.path.join(BROWSER, script)] +
                       [str(a) for a in args], capture_output=True, text=True,
                       timeout=300, env=dict(os.environ, CHROMIUM=CHROMIUM))
    print(r.stdout[-4000:])
    if r.returncode != 0:
        raise AssertionError("browser checks failed:\n" +
                             "\n".join(l for l in r.stdout.splitlines()
                                       if l.startswith("not ok")) +
                             r.stderr[-3000:])


def registration_link(m, email):
    for _, raw in m.sink.to(email):
        part = parse(raw).get_body(("plain",))
        found = part and re.search(r"/register/[A-Za-z0-9_-]+",
                                   part.get_content())
        if found:
            return found.group(0)
    return None


def delivery_link(m, slug, email):
    """The /d/ path of the digests (daemon/deliverylink.c), made here from
    the membership's secret as a digest would carry it."""
    gid, mid, key = m.db("SELECT ms.group_id, ms.member_id, ms.unsub_token"
                         " FROM memberships ms JOIN members mb ON mb.id ="
                         " ms.member_id JOIN groups g ON g.id = ms.group_id"
                         " WHERE g.slug = ? AND mb.email = ?", slug, email)[0]
    d = hmac.new(key.encode(), ("delivery:%d:%d" % (gid, mid)).encode(),
                 hashlib.sha256).digest()
    mac = base64.urlsafe_b64encode(d).decode()[:22]
    return gid, "/d/%d-%d-%s" % (gid, mid, mac)


def test_browser_account_search_delivery():
    ensure_playwright()
    os.makedirs(ARTEFACTS, exist_ok=True)
    m = site("browser-account")
    slug = "cloud-souverain"
    try:
        for n, (subject, body) in enumerate((
                ("Réunion à Genève", "L'hébergement souverain des données."),
                ("تقرير السيادة", "السِّيَادَة الرَّقْمِيَّة أولوية."))):
            raw = ("From: Moderator <mod@example.org>\r\nTo: %s@%s\r\n"
                   "Subject: %s\r\nMessage-ID: <browser-%d@example.org>\r\n"
                   "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n" %
                   (slug, LIST_DOMAIN, subject, n, body)).encode("utf-8")
            m.send(raw, "mod@example.org", [slug + "@" + LIST_DOMAIN])
        wait_for(lambda: m.db("SELECT count(*) FROM posts")[0][0] == 2,
                 "the two posts")
        base = "http://127.0.0.1:%d" % m.http_port
        password = "correct horse battery"
        for lang, direction, email, name, mode, link_mode in (
                ("fr", "ltr", "alice@example.org", "Alice", "weekly", "daily"),
                ("ar", "rtl", "bob@example.org", "بكر", "none", "each")):
            node("account.mjs", base, ARTEFACTS, lang, direction, "register",
                 email, name, password)
            confirm = wait_for(lambda: registration_link(m, email),
                               "registration mail to " + email)
            gid, link = delivery_link(m, slug, email)
            node("account.mjs", base, ARTEFACTS, lang, direction, "session",
                 email, password, confirm, gid, mode, link, link_mode,
                 "hebergement", "Réunion à Genève", "الرقمية",
                 "تقرير السيادة")
            assert m.db("SELECT locale FROM members WHERE email = ?",
                        email)[0][0] == lang
            rows = m.ctl("member", "list", slug, json_out=True)
            assert [r["delivery"] for r in rows if r["email"] == email] == \
                [link_mode], rows
            assert m.db("SELECT actor, detail FROM audit_log WHERE action ="
                        " 'delivery' AND target = ?", email) == [
                ("delivery-link", "%s -> %s" % (mode, link_mode))]
    finally:
        m.close()


if __name__ == "__main__":
    run([test_browser_fr_ar, test_browser_account_search_delivery])
