package dev.catzilla.benchmarks.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * What one set-up's RSS did around one loaded period, in bytes (NaN where there was no
 * sample).
 *
 * @param baseline mean RSS over the idle window before the load
 * @param peak highest RSS from the start of the load until shortly after its end
 * @param after15s RSS 15 s after the load ended
 * @param after60s RSS 60 s after the load ended
 * @param nettyUsedAtPeak the allocator's own count of the memory its buffers hold, at the
 * sample nearest the peak
 * @param jemallocResidentAtPeak Catzilla's jemalloc's resident bytes at that sample (NaN
 * for other set-ups)
 * @param backWithinMillis how long after the load's end the first sample was within
 * {@link #BACK_WITHIN} of the baseline, in ms (0: already at the end; infinite: not while
 * sampled; NaN: no baseline)
 */
record Memory(double baseline, double peak, double after15s, double after60s, double nettyUsedAtPeak,
		double jemallocResidentAtPeak, double backWithinMillis) {

	/** How close to the baseline counts as "back" (issue 16: within 32 MiB). */
	static final double BACK_WITHIN = 32.0 * 1024 * 1024;

	/**
	 * How long after the load the peak may still be reached (sampling lags, the last
	 * answers drain).
	 */
	static final long PEAK_GRACE_MILLIS = 2_000;

	/** How far from the wanted moment a sample may be and still count as "at" it. */
	static final long SAMPLE_TOLERANCE_MILLIS = 3_000;

	/**
	 * The memory figures of one loaded period.
	 * @param rss the set-up's RSS samples
	 * @param counters its allocator counter samples
	 * @param baselineFrom start of the idle window whose mean RSS is the baseline
	 * @param baselineTo end of that window
	 * @param loadFrom when the load started
	 * @param loadTo when it ended
	 */
	static Memory of(Series rss, List<Sampler.CounterSample> counters, long baselineFrom, long baselineTo,
			long loadFrom, long loadTo) {
		double baseline = rss.meanBetween(baselineFrom, baselineTo).orElse(Double.NaN);
		Optional<Series.Point> peak = rss.peakBetween(loadFrom, loadTo + PEAK_GRACE_MILLIS);
		Optional<Counters> atPeak = peak.flatMap((p) -> nearest(counters, p.millis()));
		return new Memory(baseline, peak.map(Series.Point::value).map(Long::doubleValue).orElse(Double.NaN),
				value(rss.at(loadTo + 15_000, SAMPLE_TOLERANCE_MILLIS)),
				value(rss.at(loadTo + 60_000, SAMPLE_TOLERANCE_MILLIS)),
				atPeak.map((c) -> known(c.nettyUsed())).orElse(Double.NaN),
				atPeak.map((c) -> known(c.jemallocResident())).orElse(Double.NaN), backWithin(rss, baseline, loadTo));
	}

	private static double backWithin(Series rss, double baseline, long loadTo) {
		if (!Double.isFinite(baseline)) {
			return Double.NaN;
		}
		for (Series.Point point : rss.points()) {
			if (point.millis() >= loadTo && point.value() <= baseline + BACK_WITHIN) {
				return point.millis() - loadTo;
			}
		}
		// Never back while sampled: infinite, so a median over bursts counts it as late
		// (a NaN would be left out).
		return Double.POSITIVE_INFINITY;
	}

	/**
	 * The fragmentation overhead at the peak: RSS at the peak minus the idle baseline
	 * minus what the allocator says its buffers hold. What is left is memory the process
	 * holds that no buffer accounts for: freed memory the C library or the allocator has
	 * not given back, and the padding between blocks. NaN without the allocator's count.
	 */
	double fragmentation() {
		return this.peak - this.baseline - this.nettyUsedAtPeak;
	}

	/** RSS 15 s after the load above the baseline. */
	double heldAfter15s() {
		return this.after15s - this.baseline;
	}

	/**
	 * The median of each figure over several periods (rounds), so one odd round does not
	 * decide.
	 */
	static Memory median(List<Memory> rounds) {
		return new Memory(median(rounds, Memory::baseline), median(rounds, Memory::peak),
				median(rounds, Memory::after15s), median(rounds, Memory::after60s),
				median(rounds, Memory::nettyUsedAtPeak), median(rounds, Memory::jemallocResidentAtPeak),
				medianCountingNever(rounds));
	}

	/**
	 * The median of {@link #backWithinMillis()}, a burst that never came back (infinite)
	 * counted as the latest, not left out as {@link Stats#median} leaves non-finite
	 * values out.
	 */
	private static double medianCountingNever(List<Memory> rounds) {
		double[] values = rounds.stream()
			.mapToDouble(Memory::backWithinMillis)
			.filter((v) -> !Double.isNaN(v))
			.sorted()
			.toArray();
		if (values.length == 0) {
			return Double.NaN;
		}
		int mid = values.length / 2;
		return (values.length % 2 == 1) ? values[mid] : (values[mid - 1] + values[mid]) / 2;
	}

	private static double median(List<Memory> rounds, ToDoubleFunction<Memory> figure) {
		List<Double> values = new ArrayList<>();
		rounds.forEach((m) -> values.add(figure.applyAsDouble(m)));
		return Stats.median(values);
	}

	private static Optional<Counters> nearest(List<Sampler.CounterSample> counters, long millis) {
		Sampler.CounterSample best = null;
		for (Sampler.CounterSample sample : counters) {
			long distance = Math.abs(sample.millis() - millis);
			if (distance <= SAMPLE_TOLERANCE_MILLIS && (best == null || distance < Math.abs(best.millis() - millis))) {
				best = sample;
			}
		}
		return Optional.ofNullable(best).map(Sampler.CounterSample::counters);
	}

	private static double value(Optional<Series.Point> point) {
		return point.map(Series.Point::value).map(Long::doubleValue).orElse(Double.NaN);
	}

	private static double known(long bytes) {
		return (bytes >= 0) ? bytes : Double.NaN;
	}

}
