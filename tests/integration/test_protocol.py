"""Scripted SMTP/LMTP sessions against the running daemon: every bad-input
case of TESTING.md answered with a clear code, nothing stored that should
not be, and other sessions undisturbed.
Run: /usr/bin/python3 tests/integration/test_protocol.py"""

import os
import socket
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import smtpchat  # noqa: E402
from harness import LIST_DOMAIN, SRCDIR, run, site, wait_for  # noqa: E402

CLOUD = "cloud-souverain@" + LIST_DOMAIN


def chat(m, script, port=None, timeout=20):
    return smtpchat.chat("127.0.0.1", port or m.smtp_port, script,
                         timeout=timeout)


def inbound_count(m):
    return m.db("SELECT count(*) FROM inbound")[0][0]


def test_pipelined_session():
    m = site("pipe")
    try:
        chat(m, """< 220
> EHLO client.test
< 250 PIPELINING
>> b"MAIL FROM:<alice@example.org>\\r\\nRCPT TO:<%s>\\r\\nRCPT TO:<nobody@%s>\\r\\nDATA\\r\\n"
<* 250 250 550 354
>> b"Subject: pipelined\\r\\n\\r\\n..dot-stuffed line\\r\\nbody\\r\\n.\\r\\nQUIT\\r\\n"
<* 250 221
expect-close
""" % (CLOUD, LIST_DOMAIN))
        raw = m.db("SELECT raw FROM inbound")[0][0]
        assert b"\r\n.dot-stuffed line\r\n" in raw, raw
        assert raw.startswith(b"Received: from client.test")
    finally:
        m.close()


def test_bad_commands():
    m = site("badcmd")
    try:
        chat(m, """< 220
> EHLO client.test
< 250
>> b"A" * 1000000 + b"\\r\\n"
< 500
>> b"NOOP\\x00 x\\r\\n"
< 500
>> b"NOOP\\nMAIL FROM:<alice@example.org>\\r\\n"
< 500
> RSET
< 250
>> b"MAIL FROM:<;sleep 1;>\\r\\n"
< 5
> RSET
< 250
> DATA
< 503
> MAIL FROM:<alice@example.org>
< 250
> RCPT TO:<postmaster@elsewhere.example>
< 550
> QUIT
< 221
""")
        # after 20 errors the session is cut
        chat(m, "< 220\n" + "> BOGUS\n< 500\n" * 20 + "> BOGUS\n< 421\n"
             "expect-close\n")
        assert inbound_count(m) == 0
    finally:
        m.close()


def test_smuggling_refused():
    m = site("smuggle")
    try:
        for end in (b"\n.\n", b"\r.\r", b"\r\n.\n", b"\n.\r\n"):
            script = """< 220
> EHLO client.test
< 250
> MAIL FROM:<alice@example.org>
< 250
> RCPT TO:<%s>
< 250
> DATA
< 354
>> b"Subject: first\\r\\n\\r\\nx" + %r + b"MAIL FROM:<evil@example.org>\\r\\nRCPT TO:<%s>\\r\\nDATA\\r\\nSubject: smuggled\\r\\n\\r\\ny\\r\\n.\\r\\n"
< 550 5.6.11
> QUIT
< 221
""" % (CLOUD, end, CLOUD)
            chat(m, script)
        assert inbound_count(m) == 0
    finally:
        m.close()


def test_recipient_limit():
    m = site("rcpts")
    try:
        chat(m, """< 220
> EHLO client.test
< 250
> MAIL FROM:<alice@example.org>
< 250
>> b"".join(b"RCPT TO:<%s>\\r\\n" for i in range(100000))
<* 250x100 452x99900
> QUIT
< 221
""" % CLOUD, timeout=120)
        assert inbound_count(m) == 0
        # the server still serves others
        chat(m, "< 220\n> EHLO x\n< 250\n> QUIT\n< 221\n")
    finally:
        m.close()


