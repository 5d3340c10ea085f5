"""`make bench`: latency, throughput, start-up, training time and memory of the hotline (issue #8).

Modules: :mod:`bench.stats` (percentiles), :mod:`bench.conversations` (scripted citizens),
:mod:`bench.load` (the aiohttp load generator, run in bench/.venv), :mod:`bench.servers`
(our stack and the stock Rasa bot), :mod:`bench.report` (table, JSON, targets), :mod:`bench.run`.
"""
