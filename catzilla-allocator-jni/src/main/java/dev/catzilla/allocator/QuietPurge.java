package dev.catzilla.allocator;

import java.util.concurrent.TimeUnit;

/**
 * Gives freed memory back soon after allocation goes quiet, without purging what a busy service is about to reuse.
 * <p>
 * jemalloc's decay ({@code dirty_decay_ms}, 10 s by default) keeps freed pages for reuse and returns them over the
 * decay time, so memory freed at the end of a burst comes back only 10–20 s later. Catzilla keeps freed extents of 8
 * MiB and more for reuse too (jemalloc would purge them at once, and every large allocation would fault its pages in
 * again; see {@code catzilla_jemalloc.c}). So after a free of a buffer above {@link #LARGE} bytes, a short-lived
 * daemon thread watches: once no such free has happened for {@link JemallocOptions#quietPurge()} (1 s by default;
 * zero turns it off), it purges every arena once ({@link Jemalloc#purge()})
 * and ends. Under steady load it never purges; when the load ends, memory is back about a second later. The thread
 * exists only between a burst and its purge, so it never keeps a class loader alive for long.
 */
final class QuietPurge {

	/** Frees of more than this many bytes (past the thread caches) start the watch. */
	static final long LARGE = 64 * 1024;

	/** Set from the options jemalloc initialises with ({@link Jemalloc#initialize()}); 0 turns the watch off. */
	private static volatile long quietNanos = JemallocOptions.defaults().quietPurge().toNanos();

	private static volatile boolean watching;

	/** Large frees so far; written without synchronisation (a lost increment only delays a purge by one check). */
	private static int frees;

	private static volatile long purges;

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

	/** Purges made so far. */
	static long purges() {
		return purges;
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
			// No thread to be had (OutOfMemoryError: unable to create native thread): jemalloc's decay still works.
			watching = false;
		}
	}

	private static void watch() {
		try {
			// Set once at initialisation, before the first free; largeFreed() starts no watch when it is 0.
			long quiet = quietNanos;
			int seen = frees;
			long quietSince = System.nanoTime();
			for (;;) {
				Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(quiet / 4)));
				int now = frees;
				if (now != seen) {
					seen = now;
					quietSince = System.nanoTime();
				}
				else if (System.nanoTime() - quietSince >= quiet) {
					FlightRecorderEvents.quietPurge();
					purges++;
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
		}
	}

}
