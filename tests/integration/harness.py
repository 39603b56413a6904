"""Integration harness for majlis: start the real daemon with a temporary
configuration and a relay sink, drive it with real clients, and assert on
what the relay received, on web pages and on the database.

Run with /usr/bin/python3 (Debian's, which sees python3-aiosmtpd).
Every server binds 127.0.0.1 on a free port, lives in a fresh temporary
directory and is stopped by PID."""

import email
import email.policy
import json
import os
import shutil
import signal
import smtplib
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.environ.get("MAJLIS_CORPUS",
                        os.path.join(SRCDIR, "..", "shared", "corpus"))
BUILD = os.environ.get("MAJLIS_BUILD", os.path.join(SRCDIR, "build"))
PY = "/usr/bin/python3"
LIST_DOMAIN = "lists.example.org"
WAIT = float(os.environ.get("MAJLIS_TEST_WAIT", "30"))


_ports_given = set()


def free_port():
    """A port nothing listens on, never one this process handed out before:
    the kernel may give a just-closed port again, and a site whose LMTP and
    HTTP ports were the same could not start (seen in a full run)."""
    while True:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        if port not in _ports_given:
            _ports_given.add(port)
            return port


def wait_for(cond, what, timeout=WAIT):
    """Poll cond() until it returns a true value; fail after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.05)


def dead(pid):
    """True when pid is gone, or a zombie whose threads have all exited: a
    thread group's leader shows Z while its other threads are still
    exiting and the process's sockets are still open (a test connecting
    then reached a dying listener and was reset)."""
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return True
    for tid in tids:
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state not in ("Z", "X"):
            return False
    return True


def wait_port(port, timeout=WAIT):
    def up():
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return True
        except OSError:
            return False
    wait_for(up, "port %d" % port, timeout)


class Sink:
    """The relay sink (tests/lib/relay_sink.py) in its own directory."""

    def __init__(self, root, extra=()):
        self.dir = os.path.join(root, "sink")
        os.makedirs(self.dir)
        self.faults = os.path.join(self.dir, "faults.json")
        self.proc = subprocess.Popen(
            [PY, os.path.join(SRCDIR, "tests", "lib", "relay_sink.py"),
             "--port", "0", "--dir", self.dir, "--faults", self.faults]
            + list(extra),
            stdout=subprocess.PIPE, stderr=open(
                os.path.join(self.dir, "log"), "wb"))
        line = self.proc.stdout.readline().decode()
        if not line.startswith("READY"):
            raise RuntimeError("relay sink did not start: " + line)
        self.port = int(line.split()[1])

    def set_faults(self, rules):
        tmp = self.faults + ".tmp"
        with open(tmp, "w") as f:
            json.dump(rules, f)
        os.rename(tmp, self.faults)

    def messages(self):
        """[(envelope dict, raw bytes)] in arrival order."""
        out = []
        d = os.path.join(self.dir, "msgs")
        if not os.path.isdir(d):
            return out
        for name in sorted(os.listdir(d)):
            if name.endswith(".json"):
                base = os.path.join(d, name[:-5])
                if not os.path.exists(base + ".eml"):
                    continue
                with open(base + ".json") as f:
                    env = json.load(f)
                with open(base + ".eml", "rb") as f:
                    out.append((env, f.read()))
        return out

    def to(self, rcpt):
        return [m for m in self.messages() if m[0]["rcpt"].lower() == rcpt.lower()]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Majlis:
    """A majlisd with its own data directory, ports and relay sink."""

    def __init__(self, name, conf_extra=None, sink_args=()):
        self.root = tempfile.mkdtemp(prefix="majlis-it-%s-" % name)
        self.sink = Sink(self.root, sink_args)
        self.smtp_port = free_port()
        self.lmtp_port = free_port()
        self.http_port = free_port()
        self.data = os.path.join(self.root, "data")
        self.conf = os.path.join(self.root, "majlis.conf")
        self.log = os.path.join(self.root, "majlisd.log")
        settings = {
            "data_dir": self.data,
            "site_name": "Test site",
            "site_url": "http://127.0.0.1:%d" % self.http_port,
            "list_domain": LIST_DOMAIN,
            "hostname": "majlis.test",
            "http_listen": "127.0.0.1:%d" % self.http_port,
            "smtp_listen": "127.0.0.1:%d" % self.smtp_port,
            "lmtp_listen": "127.0.0.1:%d" % self.lmtp_port,
            "relay": "smtp://127.0.0.1:%d" % self.sink.port,
            "retry_min_delay": "1s",
            "retry_max_delay": "2s",
            "parser_workers": "2",
            "log_level": "debug",
        }
        settings.update(conf_extra or {})
        with open(self.conf, "w") as f:
            for k, v in settings.items():
                f.write('%s = "%s"\n' % (k, v))
        self.proc = None
        self.ctl("init")

    def _ports_up(self):
        """Wait for the SMTP and HTTP ports; False when majlisd exited."""
        def up():
            if self.proc.poll() is not None:
                return "exited"
            for port in (self.smtp_port, self.http_port):
                try:
                    socket.create_connection(("127.0.0.1", port), 0.5).close()
                except OSError:
                    return False
            return "up"
        return wait_for(up, "majlisd listening") == "up"

    def _new_ports(self):
        """Another process took a port between free_port() and majlisd's
        bind (they come from the ephemeral range): pick new ones."""
        old = (self.smtp_port, self.lmtp_port, self.http_port)
        self.smtp_port, self.lmtp_port, self.http_port = (
            free_port(), free_port(), free_port())
        with open(self.conf) as f:
            text = f.read()
        for a, b in zip(old, (self.smtp_port, self.lmtp_port, self.http_port)):
            text = text.replace("127.0.0.1:%d\"" % a, "127.0.0.1:%d\"" % b)
        with open(self.conf, "w") as f:
            f.write(text)

    def start(self, env=None):
        """Start majlisd; env: variables added to its environment (a test
        clock, for instance)."""
        for attempt in range(3):
            seen = os.path.getsize(self.log) if os.path.exists(self.log) else 0
            self.proc = subprocess.Popen(
                [os.path.join(BUILD, "majlisd"), "-d", "-f", self.conf],
                stdout=subprocess.DEVNULL, stderr=open(self.log, "ab"),
                env=dict(os.environ, **env) if env else None)
            if self._ports_up():
                return self
            with open(self.log, errors="replace") as f:
                f.seek(seen)
                tail = f.read()
            if self.proc.poll() is None:    # alive but never listening
                self.stop()
            if "cannot listen" not in tail or attempt == 2:
                raise AssertionError("majlisd exited at start:\n" +
                                     tail[-2000:])
            self._new_ports()
        return self

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def kill9(self):
        """SIGKILL the whole process group of majlisd (supervisor, engine,
        parsers) as a power cut would."""
        if self.proc:
            pids = self.pids()
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.proc.wait()
            self.proc = None
            # SIGKILL is asynchronous: wait until every process is gone (or a
            # zombie), so that no dying listener answers the next connection
            wait_for(lambda: all(dead(p) for p in pids), "killed processes")

    def pids(self):
        """The supervisor and its children."""
        out = [self.proc.pid]
        try:
            kids = subprocess.run(["pgrep", "-P", str(self.proc.pid)],
                                  capture_output=True, text=True).stdout
            out += [int(x) for x in kids.split()]
        except OSError:
            pass
        return out

    def close(self):
        """Stop everything; fail when the daemon's log shows a sanitizer
        report or a crashed process (the supervisor would hide it)."""
        self.stop()
        self.sink.stop()
        text = self.logtext() if os.path.exists(self.log) else ""
        bad = [l for l in text.splitlines() if
               "ERROR: AddressSanitizer" in l or "ERROR: LeakSanitizer" in l
               or "runtime error:" in l or "killed by signal" in l
               and "parser" not in l]
        failing = sys.exc_info()[0] is not None
        if failing:
            # the test is failing: keep the site and show the log's end in
            # the test output, the only place a CI run keeps
            sys.stderr.write("--- %s (kept), last lines:\n%s\n" % (
                self.log, "\n".join(text.splitlines()[-40:])))
        if os.environ.get("MAJLIS_KEEP") is None and not bad and not failing:
            shutil.rmtree(self.root, ignore_errors=True)
        if bad:
            raise AssertionError("daemon log (%s) shows: %s" % (self.log,
                                                                bad[:3]))

    def ctl(self, *args, check=True, json_out=False):
        cmd = [os.path.join(BUILD, "majlisctl"), "-f", self.conf] + list(args)
        if json_out:
            cmd.append("--json")
        r = subprocess.run(cmd, capture_output=True)
        if check and r.returncode != 0:
            raise AssertionError("majlisctl %s failed: %s" %
                                 (" ".join(args), r.stderr.decode()))
        if json_out:
            return json.loads(r.stdout.decode())
        return r

    def db(self, sql, *args):
        con = sqlite3.connect("file:%s/majlis.db?mode=ro" % self.data,
                              uri=True, timeout=10)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def send(self, raw, mail_from, rcpts, port=None, lmtp=False):
        """Send raw bytes; returns the smtplib reply or raises."""
        if lmtp:
            s = smtplib.LMTP("127.0.0.1", port or self.lmtp_port)
        else:
            s = smtplib.SMTP("127.0.0.1", port or self.smtp_port)
        try:
            s.ehlo("client.test") if not lmtp else None
            return s.sendmail(mail_from, rcpts, raw)
        finally:
            s.quit()

    def http(self, path, data=None, method=None):
        req = urllib.request.Request(
            "http://127.0.0.1:%d%s" % (self.http_port, path), data=data,
            method=method)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read().decode(), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(), dict(e.headers)

    def logtext(self):
        with open(self.log, errors="replace") as f:
            return f.read()


def corpus(name):
    with open(os.path.join(CORPUS, name), "rb") as f:
        return f.read()


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def site(name, members=(("alice@example.org", "Alice", "member"),
                        ("bob@example.org", "Bob", "member"),
                        ("mod@example.org", "Moderator", "moderator")),
         groups=(("cloud-souverain", "Cloud souverain", "fr"),
                 ("souverainete", "Souveraineté numérique", "ar")),
         conf_extra=None, start=True):
    """A Majlis with the corpus's two groups and a few members in each."""
    m = Majlis(name, conf_extra)
    for slug, gname, lang in groups:
        m.ctl("group", "add", slug, "--name", gname, "--language", lang)
        for addr, mname, role in members:
            m.ctl("member", "add", slug, addr, "--name", mname, "--role", role)
    if not start:
        return m
    try:
        return m.start()
    except BaseException:
        try:    # the caller's finally never sees m: stop its processes here
            m.close()
        except AssertionError:
            pass
        raise


def run(tests):
    """Run test functions, print PASS/FAIL lines and a summary; exit status
    is the number of failures (capped)."""
    passed = failed = 0
    only = os.environ.get("MAJLIS_ONLY")
    for t in tests:
        if only and only not in t.__name__:
            continue
        start = time.monotonic()
        try:
            t()
            passed += 1
            print("PASS: %s (%.1fs)" % (t.__name__, time.monotonic() - start),
                  flush=True)
        except Exception:
            failed += 1
            print("FAIL: %s" % t.__name__, flush=True)
            traceback.print_exc(file=sys.stdout)
            sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(min(failed, 100))
