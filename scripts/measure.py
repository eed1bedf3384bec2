#!/usr/bin/env python3
"""Measure the cockpit against `cutover sim`: key latency, CPU, bytes to the terminal,
TCP connections, API requests per minute, binary size.

Usage: scripts/measure.sh [options]            (python3 and tmux, nothing else)

  --bin PATH          the cutover binary to measure (default: target/release/cutover)
  --sim-bin PATH      the binary that runs `cutover sim` (default: --bin), so two builds
                      of the cockpit can be compared against one simulator
  --scenario NAME     fittrack, load or load400 (repeatable; default: fittrack and load).
                      load400 is `load` with [logs] max_streams = 200: every one of the
                      400 pods followed, 250 lines/s each (100 000 lines/s)
  --seconds N         the window CPU, bytes and requests are counted over (default 30)
  --warmup N          seconds after start before anything is counted (default 8)
  --keys N            j/k presses timed per scenario (default 40; 0 skips)
  --size WxH          the tmux window (default 120x40, as in issue 13)
  --label TEXT        a column name for the table (default: the binary's name)
  --env KEY=VALUE     set in the cockpit's environment (repeatable)
  --log-fps N         set [ui] log_fps in the scenario's configuration
  --perf FILE         also record `perf record -e cpu-clock -g` of the cockpit during the
                      window into FILE.<scenario> (read it with `perf report -i`)
  --keep              leave the temp directory (kubeconfig, configs, captures) behind

What is measured, per scenario, while the cockpit runs in a tmux window of --size:
  key → screen   j (or k) sent with `tmux send-keys`; the pane is polled with
                 `capture-pane -e` until the reverse-video (selected) pod row names the
                 next pod. Median and p90 over --keys presses, 150-400 ms apart. Polling
                 costs ~1-3 ms per capture, so figures under ~3 ms are the poll's floor.
  CPU            utime+stime of the cockpit from /proc/PID/stat over the window, in % of
                 one core.
  bytes/s        what the cockpit wrote to its terminal, counted by `tmux pipe-pane`.
  TCP            the cockpit's established sockets to the API server's port
                 (/proc/PID/fd against /proc/net/tcp), at the end of the window.
  API req/min    new entries in the simulator's `GET /sim/v1/requests` over the window
                 (the log holds 2 000; the window is shortened when it would overflow),
                 with a breakdown: watch, list/get, log, proxy (probes), other.
  binary         the file size of --bin.

CPU and counts depend little on other load; wall-clock latencies do. Say how busy the
machine was (the script prints the load average) when you quote figures.

Output: one markdown table per run (rows: measurement, columns: scenario) on stdout.
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")


def tmux(*args, check=True):
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=check).stdout


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is state (field 3); utime is field 14, stime 15.
    return int(fields[11]) + int(fields[12])


def api_connections(pid, port):
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        m = re.match(r"socket:\[(\d+)\]", target)
        if m:
            inodes.add(m.group(1))
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            remote_port = int(cols[2].rsplit(":", 1)[1], 16)
            established = cols[3] == "01"
            if established and remote_port == port and cols[9] in inodes:
                count += 1
    return count


class Sim:
    """`cutover sim` in its own process group, with the request log reachable."""

    def __init__(self, binary, scenario, workdir, max_streams, log_fps=None):
        self.dir = os.path.join(workdir, scenario)
        os.makedirs(self.dir, exist_ok=True)
        self.kubeconfig = os.path.join(self.dir, "kubeconfig")
        self.config = os.path.join(self.dir, "cutover.toml")
        sim_scenario = "load" if scenario.startswith("load") else scenario
        self.proc = subprocess.Popen(
            [binary, "sim", "--scenario", sim_scenario, "--kubeconfig-out", self.kubeconfig,
             "--config-out", self.config],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
        self.api = None
        deadline = time.time() + 60
        while time.time() < deadline and self.api is None:
            line = self.proc.stdout.readline()
            if line.startswith("api: "):
                self.api = line.split(" ", 1)[1].strip()
        if self.api is None:
            raise SystemExit("the simulator did not start")
        self.port = int(self.api.rsplit(":", 1)[1].strip("/"))
        if max_streams:
            text = open(self.config).read()
            if re.search(r"(?m)^max_streams\s*=", text):
                text = re.sub(r"(?m)^max_streams\s*=.*$", f"max_streams = {max_streams}", text)
            elif "[logs]" in text:
                text = text.replace("[logs]", f"[logs]\nmax_streams = {max_streams}", 1)
            else:
                text += f"\n[logs]\nmax_streams = {max_streams}\n"
            open(self.config, "w").write(text)
        if log_fps:
            text = open(self.config).read()
            if re.search(r"(?m)^log_fps\s*=", text):
                text = re.sub(r"(?m)^log_fps\s*=.*$", f"log_fps = {log_fps}", text)
            else:
                text += f"\n[ui]\nlog_fps = {log_fps}\n"
            open(self.config, "w").write(text)
        kc = open(self.kubeconfig).read()
        self.token = re.search(r"token:\s*(\S+)", kc)
        ca = re.search(r"certificate-authority-data:\s*(\S+)", kc)
        self.ctx = None
        if ca:
            import base64
            ca_path = os.path.join(self.dir, "ca.pem")
            open(ca_path, "wb").write(base64.b64decode(ca.group(1)))
            self.ctx = ssl.create_default_context(cafile=ca_path)

    def requests(self):
        req = urllib.request.Request(self.api.rstrip("/") + "/sim/v1/requests")
        if self.token:
            req.add_header("Authorization", "Bearer " + self.token.group(1))
        with urllib.request.urlopen(req, context=self.ctx, timeout=10) as r:
            return json.load(r)

    def stop(self):
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)


def kind_of(record):
    path = record["path"]
    if "/proxy/" in path or path.endswith("/proxy"):
        return "proxy"
    if "/log" in path.split("?")[0]:
        return "log"
    if "watch=true" in path or "watch=1" in path:
        return "watch"
    if path.startswith("/sim/"):
        return "sim"
    if record["method"] == "GET":
        return "list/get"
    return "other"


def selected_pod(screen):
    """The pod name on the first reverse-video row of the screen (the focused pane's)."""
    for line in screen.splitlines():
        i = line.find("\x1b[7m")
        if i < 0:
            continue
        plain = re.sub(r"\x1b\[[0-9;:]*[A-Za-z]", "", line[i:])
        m = re.search(r"[a-z0-9][a-z0-9.-]*-[a-z0-9]{5}\b", plain)
        if m:
            return m.group(0)
    return None


def time_keys(session, presses):
    """Key → screen latencies in ms: alternate j and k, wait until the selection moves."""
    target = f"{session}:0.0"
    times = []
    before = selected_pod(tmux("capture-pane", "-e", "-p", "-t", target))
    if before is None:
        print("  (no selected pod row found: key latency not measured)", file=sys.stderr)
        return times
    for i in range(presses):
        key = "j" if i % 2 == 0 else "k"
        t0 = time.monotonic()
        tmux("send-keys", "-t", target, key)
        while True:
            now = selected_pod(tmux("capture-pane", "-e", "-p", "-t", target))
            elapsed = time.monotonic() - t0
            if now is not None and now != before:
                times.append(elapsed * 1000)
                before = now
                break
            if elapsed > 3:
                print(f"  key {key}: no change within 3 s", file=sys.stderr)
                break
        time.sleep(random.uniform(0.15, 0.4))
    return times


def pct(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def wait_for(session, text, limit):
    deadline = time.time() + limit
    while time.time() < deadline:
        if text in tmux("capture-pane", "-p", "-t", f"{session}:0.0"):
            return True
        time.sleep(0.2)
    return False


def measure(args, scenario, workdir):
    max_streams = 200 if scenario == "load400" else None
    sim = Sim(args.sim_bin, scenario, workdir, max_streams, args.log_fps)
    session = f"measure-{os.getpid()}-{scenario}"
    w, h = args.size.split("x")
    home = os.path.join(sim.dir, "home")
    os.makedirs(home, exist_ok=True)
    out_path = os.path.join(sim.dir, "terminal.bytes")
    extra = " ".join(args.env or [])
    cmd = (f"exec env HOME={home} TERM=xterm-256color {extra} {os.path.abspath(args.bin)} "
           f"--kubeconfig {sim.kubeconfig} --config {sim.config}")
    result = {}
    perf = None
    try:
        tmux("new-session", "-d", "-s", session, "-x", w, "-y", h, cmd)
        pid = int(tmux("display-message", "-p", "-t", f"{session}:0.0", "#{pane_pid}").strip())
        tmux("pipe-pane", "-t", f"{session}:0.0", f"cat > {out_path}")
        if not wait_for(session, "following", 60):
            print("  the cockpit did not show its log streams within 60 s", file=sys.stderr)
        time.sleep(args.warmup)
        before = sim.requests()
        seconds = args.seconds
        if len(before) > 1000:
            seconds = min(seconds, 10)
        if args.perf:
            perf = subprocess.Popen(
                ["perf", "record", "-e", "cpu-clock", "-F", "499", "-g", "-p", str(pid),
                 "-o", f"{args.perf}.{scenario}"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t0, c0, b0 = time.monotonic(), cpu_ticks(pid), os.path.getsize(out_path)
        time.sleep(seconds)
        t1, c1, b1 = time.monotonic(), cpu_ticks(pid), os.path.getsize(out_path)
        if perf:
            perf.send_signal(signal.SIGINT)
            perf.wait()
        after = sim.requests()
        elapsed = t1 - t0
        result["cpu"] = (c1 - c0) / CLK_TCK / elapsed * 100
        result["bytes"] = (b1 - b0) / elapsed
        result["tcp"] = api_connections(pid, sim.port)
        new = after[len(before):] if len(after) < 2000 else None
        if new is not None:
            new = [r for r in new if kind_of(r) != "sim"]
            per_min = 60 / elapsed
            result["req"] = len(new) * per_min
            kinds = {}
            for r in new:
                kinds[kind_of(r)] = kinds.get(kind_of(r), 0) + 1
            result["req_kinds"] = ", ".join(
                f"{k} {v * per_min:.0f}" for k, v in sorted(kinds.items()))
        result["rss"] = int(re.search(r"VmRSS:\s+(\d+)", open(f"/proc/{pid}/status").read())
                            .group(1)) / 1024
        if args.keys:
            keys = time_keys(session, args.keys)
            result["key_median"] = pct(keys, 50)
            result["key_p90"] = pct(keys, 90)
            result["key_n"] = len(keys)
    finally:
        tmux("kill-session", "-t", session, check=False)
        sim.stop()
    return result


def table(args, results):
    cols = list(results)
    rows = [
        ("key j/k → screen, median / p90 (ms)",
         lambda r: f"{r['key_median']:.0f} / {r['key_p90']:.0f}" if "key_median" in r else "–"),
        ("CPU, % of one core", lambda r: f"{r['cpu']:.2f}"),
        ("bytes to the terminal per second", lambda r: f"{r['bytes'] / 1024:.1f} KB"),
        ("TCP connections to the API", lambda r: f"{r['tcp']}"),
        ("API requests per minute", lambda r: f"{r['req']:.0f}" if "req" in r else "–"),
        ("… of which", lambda r: r.get("req_kinds", "–")),
        ("resident memory", lambda r: f"{r['rss']:.0f} MB"),
    ]
    label = args.label or os.path.basename(args.bin)
    print(f"\n{label}: {args.size}, window {args.seconds} s, {args.keys} keys, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| measured | " + " | ".join(f"`{c}`" for c in cols) + " |")
    print("|---|" + "---|" * len(cols))
    for name, cell in rows:
        print(f"| {name} | " + " | ".join(cell(results[c]) for c in cols) + " |")
    size = os.path.getsize(args.bin) / 1e6
    print(f"| binary size | {size:.1f} MB |" + " |" * (len(cols) - 1))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter,
                                usage=argparse.SUPPRESS)
    p.add_argument("--bin", default="target/release/cutover")
    p.add_argument("--sim-bin")
    p.add_argument("--scenario", action="append")
    p.add_argument("--seconds", type=float, default=30)
    p.add_argument("--warmup", type=float, default=8)
    p.add_argument("--keys", type=int, default=40)
    p.add_argument("--size", default="120x40")
    p.add_argument("--label")
    p.add_argument("--perf")
    p.add_argument("--env", action="append")
    p.add_argument("--log-fps", type=int)
    p.add_argument("--keep", action="store_true")
    args = p.parse_args()
    args.sim_bin = args.sim_bin or args.bin
    for tool in ("tmux",):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is needed")
    if not os.path.exists(args.bin):
        raise SystemExit(f"{args.bin}: no such binary (cargo build --release)")
    workdir = tempfile.mkdtemp(prefix="cutover-measure-")
    results = {}
    try:
        for scenario in args.scenario or ["fittrack", "load"]:
            print(f"measuring {scenario} ...", file=sys.stderr)
            results[scenario] = measure(args, scenario, workdir)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"kept {workdir}", file=sys.stderr)
    table(args, results)


if __name__ == "__main__":
    main()
