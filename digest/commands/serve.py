"""``digest serve``: preview the site with live reload."""

from __future__ import annotations

import argparse

from digest.commands import add_site_args

ORDER = 20


def _port(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= n <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 0-65535 (0 picks a free one), got {n}")
    return n


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "serve",
        help="preview the site at http://127.0.0.1:8000/, rebuilding and reloading on change",
        description="Build the site into .digest-cache/preview/ (never public/; kept for "
        "the next preview) and serve it, "
        "under the path of base_url as when deployed. Changes to site.yaml, content/, "
        "templates/, themes/ and static/ rebuild the site and reload the browser; a failed "
        "build shows its errors in the browser until fixed.",
    )
    add_site_args(p)
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; 0.0.0.0 exposes the preview "
        "to your network). Requests are answered only for this name, 127.0.0.1, localhost "
        "and [::1] (with 0.0.0.0: also IP addresses and this machine's name), so other "
        "web sites cannot read the preview through DNS rebinding",
    )
    p.add_argument(
        "--port", "-p", type=_port, default=8000, help="port (default 8000; 0 picks a free one)"
    )
    p.add_argument("--open", action="store_true", help="open the preview in a web browser")
    p.add_argument(
        "--poll",
        action="store_true",
        help="find changes by looking at every file a few times a second, not by the "
        "system's notifications (for network drives and shared folders of containers or "
        "virtual machines, whose changes are not notified)",
    )
    return p


def run(args: argparse.Namespace) -> int:
    from digest.serve import serve

    return serve(
        args.config,
        host=args.host,
        port=args.port,
        base_url=args.base_url,
        drafts=args.drafts,
        open_browser=args.open,
        polling=args.poll,
    )
