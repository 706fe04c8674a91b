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
	void afterABurstOursIsComparedWithTheBestOfTheOthers() {
		SetupSummary ours = summary("ours", 1, 1, memory(100, 500, 130, 100, 0));
		Map<String, SetupSummary> all = run(ours, summary("adaptive", 1, 1, memory(100, 500, 400, 100, 0)),
				summary("pooled", 1, 1, memory(100, 500, 113, 100, 0)));
		Targets.Verdict verdict = Targets.afterBurstAgainstTheBest(ours, all);
		assertThat(verdict.met()).isFalse();
		assertThat(verdict.measured())
			.isEqualTo("130 MiB vs pooled 113 + 16 MiB (above their baselines: +30 vs +13 MiB)");
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
					"RSS 15 s after the burst <= baseline + 32 MiB",
					"RSS 15 s after the burst <= the best other set-up + 16 MiB");
		assertThat(Targets.evaluate(run(ours, adaptive), false, true)).extracting(Targets.Verdict::target)
			.containsExactly("throughput >= 1.0x adaptive", "p99 <= 1.0x adaptive",
					"fragmentation overhead at the peak <= 0.8x adaptive's");
		assertThat(Targets.evaluate(run(ours), false, true)).isEmpty();
		assertThat(List.of(Targets.evaluate(run(adaptive), true, true))).containsExactly(List.of());
	}

}
