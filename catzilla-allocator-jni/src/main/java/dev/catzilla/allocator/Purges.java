package dev.catzilla.allocator;

import java.util.concurrent.atomic.LongAdder;

/**
 * Every purge of jemalloc's unused pages goes through here, explicit
 * ({@link Jemalloc#purge()}, the endpoint's POST) or quiet ({@link QuietPurge}): it
 * purges, measures the resident bytes given back, records the JFR event and counts both
 * per trigger for the {@code catzilla.jemalloc.purges} and
 * {@code catzilla.jemalloc.purged} meters.
 */
final class Purges {

	/** What made a purge happen; its tag value in the meters and the JFR event. */
	enum Trigger {

		/** {@link Jemalloc#purge()}: the endpoint's POST or an application's call. */
		EXPLICIT(FlightRecorderEvents.EXPLICIT),

		/** The quiet purge after allocation went quiet. */
		QUIET(FlightRecorderEvents.QUIET);

		private final String tag;

		private final LongAdder count = new LongAdder();

		private final LongAdder released = new LongAdder();

		Trigger(String tag) {
			this.tag = tag;
		}

		/** As the meters' {@code trigger} tag and the JFR event show it. */
		String tag() {
			return this.tag;
		}

	}

	private Purges() {
	}

	/**
	 * Purges unused pages of every arena.
	 * @param trigger why
	 * @return the resident bytes that released (never negative)
	 */
	static long purge(Trigger trigger) {
		Object event = FlightRecorderEvents.purgeBegins();
		long before = resident();
		JemallocNative.purge();
		long after = resident();
		trigger.count.increment();
		if (before < 0 || after < 0) {
			// The purge happened; only its measure failed.
			return 0;
		}
		FlightRecorderEvents.purged(event, trigger.tag, before, after);
		long released = Math.max(0, before - after);
		trigger.released.add(released);
		return released;
	}

	/**
	 * jemalloc's resident bytes, or -1 when they cannot be read: a failed read must not
	 * stop a purge.
	 */
	private static long resident() {
		try {
			return Jemalloc.stats().resident();
		}
		catch (RuntimeException ex) {
			return -1;
		}
	}

	/** Purges made so far for {@code trigger}. */
	static long count(Trigger trigger) {
		return trigger.count.sum();
	}

	/** Resident bytes the purges for {@code trigger} released so far. */
	static long released(Trigger trigger) {
		return trigger.released.sum();
	}

}
