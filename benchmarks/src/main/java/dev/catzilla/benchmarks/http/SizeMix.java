package dev.catzilla.benchmarks.http;

import java.util.SplittableRandom;

/**
 * A distribution of body sizes, drawn per request.
 */
@FunctionalInterface
interface SizeMix {

	int KiB = 1024;

	int MiB = 1024 * 1024;

	/** One size in bytes. */
	int next(SplittableRandom random);

	/** Always {@code bytes}. */
	static SizeMix fixed(int bytes) {
		return (random) -> bytes;
	}

	/**
	 * Sizes whose logarithm is uniform between {@code min} and {@code max} (as many 16-32
	 * KiB as 1-2 MiB bodies).
	 */
	static SizeMix logUniform(int min, int max) {
		double lnMin = Math.log(min);
		double lnMax = Math.log(max);
		return (random) -> (int) Math.round(Math.exp(lnMin + random.nextDouble() * (lnMax - lnMin)));
	}

	/**
	 * The proxy mix: log-normal with the given median and shape ({@code sigma}), clipped
	 * to [1, tailMin), plus a fraction {@code tailFraction} of sizes uniform in [tailMin,
	 * tailMax] (the MiB tail real services see).
	 */
	static SizeMix logNormalWithTail(int median, double sigma, double tailFraction, int tailMin, int tailMax) {
		double mu = Math.log(median);
		return (random) -> {
			if (random.nextDouble() < tailFraction) {
				return tailMin + random.nextInt(tailMax - tailMin + 1);
			}
			double size = Math.exp(mu + sigma * random.nextGaussian());
			return (int) Math.max(1, Math.min(tailMin - 1, Math.round(size)));
		};
	}

	/**
	 * A size mix that changes every {@code period} since the current phase began
	 * ({@link LoadGenerator#phaseStart}, so every set-up sees the same sequence), cycling
	 * through {@code mixes} (the long mixed-size scenario: the allocator sees one size
	 * class dominate, then another).
	 */
	static SizeMix rotating(java.time.Duration period, SizeMix... mixes) {
		long nanos = period.toNanos();
		return (random) -> mixes[(int) (((System.nanoTime() - LoadGenerator.phaseStart) / nanos) % mixes.length)]
			.next(random);
	}

}
