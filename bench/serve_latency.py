"""Save-to-reloaded-page latency of `digest serve`, in headless Chromium.

    python bench/serve_latency.py [--n 2000] [--edits 5]

Builds a corpus of N articles (bench/corpus.py), starts `digest serve`, opens
an article page in Chromium (Debian's /usr/bin/chromium driven by Playwright;
never `playwright install`), then appends a new paragraph to the article's
file several times and measures the time from each save until the open page
shows the new text by itself.  Prints each latency and the median.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import write_corpus  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--edits", type=int, default=5)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        site = write_corpus(Path(tmp) / "site", args.n)
        victim = sorted((site / "content").rglob("*.md"))[args.n // 2]
        slug = re.search(r"^slug: (\S+)", victim.read_text(), re.M).group(1)
        section = victim.parent.name
        proc = subprocess.Popen(
            [sys.executable, "-m", "digest", "serve", "--port", "0"],
            cwd=site,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        url: list[str] = []
        ready = threading.Event()

        def read() -> None:
            for line in proc.stdout:  # type: ignore[union-attr]
                m = re.search(r"Serving (http://\S+)", line)
                if m and not url:
                    url.append(m.group(1))
                    ready.set()

        threading.Thread(target=read, daemon=True).start()
        t = time.monotonic()
        ready.wait(timeout=600)
        print(f"{args.n} articles: first build and start {time.monotonic() - t:.1f} s")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_page()
                page.set_default_timeout(30_000)
                page.goto(f"{url[0]}{section}/{slug}/", wait_until="load")
                latencies = []
                for i in range(args.edits):
                    page.wait_for_function(
                        "() => window.LiveReload && "
                        "window.LiveReload.connector && "
                        "window.LiveReload.connector.protocol > 0"
                    )
                    time.sleep(1.0)
                    marker = f"Benchmark edit number {i} appended here."
                    t0 = time.monotonic()
                    victim.write_text(victim.read_text() + f"\n{marker}\n")
                    page.wait_for_function(
                        f"() => document.body && document.body.innerText.includes('{marker}')"
                    )
                    latencies.append(time.monotonic() - t0)
                    print(f"edit {i}: {latencies[-1] * 1000:.0f} ms", flush=True)
                browser.close()
            print(f"median save-to-reloaded-page: {statistics.median(latencies) * 1000:.0f} ms")
        finally:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
