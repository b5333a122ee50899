"""Drives a full-screen program in a private tmux server, as a person at a terminal would: type keys, read
the screen back with capture-pane, wait (bounded) until some text shows. Each Tmux has its own socket, so
tests never see the user's tmux sessions or each other's, and kill() removes the whole server."""
import os
import secrets
import shlex
import subprocess
import time


class Tmux:
    def __init__(self, command, width=120, height=40, env=None):
        self.socket = "vnet-e2e-" + secrets.token_hex(4)
        self.width, self.height = width, height
        environment = {"TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        environment.update(env or {})
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in environment.items())
        # `exec env ...` so the pane's process is the program itself (its pid is the pane's pid) and the
        # pane stays open after it exits (remain-on-exit), which lets a test read the last screen and status.
        shell = f"exec env {exports} {command}"
        self._tmux("-f", "/dev/null", "new-session", "-d", "-x", str(width), "-y", str(height), "-s", "e2e", shell)
        self._tmux("set-option", "-t", "e2e", "remain-on-exit", "on")
        self._tmux("set-option", "-t", "e2e", "status", "off")

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

    def lines(self):
        return self.screen().split("\n")

    def pane(self, field):
        return self._tmux("display-message", "-p", "-t", "e2e", "#{" + field + "}", check=False).stdout.strip()

    def pid(self):
        value = self.pane("pane_pid")
        return int(value) if value.isdigit() else None

    def dead(self):
        return self.pane("pane_dead") == "1"

    def exit_status(self):
        value = self.pane("pane_dead_status")
        return int(value) if value.lstrip("-").isdigit() else None

    def resize(self, width, height):
        self.width, self.height = width, height
        self._tmux("resize-window", "-t", "e2e", "-x", str(width), "-y", str(height))

    def wait_for(self, predicate, timeout=10.0, what="the screen"):
        """Polls the screen until predicate(screen) holds; returns the screen or fails with it shown."""
        deadline = time.time() + timeout
        screen = self.screen()
        while time.time() < deadline:
            if predicate(screen):
                return screen
            time.sleep(0.05)
            screen = self.screen()
        if predicate(screen):
            return screen
        raise AssertionError(f"timed out after {timeout}s waiting for {what}; the screen was:\n{screen}")

    def wait_text(self, text, timeout=10.0):
        return self.wait_for(lambda s: text in s, timeout, repr(text))

    def wait_gone(self, text, timeout=10.0):
        return self.wait_for(lambda s: text not in s, timeout, f"{text!r} to go away")

    def wait_dead(self, timeout=10.0):
        deadline = time.time() + timeout
        while time.time() < deadline and not self.dead():
            time.sleep(0.05)
        return self.dead()

    def kill(self):
        self._tmux("kill-server", check=False)
