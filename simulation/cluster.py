"""The cluster model: a store, an API server, components, a clock, and history."""

from __future__ import annotations

import copy
import random

from . import actions, bootstrap, recorder, view
from .actions import ActionResult
from .apiserver import APIServer
from .component import Component, Outcome
from .config import ClusterConfig
from .context import Context
from .errors import LimitExceeded, SimulationError, UsageError
from .events import Event
from .history import History, Mark
from .state import State
from .store import Store, plural_of_key
from .workqueue import WorkQueue

# Do-nothing reconciles of periodic timers one step() may run before it reports
# that nothing is pending.
MAX_IDLE_PERIODIC = 10_000


class Cluster:
    """A deterministic, steppable Kubernetes cluster.

    `Cluster(seed=…)` boots and settles a cluster; from then on nothing changes unless
    `step()` or `act()` is called. The same seed and the same calls give the same steps,
    names and IPs; `back()` and `seek()` restore earlier steps exactly.
    """

    def __init__(
        self,
        seed: int = 0,
        nodes: int = 2,
        platform: str = "bare-metal",
        cni: str = "overlay",
        runtime: str = "containerd",
        proxy_mode: str = "iptables",
        config: ClusterConfig | None = None,
        control_plane: bool = True,
    ) -> None:
        self.seed = seed
        self.config = config or ClusterConfig(
            platform=platform, cni=cni, runtime=runtime, proxy_mode=proxy_mode
        )
        bootstrap.check_config(self.config, nodes)
        # What this cluster was built from, for a rebuild (`_rebuild`).
        self._built_from = (seed, nodes, copy.deepcopy(self.config), control_plane)
        self.inputs = {
            "seed": seed,
            "nodes": nodes,
            "platform": self.config.platform,
            "cni": self.config.cni,
            "runtime": self.config.runtime,
            "proxyMode": self.config.proxy_mode,
        }
        self.random = random.Random(seed)
        self.store = Store()
        self.time = 0.0
        self.step_no = 0
        self.epoch = 0
        self.events: list[Event] = []
        self.events_forgotten = 0  # steps whose events the history has let go
        self.api = APIServer(self.store, self.config, self.random, lambda: self.time)
        self.components: dict[str, Component] = {}
        for component in bootstrap.components():
            self.components[component.name] = component
        self.state = State.for_components(
            [(c.name, c.initial_memory()) for c in self.components.values()]
            + [(recorder.MEMORY, recorder.initial_memory())]
        )
        self.queue = WorkQueue({c.name: c.priority for c in self.components.values()})
        self._watchers: dict[str, list[Component]] = {}
        for component in self.components.values():
            for plural in component.watches:
                self._watchers.setdefault(plural, []).append(component)
        self.api.watchers.append(self._on_write)
        self.history = History()
        self._network = None
        self.idle = 0  # do-nothing reconciles since the last step
        self._prelude_now: tuple[int, float] = (0, 0.0)
        bootstrap.boot(self, nodes, control_plane)
        self.settle(max_steps=1_000_000, record=False)
        self.events.clear()
        self.step_no = 0
        self.history.checkpoints[0] = self.history.capture(self)

    # --- the Mesa/SimPy-like surface ------------------------------------------
    def step(self) -> Event | None:
        """Advance by one step: the next piece of work that does something."""
        return self._advance(record=True)

    def peek(self) -> float | None:
        """Simulated time of the next queued work, or None when nothing is queued."""
        item = self.queue.peek()
        return item[0] if item else None

    def run(self, until: float) -> list[Event]:
        """Step through the work due by simulated time `until`; the clock ends there."""
        events = []
        while (t := self.peek()) is not None and t <= until:
            event = self._advance(record=True, until=until)
            if event is None:
                break  # nothing due does anything (only idle periodic timers)
            events.append(event)
        self.time = max(self.time, until)
        return events

    def settle(self, max_steps: int = 100_000, record: bool = True) -> list[Event]:
        """Step until only periodic work (e.g. HPA syncs) is left, at most max_steps."""
        events: list[Event] = []
        while len(events) < max_steps and not self.queue.only_periodic():
            event = self._advance(record, idle_stop=True)
            if event is None:
                break
            events.append(event)
        return events

    def back(self, n: int = 1) -> dict | None:
        """Undo `n` steps exactly; returns a delta that takes a view back with it."""
        if self.step_no == 0:
            return None
        return self.seek(max(self.step_no - n, 0))

    def seek(self, step_no: int) -> dict:
        """Go to any step between 0 and the furthest one reached; returns the delta."""
        if not isinstance(step_no, int) or step_no < 0:
            raise UsageError(
                f"error: step must be a whole number >= 0, not {step_no!r}"
            )
        if step_no > self.history.horizon:
            raise UsageError(
                f"error: step {step_no} has not happened yet (the last"
                f" step is {self.history.horizon})"
            )
        start = self.step_no
        rebuild = step_no < start and step_no < self.history.oldest()
        if rebuild:
            touched = set(self.store.all_keys())
            self._rebuild()
        else:
            touched = self._touched(step_no, start)
            if step_no < start:
                _base, state = self.history.nearest(step_no)
                self.history.apply(self, state)
        while self.step_no < step_no:
            event = self.step()
            if event is None:
                break
            if event.step > start:
                touched.update(w.key for w in event.writes)
        if rebuild:
            touched.update(self.store.all_keys())
        return view.delta_for_keys(self, sorted(touched), event=None)

    def mark(self) -> Mark:
        """This moment, to `rollback` to: a step taken tentatively (the web layer
        takes the next step before anybody asks for it) is undone exactly."""
        return self.history.mark(self)

    def rollback(self, mark: Mark) -> None:
        """Undo every step since `mark`, leaving no trace of them in the history."""
        self.history.rollback(self, mark)

    def reset(self) -> None:
        """Back to step 0 and forget the recorded future."""
        self.seek(0)
        self.history.truncate_future(0)

    def act(self, action: dict) -> ActionResult:
        """Carry out a user action (apply, kubectl, fail_node, trace, …) as one step."""
        if not isinstance(action, dict) or not isinstance(action.get("op"), str):
            raise UsageError("error: an action needs an 'op'")
        return self._act(action, new=True)

    def snapshot(self) -> dict:
        return view.snapshot(self)

    def delta(self, event: Event) -> dict:
        return view.delta(self, event)

    @property
    def actions(self) -> list[dict]:
        """The recorded user actions, by the step they became (JSON-ready).

        `time` and `idle` say when the action came and how many do-nothing
        reconciles ran before it, so a replay reproduces the clock exactly.
        """
        entries = []
        for n, action in sorted(self.history.inputs.items()):
            idle, time = self.history.preludes.get(n, (0, None))
            entry = {"step": n, "action": action}
            if time is not None:
                entry["time"], entry["idle"] = time, idle
            entries.append(entry)
        return entries

    @classmethod
    def replay(
        cls, inputs: dict, actions_: list[dict], until: int | None = None
    ) -> Cluster:
        """Rebuild a cluster from its inputs and recorded actions (saved sessions)."""
        cluster = cls(
            seed=inputs.get("seed", 0),
            nodes=inputs.get("nodes", 2),
            platform=inputs.get("platform", "bare-metal"),
            cni=inputs.get("cni", "overlay"),
            runtime=inputs.get("runtime", "containerd"),
            proxy_mode=inputs.get("proxyMode", "iptables"),
        )
        for entry in actions_:
            n = int(entry["step"])
            cluster.history.inputs[n] = entry["action"]
            if isinstance(entry.get("time"), (int, float)):
                idle = entry.get("idle", 0)
                cluster.history.preludes[n] = (
                    idle if isinstance(idle, int) and idle >= 0 else 0,
                    float(entry["time"]),
                )
        cluster.history.horizon = max(cluster.history.inputs, default=0)
        target = cluster.history.horizon if until is None else until
        while cluster.step_no < target and cluster.step() is not None:
            pass
        cluster.history.horizon = max(cluster.history.horizon, cluster.step_no)
        return cluster

    @property
    def network(self):
        """The network model (graph, kube-proxy rules, traces), built on first use."""
        if self._network is None:
            # Deferred: importing simulation.network loads networkx (a quarter of
            # a second), which a cluster that never traces a packet does without.
            from .network import NetworkModel

            self._network = NetworkModel(self)
        return self._network

    # --- internals ------------------------------------------------------------
    def _on_write(self, write) -> None:
        for component in self._watchers.get(plural_of_key(write.key), ()):
            memory = self.state.memory[component.name]
            for key in component.keys_for(write, memory):
                self.queue.push(self.time + component.delay, component.name, key)

    def _advance(
        self, record: bool, until: float | None = None, idle_stop: bool = False
    ) -> Event | None:
        """The next step: a recorded user action (when replaying), else work."""
        n = self.step_no + 1
        replay = self.history.inputs.get(n) if record else None
        if replay is not None:
            self._prelude(self.history.preludes.get(n))
            event = self._act(replay).event
            if event is not None:
                return event
            # Refused now (a saved session's text that a later check rejects):
            # forgotten, so the step is the work that comes next, not a dead end.
            self.history.inputs.pop(n, None)
            self.history.preludes.pop(n, None)
        return self._step(record, until, idle_stop)

    def _step(
        self, record: bool, until: float | None = None, idle_stop: bool = False
    ) -> Event | None:
        """Pop work until an item does something: that item is the step.

        Items that find nothing to do are not steps; `self.idle` counts them so
        that an action taken after them can be replayed after the same ones.
        With `until` or `idle_stop` it stops before work past that time, or when
        only periodic timers are left, rather than run into them.
        """
        start_time = self.time
        idle_periodic, quiet_from = 0, None
        while self.queue:
            head = self.queue.peek()
            if until is not None and head[0] > until:
                return None
            if self.queue.only_periodic():
                if idle_stop:
                    self.time = start_time  # the clock stays at the last step
                    return None
                # Periodic timers never run out: one that keeps finding nothing to
                # do (an HPA whose target is missing) must not spin forever. Past
                # the bound the idle timers are undone (a heap of timers only is
                # cheap to copy), so repeated calls stay cheap and replayable.
                if quiet_from is None:
                    quiet_from = (self.queue.checkpoint(), self.idle)
                elif idle_periodic >= MAX_IDLE_PERIODIC:
                    self.queue.restore(quiet_from[0])
                    self.idle = quiet_from[1]
                    self.time = start_time
                    return None
            time, _prio, _seq, name, key, periodic, _ = self.queue.pop()
            self.time = max(self.time, time)
            component = self.components[name]
            self._begin()
            outcome = component.reconcile(Context(self, component.name), key)
            if outcome is None and not self.api.calls:
                self.idle += 1
                idle_periodic += periodic
                continue
            if outcome is None:
                outcome = _silent(component)
            return self._finish(component.name, outcome, None, record)
        self.time = start_time  # nothing happened: the clock stays at the last step
        return None

    def _prelude(self, prelude: tuple[int, float] | None) -> None:
        """Before replaying an action: the same idle reconciles, the same clock."""
        if prelude is None:
            return
        idle, time = prelude
        for _ in range(idle - self.idle):
            if not self.queue:
                break
            item_time, _p, _s, name, key, _periodic, _ = self.queue.pop()
            self.time = max(self.time, item_time)
            self._begin()
            self.components[name].reconcile(Context(self, name), key)
        self.idle = idle
        self.time = time

    def _act(self, action: dict, new: bool = False) -> ActionResult:
        """Carry out `action`; `new` when the user takes it now rather than a
        recorded one being replayed. Only a new action that becomes a step
        rewrites the recorded future: a read or a refusal keeps it."""
        self._prelude_now = (self.idle, self.time)
        before = self.history.capture(self, share_state=True)
        self._begin()
        try:
            result, outcome = actions.perform(self, action)
        except SimulationError as exc:
            self.history.apply(self, before)
            return ActionResult(ok=False, error=str(exc))
        except RecursionError:  # pathological objects given directly
            self.history.apply(self, before)
            error = LimitExceeded("error: the request is nested too deeply")
            return ActionResult(ok=False, error=str(error))
        except Exception as exc:  # noqa: BLE001 - a model bug must not half-apply
            self.history.apply(self, before)
            return ActionResult(
                ok=False,
                error=f"error: the request could not be carried out"
                f" ({type(exc).__name__}: {exc}); nothing was changed",
            )
        if outcome is None:  # a read, or nothing to change: not a step
            return result
        if new and self.step_no < self.history.horizon:
            self.history.truncate_future(self.step_no)
        result.event = self._finish(outcome.actor, outcome.outcome, action, True)
        return result

    def _begin(self) -> None:
        self.api.calls = []
        self._log_start = len(self.store.log)

    def _finish(self, actor: str, outcome, action: dict | None, record: bool) -> Event:
        self.api.expire_events(recorder.EVENT_TTL)
        self.step_no += 1
        event = Event(
            step=self.step_no,
            time=self.time,
            type=outcome.type,
            actor=actor,
            reason=outcome.reason,
            node=outcome.node,
            concept=outcome.concept,
            api_calls=tuple(self.api.calls),
            writes=tuple(self.store.log[self._log_start :]),
            objects=outcome.objects,
            details=outcome.details,
            quiet=outcome.quiet,
        )
        self.idle = 0
        if record:
            self.events.append(event)
            prelude = self._prelude_now if action is not None else None
            self.history.after_step(self, action, prelude)
        return event

    def _touched(self, first: int, last: int) -> set[str]:
        """Keys written by steps first+1 … last (steps the history still holds)."""
        gone = self.events_forgotten
        events = self.events[max(0, first - gone) : max(0, last - gone)]
        return {w.key for e in events for w in e.writes}

    def _rebuild(self) -> None:
        """Back to step 0 by building the cluster again, keeping its recorded
        actions and horizon: how `seek` reaches a step older than the history's
        oldest checkpoint. The same inputs give the same steps (determinism)."""
        history, epoch = self.history, self.epoch
        seed, nodes, config, control_plane = self._built_from
        Cluster.__init__(
            self,
            seed=seed,
            nodes=nodes,
            config=copy.deepcopy(config),
            control_plane=control_plane,
        )
        history.rebuilt(self.history.checkpoints[0])
        self.history = history
        self.epoch = epoch + 1  # caches keyed by (epoch, revision) start afresh


def _silent(component: Component):
    return Outcome(type="component.sync", reason=f"{component.name} synced its state.")
