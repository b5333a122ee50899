#!/usr/bin/python3
"""Holds a network's state lock the way Sources/VNetState/StateLock.swift does: flock(LOCK_EX) on
<dataDir>/<network>/lock, then the holder record {"pid", "verb", "since"} written into the file.

    lockholder.py LOCKPATH [VERB]

Prints "held <pid>" once it holds the lock, then waits for a line on stdin (or at most 300 s), empties the
record and releases the lock, as a plugin leaving its critical section does.
"""
import datetime
import fcntl
import json
import os
import select
import sys


def main():
    path = sys.argv[1]
    verb = sys.argv[2] if len(sys.argv) > 2 else "stress-holder"
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    since = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    record = json.dumps({"pid": os.getpid(), "verb": verb, "since": since}).encode()
    os.ftruncate(fd, 0)
    os.pwrite(fd, record, 0)
    print(f"held {os.getpid()}", flush=True)
    select.select([sys.stdin], [], [], 300)
    os.ftruncate(fd, 0)
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)


if __name__ == "__main__":
    main()
