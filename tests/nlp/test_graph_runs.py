"""bot/nlp/graph_runs.py: graph runs give what dask's do, on toy graphs and on the trained model."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import GraphComponent, GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner

from bot.nlp import graph_runs
from tests.support.servers import PROJECT_ROOT

MODEL = PROJECT_ROOT / "var" / "models" / "hotline.tar.gz"


class _Node:
    """Stands for a GraphNode: records its calls, returns ``(name, what it received)``."""

    def __init__(self, name: str, calls: list, fail: Exception | None = None) -> None:
        self.name, self.calls, self.fail = name, calls, fail

    def __call__(self, *inputs):
        self.calls.append(self.name)
        if self.fail:
            raise self.fail
        return self.name, [self.name, list(inputs)]


def _runner(needs: dict, targets: list, fail: dict | None = None) -> tuple[DaskGraphRunner, list]:
    calls: list = []
    schema = GraphSchema({name: SchemaNode(needs=dependencies, uses=GraphComponent, constructor_name="create",
                                           fn="run", config={}, is_target=name in targets)
                          for name, dependencies in needs.items()})
    runner = object.__new__(DaskGraphRunner)
    runner._graph_schema, runner._execution_context = schema, "context"
    runner._instantiated_nodes = {name: _Node(name, calls, (fail or {}).get(name)) for name in needs}
    return runner, calls


GRAPH = {  # a diamond over an input, a node the targets do not need, a need nobody provides
    "convert": {"messages": "__message__"},
    "tokens": {"messages": "convert"},
    "features": {"messages": "tokens"},
    "entities": {"messages": "tokens", "extra": "not_a_node"},
    "intent": {"features": "features", "entities": "entities"},
    "unused": {"messages": "convert"},
}


@pytest.fixture()
def ours():
    graph_runs.install()
    return DaskGraphRunner.run


def _both(ours, needs, schema_targets, **kwargs):
    dask_runner, dask_calls = _runner(needs, schema_targets)
    our_runner, our_calls = _runner(needs, schema_targets)
    expected = graph_runs.ORIGINALS["run"](dask_runner, **kwargs)
    got = ours(our_runner, **kwargs)
    assert got == expected
    assert sorted(our_calls) == sorted(dask_calls)  # the same nodes, each once
    return got, our_calls


@pytest.mark.parametrize("kwargs", [
    {"inputs": {"__message__": ["hello"]}, "targets": ["intent"]},
    {"inputs": {"__message__": ["hello"]}, "targets": ["intent", "tokens"]},
    {"inputs": {"__message__": ["hello"]}, "targets": None},  # the schema's targets
    {"inputs": {"__message__": ["hello"], "tokens": ["given"]}, "targets": ["intent"]},  # an input replaces a node
    {"inputs": None, "targets": ["tokens"]},  # the input missing: the bare key is passed on
])
def test_runs_equal_dasks(ours, kwargs):
    got, calls = _both(ours, GRAPH, ["intent"], **kwargs)
    assert "unused" not in calls
    ran = [name for name in ("convert", "tokens", "features", "intent") if name in calls]
    assert [calls.index(name) for name in ran] == sorted(calls.index(name) for name in ran)  # dependencies first


def test_the_plan_is_kept_and_the_inputs_still_change(ours):
    runner, calls = _runner(GRAPH, ["intent"])
    first = ours(runner, inputs={"__message__": ["one"]}, targets=["intent"])
    second = ours(runner, inputs={"__message__": ["two"]}, targets=["intent"])
    assert first != second and "two" in json.dumps(second) and len(runner._hotline_plans) == 1


def test_errors_are_raised_as_with_dask(ours):
    for error, expected in ((RuntimeError("boom"), GraphRunError), (ValueError("bad"), ValueError)):
        for run in (graph_runs.ORIGINALS["run"], ours):
            runner, _ = _runner(GRAPH, ["intent"], fail={"features": error})
            with pytest.raises(expected):
                run(runner, inputs={"__message__": ["x"]}, targets=["intent"])
    for run in (graph_runs.ORIGINALS["run"], ours):  # an input whose value names a node
        runner, _ = _runner(GRAPH, ["intent"])
        with pytest.raises(GraphRunError, match="clashes"):
            run(runner, inputs={"__message__": "tokens"}, targets=["intent"])


def test_outputs_nothing_else_needs_are_freed_during_the_run(ours):
    import weakref

    class Output:
        pass

    alive = {}

    class Producer(_Node):
        def __call__(self, *inputs):
            output = Output()
            alive[self.name] = weakref.ref(output)
            return self.name, output

    class Checker(_Node):
        def __call__(self, *inputs):
            return self.name, {name: ref() is not None for name, ref in alive.items()}

    needs = {"a": {}, "b": {"x": "a"}, "c": {"x": "b"}, "check": {"x": "c"}, "result": {"x": "check", "y": "c"}}
    runner, calls = _runner(needs, ["result"])
    runner._instantiated_nodes.update(a=Producer("a", calls), b=Producer("b", calls), c=Producer("c", calls),
                                      check=Checker("check", calls))
    result = ours(runner, targets=["result", "b"])
    seen_by_check = result["result"][1][0][1]
    assert seen_by_check == {"a": False, "b": True, "c": True}  # b: a target; c: needed by result


def test_a_cycle_is_refused():
    with pytest.raises(RuntimeError, match="cycle"):
        graph_runs.plan(GraphSchema({
            "a": SchemaNode(needs={"x": "b"}, uses=GraphComponent, constructor_name="create", fn="run", config={}),
            "b": SchemaNode(needs={"x": "a"}, uses=GraphComponent, constructor_name="create", fn="run", config={}),
        }).nodes, ["a"], frozenset())


# In a fresh interpreter (no TensorFlow in the test process): the trained model's parses and its
# predictions at every action of every story, with dask's runs and with ours.
PROBE = textwrap.dedent("""
    import asyncio, json, sys
    from rasa.core.agent import Agent
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.core.events import ActionExecuted
    from rasa.shared.core.generator import TrainingDataGenerator
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.importers.importer import TrainingDataImporter
    from bot.nlp import graph_runs

    agent = Agent.load(sys.argv[1])
    graph_runs.install()  # as LanguageDetector.create does (idempotent)
    texts = json.loads(sys.argv[2])
    importer = TrainingDataImporter.load_from_config("config.yml", "domain.yml", ["bot/data", "bot/tests"])
    stories = TrainingDataGenerator(importer.get_stories(), importer.get_domain(), augmentation_factor=0,
                                    remove_duplicates=False).generate()
    slots = agent.domain.slots
    points = []
    for story in stories:
        events = list(story.events)
        points += [events[:i] for i, e in enumerate(events) if isinstance(e, ActionExecuted) and i]

    async def parses():
        return [await agent.parse_message(text) for text in texts]
    def predictions():
        out = []
        for events in points:
            tracker = DialogueStateTracker.from_events("probe", events, slots)
            prediction = agent.processor._predict_next_with_tracker(tracker)
            out.append([prediction.max_confidence_index, prediction.policy_name, prediction.probabilities])
        return out
    result = {"points": len(points)}
    for name, run in (("dask", graph_runs.ORIGINALS["run"]), ("ours", DaskGraphRunner.run)):
        DaskGraphRunner.run = run
        result[name] = {"parses": asyncio.run(parses()), "predictions": predictions()}
    print(json.dumps(result, ensure_ascii=False, default=str))
""")


def test_the_models_parses_and_predictions_equal_dasks():
    assert MODEL.is_file(), "make test trains the model first (make models)"
    texts = ["我家停水了", "路灯不亮了，在海淀区中关村街道", "I want to report a broken street light", "你好", "thanks"]
    done = subprocess.run([sys.executable, "-c", PROBE, str(MODEL), json.dumps(texts)], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["points"] > 300
    assert result["ours"] == result["dask"]
