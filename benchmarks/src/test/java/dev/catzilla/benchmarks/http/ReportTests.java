package dev.catzilla.benchmarks.http;

import java.util.List;

import org.junit.jupiter.api.Test;

import static dev.catzilla.benchmarks.http.Fixtures.memory;
import static dev.catzilla.benchmarks.http.Fixtures.result;
import static org.assertj.core.api.Assertions.assertThat;

class ReportTests {

	@Test
	void theLoadTableHasTheMedianTheRangeOfRoundsAndEachOtherStream() {
		SetupSummary ours = new SetupSummary("ours",
				List.of(List.of(result("aggregate", 900, 1, 2.0), result("slow readers", 40, 2, 3000)),
						List.of(result("aggregate", 1100, 0, 4.0), result("slow readers", 60, 0, 5000)),
						List.of(result("aggregate", 1000, 0, 3.0), result("slow readers", 50, 0, 4000))),
				memory(100, 300, 120, 110, 150), 105.0 * Fixtures.MiB);
		String table = Report.loadTable(List.of(ours));
		assertThat(table).contains("| slow readers: answers, p99 s |");
		assertThat(table).contains("| ours | 1000 (900-1100) | 3.00 | 3.00 | 3 | 150, 4.0 |");
	}

	@Test
	void theMemoryTableIsInMiBWithNaForMissingFigures() {
		SetupSummary pooled = Fixtures.summary("pooled", 1000, 3, memory(100, 300, 120, Double.NaN, 150));
		assertThat(Report.memoryTable(List.of(pooled)))
			.contains("| pooled | 100 | 300 | 120 | n/a | n/a | 150 | n/a | 50 |");
	}

	@Test
	void theReportSaysWhichTargetsWereNotMetAndWhichAreUndecided() {
		SetupSummary ours = Fixtures.summary("ours", 900, 3, memory(100, 300, 120, 110, 150));
		SetupSummary adaptive = Fixtures.summary("adaptive", 1000, 3, memory(100, 300, 120, 110, 150));
		String markdown = Report.markdown("Scenario", "How it ran.", List.of(ours, adaptive),
				List.of(Targets.throughput(ours, adaptive), Targets.Verdict.undecided("a target", "too few rounds")),
				"x-rss.png");
		assertThat(markdown).startsWith("# Scenario\n\nHow it ran.\n\n")
			.contains("![RSS over time](x-rss.png)")
			.contains("| throughput >= 1.0x adaptive | 0.90x (900 vs 1000 req/s, medians) | **NOT met** |")
			.contains("| a target | too few rounds | undecided |");
	}

}
