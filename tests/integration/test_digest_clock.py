"""The digest scheduler of the real daemon under a clock the test sets:
majlisd runs under libfaketime (Debian's faketime package), started at a
chosen date with the clock running from there (FAKETIME "@date",
FAKETIME_DONT_RESET so the forked engine keeps it, the monotonic clock left
real so libevent's timers still measure real time). Weekly Monday 08:00
Africa/Casablanca across Morocco's Ramadan clock changes of 2027 (7 Feb:
UTC+1 to UTC+0; 14 Mar: back), daily 08:00 Europe/Paris across the DST
change of 28 Mar 2027, a slot missed while majlisd was down, a restart in
the scheduled minute and a kill -9 while copies go to the relay: each
checked at the relay sink (one copy per member and slot, sent at the slot,
not before) and on the digests' periods.
Run: /usr/bin/python3 tests/integration/test_digest_clock.py"""

import calendar
import email.utils
import os
import re
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BUILD, LIST_DOMAIN, Majlis, parse, run, wait_for  # noqa

FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
SLUG = "wg"
ADDR = SLUG + "@" + LIST_DOMAIN
AUTHOR = "author@example.org"
FENCE = "each@example.org"      # gets every post by itself
N = [0]


def epoch(utc):
    return calendar.timegm(time.strptime(utc, "%Y-%m-%d %H:%M:%S"))


def preload():
    """libfaketime, after the sanitizer runtime when majlisd has one (it
    must come first in the list of libraries)."""
    if not os.path.exists(FAKETIME_LIB):
        raise AssertionError("libfaketime missing: apt-get install faketime")
    libs = subprocess.run(["ldd", os.path.join(BUILD, "majlisd")],
                          capture_output=True, text=True).stdout
    asan = re.search(r"(/\S*libasan\.so\S*)", libs)
    return (asan.group(1) + " " if asan else "") + FAKETIME_LIB


def start_at(m, utc):
    """Start majlisd with its clock at utc ("YYYY-MM-DD hh:mm:ss"), running
    from there at the real rate."""
    m.start(env={"LD_PRELOAD": preload(), "FAKETIME": "@" + utc,
                 "FAKETIME_DONT_RESET": "1",
                 "FAKETIME_DONT_FAKE_MONOTONIC": "1", "TZ": "UTC"})
    return m


def rw(m, sql, *args):
    con = sqlite3.connect(os.path.join(m.data, "majlis.db"), timeout=10)
    try:
        con.execute(sql, args)
        con.commit()
    finally:
        con.close()


def site(name, tz, members, created):
    """A group wg (schedule in zone tz) created at `created` (UTC), the
    author and the fence on each-post delivery, members as given."""
    m = Majlis(name)
    m.ctl("group", "add", SLUG, "--name", "Working group", "--language", "en")
    m.ctl("group", "set", SLUG, "--digest-tz", tz)
    for addr, delivery in ((AUTHOR, "each"), (FENCE, "each")) + members:
        m.ctl("member", "add", SLUG, addr, "--name", addr.split("@")[0],
              "--delivery", delivery)
    rw(m, "UPDATE groups SET created = ?", epoch(created))
    return m


def post(m, subject):
    """A post by the author; returns once the fence has its copy (so the
    engine's loop has passed its start-up digest check)."""
    N[0] += 1
    msgid = "clock-%d-%d@example.org" % (os.getpid(), N[0])
    raw = ("From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s>\r\n"
           "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
           "\r\n%s body.\r\n" % (AUTHOR, ADDR, subject, msgid, subject)
           ).encode()
    m.send(raw, AUTHOR, [ADDR])
    wait_for(lambda: any(subject == str(parse(r)["Subject"]).split("] ")[-1]
                         for e, r in m.sink.to(FENCE)), "copy of " + subject)
    return msgid


def digests(m, rcpt):
    return [parse(raw) for env, raw in m.sink.to(rcpt)
            if str(parse(raw)["Message-ID"]).startswith("<digest.")]


def sent_at(msg):
    return email.utils.parsedate_to_datetime(str(msg["Date"])).timestamp()


