"""A small, static flame graph (SVG) from py-spy's raw output, for docs/ (docs/performance.md, issue 17).

    .venv/bin/py-spy record -p <server pid> -f raw -o /tmp/check.txt --nonblocking   # while the benchmark runs
    .venv/bin/python bench/flame.py /tmp/check.txt docs/flame-separation-check.svg \\
        --only RequestResponseCycle.run_asgi --title "POST /api/v1/separation/check"

py-spy's own SVG (`-f flamegraph`) draws every frame and carries its script: several hundred KB for a benchmark.
This one keeps the stacks that contain `--only` (the requests; not start-up, not the sync), cuts each stack at that
frame, merges frames narrower than `--min-width` of the total into their parent, and writes plain rectangles with a
tooltip (<title>) each: readable in a browser or an image viewer, without JavaScript.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path

FRAME = re.compile(r"^(?P<name>.*?) \((?P<file>[^()]*?):(?P<line>\d+)\)$")
WIDTH, ROW, FONT = 1200, 17, 11


@dataclass
class Node:
    name: str
    samples: int = 0
    children: dict[str, Node] = field(default_factory=dict)


def short(frame: str) -> str:
    """`function (path/to/module.py:12)` → `function (module.py)`: one box per function, whatever the line."""
    match = FRAME.match(frame)
    if not match:
        return frame
    file = match["file"].split("site-packages/")[-1]
    return f"{match['name']} ({file.rsplit('/', 1)[-1]})"


def build(lines: list[str], only: str | None) -> Node:
    root = Node("all")
    for line in lines:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        if only is not None:
            starts = [i for i, f in enumerate(frames) if only in f]
            if not starts:
                continue
            frames = frames[starts[0] :]
        node = root
        node.samples += int(count)
        for frame in frames:
            name = short(frame)
            node = node.children.setdefault(name, Node(name))
            node.samples += int(count)
    return root


def render(root: Node, title: str, min_share: float) -> str:
    rects: list[str] = []
    depth_max = [0]
    total = root.samples or 1

    def walk(node: Node, x: float, depth: int) -> None:
        width = node.samples / total * WIDTH
        depth_max[0] = max(depth_max[0], depth)
        y_top = depth  # rows from the top; flipped below
        share = 100 * node.samples / total
        label = html.escape(node.name)
        hue = 20 + zlib.crc32(node.name.split(" (")[-1].encode()) % 40  # by module: stable between runs
        rects.append(
            f"<g><title>{label}: {node.samples} samples, {share:.1f} %</title>"
            f'<rect x="{x:.1f}" y="{{y{y_top}}}" width="{max(width - 0.5, 0.5):.1f}" height="{ROW - 1}" '
            f'fill="hsl({hue},85%,{55 + depth % 3 * 5}%)"/>'
            + (
                f'<text x="{x + 3:.1f}" y="{{t{y_top}}}">{html.escape(_fit(node.name, width))}</text>'
                if width > 30
                else ""
            )
            + "</g>"
        )
        child_x = x
        for child in sorted(node.children.values(), key=lambda c: -c.samples):
            if child.samples / total < min_share:
                continue
            walk(child, child_x, depth + 1)
            child_x += child.samples / total * WIDTH

    walk(root, 0.0, 0)
    height = (depth_max[0] + 1) * ROW + 40
    body = "\n".join(rects)
    for depth in range(depth_max[0] + 1):
        y = height - 10 - (depth + 1) * ROW  # the root at the bottom, callees above (the usual flame graph)
        body = body.replace(f"{{y{depth}}}", str(y)).replace(f"{{t{depth}}}", str(y + ROW - 5))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'font-family="monospace" font-size="{FONT}">\n'
        f'<rect width="100%" height="100%" fill="#fff"/>\n'
        f'<text x="4" y="16" font-size="14">{html.escape(title)} ({root.samples} samples)</text>\n'
        f"{body}\n</svg>\n"
    )


def _fit(name: str, width: float) -> str:
    chars = int(width / (FONT * 0.62))
    return name if len(name) <= chars else name[: max(chars - 2, 1)] + ".."


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("raw", type=Path, help="py-spy record -f raw output")
    p.add_argument("svg", type=Path)
    p.add_argument("--only", help="keep stacks containing this frame, cut there (e.g. RequestResponseCycle.run_asgi)")
    p.add_argument("--title", default="flame graph")
    p.add_argument("--min-width", type=float, default=0.003, help="smallest share of the total drawn (0.003)")
    args = p.parse_args(argv)
    root = build(args.raw.read_text().splitlines(), args.only)
    if not root.samples:
        print("no samples matched", file=sys.stderr)
        return 1
    args.svg.write_text(render(root, args.title, args.min_width))
    print(f"{args.svg}: {root.samples} samples, {args.svg.stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
