#!/usr/bin/env python3
"""Worst-case stack of a firmware image from GCC's call graphs.

Usage: stack_report.py ELF CI_DIR...

Reads every .ci file (gcc -fcallgraph-info=su) under the CI_DIRs, keeps the
functions the ELF really contains, and prints the deepest path of stack
frames from the reset handler, and from each exception handler the image
installs. An indirect call (a function pointer: flash callbacks, SMP
handlers, the log hook) counts as the deepest function that is only ever
called through a pointer. A call back into a function already on the path is
not followed (direct recursion is reported). Functions without figures (the C
library's, e.g. memcpy) count 0 and are listed.

Prints the worst case in bytes on the first line, then what it is made of
and what it could not see, one note a line.
"""
import os
import re
import subprocess
import sys

NODE = re.compile(r'node: \{ title: "([^"]+)" label: "([^"]*)"')
EDGE = re.compile(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"')
SIZE = re.compile(r'\\n(\d+) bytes \(([a-z,]+)\)')
# (fault_report: the body of the naked HardFault_Handler)
HANDLERS = ("NMI_Handler", "fault_report", "SysTick_Handler")
# An exception stacks 8 words, 26 with the FPU's lazy context (hard float).
EXC_FRAME = 104
INDIRECT = "__indirect_call"


def short(title):
    return title.rsplit(":", 1)[-1]


def elf_functions(elf):
    out = subprocess.run(["arm-none-eabi-nm", elf], capture_output=True, text=True,
                         check=True).stdout
    return {line.split()[2] for line in out.splitlines()
            if len(line.split()) == 3 and line.split()[1] in "tTwW"}


def read_graphs(dirs, present):
    frames, calls, dynamic = {}, {}, set()
    for d in dirs:
        for base, _, files in os.walk(d):
            for f in files:
                if f.endswith(".ci"):
                    read_one(os.path.join(base, f), present, frames, calls, dynamic)
    return frames, calls, dynamic


def read_one(path, present, frames, calls, dynamic):
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            m = NODE.match(line)
            if m:
                name = short(m.group(1))
                size = SIZE.search(m.group(2))
                if size and name in present:
                    frames[name] = max(frames.get(name, 0), int(size.group(1)))
                    if "dynamic" in size.group(2) and "bounded" not in size.group(2):
                        dynamic.add(name)
                continue
            m = EDGE.match(line)
            if m:
                src, dst = short(m.group(1)), short(m.group(2))
                calls.setdefault(src, set()).add(dst)


def main():
    elf, dirs = sys.argv[1], sys.argv[2:]
    present = elf_functions(elf)
    frames, calls, dynamic = read_graphs(dirs, present)
    called = {t for src, ts in calls.items() if src in frames for t in ts}
    # only ever called through a pointer: the candidates of an indirect call
    pointer_only = sorted(f for f in frames
                          if f not in called and f not in HANDLERS and f != "Reset_Handler")
    unknown, recursion = set(), set()  # recursion: cycles cut
    memo = {}

    def depth(fn, path):
        if fn == INDIRECT:
            return max((depth(t, path) for t in pointer_only), default=0)
        if fn in path:
            recursion.add(fn)
            return 0
        if fn in memo:
            return memo[fn]
        if fn not in frames:
            unknown.add(fn)
            return 0
        path.add(fn)
        deepest = max((depth(t, path) for t in sorted(calls.get(fn, ()))), default=0)
        path.discard(fn)
        memo[fn] = frames[fn] + deepest
        return memo[fn]

    def direct_cycles():
        """Functions that call themselves through direct calls only."""
        found = set()

        def walk(fn, path):
            for t in sorted(calls.get(fn, ())):
                if t in path:
                    found.add(t)
                elif t in frames and t not in seen:
                    seen.add(t)
                    walk(t, path | {t})
        seen = set()
        for f in sorted(frames):
            walk(f, {f})
        return found

    reset = depth("Reset_Handler", set())
    handlers = sum(depth(h, set()) + EXC_FRAME for h in HANDLERS if h in frames)
    notes = []
    recursive = direct_cycles()
    if recursive:
        notes.append("recursion (not followed): " + ", ".join(sorted(recursive)))
    if dynamic:
        notes.append("dynamic frames: " + ", ".join(sorted(dynamic)))
    libc = sorted(f for f in unknown if f in present)
    if libc:
        notes.append("no figures (C library, counted 0): " + ", ".join(libc[:8]))
    print(reset + handlers)
    print("reset path %d, exception handlers %d (frames included)" % (reset, handlers))
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
