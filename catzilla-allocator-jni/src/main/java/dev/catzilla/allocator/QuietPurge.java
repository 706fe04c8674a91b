package dev.catzilla.allocator;

import java.util.concurrent.TimeUnit;

/**
 * Gives freed memory back soon after allocation goes quiet, without purging what a busy
 * service is about to reuse.
 * <p>
 * jemalloc's decay ({@code dirty_decay_ms}, 10 s by default) keeps freed pages for reuse
 * and returns them over the decay time, so memory freed at the end of a burst comes back
 * only 10–20 s later. Catzilla keeps freed extents of 8 MiB and more for reuse too
 * (jemalloc would purge them at once, and every large allocation would fault its pages in
 * again; see {@code catzilla_jemalloc.c}). So a short-lived daemon thread watches, and
 * purges every arena once ({@link Purges}) when allocation has gone quiet for
 * {@link JemallocOptions#quietPurge()} (1 s by default; zero turns it off), and then,
 * when the load dropped by {@link #TRIM_AFTER_DROP} or more, at most every 10 s, asks the
 * JVM to trim its own C heap ({@link NativeHeapTrim}, unless
 * {@link JemallocOptions#trimNativeHeap()} is off). Two things start a watch:
 * <ul>
 * <li>a free of a buffer above {@link #LARGE} bytes, or a block put into
 * {@link HandOffCache} (the plain threads' cross-thread release cache): the watch purges
 * once no such free or put has happened for the quiet time (the cache is emptied into
 * jemalloc just before);</li>
 * <li>a thread giving back at least two megabytes of its lease on the cap
 * ({@link DirectMemoryCounter}), the sign that many network buffers (of any size, most of
 * them far below {@link #LARGE}) were freed: the watch reads jemalloc's allocated bytes
 * four times per quiet time and purges once they have not grown for the quiet time
 * <em>and</em> are at most half the highest it saw (or the bytes held by buffers and
 * thread caches when the give-back started it, if more), that is when the load has
 * dropped, not while it goes on; otherwise it ends after the quiet time without a
 * purge.</li>
 * </ul>
 * Under steady load it never purges; when the load ends, memory is back about a second
 * later. The thread exists only between a burst and its purge, so it never keeps a class
 * loader alive for long.
 */
final class QuietPurge {

	/** Frees of more than this many bytes (past the thread caches) start the watch. */
	static final long LARGE = 64 * 1024;

	/**
	 * Growth of jemalloc's allocated bytes within one quiet time that means allocation
	 * goes on.
	 */
	static final long GROWTH = 1024 * 1024;

	/**
	 * Set from the options jemalloc initialises with ({@link Jemalloc#initialize()}); 0
	 * turns the watch off.
	 */
	private static volatile long quietNanos = JemallocOptions.defaults().quietPurge().toNanos();

	private static volatile boolean watching;

	/**
	 * The level the load had when a lease given back or a large free started the watch
	 * (bytes held by buffers and thread caches then; 0 for a hand-off put): the watch's
	 * first reading of jemalloc's allocated bytes may come after all the frees (its
	 * thread started late), and must not take that low level for the high one. Written
	 * under the lock when a watch starts.
	 */
	private static volatile long levelAtStart;

	/**
	 * A quiet purge trims the JVM's C heap only when the load dropped by at least this
	 * many bytes (a burst ended, not a lull).
	 */
	static final long TRIM_AFTER_DROP = 8 * 1024 * 1024;

	/** Shortest time between two trims of the JVM's C heap. */
	static final long TRIM_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

	/** When the last trim was made ({@link System#nanoTime()}), 0 before the first. */
	private static long lastTrim;

	/** Whether a quiet purge also trims the JVM's C heap ({@link NativeHeapTrim}). */
	private static volatile boolean trimNativeHeap = JemallocOptions.defaults().trimNativeHeap();

	/**
	 * Set when a large free or a hand-off put (not a lease given back) starts a watch:
	 * that watch purges once they stop, whatever the level.
	 */
	private static volatile boolean strongStart;

	/**
	 * Large frees so far; written without synchronisation (a lost increment only delays a
	 * purge by one check).
	 */
	private static int frees;

	/**
	 * Set once the first block went into {@link HandOffCache}: from then on the watch
	 * also drains it.
	 */
	private static volatile boolean cacheUsed;

	private QuietPurge() {
	}

	static void configure(java.time.Duration quiet, boolean trim) {
		quietNanos = quiet.toNanos();
		trimNativeHeap = trim;
	}

