package dev.catzilla.benchmarks.http;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static dev.catzilla.benchmarks.http.SizeMix.KiB;
import static dev.catzilla.benchmarks.http.SizeMix.MiB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SizeMixTests {

	private static int[] draw(SizeMix mix, int n) {
		SplittableRandom random = new SplittableRandom(42);
		int[] sizes = new int[n];
		for (int i = 0; i < n; i++) {
			sizes[i] = mix.next(random);
		}
		return sizes;
	}

	@Test
	void theProxyMixHasAMedianOf2KiBAndA2PercentTailOf1To4MiB() {
		int[] sizes = draw(SizeMix.logNormalWithTail(2 * KiB, 1.0, 0.02, MiB, 4 * MiB), 200_000);
		long tail = Arrays.stream(sizes).filter((s) -> s >= MiB).count();
		assertThat(tail / 200_000.0).isCloseTo(0.02, within(0.002));
		assertThat(Arrays.stream(sizes).filter((s) -> s >= MiB).min().getAsInt()).isGreaterThanOrEqualTo(MiB);
		assertThat(Arrays.stream(sizes).max().getAsInt()).isLessThanOrEqualTo(4 * MiB);
		assertThat(Arrays.stream(sizes).min().getAsInt()).isPositive();
		int[] sorted = sizes.clone();
		Arrays.sort(sorted);
		// the tail (all above the median) moves the median up by about 2 % of a sigma:
		// within 5 % of 2 KiB
		assertThat((double) sorted[sorted.length / 2]).isCloseTo(2 * KiB, within(0.05 * 2 * KiB));
	}

	@Test
	void logUniformSizesStayInTheirRangeAndSpreadEvenlyOverItsOctaves() {
		int[] sizes = draw(SizeMix.logUniform(16 * KiB, 2 * MiB), 100_000);
		assertThat(Arrays.stream(sizes).min().getAsInt()).isGreaterThanOrEqualTo(16 * KiB);
		assertThat(Arrays.stream(sizes).max().getAsInt()).isLessThanOrEqualTo(2 * MiB);
		// 7 octaves from 16 KiB to 2 MiB: the first (16-32 KiB) holds about a seventh of
		// the sizes
		long firstOctave = Arrays.stream(sizes).filter((s) -> s < 32 * KiB).count();
		assertThat(firstOctave / 100_000.0).isCloseTo(1 / 7.0, within(0.01));
	}

	@Test
	void aFixedMixIsAlwaysTheSame() {
		assertThat(draw(SizeMix.fixed(MiB), 10)).containsOnly(MiB);
	}

}
