"""Drives a full-screen program in a private tmux server, as a person at a terminal would: type keys, read
the screen back with capture-pane, wait (bounded) until some text shows. Each Tmux has its own socket, so
tests never see the user's tmux sessions or each other's, and kill() removes the whole server."""
import os
import secrets
import shlex
import signal
import subprocess
import time


class Tmux:
    def __init__(self, command, width=120, height=40, env=None):
        self.socket = "vnet-e2e-" + secrets.token_hex(4)
        self.width, self.height = width, height
        environment = {"TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        environment.update(env or {})
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in environment.items())
        # `exec env ...`: the pane's process is the program itself (pane_pid is its pid). remain-on-exit
        # keeps the pane after the program ends, so a test can read how it ended.
        shell = f"exec env {exports} {command}"
        self.socket_path = os.path.join(os.environ.get("TMUX_TMPDIR", "/tmp"), f"tmux-{os.getuid()}", self.socket)
        # The options go with the same command, so they hold even for a program that exits at once.
        self._tmux("-f", "/dev/null", "new-session", "-d", "-x", str(width), "-y", str(height), "-s", "e2e", shell,
                   ";", "set-option", "-g", "remain-on-exit", "on", ";", "set-option", "-g", "status", "off")

    def _tmux(self, *args, check=True):
        return subprocess.run(["tmux", "-L", self.socket, *args], check=check, capture_output=True, text=True)

    def send(self, *keys):
        """tmux key names (Enter, Tab, Escape, Down, C-l) or literal strings typed one by one."""
        for key in keys:
            self._tmux("send-keys", "-t", "e2e", key)

    def type(self, text):
        self._tmux("send-keys", "-t", "e2e", "-l", text)

    def screen(self):
        return self._tmux("capture-pane", "-p", "-t", "e2e", check=False).stdout

    def pane(self, field):
        return self._tmux("display-message", "-p", "-t", "e2e", "#{" + field + "}", check=False).stdout.strip()

    def pid(self):
        value = self.pane("pane_pid")
        return int(value) if value.isdigit() else None

    def dead(self):
        return self.pane("pane_dead") == "1"

    def exit_status(self):
        """The program's exit status, or -N when signal N ended it; None while it runs."""
        value = self.pane("pane_dead_status")
        if value.lstrip("-").isdigit():
            return int(value)
        value = self.pane("pane_dead_signal")
        return -int(value) if value.isdigit() else None

    def resize(self, width, height):
        self.width, self.height = width, height
        self._tmux("resize-window", "-t", "e2e", "-x", str(width), "-y", str(height))

    def wait_for(self, predicate, timeout=10.0, what="the screen"):
        """Polls the screen until predicate(screen) holds on a settled screen (two captures in a row
        alike: tmux may be caught halfway through a frame the program is still writing); returns that
        screen, or fails showing the last one."""
        deadline = time.time() + timeout
        last = None
        while True:
            screen = self.screen()
            if predicate(screen) and screen == last:
                return screen
            if time.time() >= deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}; the screen was:\n{screen}")
            last = screen
            time.sleep(0.04)

    def wait_text(self, text, timeout=10.0):
        return self.wait_for(lambda s: text in s, timeout, repr(text))

    def wait_gone(self, text, timeout=10.0):
        return self.wait_for(lambda s: text not in s, timeout, f"{text!r} to go away")

    def wait_dead(self, timeout=10.0):
        """Waits until the program has exited and tmux has its status. The pane turns dead when the pty
        closes, a moment before tmux reaps the process and learns how it ended; Debian's tmux (built with
        libutempter) sometimes misses that SIGCHLD and leaves the program a zombie (tmux issues #311 and
        #4559), so a dead pane without a status gets its own server nudged with SIGCHLD."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.dead():
                if self.exit_status() is not None:
                    return True
                server = self.pane("pid")
                if server.isdigit():
                    os.kill(int(server), signal.SIGCHLD)
            time.sleep(0.1)
        return self.dead() and self.exit_status() is not None

    def kill(self):
        """Ends the server (the program gets SIGHUP) and removes its socket, which tmux leaves behind."""
        self._tmux("kill-server", check=False)
        if os.path.exists(self.socket_path):
            try:
                os.unlink(self.socket_path)
            except FileNotFoundError:
                pass
