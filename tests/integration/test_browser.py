"""Browser layer: Debian's chromium driven by npm playwright-core
(tests/browser/pages.mjs) on the real daemon, in French and Arabic.
Fails when node, npm or chromium is missing: no silent skip.
Screenshots go to tests/artefacts/. Run: /usr/bin/python3 tests/integration/test_browser.py"""

import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import SRCDIR, run  # noqa: E402
from test_web import corpus_site, thread_of  # noqa: E402

BROWSER = os.path.join(SRCDIR, "tests", "browser")
ARTEFACTS = os.path.join(SRCDIR, "tests", "artefacts")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def ensure_playwright():
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            raise AssertionError(tool + " is missing (contrib/install-deps)")
    if not os.access(CHROMIUM, os.X_OK):
        raise AssertionError(CHROMIUM + " is missing (contrib/install-deps)")
    if not os.path.isdir(os.path.join(BROWSER, "node_modules",
                                      "playwright-core")):
        r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund",
                            "--silent"], cwd=BROWSER, capture_output=True,
                           text=True, timeout=600)
        if r.returncode != 0:
            raise AssertionError("npm ci failed: " + r.stderr[-2000:])


def test_browser_fr_ar():
    ensure_playwright()
    os.makedirs(ARTEFACTS, exist_ok=True)
    m = corpus_site("browser")
    try:
        fr = thread_of(m, "20261112091403.4711@mail.example.fr")
        ar = thread_of(m, "CAB1234-ar-001@mail.example.ma")
        paths = ["/", "/g/cloud-souverain", "/g/cloud-souverain/t/%d" % fr,
                 "/g/souverainete/t/%d" % ar]
        r = subprocess.run(["node", os.path.join(BROWSER, "pages.mjs"),
                            "http://127.0.0.1:%d" % m.http_port, ARTEFACTS]
                           + paths, capture_output=True, text=True,
                           timeout=300, env=dict(os.environ, CHROMIUM=CHROMIUM))
        print(r.stdout[-6000:])
        if r.returncode != 0:
            raise AssertionError("browser checks failed:\n" +
                                 "\n".join(l for l in r.stdout.splitlines()
                                           if l.startswith("not ok")) +
                                 r.stderr[-3000:])
    finally:
        m.close()


if __name__ == "__main__":
    run([test_browser_fr_ar])
