"""A tiny web app served on 127.0.0.1 for capture tests: a form, a button that changes state, a
list that grows, a button that pops an alert. Its effects are big flat colours, easy to find
in pixels."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = b"""<!doctype html>
<html><head><meta charset="utf-8"><title>Tiny app</title>
<style>
  * { box-sizing: border-box; }
  body { margin: 0; font: 22px sans-serif; background: #fff; color: #111; }
  form { position: absolute; left: 40px; top: 40px; }
  #name { width: 420px; height: 48px; font: 28px monospace; padding: 4px 8px;
          border: 2px solid #444; caret-color: transparent; }
  button { height: 56px; font: 22px sans-serif; border: 0; color: #fff; }
  #save { position: absolute; left: 560px; top: 36px; width: 160px; background: #2255cc; }
  #add { position: absolute; left: 760px; top: 36px; width: 180px; background: #7a3db8; }
  #boom { position: absolute; left: 980px; top: 36px; width: 160px; background: #aa2222; }
  #status { position: absolute; left: 40px; top: 140px; width: 400px; height: 120px;
            background: #bbbbbb; }
  #status.saved { background: #00a000; }
  ul { position: absolute; left: 560px; top: 140px; margin: 0; padding: 0; list-style: none; }
  li { width: 300px; height: 40px; margin: 0 0 10px; background: #ff8800; }
</style></head>
<body>
<form onsubmit="event.preventDefault(); save();">
  <label for="name" style="position:absolute; left:-9999px">Name</label>
  <input id="name" autocomplete="off">
</form>
<button id="save" onclick="save()">Save</button>
<button id="add" onclick="add()">Add item</button>
<button id="boom" onclick="alert('boom')">Danger</button>
<div id="status"></div>
<ul id="list"></ul>
<script>
  function save() { document.getElementById('status').className = 'saved'; }
  function add() { document.getElementById('list').appendChild(document.createElement('li')); }
</script>
</body></html>
"""


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.split("?")[0] not in ("/", "/index.html"):
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serve() -> Iterator[str]:
    """The app on a free 127.0.0.1 port; yields its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
