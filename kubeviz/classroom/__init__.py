"""Classroom mode: one presenter drives a session, many followers watch it live.

See docs/classroom.md for the design (owner process, fan-out, roles) and the
messages this package adds to the websocket protocol.
"""
