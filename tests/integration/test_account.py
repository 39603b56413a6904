"""Web accounts against the real daemon: registration confirmed by mail
(captured at the relay sink), claim of a member known only by mail, sign-in
and cookie flags, settings saved (database and majlisctl), sign-out ending
the session server-side, CSRF refusals, rate limits answered 429, generic
sign-in failures, password reset, members/private group visibility, and
no session token stored in clear.
Run: /usr/bin/python3 tests/integration/test_account.py"""

import datetime
import http.client
import os
import re
import sys
import urllib.parse
import zoneinfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (LIST_DOMAIN, Majlis, parse, run, site,  # noqa: E402
                     wait_for)

PASSWORD = "correct horse battery"
# the limits of web/account.h
LOGIN_IP_MAX = 30
LOGIN_FAIL_MAX = 5
REGISTER_EMAIL_MAX = 3
RESET_EMAIL_MAX = 3


class Client:
    """A browser in miniature: keeps cookies, does not follow redirects."""

    def __init__(self, m, lang="en"):
        self.m = m
        self.cookies = {}
        self.lang = lang
        self.last_headers = []

    def request(self, method, path, fields=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.m.http_port,
                                       timeout=20)
        h = {"Accept-Language": self.lang}
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields).encode()
            h["Content-Type"] = "application/x-www-form-urlencoded"
        h.update(headers or {})
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read().decode()
        self.last_headers = r.getheaders()
        for k, v in self.last_headers:
            if k.lower() == "set-cookie":
                name, val = v.split(";")[0].split("=", 1)
                if "Max-Age=0" in v:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = val
        c.close()
        return r.status, data, r

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, fields):
        return self.request("POST", path, fields)

    def set_cookies(self):
        return [v for k, v in self.last_headers if k.lower() == "set-cookie"]

    def csrf(self, path):
        """GET a page and return the csrf value of its (last) form."""
        st, body, _ = self.get(path)
        assert st == 200, (path, st, body[:300])
        vals = re.findall(r'name="csrf" value="([^"]+)"', body)
        assert vals, "no csrf field on " + path
        return vals[-1]

    def submit(self, path, fields, page=None):
        f = dict(fields)
        f["csrf"] = self.csrf(page or path)
        return self.post(path, f)


def mail_link(m, rcpt, path, count=1):
    """The link to site_url + path + TOKEN in the count-th mail to rcpt
    that holds such a link (list copies are skipped)."""
    def links():
        out = []
        for _, raw in m.sink.to(rcpt):
            msg = parse(raw)
            body = msg.get_body(("plain",))
            text = body.get_content() if body else ""
            found = re.search(re.escape(path) + r"([A-Za-z0-9_-]+)", text)
            if found:
                out.append((path + found.group(1), msg))
        return len(out) >= count and out
    return wait_for(links, "mail to %s with %s" % (rcpt, path))[count - 1]


def register(m, c, email, name, password=PASSWORD, count=1):
    st, body, _ = c.submit("/register", {"name": name, "email": email,
                                         "password": password})
    assert st == 200 and "Check your mail" in body, (st, body[:500])
    link, _ = mail_link(m, email, "/register/", count)
    st, body, _ = c.submit(link, {})
    assert st == 200, (st, body[:500])
    assert "majlis_session" in c.cookies
    return link


def signed_in_as(c, name):
    st, body, _ = c.get("/")
    return st == 200 and ('class="who" dir="auto">%s<' % name) in body


