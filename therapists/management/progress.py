import sys


class ProgressBar:
    """A one-line progress bar on stderr for long commands; quiet when stderr is not a terminal."""

    def __init__(self, stream=None, width: int = 30):
        self.stream = stream or sys.stderr
        self.width = width
        self.interactive = self.stream.isatty()
        self._last = None

    def __call__(self, label: str, done: int, total: int) -> None:
        fraction = done / total if total else 1.0
        if self.interactive:
            filled = int(self.width * fraction)
            self.stream.write(f"\r{label:<20} [{'#' * filled}{'.' * (self.width - filled)}] {done:>9,}/{total:,}")
            if done >= total:
                self.stream.write("\n")
            self.stream.flush()
        elif done >= total and self._last != label:
            self._last = label
            self.stream.write(f"{label}: {total:,}\n")
