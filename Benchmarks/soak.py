#!/usr/bin/env python3
"""Soak and fault checks of the full-screen client, driven from outside on a release build.

The real binary runs in tmux panes (a tmux server of its own per session, on a unique `-L`
socket) against `tinytalk serve` on loopback, with a private HOME and XDG folders per check:

1. Ten tabs streaming: ten count bots at 200 tokens/s each, 12,000 words apiece, all at once.
   The client's RSS (first 10 s against last 10 s, and the peak: it may grow with the replies
   kept, by at most 3 MB plus 10 bytes per byte of their text), key echo latency (20 keys
   typed into the input while they stream), and every reply complete in the history.
2. Resize storm: 400 `tmux resize-window` calls (1x1 to 300x100, seeded) during a stream; then,
   back at 120x40, the tab bar and status bar are on screen without Ctrl+L, and the screen is
   what a full redraw (Ctrl+L) shows.
3. Every `serve --fault`: one short session each; a message is shown, the typed text is kept,
   a cut reply is kept and marked `[interrupted: ...]`, and the client quits with status 0.
4. Killed mid-reply (SIGKILL, SIGHUP, SIGHUP from `tmux kill-pane`, SIGTERM): every word on
   screen 0.7 s before the signal is in the history, and the reply is marked interrupted.

Prints one table (check, figure, verdict) and exits 1 when a check fails.

Usage: python3 Benchmarks/soak.py [path/to/release/tinytalk]
(default: .build/release/tinytalk; build it with
 flock /tmp/tinytalk-build.lock swift build -c release --static-swift-stdlib --product tinytalk)
"""
import json, os, random, re, select, shutil, signal, statistics, subprocess, sys, tempfile, threading, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, ".build/release/tinytalk"))
if not os.path.exists(binary):
    sys.exit(f"no binary at {binary}: build it with\n"
             f"  cd {root} && flock /tmp/tinytalk-build.lock swift build -c release --product tinytalk")
for tool in ("tmux", "pgrep"):
    if not shutil.which(tool):
        sys.exit(f"{tool} is needed")

results = []            # (check, figure, verdict)
panes, servers, homes = [], [], []
started = time.monotonic()
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class CheckFailed(Exception):
    pass


def record(check, figure, ok):
    results.append((check, figure, "PASS" if ok else "FAIL"))
    print(f"  {'PASS' if ok else 'FAIL'}  {check}: {figure}", flush=True)


def deadline_loop(timeout, interval):
    """Yields until `timeout` seconds have passed, sleeping `interval` between rounds."""
    end = time.monotonic() + timeout
    while True:
        yield
        if time.monotonic() >= end:
            return
        time.sleep(interval)


class Home:
    """A private HOME with its own XDG folders, removed at the end."""

    def __init__(self, name):
        self.path = tempfile.mkdtemp(prefix=f"tt-soak-{name}-")
        homes.append(self.path)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("TMUX", "TINYTALK", "XDG_"))}
        self.env.update(HOME=self.path, XDG_CONFIG_HOME=f"{self.path}/config", XDG_DATA_HOME=f"{self.path}/data",
                        XDG_STATE_HOME=f"{self.path}/state", TERM="xterm-256color", LANG="C.UTF-8",
                        SWIFT_BACKTRACE="enable=no")
        os.makedirs(f"{self.path}/config/tinytalk")
        with open(f"{self.path}/tmux.conf", "w") as f:
            # No tmux status line: the pane is the whole window (120x40 means 120x40).
            f.write("set -g status off\nset -g history-limit 0\n")

    def config(self, url, bots):
        with open(f"{self.path}/config/tinytalk/config.toml", "w") as f:
            f.write(f'endpoint = "{url}"\n')
            for name, bot_id in bots:
                f.write(f'\n[[bot]]\nname = "{name}"\nid = "{bot_id}"\n')

    def run(self, *args, timeout=30):
        p = subprocess.run([binary, *args], capture_output=True, text=True, env=self.env, timeout=timeout)
        return p.returncode, p.stdout, p.stderr

    def export(self, conversation=1, fmt="md"):
        status, out, err = self.run("export", str(conversation), "--format", fmt)
        return out if status == 0 else f"(export failed: {status} {err.strip()})"

    def history(self):
        status, out, err = self.run("history", "--json")
        return json.loads(out) if status == 0 else []