def test_register_login_logout():
    m = site("acct-reg")
    try:
        c = Client(m)
        st, body, _ = c.get("/register")
        assert st == 200 and 'name="csrf"' in body
        pre = [v for v in c.set_cookies() if v.startswith("majlis_csrf=")]
        assert pre and "HttpOnly" in pre[0] and "SameSite=Lax" in pre[0]
        st, body, _ = c.submit("/register", {
            "name": "Nadia", "email": "nadia@example.org",
            "password": PASSWORD})
        assert st == 200 and "Check your mail" in body, body[:400]
        # no account before the confirmation
        assert m.db("SELECT count(*) FROM members WHERE email = ?",
                    "nadia@example.org")[0][0] == 0
        link, msg = mail_link(m, "nadia@example.org", "/register/")
        assert msg["To"] and "nadia@example.org" in msg["To"]
        st, body, _ = c.get(link)
        assert st == 200 and "nadia@example.org" in body
        st, body, _ = c.submit(link, {})
        assert st == 200, body[:400]
        sess = [v for v in c.set_cookies() if v.startswith("majlis_session=")]
        assert len(sess) == 1
        flags = [f.strip() for f in sess[0].split(";")]
        assert "HttpOnly" in flags and "SameSite=Lax" in flags
        assert "Path=/" in flags and "Secure" not in flags  # plain HTTP
        token = c.cookies["majlis_session"]
        assert len(token) == 43
        rows = m.db("SELECT id, password_hash, name FROM members WHERE"
                    " email = ?", "nadia@example.org")
        assert len(rows) == 1 and rows[0][1].startswith("$argon2id$")
        assert rows[0][2] == "Nadia"
        # the session token is nowhere in clear
        for table in ("sessions", "tokens", "account_pending", "members",
                      "rate_limits"):
            for row in m.db("SELECT * FROM " + table):
                assert token not in repr(row), table
        assert m.db("SELECT count(*) FROM sessions WHERE member_id = ?",
                    rows[0][0])[0][0] == 1
        assert signed_in_as(c, "Nadia")
        # a used link is refused
        st, _, _ = c.get(link)
        assert st == 404
        # sign out: the session row is gone; the old cookie is worthless
        old = dict(c.cookies)
        st, _, r = c.submit("/logout", {}, page="/")
        assert st == 303 and r.getheader("Location") == "/"
        assert "majlis_session" not in c.cookies
        assert m.db("SELECT count(*) FROM sessions")[0][0] == 0
        c2 = Client(m)
        c2.cookies = old
        st, body, _ = c2.get("/")
        assert st == 200 and 'href="/login"' in body and "Nadia" not in body
        # and the browser is told to forget it
        assert any(v.startswith("majlis_session=;") and "Max-Age=0" in v
                   for v in c2.set_cookies())
        assert "majlis_session" not in c2.cookies
        c2.cookies = dict(old)
        st, _, _ = c2.get("/settings")
        assert st == 303
        # sign in again
        st, _, r = c.submit("/login", {"email": "NADIA@example.org",
                                       "password": PASSWORD})
        assert st == 303, st
        assert signed_in_as(c, "Nadia")
        # GET /logout does not sign out
        st, _, _ = c.get("/logout")
        assert st == 405 and signed_in_as(c, "Nadia")
        # sign out everywhere, from the settings page
        c3 = Client(m)
        st, _, _ = c3.submit("/login", {"email": "nadia@example.org",
                                        "password": PASSWORD})
        assert st == 303 and signed_in_as(c3, "Nadia")
        st, _, _ = c3.submit("/logout/all", {}, page="/settings")
        assert st == 303
        assert not signed_in_as(c, "Nadia") and not signed_in_as(c3, "Nadia")
        assert m.db("SELECT count(*) FROM sessions")[0][0] == 0
    finally:
        m.close()


def test_login_failures_generic():
    m = site("acct-generic")
    try:
        c = Client(m)
        register(m, c, "nadia@example.org", "Nadia")
        c = Client(m)
        answers = []
        for email, pw in (("nadia@example.org", "wrong password!"),
                          ("nobody@example.org", "wrong password!"),
                          ("alice@example.org", PASSWORD)):  # mail only
            st, body, _ = c.submit("/login", {"email": email, "password": pw})
            body = re.sub(r'value="[^"]*"', 'value=""', body)
            answers.append((st, body))
        assert answers[0][0] == 401
        assert answers[0] == answers[1] == answers[2]
        assert "Wrong email address or password." in answers[0][1]
        assert "majlis_session" not in c.cookies
        # registering an address that has an account says the same thing
        # and mails its owner, not the visitor
        st, body, _ = c.submit("/register", {
            "name": "Intruder", "email": "nadia@example.org",
            "password": "another password"})
        assert st == 200 and "Check your mail" in body
        link, _ = mail_link(m, "nadia@example.org", "/reset/")
        assert m.db("SELECT name FROM members WHERE email = ?",
                    "nadia@example.org")[0][0] == "Nadia"
    finally:
        m.close()


