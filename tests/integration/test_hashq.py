"""Password hashing off the web event loop (daemon/hashq.c): pages answer
while sign-ins wait on Argon2id, a sign-in whose client went away is
dropped safely, the queue answers 503 past HASHQ_QUEUE_MAX jobs and to a
client past its HASHQ_PER_CLIENT_MAX jobs (others are still served), and a
daemon stopped with hashes in flight answers or closes them without a leak
(the ASan run's LeakSanitizer reads the daemon log).
Run: /usr/bin/python3 tests/integration/test_hashq.py"""

import os
import re
import select
import socket
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BUILD, WAIT, run, site  # noqa: E402

PASSWORD = "correct horse battery"
HASHQ_QUEUE_MAX = 32        # daemon/hashq.h
HASHQ_PER_CLIENT_MAX = 4    # daemon/hashq.h
LOGIN_IP_MAX = 30           # web/account.h ACCOUNT_LOGIN_IP_MAX
REGISTER_IP_MAX = 10        # web/account.h ACCOUNT_REGISTER_IP_MAX


def add_user(m, email, name):
    subprocess.run([os.path.join(BUILD, "majlisctl"), "-f", m.conf, "user",
                    "add", email, "--name", name],
                   input=(PASSWORD + "\n").encode(), check=True,
                   capture_output=True)


def raw_get(m, path, headers=None):
    """GET path on a fresh connection: (status, headers text, body)."""
    s = socket.create_connection(("127.0.0.1", m.http_port), timeout=WAIT)
    h = "".join("%s: %s\r\n" % kv for kv in (headers or {}).items())
    s.sendall(("GET %s HTTP/1.1\r\nHost: t\r\n%sConnection: close\r\n\r\n" %
               (path, h)).encode())
    data = read_all(s)
    s.close()
    return parse_reply(data)


def read_all(s):
    chunks = []
    while True:
        b = s.recv(65536)
        if not b:
            return b"".join(chunks)
        chunks.append(b)


def parse_reply(data):
    head, _, body = data.partition(b"\r\n\r\n")
    first = head.split(b"\r\n", 1)[0].decode()
    status = int(first.split()[1]) if first.startswith("HTTP/") else 0
    return status, head.decode(errors="replace"), body


def login_form(m):
    """The pre-session cookie and the csrf field of /login."""
    st, head, body = raw_get(m, "/login")
    assert st == 200, st
    cookie = re.search(r"Set-Cookie: (majlis_csrf=[^;]+)", head).group(1)
    csrf = re.findall(rb'name="csrf" value="([^"]+)"', body)[-1].decode()
    return cookie, csrf


def send_form(m, path, cookie, fields, forwarded=None):
    """Write a form POST on a new connection, without reading: the
    socket, to read the answer from later."""
    body = urllib.parse.urlencode(fields).encode()
    fwd = "X-Forwarded-For: %s\r\n" % forwarded if forwarded else ""
    s = socket.create_connection(("127.0.0.1", m.http_port), timeout=WAIT)
    s.sendall(("POST %s HTTP/1.1\r\nHost: t\r\nCookie: %s\r\n%s"
               "Content-Type: application/x-www-form-urlencoded\r\n"
               "Content-Length: %d\r\nConnection: close\r\n\r\n" %
               (path, cookie, fwd, len(body))).encode() + body)
    return s


def send_login(m, cookie, csrf, email, password=PASSWORD, forwarded=None):
    """Write a sign-in POST on a new connection, without reading."""
    return send_form(m, "/login", cookie, {"csrf": csrf, "email": email,
                                           "password": password}, forwarded)


def test_pages_answer_while_hashing():
    """Two sign-ins queue about two Argon2id hashes; while the first is
    still unanswered, page after page must be served. With the hash on the
    loop no page could complete before that first answer."""
    m = site("hashq-overlap")
    try:
        add_user(m, "alice@example.org", "Alice")
        cookie, csrf = login_form(m)
        logins = [send_login(m, cookie, csrf, "alice@example.org")
                  for _ in range(2)]
        pages = 0
        first_answer = None
        deadline = time.monotonic() + WAIT
        while first_answer is None and time.monotonic() < deadline:
            st, _, body = raw_get(m, "/")
            assert st == 200 and b"cloud-souverain" in body, st
            ready, _, _ = select.select(logins, [], [], 0)
            if ready:
                first_answer = pages
            else:
                pages += 1
        assert first_answer is not None, "no sign-in answered"
        assert pages >= 3, ("only %d pages answered while the first "
                            "sign-in was hashing" % pages)
        for s in logins:
            st, head, _ = parse_reply(read_all(s))
            s.close()
            assert st == 303 and "majlis_session=" in head, (st, head)
        rows = m.db("SELECT count(*) FROM sessions")
        assert rows[0][0] == 2, rows
        # a wrong password still fails, after the same work
        s = send_login(m, cookie, csrf, "alice@example.org", "wrong password!")
        st, _, body = parse_reply(read_all(s))
        s.close()
        assert st == 401, st
    finally:
        m.close()