class Server:
    """`tinytalk serve` on a free loopback port, stopped by `--max-seconds` at the latest."""

    def __init__(self, home, rate, fault=None, max_seconds=300):
        args = [binary, "serve", "--port", "0", "--tokens-per-second", str(rate), "--max-seconds", str(max_seconds), "--quiet"]
        if fault:
            args += ["--fault", fault]
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=home.env)
        servers.append(self.process)
        ready, _, _ = select.select([self.process.stdout], [], [], 15)
        line = self.process.stdout.readline() if ready else ""
        if "listening on " not in line:
            self.stop()
            raise CheckFailed(f"serve did not start ({line.strip()!r})")
        self.url = line.split("listening on ")[1].strip()
        if not self.url.startswith("http://127.0.0.1:"):
            self.stop()
            raise CheckFailed(f"serve is not on loopback: {self.url}")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


class Pane:
    """A tmux server of its own with one window running `command` (and then `echo EXITED=$?`)."""
    count = 0

    def __init__(self, home, command, columns=120, rows=40):
        Pane.count += 1
        self.home = home
        self.socket = f"tt-soak-{os.getpid()}-{Pane.count}"
        self.server_pid = None
        panes.append(self)
        self.tmux("-f", f"{home.path}/tmux.conf", "new-session", "-d", "-x", str(columns), "-y", str(rows), "-s", "main",
                  f"{command}; echo EXITED=$?; sleep 120")
        pids = self.tmux("display-message", "-p", "-t", "main", "#{pid} #{pane_pid}").split()
        if len(pids) != 2:
            raise CheckFailed("tmux did not start")
        self.server_pid, self.shell_pid = int(pids[0]), int(pids[1])
        self.capture_seconds = []

    def tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, env=self.home.env,
                              timeout=20).stdout

    def keys(self, *keys):
        self.tmux("send-keys", "-t", "main", *keys)

    def type(self, text):
        self.tmux("send-keys", "-t", "main", "-l", text)

    def screen(self):
        t = time.monotonic()
        out = self.tmux("capture-pane", "-p", "-t", "main")
        self.capture_seconds.append(time.monotonic() - t)
        return out

    def lines(self):
        return self.screen().split("\n")

    def wait(self, predicate, timeout, interval=0.05):
        """The first screen for which predicate(screen) holds, or None after `timeout` seconds."""
        for _ in deadline_loop(timeout, interval):
            text = self.screen()
            if predicate(text):
                return text
        return None

    def wait_text(self, text, timeout=15, interval=0.05):
        return self.wait(lambda s: text in s, timeout, interval)

    def client_pid(self, timeout=10):
        for _ in deadline_loop(timeout, 0.02):
            out = subprocess.run(["pgrep", "-P", str(self.shell_pid)], capture_output=True, text=True).stdout.split()
            for pid in out:
                try:
                    with open(f"/proc/{pid}/comm") as f:
                        if f.read().strip() != "sleep":
                            return int(pid)
                except OSError:
                    pass
        raise CheckFailed("the client did not start")

    def quit_status(self, timeout=10):
        """Ctrl+D, then the client's exit status as the pane's shell saw it (None: it did not exit)."""
        self.keys("C-d")
        screen = self.wait(lambda s: "EXITED=" in s, timeout, 0.05)
        if screen is None:
            return None
        return int(re.search(r"EXITED=(\d+)", screen).group(1))

    def stop(self):
        self.tmux("kill-server")
        if self.server_pid:
            for _ in deadline_loop(3, 0.05):
                if not alive(self.server_pid):
                    break
            if alive(self.server_pid):
                try:
                    os.kill(self.server_pid, signal.SIGKILL)
                except OSError:
                    pass
        path = f"{os.environ.get('TMUX_TMPDIR', '/tmp')}/tmux-{os.getuid()}/{self.socket}"
        if os.path.exists(path):
            os.remove(path)
        self.server_pid = None


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None


