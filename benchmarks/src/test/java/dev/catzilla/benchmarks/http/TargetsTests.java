package dev.catzilla.benchmarks.http;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static dev.catzilla.benchmarks.http.Fixtures.memory;
import static dev.catzilla.benchmarks.http.Fixtures.summary;
import static org.assertj.core.api.Assertions.assertThat;

class TargetsTests {

	private static Map<String, SetupSummary> run(SetupSummary... summaries) {
		Map<String, SetupSummary> byName = new LinkedHashMap<>();
		for (SetupSummary s : summaries) {
			byName.put(s.setup(), s);
		}
		return byName;
	}

	@Test
	void throughputAndP99AreRatiosAgainstAdaptive() {
		SetupSummary ours = summary("ours", 1100, 9, memory(100, 300, 110, 105, 150));
		SetupSummary adaptive = summary("adaptive", 1000, 10, memory(100, 300, 110, 105, 150));
		assertThat(Targets.throughput(ours, adaptive)).satisfies((v) -> {
			assertThat(v.met()).isTrue();
			assertThat(v.measured()).startsWith("1.10x (1100 vs 1000 req/s");
		});
		assertThat(Targets.p99(ours, adaptive).met()).isTrue();
		assertThat(Targets.throughput(adaptive, ours).met()).isFalse();
		assertThat(Targets.p99(adaptive, ours).met()).isFalse();
	}

	@Test
	void afterABurstOursMayHoldAtMost32MiBAboveItsBaseline() {
		assertThat(Targets.heldAfterBurst(summary("ours", 1, 1, memory(100, 500, 132, 100, 0))).met()).isTrue();
		Targets.Verdict missed = Targets.heldAfterBurst(summary("ours", 1, 1, memory(100, 500, 133, 100, 0)));
		assertThat(missed.met()).isFalse();
		assertThat(missed.measured()).isEqualTo("133 MiB vs 100 + 32 MiB (+33 MiB)");
		assertThat(missed.word()).isEqualTo("NOT met");
	}

	@Test
	void afterTheLoadOursIsComparedWithTheBestOfTheOthersAt15And60Seconds() {
		SetupSummary ours = summary("ours", 1, 1, memory(100, 500, 130, 100, 0));
		Map<String, SetupSummary> all = run(ours, summary("adaptive", 1, 1, memory(100, 500, 400, 100, 0)),
				summary("pooled", 1, 1, memory(100, 500, 113, 90, 0)));
		Targets.Verdict at15 = Targets.againstTheBest(ours, all, "+15 s", Memory::after15s);
		assertThat(at15.met()).isFalse();
		assertThat(at15.target()).isEqualTo("RSS at +15 s <= the best other set-up's + 16 MiB");
		assertThat(at15.measured()).isEqualTo("130 MiB vs pooled 113 + 16 MiB (above their baselines: +30 vs +13 MiB)");
		Targets.Verdict at60 = Targets.againstTheBest(ours, all, "+60 s", Memory::after60s);
		assertThat(at60.met()).as(at60.measured()).isTrue();
		Targets.Verdict alone = Targets.againstTheBest(ours, run(ours), "+15 s", Memory::after15s);
		assertThat(alone.outcome()).isEqualTo(Targets.Outcome.UNDECIDED);
		assertThat(alone.measured()).isEqualTo("no other set-up has a figure");
		SetupSummary shortRun = summary("ours", 1, 1, memory(100, 500, 130, Double.NaN, 0));
		assertThat(Targets.againstTheBest(shortRun, all, "+60 s", Memory::after60s)).satisfies((v) -> {
			assertThat(v.outcome()).isEqualTo(Targets.Outcome.UNDECIDED);
			assertThat(v.measured()).startsWith("no figure for ours");
		});
		// ours' own variants are not "other set-ups"
		Map<String, SetupSummary> withVariant = run(ours,
				summary("ours-unprofiled", 1, 1, memory(100, 500, 100, 50, 0)),
				summary("adaptive", 1, 1, memory(100, 500, 120, 100, 0)));
		assertThat(Targets.againstTheBest(ours, withVariant, "+15 s", Memory::after15s).measured())
			.contains("vs adaptive 120");
	}

	@Test
	void oursMustBeBackWithin32MiBOfItsBaselineFiveSecondsAfterTheLoad() {
		assertThat(Targets.backWithin(summary("ours", 1, 1, memory(100, 500, 100, 100, 0, 5.0))).met()).isTrue();
		Targets.Verdict late = Targets.backWithin(summary("ours", 1, 1, memory(100, 500, 100, 100, 0, 5.5)));
		assertThat(late.met()).isFalse();
		assertThat(late.measured()).isEqualTo("after 5.5 s");
		Targets.Verdict never = Targets
			.backWithin(summary("ours", 1, 1, memory(100, 500, 100, 100, 0, Double.POSITIVE_INFINITY)));
		assertThat(never.met()).isFalse();
		assertThat(never.measured()).isEqualTo("not while sampled");
	}