def test_size_limits():
    m = site("size", conf_extra={"max_message_size": "10K"})
    try:
        chat(m, """< 220
> EHLO client.test
< 250 SIZE 10240
> MAIL FROM:<alice@example.org> SIZE=20000
< 552
> MAIL FROM:<alice@example.org>
< 250
> RCPT TO:<%s>
< 250
> DATA
< 354
>> b"Subject: big\\r\\n\\r\\n" + (b"x" * 76 + b"\\r\\n") * 300 + b".\\r\\n"
< 552
> QUIT
< 221
""" % CLOUD)
        assert inbound_count(m) == 0
    finally:
        m.close()


def test_lmtp_per_recipient():
    m = site("lmtp")
    try:
        chat(m, """< 220
> LHLO mx.test
< 250
> MAIL FROM:<alice@example.org>
< 250
> RCPT TO:<%s>
< 250
> RCPT TO:<cloud-souverain-owner@%s>
< 250
> RCPT TO:<nobody@%s>
< 550
> DATA
< 354
>> b"From: alice@example.org\\r\\nSubject: lmtp\\r\\n\\r\\nhi\\r\\n.\\r\\n"
<* 250 250
> QUIT
< 221
""" % (CLOUD, LIST_DOMAIN, LIST_DOMAIN), port=m.lmtp_port)
        assert inbound_count(m) == 1
    finally:
        m.close()


def test_command_deadline_and_others_undisturbed():
    m = site("deadline", conf_extra={"smtp_command_timeout": "2s"})
    try:
        # a client dripping one byte at a time never completes a line: cut
        s = socket.create_connection(("127.0.0.1", m.smtp_port))
        s.settimeout(10)
        assert s.recv(512).startswith(b"220")
        stop = threading.Event()

        def drip():
            try:
                while not stop.is_set():
                    s.send(b"N")
                    stop.wait(0.3)
            except OSError:
                pass
        t = threading.Thread(target=drip)
        t.start()
        # meanwhile a normal session works
        chat(m, "< 220\n> EHLO x\n< 250\n> NOOP\n< 250\n> QUIT\n< 221\n")
        data = b""
        try:
            while True:
                chunk = s.recv(512)
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass
        stop.set()
        t.join()
        s.close()
        assert b"421" in data, data
    finally:
        m.close()


def test_starttls_plaintext_injection():
    import tempfile
    d = tempfile.mkdtemp(prefix="majlis-certs-")
    subprocess.run(["sh", os.path.join(SRCDIR, "tests", "lib", "certs.sh"), d],
                   check=True, capture_output=True)
    m = site("tls", conf_extra={"tls_cert": d + "/cert.pem",
                                "tls_key": d + "/key.pem"})
    try:
        chat(m, """< 220
> EHLO client.test
< 250 STARTTLS
>> b"STARTTLS\\r\\nMAIL FROM:<evil@example.org>\\r\\n"
< 421 pipelined
expect-close
""")
        chat(m, """< 220
> EHLO client.test
< 250 STARTTLS
> STARTTLS
< 220
tls %s/ca.pem localhost
> EHLO client.test
< 250 !STARTTLS
> MAIL FROM:<alice@example.org>
< 250
> RCPT TO:<%s>
< 250
> DATA
< 354
>> b"From: alice@example.org\\r\\nSubject: tls\\r\\n\\r\\nover tls\\r\\n.\\r\\n"
< 250
> QUIT
< 221
""" % (d, CLOUD))
        wait_for(lambda: inbound_count(m) == 1, "TLS message stored")
        raw = m.db("SELECT raw FROM inbound")[0][0]
        assert b"with ESMTPS" in raw, raw[:300]
    finally:
        m.close()


if __name__ == "__main__":
    run([test_pipelined_session, test_bad_commands, test_smuggling_refused,
         test_recipient_limit, test_size_limits, test_lmtp_per_recipient,
         test_command_deadline_and_others_undisturbed,
         test_starttls_plaintext_injection])