def test_claim_and_settings():
    m = site("acct-claim")
    try:
        before = m.db("SELECT id FROM members WHERE email = ?",
                      "alice@example.org")[0][0]
        assert m.db("SELECT password_hash FROM members WHERE id = ?",
                    before)[0][0] is None
        c = Client(m)
        register(m, c, "alice@example.org", "Alice W")
        # the same member: one row, memberships kept
        rows = m.db("SELECT id, password_hash FROM members WHERE email = ?",
                    "alice@example.org")
        assert len(rows) == 1 and rows[0][0] == before and rows[0][1]
        assert m.db("SELECT count(*) FROM memberships WHERE member_id = ?",
                    before)[0][0] == 2
        st, body, _ = c.get("/settings")
        assert st == 200
        gid = m.db("SELECT id FROM groups WHERE slug = 'cloud-souverain'")[0][0]
        assert 'name="delivery-%d"' % gid in body
        fields = {"name": "Alice Wonder", "lang": "fr",
                  "tz": "Africa/Casablanca", "delivery-%d" % gid: "daily",
                  "own-%d" % gid: "1"}
        st, _, r = c.submit("/settings", fields)
        assert st == 303 and r.getheader("Location") == "/settings?saved=1"
        st, body, _ = c.get("/settings?saved=1")
        assert st == 200 and "Vos réglages sont enregistrés." in body
        assert '<html lang="fr"' in body  # account before Accept-Language
        assert m.db("SELECT name, locale, timezone FROM members WHERE id = ?",
                    before)[0] == ("Alice Wonder", "fr", "Africa/Casablanca")
        assert m.db("SELECT delivery, receive_own FROM memberships WHERE"
                    " group_id = ? AND member_id = ?", gid, before)[0] == \
            ("daily", 1)
        listed = m.ctl("member", "list", "cloud-souverain", json_out=True)
        alice = [x for x in listed if x["email"] == "alice@example.org"][0]
        assert alice["delivery"] == "daily" and alice["receive_own"] is True
        assert alice["name"] == "Alice Wonder"
        # the Arabic group page answers in the account's language
        st, body, _ = c.get("/g/souverainete")
        assert st == 200 and '<html lang="fr"' in body
        # bad values are refused, nothing changes
        for bad in ({"tz": "../../etc/passwd"}, {"tz": "/etc/localtime"},
                    {"tz": "Nowhere/City"}, {"lang": "de"},
                    {"delivery-%d" % gid: "hourly"}, {"name": ""},
                    {"name": "x" * 101}):
            f = dict(fields)
            f.update(bad)
            st, body, _ = c.submit("/settings", f)
            assert st == 400, (bad, st)
        assert m.db("SELECT timezone FROM members WHERE id = ?",
                    before)[0][0] == "Africa/Casablanca"
        # unchecking receive-own saves 0
        f = dict(fields)
        del f["own-%d" % gid]
        st, _, _ = c.submit("/settings", f)
        assert st == 303
        assert m.db("SELECT receive_own FROM memberships WHERE group_id = ?"
                    " AND member_id = ?", gid, before)[0][0] == 0
    finally:
        m.close()


