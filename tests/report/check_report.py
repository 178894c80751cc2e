#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Renders one xpusim HTML report in headless Chromium and checks it (CTest, tests/report/).

  check_report.py --xpusim BIN --chromium BIN --out DIR --name NAME [--window W,H]
                  [--fresh FILE]... [--setup ARGS]... -- XPUSIM_ARGS...

1. runs `xpusim XPUSIM_ARGS --html DIR/NAME.html` (after removing each --fresh FILE and running
   each --setup `xpusim ARGS`), exit 0;
2. the file loads nothing: no src/href/url() to another place (http, https, //, file), no
   <script src>, no <link>, no <iframe>/<img>/<object>;
3. Chromium renders it with name resolution disabled (a fetch would fail and be logged), dumps
   the DOM after the charts have drawn and saves DIR/NAME.png;
4. every chart container holds a non-empty <svg> (at least one mark with a drawn shape), <body>
   says every chart rendered, and <pre id="errors"> -- where the page records window errors,
   rejected promises, failed embeds, console errors and Vega warnings -- is empty.
Exit 0 when all hold; otherwise 1 with what failed. Standard library only.
"""
import argparse
import html.parser
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

EXTERNAL = re.compile(r"^\s*(https?:|//|file:|ftp:)", re.I)


class StaticScan(html.parser.HTMLParser):
    """Attributes that would load something, and the chart containers of the file as written."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.charts = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and "src" in a:
            self.problems.append(f"<script src={a['src']!r}>: scripts must be inline")
        if tag in ("link", "iframe", "img", "object", "embed", "frame", "base"):
            self.problems.append(f"<{tag}> element: the page must not load resources")
        for name in ("src", "href", "data", "poster", "srcset", "action"):
            if name in a and a[name] and EXTERNAL.match(a[name]):
                self.problems.append(f"<{tag} {name}={a[name]!r}> loads from elsewhere")
        style = a.get("style") or ""
        if re.search(r"url\(\s*['\"]?\s*(https?:|//|file:)", style, re.I):
            self.problems.append(f"<{tag} style> loads {style!r}")
        if tag == "div" and "chart" in (a.get("class") or "").split():
            self.charts.append(a.get("id"))


class DomScan(html.parser.HTMLParser):
    """In the rendered DOM: per chart container, its SVGs and drawn marks; the error text."""

    SHAPES = {"path", "rect", "circle", "line", "text", "polygon", "polyline", "ellipse"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []          # (tag, chart id or None, in mark group)
        self.svg = {}            # chart id -> svg elements
        self.shapes = {}         # chart id -> drawn shapes inside a Vega mark group
        self.errors = None
        self.in_errors = False
        self.body = {}

    def current_chart(self):
        for _, chart, _ in reversed(self.stack):
            if chart:
                return chart
        return None

    def in_mark(self):
        return any(m for _, _, m in self.stack)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body":
            self.body = a
        chart = a.get("id") if tag == "div" and "chart" in (a.get("class") or "").split() else None
        cls = a.get("class") or ""
        mark = tag == "g" and "mark-" in cls and "role-axis" not in cls and "role-legend" not in cls
        c = chart or self.current_chart()
        if c and tag == "svg":
            self.svg[c] = self.svg.get(c, 0) + 1
        if c and tag in self.SHAPES and self.in_mark():
            self.shapes[c] = self.shapes.get(c, 0) + 1
        if tag == "pre" and a.get("id") == "errors":
            self.in_errors = True
            self.errors = ""
        if tag not in ("br", "img", "meta", "link", "input", "hr", "col", "source", "wbr"):
            self.stack.append((tag, chart, mark))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if self.stack and self.stack[-1][0] == tag:
            self.stack.pop()
        if tag == "pre":
            self.in_errors = False

    def handle_endtag(self, tag):
        while self.stack:
            t, _, _ = self.stack.pop()
            if t == tag:
                break
        if tag == "pre":
            self.in_errors = False

    def handle_data(self, data):
        if self.in_errors:
            self.errors += data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xpusim", required=True)
    ap.add_argument("--chromium", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--window", default="1280,2400")
    ap.add_argument("--setup", action="append", default=[])
    ap.add_argument("--fresh", action="append", default=[], help="a file the setup creates: removed first")
    ap.add_argument("args", nargs=argparse.REMAINDER)
    o = ap.parse_args()
    args = o.args[1:] if o.args and o.args[0] == "--" else o.args
    os.makedirs(o.out, exist_ok=True)
    page = os.path.abspath(os.path.join(o.out, o.name + ".html"))
    shot = os.path.abspath(os.path.join(o.out, o.name + ".png"))
    for p in (page, shot):
        if os.path.exists(p):
            os.remove(p)
    failures = []

    for f in o.fresh:
        if os.path.exists(f):
            os.remove(f)
    for setup in o.setup:
        r = subprocess.run([o.xpusim] + shlex.split(setup), capture_output=True, text=True)
        if r.returncode != 0:
            print(f"FAIL setup `xpusim {setup}` exited {r.returncode}:\n{r.stderr}")
            return 1
    t0 = time.monotonic()
    r = subprocess.run([o.xpusim] + args + ["--html", page], capture_output=True, text=True)
    if r.returncode != 0 or not os.path.exists(page):
        print(f"FAIL `xpusim {' '.join(args)} --html {page}` exited {r.returncode}:\n{r.stderr}")
        return 1
    t1 = time.monotonic()

    with open(page, encoding="utf-8") as f:
        source = f.read()
    scan = StaticScan()
    scan.feed(source)
    failures += scan.problems
    if not scan.charts:
        failures.append("the page has no chart container")

    if not shutil.which(o.chromium):
        print(f"FAIL chromium not found ({o.chromium}): install it (Debian package chromium; "
              "`make deps` does) to test the HTML reports")
        return 1
    with tempfile.TemporaryDirectory(prefix="xpusim-chromium-") as profile:
        cmd = [o.chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--no-first-run", "--no-default-browser-check", "--disable-extensions",
               "--disable-background-networking", "--disable-component-update",
               "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile}",
               "--hide-scrollbars", f"--window-size={o.window}", "--virtual-time-budget=20000",
               f"--screenshot={shot}", "--dump-dom", "file://" + page]
        b = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    t2 = time.monotonic()
    if b.returncode != 0 or "<body" not in b.stdout:
        print(f"FAIL chromium exited {b.returncode}:\n{b.stderr[-3000:]}")
        return 1
    dom = DomScan()
    dom.feed(b.stdout)
    if dom.errors is None:
        failures.append('the rendered page has no <pre id="errors">')
    elif dom.errors.strip():
        failures.append("the page recorded errors:\n  " + dom.errors.strip().replace("\n", "\n  "))
    rendered = dom.body.get("data-charts-rendered")
    if rendered != str(len(scan.charts)):
        failures.append(f"{rendered} of {len(scan.charts)} charts reported rendered "
                        "(data-charts-rendered on <body>)")
    for c in scan.charts:
        if not dom.svg.get(c):
            failures.append(f"chart {c}: no <svg> in its container")
        elif not dom.shapes.get(c):
            failures.append(f"chart {c}: its <svg> has no drawn mark")
    if not os.path.exists(shot) or os.path.getsize(shot) < 1000:
        failures.append(f"no screenshot at {shot}")

    print(f"{o.name}: {len(scan.charts)} charts, {os.path.getsize(page) / 1e6:.2f} MB; xpusim "
          f"{t1 - t0:.2f} s, chromium {t2 - t1:.2f} s; screenshot {shot}")
    for f in failures:
        print("FAIL " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
