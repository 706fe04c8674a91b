package dev.catzilla.benchmarks.http;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StatsTests {

	@Test
	void theMedianOfAnOddCountIsTheMiddleValue() {
		assertThat(Stats.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
	}

	@Test
	void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
		assertThat(Stats.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
	}

	@Test
	void valuesThatAreNotFiniteAreLeftOut() {
		assertThat(Stats.median(List.of(Double.NaN, 5.0, 7.0))).isEqualTo(6.0);
		assertThat(Stats.median(List.of(Double.NaN))).isNaN();
		assertThat(Stats.min(List.of(Double.NaN, 5.0, 7.0))).isEqualTo(5.0);
		assertThat(Stats.max(List.of(Double.NaN, 5.0, 7.0))).isEqualTo(7.0);
		assertThat(Stats.max(List.of())).isNaN();
	}

	@Test
	void aRatioWithoutAFiniteNonZeroDenominatorIsNaN() {
		assertThat(Stats.ratio(3, 2)).isEqualTo(1.5);
		assertThat(Stats.ratio(3, 0)).isNaN();
		assertThat(Stats.ratio(Double.NaN, 2)).isNaN();
	}

}
