"""Site administration beyond groups' creation (issue 4): an admin edits a
group's name, description and visibility (a group made private is gone
at once from every anonymous view, kept thread pages included),
invitations by mail from a group's members page, and the site settings
page.
Run: /usr/bin/python3 tests/integration/test_modadmin.py"""

import json
import os
import re
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import LIST_DOMAIN, parse, run, site, wait_for  # noqa: E402
from webclient import WebClient, account  # noqa: E402

GROUP = "cloud-souverain"


def mail(subject, body, msgid, group=GROUP, sender="alice@example.org"):
    return ("From: Alice <%s>\r\nTo: %s@%s\r\nSubject: %s\r\n"
            "Message-ID: <%s>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n" %
            (sender, group, LIST_DOMAIN, subject, msgid, body)).encode()


def audit(m, action):
    return m.db("SELECT actor, target, before_json, after_json FROM audit_log"
                " WHERE action = ? ORDER BY id", action)


def test_admin_edit_group():
    m = site("modadmin-edit")
    try:
        m.send(mail("Edit topic", "A word: wombatedit.", "e1@t.test"),
               "alice@example.org", ["%s@%s" % (GROUP, LIST_DOMAIN)])
        wait_for(lambda: len(m.db("SELECT id FROM posts")) == 1, "1 post")
        tid = m.db("SELECT thread_id FROM posts")[0][0]
        account(m, "root@example.org", "Root", admin=True)
        account(m, "alice@example.org", "Alice")
        account(m, "mod@example.org", "Moderator")
        admin = WebClient(m).signin("root@example.org")
        member = WebClient(m).signin("alice@example.org")
        moder = WebClient(m).signin("mod@example.org")
        anon = WebClient(m)
        urls = ["/g/%s" % GROUP, "/g/%s.json" % GROUP,
                "/g/%s/t/%d" % (GROUP, tid), "/g/%s/t/%d.json" % (GROUP, tid),
                "/g/%s/atom.xml" % GROUP, "/g/%s/t/%d.mbox" % (GROUP, tid)]
        thread = urls[2]
        # an anonymous reader's thread page is kept (read twice: the
        # second comes from the page cache)
        for _ in range(2):
            st, body = anon.get(thread)
            assert st == 200 and b"wombatedit" in body, st
        for u in urls:
            assert anon.get(u)[0] == 200, u
        path = "/admin/g/" + GROUP
        # not an admin: the page does not exist, and nothing changes
        st, _ = moder.submit(path, {"action": "edit", "name": "X",
                                    "description": "", "visibility":
                                    "private"}, page="/settings")
        assert st == 404, st
        st, page = admin.get(path)
        assert st == 200 and 'value="edit"' in page.decode()
        # bad values: each refused with 400, nothing written
        bad = [{"name": "", "description": "", "visibility": "private"},
               {"name": "n" * 201, "description": "", "visibility": "public"},
               {"name": "ok", "description": "d" * 4001,
                "visibility": "public"},
               {"name": "ok", "description": "bell\x07", "visibility":
                "public"},
               {"name": "ok", "description": "", "visibility": "secret"}]
        for f in bad:
            f["action"] = "edit"
            st, body = admin.submit(path, f)
            assert st == 400 and "Check the name" in body, (f, st)
        assert audit(m, "group.edit") == []
        # the limits themselves are accepted
        st, body = admin.submit(path, {"action": "edit", "name": "n" * 200,
                                       "description": "d" * 4000,
                                       "visibility": "public"})
        assert st == 200, (st, body[:300])
        # the real change: private
        st, body = admin.submit(path, {"action": "edit", "name":
                                       "Cloud souverain (fermé)",
                                       "description": "Réservé aux membres.\n"
                                       "Deuxième ligne.",
                                       "visibility": "private"})
        assert st == 200 and "Cloud souverain (fermé)" in body, st
        row = m.db("SELECT name, description, visibility FROM groups WHERE"
                   " slug = ?", GROUP)[0]
        assert row == ("Cloud souverain (fermé)",
                       "Réservé aux membres.\nDeuxième ligne.", "private"), row
        # every anonymous view refuses it at once, as for a missing group
        for u in urls:
            st, body = anon.get(u)
            assert (st, body) == anon.get(u.replace(GROUP, "nosuchgroup")), \
                (u, st)
        assert GROUP not in [g["slug"] for g in
                             json.loads(anon.get("/index.json")[1])["groups"]]
        # a signed-in outsider neither; a member still reads it
        account(m, "out@example.net", "Outsider")
        out = WebClient(m).signin("out@example.net")
        assert out.get(thread)[0] == 404
        st, body = member.get(thread)
        assert st == 200 and b"wombatedit" in body
        # audited with before and after
        rows = audit(m, "group.edit")
        assert len(rows) == 2, rows
        actor, target, before, after = rows[-1]
        assert actor == "root@example.org" and target == GROUP
        assert json.loads(before)["visibility"] == "public"
        assert json.loads(after) == {"name": "Cloud souverain (fermé)",
                                     "description": "Réservé aux membres.\n"
                                     "Deuxième ligne.",
                                     "visibility": "private"}
        # a replay changes nothing: 409
        st, _ = admin.submit(path, {"action": "edit", "name":
                                    "Cloud souverain (fermé)", "description":
                                    "Réservé aux membres.\nDeuxième ligne.",
                                    "visibility": "private"})
        assert st == 409 and len(audit(m, "group.edit")) == 2, st
        # public again: the anonymous reader sees it again
        st, _ = admin.submit(path, {"action": "edit", "name": "Cloud",
                                    "description": "", "visibility":
                                    "public"})
        assert st == 200
        st, body = anon.get(thread)
        assert st == 200 and b"wombatedit" in body
        st, body = anon.get(urls[0])
        assert st == 200 and "fermé".encode() not in body
    finally:
        m.close()


