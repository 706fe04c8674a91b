package dev.catzilla.benchmarks.http;

import java.time.Duration;
import java.util.List;

/**
 * What the load generator sends during one phase: one or more streams, run at the same
 * time, each a loop of {@code connections} connections that send one request after the
 * other (closed, or paced at a fixed rate).
 *
 * @param streams the streams; the first is the one whose throughput and latency the
 * tables report
 */
record Workload(List<Stream> streams) {

	Workload {
		if (streams.isEmpty()) {
			throw new IllegalArgumentException("a workload needs a stream");
		}
		streams = List.copyOf(streams);
	}

	static Workload of(Stream... streams) {
		return new Workload(List.of(streams));
	}

	/** The kind of request a stream sends. */
	enum Kind {

		/** {@code GET /bytes/{n}}: the server produces n bytes. */
		BYTES("/bytes/"),

		/**
		 * {@code POST /aggregate} with an n-byte body: joined whole in memory, then sent
		 * back.
		 */
		AGGREGATE("/aggregate"),

		/**
		 * {@code GET /proxy/bytes/{n}}: relayed from the slow upstream through WebClient.
		 */
		PROXY("/proxy/bytes/");

		final String path;

		Kind(String path) {
			this.path = path;
		}

	}

	/**
	 * A closed loop of requests.
	 *
	 * @param name the stream's name in tables
	 * @param kind what it requests
	 * @param connections how many requests are in flight at once
	 * @param sizes the body size of each request
	 * @param readPause {@link Duration#ZERO} to read answers as fast as they come;
	 * otherwise the pause after each read of the answer (a slow reader: the server
	 * produces faster than it reads)
	 * @param rate 0 for a closed loop (each connection sends its next request as soon as
	 * the previous answer is read); otherwise the offered rate of the whole stream in
	 * requests/s, spread evenly over its connections (each connection sends at most one
	 * request per {@code connections / rate} seconds), so that every set-up gets the same
	 * work per second
	 */
	record Stream(String name, Kind kind, int connections, SizeMix sizes, Duration readPause, double rate) {

		Stream(String name, Kind kind, int connections, SizeMix sizes, Duration readPause) {
			this(name, kind, connections, sizes, readPause, 0);
		}

		boolean paced() {
			return this.rate > 0;
		}

		/** Nanoseconds between two request starts on one connection (0: closed loop). */
		long periodNanos() {
			return paced() ? Math.round(this.connections * 1e9 / this.rate) : 0;
		}

		boolean slow() {
			return !this.readPause.isZero();
		}

	}

}
