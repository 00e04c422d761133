"""`docs/performance.md`'s generated part and `docs/performance.png` from a `make bench` JSON.

python -m benchmarks.report build/bench.json docs/performance.md docs/performance.png

The markdown between `<!-- bench:begin -->` and `<!-- bench:end -->` is replaced: the run's
conditions (machine, load average per case), the whole table, and the curves as tables — queue
cases by size (10k / 100k / 1M) and catalog cases by size (1.5k / 10k / 50k). The PNG plots the
same curves (log-log), drawn with matplotlib (a bench-only dependency).
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
_SIZED = re.compile(r"^(queue|catalog) ([\d.]+)k: (.+)$")


def _fmt(value: float | None, unit: str = "ms") -> str:
    if value is None:
        return "—"
    if unit == "%":
        return f"{value:.1f}%"
    return f"{value:.3f}" if value < 1 else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def curves(rows: list[dict[str, Any]]) -> dict[str, dict[str, dict[float, dict[str, Any]]]]:
    """family → case → size (thousands) → row."""
    out: dict[str, dict[str, dict[float, dict[str, Any]]]] = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        m = _SIZED.match(row["case"])
        if m:
            family, size, case = m.group(1), float(m.group(2)), m.group(3)
            case = re.sub(r"depth \d+", "depth n/2", case)
            out[family][case][size] = row
    return out


def _curve_table(family: str, cases: dict[str, dict[float, dict[str, Any]]]) -> list[str]:
    sizes = sorted({s for per in cases.values() for s in per})
    head = ["case", *[f"{s:g}k" for s in sizes], "peer at the largest", "budget"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for case, per in cases.items():
        cells = []
        for s in sizes:
            r = per.get(s)
            if r is None:
                cells.append("—")
                continue
            tail = f" ({_fmt(r['tail'])} {r['tail_kind']})" if r.get("tail") is not None else ""
            mark = " ✗" if r.get("passed") is False else ""
            cells.append(f"{_fmt(r['ours'])}{tail}{mark}")
        last = per[max(per)]
        peer = _fmt(last.get("peer")) if last.get("peer") is not None else "—"
        lines.append(
            f"| {family}: {case} | " + " | ".join(cells) + f" | {peer} | {last['budget']} |"
        )
    return lines


def markdown(data: dict[str, Any], png_name: str) -> str:
    from benchmarks.common import Row
    from benchmarks.run import format_table

    rows = [Row(**{k: v for k, v in r.items() if k != "ratio"}) for r in data["rows"]]
    rows = [Row(**{**r.__dict__, "ours": float("nan") if r.ours is None else r.ours}) for r in rows]
    load = ", ".join(f"{k} {a:.1f}→{b:.1f}" for k, (a, b) in data.get("loadavg", {}).items())
    parts = [
        f"Run: `make bench{' BENCH_ARGS=--full' if data.get('full') else ''}`"
        f"{' (quick mode: figures mean nothing)' if data.get('quick') else ''}, "
        f"{data['seconds']:.0f} s, Python {data['python']}, {data['cpus']} CPUs, "
        f"{data['machine']}.",
        "",
        f"Load average (1 min) before → after each case: {load or 'not recorded'}. "
        "The machine's 2 cores were shared with other work: wall-clock tails include it.",
        "",
        *(
            [f"Crashed (no figures): {', '.join(f'{k} ({v})' for k, v in crashed.items())}.", ""]
            if (crashed := data.get("crashed"))
            else []
        ),
        "```",
        format_table(rows),
        "```",
        "",
        "### Curves",
        "",
        f"![curves]({png_name})",
        "",
    ]
    for family, cases in curves(data["rows"]).items():
        parts += [*_curve_table(family, cases), ""]
    return "\n".join(parts)


def plot(data: dict[str, Any], png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    families = curves(data["rows"])
    fig, axes = plt.subplots(1, max(1, len(families)), figsize=(13, 5.5), squeeze=False)
    for ax, (family, cases) in zip(axes[0], families.items(), strict=False):
        for case, per in cases.items():
            sizes = sorted(per)
            values = [per[s]["ours"] for s in sizes]
            if any(v is None for v in values):
                continue
            ax.plot([s * 1000 for s in sizes], values, marker="o", label=case)
            peers = [per[s].get("peer") for s in sizes]
            if all(p is not None for p in peers):
                ax.plot(
                    [s * 1000 for s in sizes],
                    peers,
                    linestyle=":",
                    marker="x",
                    label=f"{case} — peer",
                )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("requests" if family == "queue" else "prestaciones")
        ax.set_ylabel("ms (median)")
        ax.set_title(f"{family}: ours (solid) and peers (dotted)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    plt.close(fig)


def main(argv: list[str]) -> int:
    data = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    doc, png = Path(argv[1]), Path(argv[2])
    plot(data, png)
    text = doc.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{markdown(data, png.name)}\n{END}"
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip() + "\n\n## Latest `make bench`\n\n" + block + "\n"
    doc.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
