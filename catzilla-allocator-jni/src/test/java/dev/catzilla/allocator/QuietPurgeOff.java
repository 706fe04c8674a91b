package dev.catzilla.allocator;

import java.time.Duration;

/**
 * Test support: runs a piece of a test with the quiet purge off (and no watch left
 * running), so that no quiet purge takes pages the test frees before it measures them;
 * the configured quiet time is restored afterwards.
 */
final class QuietPurgeOff {

	private QuietPurgeOff() {
	}

	interface Body {

		void run() throws Exception;

	}

	static void run(Body body) throws Exception {
		QuietPurge.configure(Duration.ZERO);
		try {
			long deadline = System.nanoTime() + 10_000_000_000L;
			while (QuietPurge.watching() && System.nanoTime() < deadline) {
				Thread.sleep(10);
			}
			if (QuietPurge.watching()) {
				throw new IllegalStateException("a quiet-purge watch still runs after 10 s");
			}
			body.run();
		}
		finally {
			QuietPurge.configure(Jemalloc.requestedOptions().quietPurge());
		}
	}

}
