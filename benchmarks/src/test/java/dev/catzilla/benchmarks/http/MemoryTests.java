package dev.catzilla.benchmarks.http;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static dev.catzilla.benchmarks.http.Fixtures.MiB;
import static org.assertj.core.api.Assertions.assertThat;

class MemoryTests {

	/**
	 * RSS every 500 ms from t=0 to t=80 s: 100 MiB idle, 400 MiB from 10 s to 20 s, 150
	 * MiB after.
	 */
	private static Series rss() {
		List<Series.Point> points = new ArrayList<>();
		for (long t = 0; t <= 80_000; t += 500) {
			long mib = (t < 10_000) ? 100 : (t <= 20_000) ? ((t == 15_000) ? 420 : 400) : 150;
			points.add(new Series.Point(t, mib * MiB));
		}
		return new Series(points);
	}

	private static List<Sampler.CounterSample> counters() {
		List<Sampler.CounterSample> samples = new ArrayList<>();
		for (long t = 0; t <= 80_000; t += 1000) {
			long used = (t == 15_000) ? 250 * MiB : 10 * MiB;
			samples.add(new Sampler.CounterSample(t, new Counters("x", used, -1, -1, 300 * MiB)));
		}
		return samples;
	}

	@Test
	void theFiguresComeFromTheBaselineWindowThePeakAndTheMomentsAfterTheLoad() {
		Memory memory = Memory.of(rss(), counters(), 5_000, 9_500, 10_000, 20_000);
		assertThat(memory.baseline()).isEqualTo(100.0 * MiB);
		assertThat(memory.peak()).isEqualTo(420.0 * MiB);
		assertThat(memory.after15s()).isEqualTo(150.0 * MiB); // at 35 s
		assertThat(memory.after60s()).isEqualTo(150.0 * MiB); // at 80 s, the last sample
		// the counters sampled with the peak
		assertThat(memory.nettyUsedAtPeak()).isEqualTo(250.0 * MiB);
		assertThat(memory.jemallocResidentAtPeak()).isEqualTo(300.0 * MiB);
	}

	@Test
	void backWithin32MiBIsTheFirstSampleAfterTheLoadThatCloseToTheBaseline() {
		// RSS 150 MiB after the load at 20 s: 50 above the baseline, never back
		// (infinite, so
		// a median counts it as late)
		assertThat(Memory.of(rss(), counters(), 5_000, 9_500, 10_000, 20_000).backWithinMillis()).isInfinite();
		assertThat(Memory.median(List.of(Fixtures.memory(100, 500, 100, 100, 0, 2.0),
				Fixtures.memory(100, 500, 100, 100, 0, Double.POSITIVE_INFINITY),
				Fixtures.memory(100, 500, 100, 100, 0, Double.POSITIVE_INFINITY)))
			.backWithinMillis()).isInfinite();
		List<Series.Point> falling = new ArrayList<>();
		for (long t = 0; t <= 40_000; t += 500) {
			long mib = (t < 10_000) ? 100 : (t <= 20_000) ? 400 : Math.max(100, 400 - (t - 20_000) / 10);
			falling.add(new Series.Point(t, mib * MiB));
		}
		// 400 MiB falling 50 MiB per 500 ms from 20 s: 132 MiB or less first at 23 s
		Memory memory = Memory.of(new Series(falling), counters(), 5_000, 9_500, 10_000, 20_000);
		assertThat(memory.backWithinMillis()).isEqualTo(3_000.0);
		assertThat(Memory.of(new Series(falling), counters(), 5_000, 9_500, 10_000, 35_000).backWithinMillis())
			.as("already back when the load ended")
			.isZero();
	}

	@Test
	void fragmentationIsWhatThePeakHoldsBeyondTheBaselineAndTheAllocatorsOwnCount() {
		Memory memory = Memory.of(rss(), counters(), 5_000, 9_500, 10_000, 20_000);
		assertThat(memory.fragmentation()).isEqualTo((420.0 - 100 - 250) * MiB);
		assertThat(memory.heldAfter15s()).isEqualTo(50.0 * MiB);
	}

	@Test
	void aMomentAfterSamplingStoppedHasNoFigure() {
		Memory memory = Memory.of(rss(), counters(), 5_000, 9_500, 10_000, 30_000);
		assertThat(memory.after60s()).isNaN(); // 90 s: nothing sampled there
		assertThat(memory.after15s()).isEqualTo(150.0 * MiB);
	}

	@Test
	void withoutTheAllocatorsCountThereIsNoFragmentationFigure() {
		Memory memory = Memory.of(rss(), List.of(), 5_000, 9_500, 10_000, 20_000);
		assertThat(memory.nettyUsedAtPeak()).isNaN();
		assertThat(memory.fragmentation()).isNaN();
	}

	@Test
	void theMedianIsTakenFigureByFigure() {
		Memory median = Memory.median(List.of(Fixtures.memory(100, 500, 120, 110, 200),
				Fixtures.memory(110, 300, 200, 100, 100), Fixtures.memory(90, 400, 150, Double.NaN, 300)));
		assertThat(median).isEqualTo(Fixtures.memory(100, 400, 150, 105, 200));
	}

}
