#!/usr/bin/python3
"""Scripted SMTP/LMTP conversations for protocol tests: send lines or exact
bytes, expect reply codes, STARTTLS, expect the server to close.  Command
line tool and importable module (chat()).  Script syntax: tests/lib/README.md.
"""

import os
import re
import socket
import ssl
import sys
import time

DEFAULT_TIMEOUT = 10.0
MAX_REPLY_BYTES = 4 * 1024 * 1024
REPLY_LINE = re.compile(rb"^([0-9]{3})([ -]|$)(.*)$", re.S)
EVAL_NAMES = {"__builtins__": {}, "range": range, "bytes": bytes,
              "bytearray": bytearray, "str": str, "len": len, "chr": chr}


class ChatError(Exception):
    """An expectation that did not hold, or a malformed script."""

    def __init__(self, lineno, line, expected, got):
        self.lineno, self.line = lineno, line
        self.expected, self.got = expected, got
        super().__init__("line %d: %s\n  expected: %s\n  got:      %s"
                         % (lineno, line, expected, got))


class Closed(Exception):
    pass


class Reply:
    """One (possibly multi-line) reply: code as str, lines without CRLF."""

    def __init__(self, code, lines):
        self.code, self.lines = code, lines

    def text(self):
        return "\n".join(l.decode("utf-8", "replace") for l in self.lines)

    def __repr__(self):
        return "Reply(%s, %r)" % (self.code, self.lines)


def show(data, limit=300):
    s = repr(bytes(data))
    return s if len(s) <= limit else s[:limit] + "...(%d bytes)" % len(data)


class Conn:
    def __init__(self, host, port, timeout, verbose):
        self.timeout, self.verbose = timeout, verbose
        if str(port) == "unix":
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(host)
        else:
            self.sock = socket.create_connection((host, int(port)), timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.eof = None          # why the peer is gone, once it is
        self.send_error = None

    def log(self, who, data):
        if self.verbose:
            for l in bytes(data).split(b"\n"):
                if l:
                    print("%s %s" % (who, show(l + b"\n", 200)),
                          file=sys.stderr)

    def send(self, data):
        self.log("C:", data)
        try:
            self.sock.sendall(data)
        except OSError as e:
            if self.send_error is None:
                self.send_error = "send failed: %s" % e

    def fill(self, timeout=None):
        """Read more bytes into buf; raise Closed on EOF or reset and
        socket.timeout when nothing came in time."""
        if self.eof:
            raise Closed(self.eof)
        self.sock.settimeout(self.timeout if timeout is None else timeout)
        try:
            data = self.sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError) as e:
            self.eof = "connection reset (%s)" % e.strerror
            raise Closed(self.eof)
        except ssl.SSLError as e:
            self.eof = "TLS error: %s" % e
            raise Closed(self.eof)
        if not data:
            self.eof = "connection closed"
            raise Closed(self.eof)
        self.log("S:", data)
        self.buf += data

    def readline(self):
        while b"\n" not in self.buf:
            if len(self.buf) > MAX_REPLY_BYTES:
                raise ValueError("reply line longer than %d bytes"
                                 % MAX_REPLY_BYTES)
            self.fill()
        i = self.buf.index(b"\n")
        line = bytes(self.buf[:i + 1])
        del self.buf[:i + 1]
        return line

    def reply(self):
        """Read one whole reply; ValueError when it is malformed."""
        lines, code, total = [], None, 0
        while True:
            raw = self.readline()
            total += len(raw)
            if total > MAX_REPLY_BYTES:
                raise ValueError("reply longer than %d bytes"
                                 % MAX_REPLY_BYTES)
            if not raw.endswith(b"\r\n"):
                raise ValueError("reply line not ended by CRLF: %s"
                                 % show(raw))
            m = REPLY_LINE.match(raw[:-2])
            if not m:
                raise ValueError("malformed reply line: %s" % show(raw))
            if code is not None and m.group(1) != code:
                raise ValueError("code changed inside a multi-line reply: "
                                 "%s" % show(raw))
            code = m.group(1)
            lines.append(raw[:-2])
            if m.group(2) != b"-":
                return Reply(code.decode(), lines)

    def starttls(self, cafile, name):
        if self.buf:
            raise ValueError("server sent data before the TLS handshake: "
                             + show(self.buf))
        if cafile:
            ctx = ssl.create_default_context(cafile=cafile)
            ctx.check_hostname = bool(name)
        else:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        self.sock.settimeout(self.timeout)
        self.sock = ctx.wrap_socket(self.sock, server_hostname=name or None)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def code_matches(pattern, code):
    return pattern == "*" or code.startswith(pattern)


