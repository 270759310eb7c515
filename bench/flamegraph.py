#!/usr/bin/env python3
"""A flame graph (SVG) and the top symbols from `perf script` output, for bench/profile.sh.

    perf script -i perf.data | flamegraph.py --svg flame.svg --top 5 --title "…" > top.md

Debian 12 packages neither Brendan Gregg's FlameGraph scripts nor the d3 template that
`perf script report flamegraph` needs, so this renders the graph itself: one box per call path,
as wide as its share of the samples, callers below callees. The top list counts each sample
for the function it was in (perf report's "self"), as a Markdown table."""
import argparse
import collections
import html
import re
import sys
import zlib

# A sample starts with a line that is not indented ("comm pid/tid time: period event:"); its
# frames follow, innermost first ("\t ffffffff81000000 symbol+0x1f (/path/to/dso)").
FRAME = re.compile(r"^\s+[0-9a-f]+\s+(.*?)(?:\+0x[0-9a-f]+)?\s+\((.*)\)\s*$")


def samples(lines, keep_comm):
    """(thread name, frames outermost first) per sample."""
    comm, frames = None, []
    for line in lines:
        if not line.strip():
            if comm is not None and frames and (keep_comm is None or comm.startswith(keep_comm)):
                yield comm, frames[::-1]
            comm, frames = None, []
        elif not line[0].isspace():
            comm = line.split()[0]
        else:
            match = FRAME.match(line)
            if match:
                symbol, dso = match.groups()
                if symbol == "[unknown]":
                    symbol = "[" + dso.rsplit("/", 1)[-1] + "]"
                frames.append(symbol)
    if comm is not None and frames and (keep_comm is None or comm.startswith(keep_comm)):
        yield comm, frames[::-1]


class Node:
    def __init__(self):
        self.count = 0
        self.children = collections.defaultdict(Node)


def short(symbol):
    """The symbol without its argument list and template arguments, for labels."""
    depth, out = 0, []
    for c in symbol:
        if c in "<(":
            depth += 1
        elif c in ">)":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(c)
    return "".join(out) or symbol


def color(symbol):
    hue = zlib.crc32(short(symbol).encode()) % 55  # reds to yellows, stable per function
    return f"hsl({hue}, 80%, 60%)"


def render(root, title, width=1200, row=16):
    depth = lambda node: 1 + max((depth(child) for child in node.children.values()), default=0)
    rows = depth(root)
    height = (rows + 2) * row
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="monospace" font-size="11">',
           f'<text x="{width / 2}" y="{row - 3}" text-anchor="middle" font-size="13">'
           f"{html.escape(title)}</text>"]
    total = root.count

    def draw(name, node, x, level):
        w = width * node.count / total
        if w < 0.3:
            return
        y = height - (level + 1) * row
        label = short(name)
        fits = int(w / 7)
        text = label if len(label) <= fits else (label[: fits - 2] + ".." if fits > 3 else "")
        out.append(f'<g><title>{html.escape(name)} ({node.count} samples, '
                   f"{100 * node.count / total:.2f}%)</title>"
                   f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row - 1}" '
                   f'fill="{color(name)}"/>'
                   f'<text x="{x + 2:.1f}" y="{y + row - 4}">{html.escape(text)}</text></g>')
        child_x = x
        for child_name, child in sorted(node.children.items()):
            draw(child_name, child, child_x, level + 1)
            child_x += width * child.count / total

    draw("all", root, 0, 0)
    out.append("</svg>")
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--svg", help="write the flame graph here")
    parser.add_argument("--title", default="CPU")
    parser.add_argument("--top", type=int, default=5, help="print this many top symbols")
    parser.add_argument("--comm", help="only samples of threads whose name starts with this")
    args = parser.parse_args()
    root = Node()
    self_counts = collections.Counter()
    for _, frames in samples(sys.stdin, args.comm):
        root.count += 1
        node = root
        for frame in frames:
            node = node.children[frame]
            node.count += 1
        self_counts[frames[-1]] += 1
    if not root.count:
        sys.exit("flamegraph.py: no samples in the input")
    if args.svg:
        open(args.svg, "w").write(render(root, args.title))
    print("| symbol | self |")
    print("|---|---|")
    for symbol, count in self_counts.most_common(args.top):
        print(f"| `{short(symbol)}` | {100 * count / root.count:.1f}% |")


if __name__ == "__main__":
    main()
