"""The Transcriber actors: one per worker slot of the cluster, each running one job at a time.

A ``Transcriber`` loads its Whisper model once, when it starts (the engine keeps it for the
life of the actor's process), and then runs whatever stage job the driver sends it: a plain
function and its argument, pickled by reference, so this package needs nothing of the
runner. It asks Ray for ``ActorSpec``'s resources: its CPUs (as many threads as the engine
then uses), a GPU where the show transcribes on CUDA, and any custom resource (a test's
stand-in for a GPU).

A job whose actor dies (its node removed, its process killed) comes back as ``Done.lost``
at once, and the driver sends it again to an actor that is alive. Ray restarts the lost actor
itself (``max_restarts``) wherever the cluster has room (at once on its own node when only
its process died) and the pool waits for it to be ready again (its ``ready`` call is retried
by Ray until the actor is back), then gives it jobs. The job itself is not left to Ray's
retry on the same actor (``max_task_retries`` is 0 for ``run``): when a node is gone for
good, the restart waits for a free slot the surviving actors hold, and so would the job, for
good. An actor out of restarts is replaced by a new one while ``replacements`` last.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from .connect import import_ray

log = logging.getLogger(__name__)

T = TypeVar("T")
A = TypeVar("A")
R = TypeVar("R")


@dataclass(frozen=True)
class ActorSpec:
    """What each Transcriber asks Ray for, and the model it loads when it starts."""

    cpus: float = 1.0
    gpus: float = 0.0
    resources: tuple[tuple[str, float], ...] = ()  # custom resources, (name, amount)
    engine: str = "faster-whisper"
    model: str = "tiny.en"
    device: str = "cpu"
    threads: int | None = None
    restarts: int = 3  # times Ray restarts a lost actor (its process killed, its node gone)

    def options(self) -> dict[str, Any]:
        """``ActorClass.options(...)``: resources, restarts by Ray, no retry of a job on the
        same actor (the driver sends it to a live one), spread over the nodes."""
        return {
            "num_cpus": self.cpus,
            "num_gpus": self.gpus,
            "resources": dict(self.resources),
            "max_restarts": self.restarts,
            "max_task_retries": 0,
            "scheduling_strategy": "SPREAD",
        }

    def capacity(self, cluster: dict[str, float]) -> int:
        """How many such actors the cluster's resources hold at once."""
        wanted = {"CPU": self.cpus, "GPU": self.gpus, **dict(self.resources)}
        fits = [math.floor(cluster.get(name, 0.0) / amount + 1e-9) for name, amount in wanted.items() if amount > 0]
        return min(fits) if fits else 0


class Transcriber:
    """A Ray actor (``Pool`` wraps the class with ``ray.remote``)."""

    def __init__(self, spec: ActorSpec) -> None:
        self.spec = spec

    def ready(self) -> str:
        """Load the model (a second of silence through the engine), then say which node
        this actor is on. A model that will not load is not fatal here: the transcribe stage
        meets the same error and reports it for the episode."""
        import numpy as np

        from ..transcribe.engines import SAMPLE_RATE, make_engine
        from ..transcribe.models import resolve

        spec = self.spec
        try:
            engine = make_engine(spec.engine, resolve(spec.model), device=spec.device, threads=spec.threads)
            for _ in engine.transcribe(np.zeros(SAMPLE_RATE, dtype=np.float32)).segments:
                pass
        except Exception as exc:  # noqa: BLE001 - reported by the stage that needs the model
            log.warning("could not load %s on this worker: %s", spec.model, exc)
        return str(import_ray().get_runtime_context().get_node_id())

    def run(self, fn: Callable[[A], R], arg: A) -> R:
        return fn(arg)


# What ``ray.method(max_task_retries=-1)`` sets, without importing Ray here: a ``ready`` call
# made while Ray restarts the actor is retried until the actor is back (``Pool.wait``).
Transcriber.ready.__ray_max_task_retries__ = -1  # type: ignore[attr-defined]


@dataclass
class Done(Generic[T]):
    """A job that came back: its ``value``; or ``lost`` (why its actor was lost: send it
    again); or ``error`` (it raised inside the actor: a bug, not the episode's problem)."""

    tag: T
    value: Any = None
    node: str = ""
    lost: str | None = None
    error: str | None = None


@dataclass
class _Actor:
    handle: Any
    node: str = ""


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{exc.__class__.__name__}: {text[0] if text else ''}".strip()