def test_csrf_refused():
    m = site("acct-csrf")
    try:
        c = Client(m)
        register(m, c, "nadia@example.org", "Nadia")
        anon = Client(m)
        anon.csrf("/login")
        # no token, a wrong token, a token of another pre-session
        other = Client(m)
        other_tok = other.csrf("/login")
        for fields in ({}, {"csrf": "x" * 42}, {"csrf": other_tok}):
            f = {"email": "nadia@example.org", "password": PASSWORD}
            f.update(fields)
            st, body, _ = anon.post("/login", f)
            assert st == 403, (fields, st)
            assert "Form refused" in body
        assert "majlis_session" not in anon.cookies
        # no pre-session cookie at all
        st, _, _ = Client(m).post("/login", {
            "email": "nadia@example.org", "password": PASSWORD,
            "csrf": other_tok})
        assert st == 403
        # a signed-in form needs the session's token
        st, _, _ = c.post("/logout", {})
        assert st == 403 and signed_in_as(c, "Nadia")
        st, _, _ = c.post("/logout", {"csrf": other_tok})
        assert st == 403 and signed_in_as(c, "Nadia")
        st, _, _ = c.post("/settings", {"name": "Evil", "lang": "en",
                                        "tz": "UTC", "csrf": "A" * 43})
        assert st == 403
        assert m.db("SELECT name FROM members WHERE email = ?",
                    "nadia@example.org")[0][0] == "Nadia"
        # not a form body
        st, _, _ = c.request("POST", "/logout", headers={
            "Content-Type": "application/json"})
        assert st == 400 and signed_in_as(c, "Nadia")
        st, _, _ = c.post("/logout", {"csrf": "%00"})
        assert st == 403
    finally:
        m.close()


