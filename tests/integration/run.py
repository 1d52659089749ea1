#!/usr/bin/env python3
"""run.py: run entente's integration tests (unittest, stdlib only).

    python3 tests/integration/run.py [test_file.py ...]

Discovers tests/integration/test_*.py (or runs the named files), prints one
line per test, `ok <id>`, `FAIL <id>` or `ERROR <id>`, then the tracebacks,
and ends with exactly `integration: N passed, M failed` (errors count as
failed; so do tests that never ran because their class or module could not
be set up).  Exit status 1 when anything failed.  The binary is
$ENTENTE_BIN (default build/entente).
"""

import os
import signal
import sys
import time
import traceback
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # keep the source tree clean


class LineResult(unittest.TestResult):
    """Prints a line per test as it finishes; keeps tracebacks for later."""

    def __init__(self):
        super().__init__()
        self.passed = 0
        self.failed = 0
        self.reported = set()
        self.details = []
        self.started = {}
        self.durations = {}

    def startTest(self, test):
        super().startTest(test)
        self.started[test.id()] = time.monotonic()

    def stopTest(self, test):
        super().stopTest(test)
        t0 = self.started.pop(test.id(), None)
        if t0 is not None:
            self.durations[test.id()] = time.monotonic() - t0

    def _line(self, word, test_id):
        print("%s %s" % (word, test_id), flush=True)

    def addSuccess(self, test):
        super().addSuccess(test)
        self.reported.add(test.id())
        self.passed += 1
        self._line("ok", test.id())

    def _bad(self, word, test, err):
        self.reported.add(test.id())
        self.failed += 1
        self._line(word, test.id())
        self.details.append((word, test.id(),
            "".join(traceback.format_exception(*err))))

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._bad("FAIL", test, err)

    def addError(self, test, err):
        super().addError(test, err)
        self._bad("ERROR", test, err)

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            word = "FAIL" if issubclass(err[0], test.failureException) \
                else "ERROR"
            self.failed += 1
            self._line(word, subtest.id())
            self.details.append((word, subtest.id(),
                "".join(traceback.format_exception(*err))))
            # unittest then does not report the parent as passed.
            self.reported.add(test.id())

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.reported.add(test.id())
        self.failed += 1
        self._line("FAIL", test.id())
        self.details.append(("FAIL", test.id(), "skipped: %s\n" % reason))

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self.reported.add(test.id())
        self.passed += 1
        self._line("ok", test.id())

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self.reported.add(test.id())
        self.failed += 1
        self._line("FAIL", test.id())
        self.details.append(("FAIL", test.id(), "unexpected success\n"))


def all_tests(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from all_tests(t)
        else:
            yield t


def load(argv):
    loader = unittest.TestLoader()
    if not argv:
        return loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    suite = unittest.TestSuite()
    for a in argv:
        name = os.path.basename(a)
        if name.endswith(".py"):
            name = name[:-3]
        suite.addTests(loader.loadTestsFromName(name))
    return suite


def _terminate(signum, frame):
    # Turn SIGTERM into an exception so atexit kills the servers we started.
    raise SystemExit(128 + signum)


def main(argv):
    signal.signal(signal.SIGTERM, _terminate)
    t0 = time.monotonic()
    suite = load(argv)
    ids = [t.id() for t in all_tests(suite)]
    result = LineResult()
    result.failfast = False
    suite.run(result)

    # Tests that never ran (their setUpClass or module import failed).
    for tid in ids:
        if tid not in result.reported:
            result.failed += 1
            result._line("ERROR", tid)
            result.details.append(("ERROR", tid, "did not run: the class or "
                "module setup failed (see above)\n"))

    for word, tid, text in result.details:
        print()
        print("%s: %s" % (word, tid))
        print(text.rstrip())
    slow = sorted(result.durations.items(), key=lambda kv: -kv[1])[:5]
    print()
    print("slowest: " + ", ".join("%s %.1fs" % (k.rsplit(".", 2)[-2] + "." +
        k.rsplit(".", 1)[-1], v) for k, v in slow))
    print("integration time: %.1fs" % (time.monotonic() - t0))
    print("integration: %d passed, %d failed" % (result.passed,
        result.failed), flush=True)
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
