"""The DigestError family.

Every user mistake becomes a :class:`Problem` that names the file (and line
where known).  Stages collect problems in a :class:`Problems` list and keep
checking the rest of the site; the build stops once a stage is done and
raises :class:`BuildError` carrying all of them.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the user's input."""

    message: str
    path: str | None = None
    line: int | None = None
    hint: str | None = None
    warning: bool = False

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        text = f"{where}{self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def sort_key(self) -> tuple[str, int, str]:
        return (self.path or "", self.line or 0, self.message)


class DigestError(Exception):
    """Base of every error digest reports to users without a traceback."""

    def __init__(
        self,
        message: str,
        path: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.problem = Problem(message, path, line, hint)
        super().__init__(str(self.problem))


class ConfigError(DigestError):
    """site.yaml is missing, malformed or invalid."""


class ContentError(DigestError):
    """An article cannot be read or has invalid metadata."""


class ThemeError(DigestError):
    """A theme is missing or a template fails."""


class BuildError(DigestError):
    """The build found one or more problems; ``problems`` lists every one."""

    def __init__(self, problems: Iterable[Problem], *, strict: bool = False) -> None:
        self.problems = sorted(problems, key=Problem.sort_key)
        self.strict = strict  # warnings were made errors by --strict
        errors = [p for p in self.problems if not p.warning]
        n = len(errors) or len(self.problems)
        super().__init__(f"{n} problem{'s' if n != 1 else ''} found")

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class Problems:
    """A collector: stages add problems and carry on checking."""

    def __init__(self) -> None:
        self._items: list[Problem] = []

    def add(
        self,
        message: str,
        path: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self._items.append(Problem(message, path, line, hint))

    def warn(
        self,
        message: str,
        path: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self._items.append(Problem(message, path, line, hint, warning=True))

    def extend(self, problems: Iterable[Problem]) -> None:
        self._items.extend(problems)

    def add_error(self, error: DigestError) -> None:
        self._items.append(error.problem)

    @property
    def errors(self) -> list[Problem]:
        return sorted((p for p in self._items if not p.warning), key=Problem.sort_key)

    @property
    def warnings(self) -> list[Problem]:
        return sorted((p for p in self._items if p.warning), key=Problem.sort_key)

    def raise_if_errors(self, strict: bool = False) -> None:
        """Raise BuildError when there are errors (or any warning when strict: then
        every warning is raised as an error, and reported as one).  The warnings go
        with the errors, to be shown with them."""
        promoted = [dataclasses.replace(p, warning=False) for p in self.warnings] if strict else []
        if self.errors or promoted:
            raise BuildError(self.errors + (promoted or self.warnings), strict=bool(promoted))

    def __len__(self) -> int:
        return len(self._items)


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A 'did you mean' hint for a misspelt key, or None."""
    matches = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"did you mean '{matches[0]}'?" if matches else None
