"""A scripted OpenAI-compatible HTTP server on loopback, for backend and runner tests."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class StubState:
    failures: list[int] = field(default_factory=list)  # statuses to return before succeeding
    delay_s: float = 0.0
    reply: str = "Sure, here you go."
    raw_body: bytes | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(state: StubState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with state.lock:
                state.requests.append(body)
                state.headers.append(dict(self.headers))
                state.in_flight += 1
                state.max_in_flight = max(state.max_in_flight, state.in_flight)
                status = state.failures.pop(0) if state.failures else 200
            try:
                time.sleep(state.delay_s)
                if status != 200:
                    self.send_response(status)
                    self.send_header("Retry-After", "0")
                    self.end_headers()
                    self.wfile.write(b'{"error": "scripted"}')
                    return
                payload = (
                    state.raw_body
                    or json.dumps(
                        {
                            "model": body["model"],
                            "choices": [
                                {
                                    "message": {"role": "assistant", "content": state.reply},
                                    "finish_reason": "stop",
                                }
                            ],
                            "usage": {"prompt_tokens": 5, "completion_tokens": 4},
                        }
                    ).encode()
                )
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            finally:
                with state.lock:
                    state.in_flight -= 1

    return Handler


@contextmanager
def openai_stub(state: StubState, *, keep_alive: bool = False) -> Iterator[str]:
    """Serve the stub on loopback; ``keep_alive`` speaks HTTP/1.1 so clients pool connections."""
    handler = _handler(state)
    if keep_alive:
        handler.protocol_version = "HTTP/1.1"
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
