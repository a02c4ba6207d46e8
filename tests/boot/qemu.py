"""Drive a QEMU guest over its serial console (stdio), expect-style."""
import os
import re
import select
import subprocess
import time

PROMPT_TAIL = "> "  # the shell prompt "eyn> " always ends with this
QEMU = "qemu-system-i386"


class GuestError(Exception):
    pass


class Guest:
    """One QEMU instance; output is accumulated and searched with expect()."""

    def __init__(self, kernel=None, iso=None, mem=32, append=None, initrd=None, extra=()):
        cmd = [QEMU, "-m", str(mem), "-display", "none", "-serial", "stdio",
               "-monitor", "none", "-no-reboot"]
        if iso:
            cmd += ["-cdrom", iso]
        else:
            cmd += ["-kernel", kernel]
            if append:
                cmd += ["-append", append]
            if initrd:
                cmd += ["-initrd", initrd]
        cmd += list(extra)
        self.cmd = cmd
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, bufsize=0)
        self.out = ""
        self.mark = 0  # expect() searches from here

    def _pump(self, timeout):
        r, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not r:
            return False
        data = os.read(self.proc.stdout.fileno(), 65536)
        if not data:
            return None
        self.out += data.decode("latin-1").replace("\r", "")
        return True

    def expect(self, pattern, timeout=30):
        """Wait for regex pattern after the mark; return the match and move the mark past it."""
        deadline = time.time() + timeout
        rx = re.compile(pattern, re.M)
        while True:
            m = rx.search(self.out, self.mark)
            if m:
                self.mark = m.end()
                return m
            left = deadline - time.time()
            if left <= 0:
                raise GuestError("timeout waiting for %r; last output:\n%s" % (pattern, self.out[-1500:]))
            if self._pump(min(left, 0.5)) is None:
                raise GuestError("guest exited waiting for %r; last output:\n%s" % (pattern, self.out[-1500:]))

    def prompt(self, timeout=60):
        """Wait until the shell prompt is printed and the guest waits."""
        return self.expect(re.escape("eyn" + PROMPT_TAIL) + r"$", timeout)

    def send(self, line):
        self.proc.stdin.write(line.encode() + b"\r")
        self.proc.stdin.flush()

    def run(self, line, timeout=60):
        """Type a command, return everything it printed before the next prompt."""
        self.send(line)
        start = self.mark
        self.prompt(timeout)
        text = self.out[start:self.mark]
        # drop the echoed command line and the prompt
        text = text.split("\n", 1)[1] if "\n" in text else ""
        return text[: text.rfind("eyn" + PROMPT_TAIL)] if ("eyn" + PROMPT_TAIL) in text else text

    def wait_exit(self, timeout=30):
        """Wait for QEMU to exit on its own; return the whole output."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self._pump(0.5) is None:
                break
        else:
            raise GuestError("guest did not exit; last output:\n" + self.out[-1500:])
        self.proc.wait(timeout=5)
        return self.out

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass
