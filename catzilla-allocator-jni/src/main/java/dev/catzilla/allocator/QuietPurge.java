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
 * again; see {@code catzilla_jemalloc.c}). So after a free of a buffer above
 * {@link #LARGE} bytes, a short-lived daemon thread watches: once no such free has
 * happened for {@link JemallocOptions#quietPurge()} (1 s by default; zero turns it off),
 * it purges every arena once ({@link Jemalloc#purge()}) and ends. Blocks put into
 * {@link HandOffCache} (the plain threads' cross-thread release cache) count as activity
 * too, and the cache is emptied into jemalloc just before that purge. Under steady load
 * it never purges; when the load ends, memory is back about a second later. The thread
 * exists only between a burst and its purge, so it never keeps a class loader alive for
 * long.
 */
final class QuietPurge {

	/** Frees of more than this many bytes (past the thread caches) start the watch. */
	static final long LARGE = 64 * 1024;

	/**
	 * Set from the options jemalloc initialises with ({@link Jemalloc#initialize()}); 0
	 * turns the watch off.
	 */
	private static volatile long quietNanos = JemallocOptions.defaults().quietPurge().toNanos();

	private static volatile boolean watching;

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

	static void configure(java.time.Duration quiet) {
		quietNanos = quiet.toNanos();
	}

	/** Called after a free of more than {@link #LARGE} bytes. */
	static void largeFreed() {
		frees++;
		if (!watching && quietNanos > 0) {
			startWatch();
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
			startWatch();
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

	private static synchronized void startWatch() {
		if (watching) {
			return;
		}
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
			// Set once at initialisation, before the first free; largeFreed() starts no
			// watch when it is 0.
			long quiet = quietNanos;
			int seen = activity();
			long quietSince = System.nanoTime();
			for (;;) {
				Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(quiet / 4)));
				int now = activity();
				if (now != seen) {
					seen = now;
					quietSince = System.nanoTime();
				}
				else if (System.nanoTime() - quietSince >= quiet) {
					if (cacheUsed) {
						HandOffCache.drainAll();
					}
					Purges.purge(Purges.Trigger.QUIET);
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
				startWatch();
			}
		}
	}

}
