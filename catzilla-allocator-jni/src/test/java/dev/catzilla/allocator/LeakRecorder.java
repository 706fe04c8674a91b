package dev.catzilla.allocator;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;

/**
 * Test support: a {@link ResourceLeakDetectorFactory} whose detectors record every leak
 * Netty reports (instead of only logging it), installed by
 * {@link LeakDetectionSessionListener} before any {@code ByteBuf} class loads.
 * {@link LeakCheckExtension} fails a test class when a leak was recorded. Leaks whose
 * records carry {@link #DELIBERATE} (a touch hint) are kept apart: they come from the
 * test that proves the guard works.
 */
public final class LeakRecorder extends ResourceLeakDetectorFactory {

	/** Touch hint marking a deliberately leaked buffer. */
	static final String DELIBERATE = "catzilla-deliberate-leak";

	private static final Queue<String> LEAKS = new ConcurrentLinkedQueue<>();

	private static final Queue<String> DELIBERATE_LEAKS = new ConcurrentLinkedQueue<>();

	private static final Queue<Class<?>> DETECTORS = new ConcurrentLinkedQueue<>();

	private static volatile boolean installed;

	private LeakRecorder() {
	}

	static synchronized void install() {
		if (!installed) {
			ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new LeakRecorder());
			installed = true;
		}
	}

	static boolean installed() {
		return installed;
	}

	/**
	 * Resource types this factory made detectors for ({@code ByteBuf} once any buffer
	 * class initialised).
	 */
	static List<Class<?>> detectorTypes() {
		return new ArrayList<>(DETECTORS);
	}

	/** Removes and returns the leaks recorded so far (deliberate ones excluded). */
	static List<String> drainLeaks() {
		return drain(LEAKS);
	}

	/** Removes and returns the deliberate leaks recorded so far. */
	static List<String> drainDeliberateLeaks() {
		return drain(DELIBERATE_LEAKS);
	}

	private static List<String> drain(Queue<String> queue) {
		List<String> drained = new ArrayList<>();
		for (String leak; (leak = queue.poll()) != null;) {
			drained.add(leak);
		}
		return drained;
	}

	/**
	 * Makes Netty report what the garbage collector found: leak reports happen in
	 * {@code track()}, i.e. when later buffers are allocated. Uses Netty's unpooled
	 * direct buffers (tracked by the same detector), not jemalloc.
	 */
	static void collectAndReport(int rounds) {
		for (int round = 0; round < rounds; round++) {
			System.gc();
			try {
				Thread.sleep(20);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			for (int i = 0; i < 64; i++) {
				ByteBuf probe = Unpooled.directBuffer(1);
				probe.release();
			}
		}
	}

	private static void record(String leak) {
		(leak.contains(DELIBERATE) ? DELIBERATE_LEAKS : LEAKS).add(leak);
	}

	@Override
	// the factory's abstract method is deprecated in Netty 4.2, yet the one to implement
	@SuppressWarnings("deprecation")
	public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
			long maxActive) {
		DETECTORS.add(resource);
		return new RecordingDetector<>(resource, samplingInterval);
	}

	private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {

		RecordingDetector(Class<T> resource, int samplingInterval) {
			super(resource, samplingInterval);
		}

		@Override
		protected boolean needReport() {
			return true;
		}

		@Override
		protected void reportTracedLeak(String resourceType, String records) {
			record("LEAK: " + resourceType + ".release() was not called before it was garbage-collected." + records);
			super.reportTracedLeak(resourceType, records);
		}

		@Override
		protected void reportUntracedLeak(String resourceType) {
			record("LEAK: " + resourceType + ".release() was not called before it was garbage-collected"
					+ " (no records)");
			super.reportUntracedLeak(resourceType);
		}

	}

}
