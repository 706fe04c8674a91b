package dev.catzilla.benchmarks.http;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PhaseCostTests {

	private static final String STAT = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 5000 0 3 0 250 50 0 0 20 0 30 0 1";

	@Test
	void procStatIsReadAfterTheLastParenthesisOfTheCommandName() {
		ProcessCost cost = ProcessCost.parse(STAT, 100, 0.5);
		assertThat(cost.minorFaults()).isEqualTo(5000);
		assertThat(cost.cpuSeconds()).isEqualTo(3.0); // (250 + 50) ticks / 100
		assertThat(cost.gcPauseSeconds()).isEqualTo(0.5);
	}

	@Test
	void gcPauseTotalTimeIsTakenFromTheMetricsAnswer() {
		String json = "{\"name\":\"jvm.gc.pause\",\"baseUnit\":\"seconds\",\"measurements\":[{\"statistic\":\"COUNT\","
				+ "\"value\":12.0},{\"statistic\":\"TOTAL_TIME\",\"value\":0.125},{\"statistic\":\"MAX\",\"value\":0.01}]}";
		assertThat(ProcessCost.parseGcPause(json)).isEqualTo(0.125);
		assertThat(ProcessCost.parseGcPause("{}")).isNaN();
	}

	@Test
	void costsPerRequestAndPerMiBCountAggregatedBodiesBothWays() {
		Workload load = Workload.of(
				new Workload.Stream("agg", Workload.Kind.AGGREGATE, 1, SizeMix.fixed(1), Duration.ZERO),
				new Workload.Stream("get", Workload.Kind.BYTES, 1, SizeMix.fixed(1), Duration.ZERO));
		List<LoadResult> results = List.of(result("agg", 100, 1 << 20), result("get", 300, 2 << 20));
		PhaseCost cost = PhaseCost.of(new ProcessCost(2.0, 800, 0.04), results, load, 0);
		assertThat(cost.answered()).isEqualTo(400);
		assertThat(cost.mibMoved()).isEqualTo(4.0); // 1 MiB in + 1 MiB out + 2 MiB out
		assertThat(cost.cpuMillisPerRequest()).isEqualTo(5.0);
		assertThat(cost.cpuMillisPerMiB()).isEqualTo(500.0);
		assertThat(cost.faultsPerRequest()).isEqualTo(2.0);
		assertThat(cost.gcMillis()).isEqualTo(40.0);
	}

	@Test
	void theCpuTargetIsDecidedRoundByRoundWhenEveryRoundAgrees() {
		// the rounds drift (1.0 to 1.6) more than ours and the other differ, yet ours is
		// lower in each
		List<PhaseCost> ours = List.of(cpu(1.0), cpu(1.3), cpu(1.55));
		List<PhaseCost> other = List.of(cpu(1.05), cpu(1.35), cpu(1.6));
		Targets.Verdict met = PhaseCost.cpuVerdict(ours, "adaptive", other);
		assertThat(met.outcome()).as(met.measured()).isEqualTo(Targets.Outcome.MET);
		assertThat(met.measured()).contains("ours lower in 3 of 3 paired rounds").contains("ratio 0.96 (0.95-0.97)");
		Targets.Verdict missed = PhaseCost.cpuVerdict(other, "adaptive", ours);
		assertThat(missed.outcome()).isEqualTo(Targets.Outcome.NOT_MET);
		assertThat(missed.word()).isEqualTo("NOT met");
		List<PhaseCost> mixed = List.of(cpu(0.9), cpu(1.4), cpu(1.5));
		Targets.Verdict undecided = PhaseCost.cpuVerdict(mixed, "adaptive", other);
		assertThat(undecided.outcome()).isEqualTo(Targets.Outcome.UNDECIDED);
		assertThat(undecided.word()).isEqualTo("undecided");
		assertThat(undecided.measured()).contains("ours lower in 2 of 3").contains("the rounds disagree");
		Targets.Verdict twoRounds = PhaseCost.cpuVerdict(ours.subList(0, 2), "adaptive", other.subList(0, 2));
		assertThat(twoRounds.outcome()).isEqualTo(Targets.Outcome.UNDECIDED);
		assertThat(twoRounds.measured()).contains("fewer than 3 rounds");
	}

	@Test
	void theTableGivesMedianAndSpreadPerSetup() {
		String table = PhaseCost.table(Map.of("ours", List.of(cpu(1.0), cpu(3.0), cpu(2.0))));
		assertThat(table).contains("| ours | 1000 (1000-1000) | 2.000 (1.000-3.000) |");
	}

	@Test
	void aPacedConnectionSendsOnItsSlotsAndSkipsSlotsItMissedByMoreThanOnePeriod() {
		LoadGenerator.Pacer pacer = new LoadGenerator.Pacer(100, 1000, 1, 4); // offset 25
		assertThat(pacer.waitNanos(1000)).isEqualTo(25);
		assertThat(pacer.waitNanos(1030)).isEqualTo(95); // slot 1125
		// slot 1225 is late but within one period: at once
		assertThat(pacer.waitNanos(1300)).isZero();
		assertThat(pacer.waitNanos(2000)).isZero(); // far behind: restarts from now
		assertThat(pacer.waitNanos(2000)).isEqualTo(100);
		assertThat(new LoadGenerator.Pacer(0, 0, 0, 1).waitNanos(5)).isZero();
	}

	private static PhaseCost cpu(double msPerRequest) {
		return new PhaseCost(new ProcessCost(msPerRequest, 0, 0), 1000, 1, 0);
	}

	private static LoadResult result(String stream, long ok, long bytes) {
		return new LoadResult(stream, ok, 0, 0, 1_000_000_000L, LoadResult.newHistogram(), bytes);
	}

}
