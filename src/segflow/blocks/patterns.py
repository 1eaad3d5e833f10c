"""Regular expressions of conditions, run with a time limit.

Patterns are Python's syntax (read by the `regex` package, which accepts what `re` does);
a pattern that backtracks on a long answer (e.g. `^(a|a)*$`) is stopped once the turn's
regular expressions have run `regex_timeout` seconds of CPU time in all (on a busy machine a
little more on the clock), and it never holds the GIL while it runs, so other chats go on
meanwhile.
"""

from __future__ import annotations

import time

import regex

from segflow.limits import LimitExceededError, Limits

PatternError = regex.error


def check_pattern(pattern: str) -> None:
    """Raises PatternError when `pattern` is not a regular expression."""
    regex.compile(pattern)


class RegexTime:
    """The regular expressions of one turn, which may run `limits.regex_timeout` seconds in
    all (a jump loop through a condition must not multiply it)."""

    def __init__(self, limits: Limits) -> None:
        self._limits = limits
        self.seconds_left = limits.regex_timeout

    def search(self, pattern: str, text: str) -> bool:
        """Whether `pattern` matches somewhere in `text`.

        Raises PatternError for an invalid pattern, LimitExceededError when the turn's time
        for regular expressions runs out."""
        started = time.thread_time()  # CPU time, as the regex package measures its timeout
        try:
            if self.seconds_left <= 0:
                raise TimeoutError
            found = regex.search(pattern, text, timeout=self.seconds_left, concurrent=True)
        except TimeoutError:
            shown = pattern if len(pattern) <= 60 else pattern[:60] + "…"
            what = (
                f'the regular expression "{shown}" ran out of time on a text of '
                f"{len(text):,} characters (it backtracks: see `segflow validate`)"
            )
            raise LimitExceededError(what, "regex_timeout", self._limits) from None
        finally:
            self.seconds_left -= time.thread_time() - started
        return found is not None