def status_bar(screen):
    lines = screen.rstrip("\n").split("\n")
    return lines[-1] if lines else ""


def input_row(lines):
    """The index of the input box's first row (it starts with ›)."""
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].startswith("›"):
            return index
    return None


def start_client(home, bots, wait_for, columns=120, rows=40):
    pane = Pane(home, f"'{binary}' " + " ".join(f"--bot {b}" for b in bots), columns, rows)
    if pane.wait_text(wait_for, 20) is None:
        raise CheckFailed(f"the client never showed {wait_for!r}:\n{pane.screen()}")
    return pane, pane.client_pid()


def cleanup():
    for pane in panes:
        try:
            pane.stop()
        except Exception:
            pass
    for process in servers:
        if process.poll() is None:
            process.kill()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                pass
    for path in homes:
        shutil.rmtree(path, ignore_errors=True)


def run_check(name, function):
    print(f"{name} …", flush=True)
    t = time.monotonic()
    try:
        function()
    except CheckFailed as failure:
        record(name, f"could not run: {failure}".replace("\n", " ")[:300], False)
    except Exception as error:  # a broken check is a failed check, and the rest still run
        record(name, f"error in the check: {type(error).__name__}: {error}"[:300], False)
    finally:
        stop_panes_and_servers()
    print(f"  ({time.monotonic() - t:.0f} s)", flush=True)


def stop_panes_and_servers():
    for pane in list(panes):
        pane.stop()
        panes.remove(pane)
    for process in list(servers):
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
        servers.remove(process)


# 1. Ten tabs streaming ------------------------------------------------------------------------