@dataclass
class Pool(Generic[T]):
    """``size`` Transcriber actors made to ``spec``; jobs go to actors that are ready and idle."""

    spec: ActorSpec
    size: int
    ray: Any = field(default_factory=import_ray)
    replacements: int = -1  # lost actors it may replace; -1: twice its size
    _starting: dict[Any, _Actor] = field(default_factory=dict)  # ready() call -> actor
    _idle: list[_Actor] = field(default_factory=list)
    _busy: dict[Any, tuple[_Actor, T]] = field(default_factory=dict)  # run() call -> (actor, tag)
    _class: Any = None

    def __post_init__(self) -> None:
        self._class = self.ray.remote(Transcriber)
        if self.replacements < 0:
            self.replacements = 2 * self.size
        for _ in range(self.size):
            self._start()

    def _start(self) -> None:
        handle = self._class.options(**self.spec.options()).remote(self.spec)
        self._starting[handle.ready.remote()] = _Actor(handle)

    def _restarting(self, actor: _Actor) -> None:
        """A lost actor that Ray restarts: ready again once it is back (it may never be,
        when its node is gone and no other has room: it then stays among the starting)."""
        self._starting[actor.handle.ready.remote()] = actor

    def _replace(self, actor: _Actor) -> None:
        with contextlib.suppress(Exception):
            self.ray.kill(actor.handle, no_restart=True)
        if self.replacements > 0:
            self.replacements -= 1
            self._start()

    @property
    def idle(self) -> int:
        return len(self._idle)

    @property
    def busy(self) -> int:
        return len(self._busy)

    @property
    def starting(self) -> int:
        return len(self._starting)

    @property
    def nodes(self) -> list[str]:
        """The node of each ready actor, idle or busy."""
        return [a.node for a in self._idle] + [a.node for a, _ in self._busy.values()]

    def submit(self, tag: T, fn: Callable[[A], Any], arg: A) -> str:
        """Send ``fn(arg)`` to an idle actor (there must be one); returns its node."""
        actor = self._idle.pop(0)
        self._busy[actor.handle.run.remote(fn, arg)] = (actor, tag)
        return actor.node

    def wait(self, timeout: float) -> list[Done[T]]:
        """The jobs that came back within ``timeout`` seconds (actors that became ready join
        the idle ones)."""
        calls = [*self._starting, *self._busy]
        if not calls:  # no actor left at all: nothing can come back (the caller gives up in time)
            time.sleep(timeout)
            return []
        ready, _ = self.ray.wait(calls, num_returns=1, timeout=timeout)
        if ready:
            ready, _ = self.ray.wait(calls, num_returns=len(calls), timeout=0)
        errors = self.ray.exceptions
        done: list[Done[T]] = []
        for ref in ready:
            if ref in self._starting:
                actor = self._starting.pop(ref)
                try:
                    actor.node = str(self.ray.get(ref))
                except errors.RayError as exc:
                    log.warning("a Transcriber actor did not start: %s", _first_line(exc))
                    self._replace(actor)
                    continue
                self._idle.append(actor)
                continue
            actor, tag = self._busy.pop(ref)
            try:
                value = self.ray.get(ref)
            except errors.RayTaskError as exc:
                self._idle.append(actor)
                done.append(Done(tag, node=actor.node, error=_first_line(exc.cause or exc)))
                continue
            except errors.RayError as exc:  # the actor died, or its node, or the object with it
                log.warning("a Transcriber actor on node %s was lost: %s", actor.node, _first_line(exc))
                if isinstance(exc, errors.ActorUnavailableError):
                    self._restarting(actor)  # Ray restarts it (max_restarts)
                else:
                    self._replace(actor)  # out of restarts, or not an actor's loss: a new one
                done.append(Done(tag, node=actor.node, lost=_first_line(exc)))
                continue
            self._idle.append(actor)
            done.append(Done(tag, value=value, node=actor.node))
        return done

    def close(self) -> None:
        """End every actor (a job still running on one is dropped)."""
        actors = [*self._starting.values(), *self._idle, *(a for a, _ in self._busy.values())]
        for actor in actors:
            with contextlib.suppress(Exception):
                self.ray.kill(actor.handle, no_restart=True)
        self._starting.clear()
        self._idle.clear()
        self._busy.clear()