	@Test
	void noStreamMayGetFewerAnswersThanWithAdaptiveBeyondThreePercent() {
		Targets.Verdict met = Targets.answers(Fixtures.answers("ours", 970, 2000),
				Fixtures.answers("adaptive", 1000, 1000));
		assertThat(met.met()).as(met.measured()).isTrue();
		assertThat(met.measured()).isEqualTo("main 970 vs 1000; other 2000 vs 1000");
		Targets.Verdict fewer = Targets.answers(Fixtures.answers("ours", 1000, 600),
				Fixtures.answers("adaptive", 1000, 1000));
		assertThat(fewer.met()).isFalse();
		assertThat(fewer.measured()).isEqualTo("main 1000 vs 1000; other 600 vs 1000 (fewer)");
		Targets.Verdict mismatched = Targets.answers(Fixtures.answers("ours", 1000, 1000),
				summary("adaptive", 1000, 1, memory(100, 200, 100, 100, 50)));
		assertThat(mismatched.outcome()).isEqualTo(Targets.Outcome.UNDECIDED);
		assertThat(mismatched.word()).isEqualTo("undecided");
	}

	@Test
	void fragmentationIsComparedWithTheBestOtherSetUp() {
		SetupSummary ours = summary("ours", 1, 1, memory(100, 400, 0, 0, 280));
		Map<String, SetupSummary> all = run(ours, summary("adaptive", 1, 1, memory(100, 400, 0, 0, 200)),
				summary("trim-native", 1, 1, memory(100, 400, 0, 0, 290)));
		Targets.Verdict verdict = Targets.fragmentationAgainstTheBest(ours, all);
		assertThat(verdict.met()).isFalse();
		assertThat(verdict.measured()).isEqualTo("20 MiB vs trim-native 10 MiB");
		assertThat(Targets.fragmentationAgainstTheBest(summary("ours", 1, 1, memory(100, 400, 0, 0, 300)), all).met())
			.isTrue();
	}

	@Test
	void fragmentationIsMetAt80PercentOfAdaptivesOrWithNoOverheadAtAll() {
		// 100 MiB
		SetupSummary adaptive = summary("adaptive", 1, 1, memory(100, 400, 0, 0, 200));
		assertThat(Targets.fragmentation(summary("ours", 1, 1, memory(100, 380, 0, 0, 200)), adaptive).met()).isTrue();
		assertThat(Targets.fragmentation(summary("ours", 1, 1, memory(100, 381, 0, 0, 200)), adaptive).met()).isFalse();
		// -10 MiB
		SetupSummary noOverhead = summary("adaptive", 1, 1, memory(100, 290, 0, 0, 200));
		assertThat(Targets.fragmentation(summary("ours", 1, 1, memory(100, 295, 0, 0, 200)), noOverhead).met())
			.isTrue();
		assertThat(Targets.fragmentation(summary("ours", 1, 1, memory(100, 310, 0, 0, 200)), noOverhead).met())
			.isFalse();
	}

	@Test
	void eachScenarioGetsItsTargetsAndNoneWithoutOursAndAdaptive() {
		SetupSummary ours = summary("ours", 1, 1, memory(100, 400, 110, 100, 200));
		SetupSummary adaptive = summary("adaptive", 1, 1, memory(100, 400, 110, 100, 200));
		assertThat(Targets.evaluate(run(ours, adaptive), true, false)).extracting(Targets.Verdict::target)
			.containsExactly("throughput >= 1.0x adaptive", "p99 <= 1.0x adaptive",
					"no stream gets fewer answers than with adaptive (within 3 %)",
					"RSS 15 s after the burst <= baseline + 32 MiB",
					"RSS back within 32 MiB of the baseline <= 5 s after the load",
					"RSS at +15 s <= the best other set-up's + 16 MiB",
					"RSS at +60 s <= the best other set-up's + 16 MiB",
					"fragmentation at the peak <= the best other set-up's (or none at all)");
		assertThat(Targets.evaluate(run(ours, adaptive), false, true)).extracting(Targets.Verdict::target)
			.containsExactly("throughput >= 1.0x adaptive", "p99 <= 1.0x adaptive",
					"no stream gets fewer answers than with adaptive (within 3 %)",
					"RSS back within 32 MiB of the baseline <= 5 s after the load",
					"RSS at +15 s <= the best other set-up's + 16 MiB",
					"RSS at +60 s <= the best other set-up's + 16 MiB",
					"fragmentation overhead at the peak <= 0.8x adaptive's",
					"fragmentation at the peak <= the best other set-up's (or none at all)");
		assertThat(Targets.evaluate(run(ours), false, true)).isEmpty();
		assertThat(List.of(Targets.evaluate(run(adaptive), true, true))).containsExactly(List.of());
	}

}