	/**
	 * Called after a free of more than {@link #LARGE} bytes.
	 * @param counter the cap's counter: its bytes held then, plus {@code size}, are the
	 * level the load had (read only when a watch starts)
	 * @param size the bytes just freed
	 */
	static void largeFreed(DirectMemoryCounter counter, long size) {
		frees++;
		if (!watching && quietNanos > 0) {
			strongStart = true;
			startWatch(counter.used() + counter.cached() + size);
		}
	}

	/**
	 * Called when a thread gave back a part of its lease on the cap: megabytes of buffers
	 * were freed. Costs a volatile read while a watch runs.
	 * @param counter the cap's counter, whose bytes held by buffers and thread caches at
	 * this moment (read only when a watch starts) are the level the load had, which the
	 * watch compares jemalloc's allocated bytes with
	 */
	static void volumeFreed(DirectMemoryCounter counter) {
		if (!watching && quietNanos > 0) {
			startWatch(counter.used() + counter.cached());
		}
	}

	/**
	 * Whether the watch is on (a quiet time above zero): what empties
	 * {@link HandOffCache}.
	 */
	static boolean enabled() {
		return quietNanos > 0;
	}

	/**
	 * Called after a block went into {@link HandOffCache}: makes sure a watch runs, which
	 * drains the cache once no block has gone in for the quiet time. Costs a volatile
	 * read when a watch runs already (no shared write).
	 */
	static void watchCache() {
		if (!cacheUsed) {
			cacheUsed = true;
		}
		if (!watching && quietNanos > 0) {
			strongStart = true;
			startWatch(0);
		}
	}

	/**
	 * Large frees and blocks put into {@link HandOffCache}: the watch's sign of activity.
	 */
	private static int activity() {
		return cacheUsed ? frees + HandOffCache.allPuts() : frees;
	}

	/**
	 * Whether a watch runs now (it may drain {@link HandOffCache} and purge at any
	 * moment).
	 */
	static boolean watching() {
		return watching;
	}

	/** Purges made so far. */
	static long purges() {
		return Purges.count(Purges.Trigger.QUIET);
	}

	/** jemalloc's allocated bytes, or -1 when they cannot be read. */
	private static long allocated() {
		try {
			return Jemalloc.stats().allocated();
		}
		catch (RuntimeException ex) {
			return -1;
		}
	}

	private static synchronized void startWatch(long level) {
		if (watching) {
			return;
		}
		levelAtStart = level;
		watching = true;
		try {
			Thread thread = new Thread(QuietPurge::watch, "catzilla-quiet-purge");
			thread.setDaemon(true);
			thread.setContextClassLoader(null);
			thread.start();
		}
		catch (Throwable ex) {
			// No thread to be had (OutOfMemoryError: unable to create native thread):
			// jemalloc's decay still works.
			watching = false;
		}
	}

	private static void watch() {
		try {
			// Set once at initialisation, before the first free; nothing starts a watch
			// when it is 0.
			long quiet = quietNanos;
			int seen = activity();
			boolean active = strongStart;
			strongStart = false;
			long allocated = allocated();
			long highest = Math.max(allocated, levelAtStart);
			long quietFrom = allocated;
			long quietSince = System.nanoTime();
			for (;;) {
				Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(quiet / 4)));
				int now = activity();
				allocated = allocated();
				highest = Math.max(highest, allocated);
				if (now != seen) {
					// Large frees or hand-off puts: purge once they stop.
					seen = now;
					active = true;
					quietSince = System.nanoTime();
					quietFrom = allocated;
				}
				else if (allocated > quietFrom + GROWTH) {
					// Allocation goes on: not quiet yet.
					quietSince = System.nanoTime();
					quietFrom = allocated;
				}
				else if (System.nanoTime() - quietSince >= quiet) {
					boolean cached = cacheUsed && HandOffCache.allCached() > 0;
					if (!active && !cached && (allocated < 0 || allocated > highest / 2)) {
						// Started by a lease given back, but the load has not dropped:
						// nothing to give back that is not about to be reused.
						return;
					}
					if (cacheUsed) {
						HandOffCache.drainAll();
					}
					Purges.purge(Purges.Trigger.QUIET);
					long purged = System.nanoTime();
					if (trimNativeHeap && allocated >= 0 && highest - allocated >= TRIM_AFTER_DROP
							&& (lastTrim == 0 || purged - lastTrim >= TRIM_INTERVAL_NANOS)) {
						// Only one watch runs at a time: no other writer.
						lastTrim = purged;
						NativeHeapTrim.jvm().trim();
					}
					return;
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (RuntimeException | LinkageError ex) {
			// A purge that fails changes nothing; decay still returns the memory.
		}
		finally {
			watching = false;
			// A block put into the cache between the drain and the line above started no
			// watch: start one for it.
			if (cacheUsed && quietNanos > 0 && HandOffCache.allCached() > 0) {
				startWatch(0);
			}
		}
	}

}
