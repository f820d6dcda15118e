"""Progress of long work (training, cross-validation, reading documents) on stderr.

A bar with a count and the elapsed time when the stream is a terminal; nothing at all
when it is piped or redirected, so logs and scripts see only the lines ``note`` writes.
The library's functions take a ``Progress`` and default to a silent one.
"""

from __future__ import annotations

from typing import IO


class Progress:
    """Stages of work, each with a count. ``Progress()`` is silent; ``Progress(sys.stderr)``
    writes notes to the stream and draws a bar when the stream is a terminal."""

    def __init__(self, stream: IO[str] | None = None, bar: bool | None = None):
        self.stream = stream
        self.bar = bool(stream is not None and (stream.isatty() if bar is None else bar))
        self._console = None
        self._bar = None
        self._task = None

    def note(self, message: str) -> None:
        """A line of its own, above the bar when one is drawn."""
        if self._console is not None:
            self._console.print(message, markup=False, highlight=False)
        elif self.stream is not None:
            self.stream.write(message + "\n")
            self.stream.flush()

    def stage(self, description: str, total: int | None = None) -> None:
        """Start counting ``total`` steps of ``description`` (no count: a spinner with the time)."""
        if not self.bar:
            return
        if self._bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._console = Console(file=self.stream, highlight=False)
            class Count(MofNCompleteColumn):
                def render(self, task):  # no "0/?" for a stage without a count
                    return super().render(task) if task.total is not None else ""

            self._bar = RichProgress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(bar_width=24),
                                     Count(), TimeElapsedColumn(), console=self._console, transient=True)
            self._bar.start()
        if self._task is not None:
            self._bar.remove_task(self._task)
        self._task = self._bar.add_task(description, total=total)
        self._bar.refresh()

    def advance(self, steps: int = 1, description: str | None = None) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, advance=steps, **({"description": description} if description else {}))
            if self._bar.tasks[-1].finished:
                self._bar.refresh()  # the last step is drawn even when the next stage follows at once

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = self._console = self._task = None

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