def parse_codes(words, where):
    """["250x3", "354"] -> ["250", "250", "250", "354"]."""
    out = []
    for w in words:
        pat, _, n = w.partition("x")
        if not (pat == "*" or (pat.isdigit() and len(pat) <= 3)) or \
                (n and not n.isdigit()):
            raise ChatError(where[0], where[1], "CODE or CODExN", w)
        out.extend([pat] * (int(n) if n else 1))
    return out


def data_payload(path):
    """A file as DATA payload: CRLF line ends, dot-stuffed, final dot."""
    with open(path, "rb") as f:
        raw = f.read()
    lines = raw.replace(b"\r\n", b"\n").split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    out = [b"." + l if l.startswith(b".") else l for l in lines]
    return b"\r\n".join(out) + b"\r\n.\r\n" if out else b".\r\n"


class Runner:
    def __init__(self, host, port, timeout, verbose, base_dir):
        self.host, self.port = host, port
        self.timeout, self.verbose = timeout, verbose
        self.base_dir = base_dir
        self.conn = None
        self.replies = []
        self.where = (0, "")

    def fail(self, expected, got):
        if self.conn is not None and self.conn.send_error:
            got += " (earlier: %s)" % self.conn.send_error
        raise ChatError(self.where[0], self.where[1], expected, got)

    def need_conn(self):
        if self.conn is None:
            self.fail("an open connection", "connection already closed")
        return self.conn

    def expect(self, pattern, text=None):
        conn = self.need_conn()
        want = pattern if text is None else "%s %s" % (pattern, text)
        try:
            r = conn.reply()
        except socket.timeout:
            self.fail(want, "nothing within %g s (timeout)" % conn.timeout)
        except Closed as e:
            self.fail(want, str(e))
        except ValueError as e:
            self.fail(want, str(e))
        self.replies.append(r)
        got = "\\n".join(l.decode("utf-8", "replace") for l in r.lines)
        if not code_matches(pattern, r.code):
            self.fail(want, got)
        if text:
            neg = text.startswith("!")
            needle = (text[1:] if neg else text).lower()
            if (needle in r.text().lower()) == neg:
                self.fail(want, got)

    def expect_close(self):
        conn = self.need_conn()
        try:
            while True:
                if conn.buf:
                    self.fail("connection closed by server",
                              "data " + show(conn.buf))
                conn.fill()
        except socket.timeout:
            self.fail("connection closed by server",
                      "still open after %g s" % conn.timeout)
        except Closed:
            conn.close()
            self.conn = None

    def quiet(self, secs):
        conn = self.need_conn()
        deadline = time.monotonic() + secs
        while not conn.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            try:
                conn.fill(left)
            except socket.timeout:
                return
            except Closed as e:
                self.fail("no reply for %g s" % secs, str(e))
        self.fail("no reply for %g s" % secs, "data " + show(conn.buf))

    def send_expr(self, expr):
        try:
            v = eval(expr, dict(EVAL_NAMES))
        except Exception as e:
            self.fail("a Python expression giving bytes or str",
                      "%s: %s" % (type(e).__name__, e))
        if isinstance(v, str):
            v = v.encode("utf-8")
        if not isinstance(v, (bytes, bytearray)):
            self.fail("bytes or str", type(v).__name__)
        self.need_conn().send(bytes(v))

    def path(self, p):
        return p if os.path.isabs(p) else os.path.join(self.base_dir, p)

    def step(self, line):
        if line.startswith(">> ") or line == ">>":
            return self.send_expr(line[3:])
        if line.startswith("> ") or line == ">":
            return self.need_conn().send(line[2:].encode("utf-8") + b"\r\n")
        if line.startswith("<* "):
            for pat in parse_codes(line[3:].split(), self.where):
                self.expect(pat)
            return None
        if line.startswith("< "):
            pat, _, text = line[2:].strip().partition(" ")
            if not (pat == "*" or (pat.isdigit() and len(pat) <= 3)):
                self.fail("a reply code (prefix) or *", repr(pat))
            return self.expect(pat, text.strip() or None)
        word, _, arg = line.partition(" ")
        arg = arg.strip()
        if word == "close":
            self.need_conn().close()
            self.conn = None
        elif word == "expect-close":
            self.expect_close()
        elif word == "sleep":
            time.sleep(float(arg))
        elif word == "quiet":
            self.quiet(float(arg))
        elif word == "timeout":
            self.timeout = float(arg)
            if self.conn:
                self.conn.timeout = self.timeout
        elif word == "data-file":
            self.need_conn().send(data_payload(self.path(arg)))
        elif word == "tls":
            self.do_tls(arg.split())
        elif word == "connect":
            self.connect()
        else:
            self.fail("a script command", repr(line))
        return None

    def do_tls(self, args):
        cafile = self.path(args[0]) if args else None
        name = args[1] if len(args) > 1 else None
        try:
            self.need_conn().starttls(cafile, name)
        except (ssl.SSLError, ssl.CertificateError, OSError,
                ValueError) as e:
            self.fail("a TLS handshake", "%s: %s" % (type(e).__name__, e))

    def connect(self):
        if self.conn is not None:
            self.conn.close()
        try:
            self.conn = Conn(self.host, self.port, self.timeout,
                             self.verbose)
        except OSError as e:
            self.fail("a connection to %s %s" % (self.host, self.port),
                      str(e))

    def run(self, script_text):
        try:
            self.connect()
            for n, raw in enumerate(script_text.splitlines(), 1):
                line = raw.rstrip("\r\n")
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                self.where = (n, line)
                try:
                    self.step(line)
                except (ValueError, TypeError) as e:
                    self.fail("a well-formed script line", str(e))
        finally:
            if self.conn is not None:
                self.conn.close()
        return self.replies


