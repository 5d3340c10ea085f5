"""The action server package (``python -m rasa_sdk --actions bot.actions``).

One module per business step (case_form, submit_case, outbox, status, my_cases, questions,
emergency, handoff, fallback, cancel, session). rasa-sdk imports every submodule and registers
the concrete ``Action`` classes; nothing here opens sockets, files or models at import time —
that happens lazily through :mod:`bot.actions.runtime`.
"""
