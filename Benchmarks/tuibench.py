"""What the full-screen benchmarks share: a release `tinytalk` in a 120x40 tmux pane of its
own, against `tinytalk serve` on loopback, in a home folder of its own; CPU time from /proc.

    bench = TUIBench()            # the binary from argv[1], else .build-release/release/tinytalk
    server, url = bench.start_server(rate)
    pid = bench.run_client(url, bots=["count"], stats=None)
    ...
    bench.quit_client(pid); server.terminate(); bench.close()
"""
import json, os, shutil, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class TUIBench:
    def __init__(self):
        self.binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build-release/release/tinytalk")
        if not os.path.exists(self.binary):
            sys.exit(f"no binary at {self.binary}: build it with "
                     "swift build -c release --static-swift-stdlib --scratch-path .build-release --product tinytalk")
        self.ticks = os.sysconf("SC_CLK_TCK")
        self.runs = 0
        self.socket = f"tt-bench-{os.getpid()}-0"
        self.home = tempfile.mkdtemp(prefix="tt-bench-")
        self.env = dict(os.environ, HOME=self.home, XDG_CONFIG_HOME=f"{self.home}/config",
                        XDG_DATA_HOME=f"{self.home}/data", XDG_STATE_HOME=f"{self.home}/state",
                        TINYTALK_API_KEY="bench-key", TERM="xterm-256color")

    def stop_tmux(self):
        """Stops this run's tmux server and removes its socket, which tmux leaves behind."""
        self.tmux("kill-server")
        folder = os.environ.get("TMUX_TMPDIR", "/tmp")
        try:
            os.remove(f"{folder}/tmux-{os.getuid()}/{self.socket}")
        except FileNotFoundError:
            pass

    def tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, env=self.env).stdout

    def screen(self):
        return self.tmux("capture-pane", "-p", "-t", "main")

    def wait_for(self, text, timeout=30.0, interval=0.002, count=1):
        """Waits until the screen shows `text` at least `count` times; returns when it did."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.screen().count(text) >= count:
                return time.monotonic()
            time.sleep(interval)
        raise SystemExit(f"timed out waiting for {text!r} x{count}:\n{self.screen()}")

    def cpu_seconds(self, pid):
        """CPU time of the whole process, exited threads included: utime + stime from
        /proc/PID/stat, in clock ticks (10 ms here). (Summing the live threads' nanosecond
        figures loses an idle dispatch worker's time when it exits.)"""
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / self.ticks

    def peak_rss_mb(self, pid):
        """The process's peak resident memory (VmHWM), in MB."""
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def chat_reply(self, count=None):
        """The recorded chat-shaped reply (../shared/bench/chat-reply-20000.json), whole or its
        first `count - 1` deltas and its last; the path of a file holding it, or None."""
        source = os.path.join(ROOT, "..", "shared", "bench", "chat-reply-20000.json")
        if not os.path.exists(source):
            return None
        with open(source) as f:
            deltas = json.load(f)
        if count is not None:
            deltas = deltas[: count - 1] + [deltas[-1]]
        path = f"{self.home}/reply-{len(deltas)}.json"
        with open(path, "w") as f:
            json.dump(deltas, f)
        return path

    def client_pid(self):
        shell = self.tmux("display-message", "-p", "-t", "main", "#{pane_pid}").strip()
        for _ in range(200):
            out = subprocess.run(["pgrep", "-P", shell], capture_output=True, text=True).stdout.split()
            if out:
                return int(out[0])
            time.sleep(0.01)
        raise SystemExit("the client did not start")

    def start_server(self, rate, reply_file=None):
        """`tinytalk serve` at `rate` tokens/s (0: as fast as it goes); with `reply_file`, every
        bot answers with the deltas in that JSON array."""
        extra = ["--reply-file", reply_file] if reply_file else []
        server = subprocess.Popen(
            [self.binary, "serve", "--port", "0", "--tokens-per-second", str(rate), "--max-seconds", "300", "--quiet", *extra],
            stdout=subprocess.PIPE, text=True, env=self.env)
        url = server.stdout.readline().split("listening on ")[1].strip()
        return server, url

    def configure(self, url, bots=("count",)):
        """A configuration naming `bots`, each of them the server's `count` bot at `url`."""
        os.makedirs(f"{self.home}/config/tinytalk", exist_ok=True)
        with open(f"{self.home}/config/tinytalk/config.toml", "w") as f:
            f.write(f'endpoint = "{url}"\n')
            for name in bots:
                f.write(f'\n[[bot]]\nname = "{name}"\nid = "count"\n')

    def run_client(self, url, bots=("count",), stats=None):
        """The client with one tab of the first bot; every bot of `bots` talks to the `count` bot."""
        self.configure(url, bots)
        self.stop_tmux()
        self.runs += 1
        self.socket = f"tt-bench-{os.getpid()}-{self.runs}"
        self.tmux("new-session", "-d", "-x", "120", "-y", "40", "-s", "main",
                  f"'{self.binary}' --bot {bots[0]}" + (f" --stats-file '{stats}'" if stats else "") + "; sleep 30")
        self.wait_for(f"{bots[0]} · idle")
        return self.client_pid()

    def keys(self, *keys):
        self.tmux("send-keys", "-t", "main", *keys)

    def quit_client(self, pid):
        self.keys("C-d")
        for _ in range(500):
            if not os.path.exists(f"/proc/{pid}"):
                return
            time.sleep(0.01)

    def close(self):
        self.stop_tmux()
        shutil.rmtree(self.home, ignore_errors=True)