def ten_tabs():
    home = Home("tabs")
    server = Server(home, 200, max_seconds=600)
    names = [f"t{i}" for i in range(1, 11)]
    home.config(server.url, [(n, "count") for n in names])
    pane, pid = start_client(home, names, "t1 · idle")

    samples = []            # (seconds since the first prompt, RSS in kB)
    sampling = threading.Event()
    sampling.set()
    t0 = time.monotonic()

    def sample():
        next_at = time.monotonic()
        while sampling.is_set() and time.monotonic() - t0 < 600:
            value = rss_kb(pid)
            if value is not None:
                samples.append((time.monotonic() - t0, value))
            next_at += 1.0
            time.sleep(max(0.0, next_at - time.monotonic()))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    for index, name in enumerate(names, start=1):
        pane.keys(f"M-{index}" if index <= 9 else "C-n")
        if pane.wait(lambda s: status_bar(s).startswith(f" {name} · idle"), 10, 0.02) is None:
            raise CheckFailed(f"tab {index} did not come up idle: {status_bar(pane.screen())!r}")
        pane.type("12000")
        pane.keys("Enter")
        if pane.wait(lambda s: not status_bar(s).startswith(f" {name} · idle"), 10, 0.02) is None:
            raise CheckFailed(f"tab {index} did not start its reply")
    sent = time.monotonic() - t0

    # Key echo latency while all ten stream, in the active tab's input box. Beside each key, the
    # same measure of `cat` in a tmux server of its own: when the machine itself stalls (the
    # other core busy), the control shows it.
    control = Pane(home, "cat", 40, 5)
    control_latencies, control_typed = [], ""
    time.sleep(2)
    latencies, missed = [], 0
    typed = ""
    rng = random.Random(7)
    capture_costs_before = len(pane.capture_seconds)
    for letter in "abcdefghijklmnopqrsu"[:20]:
        typed += letter
        start = time.monotonic()
        pane.type(letter)
        seen = None
        for _ in deadline_loop(2.0, 0):
            lines = pane.lines()
            row = input_row(lines)
            if row is not None and lines[row].rstrip() == f"› {typed}":
                seen = time.monotonic()
                break
        if seen is None:
            missed += 1
        else:
            latencies.append((seen - start) * 1000)
        control_typed += letter
        start = time.monotonic()
        control.type(letter)
        shown = 2000.0
        for _ in deadline_loop(2.0, 0):
            if control.lines()[0].rstrip() == control_typed:
                shown = (time.monotonic() - start) * 1000
                break
        control_latencies.append(shown)
        time.sleep(rng.uniform(0.2, 0.6))
    pane.keys("C-u")
    control.stop()
    panes.remove(control)
    capture_ms = statistics.median(pane.capture_seconds[capture_costs_before:]) * 1000
    # Still streaming: a spinner on the tab bar in one of a few looks (it turns between frames).
    streaming_during_keys = False
    for _ in range(10):
        if any(c in pane.screen().split("\n")[0] for c in SPINNER):
            streaming_during_keys = True
            break
        time.sleep(0.1)

    # Until every reply has ended (no spinner on the tab bar).
    def all_ended(screen):
        first = screen.split("\n")[0]
        status = status_bar(screen)
        return "1:t1" in first and not any(c in first for c in SPINNER) and (" · idle" in status or " · error" in status)
    final = pane.wait(all_ended, 300, 1.0)
    ended = time.monotonic() - t0
    time.sleep(1.5)
    sampling.clear()
    sampler.join(5)
    final = pane.screen() if final is not None else None

    if latencies:
        median, worst = statistics.median(latencies), max(latencies)
        control_worst = max(control_latencies)
        record("1 ten tabs: key echo", f"median {median:.0f} ms, max {worst:.0f} ms over {len(latencies)} keys"
               f"{f', {missed} never shown' if missed else ''} (target 50 ms; includes tmux send-keys + capture-pane "
               f"polling, one capture ~{capture_ms:.0f} ms); cat in tmux meanwhile: median "
               f"{statistics.median(control_latencies):.0f} ms, max {control_worst:.0f} ms"
               f"{'' if streaming_during_keys else '; streams had ended!'}",
               missed == 0 and median <= 50 and streaming_during_keys
               and (worst <= 50 + 2 * capture_ms or worst <= control_worst + 50))
    else:
        record("1 ten tabs: key echo", "no key was ever shown", False)

    # Every tab ended complete: no error mark, ten conversations of 2 messages, w12000 in each.
    problems = []
    if final is None:
        problems.append(f"still streaming after {ended:.0f} s")
    else:
        bar, status = final.split("\n")[0], status_bar(final)
        if "!" in bar:
            problems.append(f"tab bar {bar.strip()!r}")
        if "error" in status:
            problems.append(f"status {status.strip()!r}")
    conversations = home.history()
    counts = sorted(c["messages"] for c in conversations)
    if len(conversations) != 10 or counts != [2] * 10:
        problems.append(f"history: {len(conversations)} conversations, messages {counts}")
    incomplete = []
    kept_bytes = 0
    for conversation in conversations:
        text = home.export(conversation["id"])
        kept_bytes += len(text.encode())
        if "w12000" not in text or "*Interrupted" in text or "*Failed" in text:
            incomplete.append(conversation["bot"])
    if incomplete:
        problems.append(f"incomplete replies: {', '.join(incomplete)}")
    exit_status = pane.quit_status()
    if exit_status != 0:
        problems.append(f"Ctrl+D exit status {exit_status}")
    record("1 ten tabs: all complete", f"10 × 12,000 words sent in {sent:.1f} s, all ended at {ended:.0f} s; "
           + ("; ".join(problems) if problems else "10 conversations × 2 messages, each ends at w12000, no error mark, exit 0"),
           not problems)

    # RSS: the first 10 s of streaming against the last 10 s. The replies are kept (their text,
    # its layout, the wrapped lines), so memory may grow with them, and with nothing else: at
    # most 3 MB plus 10 bytes per byte of reply text kept.
    if os.environ.get("SOAK_VERBOSE"):
        print("  RSS MB by second: " + " ".join(f"{v / 1024:.1f}" for _, v in samples), flush=True)
    stream_samples = [(t, v) for t, v in samples if t <= ended]
    first = [v for t, v in stream_samples if t < 10]
    last = [v for t, v in stream_samples if t >= ended - 10]
    if first and last:
        a, b = statistics.mean(first) / 1024, statistics.mean(last) / 1024
        peak = max(v for _, v in samples) / 1024
        growth = (b - a) / a * 100
        kept_mb = kept_bytes / 1_048_576
        allowed = 3 + 10 * kept_mb
        record("1 ten tabs: RSS flat", f"first 10 s {a:.1f} MB, last 10 s {b:.1f} MB ({growth:+.0f}%), max {peak:.1f} MB, "
               f"{len(samples)} samples over {ended:.0f} s; {kept_mb:.2f} MB of replies kept, growth allowed {allowed:.1f} MB",
               final is not None and b - a <= allowed)
    else:
        record("1 ten tabs: RSS flat", f"too few RSS samples ({len(samples)})", False)


