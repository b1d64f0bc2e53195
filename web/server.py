"""Running the app with uvicorn: in the foreground (``docintake web``) or in a thread beside
the watcher (``docintake serve``)."""

from __future__ import annotations

import socket
import threading

import uvicorn

from docintake.exceptions import SetupError
from docintake.settings import Settings


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so that a taken port fails at once, with a message,
    and not later inside uvicorn's thread."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise SetupError(
            f"Cannot listen on {host}:{port} ({e.strerror or e}); choose another with "
            "--port or DOCINTAKE_WEB_PORT."
        ) from e
    sock.listen(2048)  # uvicorn's backlog; listening now makes the port ours at once
    return sock


def make_server(settings: Settings, host: str, port: int) -> uvicorn.Server:
    from web.app import create_app

    config = uvicorn.Config(
        create_app(settings),
        host=host,
        port=port,
        # X-Forwarded-Proto/For only from a proxy on this machine (uvicorn's default list):
        # https then sets the cookie's Secure flag, and throttling sees the real address.
        proxy_headers=True,
        log_level="info",
    )
    return uvicorn.Server(config)


def run(settings: Settings, host: str, port: int) -> None:
    sock = bind(host, port)
    make_server(settings, host, port).run(sockets=[sock])


def start_in_thread(settings: Settings) -> threading.Thread:
    """The web app in a daemon thread (it ends with the process); uvicorn leaves signal
    handling to the main thread there."""
    sock = bind(settings.web_host, settings.web_port)
    server = make_server(settings, settings.web_host, settings.web_port)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="docintake-web", daemon=True
    )
    thread.start()
    return thread
