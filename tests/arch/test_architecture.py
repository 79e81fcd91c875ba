"""Architecture rules, checked on the source: who may set a status, who may commit."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "orderflow"


def modules():
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path, ast.parse(path.read_text(), filename=str(path))


def knows_orders(tree: ast.AST) -> bool:
    """Modules that can reach the Order table (the others' `.status` is something else)."""
    return any(isinstance(node, ast.ImportFrom) and node.module == "orderflow.orders.models"
               and any(alias.name == "Order" for alias in node.names) for node in ast.walk(tree))


def test_only_the_lifecycle_module_sets_an_order_status():
    offenders = []
    for path, tree in modules():
        if path.name == "lifecycle.py" or not knows_orders(tree):
            continue
        for node in ast.walk(tree):
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else ([node.target] if isinstance(node, ast.AugAssign | ast.AnnAssign) else [])
            )
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr == "status"
                    and not (isinstance(target.value, ast.Name) and target.value.id == "self")
                ):
                    offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in (
                "values",
                "update",
            ):
                names = [kw.arg for kw in node.keywords]
                if "status" in names and path.parent.name != "migrations":
                    offenders.append(f"{path.relative_to(SRC)}:{node.lineno} (update status)")
    assert offenders == []


def test_nobody_outside_db_py_commits():
    offenders = [
        f"{path.relative_to(SRC)}:{node.lineno}"
        for path, tree in modules()
        if path.name != "db.py"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "commit"
    ]
    assert offenders == []


LAYERS = [
    "catalog",
    "customers",
    "inventory",
    "orders",
    "review",
    "payments",
    "intake",
    "fulfilment",
    "shipping",
    "reports",
]


def test_domains_import_only_downwards():
    offenders = []
    for path, tree in modules():
        rel = path.relative_to(SRC).parts
        if len(rel) < 2 or rel[0] not in LAYERS:
            continue
        mine = LAYERS.index(rel[0])
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("orderflow.")
            ):
                other = node.module.split(".")[1]
                if other in LAYERS and LAYERS.index(other) > mine:
                    offenders.append(f"{'/'.join(rel)}:{node.lineno} imports {node.module}")
    assert offenders == []