def write(m, sql, *args):
    con = sqlite3.connect(os.path.join(m.data, "majlis.db"), timeout=20)
    try:
        con.execute(sql, args)
        con.commit()
    finally:
        con.close()


def invites_to(m, rcpt):
    """The invitation mails rcpt got, parsed, oldest first."""
    return [parse(raw) for _, raw in m.sink.to(rcpt)
            if "Invit" in str(parse(raw)["Subject"]) or
            "دعوة" in str(parse(raw)["Subject"])]


def link(msg):
    found = re.findall(r"(http://127\.0\.0\.1:\d+)(/invite/[A-Za-z0-9_-]+)",
                       msg.get_content())
    assert len(found) == 1, msg.get_content()
    return found[0][1]


def pending(m):
    return sorted(r[0] for r in m.db("SELECT email FROM invites"))


def test_invite_by_mail():
    m = site("modadmin-invite")
    try:
        m.ctl("member", "add", GROUP, "owner@example.org", "--name", "Owner",
              "--role", "owner")
        account(m, "owner@example.org", "Owner")
        account(m, "mod@example.org", "Moderator")
        account(m, "rania@example.net", "Rania")
        write(m, "UPDATE members SET locale = 'ar' WHERE email = ?",
              "rania@example.net")
        owner = WebClient(m).signin("owner@example.org")
        moder = WebClient(m).signin("mod@example.org")
        path = "/mod/g/%s/invites" % GROUP
        # the members page links to it; a moderator (not an owner) and
        # the owner of another group's page get the 404 of a missing page
        assert path.encode() in owner.get("/mod/g/%s/members" % GROUP)[1]
        assert moder.get(path)[0] == 404
        st, _ = moder.submit(path, {"action": "invite", "addresses":
                                    "x@example.net"}, page="/settings")
        assert st == 404 and pending(m) == []
        assert owner.get("/mod/g/souverainete/invites")[0] == 404
        # refused as a whole: a bad address (named), none, too many
        st, body = owner.submit(path, {"action": "invite", "addresses":
                                       "ok@example.net, not-an-address"})
        assert st == 400 and "not-an-address" in body, st
        st, _ = owner.submit(path, {"action": "invite", "addresses": " ,\n"})
        assert st == 400
        many = " ".join("p%d@example.net" % i for i in range(51))
        st, body = owner.submit(path, {"action": "invite", "addresses": many})
        assert st == 400 and "At most 50" in body, st
        assert pending(m) == [] and audit(m, "member.invite") == []
        # three new addresses (one given twice, in two cases) and a member
        st, body = owner.submit(path, {"action": "invite", "addresses":
                                       "new1@example.net, Alice@Example.org\n"
                                       "rania@example.net;NEW1@example.net"})
        assert st == 200, (st, body[:400])
        assert "already a member" in body, body
        assert pending(m) == ["new1@example.net", "rania@example.net"]
        wait_for(lambda: invites_to(m, "new1@example.net") and
                 invites_to(m, "rania@example.net"), "two invitations")
        first = invites_to(m, "new1@example.net")[0]
        # in the group's language (French), from its owners' address;
        # Rania chose Arabic on the web
        assert first["Subject"] == "Invitation au groupe Cloud souverain"
        assert first["From"].addresses[0].addr_spec == \
            "%s-owner@%s" % (GROUP, LIST_DOMAIN)
        assert "vous invitent" in first.get_content()
        ar = invites_to(m, "rania@example.net")[0]
        assert ar["Subject"].startswith("دعوة إلى المجموعة")
        assert invites_to(m, "alice@example.org") == []
        old = link(first)
        # the link's page shows a button and changes nothing (scanners GET)
        anon = WebClient(m)
        st, body = anon.get(old)
        assert st == 200 and b'method="post"' in body, st
        assert m.db("SELECT count(*) FROM members WHERE email ="
                    " 'new1@example.net'")[0][0] == 0
        assert pending(m) == ["new1@example.net", "rania@example.net"]
        # inviting again at once (a second click) sends no second mail
        st, body = owner.submit(path, {"action": "invite", "addresses":
                                       "new1@example.net"})
        assert st == 200 and "less than a minute ago" in body, st
        # a minute later, inviting again replaces the link
        write(m, "UPDATE invites SET created = created - 60")
        st, _ = owner.submit(path, {"action": "invite", "addresses":
                                    "new1@example.net"})
        assert st == 200
        wait_for(lambda: len(invites_to(m, "new1@example.net")) == 2,
                 "the second invitation")
        new = link(invites_to(m, "new1@example.net")[1])
        assert new != old
        assert anon.request("POST", old, {})[0] == 404
        # the hash is stored, never the token
        tok = new.rsplit("/", 1)[1]
        assert m.db("SELECT count(*) FROM invites WHERE hash = ?",
                    tok)[0][0] == 0
        # accepted: a member, audited, told by the group's notice
        st, body, _ = anon.request("POST", new, {})
        assert st == 200 and b"You are now a member" in body, st
        row = m.db("SELECT ms.role, ms.delivery FROM memberships ms JOIN"
                   " members mb ON mb.id = ms.member_id JOIN groups g ON"
                   " g.id = ms.group_id WHERE mb.email = 'new1@example.net'"
                   " AND g.slug = ?", GROUP)
        assert row == [("member", "each")], row
        wait_for(lambda: any("Vous avez été ajouté" in parse(raw)
                             .get_content() for _, raw in
                             m.sink.to("new1@example.net")),
                 "the membership notice")
        # used once
        assert anon.request("POST", new, {})[0] == 404
        assert anon.get(new)[0] == 404
        assert pending(m) == ["rania@example.net"]
        # the pending list and revocation
        st, page = owner.get(path)
        assert b"rania@example.net" in page and b"new1@example.net" not in \
            page and b"owner@example.org</bdi>" in page, page
        st, _ = owner.submit(path, {"action": "revoke", "email":
                                    "rania@example.net"})
        assert st == 303, st
        assert pending(m) == []
        assert anon.get(link(ar))[0] == 404
        st, _ = owner.submit(path, {"action": "revoke", "email":
                                    "rania@example.net"})
        assert st == 409
        # an archived group takes no invitation; a pending link waits for
        # it to reopen
        account(m, "root@example.org", "Root", admin=True)
        root = WebClient(m).signin("root@example.org")
        st, _ = owner.submit(path, {"action": "invite", "addresses":
                                    "arch@example.net"})
        assert st == 200
        wait_for(lambda: invites_to(m, "arch@example.net"), "arch's mail")
        arch = link(invites_to(m, "arch@example.net")[0])
        assert root.submit("/admin/g/" + GROUP, {"action": "archive"})[0] \
            == 200
        st, body = owner.submit(path, {"action": "invite", "addresses":
                                       "more@example.net"})
        assert st == 409 and "archived" in body, st
        st, body, _ = anon.request("POST", arch, {})
        assert st == 409 and b"archived" in body, st
        assert "arch@example.net" in pending(m)
        assert root.submit("/admin/g/" + GROUP, {"action": "unarchive"})[0] \
            == 200
        assert anon.request("POST", arch, {})[0] == 200
        assert "arch@example.net" not in pending(m)
        # an expired link does nothing
        st, _ = owner.submit(path, {"action": "invite", "addresses":
                                    "late@example.net"})
        assert st == 200
        wait_for(lambda: invites_to(m, "late@example.net"), "late's mail")
        write(m, "UPDATE invites SET expires = created - 1")
        late = link(invites_to(m, "late@example.net")[0])
        assert anon.get(late)[0] == 404
        assert anon.request("POST", late, {})[0] == 404
        assert m.db("SELECT count(*) FROM members WHERE email ="
                    " 'late@example.net'")[0][0] == 0
        # the audit log: who invited whom, revoked, and who accepted
        inv = audit(m, "member.invite")
        assert [(a, t) for a, t, _, _ in inv] == [
            ("owner@example.org", "new1@example.net"),
            ("owner@example.org", "rania@example.net"),
            ("owner@example.org", "new1@example.net"),
            ("owner@example.org", "arch@example.net"),
            ("owner@example.org", "late@example.net")], inv
        assert [(a, t) for a, t, _, _ in audit(m, "member.invite-revoke")] \
            == [("owner@example.org", "rania@example.net")]
        acc = audit(m, "member.invite-accept")
        assert [(a, t) for a, t, _, _ in acc] == [
            ("new1@example.net", "new1@example.net"),
            ("arch@example.net", "arch@example.net")], acc
        # at most 50 at a time: 50 is accepted (and the expired
        # invitation is dropped)
        fifty = " ".join("p%d@example.net" % i for i in range(50))
        st, _ = owner.submit(path, {"action": "invite", "addresses": fifty})
        assert st == 200 and pending(m) == sorted(
            "p%d@example.net" % i for i in range(50)), st
    finally:
        m.close()


