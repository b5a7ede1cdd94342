"""The model's bookkeeping besides the API objects (simulation/state.py).

Step back is exact only if a checkpoint's copy of the world and of the components'
memory cannot be changed by what happens after it (history.py).
"""

from __future__ import annotations

from simulation.state import State, World


def _state() -> State:
    state = State(World(failed_nodes={"node-1"}, load={"default/web": 1.0}))
    state.memory["kube-scheduler"] = {"unschedulable": {"/registry/pods/a/b"}}
    return state


def test_a_full_copy_keeps_its_maps_when_a_component_changes_its_own_in_place():
    state = _state()
    copy = state.copy()
    state.memory["kube-scheduler"]["unschedulable"].discard("/registry/pods/a/b")
    state.memory["kube-scheduler"]["decisions"] = {}
    state.world.failed_nodes.add("node-2")
    assert copy.memory == {"kube-scheduler": {"unschedulable": {"/registry/pods/a/b"}}}
    assert copy.world.failed_nodes == {"node-1"}


def test_a_shared_copy_keeps_the_world_an_action_replaces():
    """Before an action the checkpoint shares values: the action replaces them."""
    state = _state()
    copy = state.copy(share=True)
    state.world.failed_nodes = state.world.failed_nodes | {"node-2"}
    state.world.load = dict(state.world.load, **{"default/web": 3.0})
    assert copy.world == World(failed_nodes={"node-1"}, load={"default/web": 1.0})


def test_items_name_every_value_once():
    names = [name for name, _value in _state().items()]
    assert names == ["failed_nodes", "failed_at", "load", "unschedulable"]
