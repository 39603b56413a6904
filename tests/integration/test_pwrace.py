"""Password checks done off the event loop (daemon/hashq.c) are acted on
only while the account still has the hash that was checked: a sign-in
with the old password that waited for its hash while a password change
committed opens no session, of two password changes checked against the
same password only one takes effect, and a password set by any path voids
the reset links mailed before.

The races are set up by the hashing queue's order (one worker, first in,
first out): the change is queued first, the sign-in or the second change
reads the account right after, before the first change is hashed and
applied. Whatever the order the server ends up taking, the checks below
hold for correct code (a sign-in that happened before the change had its
session ended by it); the old code fails them when the order is the one
set up.
Run: /usr/bin/python3 tests/integration/test_pwrace.py"""

import http.client
import os
import re
import socket
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import WAIT, parse, run, site, wait_for  # noqa: E402
from webclient import PASSWORD, WebClient, account  # noqa: E402

NEW = "a brand new password"
OTHER = "another new password"


def send_post(c, path, fields, csrf):
    """Write a form POST of client c (its cookies, the CSRF value read
    before) on a new connection without reading the answer: the socket."""
    f = dict(fields)
    f["csrf"] = csrf
    body = urllib.parse.urlencode(f).encode()
    cookie = "; ".join("%s=%s" % kv for kv in c.cookies.items())
    s = socket.create_connection(("127.0.0.1", c.m.http_port), timeout=WAIT)
    s.sendall(("POST %s HTTP/1.1\r\nHost: t\r\nCookie: %s\r\n"
               "Content-Type: application/x-www-form-urlencoded\r\n"
               "Content-Length: %d\r\nConnection: close\r\n\r\n" %
               (path, cookie, len(body))).encode() + body)
    return s


def read_answer(c, s):
    """The answer on s as (status, body text); c keeps its cookies."""
    data = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        data += b
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode(errors="replace").split("\r\n")
    status = int(lines[0].split()[1])
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "set-cookie":
            k, v = value.strip().split(";")[0].split("=", 1)
            c.cookies[k] = v
    return status, body.decode(errors="replace")


def settle(m):
    """One page answered after the requests written so far were read:
    the loop reads them in the order they came."""
    conn = http.client.HTTPConnection("127.0.0.1", m.http_port, timeout=WAIT)
    conn.request("GET", "/login")
    assert conn.getresponse().status == 200
    conn.close()


def signed_in(c):
    """1 when c's session cookie is a live session."""
    st, _ = c.get("/settings")
    return st == 200


def can_sign_in(m, email, password):
    st, _ = WebClient(m).submit("/login", {"email": email,
                                            "password": password})
    return st == 303


def test_signin_while_password_changes():
    """The owner changes the password; a sign-in with the old one is
    checked while the change waits for its hash and is answered after it
    committed: no session may come of it."""
    m = site("pwrace-signin")
    try:
        account(m, "nadia@example.org", "Nadia")
        owner = WebClient(m).signin("nadia@example.org")
        thief = WebClient(m)
        csrf_owner, csrf_thief = owner.csrf("/settings"), thief.csrf("/login")
        change = send_post(owner, "/settings/password",
                           {"current": PASSWORD, "password": NEW}, csrf_owner)
        settle(m)
        signin = send_post(thief, "/login", {"email": "nadia@example.org",
                                             "password": PASSWORD}, csrf_thief)
        st_change, body = read_answer(owner, change)
        st_signin, _ = read_answer(thief, signin)
        assert st_change == 200 and "Your password is changed." in body, \
            st_change
        assert st_signin in (303, 401), st_signin
        assert not signed_in(thief), "the old password opened a session"
        assert signed_in(owner)
        assert can_sign_in(m, "nadia@example.org", NEW)
        assert not can_sign_in(m, "nadia@example.org", PASSWORD)
    finally:
        m.close()


def test_two_changes_at_once():
    """Two sessions change the password from the same current one at
    once: one change is applied, the other is refused (409) because the
    password it was checked against is no longer the one stored, or its
    session was ended by the first. The password that works is the one
    whose change was answered as done."""
    m = site("pwrace-change")
    try:
        account(m, "nadia@example.org", "Nadia")
        a = WebClient(m).signin("nadia@example.org")
        b = WebClient(m).signin("nadia@example.org")
        csrf_a, csrf_b = a.csrf("/settings"), b.csrf("/settings")
        sa = send_post(a, "/settings/password",
                       {"current": PASSWORD, "password": NEW}, csrf_a)
        settle(m)
        sb = send_post(b, "/settings/password",
                       {"current": PASSWORD, "password": OTHER}, csrf_b)
        st_a, body_a = read_answer(a, sa)
        st_b, body_b = read_answer(b, sb)
        done = [pw for st, body, pw in ((st_a, body_a, NEW),
                                        (st_b, body_b, OTHER))
                if st == 200 and "Your password is changed." in body]
        assert len(done) == 1, (st_a, st_b)
        # 403: b's session had already ended when its form was read
        assert st_b in (200, 303, 403, 409), st_b
        if st_b == 409:
            assert "Your password was changed elsewhere" in body_b
        assert can_sign_in(m, "nadia@example.org", done[0])
        for pw in (PASSWORD, NEW, OTHER):
            if pw != done[0]:
                assert not can_sign_in(m, "nadia@example.org", pw), pw
    finally:
        m.close()


def reset_link(m, rcpt, count):
    def links():
        out = []
        for _, raw in m.sink.to(rcpt):
            body = parse(raw).get_body(("plain",))
            found = re.search(r"/reset/([A-Za-z0-9_-]+)",
                              body.get_content() if body else "")
            if found:
                out.append("/reset/" + found.group(1))
        return len(out) >= count and out
    return wait_for(links, "reset mail %d to %s" % (count, rcpt))[count - 1]


def test_reset_links_void_after_a_change():
    """Two reset links: the first used voids the second; a link mailed
    before a change in the settings is void after it."""
    m = site("pwrace-reset")
    try:
        account(m, "nadia@example.org", "Nadia")
        anon = WebClient(m)
        for _ in (1, 2):
            st, body = anon.submit("/reset", {"email": "nadia@example.org"})
            assert st == 200, st
        first, second = reset_link(m, "nadia@example.org", 1), \
            reset_link(m, "nadia@example.org", 2)
        assert first != second
        st, _ = WebClient(m).submit(first, {"password": NEW})
        assert st == 200, st
        st, _ = WebClient(m).get(second)
        assert st == 404, st
        assert can_sign_in(m, "nadia@example.org", NEW)
        # a third link, then the owner changes the password in the settings
        st, _ = anon.submit("/reset", {"email": "nadia@example.org"})
        third = reset_link(m, "nadia@example.org", 3)
        owner = WebClient(m).signin("nadia@example.org", NEW)
        st, body = owner.submit("/settings/password",
                                {"current": NEW, "password": OTHER},
                                page="/settings")
        assert st == 200 and "Your password is changed." in body, st
        st, _ = WebClient(m).get(third)
        assert st == 404, st
        assert can_sign_in(m, "nadia@example.org", OTHER)
        assert not can_sign_in(m, "nadia@example.org", NEW)
    finally:
        m.close()


if __name__ == "__main__":
    run([test_signin_while_password_changes, test_two_changes_at_once,
         test_reset_links_void_after_a_change])
