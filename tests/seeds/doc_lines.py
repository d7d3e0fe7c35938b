#!/usr/bin/env python3
"""Helpers of the seeds test: pull the command lines out of the user's
Markdown documents, and compare `image list` style output with the output
the documents show.

  doc_lines.py extract DOC.md      one JSON object per command line:
      {"doc", "line", "kind", "cmd", "expect"}
      kind: run   ours to run (mcumgr, imgtool, scripts, export DEVICE=...)
            skip  not ours to run (west, nrfjprog, go install, ls, ...)
      expect: the output the document shows for the line, or null
  doc_lines.py tsv DOC.md          the same as tab-separated lines:
      kind, line, command, expected output (newlines as \x1e)
  doc_lines.py slots FILE          image list output -> JSON
      {"image=0 slot=0": {"version": ..., "flags": ..., ...}, ...}
  doc_lines.py compare EXPECTED ACTUAL
      prints one line per documented field that differs:
      "<slot> <field>: document '<x>', ours '<y>'"
"""
import json
import re
import sys

# First words of lines that are ours to run.
OURS = re.compile(r"^(mcumgr|imgtool|export|(\./)?scripts/[\w.-]+\.sh|\./[\w.-]+\.sh)(\s|$)")
# First words of lines that are not ours to run (other tools, the shell).
NOT_OURS = ("west", "nrfjprog", "JLinkExe", "go", "pip", "pip3", "ls", "lsof",
            "mode", "cd", "mkdir", "echo")
# "1. Build release: ./scripts/x.sh" -> "./scripts/x.sh"
LIST_PREFIX = re.compile(r"^\d+\.\s+(?:[A-Z][\w /-]*:\s+)?")
OUTPUT_MARK = re.compile(r"^(expected output|output|should output|you'll see progress)\s*:?\s*(.*)$",
                         re.IGNORECASE)


def strip_trailing_comment(line):
    """Drops a ` # comment` that is outside quotes."""
    quote = None
    for i, c in enumerate(line):
        if quote:
            if c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        elif c == "#" and i > 0 and line[i - 1].isspace():
            return line[:i].rstrip()
    return line


def classify(text):
    """(kind, command) of one logical line of a code block, or None (prose)."""
    t = LIST_PREFIX.sub("", text.strip())
    if not t or t.startswith("#"):
        return None
    if OURS.match(t):
        return "run", strip_trailing_comment(t)
    first = t.split()[0]
    if first in NOT_OURS:
        return "skip", t
    return None


def extract(path, tsv=False):
    lines = open(path, encoding="utf-8").read().split("\n")
    out = []
    in_block = False
    last = None          # the last command, to attach its documented output
    collecting = False   # inside "# Output:" comment lines
    prose_since = []     # prose between blocks ("**Output:**")
    block_lines = []
    i = 0
    while i < len(lines):
        raw = lines[i]
        if raw.strip().startswith("```"):
            if not in_block:
                in_block = True
                block_start = i
                block_lines = []
                collecting = False
                # a block right after "**Output:**" is the output of the last command
                is_output = any("output" in p.lower() for p in prose_since) and last is not None \
                    and raw.strip() == "```"
                prose_since = []
                if is_output:
                    j = i + 1
                    body = []
                    while j < len(lines) and not lines[j].strip().startswith("```"):
                        body.append(lines[j])
                        j += 1
                    last["expect"] = "\n".join(body)
                    i = j + 1
                    in_block = False
                    continue
            else:
                in_block = False
            i += 1
            continue
        if not in_block:
            if raw.strip():
                prose_since.append(raw)
                # inline code spans in prose that are command lines of ours
                # (a command line: `./x.sh ...`, one with arguments, or
                # one the text says to run; not a bare name like `mcumgr`)
                for m in re.finditer(r"`([^`]+)`", raw):
                    span = m.group(1).strip()
                    said_run = re.search(r"\b(run|try|test update)\s*:?\s*$",
                                         raw[:m.start()], re.IGNORECASE)
                    if OURS.match(span) and not span.startswith("export") and \
                            (span.startswith("./") or " " in span or said_run):
                        out.append({"doc": path, "line": i + 1, "kind": "run",
                                    "cmd": span, "expect": None, "inline": True})
            i += 1
            continue
        # inside a code block: join continuation lines
        lineno = i + 1
        text = raw
        while text.rstrip().endswith("\\") and i + 1 < len(lines):
            i += 1
            text = text.rstrip()[:-1].rstrip() + " " + lines[i].strip()
        i += 1
        stripped = text.strip()
        if stripped.startswith("#!"):
            continue
        if stripped.startswith("#"):
            comment = stripped[1:].strip()
            m = OUTPUT_MARK.match(comment)
            if m and last is not None:
                collecting = True
                if m.group(2):
                    last["expect"] = m.group(2)
                    collecting = False
                continue
            if collecting and last is not None:
                # "# ..." lines stand for more output; keep them (the
                # comparison skips what it cannot read)
                if comment:
                    last["expect"] = (last["expect"] + "\n" if last["expect"] else "") + stripped[2:]
                continue
            continue
        c = classify(stripped)
        collecting = False
        if c is None:
            continue
        entry = {"doc": path, "line": lineno, "kind": c[0], "cmd": c[1], "expect": None}
        out.append(entry)
        last = entry if c[0] == "run" else None
    for e in out:
        if tsv:
            # kind TAB line TAB command TAB expected output (newlines as RS)
            print("\t".join([e["kind"], str(e["line"]), e["cmd"],
                             (e["expect"] or "").replace("\n", "\x1e")]))
        else:
            print(json.dumps(e))


def parse_slots(text):
    """image list output -> {"image=0 slot=N": {field: value}}"""
    slots = {}
    cur = None
    for line in text.split("\n"):
        line = line.split("←")[0].rstrip()
        m = re.match(r"^\s*(image=\d+ slot=\d+)\s*$", line)
        if m:
            cur = slots.setdefault(m.group(1), {})
            continue
        if cur is None:
            continue
        if "<No image installed>" in line:
            cur["empty"] = "true"
            continue
        m = re.match(r"^\s+(version|bootable|flags|hash):\s*(.*)$", line)
        if m:
            cur[m.group(1)] = m.group(2).strip()
    return slots


def compare(expected, actual):
    exp = parse_slots(expected)
    act = parse_slots(actual)
    for slot, fields in exp.items():
        got = act.get(slot)
        if got is None:
            print("%s: document shows it, ours does not" % slot)
            continue
        for k, v in fields.items():
            if k == "hash":
                continue  # the documents show placeholders
            if got.get(k, "") != v:
                print("%s %s: document '%s', ours '%s'" % (slot, k, v, got.get(k, "")))


def main():
    if sys.argv[1] == "extract":
        extract(sys.argv[2])
    elif sys.argv[1] == "tsv":
        extract(sys.argv[2], tsv=True)
    elif sys.argv[1] == "slots":
        print(json.dumps(parse_slots(open(sys.argv[2]).read())))
    elif sys.argv[1] == "compare":
        compare(open(sys.argv[2]).read(), open(sys.argv[3]).read())
    else:
        sys.exit(2)


if __name__ == "__main__":
    main()