# 2. Resize storm while streaming --------------------------------------------------------------

def resize_storm():
    home = Home("resize")
    server = Server(home, 200, max_seconds=300)
    home.config(server.url, [("count", "count")])
    pane, pid = start_client(home, ["count"], "count · idle")
    pane.type("6000")
    pane.keys("Enter")
    if pane.wait_text("w20 ", 15) is None:
        raise CheckFailed("the reply did not start")
    rng = random.Random(20240601)
    sizes = [(1, 1), (300, 100)] + [(rng.randint(1, 300), rng.randint(1, 100)) for _ in range(398)]
    start = time.monotonic()
    for columns, rows in sizes:
        pane.tmux("resize-window", "-t", "main", "-x", str(columns), "-y", str(rows))
        time.sleep(rng.uniform(0, 0.01))   # now and then the client gets to draw at a size
    storm = time.monotonic() - start
    pane.tmux("resize-window", "-t", "main", "-x", "120", "-y", "40")
    shown = pane.wait(lambda s: s.split("\n")[0].startswith(" 1:count") and status_bar(s).startswith(" count · ")
                      and len(s.rstrip("\n").split("\n")) == 40, 5, 0.05)
    # Still streaming when the storm ended (so every resize hit a live stream).
    streaming_after = shown is not None and status_bar(shown).startswith(" count · streaming")
    problems = []
    if not alive(pid):
        problems.append("the client died")
    if shown is None:
        screen = pane.screen().rstrip("\n").split("\n")
        problems.append(f"bars not shown at 120x40: top {screen[0][:40]!r}, bottom {screen[-1][:60]!r}")
    # Once the reply ends, the screen must be what a full redraw draws.
    idle = pane.wait(lambda s: status_bar(s).startswith(" count · idle") or " · error" in status_bar(s), 120, 0.5)
    if idle is None:
        problems.append("the reply never ended")
    time.sleep(0.5)
    before = pane.screen()
    pane.keys("C-l")
    time.sleep(1.0)
    after = pane.screen()
    if before != after:
        differing = [i for i, (x, y) in enumerate(zip(before.split("\n"), after.split("\n"))) if x != y]
        problems.append(f"screen differs from its Ctrl+L redraw in rows {differing[:8]}")
    stored = home.export()
    complete = "w6000" in stored and "*Interrupted" not in stored and "*Failed" not in stored
    exit_status = pane.quit_status()
    if exit_status != 0:
        problems.append(f"Ctrl+D exit status {exit_status}")
    record("2 resize storm", f"400 resizes in {storm:.1f} s{' mid-stream' if streaming_after else ' (stream ended first!)'}; "
           + ("; ".join(problems) if problems else "alive, tab bar + status bar at 120x40, screen = redraw, exit 0")
           + f"; reply {'complete' if complete else 'NOT complete'}",
           not problems and streaming_after)


# 3. Every fault in the TUI --------------------------------------------------------------------

# fault, bot, what should become of the reply:
#   complete: the fault is benign; failed: nothing came, an error line says why;
#   interrupted: text came, then the fault cut it; key: the key form; ratelimit: waits, then complete.
FAULTS = [
    ("drop-after=5", "story", "interrupted"),
    ("status=500", "echo", "failed"),
    ("status=503,retry-after=1", "echo", "failed"),
    ("status=429,retry-after=2", "echo", "failed"),
    ("status=401", "echo", "key"),
    ("status=403", "echo", "failed"),
    ("html-error", "echo", "failed"),
    ("stall=3", "echo", "complete"),
    ("byte-writes", "echo", "complete"),
    ("error-event-after=5", "story", "interrupted"),
    ("crlf", "echo", "complete"),
    ("no-done", "echo", "interrupted"),
    ("json-label", "echo", "complete"),
    ("no-content-type", "echo", "complete"),
    ("payload-as-data", "docs", "complete"),
    ("keep-open", "docs", "complete"),
    ("rate-limit=1,rate-window=3", "echo", "ratelimit"),
]


