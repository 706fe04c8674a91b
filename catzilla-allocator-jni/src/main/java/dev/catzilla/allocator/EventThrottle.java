package dev.catzilla.allocator;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * A token bucket that lets at most {@code perSecond} events through per second (bursts up
 * to one second's worth), and counts the ones it turned away. JFR's own {@code @Throttle}
 * exists only in JDK 25 and later; this one works on JDK 17 too. Only sampled allocations
 * ask it (a few hundred per second at most at the default sampling interval), so a lock
 * is cheap enough. {@code perSecond == 0} lets nothing through.
 */
final class EventThrottle {

	private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

	private final long perSecond;

	private final LongSupplier clock;

	private final LongAdder dropped = new LongAdder();

	private final LongAdder dropsSinceLastPass = new LongAdder();

	/**
	 * Tokens, in units of 1/perSecond of a token-second: a token is worth {@link #SECOND}
	 * nanos of refill.
	 */
	private long tokenNanos;

	private long lastNanos;

	EventThrottle(int perSecond) {
		this(perSecond, System::nanoTime);
	}

	EventThrottle(int perSecond, LongSupplier clock) {
		if (perSecond < 0) {
			throw new IllegalArgumentException("perSecond must not be negative, but was " + perSecond);
		}
		this.perSecond = perSecond;
		this.clock = clock;
		this.lastNanos = clock.getAsLong();
		this.tokenNanos = perSecond * SECOND; // a full bucket: one second's worth
	}

	/**
	 * Whether an event may be emitted now; if not, it is counted as dropped.
	 * @return {@code -1} when the event must be dropped, else how many events were
	 * dropped since the previous one that passed (so that each emitted event can say what
	 * it stands for)
	 */
	long tryAcquire() {
		if (this.perSecond == 0) {
			drop();
			return -1;
		}
		synchronized (this) {
			long now = this.clock.getAsLong();
			long elapsed = Math.max(0, now - this.lastNanos);
			this.lastNanos = now;
			long max = this.perSecond * SECOND;
			// Refill: perSecond tokens per second, one token being SECOND units.
			this.tokenNanos = (elapsed >= SECOND) ? max : Math.min(max, this.tokenNanos + elapsed * this.perSecond);
			if (this.tokenNanos < SECOND) {
				drop();
				return -1;
			}
			this.tokenNanos -= SECOND;
		}
		return this.dropsSinceLastPass.sumThenReset();
	}

	private void drop() {
		this.dropped.increment();
		this.dropsSinceLastPass.increment();
	}

	/** Events turned away so far. */
	long dropped() {
		return this.dropped.sum();
	}

	/** The limit. */
	long perSecond() {
		return this.perSecond;
	}

}
