"""The entity reference (docs/entities.md), rendered from the registry.

`python -m comptoir.schema.docs > docs/entities.md` regenerates it; a test fails when the
committed page is stale.
"""

from __future__ import annotations

from comptoir.schema.entity import Entity, Op
from comptoir.schema.fields import Field, Kind
from comptoir.schema.registry import ENTITIES


def _kind(f: Field) -> str:
    if f.kind in (Kind.REF, Kind.BINFILE):
        return f"→ {f.ref}"
    if f.kind is Kind.TEXT and f.max_length:
        return f"text({f.max_length})"
    return f.kind.value


def _flags(f: Field) -> str:
    flags = []
    if not f.nullable:
        flags.append("required" if f.default is None and f.managed is None else "not null")
    if f.managed:
        flags.append(f"server: {f.managed.value}")
    if f.unique or f.unique_ci:
        flags.append("unique" + (" (ci)" if f.unique_ci else ""))
    if f.searchable:
        flags.append("searchable")
    if f.indexed:
        flags.append("indexed")
    if f.dependency:
        flags.append("dependency")
    if f.default not in (None, ""):
        flags.append(f"default {f.default}")
    return ", ".join(flags)


def _doc(f: Field) -> str:
    text = f.doc.replace("|", "\\|").replace("\n", " ")
    if f.kind is Kind.ENUM and f.choices:
        text += " (" + ", ".join(f"{k}={v}" for k, v in f.choices.items()) + ")"
    return text


def render_entity(entity: Entity) -> str:
    ops = ", ".join(op.value for op in Op if op in entity.ops)
    lines = [
        f"## {entity.name}",
        "",
        entity.doc,
        "",
        f"- area: `{entity.area}`; operations: {ops}",
        f"- read: {entity.read.describe(False)}; write: {entity.write.describe(True)}",
        f"- ownership: {entity.ownership.value}; extdata: {'yes' if entity.extdata else 'no'};"
        f" tags: {'yes' if entity.tags else 'no'}",
    ]
    if entity.parents:
        mode = "any of" if entity.any_parent else "all of"
        lines.append(f"- depends on ({mode}): {', '.join(entity.parents)}")
    if entity.rules:
        lines.append("- rules: " + "; ".join(type(r).__name__ + str(tuple(
            v for v in vars_of(r))) for r in entity.rules))
    lines += ["", "| field | kind | flags | description |", "|---|---|---|---|"]
    lines += [f"| `{f.name}` | {_kind(f)} | {_flags(f)} | {_doc(f)} |" for f in entity.public_fields]
    return "\n".join(lines) + "\n"


def vars_of(rule: object) -> list[object]:
    return [getattr(rule, name) for name in rule.__dataclass_fields__]  # type: ignore[attr-defined]


def render() -> str:
    head = ("# Entities\n\nGenerated from the registry (`src/comptoir/schema/entities/`) by "
            "`python -m comptoir.schema.docs > docs/entities.md`; do not edit by hand.\n\n")
    index = "".join(f"- [{n}](#{n}) ({e.area})\n" for n, e in sorted(ENTITIES.items()))
    body = "\n".join(render_entity(ENTITIES[n]) for n in sorted(ENTITIES))
    return head + index + "\n" + body


if __name__ == "__main__":
    print(render(), end="")
