"""Shared helpers for lorakit's PEFT interoperability scripts: a JSON job in on argv/stdin, one JSON document
out on stdout, and every Python warning and logging warning collected so the TypeScript side can assert on it."""
import contextlib
import json
import logging
import sys
import warnings


class _Collector(logging.Handler):
    def __init__(self, sink):
        super().__init__(level=logging.WARNING)
        self.sink = sink

    def emit(self, record):
        self.sink.append(f"log {record.name}: {record.getMessage()}")


@contextlib.contextmanager
def collect_warnings(sink, as_errors=False):
    """Appends every warnings.warn and every WARNING+ log record (root, transformers, peft) to `sink`.
    With as_errors, warnings.warn raises instead, as the brief for config loading asks."""
    handler = _Collector(sink)
    # transformers' and peft's loggers do not always propagate to the root, so listen on each of them.
    loggers = [logging.getLogger(), logging.getLogger("transformers"), logging.getLogger("peft")]
    for logger in loggers:
        logger.addHandler(handler)
    with warnings.catch_warnings(record=not as_errors) as caught:
        warnings.simplefilter("error" if as_errors else "always")
        try:
            yield
        finally:
            for logger in loggers:
                logger.removeHandler(handler)
            for item in caught or []:
                sink.append(f"warning {item.category.__name__}: {item.message}")


def to_json(value):
    """Sets become sorted lists and enums their value, so PEFT's config dicts compare with lorakit's JSON."""
    if isinstance(value, (set, frozenset)):
        return sorted(to_json(item) for item in value)
    if isinstance(value, dict):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    if hasattr(value, "value") and type(value).__module__.startswith("peft"):
        return value.value
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def read_job():
    """The job: JSON from the file named by argv[1], or stdin."""
    if len(sys.argv) > 1:
        with open(sys.argv[1], encoding="utf8") as handle:
            return json.load(handle)
    return json.load(sys.stdin)


def write_result(result):
    sys.stdout.write(json.dumps(result))
    sys.stdout.write("\n")