def test_client_gone_while_hashing():
    """Sign-ins whose clients close at once: the answer is dropped, the
    daemon goes on (and LeakSanitizer finds nothing at the end)."""
    m = site("hashq-gone")
    try:
        add_user(m, "alice@example.org", "Alice")
        cookie, csrf = login_form(m)
        for i in range(4):      # from 4 addresses: each has its share
            s = send_login(m, cookie, csrf, "alice@example.org",
                           forwarded="192.0.2.%d" % (i + 1))
            s.close()
        # the hashes end and their answers go nowhere; then a sign-in
        # (queued behind them) still works
        s = send_login(m, cookie, csrf, "alice@example.org")
        st, head, _ = parse_reply(read_all(s))
        s.close()
        assert st == 303 and "majlis_session=" in head, (st, head)
        assert raw_get(m, "/")[0] == 200
    finally:
        m.close()


def test_queue_full():
    """Past HASHQ_QUEUE_MAX jobs waiting, a sign-in is answered 503 with
    Retry-After at once; the queued ones are answered normally (each from
    its own address and account, so no rate limit interferes)."""
    m = site("hashq-full")
    try:
        cookie, csrf = login_form(m)
        n = HASHQ_QUEUE_MAX + 16
        socks = [send_login(m, cookie, csrf, "nobody%d@example.org" % i,
                            forwarded="192.0.2.%d" % (i + 1))
                 for i in range(n)]
        codes = []
        for s in socks:
            st, head, _ = parse_reply(read_all(s))
            s.close()
            codes.append(st)
            if st == 503:
                assert "Retry-After: 1" in head, head
        full = codes.count(503)
        assert codes.count(401) + full == n, codes
        assert codes.count(401) >= HASHQ_QUEUE_MAX, codes
        assert 1 <= full <= n - HASHQ_QUEUE_MAX, codes
        assert "password queue full" in m.logtext()
    finally:
        m.close()


def test_one_client_cannot_fill_the_queue():
    """One client address (through the trusted proxy header), within its
    rate limits, sends every sign-in and registration they allow at once:
    more than HASHQ_QUEUE_MAX jobs. It gets HASHQ_PER_CLIENT_MAX jobs in
    the queue and 503 with Retry-After for the rest, and a sign-in from
    another address sent right after is still served (401 for its wrong
    password, not 503). Without the per-client share that sign-in found
    the queue full."""
    m = site("hashq-fair")
    try:
        cookie, csrf = login_form(m)
        flood = "198.51.100.7"
        socks = [send_login(m, cookie, csrf, "nobody%d@example.org" % i,
                            forwarded=flood) for i in range(LOGIN_IP_MAX)]
        socks += [send_form(m, "/register", cookie, {
            "csrf": csrf, "name": "R%d" % i, "email": "r%d@example.org" % i,
            "password": "long enough password"}, forwarded=flood)
            for i in range(REGISTER_IP_MAX)]
        assert len(socks) > HASHQ_QUEUE_MAX
        assert raw_get(m, "/")[0] == 200     # the flood was read before
        other = send_login(m, cookie, csrf, "someone@example.org",
                           forwarded="203.0.113.9")
        st, head, _ = parse_reply(read_all(other))
        other.close()
        assert st == 401, (st, head)
        codes = []
        for s in socks:
            st, head, _ = parse_reply(read_all(s))
            s.close()
            codes.append(st)
            if st == 503:
                assert "Retry-After: 1" in head, head
            else:
                assert st in (200, 401), st
        assert codes.count(503) >= 1, codes
        assert len(codes) - codes.count(503) >= HASHQ_PER_CLIENT_MAX, codes
        assert "198.51.100.7 has %d password jobs waiting already" % \
            HASHQ_PER_CLIENT_MAX in m.logtext()
        assert "password queue full" not in m.logtext()
    finally:
        m.close()


def test_stop_with_hashes_in_flight():
    """SIGTERM while sign-ins wait on the hashing thread: each client gets
    an answer (303 for one finished, 503 for one cancelled) or a closed
    connection; the daemon exits cleanly (close() fails on a sanitizer
    report, leaks included)."""
    m = site("hashq-stop")
    try:
        add_user(m, "alice@example.org", "Alice")
        cookie, csrf = login_form(m)
        socks = [send_login(m, cookie, csrf, "alice@example.org")
                 for _ in range(5)]
        # the server has the requests once the first answer arrives
        select.select(socks, [], [], WAIT)
        m.stop()
        for s in socks:
            try:
                st, _, _ = parse_reply(read_all(s))
            except ConnectionResetError:
                st = 0
            s.close()
            assert st in (0, 303, 503), st
        assert "cancelled at shutdown" in m.logtext()
    finally:
        m.close()


if __name__ == "__main__":
    run([test_pages_answer_while_hashing, test_client_gone_while_hashing,
         test_queue_full, test_one_client_cannot_fill_the_queue,
         test_stop_with_hashes_in_flight])
