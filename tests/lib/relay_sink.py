#!/usr/bin/python3
"""SMTP relay sink for majlis tests: accepts mail on loopback, records every
(message, recipient) pair under DIR/msgs, and injects faults read from a JSON
file that is re-read on every transaction.  Run with /usr/bin/python3 (needs
Debian's python3-aiosmtpd).  See tests/lib/README.md for the interface."""

import argparse
import asyncio
import json
import logging
import os
import re
import signal
import ssl
import sys
import time
import warnings

from aiosmtpd.smtp import SMTP, AuthResult

DEFAULT_MAX_SIZE = 64 * 1024 * 1024


def write_atomic(path, data):
    """Write bytes to path through a temporary file and a rename."""
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


class Faults:
    """The fault rules, re-read from FILE at each use; counters survive
    re-reads and are keyed by the rule's canonical JSON text."""

    def __init__(self, path):
        self.path = path
        self.rules = []
        self.used = {}

    def load(self):
        if not self.path:
            return []
        try:
            with open(self.path, "rb") as f:
                rules = json.loads(f.read() or b"[]")
            if isinstance(rules, dict):
                rules = [rules]
            if not isinstance(rules, list):
                raise ValueError("faults file must hold a JSON list")
        except FileNotFoundError:
            rules = []
        except (OSError, ValueError) as e:
            print("relay_sink: bad faults file %s: %s (keeping previous rules)"
                  % (self.path, e), file=sys.stderr, flush=True)
            return self.rules
        self.rules = rules
        return rules

    def _available(self, rule):
        count = rule.get("count")
        if count is None:
            return True
        return self.used.get(self._key(rule), 0) < int(count)

    def _consume(self, rule):
        k = self._key(rule)
        self.used[k] = self.used.get(k, 0) + 1

    @staticmethod
    def _key(rule):
        return json.dumps(rule, sort_keys=True)

    def take(self, pred):
        """Return the first rule satisfying pred that still has uses left,
        consuming one use; None if none applies."""
        for rule in self.load():
            if isinstance(rule, dict) and pred(rule) and self._available(rule):
                self._consume(rule)
                return rule
        return None

    def down(self):
        return self.take(lambda r: bool(r.get("down"))) is not None

    def stage_rule(self, stage, mail_from, rcpts):
        """First rule for stage ("mail", "rcpt" or "data") whose "from" regex
        matches mail_from and whose "rcpt" regex matches one of rcpts."""
        def pred(r):
            if r.get("stage", "rcpt") != stage or "down" in r \
                    or "drop_after_data" in r:
                return False
            if "from" in r and not re.search(r["from"], mail_from or ""):
                return False
            if "rcpt" in r:
                return any(re.search(r["rcpt"], a) for a in rcpts)
            return True
        return self.take(pred)

    def drop(self, rcpts):
        def pred(r):
            pat = r.get("drop_after_data")
            return isinstance(pat, str) and \
                any(re.search(pat, a) for a in rcpts)
        return self.take(pred) is not None


class Recorder:
    """Writes DIR/msgs/NNNNNN.{eml,json} and DIR/stats.json."""

    def __init__(self, topdir):
        self.dir = topdir
        self.msgdir = os.path.join(topdir, "msgs")
        os.makedirs(self.msgdir, exist_ok=True)
        self.seq = 0
        self.txn = 0
        self.stats = {"accepted": 0, "rejected": 0, "messages": 0,
                      "dropped": 0, "connections": 0, "refused": 0}
        self.save_stats()

    def save_stats(self):
        write_atomic(os.path.join(self.dir, "stats.json"),
                     json.dumps(self.stats, sort_keys=True).encode() + b"\n")

    def count(self, what, n=1):
        self.stats[what] += n
        self.save_stats()

    def record(self, content, meta, rcpts):
        self.txn += 1
        for rcpt in rcpts:
            self.seq += 1
            base = os.path.join(self.msgdir, "%06d" % self.seq)
            m = dict(meta, rcpt=rcpt, txn=self.txn, rcpts=list(rcpts))
            write_atomic(base + ".eml", content)
            write_atomic(base + ".json",
                         json.dumps(m, sort_keys=True).encode() + b"\n")
        self.stats["accepted"] += len(rcpts)
        self.stats["messages"] += 1
        self.save_stats()


def reply(rule, default_code):
    code = int(rule.get("code", default_code))
    text = rule.get("text") or ("fault injected by relay_sink (%d)" % code)
    lines = text.split("\n")
    out = ["%d-%s" % (code, t) for t in lines[:-1]]
    out.append("%d %s" % (code, lines[-1]))
    return "\r\n".join(out)


