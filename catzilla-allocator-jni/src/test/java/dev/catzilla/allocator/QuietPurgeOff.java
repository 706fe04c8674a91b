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

	/**
	 * Waits until no quiet-purge watch runs (a running one may drain and purge at any
	 * moment), at most {@code timeout}.
	 * @return whether none runs
	 */
	static boolean awaitNoWatch(Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (QuietPurge.watching() && System.nanoTime() < deadline) {
			Thread.sleep(10);
		}
		return !QuietPurge.watching();
	}

	static void run(Body body) throws Exception {
		QuietPurge.configure(Duration.ZERO, false);
		try {
			if (!awaitNoWatch(Duration.ofSeconds(10))) {
				throw new IllegalStateException("a quiet-purge watch still runs after 10 s");
			}
			body.run();
		}
		finally {
			QuietPurge.configure(Jemalloc.requestedOptions().quietPurge(),
					Jemalloc.requestedOptions().trimNativeHeap());
		}
	}

}
