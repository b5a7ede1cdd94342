"""placeholder"""

from __future__ import annotations

from .parser import Flag

FLAGS = (Flag("container", "c", "str"), Flag("stdin", "i"), Flag("tty", "t"))


def run(cluster, args):
    raise NotImplementedError