def chat(host, port, script_text, timeout=DEFAULT_TIMEOUT, verbose=False,
         base_dir="."):
    """Run script_text against host:port (port "unix": host is a socket
    path).  Returns the list of Reply objects read; raises ChatError on the
    first expectation that does not hold."""
    r = Runner(host, port, timeout, verbose, base_dir)
    return r.run(script_text)


USAGE = ("usage: smtpchat.py [-v] [-t SECONDS] HOST PORT SCRIPT\n"
         "       (PORT 'unix': HOST is a socket path; SCRIPT '-': stdin)")


def main(argv):
    verbose, timeout = False, DEFAULT_TIMEOUT
    while argv and argv[0].startswith("-") and argv[0] != "-":
        opt = argv.pop(0)
        if opt == "-v":
            verbose = True
        elif opt == "-t" and argv:
            timeout = float(argv.pop(0))
        else:
            print(USAGE, file=sys.stderr)
            return 2
    if len(argv) != 3:
        print(USAGE, file=sys.stderr)
        return 2
    host, port, script = argv
    if script == "-":
        text, base, name = sys.stdin.read(), ".", "<stdin>"
    else:
        with open(script, encoding="utf-8") as f:
            text = f.read()
        base, name = os.path.dirname(os.path.abspath(script)), script
    try:
        chat(host, port, text, timeout, verbose, base)
    except ChatError as e:
        print("smtpchat: %s:%s" % (name, e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
