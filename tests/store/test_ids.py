"""Ids made where a record is born (`store_db.models.new_id`): UUIDv7 text, in the order they
were made, never the same twice, in this process or in a process forked from it."""

from __future__ import annotations

import os
import uuid

from store_db.models import new_id


def test_ids_are_uuid7_in_the_order_they_were_made_and_never_repeat() -> None:
    made = [new_id() for _ in range(1000)]  # several fetches of the OS's random bytes
    parsed = [uuid.UUID(i) for i in made]
    assert all(u.version == 7 and u.variant == uuid.RFC_4122 for u in parsed)
    assert [str(u) for u in parsed] == made
    assert made == sorted(made) and len(set(made)) == len(made)
    assert len({u.int & ((1 << 62) - 1) for u in parsed}) == len(made)  # the random bits differ


def test_a_forked_process_makes_ids_of_its_own() -> None:
    new_id()  # random bytes fetched and waiting in this process
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child's side
        os.close(read)
        os.write(write, new_id().encode())
        os._exit(0)
    os.close(write)
    theirs = os.read(read, 64).decode()
    os.close(read)
    os.waitpid(child, 0)
    ours = new_id()
    assert uuid.UUID(theirs).int & ((1 << 62) - 1) != uuid.UUID(ours).int & ((1 << 62) - 1)
