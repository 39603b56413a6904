"""A small scripted IMAP server for fault tests of majlis's fetcher.

    fake_imap.py --dir DIR [--port 0]

Prints "READY PORT". The mailbox is DIR/msgs/*.eml (UID = the number in the
file name, e.g. 1.eml); flags are kept in DIR/flags.json ({"1": ["\\\\Seen"]}).
Every connection reads DIR/mode (one word, default "normal") and appends
what it does to DIR/log:
  normal        LOGIN, SELECT (no IDLE), UID SEARCH/FETCH/STORE, NOOP
  huge-literal  the body FETCH announces a 2 GB literal, then sends 1 KB and
                waits
  mid-literal   the body FETCH sends half of its literal, then closes
  endless       UID SEARCH answers with untagged data that never ends
  stall-store   UID STORE is never answered
  bad-login     LOGIN fails
Plain text only (no TLS): loopback tests."""

import argparse
import json
import os
import re
import socket
import sys
import threading
import time

UIDVALIDITY = 4242


class Server:
    def __init__(self, root):
        self.root = root
        os.makedirs(os.path.join(root, "msgs"), exist_ok=True)
        self.lock = threading.Lock()

    def log(self, text):
        with self.lock, open(os.path.join(self.root, "log"), "a") as f:
            f.write(text + "\n")

    def mode(self):
        try:
            with open(os.path.join(self.root, "mode")) as f:
                return f.read().strip() or "normal"
        except OSError:
            return "normal"

    def uidvalidity(self):
        try:
            with open(os.path.join(self.root, "uidvalidity")) as f:
                return int(f.read().strip())
        except OSError:
            return UIDVALIDITY

    def messages(self):
        d = os.path.join(self.root, "msgs")
        out = {}
        for n in os.listdir(d):
            m = re.match(r"^(\d+)\.eml$", n)
            if m:
                with open(os.path.join(d, n), "rb") as f:
                    out[int(m.group(1))] = f.read()
        return out

    def flags(self):
        try:
            with open(os.path.join(self.root, "flags.json")) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def set_flag(self, uid, flag):
        with self.lock:
            fl = self.flags()
            fl.setdefault(str(uid), [])
            if flag not in fl[str(uid)]:
                fl[str(uid)].append(flag)
            tmp = os.path.join(self.root, "flags.json.tmp")
            with open(tmp, "w") as f:
                json.dump(fl, f)
            os.rename(tmp, os.path.join(self.root, "flags.json"))


class Session:
    def __init__(self, srv, conn):
        self.srv = srv
        self.c = conn
        self.f = conn.makefile("rb")
        self.mode = srv.mode()

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.c.sendall(data)

    def run(self):
        self.srv.log("connect mode=%s" % self.mode)
        self.send("* OK fake IMAP ready\r\n")
        while True:
            line = self.f.readline()
            if not line:
                return
            line = line.decode(errors="replace").rstrip("\r\n")
            self.srv.log("C: " + line)
            parts = line.split(" ", 2)
            if len(parts) < 2:
                continue
            tag, cmd = parts[0], parts[1].upper()
            rest = parts[2] if len(parts) > 2 else ""
            if cmd == "UID":
                sub = rest.split(" ", 1)
                cmd = "UID " + sub[0].upper()
                rest = sub[1] if len(sub) > 1 else ""
            if not self.command(tag, cmd, rest):
                return

    def command(self, tag, cmd, rest):
        if cmd == "CAPABILITY":
            self.send("* CAPABILITY IMAP4rev1 UIDPLUS\r\n%s OK done\r\n" % tag)
        elif cmd == "LOGIN":
            if self.mode == "bad-login":
                self.send("%s NO [AUTHENTICATIONFAILED] bad\r\n" % tag)
            else:
                self.send("%s OK logged in\r\n" % tag)
        elif cmd in ("SELECT", "EXAMINE"):
            msgs = self.srv.messages()
            self.send("* FLAGS (\\Seen \\Deleted)\r\n* %d EXISTS\r\n"
                      "* 0 RECENT\r\n* OK [UIDVALIDITY %d] ok\r\n"
                      "* OK [UIDNEXT %d] ok\r\n%s OK [READ-WRITE] done\r\n"
                      % (len(msgs), self.srv.uidvalidity(),
                         max(msgs, default=0) + 1, tag))
        elif cmd == "UID SEARCH":
            return self.search(tag, rest)
        elif cmd == "UID FETCH":
            return self.fetch(tag, rest)
        elif cmd == "UID STORE":
            if self.mode == "stall-store":
                self.srv.log("stalled store")
                time.sleep(3600)
                return False
            uid = int(rest.split(" ", 1)[0])
            for fl in ("\\Seen", "\\Deleted"):
                if fl.lower() in rest.lower():
                    self.srv.set_flag(uid, fl)
            self.send("%s OK stored\r\n" % tag)
        elif cmd == "LOGOUT":
            self.send("* BYE\r\n%s OK bye\r\n" % tag)
            return False
        else:
            self.send("%s OK done\r\n" % tag)
        return True

    def search(self, tag, rest):
        if self.mode == "endless":
            self.srv.log("endless")
            try:
                while True:
                    self.send("* OK noise noise noise noise noise\r\n" * 100)
            except OSError:
                return False
        msgs = self.srv.messages()
        fl = self.srv.flags()
        uids = sorted(u for u in msgs
                      if not ("UNSEEN" in rest.upper() and
                              "\\Seen" in fl.get(str(u), [])))
        self.send("* SEARCH %s\r\n%s OK done\r\n"
                  % (" ".join(map(str, uids)), tag))
        return True

    def fetch(self, tag, rest):
        uid = int(rest.split(" ", 1)[0])
        msgs = self.srv.messages()
        if uid not in msgs:
            self.send("%s OK done\r\n" % tag)
            return True
        body = msgs[uid]
        seq = sorted(msgs).index(uid) + 1
        if "BODY" not in rest.upper():
            self.send("* %d FETCH (UID %d RFC822.SIZE %d)\r\n%s OK done\r\n"
                      % (seq, uid, len(body), tag))
            return True
        if self.mode == "huge-literal":
            self.srv.log("huge literal")
            self.send("* %d FETCH (UID %d BODY[] {2000000000}\r\n" % (seq, uid))
            self.send(b"x" * 1024)
            time.sleep(3600)
            return False
        if self.mode == "mid-literal":
            self.srv.log("mid literal")
            self.send("* %d FETCH (UID %d BODY[] {%d}\r\n" % (seq, uid,
                                                              len(body)))
            self.send(body[:len(body) // 2])
            return False
        self.send(b"* %d FETCH (UID %d BODY[] {%d}\r\n" % (seq, uid, len(body))
                  + body + b")\r\n" + b"%s OK done\r\n" % tag.encode())
        return True


def serve(srv, conn):
    try:
        Session(srv, conn).run()
    except OSError:
        pass
    finally:
        srv.log("disconnect")
        conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port", type=int, default=0)
    a = ap.parse_args()
    srv = Server(a.dir)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", a.port))
    ls.listen(16)
    print("READY %d" % ls.getsockname()[1], flush=True)
    while True:
        conn, _ = ls.accept()
        threading.Thread(target=serve, args=(srv, conn), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
