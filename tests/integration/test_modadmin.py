"""Site administration beyond groups' creation (issue 4): an admin edits a
group's name, description and visibility (a group made private is gone
at once from every anonymous view, kept thread pages included),
invitations by mail from a group's members page, and the site settings
page.
Run: /usr/bin/python3 tests/integration/test_modadmin.py"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import LIST_DOMAIN, run, site, wait_for  # noqa: E402
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


if __name__ == "__main__":
    run([test_admin_edit_group])
