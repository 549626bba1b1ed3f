"""A headless Chromium driven over the Chrome DevTools Protocol, for the
report's browser tests: load a page, record console errors and every request,
read the DOM with JavaScript, take a screenshot, print to PDF.

Debian's `chromium` package (./dev test installs it when it can);
`websocket-client` speaks the protocol.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from types import TracebackType
from typing import Any, NamedTuple

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--remote-debugging-port=0",
    "--window-size=1280,900",
)


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class PageLoad(NamedTuple):
    url: str
    errors: list[str]  # console errors, uncaught exceptions, error log entries
    requests: list[str]  # every URL the page requested
    failed: list[str]  # requests that failed


class Chromium:
    """One browser with one tab; a context manager that stops the browser."""

    def __init__(self, executable: str) -> None:
        import websocket

        self._profile = tempfile.mkdtemp(prefix="kb-chromium-")
        self._process = subprocess.Popen(
            [executable, *CHROMIUM_FLAGS, f"--user-data-dir={self._profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port = self._port()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as reply:
            targets = json.loads(reply.read())
        page = next(t for t in targets if t["type"] == "page")
        self._socket = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True
        )
        self._next_id = 0
        self._events: list[dict[str, Any]] = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")

    def _port(self) -> int:
        marker = os.path.join(self._profile, "DevToolsActivePort")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if os.path.exists(marker):
                with open(marker, encoding="utf-8") as handle:
                    first = handle.readline().strip()
                if first:
                    return int(first)
            if self._process.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError("chromium did not open its DevTools port")

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        ident = self._next_id
        self._socket.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self._socket.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            if "method" in message:
                self._events.append(message)

    def _wait_for(self, event: str) -> None:
        while not any(e["method"] == event for e in self._events):
            message = json.loads(self._socket.recv())
            if "method" in message:
                self._events.append(message)

    def load(self, url: str) -> PageLoad:
        """Open a page and wait for its load event; what it logged and requested."""
        for address in ("about:blank", url):  # a new document, even for another #fragment
            self._events = []
            self.call("Page.navigate", url=address)
            self._wait_for("Page.loadEventFired")
        self.evaluate("1")  # let pending events arrive
        return PageLoad(url, self._errors(), self._requests(), self._failed())

    def _errors(self) -> list[str]:
        found = []
        for e in self._events:
            params = e.get("params", {})
            if e["method"] == "Runtime.exceptionThrown":
                found.append(str(params["exceptionDetails"].get("text")))
            elif e["method"] == "Runtime.consoleAPICalled" and params.get("type") == "error":
                found.append(json.dumps(params.get("args")))
            elif e["method"] == "Log.entryAdded" and params["entry"].get("level") == "error":
                found.append(str(params["entry"].get("text")))
        return found

    def _requests(self) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self._events
            if e["method"] == "Network.requestWillBeSent"
        ]

    def _failed(self) -> list[str]:
        ids = {
            e["params"]["requestId"]: e["params"]["request"]["url"]
            for e in self._events
            if e["method"] == "Network.requestWillBeSent"
        }
        return [
            f"{ids.get(e['params']['requestId'], '?')}: {e['params'].get('errorText')}"
            for e in self._events
            if e["method"] == "Network.loadingFailed"
        ]

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (JSON-serialisable)."""
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: str) -> str:
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as handle:
            handle.write(base64.b64decode(data))
        return path

    def pdf(self) -> bytes:
        data = self.call("Page.printToPDF", preferCSSPageSize=True, printBackground=True)["data"]
        return base64.b64decode(data)

    def close(self) -> None:
        try:
            self._socket.close()
        finally:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
            shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
