package dev.catzilla.allocator;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

/**
 * Logs an allocator's refusals at its cap boundedly: the first one with its stack trace,
 * then at most one summary line per {@link #INTERVAL_NANOS} (refusals and bytes refused
 * since the last line, what live buffers hold, the cap), written by the first refusal
 * after the interval has passed. Counting is two atomic adds; a service that hits its cap
 * thousands of times a second writes one line every ten seconds.
 */
final class CapRefusalLog {

	static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

	private static final InternalLogger logger = InternalLoggerFactory.getInstance(JemallocByteBufAllocator.class);

	private final InternalLogger log;

	private final LongSupplier clock;

	private final AtomicLong refusals = new AtomicLong();

	private final AtomicLong refusedBytes = new AtomicLong();

	/**
	 * At most one JFR cap-refusal event per second; each says how many refusals it stands
	 * for.
	 */
	private final EventThrottle events = new EventThrottle(1);

	/** Totals when the last line was written. */
	private long loggedRefusals;

	private long loggedBytes;

	/** When the last line was written; {@code Long.MIN_VALUE} before the first. */
	private final AtomicLong lastLine = new AtomicLong(Long.MIN_VALUE);

	CapRefusalLog() {
		this(logger, System::nanoTime);
	}

	CapRefusalLog(InternalLogger log, LongSupplier clock) {
		this.log = log;
		this.clock = clock;
	}

	/** Counts a refusal and writes a line if one is due. */
	void refused(JemallocCapExceededException refusal) {
		this.refusals.incrementAndGet();
		this.refusedBytes.addAndGet(refusal.requested());
		FlightRecorderEvents.capRefused(refusal, this.events);
		long last = this.lastLine.get();
		long now = this.clock.getAsLong();
		if (last != Long.MIN_VALUE && now - last < INTERVAL_NANOS) {
			return;
		}
		if (!this.lastLine.compareAndSet(last, now)) {
			return; // another thread writes this line
		}
		if (last == Long.MIN_VALUE) {
			this.log.warn(
					"Allocation refused at the cap on direct memory ({} byte(s) requested, {} held by live "
							+ "buffers, cap {}); further refusals are summarised every {} s",
					refusal.requested(), refusal.used(), refusal.max(), TimeUnit.NANOSECONDS.toSeconds(INTERVAL_NANOS),
					refusal);
			synchronized (this) {
				this.loggedRefusals = 1;
				this.loggedBytes = refusal.requested();
			}
			return;
		}
		long count;
		long bytes;
		synchronized (this) {
			long totalRefusals = this.refusals.get();
			long totalBytes = this.refusedBytes.get();
			count = totalRefusals - this.loggedRefusals;
			bytes = totalBytes - this.loggedBytes;
			this.loggedRefusals = totalRefusals;
			this.loggedBytes = totalBytes;
		}
		this.log.warn(
				"{} allocation(s) refused at the cap on direct memory in the last {} s ({} byte(s) requested); "
						+ "live buffers hold {} of the cap {} byte(s)",
				count, TimeUnit.NANOSECONDS.toSeconds(now - last), bytes, refusal.used(), refusal.max());
	}

	/** Refusals counted since the allocator was made. */
	long refusals() {
		return this.refusals.get();
	}

	/** Bytes requested by the refused allocations. */
	long refusedBytes() {
		return this.refusedBytes.get();
	}

}
