#!/usr/bin/env python3
"""The web app in a real browser (headless Chromium), for CI.

Starts `coopetition serve` in a temporary directory, loads the what-if page, changes a
parameter in the form, presses Run, reads the outcome counts from the page and checks them
against `coopetition run` with the same scenario, change, runs and seed; fails on any
browser console error or script exception; saves a screenshot.

Chromium is driven over the DevTools protocol on a pipe (--remote-debugging-pipe: JSON
messages separated by NUL bytes on file descriptors 3 and 4), so nothing beyond the
Python standard library and Debian's `chromium` is needed.

Usage: browser-check.py BINARY SCREENSHOT.png
"""
import base64
import collections
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

SCENARIO, PARAM, VALUE, RUNS, SEED = "baseline", "regulation.stringency", "2", 200, 7
TIMEOUT = 120


def fail(msg):
    print(f"browser check FAILED: {msg}", file=sys.stderr)
    sys.exit(1)


class Browser:
    def __init__(self, profile):
        exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
        if not exe:
            fail("no chromium on PATH (Debian: apt-get install chromium)")
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()
        # The child reads commands on fd 3 and writes answers on fd 4.
        def fds():
            os.dup2(to_child_r, 3)
            os.dup2(from_child_w, 4)
        self.proc = subprocess.Popen(
            [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
             f"--user-data-dir={profile}", "--remote-debugging-pipe", "--window-size=1400,1000",
             "about:blank"],
            # preexec_fn runs before the child closes descriptors: keep the two it made.
            preexec_fn=fds, pass_fds=(3, 4),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child_r)
        os.close(from_child_w)
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def send(self, method, params=None, session=True):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self.to_child, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            m = self.read()
            if m.get("id") == self.next_id:
                if "error" in m:
                    fail(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)
        fail(f"{method}: no answer in {TIMEOUT} s")

    def read(self):
        while b"\0" not in self.buf:
            chunk = os.read(self.from_child, 1 << 20)
            if not chunk:
                fail("chromium exited")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\0", 1)
        return json.loads(line)

    def eval(self, expr):
        r = self.send("Runtime.evaluate", {"expression": expr, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in r:
            fail(f"evaluating {expr!r}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def wait_for(self, expr, what):
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            if self.eval(expr):
                return
            time.sleep(0.2)
        fail(f"timed out waiting for {what}")

    def close(self):
        self.proc.kill()
        self.proc.wait()


def console_errors(events):
    errors = []
    for e in events:
        m, p = e.get("method"), e.get("params", {})
        if m == "Runtime.exceptionThrown":
            errors.append(json.dumps(p.get("exceptionDetails", {}))[:300])
        elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
        elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            errors.append(p["entry"].get("text", "") + " " + p["entry"].get("url", ""))
    return errors


def main():
    if len(sys.argv) != 3:
        fail(__doc__)
    binary, shot = os.path.abspath(sys.argv[1]), sys.argv[2]
    work = tempfile.mkdtemp(prefix="coopetition-browser-")
    server = subprocess.Popen([binary, "serve", "--port", "0"], cwd=work, stdout=subprocess.PIPE, text=True)
    browser = None
    try:
        first = server.stdout.readline()
        m = re.search(r"http://[0-9.]+:\d+/", first)
        if not m:
            fail(f"no address in the server's first line: {first!r}")
        url = m.group(0)
        print(f"server: {first.strip()}")

        started = time.time()
        browser = Browser(os.path.join(work, "profile"))
        target = browser.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        browser.session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True},
                                       session=False)["sessionId"]
        for domain in ("Runtime", "Log", "Page"):
            browser.send(f"{domain}.enable")
        browser.send("Emulation.setDeviceMetricsOverride",
                     {"width": 1400, "height": 1000, "deviceScaleFactor": 1, "mobile": False})
        browser.send("Page.navigate", {"url": url})
        browser.wait_for(f"!!document.querySelector('#params [data-path=\"{PARAM}\"]')", "the parameter form")

        # As a user would: type into the form, then press Run.
        browser.eval(f"""(() => {{
            const set = (el, v) => {{ el.value = v; el.dispatchEvent(new Event('input', {{bubbles: true}})); }};
            set(document.getElementById('runs'), '{RUNS}');
            set(document.getElementById('seed'), '{SEED}');
            set(document.querySelector('#params [data-path="{PARAM}"]'), '{VALUE}');
            document.getElementById('run').click();
        }})()""")
        browser.wait_for("['done', 'error'].includes(document.getElementById('status').dataset.state)", "the result")
        state = browser.eval("document.getElementById('status').dataset.state")
        if state != "done":
            fail("the page shows an error: " + browser.eval("document.getElementById('status').textContent"))
        seconds = browser.eval("document.getElementById('status').dataset.seconds")
        counts = browser.eval("""Object.fromEntries([...document.querySelectorAll('#outcomes tbody tr')]
            .map(r => [r.dataset.outcome, Number(r.dataset.count)]))""")
        search = browser.eval("location.search")
        if f"set.{PARAM}={VALUE}" not in search:
            fail(f"the URL does not hold the change: {search}")
        png = browser.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": False})["data"]
        os.makedirs(os.path.dirname(os.path.abspath(shot)), exist_ok=True)
        with open(shot, "wb") as f:
            f.write(base64.b64decode(png))
        page_errors = browser.eval("document.getElementById('errors').textContent")
        errors = console_errors(browser.events) + ([page_errors] if page_errors else [])
        if errors:
            fail("browser console errors:\n  " + "\n  ".join(errors))

        out = os.path.join(work, "cli")
        subprocess.run([binary, "run", SCENARIO, "--set", f"{PARAM}={VALUE}", "--runs", str(RUNS),
                        "--seed", str(SEED), "--out", out, "--quiet"], check=True)
        with open(os.path.join(out, "outcomes.csv")) as f:
            cli = collections.Counter(row["outcome"] for row in csv.DictReader(f))
        cli = {o: cli.get(o, 0) for o in ("symbiosis", "decoupling", "acquisition", "divestiture")}
        if counts != cli:
            fail(f"page counts {counts} differ from the CLI's {cli}")
        print(f"browser check passed: {counts} equal to `coopetition run`; page answered in {seconds} s "
              f"({time.time() - started:.1f} s with the browser's start); screenshot {shot}")
    finally:
        if browser:
            browser.close()
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
