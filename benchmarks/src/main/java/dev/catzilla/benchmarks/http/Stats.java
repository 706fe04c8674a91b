package dev.catzilla.benchmarks.http;

import java.util.Collection;

/**
 * Order statistics over rounds: with a handful of rounds on a shared machine, the median
 * and the range say more than a mean.
 */
final class Stats {

	private Stats() {
	}

	/**
	 * The median of the finite values (mean of the middle two for an even count), NaN
	 * when there are none.
	 */
	static double median(Collection<Double> values) {
		double[] sorted = finiteSorted(values);
		if (sorted.length == 0) {
			return Double.NaN;
		}
		int mid = sorted.length / 2;
		return (sorted.length % 2 == 1) ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
	}

	/** The smallest finite value, NaN when there are none. */
	static double min(Collection<Double> values) {
		double[] sorted = finiteSorted(values);
		return (sorted.length == 0) ? Double.NaN : sorted[0];
	}

	/** The largest finite value, NaN when there are none. */
	static double max(Collection<Double> values) {
		double[] sorted = finiteSorted(values);
		return (sorted.length == 0) ? Double.NaN : sorted[sorted.length - 1];
	}

	/** {@code a / b}, NaN when either is not finite or {@code b} is zero. */
	static double ratio(double a, double b) {
		return (Double.isFinite(a) && Double.isFinite(b) && b != 0) ? a / b : Double.NaN;
	}

	private static double[] finiteSorted(Collection<Double> values) {
		return values.stream().mapToDouble(Double::doubleValue).filter(Double::isFinite).sorted().toArray();
	}

}
