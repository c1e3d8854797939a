#!/usr/bin/env python3
"""Compare the options a program's --help lists with those its mdoc man page documents.
   man_options.py HELP_FILE PAGE  (the page's source: its `.It Fl ...` lines)
Prints each option missing on one side, naming the side, and exits 1 when any is."""
import re
import sys

HELP_OPT = re.compile(r"^ {1,8}(-[A-Za-z0-9])?(?:, )?(--[a-z][a-z0-9-]*)?")
PAGE_FL = re.compile(r"\bFl (\\-[a-z][a-z0-9-]*|[A-Za-z0-9])(?=\s|$)")


def from_help(text):
    opts = set()
    for line in text.splitlines():
        m = HELP_OPT.match(line)
        if m:
            opts.update(o for o in m.groups() if o)
    return opts


def from_page(text):
    opts = set()
    for line in text.splitlines():
        if line.startswith(".It "):
            for fl in PAGE_FL.findall(line):
                opts.add("-" + fl.replace("\\", ""))
    return opts


def main():
    help_file, page = sys.argv[1], sys.argv[2]
    h = from_help(open(help_file, encoding="utf-8").read())
    p = from_page(open(page, encoding="utf-8").read())
    if not h:
        print(f"{help_file}: no option found in the --help text")
        return 1
    for o in sorted(h - p):
        print(f"{o}: in --help, missing from {page} (add an .It Fl line for it)")
    for o in sorted(p - h):
        print(f"{o}: in {page}, missing from --help")
    return 1 if h != p else 0


if __name__ == "__main__":
    sys.exit(main())