def transcript(lines):
    """The conversation's rows: between the tab bar and the input box."""
    row = input_row(lines)
    return lines[1:row if row is not None else -1]


def last_reply(lines, bot):
    """The rows of the last reply (under its `bot HH:MM` header, up to a blank row), joined."""
    rows = transcript(lines)
    start = max((i for i, l in enumerate(rows) if re.match(rf"^{re.escape(bot)} \d\d:\d\d", l)), default=None)
    if start is None:
        return ""
    block = []
    for row in rows[start + 1:]:
        if not row.strip():
            break
        block.append(row.strip())
    return " ".join(block)


def reply_ended(bot):
    def check(screen):
        status = status_bar(screen)
        return status.startswith(f" {bot} · idle") or status.startswith(f" {bot} · error") or "private agent" in screen
    return check


def fault_session(fault, bot, expect):
    home = Home("fault")
    rate = 400 if bot == "story" else 0      # the story's 1,500 words in ~4 s; the rest at once
    server = Server(home, rate, fault=fault, max_seconds=120)
    home.config(server.url, [(bot, bot)])
    pane, pid = start_client(home, [bot], f"{bot} · idle")
    prompt = f"soak {fault.split('=')[0]} probe"
    prompts = [prompt, prompt + " again"] if expect == "ratelimit" else [prompt]
    notes, shown_texts = [], []
    began = time.monotonic()
    for number, text in enumerate(prompts):
        pane.type(text)
        pane.keys("Enter")
        # The prompt is in the transcript, then the reply ends (a stable idle or error, or the key form).
        # (A private agent's key form takes the tab at once: the prompt is checked after Esc.)
        saw_prompt = pane.wait(lambda s: any(line.rstrip() == text for line in transcript(s.split("\n")))
                               or (expect == "key" and "private agent" in s), 10, 0.02)
        if saw_prompt is None:
            notes.append("prompt never shown")
        deadline = time.monotonic() + 60
        ended = None
        while time.monotonic() < deadline:
            screen = pane.screen()
            if expect == "ratelimit" and number == 1 and re.search(r"[Rr]ate limit", screen):
                shown_texts.append("rate limit said")
            if reply_ended(bot)(screen):
                time.sleep(0.4)
                again = pane.screen()
                if reply_ended(bot)(again):
                    ended = again
                    break
            time.sleep(0.05)
        if ended is None:
            notes.append(f"reply did not end in 60 s ({status_bar(pane.screen()).strip()[:60]!r})")
            break
    took = time.monotonic() - began
    screen = pane.screen()
    lines = screen.split("\n")
    body = "\n".join(transcript(lines))
    ok = not notes

    shown = ""
    if expect == "key":
        shown = "key form" if "private agent" in screen else ""
        pane.keys("Escape")
        after = pane.wait(lambda s: "private agent" not in s, 5, 0.05) or pane.screen()
        body = "\n".join(transcript(after.split("\n")))
        if "/key" in body:
            shown += ", then error line"
        else:
            notes.append("no error line after Esc")
    elif expect == "failed":
        error_text = last_reply(lines, bot)
        if re.search(r" — (press Ctrl\+R to retry|/model|/key)", error_text):
            shown = f"error “{error_text[:70]}…”"
        if "<html" in body.lower() or "<!doctype" in body.lower():
            notes.append("raw HTML on screen")
    elif expect == "interrupted":
        marker = next((l.strip() for l in transcript(lines) if "[interrupted:" in l), "")
        shown = f"“{marker[:70]}”" if marker else ""
    else:
        if "[interrupted:" in body or "Ctrl+R to retry" in body or " · error" in status_bar(screen):
            notes.append("reported a failure for a benign fault")
        if bot == "docs":
            shown = "complete, sources listed" if "[1] Managing API keys" in body and "[2] Private agents" in body else ""
            if not shown:
                notes.append("cited sources not shown")
        else:
            shown = "complete" if re.search(r"\d+ tokens \(", body) else ""
        if expect == "ratelimit":
            if "rate limit said" in shown_texts:
                shown += ", rate limit said while it waited"
            else:
                notes.append("the rate limit was never said")
    if not shown.startswith(("key", "error", "“", "complete")):
        notes.append("nothing shown")

    # What the store holds: the prompt, and the reply (kept and marked when cut).
    stored = home.export()
    if prompt not in stored or not any(line.rstrip() == prompt for line in body.split("\n")):
        notes.append("typed text not kept (store or screen)")
    state = "complete"
    if "*Interrupted" in stored:
        state = "interrupted"
    elif "*Failed" in stored:
        state = "failed"
    kept = ""
    if expect == "interrupted":
        try:
            messages = json.loads(home.export(fmt="json")).get("messages", [])
            reply = next((m.get("content", "") for m in reversed(messages) if m.get("role") == "assistant"), "")
        except (ValueError, AttributeError):
            reply = ""
        words = reply.split()
        if not words:
            notes.append("no partial reply kept")
        else:
            kept = f", partial kept ({len(reply)} chars)"
            if words[0] not in body:
                notes.append("partial reply not on screen")
        if state != "interrupted":
            notes.append(f"stored as {state}, not interrupted")
    elif expect in ("complete", "ratelimit") and state != "complete":
        notes.append(f"stored as {state}")
    elif expect in ("failed", "key") and state != "failed":
        notes.append(f"stored as {state}")

    alive_before_quit = alive(pid)
    exit_status = pane.quit_status()
    if not alive_before_quit or exit_status != 0:
        notes.append(f"Ctrl+D exit status {exit_status}")
    figure = f"{shown or 'nothing shown'}{kept}; prompt kept; stored {state}; {took:.1f} s; exit {exit_status}"
    if notes:
        figure += " — " + "; ".join(notes)
    record(f"3 fault {fault}", figure, not notes and ok)


