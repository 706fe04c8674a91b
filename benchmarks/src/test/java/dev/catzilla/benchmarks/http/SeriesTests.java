package dev.catzilla.benchmarks.http;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SeriesTests {

	private final Series series = new Series(List.of(new Series.Point(3000, 30), new Series.Point(1000, 10),
			new Series.Point(2000, 50), new Series.Point(4000, 50), new Series.Point(9000, 5)));

	@Test
	void samplesAreKeptInTimeOrder() {
		assertThat(this.series.points()).extracting(Series.Point::millis)
			.containsExactly(1000L, 2000L, 3000L, 4000L, 9000L);
	}

	@Test
	void theMeanCoversTheSamplesInsideTheWindowBoundsIncluded() {
		assertThat(this.series.meanBetween(1000, 3000)).hasValue(30.0);
		assertThat(this.series.meanBetween(5000, 6000)).isEmpty();
	}

	@Test
	void thePeakIsTheEarliestOfTheHighestSamplesInTheWindow() {
		assertThat(this.series.peakBetween(0, 10_000)).contains(new Series.Point(2000, 50));
		assertThat(this.series.peakBetween(2500, 3500)).contains(new Series.Point(3000, 30));
	}

	@Test
	void aValueAtAMomentIsTheFirstSampleFromThenOnWithinTheTolerance() {
		assertThat(this.series.at(2500, 1000)).contains(new Series.Point(3000, 30));
		// next sample 4 s later: sampling had a gap
		assertThat(this.series.at(5000, 1000)).isEmpty();
		assertThat(this.series.at(10_000, 1000)).isEmpty(); // after the last sample
	}

	@Test
	void theLastSampleIsTheLatest() {
		assertThat(this.series.last()).contains(new Series.Point(9000, 5));
		assertThat(new Series(List.of()).last()).isEmpty();
	}

}
