"""A loopback HTTP server for download tests: real sockets, fixed answers per path."""

from __future__ import annotations

import http.server
import threading


class LoopbackServer:
    """Answers from a dict of path -> list of (status, body); 404 for any other path.

    A path with several answers gives them in turn, then keeps giving the last one; every
    requested path is recorded in ``hits``.
    """

    def __init__(self, routes: dict[str, list[tuple[int, bytes]]]) -> None:
        self.routes = routes
        self.hits: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits.append(self.path)
                answers = server.routes.get(self.path, [(404, b"not found")])
                status, body = answers.pop(0) if len(answers) > 1 else answers[0]
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        """Stop serving and free the port."""
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