def every_fault():
    for fault, bot, expect in FAULTS:
        try:
            fault_session(fault, bot, expect)
        except CheckFailed as failure:
            record(f"3 fault {fault}", f"could not run: {failure}".replace("\n", " ")[:300], False)
        finally:
            for pane in list(panes):
                pane.stop()
                panes.remove(pane)


# 4. Killed mid-reply --------------------------------------------------------------------------

def reply_text(lines):
    """The words of the story's reply on screen: the rows under its header, before the input."""
    rows = transcript(lines)
    start = next((i for i, l in enumerate(rows) if re.match(r"^story \d\d:\d\d", l)), None)
    if start is None:
        return ""
    return " ".join(" ".join(rows[start + 1:]).replace("▌", " ").split())


def killed(how):
    home = Home("kill")
    server = Server(home, 20, max_seconds=300)
    home.config(server.url, [("story", "story")])
    pane, pid = start_client(home, ["story"], "story · idle")
    pane.type("go")
    pane.keys("Enter")
    if pane.wait_text("The lighthouse keeper", 15, 0.02) is None:
        raise CheckFailed("no reply on screen")
    time.sleep(1.0)
    first = reply_text(pane.lines())
    time.sleep(0.7)
    second = reply_text(pane.lines())
    t = time.monotonic()
    if how == "kill-pane":
        pane.tmux("kill-pane", "-t", "main")
    else:
        os.kill(pid, {"SIGKILL": signal.SIGKILL, "SIGHUP": signal.SIGHUP, "SIGTERM": signal.SIGTERM}[how])
    for _ in deadline_loop(10, 0.01):
        if not alive(pid):
            break
    gone = not alive(pid)
    exit_took = time.monotonic() - t
    exit_status = None
    if how != "kill-pane" and gone:
        screen = pane.wait(lambda s: "EXITED=" in s, 3, 0.05)
        exit_status = int(re.search(r"EXITED=(\d+)", screen).group(1)) if screen else None

    def stored_reply():
        text = home.export()
        marked = "*Interrupted" in text
        # The reply: after the story's header in the Markdown export, without the export's marks.
        parts = re.split(r"\n#+ [^\n]*[Ss]tory[^\n]*\n", text)
        body = parts[-1] if len(parts) > 1 else text
        body = "\n".join(l for l in body.split("\n") if not l.startswith("> *"))
        return " ".join(body.split()), marked, text

    stored, marked, raw = stored_reply()
    notes = []
    if not gone:
        notes.append("the client did not exit in 10 s")
    if not first:
        notes.append("no reply text in the first capture")
    elif first not in stored:
        lost = [w for w in first.split() if w not in stored.split()]
        notes.append(f"text shown 0.7 s before the signal is not stored (missing e.g. {lost[:5]}; stored {len(stored)} chars)")
    second_saved = bool(second) and second in stored
    reopened = ""
    if how == "SIGKILL":
        before = "marked" if marked else "not yet marked"
        # The next read-write opening of the store marks it.
        pane.stop()
        panes.remove(pane)
        pane, _ = start_client(home, ["story"], "story · ")
        pane.quit_status()
        stored_after, marked, raw = stored_reply()
        reopened = f"{before} before the store was reopened, {'marked' if marked else 'NOT marked'} interrupted after"
        if first and first not in stored_after:
            notes.append("text lost when the store was reopened")
    if not marked:
        notes.append("the reply is not marked interrupted")
    figure = (f"exited in {exit_took:.2f} s{f' (status {exit_status})' if exit_status is not None else ''}; "
              f"{len(first)} chars shown 0.7 s before: {'all stored' if first and first in stored else 'NOT all stored'}; "
              f"last capture: {'all stored' if second_saved else 'not all stored (allowed)'}; "
              f"{reopened or ('marked interrupted' if marked else 'NOT marked interrupted')}")
    if notes:
        figure += " — " + "; ".join(notes)
    record(f"4 killed: {how}", figure, not notes)