def expect_digest(m, rcpt, count, slot, subjects, timeout=90, window=60):
    """The count-th digest of rcpt arrives, written at or after slot (UTC)
    and within window seconds of it, with exactly these posts."""
    wait_for(lambda: len(digests(m, rcpt)) >= count,
             "digest %d of %s (slot %s)" % (count, rcpt, slot), timeout)
    d = digests(m, rcpt)[count - 1]
    at = sent_at(d)
    assert epoch(slot) <= at < epoch(slot) + window, \
        "digest for slot %s dated %s" % (slot, d["Date"])
    text = d.get_body(("plain",)).get_content()
    for s in subjects:
        assert s in text, (s, text[:2000])
    n = re.search(r" (\d+) posts? ", str(d["Subject"]))
    assert n and int(n.group(1)) == len(subjects), d["Subject"]
    return d


def periods(m, kind):
    return [r[0] for r in m.db("SELECT period_end FROM digests WHERE"
                               " group_id = 1 AND kind = ? AND EXISTS"
                               " (SELECT 1 FROM digest_copies c WHERE"
                               " c.digest_id = digests.id AND c.outbox_id"
                               " > 0) ORDER BY id", kind)]


def quiet(m, rcpts, counts):
    """After a fence post (the loop has served the start-up check and the
    copy), nothing more came to rcpts."""
    time.sleep(1.5)
    for r, n in zip(rcpts, counts):
        assert len(digests(m, r)) == n, (r, len(digests(m, r)), n)


def through_slots(m, rcpt, start, subject, steps):
    """majlisd started at start (UTC) and subject posted; then for each
    step (start, slot, next subject): stopped, started again at start, the
    next digest of rcpt goes at slot with exactly the post before it, and
    the next subject is posted. Ends running, with nothing more sent to
    rcpt after the last post."""
    start_at(m, start)
    post(m, subject)
    for n, (start, slot, following) in enumerate(steps, 1):
        m.stop()
        start_at(m, start)
        expect_digest(m, rcpt, n, slot, [subject])
        post(m, following)
        subject = following
    quiet(m, (rcpt,), (len(steps),))


def test_weekly_casablanca_ramadan():
    """Monday 08:00 in Casablanca is 07:00 UTC before and after Ramadan
    and 08:00 UTC during it: each digest goes at its own slot, once."""
    w = "weekly@example.org"
    m = site("clock-rabat", "Africa/Casablanca", ((w, "weekly"),),
             "2027-01-26 12:00:00")
    try:
        through_slots(m, w, "2027-01-28 12:00:00", "Topic one", [
            # Mon 1 Feb, 08:00 +01 = 07:00 UTC
            ("2027-02-01 06:59:52", "2027-02-01 07:00:00", "Topic two"),
            # Mon 8 Feb, Ramadan: 08:00 +00 = 08:00 UTC (an hour early
            # would have been sent at once, at 07:59:52)
            ("2027-02-08 07:59:52", "2027-02-08 08:00:00", "Topic three"),
            # down from 8 Feb to Wed 10 Mar: the missed slot of Mon 8 Mar
            # (08:00 UTC) is sent at start, once
            ("2027-03-10 12:00:00", "2027-03-10 12:00:00", "Topic four"),
            # Mon 15 Mar, after Ramadan: 08:00 +01 = 07:00 UTC again
            ("2027-03-15 06:59:52", "2027-03-15 07:00:00", "Topic five"),
        ])
        assert periods(m, "weekly") == [
            epoch("2027-02-01 07:00:00"), epoch("2027-02-08 08:00:00"),
            epoch("2027-03-08 08:00:00"), epoch("2027-03-15 07:00:00")], \
            periods(m, "weekly")
    finally:
        m.close()


def test_daily_paris_dst():
    """Daily 08:00 in Paris: 07:00 UTC on Saturday 27 Mar 2027 (CET),
    06:00 UTC on Sunday 28 and Monday 29 (CEST)."""
    d = "daily@example.org"
    m = site("clock-paris", "Europe/Paris", ((d, "daily"),),
             "2027-03-25 12:00:00")
    try:
        through_slots(m, d, "2027-03-26 12:00:00", "Topic friday", [
            ("2027-03-27 06:59:52", "2027-03-27 07:00:00", "Topic saturday"),
            # the night of the change: 08:00 CEST is 06:00 UTC
            ("2027-03-28 05:59:52", "2027-03-28 06:00:00", "Topic sunday"),
            ("2027-03-29 05:59:52", "2027-03-29 06:00:00", "Topic monday"),
        ])
        assert periods(m, "daily") == [
            epoch("2027-03-27 07:00:00"), epoch("2027-03-28 06:00:00"),
            epoch("2027-03-29 06:00:00")], periods(m, "daily")
    finally:
        m.close()


