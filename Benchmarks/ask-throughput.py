#!/usr/bin/env python3
"""`tinytalk ask` end to end on a large stream from loopback: MB of the wire per CPU-second of
the whole `ask` process (its user + system time, every thread), reply printed to /dev/null.

`tinytalk serve --tokens-per-second 0` streams the `count` bot's numbered words (N of them; the
stream's size is measured once by reading it raw). Budget: >= 300 MB/s end to end.

Usage: python3 Benchmarks/ask-throughput.py [path/to/release/tinytalk] [N words, default 280000]
"""
import json, os, resource, shutil, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build-release/release/tinytalk")
words = int(sys.argv[2]) if len(sys.argv) > 2 else 280_000
home = tempfile.mkdtemp(prefix="tt-ask-")
env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=f"{home}/config", XDG_DATA_HOME=f"{home}/data",
           XDG_STATE_HOME=f"{home}/state")
server = subprocess.Popen([binary, "serve", "--port", "0", "--tokens-per-second", "0", "--max-seconds", "600", "--quiet"],
                          stdout=subprocess.PIPE, text=True, env=env)
try:
    url = server.stdout.readline().split("listening on ")[1].strip()
    body = json.dumps({"botId": "count", "messages": [{"role": "user", "content": str(words)}], "stream": True}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        size = 0
        while chunk := response.read(1 << 20):
            size += len(chunk)
    print(f"the stream: {words} words, {size / 1e6:.1f} MB")
    for run in range(3):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.monotonic()
        with open(os.devnull, "w") as sink:
            subprocess.run([binary, "ask", str(words), "--bot", "count", "--endpoint", url, "--no-save"],
                           stdout=sink, env=env, check=True)
        wall = time.monotonic() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        print(f"  run {run + 1}: {wall:.2f} s wall, {cpu:.2f} CPU-s = {size / 1e6 / cpu:.0f} MB/s end to end (budget 300)")
finally:
    server.terminate()
    server.wait()
    shutil.rmtree(home, ignore_errors=True)