def test_site_settings():
    # reminders checked every 2 s (the interval in majlis.conf), so that
    # the stored setting is what decides
    m = site("modadmin-settings", conf_extra={"mod_pending_interval": "2s"})
    try:
        account(m, "root@example.org", "Root", admin=True)
        account(m, "mod@example.org", "Moderator")
        admin = WebClient(m).signin("root@example.org")
        moder = WebClient(m).signin("mod@example.org")
        anon = WebClient(m)
        path = "/admin/settings"
        assert anon.get(path)[0] == 303
        assert moder.get(path)[0] == 404
        st, _ = moder.submit(path, {"name": "X", "language": "fr",
                                    "held_reminder": "1d"}, page="/settings")
        assert st == 404 and m.db("SELECT count(*) FROM settings WHERE"
                                  " key LIKE 'site.%'")[0][0] == 0
        # the configuration's values until changed
        st, page = admin.get(path)
        assert st == 200 and b'value="Test site"' in page and \
            b'value="2"' in page and b'name="registration" value="open" ' \
            b'checked' in page, page[-1500:]
        st, _, h = anon.request("GET", "/register")
        assert st == 200
        # bad values, each refused with its message, nothing stored
        good = {"name": "Observatoire", "language": "fr",
                "held_reminder": "30d"}
        for field, value, text in [
                ("name", "", "1 to 100 bytes"),
                ("name", "n" * 101, "1 to 100 bytes"),
                ("name", "tab\there", "1 to 100 bytes"),
                ("language", "de", "en, fr or ar"),
                ("held_reminder", "0", "1 second to 30 days"),
                ("held_reminder", "31d", "1 second to 30 days"),
                ("held_reminder", "soon", "1 second to 30 days")]:
            f = dict(good)
            f[field] = value
            st, body = admin.submit(path, f)
            assert st == 400 and text in body, (field, value, st)
        assert m.db("SELECT count(*) FROM settings WHERE key LIKE"
                    " 'site.%'")[0][0] == 0
        # the limits pass; then the real settings: registration closed
        f = dict(good, name="n" * 100)
        assert admin.submit(path, f)[0] == 200
        st, body = admin.submit(path, good)
        assert st == 200, (st, body[:300])
        rows = dict(m.db("SELECT key, value FROM settings WHERE key LIKE"
                         " 'site.%'"))
        assert rows == {"site.name": "Observatoire", "site.language": "fr",
                        "site.registration": "closed",
                        "site.held_reminder": str(30 * 86400)}, rows
        assert admin.submit(path, good)[0] == 409
        acts = audit(m, "site.settings")
        assert len(acts) == 2 and acts[-1][0] == "root@example.org"
        assert json.loads(acts[-1][2])["name"] == "n" * 100
        assert json.loads(acts[-1][3]) == {
            "name": "Observatoire", "language": "fr", "registration": False,
            "held_reminder": 30 * 86400}, acts[-1]
        # in every page at once: the name, the default language for a
        # browser that asks for none of ours (one that asks keeps its own)
        st, body, _ = m.http("/")
        assert st == 200 and 'lang="fr"' in body and "Observatoire" in body \
            and "Test site" not in body
        assert b'lang="en"' in anon.get("/")[1]
        de = WebClient(m, lang="de")
        assert b'lang="fr"' in de.get("/")[1]
        # registration closed: no link, the pages say so, posting too
        home = anon.get("/")[1]
        assert b'href="/register"' not in home
        st, body = anon.get("/register")
        assert st == 403 and b"Registration closed" in body, st
        st, _, _ = anon.request("POST", "/register", {
            "name": "Eve", "email": "eve@example.net",
            "password": "correct horse battery staple"})
        assert st == 403
        assert anon.get("/register/AAAAAAAAAAAAAAAAAAAAAAAA")[0] == 403
        assert m.db("SELECT count(*) FROM account_pending")[0][0] == 0
        # held reminders: none while the interval is 30 days ...
        stranger = ("From: Stranger <stranger@example.net>\r\nTo: %s@%s\r\n"
                    "Subject: Let me in\r\nMessage-ID: <s1@t.test>\r\n"
                    "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\nHello.\r\n"
                    % (GROUP, LIST_DOMAIN)).encode()
        m.send(stranger, "stranger@example.net", ["%s@%s" % (GROUP,
                                                              LIST_DOMAIN)])
        wait_for(lambda: m.db("SELECT count(*) FROM held")[0][0] == 1,
                 "the held message")
        # ... over three of majlis.conf's intervals (the engine checks
        # every 2 s) ...
        deadline = m.db("SELECT created FROM held")[0][0] + 6
        wait_for(lambda: time.time() >= deadline, "6 s of waiting")
        assert m.db("SELECT count(*) FROM mod_pending_notices")[0][0] == 0
        # ... and one soon after it is set to 2 seconds
        st, _ = admin.submit(path, dict(good, held_reminder="2"))
        assert st == 200
        wait_for(lambda: m.db("SELECT count(*) FROM mod_pending_notices")
                 [0][0] == 1, "the reminder")
        # reopened
        st, _ = admin.submit(path, dict(good, held_reminder="2",
                                        registration="open"))
        assert st == 200 and anon.get("/register")[0] == 200
        assert b'href="/register"' in anon.get("/")[1]
    finally:
        m.close()


if __name__ == "__main__":
    run([test_admin_edit_group, test_invite_by_mail, test_site_settings])
