#!/usr/bin/env python3
"""Where the CPU of a paced stream goes, thread by thread, and what the resident memory is made of.

The chat-shaped reply's first 500 deltas (../shared/bench/chat-reply-20000.json; the `count`
bot's light text without it) at 50 tokens/s into a 120x40 tmux pane, as in `tui-stream.py`.
From Enter to the last token on screen it prints, for each thread of the client: its CPU time
and how often it was woken (voluntary context switches, from /proc/PID/task/*/status); then the
frames drawn and their median time (from `--stats-file`); then the client's resident memory
split into private memory (heap, stacks) and mapped files (code of the binary and libraries).

Usage: python3 Benchmarks/tui-threads.py [path/to/release/tinytalk]
"""
import glob, json, os, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tuibench import TUIBench

bench = TUIBench()


def threads(pid):
    """tid -> (name, voluntary switches, CPU seconds) for each live thread."""
    found = {}
    for task in glob.glob(f"/proc/{pid}/task/*"):
        try:
            with open(f"{task}/comm") as f:
                name = f.read().strip()
            with open(f"{task}/status") as f:
                status = f.read()
            with open(f"{task}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the thread ended meanwhile
        woken = int(status.split("\nvoluntary_ctxt_switches:")[1].split()[0])
        found[task.rsplit("/", 1)[1]] = (name, woken, (int(fields[11]) + int(fields[12])) / bench.ticks)
    return found


def memory(pid):
    """(resident MB, private anonymous MB, file-backed MB) from /proc/PID/smaps_rollup."""
    figures = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                figures[parts[0][:-1]] = int(parts[1]) / 1024
    return figures.get("Rss", 0), figures.get("Anonymous", 0), figures.get("Rss", 0) - figures.get("Anonymous", 0)


try:
    reply = bench.chat_reply(500)
    last = "ZZEND" if reply else "w500"
    server, url = bench.start_server(50, reply)
    stats = f"{bench.home}/stats.json"
    pid = bench.run_client(url, stats=stats)
    time.sleep(0.3)
    bench.keys("hello" if reply else "500")
    time.sleep(0.2)
    before = threads(pid)
    start = time.monotonic()
    bench.keys("Enter")
    bench.wait_for(last, timeout=30, interval=0.2)
    wall = time.monotonic() - start
    after = threads(pid)
    rss, private, mapped = memory(pid)
    bench.quit_client(pid)
    server.terminate()
    total_cpu = total_woken = 0
    print(f"500 tokens at 50 tokens/s ({'chat-shaped' if reply else 'light text'}), {wall:.1f} s:")
    for tid, (name, woken, cpu) in sorted(after.items(), key=lambda item: -item[1][2]):
        _, woken_before, cpu_before = before.get(tid, (name, 0, 0.0))
        total_cpu += cpu - cpu_before
        total_woken += woken - woken_before
        print(f"  {name:18s} CPU {cpu - cpu_before:5.2f} s, woken {woken - woken_before:5d} times")
    print(f"  {'all threads':18s} CPU {total_cpu:5.2f} s, woken {total_woken:5d} times (threads that ended are not counted)")
    with open(stats) as f:
        figures = json.load(f)
    frames = figures["framesDrawn"]
    print(f"  frames {frames}, median {figures['frameTimeMs']['p50']} ms: about "
          f"{frames * figures['frameTimeMs']['p50'] / 1000:.2f} s drawing; "
          f"{figures['cellsWritten'] / max(1, frames):.0f} cells and {figures['bytesWritten'] / max(1, frames):.0f} bytes a frame")
    print(f"  resident {rss:.1f} MB = private {private:.1f} MB + mapped files {mapped:.1f} MB")
finally:
    bench.close()