class Handler:
    # No attribute of this class may start with "auth_": aiosmtpd takes
    # those for AUTH mechanisms and advertises them.
    def __init__(self, recorder, faults, offer_auth):
        self.rec = recorder
        self.faults = faults
        self.offer_auth = offer_auth

    async def handle_EHLO(self, server, session, envelope, hostname,
                          responses):
        session.host_name = hostname
        if not self.offer_auth:
            responses = [r for r in responses
                         if not r[4:].upper().startswith("AUTH")]
        # aiosmtpd reads commands one at a time, so pipelining works;
        # it just does not say so.
        responses.insert(1, "250-PIPELINING")
        return responses

    async def _fault(self, stage, envelope, rcpts):
        rule = self.faults.stage_rule(stage, envelope.mail_from, rcpts)
        if rule is None:
            return None
        if rule.get("delay"):
            await asyncio.sleep(float(rule["delay"]))
        if "code" not in rule:
            return None     # a pure delay: answer normally afterwards
        return rule

    async def handle_MAIL(self, server, session, envelope, address, options):
        envelope.mail_from = address
        rule = await self._fault("mail", envelope, [""])
        if rule is not None:
            envelope.mail_from = None
            self.rec.count("rejected")
            return reply(rule, 550)
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, options):
        rule = await self._fault("rcpt", envelope, [address])
        if rule is not None:
            code = int(rule.get("code", 550))
            if code >= 400:
                self.rec.count("rejected")
                return reply(rule, 550)
            envelope.rcpt_tos.append(address)
            return reply(rule, 250)
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        rcpts = list(envelope.rcpt_tos)
        if self.faults.drop(rcpts):
            server.drop_connection()
            self.rec.count("dropped")
            return "250 never sent"
        rule = await self._fault("data", envelope, rcpts)
        if rule is not None and int(rule.get("code", 550)) >= 400:
            self.rec.count("rejected", len(rcpts))
            return reply(rule, 550)
        auth = None
        if session.authenticated and session.auth_data is not None:
            auth = session.auth_data
        meta = {
            "mail_from": envelope.mail_from,
            "tls": server.is_tls(),
            "auth": auth,
            "time": time.time(),
            "helo": session.host_name,
            "peer": list(session.peer)[:2] if session.peer else None,
            "mail_options": list(envelope.mail_options),
            "size": len(envelope.original_content),
        }
        self.rec.record(envelope.original_content, meta, rcpts)
        if rule is not None:
            return reply(rule, 250)
        return "250 OK queued as sink-%d" % self.rec.txn


class SinkSMTP(SMTP):
    """aiosmtpd's SMTP with a refusable greeting and a silent drop."""

    def __init__(self, handler, **kw):
        super().__init__(handler, **kw)
        self._dropped = False
        self.sink = handler

    def is_tls(self):
        return self._tls_protocol is not None

    def drop_connection(self):
        self._dropped = True
        if self.transport is not None:
            self.transport.close()

    async def push(self, status):
        if self._dropped:
            return
        await super().push(status)

    async def _handle_client(self):
        self.sink.rec.count("connections")
        if self.sink.faults.down():
            self.sink.rec.count("refused")
            await self.push("421 4.3.2 relay_sink: service down (fault)")
            self.drop_connection()
            return
        await super()._handle_client()


def make_tls(cert, key):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def make_authenticator(userpass):
    user, _, password = userpass.partition(":")

    def authenticator(server, session, envelope, mechanism, auth_data):
        login = getattr(auth_data, "login", b"") or b""
        pw = getattr(auth_data, "password", b"") or b""
        ok = login == user.encode() and pw == password.encode()
        if not ok:
            return AuthResult(success=False, handled=False)
        return AuthResult(success=True,
                          auth_data=login.decode("utf-8", "replace"))
    return authenticator


def parse_args(argv):
    p = argparse.ArgumentParser(description="SMTP relay sink for tests")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--dir", required=True)
    p.add_argument("--faults")
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--require-tls", action="store_true")
    p.add_argument("--auth", metavar="USER:PASS")
    p.add_argument("--auth-cleartext", action="store_true",
                   help="allow AUTH before STARTTLS when TLS is offered")
    p.add_argument("--pidfile")
    p.add_argument("--max-size", type=int, default=DEFAULT_MAX_SIZE)
    p.add_argument("--no-smtputf8", action="store_true")
    p.add_argument("--quiet", action="store_true",
                   help="no session log in DIR/sink.log")
    a = p.parse_args(argv)
    if bool(a.tls_cert) != bool(a.tls_key):
        p.error("--tls-cert and --tls-key go together")
    if a.require_tls and not a.tls_cert:
        p.error("--require-tls needs --tls-cert/--tls-key")
    return a


def smtp_factory(a, handler, tls):
    kw = dict(data_size_limit=a.max_size or None,
              enable_SMTPUTF8=not a.no_smtputf8,
              hostname="sink.localhost", ident="relay_sink",
              tls_context=tls, require_starttls=a.require_tls,
              timeout=300)
    if a.auth:
        kw.update(auth_required=True,
                  auth_require_tls=bool(tls) and not a.auth_cleartext,
                  authenticator=make_authenticator(a.auth))
    return lambda: SinkSMTP(handler, **kw)


async def serve(a):
    os.makedirs(a.dir, exist_ok=True)
    rec = Recorder(a.dir)
    tls = make_tls(a.tls_cert, a.tls_key) if a.tls_cert else None
    handler = Handler(rec, Faults(a.faults), bool(a.auth))
    loop = asyncio.get_running_loop()
    server = await loop.create_server(smtp_factory(a, handler, tls),
                                      host=a.host, port=a.port,
                                      backlog=1024, reuse_address=True)
    port = server.sockets[0].getsockname()[1]
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    write_atomic(os.path.join(a.dir, "port"), b"%d\n" % port)
    if a.pidfile:
        write_atomic(a.pidfile, b"%d\n" % os.getpid())
    print("READY %d" % port, flush=True)
    await stop.wait()
    server.close()
    if a.pidfile:
        try:
            os.unlink(a.pidfile)
        except OSError:
            pass


def setup_logging(a):
    warnings.simplefilter("ignore")
    log = logging.getLogger("mail.log")
    if a.quiet:
        log.setLevel(logging.ERROR)
        return
    os.makedirs(a.dir, exist_ok=True)
    h = logging.FileHandler(os.path.join(a.dir, "sink.log"))
    h.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    log.addHandler(h)
    log.setLevel(logging.INFO)
    log.propagate = False


def main(argv):
    a = parse_args(argv)
    setup_logging(a)
    asyncio.run(serve(a))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
