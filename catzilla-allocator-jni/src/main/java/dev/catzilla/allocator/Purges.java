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

	/**
	 * Dirty bytes a purge may always leave without being tried again (frees on other
	 * threads go on meanwhile); it may also leave an eighth of what was dirty before it.
	 */
	static final long LEFT_OVER = 1024 * 1024;

	/**
	 * How many times a purge that left too much is tried again, after 1, 2, 4, ... 256 ms
	 * (about half a second of sleep in all: the other thread's purge of hundreds of
	 * megabytes takes tens of milliseconds).
	 */
	static final int RETRIES = 9;

	private static final LongAdder RETRIED = new LongAdder();

	private Purges() {
	}

	/**
	 * Purges unused pages of every arena; tried again while jemalloc's own purging left
	 * most of them (so it may take up to about half a second).
	 * @param trigger why
	 * @return the resident bytes that released (never negative)
	 */
	static long purge(Trigger trigger) {
		Object event = FlightRecorderEvents.purgeBegins();
		long before = resident();
		// What may stay dirty: the frees of a load that goes on, not what was there.
		long leftOver = Math.max(LEFT_OVER, dirty() / 8);
		JemallocNative.purge();
		// jemalloc's forced purge of an arena returns at once, purging nothing of it,
		// while another thread purges that arena (pac_decay_to_limit: "if
		// (decay->purging) return"), typically its background thread decaying a part of
		// the same pages; what it left would then wait for the decay (10 s). So it is
		// tried again, a moment later, while more than an eighth of them remains.
		for (int retry = 0; retry < RETRIES && dirty() > leftOver; retry++) {
			try {
				Thread.sleep(1L << retry);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
			RETRIED.increment();
			JemallocNative.purge();
		}
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
	 * jemalloc's dirty bytes, or 0 when they cannot be read (then the purge is not tried
	 * again).
	 */
	private static long dirty() {
		try {
			return JemallocStatistics.readDirty();
		}
		catch (RuntimeException ex) {
			return 0;
		}
	}

	/**
	 * Purges tried again because the one before left dirty pages (see {@link #purge}).
	 */
	static long retried() {
		return RETRIED.sum();
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