def test_restart_in_scheduled_minute():
    """Stopped right after the 08:00 digest went out and started again
    within the same minute: no second digest, the next one a week on."""
    w = "weekly@example.org"
    m = site("clock-minute", "Africa/Casablanca", ((w, "weekly"),),
             "2027-02-02 12:00:00")
    try:
        start_at(m, "2027-02-04 12:00:00")
        post(m, "Topic one")
        m.stop()
        start_at(m, "2027-02-08 07:59:55")
        expect_digest(m, w, 1, "2027-02-08 08:00:00", ["Topic one"])
        m.stop()
        start_at(m, "2027-02-08 08:00:20")
        post(m, "Topic two")
        quiet(m, (w,), (1,))
        m.stop()
        # killed in the minute too: still one
        start_at(m, "2027-02-08 08:00:40")
        post(m, "Topic three")
        m.kill9()
        start_at(m, "2027-02-08 08:00:50")
        post(m, "Topic four")
        quiet(m, (w,), (1,))
        m.stop()
        start_at(m, "2027-02-15 07:59:55")
        expect_digest(m, w, 2, "2027-02-15 08:00:00",
                      ["Topic two", "Topic three", "Topic four"])
        assert periods(m, "weekly") == [epoch("2027-02-08 08:00:00"),
                                        epoch("2027-02-15 08:00:00")]
    finally:
        m.close()


def members_copies(m):
    """Copies at the sink for the members w000@ to w149@."""
    return len([1 for e, r in m.sink.messages()
                if e["rcpt"].startswith("w")])


def test_kill9_while_sending():
    """kill -9 while the copies of a digest go to the relay: after the
    restart every member has exactly one copy at the sink, but for the
    copies in flight at the kill (at most one per relay connection)."""
    members = tuple(("w%03d@example.org" % i, "weekly") for i in range(150))
    m = site("clock-kill", "Africa/Casablanca", members, "2027-02-02 12:00:00")
    try:
        start_at(m, "2027-02-04 12:00:00")
        post(m, "Topic one")
        post(m, "Topic two")
        m.stop()
        m.sink.set_faults([{"stage": "data", "delay": 0.05}])
        start_at(m, "2027-02-08 07:59:58")
        wait_for(lambda: members_copies(m) >= 20, "copies at the relay",
                 timeout=90)
        m.kill9()
        before = members_copies(m)
        assert before < len(members), "killed after the end: %d" % before
        m.sink.set_faults([])
        start_at(m, "2027-02-08 08:01:00")
        addrs = [a for a, _ in members]

        def all_there():
            got = set(e["rcpt"] for e, r in m.sink.messages())
            return all(a in got for a in addrs)
        wait_for(all_there, "a copy for every member", timeout=120)
        wait_for(lambda: m.db("SELECT count(*) FROM outbox WHERE state ="
                              " 'queued'")[0][0] == 0, "queue drained")
        counts = {}
        for e, raw in m.sink.messages():
            if e["rcpt"] in addrs:
                assert str(parse(raw)["Message-ID"]).startswith("<digest.")
                counts[e["rcpt"]] = counts.get(e["rcpt"], 0) + 1
        twice = [a for a, n in counts.items() if n > 1]
        assert all(n <= 2 for n in counts.values()), counts
        assert len(twice) <= 4, twice     # relay_connections
        for a in addrs[:5]:
            expect_digest(m, a, 1, "2027-02-08 08:00:00",
                          ["Topic one", "Topic two"], window=120)
        assert periods(m, "weekly") == [epoch("2027-02-08 08:00:00")]
    finally:
        m.close()


if __name__ == "__main__":
    run([test_weekly_casablanca_ramadan,
         test_daily_paris_dst,
         test_restart_in_scheduled_minute,
         test_kill9_while_sending])
