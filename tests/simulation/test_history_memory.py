"""What a session's history costs in memory, step after step."""

from __future__ import annotations

import random
import sys

from simulation import Cluster
from simulation.history import pack_random, unpack_random


def test_a_packed_random_state_restores_the_generator_exactly():
    """The packed state gives back the same numbers as the state itself."""
    rng = random.Random(7)
    rng.random()
    rng.gauss(0, 1)  # leaves a gauss_next behind
    packed = pack_random(rng.getstate())
    expected = [rng.random() for _ in range(5)]
    rng.setstate(unpack_random(packed))
    assert [rng.random() for _ in range(5)] == expected


def test_a_checkpoint_keeps_the_random_state_in_a_few_kilobytes():
    """625 Python ints were 25 KB a checkpoint, one every 50 steps for good."""
    cluster = Cluster(seed=3)
    _version, words, _gauss = cluster.history.checkpoints[0][3]
    assert sys.getsizeof(words) < 3_000
