"""A query plan (``index.query_plan``) as the Whoosh query it stands for, node for node."""

from __future__ import annotations

from whoosh import query as wq

from index import query_plan as qp


def compile_plan(plan: qp.Plan | None) -> wq.Query:
    """The Whoosh query of a plan; None (no condition) is every document."""
    if plan is None or isinstance(plan, qp.Every):
        return wq.Every()
    if isinstance(plan, qp.Nothing):
        return wq.NullQuery
    if isinstance(plan, qp.Term):
        return wq.Term(plan.field, plan.text, boost=plan.boost)
    if isinstance(plan, qp.Phrase):
        return wq.Phrase(plan.field, list(plan.words), boost=plan.boost)
    if isinstance(plan, qp.Or):
        return wq.Or([compile_plan(part) for part in plan.parts])
    if isinstance(plan, qp.And):
        return wq.And([compile_plan(part) for part in plan.parts])
    if isinstance(plan, qp.AndNot):
        return wq.AndNot(compile_plan(plan.positive), compile_plan(plan.negative))
    if isinstance(plan, qp.AndMaybe):
        return wq.AndMaybe(compile_plan(plan.required), compile_plan(plan.optional))
    raise TypeError(f"not a query plan node: {plan!r}")
