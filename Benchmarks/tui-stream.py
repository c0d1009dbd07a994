#!/usr/bin/env python3
"""Drawing budgets of the full-screen client, measured from outside on a release build.

1. A 20,000-token reply sent as fast as possible by `tinytalk serve` on loopback, shown in a
   120x40 tmux pane: time from Enter to the last token on screen, and the client's CPU time.
2. A reply at 50 tokens/s: the client's average CPU use over it.
3. Start to first frame, and frame times, from `--stats-file`.

Usage: python3 Benchmarks/tui-stream.py [path/to/release/tinytalk]
(default: .build-release/release/tinytalk; build it with
 swift build -c release --scratch-path .build-release --product tinytalk)
"""
import json, os, shutil, subprocess, sys, tempfile, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, ".build-release/release/tinytalk")
if not os.path.exists(binary):
    sys.exit(f"no binary at {binary}: build it with swift build -c release --scratch-path .build-release --product tinytalk")

ticks = os.sysconf("SC_CLK_TCK")
runs = 0
socket = f"tt-bench-{os.getpid()}-0"
home = tempfile.mkdtemp(prefix="tt-bench-")
env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=f"{home}/config", XDG_DATA_HOME=f"{home}/data",
           XDG_STATE_HOME=f"{home}/state", TINYTALK_API_KEY="bench-key", TERM="xterm-256color")


def tmux(*args):
    return subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True, env=env).stdout


def screen():
    return tmux("capture-pane", "-p", "-t", "main")


def wait_for(text, timeout=30.0, interval=0.002):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in screen():
            return time.monotonic()
        time.sleep(interval)
    raise SystemExit(f"timed out waiting for {text!r}:\n{screen()}")


def cpu_seconds(pid):
    """CPU time of every thread of the process, in nanoseconds resolution (schedstat)."""
    total = 0
    for thread in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{thread}/schedstat") as f:
            total += int(f.read().split()[0])
    return total / 1e9


def client_pid():
    shell = tmux("display-message", "-p", "-t", "main", "#{pane_pid}").strip()
    for _ in range(200):
        out = subprocess.run(["pgrep", "-P", shell], capture_output=True, text=True).stdout.split()
        if out:
            return int(out[0])
        time.sleep(0.01)
    raise SystemExit("the client did not start")


def start_server(rate):
    server = subprocess.Popen([binary, "serve", "--port", "0", "--tokens-per-second", str(rate), "--max-seconds", "300", "--quiet"],
                              stdout=subprocess.PIPE, text=True, env=env)
    url = server.stdout.readline().split("listening on ")[1].strip()
    return server, url


def run_client(url, stats=None):
    os.makedirs(f"{home}/config/tinytalk", exist_ok=True)
    with open(f"{home}/config/tinytalk/config.toml", "w") as f:
        f.write(f'endpoint = "{url}"\n\n[[bot]]\nname = "count"\nid = "count"\n')
    global socket, runs
    tmux("kill-server")
    runs += 1
    socket = f"tt-bench-{os.getpid()}-{runs}"
    tmux("new-session", "-d", "-x", "120", "-y", "40", "-s", "main",
         f"'{binary}' --bot count" + (f" --stats-file '{stats}'" if stats else "") + "; sleep 30")
    wait_for("count · idle")
    return client_pid()


def quit_client(pid):
    tmux("send-keys", "-t", "main", "C-d")
    for _ in range(500):
        if not os.path.exists(f"/proc/{pid}"):
            return
        time.sleep(0.01)


try:
    # 1. A 20,000-token burst.
    server, url = start_server(0)
    stats = f"{home}/stats-burst.json"
    pid = run_client(url, stats)
    time.sleep(0.3)
    tmux("send-keys", "-t", "main", "20000")
    time.sleep(0.2)
    cpu_before = cpu_seconds(pid)
    start = time.monotonic()
    tmux("send-keys", "-t", "main", "Enter")
    end = wait_for("w20000")
    wait_for("count · idle")
    cpu_burst = cpu_seconds(pid) - cpu_before
    quit_client(pid)
    server.terminate()
    with open(stats) as f:
        burst = json.load(f)
    print(f"20,000-token burst: Enter to last token on screen {end - start:.3f} s (budget 0.25 s), "
          f"client CPU {cpu_burst:.3f} s (budget 0.1 s, clock ticks of {1 / ticks:.2f} s)")
    print(f"  frames {burst['framesDrawn']}, frame time p50 {burst['frameTimeMs']['p50']} ms, "
          f"p99 {burst['frameTimeMs']['p99']} ms, max {burst['frameTimeMs']['max']} ms, "
          f"cells written {burst['cellsWritten']}, bytes to the terminal {burst['bytesWritten']}, "
          f"deltas {burst['deltasReceived']}")
    print(f"start to first frame: {burst['firstFrameMs']} ms (budget 50 ms)")

    # 2. 50 tokens/s for 10 s (without --stats-file, whose byte counting costs a little).
    server, url = start_server(50)
    pid = run_client(url)
    time.sleep(0.3)
    tmux("send-keys", "-t", "main", "500", "Enter")
    wait_for("w5 ")
    cpu_before = cpu_seconds(pid)
    wall_before = time.monotonic()
    wait_for("w500", timeout=30, interval=0.2)
    cpu = cpu_seconds(pid) - cpu_before
    wall = time.monotonic() - wall_before
    quit_client(pid)
    server.terminate()
    print(f"50 tokens/s for {wall:.1f} s: client CPU {cpu:.2f} s = {100 * cpu / wall:.1f}% of one core (budget 1%)")
finally:
    tmux("kill-server")
    shutil.rmtree(home, ignore_errors=True)
