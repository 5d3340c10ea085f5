"""Rasa's graph runs without dask's scheduler: the same nodes, called in a precomputed order.

Rasa 3.6 runs the model's graph (the NLU pipeline for every message, the policies for every
predicted action) through ``DaskGraphRunner.run``: it rebuilds the minimal schema (a recursive
walk that revisits shared dependencies), a dask graph, and hands it to ``dask.get``, which orders
the tasks and manages their state, every time. Under load that was 9 % of the Rasa server's
samples outside the nodes themselves (py-spy, bench/README.md), for graphs of 2–15 nodes that
always run in the same order.

:func:`install` keeps, per (targets, input names), the nodes of the minimal schema in dependency
order (dask runs all of them, also a node whose output an input replaces), and calls each
``GraphNode`` with its dependencies' outputs, as dask does: a dependency's output
is its ``(name, value)`` tuple, an input is ``(input name, value)``, a key that is neither is
passed as the bare string (``GraphNode`` warns about it, as with dask), and a node that is also
given as an input is not run. Errors propagate unchanged; a ``RuntimeError`` becomes Rasa's
``GraphRunError`` as before. Independent nodes may run in another order than dask's: the nodes of
a prediction graph do not depend on each other's side effects. Tests compare parses and
predictions of the trained model with dask's.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, FrozenSet, List, Optional, Text, Tuple

log = logging.getLogger(__name__)
ORIGINALS: Dict[str, Any] = {}  # Rasa's functions install() replaced, for tests to compare with

Plan = List[Tuple[Text, Tuple[Text, ...]]]  # (node name, the keys of its needs, in order)


def plan(nodes: Dict[Text, Any], targets: List[Text], inputs: FrozenSet[Text]) -> Plan:
    """The nodes ``targets`` need, each after its dependencies; ``nodes`` maps names to schema nodes."""
    order: Plan = []
    state: Dict[Text, bool] = {}  # False: being visited, True: done

    def visit(name: Text) -> None:
        if name in inputs or name not in nodes:
            return
        seen = state.get(name)
        if seen is False:
            raise RuntimeError(f"the graph has a cycle through '{name}'")
        if seen:
            return
        state[name] = False
        needs = tuple(nodes[name].needs.values())
        for dependency in needs:
            visit(dependency)
        state[name] = True
        order.append((name, needs))

    for target in targets:
        visit(target)
    return order


def releases(steps: Plan, targets: List[Text]) -> List[Tuple[Text, ...]]:
    """For each step, the outputs (and inputs) no later step needs and no target is: free after it."""
    last: Dict[Text, int] = {}
    for index, (_name, needs) in enumerate(steps):
        for dependency in needs:
            last[dependency] = index
    kept = set(targets)
    done: List[List[Text]] = [[] for _ in steps]
    for key, index in last.items():
        if key not in kept:
            done[index].append(key)
    return [tuple(keys) for keys in done]


def install() -> None:
    """Idempotent; called from :meth:`bot.nlp.components.LanguageDetector.create` / ``load``."""
    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner.dask import DaskGraphRunner

    if "run" in ORIGINALS:
        return
    ORIGINALS["run"] = DaskGraphRunner.run
    rasa_log = logging.getLogger("rasa.engine.runner.dask")

    def run(self: DaskGraphRunner, inputs: Optional[Dict[Text, Any]] = None,
            targets: Optional[List[Text]] = None) -> Dict[Text, Any]:
        run_targets = targets if targets else self._graph_schema.target_names
        inputs = inputs or {}
        key = (tuple(run_targets), frozenset(inputs))
        plans = self.__dict__.setdefault("_hotline_plans", {})
        known = plans.get(key)
        if known is None:
            # dask runs every node of the minimal schema, also one whose output an input replaces
            minimal = self._graph_schema.minimal_graph_schema(run_targets).nodes
            steps = plan(minimal, list(minimal), key[1])
            known = plans[key] = (steps, frozenset(minimal), releases(steps, run_targets))
        steps, minimal, release = known
        added = set()
        for name, value in inputs.items():  # as Rasa's _add_inputs_to_graph, input by input
            if isinstance(value, str) and (value in minimal or value in added):
                raise GraphRunError(
                    f"Input value '{value}' clashes with a node name. Make sure that none of the input names "
                    f"passed to the `run` method are the same as node names in the graph schema."
                )
            added.add(name)
        if rasa_log.isEnabledFor(logging.DEBUG):  # Rasa formats this f-string even when not logged
            rasa_log.debug(f"Running graph with inputs: {inputs}, targets: {targets} and {self._execution_context}.")
        values: Dict[Text, Any] = {name: (name, value) for name, value in inputs.items()}
        try:
            for (name, needs), done in zip(steps, release):
                node = self._instantiated_nodes[name]
                values[name] = node(*(values.get(dependency, dependency) for dependency in needs))
                for used_up in done:  # as dask frees an output nothing else needs (training data)
                    values.pop(used_up, None)
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e
        return dict(values[target] for target in run_targets)

    DaskGraphRunner.run = run  # type: ignore[assignment]
    log.info("Rasa graph runs without dask's scheduler (bot/nlp/graph_runs.py)")
