#!/usr/bin/env python3
"""Split panes streaming at once, measured from outside on a release build (120x40 tmux pane).

For 1, 2 and 4 panes side by side (`/compare` opens them, broadcasting, so one Enter asks every
bot): a 20,000-token burst in each pane, and 500 tokens at 50 tokens/s in each pane. Prints the
client's CPU time in all and per pane, against one pane; the budget is that N panes cost no
more than N times one.

Usage: python3 Benchmarks/tui-panes.py [path/to/release/tinytalk]
"""
import os, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tuibench import TUIBench

bench = TUIBench()
BOTS = ["c1", "c2", "c3", "c4"]


def measure(panes, rate, tokens):
    """Client CPU seconds and wall seconds from Enter to the last token in every pane."""
    server, url = bench.start_server(rate)
    pid = bench.run_client(url, bots=BOTS)
    if panes > 1:
        bench.keys("/compare " + " ".join(BOTS[:panes]), "Enter")
        bench.wait_for("Comparing")
    time.sleep(0.3)
    bench.keys(str(tokens))
    time.sleep(0.2)
    cpu_before = bench.cpu_seconds(pid)
    start = time.monotonic()
    bench.keys("Enter")
    # Each pane ends with the last token; narrow panes may wrap it, so its number is enough.
    end = bench.wait_for(f"w{tokens}", timeout=60, interval=0.02 if rate else 0.002, count=panes)
    cpu = bench.cpu_seconds(pid) - cpu_before
    bench.quit_client(pid)
    server.terminate()
    return cpu, end - start


try:
    for title, rate, tokens in [("20,000-token burst", 0, 20000), ("500 tokens at 50 tokens/s", 50, 500)]:
        one = None
        for panes in (1, 2, 4):
            cpu, wall = measure(panes, rate, tokens)
            one = one or cpu
            print(f"{title}, {panes} pane{'s' if panes > 1 else ' '}: client CPU {cpu:.3f} s, "
                  f"{cpu / panes:.3f} s a pane ({cpu / one:.2f}x one pane; budget {panes}x), "
                  f"last token after {wall:.2f} s")
finally:
    bench.close()
