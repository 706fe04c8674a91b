package dev.catzilla.benchmarks.http;

import org.HdrHistogram.Histogram;

/**
 * What one stream of requests did against one server in one phase: answered requests,
 * failures, and the latency of each answered request (from sending it to reading the last
 * byte of its answer, in microseconds).
 *
 * @param stream the stream's name (e.g. {@code aggregate}, {@code slow-readers})
 * @param ok requests answered with a 2xx status and read to the end
 * @param non2xx requests answered with another status
 * @param failed requests that failed without an answer (connection errors, timeouts)
 * @param nanos how long the phase lasted
 * @param latencyMicros latency of the {@code ok} requests
 * @param bytes body bytes read from the {@code ok} answers
 */
record LoadResult(String stream, long ok, long non2xx, long failed, long nanos, Histogram latencyMicros, long bytes) {

	/** The largest latency recorded exactly: one hour. */
	static final long MAX_LATENCY_MICROS = 3_600_000_000L;

	static Histogram newHistogram() {
		return new Histogram(MAX_LATENCY_MICROS, 3);
	}

	/** Answered (2xx) requests per second. */
	double requestsPerSecond() {
		return (this.nanos > 0) ? this.ok * 1e9 / this.nanos : 0;
	}

	/** Non-2xx answers and failures. */
	long errors() {
		return this.non2xx + this.failed;
	}

	/**
	 * The latency at {@code percentile} (0-100) in milliseconds, or NaN when no request
	 * was answered.
	 */
	double latencyMillis(double percentile) {
		return (this.latencyMicros.getTotalCount() == 0) ? Double.NaN
				: this.latencyMicros.getValueAtPercentile(percentile) / 1000.0;
	}

}
