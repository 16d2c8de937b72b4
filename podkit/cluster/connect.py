"""Joining a Ray cluster: Ray imported only here, a bounded wait, one-line errors.

Ray's own ``ray.init(address=...)`` waits minutes for a cluster that is not there, printing
retries; podkit first checks that something answers at the address (``timeout`` seconds),
so a wrong address is one line and exit 2.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import socket
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError

log = logging.getLogger(__name__)

INSTALL = "pip install 'podkit[cluster]'"


def import_ray() -> Any:
    """The ``ray`` module (typed loosely: Ray's own hints do not cover its decorators), or
    a ConfigError saying what to install."""
    try:
        return importlib.import_module("ray")
    except ImportError:
        raise ConfigError(
            f"--cluster needs Ray, which is not installed here; install it with {INSTALL} "
            "(the same version on every node of the cluster)"
        ) from None


def split_address(address: str) -> tuple[str, int] | None:
    """``HOST:PORT`` (``ray://HOST:PORT`` too; an IPv6 host in brackets) as (host, port);
    None when the address has no port."""
    rest = address.removeprefix("ray://").rstrip("/")
    host, sep, port = rest.rpartition(":")
    if not sep or not host or not port.isdigit():
        return None
    return host.strip("[]"), int(port)


def _bootstrap(ray: Any, address: str) -> str:
    """Where Ray itself will connect for ``address`` (``auto``: RAY_ADDRESS, else the
    cluster ``ray start`` last started on this node). A ConfigError when there is none."""
    if address != "auto":
        return address  # checked as given (Ray would rewrite a loopback address to this node's)
    try:
        services = importlib.import_module("ray._private.services")
        found = services.canonicalize_bootstrap_address(address)
    except (AttributeError, ImportError):  # another Ray's internals: check the address as given
        return os.environ.get("RAY_ADDRESS", "") if address == "auto" else address
    except ConnectionError:
        found = None
    except ValueError as exc:
        raise ConfigError(f"--cluster {address}: {exc}; give HOST:PORT, ray://HOST:PORT or auto") from None
    if not found:
        raise ConfigError(
            "--cluster auto: no Ray cluster was started on this node; start one with 'ray start --head' "
            "or give its address as --cluster HOST:PORT"
        )
    return str(found)


def check_reachable(address: str, target: str, timeout: float) -> None:
    """Something must answer at ``target`` within ``timeout`` seconds."""
    parsed = split_address(target)
    if parsed is None:
        raise ConfigError(
            f"--cluster {address}: give HOST:PORT (the head's GCS port, 6379 by default), ray://HOST:PORT or auto"
        )
    try:
        with socket.create_connection(parsed, timeout=timeout):
            pass
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise ConfigError(
            f"no Ray cluster answers at {target} ({reason}, waited up to {timeout:g} s); start one with "
            "'ray start --head' and give its address, or check the address and the firewall"
        ) from None


@dataclass
class Connection:
    """This process joined to a cluster (``ray`` is the module)."""

    ray: Any
    address: str
    owned: bool  # podkit called ray.init, so podkit shuts the connection down

    def resources(self) -> dict[str, float]:
        """The cluster's resources in all (CPU, GPU, memory, custom ones) as Ray counts them."""
        return {str(k): float(v) for k, v in self.ray.cluster_resources().items()}

    def close(self) -> None:
        if self.owned:
            with contextlib.suppress(Exception):
                self.ray.shutdown()


def connect(address: str, *, timeout: float = 10.0, verbose: bool = False) -> Connection:
    """Join the Ray cluster at ``address`` (``auto``, ``HOST:PORT`` or ``ray://HOST:PORT``).
    Joined already (a program that called ``ray.init`` itself): that connection is used."""
    ray = import_ray()
    if ray.is_initialized():
        return Connection(ray, address, owned=False)
    target = _bootstrap(ray, address)
    check_reachable(address, target, timeout)
    try:
        ray.init(
            address=address,
            namespace="podkit",
            log_to_driver=verbose,  # workers' own logs: Ray keeps them in its session folder
            logging_level=logging.INFO if verbose else logging.ERROR,
        )
    except Exception as exc:  # noqa: BLE001 - Ray raises many kinds here; each is one line for the user
        raise ConfigError(f"cannot join the Ray cluster at {target}: {exc.__class__.__name__}: {exc}") from None
    log.info("joined the Ray cluster at %s: %s", target, ray.cluster_resources())
    return Connection(ray, address, owned=True)
