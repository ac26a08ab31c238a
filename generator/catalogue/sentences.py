"""The ``say:`` sentence language: a sandboxed Jinja environment with exactly three filters.

``check`` validates sentences and ``publish/sentences.py`` renders them through the same
``environment()``, so a filter cannot exist in one and not the other: the publisher passes its
implementations, and ``environment`` refuses any set of filters that is not ``FILTERS``.
"""

from __future__ import annotations

import functools
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from types import CodeType
from typing import Any

from jinja2 import TemplateError, nodes
from jinja2 import meta as jinja_meta
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEnvironment

from generator.catalogue.messages import suggest

# The filters a sentence may use, and what each does (for the Config reference page).
FILTERS = {
    "num": "a number with thousands separators, e.g. {{ value | num(0) }}",
    "signed": "a number with its sign, e.g. {{ change | signed(1) }}",
    "abs": "the absolute value, e.g. {{ change | abs | num(0) }}",
}
# Placeholders besides the quantities: the indicator's date and month, and each quantity's.
DATE_SUFFIXES = ("date", "month")


# Bounds of the sandbox. A sentence is one line of prose: it needs no loop longer than a few
# items, no string longer than a paragraph, no number raised to a huge power. Jinja's own sandbox
# allows range(100000) (two nested loops hung the build) and folds 'ab'*500000000 at compile
# time (21 s and 4 GB in `check`).
MAX_ITEMS = 1_000  # range() length; string, list and tuple length from * and +
MAX_EXPONENT = 100
MAX_OUTPUT = 10_000  # characters of a rendered sentence
TIME_LIMIT = 1.0  # seconds to render one sentence (main thread only: see ``time_limit``)


