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
import json, os, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tuibench import TUIBench

bench = TUIBench()
tmux, wait_for, cpu_seconds = bench.tmux, bench.wait_for, bench.cpu_seconds
ticks, home = bench.ticks, bench.home


try:
    # 1. A 20,000-token burst.
    server, url = bench.start_server(0)
    stats = f"{home}/stats-burst.json"
    pid = bench.run_client(url, stats=stats)
    time.sleep(0.3)
    tmux("send-keys", "-t", "main", "20000")
    time.sleep(0.2)
    cpu_before = cpu_seconds(pid)
    start = time.monotonic()
    tmux("send-keys", "-t", "main", "Enter")
    end = wait_for("w20000")
    wait_for("count · idle")
    cpu_burst = cpu_seconds(pid) - cpu_before
    bench.quit_client(pid)
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
    server, url = bench.start_server(50)
    pid = bench.run_client(url)
    time.sleep(0.3)
    tmux("send-keys", "-t", "main", "500", "Enter")
    wait_for("w5 ")
    cpu_before = cpu_seconds(pid)
    wall_before = time.monotonic()
    wait_for("w500", timeout=30, interval=0.2)
    cpu = cpu_seconds(pid) - cpu_before
    wall = time.monotonic() - wall_before
    bench.quit_client(pid)
    server.terminate()
    print(f"50 tokens/s for {wall:.1f} s: client CPU {cpu:.2f} s = {100 * cpu / wall:.1f}% of one core (budget 1%)")
finally:
    bench.close()
