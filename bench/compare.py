"""Build the same corpus with digest, Pelican and Hugo in one run; print times, memory, ratios.

    python bench/compare.py [--n 2127] [--repeat 3] [--scale 2000 10000 100000]
    python bench/compare.py --n 0 --scale --dask 10000      # local pool vs Dask only
    python bench/compare.py --n 0 --scale 100000 --edits 3 --scale-dask   # at scale on Dask
    python bench/compare.py --scale --baseline ../main   # this checkout and ../main, A/B

The corpus comes from bench/corpus.py (the unique BBC articles from
../shared/eval/bbc when present, else synthetic text).  Pelican is looked for
as `pelican` on PATH or $PELICAN (pip install "pelican[markdown]"), Hugo as
`hugo` (Debian's hugo package); a tool that is missing is skipped.

digest's package is byte-compiled first, as an installed package is (see
compile_bytecode).  Wall time is the median of --repeat runs, the tools taking turns
(so drifting load on a shared machine falls on all of them alike); peak memory is the
largest resident set of any one process of the build (os.wait4 / RUSAGE_CHILDREN).
Then digest's cold / no-change / one-edit rebuild times at each --scale size (--edits
different one-article edits, each a rebuild of its own, in a new process), and the same
edits made while one `digest build --watch` runs (the long-lived process: its own
"built ... in X s" figure per rebuild, without the watcher's 0.1 s debounce); then the
first build of a first `digest serve` (into a new preview folder), and of a second one
(from the folder the first kept), with the same edits made while the second runs (up to
SERVE_MAX articles).  With
--scale-dask, every build of the scale rows runs on a local Dask cluster (one
single-threaded worker process per core, started once, before the timings).
With --dask N: a cold build of N articles with the local pool and on a local Dask
cluster (one single-threaded worker process per core, started here; needs the dask
extra), in one run.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aside import move_aside, work_folder  # noqa: E402
from corpus import write_corpus  # noqa: E402
from memory_tree import memory, tree  # noqa: E402

HUGO_LAYOUT = {
    "_default/baseof.html": "<!DOCTYPE html><html><head><title>{{ .Title }}</title></head>"
    '<body>{{ block "main" . }}{{ end }}</body></html>',
    "_default/single.html": '{{ define "main" }}<h1>{{ .Title }}</h1><p>{{ .Summary }}</p>'
    "{{ .Content }}{{ range first 5 (.Site.RegularPages.Related .) }}"
    '<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}{{ end }}',
    "_default/list.html": '{{ define "main" }}{{ range .Paginator.Pages }}<h2><a href="'
    '{{ .RelPermalink }}">{{ .Title }}</a></h2><p>{{ .Summary }}</p>'
    "{{ end }}{{ end }}",
}


_WRAPPER = (
    "import resource, subprocess, sys\n"
    "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
    "sys.stderr.buffer.write(r.stderr[-2000:])\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(u.ru_utime, u.ru_stime, u.ru_maxrss)\n"
    "sys.exit(r.returncode)\n"
)


def run(
    cmd: list[str],
    cwd: Path,
    pss: list[int] | None = None,
    errs: list[str] | None = None,
    cpu: list[tuple[float, float]] | None = None,
) -> tuple[float, int]:
    """(wall seconds, peak RSS bytes of the largest process of the build) of one command.

    A wrapper process runs the command, so RUSAGE_CHILDREN covers the build and
    its worker processes and nothing else.  With ``pss``, the peak of the summed
    proportional set size of all of the build's processes (sampled every 0.5 s from
    /proc, Linux only; shared pages counted once) is appended to it; with ``errs``, the
    end of its stderr; with ``cpu``, its (user, system) CPU seconds, all processes.
    """
    # Files the last run wrote are flushed to disk first, untimed: otherwise a run pays
    # for the write-back of the run before it (another tool's, on a slow disk: seconds)
    os.sync()
    t = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRAPPER, *cmd],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.5):
            peak[0] = max(peak[0], _tree_pss(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    if pss is not None and os.path.exists("/proc/self/smaps_rollup"):
        sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - t
    done.set()
    if sampler.is_alive():
        sampler.join()
    if pss is not None:
        pss.append(peak[0])
    if errs is not None:
        errs.append(err)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {err[-2000:]}")
    user, system, rss = out.split()[-3:]
    if cpu is not None:
        cpu.append((float(user), float(system)))
    return wall, int(rss) * 1024


def _tree_pss(root: int) -> int:
    """Summed Pss (bytes) of every descendant of process ``root``."""
    return sum(memory(pid)[0] for pid in tree(root)[1:])


_EXECUTOR: list[str] = []  # ["--executor", "dask", "--scheduler", ADDRESS] with --scale-dask


def digest_cmd(verbose: bool = False) -> list[str]:
    return [sys.executable, "-m", "digest", "build", "-v" if verbose else "-q", *_EXECUTOR]


def compile_bytecode(pythonpath: Path | None = None) -> None:
    """Byte-compile the digest package a timed command imports (with ``pythonpath``: that
    checkout's), untimed, before any timing: an installed package has its bytecode (pip
    compiles it at install), and a checkout run with $PYTHONDONTWRITEBYTECODE set (as on
    this project's benchmark machine) would otherwise compile ~40 of digest's modules from
    source in every process it starts, ~0.1-0.3 s each time, which no user pays."""
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath.resolve())
    code = (
        "import compileall, digest, os;"
        " compileall.compile_dir(os.path.dirname(digest.__file__), quiet=1)"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True)


def stage_seconds(stderr: str, stage: str) -> float:
    """A stage's time from ``digest build -v``'s stage lines ("  stories   0.047 s")."""
    for line in stderr.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == stage and parts[2] == "s":
            return float(parts[1])
    return float("nan")


def pelican_cmd() -> list[str] | None:
    exe = os.environ.get("PELICAN") or shutil.which("pelican")
    return [exe, "content", "-o", "output", "-s", "pelicanconf.py", "-q"] if exe else None


def hugo_cmd() -> list[str] | None:
    exe = os.environ.get("HUGO") or shutil.which("hugo")
    return [exe, "--quiet", "-d", "output"] if exe else None


def prepare(tmp: Path, n: int) -> dict[str, Path]:
    sites = {"digest": write_corpus(tmp / "digest", n)}
    pel = write_corpus(tmp / "pelican", n, fmt="pelican")
    (pel / "pelicanconf.py").write_text(
        "SITENAME = 'Benchmark'\nSITEURL = ''\nPATH = 'content'\nTIMEZONE = 'UTC'\n"
        "DEFAULT_LANG = 'en'\nDEFAULT_PAGINATION = 20\nRELATIVE_URLS = True\n"
    )
    sites["pelican"] = pel
    hugo = write_corpus(tmp / "hugo", n)
    (hugo / "site.yaml").unlink()
    (hugo / "hugo.toml").write_text(
        "baseURL = 'https://example.org/'\ntitle = 'Benchmark'\npaginate = 20\n"
        "disableKinds = ['RSS', 'sitemap', 'taxonomy', 'term']\n"
    )
    for rel, text in HUGO_LAYOUT.items():
        (hugo / "layouts" / rel).parent.mkdir(parents=True, exist_ok=True)
        (hugo / "layouts" / rel).write_text(text)
    sites["hugo"] = hugo
    return sites


def clean(site: Path) -> None:
    """The outputs and caches of the last build of ``site`` out of the way of the next
    (moved aside, removed when the run ends: see bench/aside.py for why not deleted)."""
    outputs = ("output", "public", ".digest-cache", ".digest-staging-public", "resources")
    move_aside(*(site / d for d in outputs))


def compare(n: int, repeat: int, baseline: Path | None = None) -> None:
    with work_folder() as tmp:
        sites = prepare(Path(tmp), n)
        tools = {"digest": digest_cmd(), "pelican": pelican_cmd(), "hugo": hugo_cmd()}
        if baseline is not None:  # another checkout of digest, in the same rounds (A/B)
            name = f"digest@{baseline.name}"
            tools[name] = ["env", f"PYTHONPATH={baseline.resolve()}", *digest_cmd()]
            sites[name] = sites["digest"]
        for name, cmd in tools.items():
            if cmd is None:
                print(f"{name}: not installed, skipped")
        ready = {name: cmd for name, cmd in tools.items() if cmd is not None}
        walls: dict[str, list[float]] = {name: [] for name in ready}
        mems: dict[str, list[int]] = {name: [] for name in ready}
        cpus: dict[str, list[tuple[float, float]]] = {name: [] for name in ready}
        # Round-robin (digest, pelican, hugo, digest, ...): on a shared machine whose load
        # drifts, each tool's runs are spread over the same stretch of time.
        for _ in range(repeat):
            for name, cmd in ready.items():
                clean(sites[name])
                w, m = run(cmd, sites[name], cpu=cpus[name])
                walls[name].append(w)
                mems[name].append(m)
        results = {name: (statistics.median(walls[name]), max(mems[name])) for name in ready}
        print(f"\n## Cold build of the same {n} Markdown articles (median of {repeat})\n")
        print("| tool | wall s | peak RSS MiB | wall / Pelican | CPU s: user | system |")
        print("|---|---|---|---|---|---|")
        base = results.get("pelican", (None, 0))[0]
        for name, (w, m) in results.items():
            ratio = f"{w / base:.2f}" if base else "-"
            user = statistics.median(u for u, _ in cpus[name])
            system = statistics.median(s for _, s in cpus[name])
            print(f"| {name} | {w:.2f} | {m / 2**20:.0f} | {ratio} | {user:.2f} | {system:.2f} |")
        if "digest" in results:
            site = sites["digest"]
            clean(site)
            run(digest_cmd(), site)
            nochange = statistics.median(run(digest_cmd(), site)[0] for _ in range(repeat))
            print(
                f"\ndigest rebuild with nothing changed: {nochange:.2f} s"
                + (f" = {nochange / base:.2f} x Pelican" if base else "")
            )


def scale(sizes: list[int], synthetic: bool, edits: int = 5) -> None:
    print("\n## digest at scale (cold / nothing changed / one article edited)\n")
    print(
        f"One edit: each of {edits} articles in turn (a fixed choice) gets a paragraph of another "
        "article appended, then a rebuild; median and slowest of those rebuilds. Cold and "
        "one-edit builds run with -v for their stage times (the stories stage's shown).\n"
    )
    print(
        "| articles | cold s | cold peak MiB (largest process) | cold peak MiB (all, PSS) "
        "| no-change s | one-edit s, median | slowest | one-edit peak MiB "
        "| stories stage s, cold | stories stage s, one-edit median "
        "| --watch one-edit s, median | slowest "
        "| serve one-edit s, median | slowest | serve first start s | serve next start s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n in sizes:
        with work_folder() as tmp:
            site = write_corpus(Path(tmp) / "site", n, synthetic)
            pss: list[int] = []
            errs: list[str] = []  # -v: its stage times (the stories line)
            cold, cold_mem = run(digest_cmd(verbose=True), site, pss, errs)
            nochange, _ = run(digest_cmd(), site)
            files = sorted((site / "content").rglob("*.md"))
            rng = random.Random(7)
            times, mems = [], []
            for _ in range(edits):
                _edit(files, rng)
                t, mem = run(digest_cmd(verbose=True), site, None, errs)
                times.append(t)
                mems.append(mem)
            watched = watch_edits(site, files, rng, edits)
            served = ""
            if n <= SERVE_MAX:  # (a first preview renders every page into its new folder)
                times_s, first, again = serve_edits(site, files, rng, edits)
                served = (
                    f"| {statistics.median(times_s):.2f} | {max(times_s):.2f} "
                    f"| {first:.1f} | {again:.2f} |"
                )
            print(
                f"| {n} | {cold:.1f} | {cold_mem / 2**20:.0f} | {pss[0] / 2**20:.0f} "
                f"| {nochange:.2f} | {statistics.median(times):.2f} | {max(times):.2f} "
                f"| {max(mems) / 2**20:.0f} | {stage_seconds(errs[0], 'stories'):.2f} "
                f"| {statistics.median(stage_seconds(e, 'stories') for e in errs[1:]):.3f} "
                f"| {statistics.median(watched):.2f} | {max(watched):.2f} "
                + (served or "| - | - | - | - |"),
                flush=True,
            )


def _edit(files: list[Path], rng: random.Random) -> None:
    """Append a paragraph of another article to one article."""
    victim, donor = rng.sample(files, 2)
    paragraph = donor.read_text().split("---\n", 2)[-1].strip().split("\n\n")[0]
    victim.write_text(victim.read_text().rstrip("\n") + "\n\n" + paragraph + "\n")


def watch_edits(site: Path, files: list[Path], rng: random.Random, edits: int) -> list[float]:
    """Seconds of each one-edit rebuild of a running `digest build --watch` (as it reports
    them: "built ... in X s"), after its first build (a no-change build of a warm cache)."""
    cmd = [*digest_cmd(), "--watch"]
    cmd[cmd.index("-q")] = "-v"
    proc = subprocess.Popen(
        cmd, cwd=site, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert proc.stdout is not None
    out: list[float] = []
    try:
        line = proc.stdout.readline()  # the first build
        if not line.startswith("built"):
            raise RuntimeError(f"digest build --watch: {line}")
        for _ in range(edits):
            _edit(files, rng)
            line = proc.stdout.readline()
            out.append(float(line.rsplit(" in ", 1)[1].split()[0]))
    finally:
        _stop(proc)
    return out


def _stop(proc: subprocess.Popen[str]) -> None:
    """Stop a long-lived digest process as Ctrl+C does (killed if it does not stop)."""
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


SERVE_MAX = 20_000  # articles: the serve columns of larger sites are left out ("-")


def serve_edits(
    site: Path, files: list[Path], rng: random.Random, edits: int
) -> tuple[list[float], float, float]:
    """`digest serve`: the first build of a first preview (into a new preview folder),
    then, in a second preview (from the folder the first kept: see
    digest.serve.preview_folder), its first build and the seconds of each one-edit
    rebuild (as it reports them: "built (1 file changed) in X s", without the watcher's
    debounce)."""
    cmd = [sys.executable, "-m", "digest", "serve", "--port", "0"]

    def started() -> tuple[subprocess.Popen[str], float]:
        proc = subprocess.Popen(
            cmd, cwd=site, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        assert proc.stderr is not None
        line = proc.stderr.readline()
        if " built in " not in line:
            proc.kill()
            raise RuntimeError(f"digest serve: {line}")
        return proc, float(line.rsplit(" in ", 1)[1].split()[0])

    proc, first = started()
    _stop(proc)
    out: list[float] = []
    proc, again = started()
    try:
        assert proc.stderr is not None
        for _ in range(edits):
            _edit(files, rng)
            line = proc.stderr.readline()
            if " built " not in line:
                raise RuntimeError(f"digest serve: {line}")
            out.append(float(line.rsplit(" in ", 1)[1].split()[0]))
    finally:
        _stop(proc)
    return out, first, again


def dask_row(n: int, synthetic: bool) -> None:
    """Cold build of n articles: the local pool, then a LocalCluster of one worker process
    per core (--executor dask); both outputs must be the same bytes."""
    from distributed import LocalCluster

    cores = os.cpu_count() or 1
    print(f"\n## Cold build of {n} articles: local pool vs a local Dask cluster\n")
    print(
        f"Dask: LocalCluster(n_workers={cores}, threads_per_worker=1, processes=True), "
        "started before the timing; its workers' memory is not in the build's peak.\n"
    )
    print("| executor | articles | cold s | peak MiB (largest process of the build) |")
    print("|---|---|---|---|")
    with work_folder() as tmp:
        site = write_corpus(Path(tmp) / "site", n, synthetic)
        wall, mem = run([*digest_cmd(), "-o", "local"], site)
        print(f"| local ({cores} processes) | {n} | {wall:.1f} | {mem / 2**20:.0f} |", flush=True)
        clean(site)
        with LocalCluster(
            n_workers=cores, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            cmd = [*digest_cmd(), "-o", "dask", "--executor", "dask"]
            wall, mem = run([*cmd, "--scheduler", cluster.scheduler_address], site)
        print(f"| dask ({cores} workers) | {n} | {wall:.1f} | {mem / 2**20:.0f} |", flush=True)
        same = _tree_bytes(site / "local") == _tree_bytes(site / "dask")
        print(f"\nsame output bytes: {'yes' if same else 'NO'}")


def _tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2127, help="corpus size for the comparison (0: skip)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--scale", type=int, nargs="*", default=[2000, 10000])
    ap.add_argument("--synthetic", action="store_true", help="synthetic text for --scale")
    ap.add_argument("--edits", type=int, default=5, help="one-article edits timed per --scale size")
    ap.add_argument(
        "--dask",
        type=int,
        metavar="N",
        default=0,
        help="cold build of N articles with the local pool and on a local Dask cluster",
    )
    ap.add_argument(
        "--scale-dask",
        action="store_true",
        help="run every build of the --scale rows on a local Dask cluster",
    )
    ap.add_argument(
        "--baseline",
        type=Path,
        metavar="DIR",
        help="also time the digest checkout in DIR (its PYTHONPATH) in the same rounds",
    )
    args = ap.parse_args()
    compile_bytecode()
    if args.baseline is not None:
        compile_bytecode(args.baseline)
    if args.n:
        compare(args.n, args.repeat, args.baseline)
    if args.scale and args.scale_dask:
        from distributed import LocalCluster

        cores = os.cpu_count() or 1
        with LocalCluster(
            n_workers=cores, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            _EXECUTOR[:] = ["--executor", "dask", "--scheduler", cluster.scheduler_address]
            print(f"\n(--scale-dask: every build on a local Dask cluster of {cores} workers)")
            scale(args.scale, args.synthetic, args.edits)
            _EXECUTOR.clear()
    elif args.scale:
        scale(args.scale, args.synthetic, args.edits)
    if args.dask:
        dask_row(args.dask, args.synthetic)


if __name__ == "__main__":
    main()
