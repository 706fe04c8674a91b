package dev.catzilla.benchmarks.http;

import java.util.List;

import org.HdrHistogram.Histogram;

/** Hand-made results for the report tests. */
final class Fixtures {

	static final long MiB = 1024 * 1024;

	private Fixtures() {
	}

	/**
	 * One round of one stream: {@code ok} answers in one second, all with latency
	 * {@code millis}.
	 */
	static LoadResult result(String stream, long ok, long errors, double millis) {
		Histogram histogram = LoadResult.newHistogram();
		histogram.recordValueWithCount((long) (millis * 1000), Math.max(1, ok));
		return new LoadResult(stream, ok, errors, 0, 1_000_000_000L, histogram, ok * 1000);
	}

	static SetupSummary summary(String setup, double requestsPerSecond, double p99Millis, Memory memory) {
		return new SetupSummary(setup, List.of(List.of(result("main", (long) requestsPerSecond, 0, p99Millis))), memory,
				memory.after60s());
	}

	/**
	 * Memory figures in MiB: baseline, peak, +15 s, +60 s, allocator's count at the peak.
	 */
	static Memory memory(double baseline, double peak, double after15, double after60, double used) {
		return new Memory(baseline * MiB, peak * MiB, after15 * MiB, after60 * MiB, used * MiB, Double.NaN, Double.NaN);
	}

	/** As {@link #memory}, back within 32 MiB of the baseline after {@code seconds}. */
	static Memory memory(double baseline, double peak, double after15, double after60, double used, double seconds) {
		return new Memory(baseline * MiB, peak * MiB, after15 * MiB, after60 * MiB, used * MiB, Double.NaN,
				seconds * 1000);
	}

	/** Streams named {@code main} and {@code other} with these answers, in one round. */
	static SetupSummary answers(String setup, long main, long other) {
		Memory memory = memory(100, 200, 100, 100, 50);
		return new SetupSummary(setup, List.of(List.of(result("main", main, 0, 1), result("other", other, 0, 1))),
				memory, memory.after60s());
	}

}
