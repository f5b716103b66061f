"""Runs the boto3 referee tests (stdlib unittest) and writes each case's outcome as JSON, so the vitest
file test/referees/boto3.test.ts reports every case by name, with its traceback when it fails.

    python3 runner.py list          prints the test ids as a JSON array
    python3 runner.py run OUT.json  runs them all and writes [{id, outcome, detail, seconds}, ...]
"""

import json
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


class JsonResult(unittest.TestResult):
    """Records one entry per test case instead of printing."""

    def __init__(self):
        super().__init__()
        self.cases = []
        self._started = {}

    def startTest(self, test):
        super().startTest(test)
        self._started[test.id()] = time.monotonic()

    def _record(self, test, outcome, detail=""):
        started = self._started.get(test.id(), time.monotonic())
        self.cases.append(
            {
                "id": test.id(),
                "outcome": outcome,
                "detail": detail,
                "seconds": round(time.monotonic() - started, 3),
            }
        )

    def addSuccess(self, test):
        super().addSuccess(test)
        self._record(test, "passed")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._record(test, "failed", self._exc_info_to_string(err, test))

    def addError(self, test, err):
        super().addError(test, err)
        # A failing setUpClass reports a pseudo-test (_ErrorHolder); it has an id too.
        self._record(test, "error", self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._record(test, "skipped", reason)


def cases(suite):
    for test in suite:
        if isinstance(test, unittest.TestSuite):
            yield from cases(test)
        else:
            yield test


def main():
    suite = unittest.TestLoader().discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    if sys.argv[1:] == ["list"]:
        print(json.dumps([test.id() for test in cases(suite)]))
        return 0
    if len(sys.argv) == 3 and sys.argv[1] == "run":
        result = JsonResult()
        suite.run(result)
        with open(sys.argv[2], "w", encoding="utf-8") as out:
            json.dump(result.cases, out)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
