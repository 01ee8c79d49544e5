"""Headless Chromium driven through the DevTools protocol over a pipe (no extra package), to
check what a person sees in Phoenix's UI and to click the way they would.

``with Chromium() as browser: page = browser.open(url)``, then ``page.wait_for_text(...)``,
``page.click_text(...)``, ``page.js(...)``. Chromium reads commands on its fd 3 and answers
on fd 4, one JSON message per NUL-terminated chunk.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.system_packages import CHROMIUM, skip_reason

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1600,1000", "--remote-debugging-pipe")
WAIT = 60.0  # seconds for a page to show something (a busy CI machine is slow)


class Page:
    """One tab."""

    def __init__(self, browser: Chromium, session: str) -> None:
        self.browser = browser
        self.session = session

    def js(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited)."""
        reply = self.browser.call("Runtime.evaluate", self.session, expression=expression,
                                  awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in reply:
            raise AssertionError(f"{expression}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def wait_for(self, expression: str, timeout: float = WAIT) -> Any:
        """The first truthy value of ``expression``, polled until ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.js(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"not shown after {timeout:.0f} s: {expression}\npage: "
                                     f"{self.text()[:2000]}")
            time.sleep(0.3)

    def text(self) -> str:
        return self.js("document.body ? document.body.innerText : ''") or ""

    def wait_for_text(self, *texts: str, timeout: float = WAIT) -> str:
        """The page's text once it shows every one of ``texts``."""
        wanted = json.dumps(list(texts))
        self.wait_for(f"!!document.body && {wanted}.every(t => "
                      "document.body.innerText.includes(t))", timeout)
        return self.text()

    def click(self, element: str) -> None:
        """Click (mouse down and up, as a person does) the element ``element`` evaluates to:
        the UI's buttons react to pointer events, not to ``element.click()``."""
        x, y = self.js(f"(() => {{ const e = {element}; e.scrollIntoView({{block: 'center'}});"
                       " const r = e.getBoundingClientRect();"
                       " return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.browser.call("Input.dispatchMouseEvent", self.session, type=kind, x=x, y=y,
                              button="left", clickCount=1)

    def click_text(self, text: str, selector: str = "*") -> None:
        """Click the innermost element matching ``selector`` whose whole text is ``text``."""
        found = (f"[...document.querySelectorAll({json.dumps(selector)})].filter(e => "
                 f"e.innerText && e.innerText.trim() === {json.dumps(text)})")
        self.wait_for(f"{found}.length > 0")
        self.click(f"{found}.sort((a, b) => a.contains(b) ? 1 : b.contains(a) ? -1 : 0)[0]")

    def table(self) -> list[dict[str, str]]:
        """The rows of the page's first table, as header -> cell text."""
        return self.js("""(() => {
            const table = document.querySelector('table');
            if (!table) return [];
            const heads = [...table.querySelectorAll('thead th')].map(h => h.innerText.trim());
            return [...table.querySelectorAll('tbody tr')].map(row => Object.fromEntries(
                [...row.querySelectorAll('td')].map((cell, i) => [heads[i] ?? i,
                                                                 cell.innerText.trim()])));
        })()""") or []


    def wait_for_table(self, check: Callable[[list[dict[str, str]]], bool],
                       timeout: float = WAIT) -> list[dict[str, str]]:
        """The first table's rows once ``check(rows)`` holds."""
        deadline = time.monotonic() + timeout
        while True:
            rows = self.table()
            if check(rows):
                return rows
            if time.monotonic() > deadline:
                raise AssertionError(f"the table never passed the check: {rows[:5]}")
            time.sleep(0.3)


class Chromium:
    """A headless Chromium for the duration of a ``with`` block."""

    def __init__(self) -> None:
        self.executable = shutil.which("chromium")
        if self.executable is None:
            pytest.skip(skip_reason(CHROMIUM))
        self.profile = tempfile.mkdtemp(prefix="judge-align-chromium-")
        self._buffer = b""
        self._next_id = 0

    def __enter__(self) -> Chromium:
        chrome_reads, commands = os.pipe()
        answers, chrome_writes = os.pipe()

        def on_fds_3_and_4() -> None:
            os.dup2(chrome_reads, 3)
            os.dup2(chrome_writes, 4)

        self.process = subprocess.Popen(
            [str(self.executable), *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            pass_fds=(3, 4), preexec_fn=on_fds_3_and_4, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        os.close(chrome_reads)
        os.close(chrome_writes)
        self._out = os.fdopen(commands, "wb", buffering=0)
        self._in = os.fdopen(answers, "rb", buffering=0)
        return self

    def __exit__(self, *exc: object) -> None:
        self._out.close()
        self._in.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send one DevTools command and return its result (events in between are skipped)."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self._out.write(json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self._buffer:
                chunk = self._in.read(1 << 16)
                if not chunk:
                    raise AssertionError("Chromium closed its DevTools pipe")
                self._buffer += chunk
            raw, self._buffer = self._buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise AssertionError(f"{method}: {reply['error']}")
                return reply["result"]

    def open(self, url: str) -> Page:
        """A new tab on ``url``."""
        target = self.call("Target.createTarget", url=url)["targetId"]
        return Page(self, self.call("Target.attachToTarget", targetId=target,
                                    flatten=True)["sessionId"])