class _BoundedCodeGenerator(CodeGenerator):
    """Compiles ``a ~ b`` to the sandbox's ``bounded_join``: Jinja's sandbox does not see the
    concatenation operator, and ``{% set b = a ~ a %}`` repeated doubles a string each line."""

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.bounded_join((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class SentenceSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox (no ``list.append``/``extend`` to grow a list in a loop) with
    size bounds on ``range``, ``*``, ``**``, ``+`` and ``~``; strings offer only a few methods.

    Intercepting an operator also stops Jinja from folding it at compile time, so a huge
    constant is refused when rendered rather than built while the template compiles."""

    intercepted_binops = frozenset({"*", "**", "+"})
    code_generator_class = _BoundedCodeGenerator

    def bounded_join(self, parts: Iterable[object]) -> str:
        text = "".join(str(part) for part in parts)
        if len(text) > MAX_OUTPUT:
            raise SecurityError(f"joining text beyond {MAX_OUTPUT:,} characters is not allowed")
        return text

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and _is_number(right) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"an exponent above {MAX_EXPONENT} is not allowed in a sentence")
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if _is_sized(seq) and _is_number(count) and len(seq) * count > MAX_ITEMS:
                    raise SecurityError(
                        f"repeating text or a list beyond {MAX_ITEMS} items is not allowed"
                    )
        if operator == "+" and _is_sized(left) and _is_sized(right):
            if len(left) + len(right) > MAX_ITEMS:
                raise SecurityError(f"joining beyond {MAX_ITEMS} items is not allowed")
        return super().call_binop(context, operator, left, right)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # replace() and join() grow a string tenfold a call; sentences format with filters.
        if isinstance(obj, str | bytes) and callable(value) and attr not in _STRING_METHODS:
            return False
        return super().is_safe_attribute(obj, attr, value)

    def wrap_str_format(self, value: Any) -> None:
        """Jinja hands ``str.format`` to its own formatter before checking the attribute,
        and the formatter pads to any width ('{:>999999999}'): not in a sentence."""
        if getattr(value, "__name__", "") in _PADDING and isinstance(
            getattr(value, "__self__", None), str | bytes
        ):
            raise SecurityError("str.format is not allowed in a sentence; use the filters")
        return None


# The string methods a sentence may call: none of them makes a string longer.
_STRING_METHODS = frozenset(
    {"upper", "lower", "title", "capitalize", "strip", "lstrip", "rstrip", "startswith", "endswith"}
)
# String methods that can pad to any width ('{:>999999999}'.format(1)); sentences use filters.
_PADDING = frozenset({"format", "format_map", "center", "ljust", "rjust", "zfill", "expandtabs"})


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_sized(value: object) -> bool:
    return isinstance(value, str | bytes | list | tuple)


def _bounded_range(*args: int) -> range:
    """``range`` as in the sentence sandbox: at most ``MAX_ITEMS`` items."""
    result = range(*args)
    if len(result) > MAX_ITEMS:
        raise SecurityError(f"range() of more than {MAX_ITEMS} items is not allowed")
    return result


def _bounded_concat(parts: Iterable[str]) -> str:
    """The rendered sentence, refused as soon as it passes ``MAX_OUTPUT`` characters."""
    out: list[str] = []
    size = 0
    for part in parts:
        size += len(part)
        if size > MAX_OUTPUT:
            raise SecurityError(f"a sentence longer than {MAX_OUTPUT:,} characters")
        out.append(part)
    return "".join(out)


@contextmanager
def time_limit(seconds: float = TIME_LIMIT) -> Iterator[None]:
    """Raise TimeoutError in a render that takes longer than ``seconds``. Uses SIGALRM, so it
    applies in the main thread only (``check`` and ``build`` run there); elsewhere it is a
    no-op and the size bounds alone apply."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"rendering took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def environment(filters: Mapping[str, Callable[..., Any]]) -> SandboxedEnvironment:
    """A bounded sandbox for sentences with exactly the filters of ``FILTERS`` (Jinja's
    built-in filters, ``center`` and ``wordwrap`` among them, are removed)."""
    if set(filters) != set(FILTERS):
        raise ValueError(f"sentence filters must be {sorted(FILTERS)}, got {sorted(filters)}")
    env = SentenceSandbox(autoescape=False)
    env.filters.clear()
    env.filters.update(filters)
    env.globals = {"range": _bounded_range}
    env.concat = _bounded_concat  # type: ignore[method-assign]
    return env


def _identity(value: object, *args: object) -> object:
    return value


_CHECKER = environment({name: _identity for name in FILTERS})


def placeholders(quantities: list[str]) -> set[str]:
    """Every name a sentence of an indicator with these quantities may use."""
    allowed = set(DATE_SUFFIXES) | set(quantities)
    allowed |= {f"{name}_{suffix}" for name in quantities for suffix in DATE_SUFFIXES}
    return allowed


@functools.lru_cache(maxsize=1024)
def compiled(text: str) -> tuple[nodes.Template, CodeType]:
    """A sentence parsed and compiled once per process. ``check`` needs both (compiling finds
    unknown filters and tests), and the pages reuse the code with their own filters: the code
    names filters, it does not hold them (``publish/sentences.py`` binds it to its sandbox)."""
    tree = _CHECKER.parse(text)
    return tree, _CHECKER.compile(tree)


@functools.lru_cache(maxsize=1024)
def _names(text: str) -> frozenset[str]:
    """The placeholders a sentence reads, found once per process: the walk over its tree cost
    more than the rest of the check (``check`` asks for each sentence of each indicator)."""
    tree, _ = compiled(text)
    return frozenset(jinja_meta.find_undeclared_variables(tree))


def sentence_problem(text: str, quantities: list[str]) -> str | None:
    """Why a ``say:`` sentence would fail at build time, or None: a Jinja syntax error, an
    unknown filter, or a placeholder that names no quantity."""
    try:
        names = _names(text)
    except TemplateError as exc:
        return f"sentence does not parse: {exc.message}"
    allowed = placeholders(quantities)
    unknown = sorted(names - allowed)
    if unknown:
        return suggest("placeholder", unknown[0], sorted(allowed)) + (
            " (use a quantity name, date, month, <quantity>_date or <quantity>_month)"
        )
    return None
