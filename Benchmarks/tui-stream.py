#!/usr/bin/env python3
"""Drawing budgets of the full-screen client, measured from outside on a release build.

Two replies: the `count` bot's light text ("w1 w2 …", short words, one script) and the recorded
chat-shaped reply of ../shared/bench/chat-reply-20000.json (Markdown, headings, bullets, CJK,
Hangul and emoji, ~160-column lines that wrap at 120), served by `tinytalk serve --reply-file`.
For each, in a 120x40 tmux pane:
1. 20,000 tokens as fast as possible: time from Enter to the last token on screen, the client's
   CPU time over it, frames, start to first frame (from `--stats-file`).
2. 500 tokens at 50 tokens/s: the client's CPU time over the 10 s, and its peak RSS.
And (`history`, not run by default: it first saves 250 exchanges with `tinytalk ask`, ~15 s) the
chat-shaped 500 tokens at 50 tokens/s into a tab that shows a 500-message history, opened from
the conversation browser: CPU and peak RSS (budget 30 MB with such a history).

Usage: python3 Benchmarks/tui-stream.py [path/to/release/tinytalk] [light|chat|history]
(default: .build-release/release/tinytalk, both replies; build it with
 swift build -c release --static-swift-stdlib --scratch-path .build-release --product tinytalk)
"""
import json, os, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tuibench import TUIBench

only = sys.argv[2] if len(sys.argv) > 2 else None
bench = TUIBench()
tmux, wait_for, cpu_seconds = bench.tmux, bench.wait_for, bench.cpu_seconds
ticks, home = bench.ticks, bench.home


def burst(name, reply_file, prompt, last):
    server, url = bench.start_server(0, reply_file)
    stats = f"{home}/stats-burst.json"
    pid = bench.run_client(url, stats=stats)
    time.sleep(0.3)
    tmux("send-keys", "-t", "main", prompt)
    time.sleep(0.2)
    cpu_before = cpu_seconds(pid)
    start = time.monotonic()
    tmux("send-keys", "-t", "main", "Enter")
    end = wait_for(last)
    wait_for("count · idle")
    cpu = cpu_seconds(pid) - cpu_before
    rss = bench.peak_rss_mb(pid)
    bench.quit_client(pid)
    server.terminate()
    with open(stats) as f:
        figures = json.load(f)
    print(f"{name}, 20,000-token burst: Enter to last token on screen {end - start:.3f} s (budget 0.25 s), "
          f"client CPU {cpu:.3f} s (budget 0.1 s), peak RSS {rss:.1f} MB")
    print(f"  frames {figures['framesDrawn']}, frame time p50 {figures['frameTimeMs']['p50']} ms, "
          f"p99 {figures['frameTimeMs']['p99']} ms, max {figures['frameTimeMs']['max']} ms, "
          f"cells written {figures['cellsWritten']}, bytes to the terminal {figures['bytesWritten']}, "
          f"deltas {figures['deltasReceived']}; start to first frame {figures['firstFrameMs']} ms (budget 50 ms)")


def paced_reply(pid, server, prompt, first, last, first_interval=0.2):
    """Types `prompt`, then measures from Enter until `last` is on screen (after `first`): the
    wall time, the client's CPU time and its peak RSS; then quits the client and the server."""
    tmux("send-keys", "-t", "main", prompt)
    time.sleep(0.2)
    cpu_before = cpu_seconds(pid)
    wall_before = time.monotonic()
    tmux("send-keys", "-t", "main", "Enter")
    wait_for(first, interval=first_interval)
    wait_for(last, timeout=30, interval=0.2)
    cpu = cpu_seconds(pid) - cpu_before
    wall = time.monotonic() - wall_before
    rss = bench.peak_rss_mb(pid)
    bench.quit_client(pid)
    server.terminate()
    return wall, cpu, rss


def paced(name, reply_file, prompt, first, last):
    # Without --stats-file, whose byte counting costs a little.
    server, url = bench.start_server(50, reply_file)
    pid = bench.run_client(url)
    time.sleep(0.3)
    wall, cpu, rss = paced_reply(pid, server, prompt, first, last)
    print(f"{name}, 500 tokens at 50 tokens/s: {wall:.1f} s, client CPU {cpu:.3f} s = {100 * cpu / wall:.1f}% of one core "
          f"(budget 0.10 s, 1%), peak RSS {rss:.1f} MB (budget 30 MB)")


def with_history(first500):
    # 250 questions, each answered with the chat-shaped reply's first 100 deltas, in one
    # conversation (`ask --continue` adds to the latest one with the bot).
    server, url = bench.start_server(0, bench.chat_reply(100))
    bench.configure(url)
    for i in range(250):
        subprocess.run([bench.binary, "ask", "--bot", "count", *(["--continue"] if i else []), f"question {i}: and **this**?"],
                       env=bench.env, capture_output=True, check=True)
    server.terminate()
    server, url = bench.start_server(50, first500)
    pid = bench.run_client(url)
    # The client opened a new conversation; the browser opens the saved one (its title is the
    # first question).
    tmux("send-keys", "-t", "main", "C-o")
    wait_for("500 msgs")
    tmux("send-keys", "-t", "main", "question")
    time.sleep(0.3)
    tmux("send-keys", "-t", "main", "Enter")
    wait_for("question 249")
    opened = bench.peak_rss_mb(pid)
    wall, cpu, rss = paced_reply(pid, server, "hello", "streaming", "count · idle", first_interval=0.05)
    print(f"chat-shaped with a 500-message history open ({opened:.1f} MB once open), 500 tokens at 50 tokens/s: "
          f"{wall:.1f} s, client CPU {cpu:.3f} s, peak RSS {rss:.1f} MB (budget 30 MB)")


try:
    if only == "history":
        first500 = bench.chat_reply(500)
        if first500 is None:
            sys.exit("chat-shaped reply: ../shared/bench/chat-reply-20000.json is not here")
        with_history(first500)
    if only in (None, "light"):
        burst("light text", None, "20000", "w20000")
        paced("light text", None, "500", "w5 ", "w500")
    if only in (None, "chat"):
        whole, first500 = bench.chat_reply(), bench.chat_reply(500)
        if whole is None:
            print("chat-shaped reply: ../shared/bench/chat-reply-20000.json is not here; skipped")
        else:
            burst("chat-shaped", whole, "hello", "ZZEND")
            paced("chat-shaped", first500, "hello", "@1", "ZZEND")
finally:
    bench.close()
