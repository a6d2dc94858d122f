"""Server-rendered SVG charts (no JavaScript): a therapist's score history and the score histogram.

Pure geometry: these functions take plain values and return coordinates and labels; the templates
draw them. Each chart comes with a text equivalent in its template (a table or list), so the SVG
itself is decorative for screen readers.
"""

from dataclasses import dataclass
from datetime import date, timedelta

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 36, 12, 12, 30  # margins for the axis labels


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class HistoryChart:
    width: int
    height: int
    path: str  # an SVG path of the score as a step line
    y_ticks: tuple[Mark, ...]
    x_ticks: tuple[Mark, ...]
    events: tuple[Mark, ...]
    baseline: float

    @property
    def is_empty(self) -> bool:
        """No line to draw yet: no snapshot, or only today's (a history of one day is a dot)."""
        return not self.path


def _y(score: float) -> float:
    return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - score / 100), 1)


def score_history_chart(
    snapshots: list[tuple[date, float]], events: list[tuple[date, str]], *, today: date, days: int = 365
) -> HistoryChart:
    """The score over the last `days` days as a step line, with the events that moved it.

    `snapshots` are (day, score) in day order; the last one before the window gives the starting
    value, so a score unchanged all year is a flat line, not an empty chart.
    """
    start = today - timedelta(days=days)
    span = (HEIGHT - BOTTOM) - TOP

    def x(day: date) -> float:
        return round(LEFT + (WIDTH - LEFT - RIGHT) * (max(day, start) - start).days / days, 1)

    before = [score for day, score in snapshots if day < start]
    inside = [(day, score) for day, score in snapshots if day >= start]
    points: list[tuple[float, float]] = []
    if before:
        points.append((x(start), _y(before[-1])))
    for day, score in inside:
        if points:
            points.append((x(day), points[-1][1]))  # hold the previous value until the change
        points.append((x(day), _y(score)))
    if points:
        points.append((x(today), points[-1][1]))
    if points and points[0][0] == points[-1][0]:
        points = []  # every snapshot is today's: a dot, not a history yet
    path = " ".join(f"{'M' if i == 0 else 'L'}{px} {py}" for i, (px, py) in enumerate(points))
    y_ticks = tuple(Mark(LEFT - 6, _y(value), str(value)) for value in (0, 25, 50, 75, 100))
    x_ticks = tuple(
        Mark(x(month), HEIGHT - BOTTOM + 18, month.strftime("%b"))
        for month in _month_starts(start, today)
    )
    marks = tuple(Mark(x(day), HEIGHT - BOTTOM - 4, label) for day, label in events if start <= day <= today)
    return HistoryChart(WIDTH, HEIGHT, path, y_ticks, x_ticks, marks, float(TOP + span))


def _month_starts(start: date, end: date) -> list[date]:
    months = []
    day = date(start.year, start.month, 1)
    while day <= end:
        if day >= start:
            months.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months[::2]  # every other month keeps the labels readable at 360 px


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    low: int
    high: int
    count: int


def histogram_bars(counts: list[int], *, width: int = WIDTH, height: int = HEIGHT) -> tuple[Bar, ...]:
    """Bars for score buckets of equal width over 0–100 (counts[0] is 0–10, and so on)."""
    if not counts:
        return ()
    tallest = max(counts) or 1
    step = (width - LEFT - RIGHT) / len(counts)
    size = 100 // len(counts)
    bars = []
    for index, count in enumerate(counts):
        bar_height = round((height - TOP - BOTTOM) * count / tallest, 1)
        bars.append(
            Bar(
                x=round(LEFT + index * step + 2, 1),
                y=round(height - BOTTOM - bar_height, 1),
                width=round(step - 4, 1),
                height=bar_height,
                low=index * size,
                high=100 if index == len(counts) - 1 else (index + 1) * size,
                count=count,
            )
        )
    return tuple(bars)
