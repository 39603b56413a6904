"""A real MTA around majlis: one private Postfix instance is the MX of the
list domain (handing list mail to majlis over LMTP) and the relay majlis
submits its copies to (delivering them to the relay sink). A member's mail
is sent to Postfix with swaks, like a member's provider would.
Needs root (Postfix). Run: /usr/bin/python3 tests/integration/test_postfix.py"""

import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (LIST_DOMAIN, SRCDIR, corpus, free_port, parse,  # noqa: E402
                     run, site, wait_for)

POSTFIX = os.path.join(SRCDIR, "tests", "lib", "postfix.sh")
CLOUD = "cloud-souverain@" + LIST_DOMAIN


class Postfix:
    def __init__(self, mode_args):
        self.dir = tempfile.mkdtemp(prefix="majlis-postfix-")
        os.chmod(self.dir, 0o755)
        self.port = free_port()
        r = subprocess.run(["sh", POSTFIX, "start", self.dir, str(self.port)]
                           + mode_args, capture_output=True, text=True)
        if r.returncode != 0:
            raise AssertionError("postfix did not start: %s %s" %
                                 (r.stdout, r.stderr))

    def flush(self):
        subprocess.run(["sh", POSTFIX, "flush", self.dir], capture_output=True)

    def stop(self):
        subprocess.run(["sh", POSTFIX, "stop", self.dir], capture_output=True)
        subprocess.run(["rm", "-rf", self.dir])


def test_postfix_mx_and_relay():
    if os.geteuid() != 0:
        raise AssertionError("this test needs root to run Postfix")
    relay_port = free_port()
    m = site("postfix", conf_extra={"relay": "smtp://127.0.0.1:%d" % relay_port},
             start=False)
    pf = None
    try:
        pf = Postfix(["lmtp-to", "127.0.0.1:%d" % m.lmtp_port, LIST_DOMAIN,
                      "127.0.0.1:%d" % m.sink.port])
        # Postfix's SMTP port is the relay majlis was configured with
        os.rename(m.conf, m.conf + ".old")
        with open(m.conf + ".old") as f, open(m.conf, "w") as g:
            g.write(f.read().replace(str(relay_port), str(pf.port)))
        m.start()
        r = subprocess.run(
            ["swaks", "--server", "127.0.0.1:%d" % pf.port, "--from",
             "alice@example.org", "--to", CLOUD, "--header",
             "Subject: Réunion via Postfix", "--header",
             "Message-ID: <via-postfix@example.org>", "--body",
             "Bonjour à tous,\nvia un vrai MTA.\n", "--helo", "client.test"],
            capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr

        def delivered():
            pf.flush()
            return len(m.sink.messages()) == 2
        wait_for(delivered, "copies through Postfix", timeout=90)
        rcpts = sorted(e["rcpt"] for e, _ in m.sink.messages())
        assert rcpts == ["bob@example.org", "mod@example.org"], rcpts
        env, raw = m.sink.to("bob@example.org")[0]
        msg = parse(raw)
        assert msg["Message-ID"] == "<via-postfix@example.org>"
        assert msg["Subject"] == "[cloud-souverain] Réunion via Postfix"
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert env["mail_from"].startswith("cloud-souverain-bounces+o")
        # the stored raw copy shows the LMTP hop from Postfix
        raw_in = m.db("SELECT raw FROM inbound")[0][0]
        assert b"with LMTP" in raw_in, raw_in[:400]
        # Postfix's own Received header on the copy shows majlis submitted it
        assert b"postfix-%d" % pf.port in raw, raw[:600]
    finally:
        if pf:
            pf.stop()
        m.close()


if __name__ == "__main__":
    run([test_postfix_mx_and_relay])
