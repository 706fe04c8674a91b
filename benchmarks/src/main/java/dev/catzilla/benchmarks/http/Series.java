package dev.catzilla.benchmarks.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Values of one quantity of one server over time (RSS, or one of its allocator's
 * counters), in the order sampled. Times are epoch milliseconds; values are bytes.
 */
final class Series {

	/** One sample. */
	record Point(long millis, long value) {
	}

	private final List<Point> points;

	Series(List<Point> points) {
		List<Point> sorted = new ArrayList<>(points);
		sorted.sort((a, b) -> Long.compare(a.millis(), b.millis()));
		this.points = Collections.unmodifiableList(sorted);
	}

	List<Point> points() {
		return this.points;
	}

	/** The mean of the samples taken in [from, to], or empty when there are none. */
	OptionalDouble meanBetween(long from, long to) {
		return this.points.stream()
			.filter((p) -> p.millis() >= from && p.millis() <= to)
			.mapToLong(Point::value)
			.average();
	}

	/**
	 * The highest sample taken in [from, to] (the earliest of equal ones), or empty when
	 * there are none.
	 */
	Optional<Point> peakBetween(long from, long to) {
		Point peak = null;
		for (Point p : this.points) {
			if (p.millis() >= from && p.millis() <= to && (peak == null || p.value() > peak.value())) {
				peak = p;
			}
		}
		return Optional.ofNullable(peak);
	}

	/**
	 * The first sample taken at or after {@code millis}, if it was taken within
	 * {@code tolerance} ms of it: RSS "15 s after the burst" is the first sample from
	 * that moment on, and nothing when sampling had stopped.
	 */
	Optional<Point> at(long millis, long tolerance) {
		for (Point p : this.points) {
			if (p.millis() >= millis) {
				return (p.millis() - millis <= tolerance) ? Optional.of(p) : Optional.empty();
			}
		}
		return Optional.empty();
	}

	/** The last sample, if any. */
	Optional<Point> last() {
		return this.points.isEmpty() ? Optional.empty() : Optional.of(this.points.get(this.points.size() - 1));
	}

}
