"""DIET's TensorFlow call without ``tf.function``'s per-call dispatch.

Rasa's ``RasaModel._rasa_predict`` runs the model through a ``tf.function`` built with a fixed
``input_signature``. On every call that function canonicalises its inputs against the signature,
converts them and looks up its concrete function: about 1 ms of Python per message, against
0.4 ms of TensorFlow execution (py-spy under load: 7 % of the Rasa server, bench/README.md). With a
fixed signature there is one concrete function only, so :func:`install` keeps it and calls it with
the inputs converted to the signature's tensors (TF 2.12's ``ConcreteFunction._call_flat``, the
call ``tf.function`` itself ends in). Outputs are the same tensors (tested against Rasa's call).

Anything unexpected (eager mode, ``tf.config.run_functions_eagerly``, the first call that builds
the function, an input whose dtype or shape the signature does not accept, a different nesting)
goes through Rasa's own call.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

log = logging.getLogger(__name__)
ORIGINALS: Dict[str, Any] = {}  # Rasa's functions install() replaced, for tests to compare with


class _FlatCall:
    """The concrete function of one ``tf.function`` and the tensor specs of its flat inputs."""

    def __init__(self, function: Any) -> None:
        import tensorflow as tf

        self.function = function
        self.concrete = function.get_concrete_function()
        self.structure = function.input_signature
        self.specs = tf.nest.flatten(self.structure, expand_composites=True)

    def inputs(self, args: tuple) -> Optional[List[Any]]:
        """The flat tensors for ``args``, or None where the signature would not take them as they are."""
        import tensorflow as tf

        try:
            tf.nest.assert_same_structure(self.structure, args, check_types=False, expand_composites=True)
        except (TypeError, ValueError):
            return None
        tensors = []
        for value, spec in zip(tf.nest.flatten(args, expand_composites=True), self.specs):
            tensor = tf.convert_to_tensor(value)
            if tensor.dtype != spec.dtype or not spec.shape.is_compatible_with(tensor.shape):
                return None
            tensors.append(tensor)
        return tensors


# Kept on the model object itself, so that it goes with the model (a replaced model is freed).
_CALL = "_hotline_flat_call"


def install() -> None:
    """Idempotent; called from :meth:`bot.nlp.components.LanguageDetector.create` / ``load``."""
    from rasa.utils.tensorflow import models
    import tensorflow as tf
    from rasa.shared.constants import DIAGNOSTIC_DATA

    if "_rasa_predict" in ORIGINALS:
        return
    original = ORIGINALS["_rasa_predict"] = models.RasaModel._rasa_predict

    def _rasa_predict(self: Any, batch_in: Any) -> Dict[str, Any]:
        function = self._tf_predict_step
        if (self._run_eagerly or function is None or not self.prepared_for_prediction
                or tf.config.functions_run_eagerly()):
            return original(self, batch_in)
        call = self.__dict__.get(_CALL)
        if call is None or call.function is not function:
            call = self.__dict__[_CALL] = _FlatCall(function)  # past Keras' attribute tracking
        tensors = call.inputs((batch_in,))
        if tensors is None:
            return original(self, batch_in)
        outputs = models.tf_utils.sync_to_numpy_or_python_type(
            call.concrete._call_flat(tensors, call.concrete.captured_inputs)
        )
        if DIAGNOSTIC_DATA in outputs:
            outputs[DIAGNOSTIC_DATA] = self._empty_lists_to_none_in_dict(outputs[DIAGNOSTIC_DATA])
        return outputs

    models.RasaModel._rasa_predict = _rasa_predict
    log.info("DIET's TensorFlow call goes to its concrete function (bot/nlp/tf_calls.py)")
