"""The reply templates' sandbox (see `templates.py`): Jinja2's `SandboxedEnvironment` with no attribute access,
`StrictUndefined`, a few filters, only a bounded `range`, bounded operators and loops, the output capped. Loaded by
the first template filled, not by the desk's start."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

import jinja2
from jinja2 import StrictUndefined, nodes
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from agentdesk.domain.template_limits import MAX_LOOP_DEPTH, MAX_OUTPUT_CHARS, MAX_POWER, MAX_RANGE, MAX_TEMPLATE_CHARS
from agentdesk.errors import TemplateProblem

_FILTERS = ("capitalize", "default", "first", "int", "join", "last", "length", "lower", "round", "string",
            "title", "trim", "truncate", "upper", "wordcount")
_FORBIDDEN: tuple[tuple[type[nodes.Node], str], ...] = (
    (nodes.Macro, "macros"), (nodes.CallBlock, "call blocks"), (nodes.Import, "imports"),
    (nodes.FromImport, "imports"), (nodes.Include, "includes"), (nodes.Extends, "extends"),
    (nodes.Block, "blocks"), (nodes.FilterBlock, "filter blocks"), (nodes.NSRef, "namespace"),
    (nodes.ScopedEvalContextModifier, "autoescape blocks"), (nodes.EvalContextModifier, "autoescape blocks"),
)
_UNDEFINED_NAME = re.compile(r"'([^']{1,60})' is undefined")


def _bounded_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise SecurityError(f"range() is limited to {MAX_RANGE} steps")
    return numbers


def _size(value: object) -> int | None:
    return len(value) if isinstance(value, str | list | tuple) else None


class ReplyTemplateEnvironment(SandboxedEnvironment):
    """The sandbox: no attributes, bounded operators, a few filters, only `range` (bounded) as a global."""

    intercepted_binops = frozenset({"*", "**", "%", "//", "/"})

    def __init__(self) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True,
                         extensions=())
        self.filters = {name: self.filters[name] for name in _FILTERS}
        self.tests = {name: self.tests[name] for name in ("defined", "undefined", "none", "number", "string",
                                                          "even", "odd", "eq", "ne")}
        self.globals = {"range": _bounded_range}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # Fields are text and dicts: `order.number` still works (as an item), methods and internals do not.
        return False

    def is_safe_callable(self, obj: Any) -> bool:
        return obj is _bounded_range

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                length = _size(seq)
                if length is not None and isinstance(times, int) and length * times > MAX_OUTPUT_CHARS:
                    raise SecurityError("a repetition that long is not allowed")
        elif operator == "**":
            if not isinstance(right, int | float) or abs(right) > MAX_POWER or (
                isinstance(left, int | float) and abs(left) > 10**6
            ):
                raise SecurityError("powers that large are not allowed")
        elif operator == "%" and isinstance(left, str):
            raise SecurityError("%-formatting is not allowed; write the field as {{ name }}")
        return super().call_binop(context, operator, left, right)


_ENVIRONMENT = ReplyTemplateEnvironment()


def _sentence(error: object) -> str:
    return str(error or "").strip().rstrip(".")[:200]


def _check_shape(tree: nodes.Template) -> None:
    for node_type, what in _FORBIDDEN:
        if next(iter(tree.find_all(node_type)), None) is not None:
            raise TemplateProblem(f"Reply templates may not use {what}.")
    for name in tree.find_all(nodes.Name):
        if name.name in ("self", "varargs", "kwargs", "caller"):
            raise TemplateProblem(f"Reply templates may not use {name.name}.")
    for call in tree.find_all(nodes.Call):
        if not (isinstance(call.node, nodes.Name) and call.node.name == "range"):
            raise TemplateProblem("Reply templates may call only range().")

    def depth(node: nodes.Node, level: int) -> None:
        for child in node.iter_child_nodes():
            inner = level
            if isinstance(child, nodes.For):
                if child.recursive:
                    raise TemplateProblem("Reply templates may not use recursive loops.")
                inner = level + 1
                if inner > MAX_LOOP_DEPTH:
                    raise TemplateProblem(f"Reply templates may nest loops at most {MAX_LOOP_DEPTH} deep.")
            depth(child, inner)

    depth(tree, 0)


@functools.lru_cache(maxsize=256)  # the same template fills every acknowledgement of an account: compiled once
def compile_template(source: str) -> jinja2.Template:
    """The template, checked; `TemplateProblem` for a syntax error (with its line) or a forbidden construct."""
    if len(source) > MAX_TEMPLATE_CHARS:
        raise TemplateProblem(f"The template is {len(source):,} characters; at most {MAX_TEMPLATE_CHARS:,}.")
    try:
        tree = _ENVIRONMENT.parse(source)
        _check_shape(tree)
        return _ENVIRONMENT.from_string(tree)
    except TemplateSyntaxError as error:
        raise TemplateProblem(f"Line {error.lineno} of the template: {_sentence(error.message)}.") from None
    except SecurityError as error:
        raise TemplateProblem(f"The template is not allowed: {_sentence(error)}.") from None


def fill(source: str, context: dict[str, object]) -> str:
    """`source` filled with `context`; `TemplateProblem` (naming the field where there is one) on any error."""
    template = compile_template(source)
    pieces: list[str] = []
    length = 0
    try:
        chunks: Iterator[str] = template.generate(context)
        for chunk in chunks:
            length += len(chunk)
            if length > MAX_OUTPUT_CHARS:
                raise TemplateProblem(f"The template's text would be longer than {MAX_OUTPUT_CHARS:,} characters.")
            pieces.append(chunk)
    except TemplateProblem:
        raise
    except UndefinedError as error:
        match = _UNDEFINED_NAME.search(str(error))
        field = match[1] if match else None
        if field is not None:
            raise TemplateProblem(
                f"The template uses {{{{ {field} }}}}, which this ticket does not have"
                + (" (the ticket has no order)." if field.startswith("order") else "."),
                field=field,
            ) from None
        raise TemplateProblem(f"The template uses something this ticket does not have: {error}.") from None
    except SecurityError as error:
        raise TemplateProblem(f"The template is not allowed: {_sentence(error)}.") from None
    except RecursionError:
        raise TemplateProblem("The template nests too deeply.") from None
    except (TypeError, ValueError, ArithmeticError, LookupError, jinja2.TemplateError) as error:
        raise TemplateProblem(f"The template could not be filled: {_sentence(error)}.") from None
    return "".join(pieces)