def test_bad_forms():
    m = site("acct-forms")
    try:
        c = Client(m)
        tok = c.csrf("/login")

        def raw(body):
            conn = http.client.HTTPConnection("127.0.0.1", m.http_port,
                                              timeout=20)
            conn.request("POST", "/login", body=body, headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": "majlis_csrf=" + c.cookies["majlis_csrf"]})
            r = conn.getresponse()
            r.read()
            conn.close()
            return r.status
        # 100,000 fields: over the body limit; 300 small ones: over the
        # field count; a field over its length; broken UTF-8; %00; NUL
        assert raw(b"a=&" * 100000) == 413
        assert raw(("csrf=%s&" % tok).encode() + b"&".join(
            b"f%d=1" % i for i in range(300))) == 413
        assert raw(("csrf=%s&n=" % tok).encode() + b"x" * 61441) == 413
        assert raw(("csrf=%s&email=%%C3&password=x" % tok).encode()) == 400
        assert raw(("csrf=%s&email=a%%00b&password=x" % tok).encode()) == 400
        assert raw(("csrf=%s&email=a\0b&password=x" % tok).encode()) == 400
        assert raw(("csrf=%s&email=%%zz" % tok).encode()) == 400
        # and the server still answers, the token still works
        st, _, _ = c.post("/login", {"csrf": tok, "email": "x@example.org",
                                     "password": "whatever123"})
        assert st == 401
    finally:
        m.close()


def test_rate_limits():
    m = site("acct-rate")
    try:
        c = Client(m)
        register(m, c, "nadia@example.org", "Nadia")
        # failures per account: the limit, then 429 even with the password
        anon = Client(m)
        for _ in range(LOGIN_FAIL_MAX):
            st, _, _ = anon.submit("/login", {"email": "nadia@example.org",
                                              "password": "not the one!"})
            assert st == 401
        st, body, r = anon.submit("/login", {"email": "nadia@example.org",
                                             "password": PASSWORD})
        assert st == 429 and "Too many attempts" in body
        assert r.getheader("Retry-After") == str(15 * 60)
        assert "majlis_session" not in anon.cookies
        # registrations per address
        for i in range(REGISTER_EMAIL_MAX):
            st, _, _ = anon.submit("/register", {
                "name": "Sam", "email": "sam@example.org",
                "password": PASSWORD})
            assert st == 200, st
        st, _, _ = anon.submit("/register", {
            "name": "Sam", "email": "sam@example.org", "password": PASSWORD})
        assert st == 429
        # resets per address
        for i in range(RESET_EMAIL_MAX):
            st, _, _ = anon.submit("/reset", {"email": "nadia@example.org"})
            assert st == 200
        st, _, _ = anon.submit("/reset", {"email": "nadia@example.org"})
        assert st == 429
        # attempts per client address: other accounts, then 429
        done = LOGIN_FAIL_MAX + 1
        for i in range(LOGIN_IP_MAX - done):
            st, _, _ = anon.submit("/login", {
                "email": "u%d@example.org" % i, "password": "whatever123"})
            assert st == 401, (i, st)
        st, _, _ = anon.submit("/login", {"email": "new@example.org",
                                          "password": "whatever123"})
        assert st == 429
        # behind a proxy on loopback, each forwarded client has its bucket;
        # only the address the proxy added (the last) counts
        fwd = {"X-Forwarded-For": "203.0.113.7, 198.51.100.9"}
        for i in range(LOGIN_IP_MAX):
            tok = anon.csrf("/login")
            st, _, _ = anon.request("POST", "/login", {
                "email": "p%d@example.org" % i, "password": "whatever123",
                "csrf": tok}, fwd)
            assert st == 401, (i, st)
        tok = anon.csrf("/login")
        st, _, _ = anon.request("POST", "/login", {
            "email": "q@example.org", "password": "whatever123",
            "csrf": tok}, fwd)
        assert st == 429
        tok = anon.csrf("/login")
        st, _, _ = anon.request("POST", "/login", {
            "email": "q@example.org", "password": "whatever123",
            "csrf": tok}, {"X-Forwarded-For": "198.51.100.10"})
        assert st == 401
    finally:
        m.close()


def test_reset_password():
    m = site("acct-reset")
    try:
        c = Client(m)
        register(m, c, "nadia@example.org", "Nadia")
        other = Client(m)
        st, _, _ = other.submit("/login", {"email": "nadia@example.org",
                                           "password": PASSWORD})
        assert st == 303
        anon = Client(m)
        st, body, _ = anon.submit("/reset", {"email": "nadia@example.org"})
        assert st == 200 and "Check your mail" in body
        # an unknown address gets the same page and no mail
        st, body2, _ = anon.submit("/reset", {"email": "ghost@example.org"})
        assert st == 200 and body2 == body
        link, _ = mail_link(m, "nadia@example.org", "/reset/")
        st, _, _ = anon.submit(link, {"password": "short"})
        assert st == 400
        st, body, _ = anon.submit(link, {"password": "a brand new one"})
        assert st == 200 and "majlis_session" in anon.cookies
        # other sessions ended; old password refused, new one accepted
        assert not signed_in_as(c, "Nadia") and not signed_in_as(other, "Nadia")
        assert signed_in_as(anon, "Nadia")
        st, _, _ = Client(m).submit("/login", {"email": "nadia@example.org",
                                               "password": PASSWORD})
        assert st == 401
        st, _, _ = Client(m).submit("/login", {"email": "nadia@example.org",
                                               "password": "a brand new one"})
        assert st == 303
        st, _, _ = anon.get(link)
        assert st == 404
        assert len(m.sink.to("ghost@example.org")) == 0
    finally:
        m.close()


def test_change_password():
    m = site("acct-passwd")
    try:
        c = Client(m)
        register(m, c, "nadia@example.org", "Nadia")
        other = Client(m)
        st, _, _ = other.submit("/login", {"email": "nadia@example.org",
                                           "password": PASSWORD})
        assert st == 303
        st, body, _ = c.submit("/settings/password", {
            "current": "not the one!", "password": "a brand new one"},
            page="/settings")
        assert st == 400 and "The current password is wrong." in body
        st, body, _ = c.submit("/settings/password", {
            "current": PASSWORD, "password": "short"}, page="/settings")
        assert st == 400
        st, body, _ = c.submit("/settings/password", {
            "current": PASSWORD, "password": "a brand new one"},
            page="/settings")
        assert st == 200 and "Your password is changed." in body
        assert signed_in_as(c, "Nadia") and not signed_in_as(other, "Nadia")
        assert m.db("SELECT count(*) FROM sessions")[0][0] == 1
        st, _, _ = Client(m).submit("/login", {
            "email": "nadia@example.org", "password": "a brand new one"})
        assert st == 303
        # anonymous: sent to sign in
        st, _, r = Client(m).request("POST", "/settings/password", {})
        assert st == 403
    finally:
        m.close()


def test_group_visibility():
    m = Majlis("acct-vis")
    m.ctl("group", "add", "memb", "--name", "Members only", "--visibility",
          "members", "--language", "en")
    m.ctl("group", "add", "priv", "--name", "Private", "--visibility",
          "private", "--language", "en")
    m.ctl("member", "add", "priv", "insider@example.org", "--name", "In")
    m.start()
    try:
        anon = Client(m)
        outsider = Client(m)
        register(m, outsider, "outsider@example.org", "Out")
        insider = Client(m)
        register(m, insider, "insider@example.org", "In")
        expect = {anon: (404, 404), outsider: (200, 404), insider: (200, 200)}
        for c, (memb, priv) in expect.items():
            assert c.get("/g/memb")[0] == memb
            assert c.get("/g/memb.json")[0] == memb
            assert c.get("/g/priv")[0] == priv
            assert c.get("/g/priv.json")[0] == priv
            assert c.get("/g/memb/atom.xml")[0] == memb
            assert c.get("/g/priv/atom.xml")[0] == priv
            st, body, _ = c.get("/")
            assert ("Private" in body) == (priv == 200)
    finally:
        m.close()


def test_dates_in_reader_zone():
    m = site("acct-zone")
    try:
        m.send(b"From: Bob <bob@example.org>\r\nTo: cloud-souverain@" +
               LIST_DOMAIN.encode() + b"\r\nSubject: zones\r\n"
               b"Message-ID: <zone1@example.org>\r\n\r\nhello\r\n",
               "bob@example.org", ["cloud-souverain@" + LIST_DOMAIN])
        row = wait_for(lambda: m.db("SELECT thread_id, created FROM posts"
                                    " WHERE message_id = 'zone1@example.org'"),
                       "the post")[0]
        path = "/g/cloud-souverain/t/%d" % row[0]

        def shown(zone):
            d = datetime.datetime.fromtimestamp(row[1], zoneinfo.ZoneInfo(zone))
            return "%d %s %d, %02d:%02d" % (d.day, d.strftime("%B"), d.year,
                                            d.hour, d.minute)
        anon = Client(m)
        st, body, _ = anon.get(path)
        assert st == 200 and shown("UTC") in body, body
        c = Client(m)
        register(m, c, "alice@example.org", "Alice")
        st, _, _ = c.submit("/settings", {"name": "Alice", "lang": "en",
                                          "tz": "Asia/Tokyo"})
        assert st == 303
        st, body, _ = c.get(path)
        assert st == 200 and shown("Asia/Tokyo") in body, body
        assert shown("UTC") not in body
        # one reader's zone does not leak into the next request
        st, body, _ = anon.get(path)
        assert shown("UTC") in body and shown("Asia/Tokyo") not in body
    finally:
        m.close()


def test_secure_cookies_over_https():
    m = site("acct-https", conf_extra={"site_url": "https://majlis.test"})
    try:
        c = Client(m)
        c.get("/login")
        pre = [v for v in c.set_cookies() if v.startswith("majlis_csrf=")]
        assert pre and "; Secure" in pre[0] and "HttpOnly" in pre[0]
    finally:
        m.close()


if __name__ == "__main__":
    run([test_register_login_logout, test_login_failures_generic,
         test_claim_and_settings, test_csrf_refused, test_bad_forms,
         test_rate_limits,
         test_reset_password, test_change_password, test_group_visibility,
         test_dates_in_reader_zone, test_secure_cookies_over_https])