def all_kills():
    for how in ("SIGKILL", "SIGHUP", "kill-pane", "SIGTERM"):
        try:
            killed(how)
        except CheckFailed as failure:
            record(f"4 killed: {how}", f"could not run: {failure}".replace("\n", " ")[:300], False)
        finally:
            stop_panes_and_servers()


def main():
    version = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
    load = open("/proc/loadavg").read().split()[:3]
    print(f"tinytalk soak: {binary} (version {version}), {os.cpu_count()} cores, load {' '.join(load)}", flush=True)
    only = os.environ.get("SOAK_ONLY", "")    # e.g. SOAK_ONLY=3,4 runs only those checks
    checks = [("1", "1 ten tabs streaming", ten_tabs), ("2", "2 resize storm", resize_storm),
              ("3", "3 every fault", every_fault), ("4", "4 killed mid-reply", all_kills)]
    for key, name, function in checks:
        if not only or key in only.split(","):
            run_check(name, function)

    width = max(len(c) for c, _, _ in results)
    figures = max(len(f) for _, f, _ in results)
    print()
    print(f"{'check'.ljust(width)} | {'figure'.ljust(figures)} | verdict")
    print(f"{'-' * width}-|-{'-' * figures}-|--------")
    for check, figure, verdict in results:
        print(f"{check.ljust(width)} | {figure.ljust(figures)} | {verdict}")
    failed = sum(1 for _, _, v in results if v != "PASS")
    print()
    print(f"command: {' '.join([sys.executable, *sys.argv])}")
    print(f"binary: {binary}, tinytalk --version: {version}")
    print(f"{len(results)} checks, {failed} failed, {time.monotonic() - started:.0f} s; load at the end "
          f"{' '.join(open('/proc/loadavg').read().split()[:3])}")
    return 1 if failed else 0


if __name__ == "__main__":
    def interrupted(number, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, interrupted)
    try:
        status = main()
    except KeyboardInterrupt:
        status = 130
    finally:
        cleanup()
    sys.exit(status)
