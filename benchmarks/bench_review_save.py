"""Measure how long the review page's Save takes on the sample: the server's work for one Save.

The sample talk (``samples/ketamine-pain.mp4``) is drafted once with the installed command (its
glossary, Hugo front matter, --medical; the transcript cache is used, as an editor's machine would),
then saved ``--runs`` times with the edits a Save posts: a heading rewritten, a paragraph rewritten
(re-aligned to the recognised words), a word fixed. Each Save is what ``POST /api/save`` runs
(:func:`video2blog.pipeline.editing.store.save`: load the folder, apply the edits, render every
format, commit the files at once), timed in this process after a first Save has warmed it; and the
first Save of a freshly started ``video2blog review`` (page loaded, 3 s of reading, then Save), timed
over HTTP, which is the one an editor waits for longest. Printed: the median and the slowest Save per
kind, against the target of 1.5 s.

Usage::

    python -m benchmarks.bench_review_save [--runs 5]
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from video2blog.pipeline.editing import store
from video2blog.pipeline.editing.edits import Edit

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "ketamine-pain.mp4"
TARGET_SECONDS = 1.5
COMMAND = str(Path(sys.executable).with_name("video2blog"))
URL = re.compile(r"http://127\.0\.0\.1:(\d+)/([\w-]+)/")
READING_SECONDS = 3.0  # the editor reads the page before the first Save


def drafted(work: Path) -> Path:
    video = work / SAMPLE.name
    shutil.copy(SAMPLE, video)
    command = [
        COMMAND,
        "draft",
        str(video),
        "--out",
        str(work / "d"),
        "--glossary",
        str(SAMPLE.parent / "glossary.txt"),
        "--front-matter",
        "hugo",
        "--medical",
    ]
    subprocess.run(command, check=True, capture_output=True)
    return work / "d"


def edits_for(kind: str, folder: Path, n: int) -> list[Edit]:
    draft = store.load(folder).draft
    if kind == "heading":
        return [Edit("heading", section=1, text=f"Which pain ketamine helps ({n})")]
    if kind == "paragraph":
        text = draft.sections[2].paragraphs[0].text
        return [Edit("paragraph", section=2, paragraph=0, text=f"{text} Edit {n}.")]
    loaded = store.load(folder)
    word = next(i for i, w in enumerate(loaded.transcript.words) if w.text.strip(",.").lower() == "sprain")
    shown = loaded.shown.words[word].text.strip(",.")
    return [Edit("word", word=word, original=shown, text=f"strain{n}", everywhere=False)]


def timed_saves(folder: Path, kind: str, runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of each Save (on a shared machine the CPU time is the steadier one)."""
    store.save(folder, edits_for(kind, folder, runs), store.load(folder).version, None)  # warm
    wall, cpu = [], []
    for n in range(runs):
        edits = edits_for(kind, folder, n)
        start, start_cpu = time.perf_counter(), time.process_time()
        store.save(folder, edits, store.load(folder).version, None)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def served_first_save(folder: Path) -> float:
    """The first Save of a freshly started ``video2blog review``, posted as the page posts it."""
    server = subprocess.Popen(
        [COMMAND, "review", str(folder), "--no-browser"], stdout=subprocess.PIPE, text=True
    )
    try:
        match = URL.search(server.stdout.readline() if server.stdout else "")
        assert match, "the review server printed no address"
        port, token = int(match.group(1)), match.group(2)
        request(port, "GET", f"/{token}/")
        time.sleep(READING_SECONDS)
        version = json.loads(request(port, "GET", f"/{token}/api/state"))["version"]
        body = {"version": version, "edits": [{"op": "heading", "section": 1, "text": "Which pain it helps"}]}
        start = time.perf_counter()
        request(port, "POST", f"/{token}/api/save", json.dumps(body).encode())
        return time.perf_counter() - start
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


def request(port: int, method: str, path: str, body: bytes | None = None) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json", "Origin": f"http://127.0.0.1:{port}"}
    try:
        connection.request(method, path, body, headers)
        response = connection.getresponse()
        data = response.read()
        assert response.status == 200, data
        return data
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = drafted(Path(tmp))
        header = f"{'edit':<10} {'saves':>5} {'median s':>9} {'slowest s':>10} {'cpu s':>6}"
        print(f"{header}  target {TARGET_SECONDS} s")
        for kind in ("heading", "paragraph", "word"):
            wall, cpu = timed_saves(folder, kind, args.runs)
            report(kind, wall, f"{statistics.median(cpu):>6.2f}")
        report("served 1st", [served_first_save(folder) for _ in range(args.runs)], f"{'-':>6}")


def report(kind: str, seconds: list[float], cpu: str) -> None:
    median, slowest = statistics.median(seconds), max(seconds)
    verdict = "ok" if slowest <= TARGET_SECONDS else "over"
    print(f"{kind:<10} {len(seconds):>5} {median:>9.2f} {slowest:>10.2f} {cpu}  {verdict}")


if __name__ == "__main__":
    main()
