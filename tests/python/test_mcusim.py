#!/usr/bin/env python3
"""The Python package (python/mcusim, issue 19 item 1) with Debian's python3 and unittest, from the tree or from an
install (whichever `import mcusim` finds: PYTHONPATH). Environment: MCUSIM_TEST_ELF (a bundled firmware that exits
0), MCUSIM_TEST_MODEL (its model JSON), MCUSIM_TEST_PROFILE (default stm32f412), MCUSIM_TEST_SLOW=0 skips the
search and sweep (they build firmware)."""
import json
import os
import tempfile
import unittest

import mcusim

ELF = os.environ["MCUSIM_TEST_ELF"]
MODEL = os.environ["MCUSIM_TEST_MODEL"]
PROFILE = os.environ.get("MCUSIM_TEST_PROFILE", "stm32f412")
SLOW = os.environ.get("MCUSIM_TEST_SLOW", "1") == "1"


class TestRun(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.report = mcusim.run(ELF, PROFILE)

    def test_report_accessors(self):
        r = self.report
        self.assertIsInstance(r, dict)
        self.assertEqual(r["schema"], "mcusim-report/1")
        self.assertEqual(r.cycles, r["totals"]["cycles"])
        self.assertGreater(r.cycles, r.instructions // 2)
        self.assertEqual(r.peak_sram_bytes, r["memory"]["peak_bytes"])
        self.assertTrue(r.ok and r.fits and r.exit_code == 0)
        self.assertEqual(r.profile, PROFILE)
        self.assertGreater(len(r.layers), 0)
        self.assertEqual(sum(x.macs for x in r.layers), r.macs)
        conv = [x for x in r.layers if x.kind == "conv2d"][0]
        self.assertGreater(conv.params, conv["out_shape"][2])  # weights + one bias per output channel
        self.assertEqual(conv.weight_bytes - conv.params, 11 * conv["out_shape"][2])  # bias 4 B, mult and shift 4 B
        self.assertAlmostEqual(r.latency_ms, r["totals"]["latency_us"] / 1000)
        json.dumps(r)  # still plain JSON

    def test_same_as_cli_report_file(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "r.json")
            r = mcusim.run(ELF, PROFILE, report=path, max_insns=10**10)
            with open(path) as f:
                self.assertEqual(json.load(f), dict(r))

    def test_rerun(self):
        again = mcusim.rerun(self.report)
        self.assertEqual(dict(again), dict(self.report))

    def test_limit_is_a_result(self):
        r = mcusim.run(ELF, PROFILE, max_insns=1000)
        self.assertEqual((r.exit_code, r.stop), (4, "instruction_limit"))
        with self.assertRaises(mcusim.Error) as e:
            mcusim.run(ELF, PROFILE, max_insns=1000, check=True)
        self.assertEqual(e.exception.exit_class, "limit")

    def test_errors_carry_the_cli_message(self):
        with self.assertRaises(mcusim.Error) as e:
            mcusim.run("/nonexistent.elf", PROFILE)
        self.assertEqual((e.exception.exit_code, e.exception.exit_class), (2, "bad_input"))
        self.assertIn("/nonexistent.elf", e.exception.message)
        self.assertNotIn("\n", e.exception.message)
        with self.assertRaises(mcusim.Error) as e:
            mcusim.run(ELF, "no-such-part")
        self.assertIn("no-such-part", e.exception.message)

    def test_dataframe(self):
        try:
            import pandas  # noqa: F401
        except ImportError:
            if os.environ.get("MCUSIM_REQUIRE_PANDAS"):  # .ci/run: CI installs python3-pandas, so no skip there
                raise
            self.skipTest("pandas is not installed (python3-pandas)")
        df = self.report.to_dataframe()
        self.assertEqual(len(df), len(self.report.layers))
        self.assertIn("cycles", df.columns)
        # the bundled runtime says each layer's parameters and flash bytes (MCUSIM_LAYER_PARAMS)
        self.assertEqual(int(df["weight_bytes"].sum()), sum(x.weight_bytes for x in self.report.layers))
        self.assertGreater(int(df["params"].sum()), 0)

    def test_check_and_compare(self):
        c = mcusim.check(self.report, self.report)
        self.assertEqual((c.verdict, c.passed, c.schema), ("pass", True, "mcusim-check/1"))
        c = mcusim.check(self.report, self.report, max={"peak_sram": "1KiB"})
        self.assertEqual((c.verdict, c.passed), ("fail", False))
        cmp = mcusim.compare(self.report, self.report)
        self.assertEqual(cmp.schema, "mcusim-compare/1")


class TestAnalytic(unittest.TestCase):
    def test_profiles(self):
        names = [p.name for p in mcusim.profiles()]
        self.assertIn(PROFILE, names)

    def test_plan(self):
        lw = mcusim.plan(MODEL)
        p = mcusim.plan(MODEL, patches=2, split_blocks=4)
        self.assertEqual((lw.schema, lw.patch), ("mcusim-plan/1", None))
        self.assertLess(p.patch["peak_live_bytes"], lw.layerwise["peak_live_bytes"])

    def test_analyze(self):
        try:
            a = mcusim.analyze(MODEL, PROFILE)
        except mcusim.Error as e:
            if "unknown command" in e.message:
                self.skipTest("this mcusim has no analyze command")
            raise
        self.assertIsInstance(a, dict)


@unittest.skipUnless(SLOW, "MCUSIM_TEST_SLOW=0")
class TestExplore(unittest.TestCase):
    def test_search(self):
        s = mcusim.search(MODEL, PROFILE, top=0, input="flash", jobs=2)
        self.assertEqual(s.schema, "mcusim-search/1")
        self.assertIsNotNone(s.chosen)

    def test_sweep(self):
        model = os.path.splitext(os.path.basename(MODEL))[0]
        t = mcusim.sweep({"models": [model], "schedules": ["layerwise"], "profiles": [PROFILE]}, jobs=2)
        self.assertEqual((t["jobs_total"], len(t["missing"])), (1, 0))
        self.assertEqual(t["rows"][0]["status"], "ok")


if __name__ == "__main__":
    unittest.main(verbosity=2)
