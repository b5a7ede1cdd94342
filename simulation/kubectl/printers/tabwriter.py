"""Go's text/tabwriter, the way kubectl uses it to align tables and describe output.

Cells are tab-terminated; a column's width is set per *block* of consecutive lines
that have a cell in that column, so a line without tabs ends the alignment above it.
`kubectl get` pads with 3 spaces, `kubectl describe` with 2.
"""

from __future__ import annotations


def align(text: str, padding: int = 3) -> str:
    """Align tab-separated cells: `tabwriter.NewWriter(out, 0, 8, padding, ' ', 0)`."""
    lines = [line.split("\t") for line in text.split("\n")]
    out: list[str] = []
    _format(lines, 0, len(lines), [], padding, out)
    return "\n".join(out)


def table(rows: list[list[str]], padding: int = 3) -> str:
    """A kubectl table: every row the same cells, the last column unpadded."""
    return align("\n".join("\t".join(_clean(c) for c in row) for row in rows), padding)


def _clean(cell: object) -> str:
    return str(cell).replace("\t", " ").replace("\n", " ")


def _format(lines, line0, line1, widths, padding, out) -> None:
    column = len(widths)
    this = line0
    while this < line1:
        if column >= len(lines[this]) - 1:
            this += 1
            continue
        _write(lines, line0, this, widths, out)
        line0 = this
        width = 0
        while this < line1 and column < len(lines[this]) - 1:
            width = max(width, len(lines[this][column]) + padding)
            this += 1
        _format(lines, line0, this, [*widths, width], padding, out)
        line0 = this
    _write(lines, line0, line1, widths, out)


def _write(lines, start, end, widths, out) -> None:
    for cells in lines[start:end]:
        parts = []
        for j, cell in enumerate(cells):
            parts.append(cell.ljust(widths[j]) if j < len(widths) else cell)
        out.append("".join(parts))
