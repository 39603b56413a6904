"""A browser in miniature for the integration tests: keeps cookies, sends
forms with the page's CSRF token, does not follow redirects; and web
accounts made the way an operator makes them (majlisctl user add)."""

import http.client
import os
import re
import tempfile
import urllib.parse

PASSWORD = "correct horse battery staple"


class WebClient:
    def __init__(self, m, lang="en"):
        self.m = m
        self.lang = lang
        self.cookies = {}

    def request(self, method, path, fields=None):
        """(status, body bytes, headers dict with lower-case names)."""
        c = http.client.HTTPConnection("127.0.0.1", self.m.http_port,
                                       timeout=30)
        h = {"Accept-Language": self.lang}
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in
                                    self.cookies.items())
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields).encode()
            h["Content-Type"] = "application/x-www-form-urlencoded"
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        headers = {}
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, val = v.split(";")[0].split("=", 1)
                self.cookies[name] = val
            headers[k.lower()] = v
        c.close()
        return r.status, data, headers

    def get(self, path):
        st, data, _ = self.request("GET", path)
        return st, data

    def csrf(self, path):
        st, page, _ = self.request("GET", path)
        assert st == 200, (path, st, page[:300])
        vals = re.findall(r'name="csrf" value="([^"]+)"', page.decode())
        assert vals, "no csrf field on " + path
        return vals[-1]

    def submit(self, path, fields, page=None):
        f = dict(fields)
        f["csrf"] = self.csrf(page or path)
        st, data, _ = self.request("POST", path, f)
        return st, data.decode(errors="replace")

    def signin(self, email, password=PASSWORD):
        st, body = self.submit("/login", {"email": email,
                                          "password": password})
        assert st in (200, 303) and "majlis_session" in self.cookies, \
            (email, st, body[:300])
        return self


def account(m, email, name, admin=False, password=PASSWORD):
    """A web account for email, made with majlisctl user add."""
    fd, path = tempfile.mkstemp(dir=m.root)
    with os.fdopen(fd, "w") as f:
        f.write(password + "\n")
    args = ["user", "add", email, "--name", name, "--password-file", path]
    if admin:
        args.append("--admin")
    m.ctl(*args)
    os.unlink(path)
