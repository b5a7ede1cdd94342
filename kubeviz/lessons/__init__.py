"""Guided lessons in the browser: the gallery, a lesson's page and its websocket.

One learner, one tab, one `LessonRun`: the socket speaks the session protocol
(docs/protocol.md) about the lesson's cluster, plus the lesson messages of its
"Lesson messages" section. "Try it yourself" swaps in a sandbox copy of the
current moment, which the learner drives like any session while the lesson's
check is evaluated after every change.
"""

from __future__ import annotations
