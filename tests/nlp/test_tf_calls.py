"""bot/nlp/tf_calls.py: DIET's concrete-function call gives Rasa's outputs, and falls back when unsure."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from tests.support.servers import PROJECT_ROOT

MODEL = PROJECT_ROOT / "var" / "models" / "hotline.tar.gz"

# In a fresh interpreter (TensorFlow stays out of the test process): load the trained model, parse
# each text with Rasa's call and with ours, and report both parses and which path ran.
PROBE = textwrap.dedent("""
    import asyncio, json, sys
    import numpy as np
    from rasa.core.agent import Agent
    from rasa.utils.tensorflow import models
    from bot.nlp import tf_calls

    texts = json.loads(sys.argv[2])
    agent = Agent.load(sys.argv[1])
    tf_calls.install()  # as LanguageDetector.create does (idempotent)
    fast = models.RasaModel._rasa_predict
    rasas = tf_calls.ORIGINALS["_rasa_predict"]
    flat_calls = []
    inputs = tf_calls._FlatCall.inputs
    def counted(self, args):
        tensors = inputs(self, args)
        flat_calls.append(tensors is not None)
        return tensors
    tf_calls._FlatCall.inputs = counted

    async def parse_all():
        return [await agent.parse_message(text) for text in texts]
    result = {}
    for name, function in (("rasa", rasas), ("ours", fast), ("rasa_again", rasas)):
        models.RasaModel._rasa_predict = function
        result[name] = asyncio.run(parse_all())
    result["flat_calls"] = list(flat_calls)
    import tensorflow as tf
    tf.config.run_functions_eagerly(True)  # a debugging switch: Rasa's call, run eagerly
    result["eager"] = asyncio.run(parse_all())
    result["flat_calls_eager"] = flat_calls[len(result["flat_calls"]):]
    diet = next(model for model in (getattr(n._component, "model", None)
                                    for n in agent.processor.graph_runner._instantiated_nodes.values()
                                    if hasattr(n, "_component")) if isinstance(model, models.RasaModel))
    result["kept_on_model"] = tf_calls._CALL in vars(diet)
    print(json.dumps(result, ensure_ascii=False, default=str))
""")

TEXTS = ["我家停水了", "路灯不亮了，在海淀区中关村街道", "I want to report a broken street light", "你好",
         "查询我的工单进度 HL-20261130-0001", "thanks, bye", "😀😀", "x" * 300,
         "昨天开始我家就停水了，到现在还没有来水，请尽快处理"]


def test_parses_equal_rasas_and_take_the_concrete_call():
    assert MODEL.is_file(), "make test trains the model first (make models)"
    done = subprocess.run([sys.executable, "-c", PROBE, str(MODEL), json.dumps(TEXTS)], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["ours"] == result["rasa"] == result["rasa_again"]
    assert [result["ours"][i]["intent"]["name"] for i in (0, 2)] == ["report_problem", "report_problem"]
    # Rasa's parses ran first and built the tf.function: every one of ours took the concrete call.
    assert result["flat_calls"] and all(result["flat_calls"])
    assert len(result["flat_calls"]) == len(TEXTS) and result["kept_on_model"]
    assert result["flat_calls_eager"] == []
    assert [p["intent"]["name"] for p in result["eager"]] == [p["intent"]["name"] for p in result["rasa"]]


def test_inputs_the_signature_would_not_take_as_they_are_fall_back():
    done = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import numpy as np, tensorflow as tf
        from bot.nlp.tf_calls import _FlatCall
        @tf.function(input_signature=[[tf.TensorSpec([None], tf.float32), tf.TensorSpec([None, 3], tf.int64)]])
        def step(batch):
            return {"scores": batch[0] * 2.0, "rows": tf.shape(batch[1])[0]}
        call = _FlatCall(step)
        good = (np.ones(4, np.float32), np.ones((2, 3), np.int64))
        tensors = call.inputs((good,))
        out = call.concrete._call_flat(tensors, call.concrete.captured_inputs)
        assert np.array_equal(out["scores"].numpy(), step(good)["scores"].numpy())
        assert call.inputs(((np.ones(4, np.float64), good[1]),)) is None   # dtype tf.function would cast
        assert call.inputs(((good[0], np.ones((2, 4), np.int64)),)) is None  # shape outside the signature
        assert call.inputs(((good[0],),)) is None                            # another nesting
        print("ok")
    """)], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr[-3000:]
