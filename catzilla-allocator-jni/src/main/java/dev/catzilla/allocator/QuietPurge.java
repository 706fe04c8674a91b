package dev.catzilla.allocator;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Gives freed memory back soon after a load drops or ends, without purging what a busy
 * service is about to reuse.
 * <p>
 * jemalloc's decay ({@code dirty_decay_ms}, 10 s by default) keeps freed pages for reuse
 * and returns them over the decay time, so memory freed at the end of a burst comes back
 * only 10–20 s later. Catzilla keeps freed extents of 8 MiB and more for reuse too
 * (jemalloc would purge them at once, and every large allocation would fault its pages in
 * again; see {@code catzilla_jemalloc.c}). So a daemon thread watches while a load runs,
 * four times per quiet time ({@link JemallocOptions#quietPurge()}, 1 s by default; zero
 * turns it off), and once the load has dropped or stopped for the quiet time it has each
 * Netty event loop free the blocks its caches keep (Catzilla's and jemalloc's, on its own
 * thread: {@link DirectMemoryCounter#flushEventLoopCaches}), purges every arena once
 * ({@link Purges}), and then, when the load dropped by {@link #TRIM_AFTER_DROP} (as the
 * watch saw it, or as the purge gave back), at most every 10 s, asks the JVM to trim its
 * own C heap ({@link NativeHeapTrim}, unless {@link JemallocOptions#trimNativeHeap()} is
 * off). In the lull after a trim (under {@link #BUSY} buffers per quiet time), a watch
 * trims again, at most every 10 s, when the process's resident set grew back by
 * {@link #TRIM_AFTER_DROP} since.
 * <p>
 * What starts a watch: a thread taking a new lease on the cap
 * ({@link DirectMemoryCounter}: the load grew past what the threads held), a thread
 * giving back two megabytes of its lease (many buffers were freed), a free of a buffer
 * above {@link #LARGE} bytes, a block put into {@link HandOffCache} (the plain threads'
 * cross-thread release cache). What it reads: jemalloc's allocated bytes, the count of
 * buffers (event loops, ended ones and the other threads' stripes), and the large frees
 * and hand-off puts. When it purges, once nothing has grown for the quiet time:
 * <ul>
 * <li>large frees have stopped (purge once no such free happened for the quiet
 * time);</li>
 * <li>the load dropped: jemalloc's allocated bytes are at most half the highest the watch
 * saw (or the bytes held by buffers and thread caches when a give-back or large free
 * started it, if more), or buffers are counted at a sixteenth of the highest rate it saw,
 * at least {@link #BUSY} per quiet time (few buffers live at a time, as in a proxy, and
 * the caches are most of what is allocated; a monitoring scrape now and then may go
 * on);</li>
 * <li>allocation stopped altogether, with more than a megabyte of unused pages or blocks
 * handed back.</li>
 * </ul>
 * Under steady load it never purges (it only empties the hand-off cache once a quiet
 * time); when the load ends, memory is back about a second later. The watch ends after
 * its purge, or once allocation stopped with nothing to give back; it then returns the
 * leases nobody uses to the cap, so that the next load, however small, takes a new lease
 * and is watched again. While allocation goes on the thread lives on (one wake-up per
 * quarter of the quiet time); it never keeps an idle class loader alive for long.
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
	 * The level the load had when a lease taken or given back or a large free started the
	 * watch (bytes held by buffers and thread caches then; 0 for a hand-off put): the
	 * watch's first reading of jemalloc's allocated bytes may come after all the frees
	 * (its thread started late), and must not take that low level for the high one.
	 * Written under the lock when a watch starts.
	 */
	private static volatile long levelAtStart;

	/**
	 * A quiet purge trims the JVM's C heap only when the load dropped by at least this
	 * many bytes (a burst ended, not a lull).
	 */
	static final long TRIM_AFTER_DROP = 8 * 1024 * 1024;

	/** Shortest time between two trims of the JVM's C heap. */
	static final long TRIM_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

	/**
	 * Buffers per quiet time, counted by the event loops, from which on a load counts as
	 * busy: a rate that falls to a sixteenth of a busy one means the load ended.
	 */
	static final long BUSY = 256;

	/** How long a quiet purge waits for the event loops to flush their caches at most. */
	static final long FLUSH_TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

	/** When the last trim was made ({@link System#nanoTime()}), 0 before the first. */
	private static long lastTrim;

	/** The process's resident bytes right after the last trim; -1 when unknown. */
	private static long residentAfterTrim = -1;

	/** Whether a quiet purge also trims the JVM's C heap ({@link NativeHeapTrim}). */
	private static volatile boolean trimNativeHeap = JemallocOptions.defaults().trimNativeHeap();

	/**
	 * Set (under the lock) when a large free starts a watch: that watch purges once large
	 * frees stop, whatever the level.
	 */
	private static volatile boolean strongStart;

	/**
	 * The counter of an event loop that took a lease while a watch without one (started
	 * by a hand-off put) ran: that watch follows it from then on.
	 */
	private static volatile DirectMemoryCounter adopted;

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
			startWatch(counter, size, true);
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
			startWatch(counter, 0, false);
		}
	}

	/**
	 * Called when a thread took a new lease on the cap: the load grew past what the
	 * threads held. Costs a volatile read while a watch runs.
	 * @param counter the cap's counter, whose allocations the watch follows until they
	 * stop
	 */
	static void leaseTaken(DirectMemoryCounter counter) {
		if (!watching) {
			if (quietNanos > 0) {
				startWatch(counter, 0, false);
			}
		}
		else if (adopted == null) {
			// A watch started by a hand-off put follows no counter: it takes this one.
			// One write per watch; a watch that follows a counter ignores it.
			adopted = counter;
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
			startWatch(null, 0, false);
		}
	}

	/** Blocks put into {@link HandOffCache} so far. */
	private static long puts() {
		return cacheUsed ? HandOffCache.allPuts() : 0;
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

	/**
	 * Starts a watch unless one runs.
	 * @param counter the counter to follow, or null (a hand-off put)
	 * @param freed bytes just freed beyond the counter's (a large free's size), part of
	 * the level the load had
	 * @param strong whether a large free starts it
	 */
	private static synchronized void startWatch(DirectMemoryCounter counter, long freed, boolean strong) {
		if (watching) {
			return;
		}
		// The bytes buffers and thread caches hold, read only when a watch starts.
		levelAtStart = (counter != null) ? counter.used() + counter.cached() + freed : 0;
		strongStart = strong;
		adopted = null;
		watching = true;
		try {
			// No inherited thread-locals: the watch may live as long as a load, and must
			// not keep an application's objects (or its class loader) alive meanwhile.
			Thread thread = new Thread(null, () -> watch(counter), "catzilla-quiet-purge", 0, false);
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

	/**
	 * Has the JVM trim its C heap and remembers when, and the process's resident bytes
	 * after it. Only one watch runs at a time: no other writer.
	 */
	private static void trim(long now) {
		lastTrim = now;
		NativeHeapTrim.jvm().trim();
		residentAfterTrim = JemallocStatistics.processResident();
	}

	/**
	 * In a lull after a trim (allocation goes on at under {@link #BUSY} buffers per quiet
	 * time, or has stopped), trims again when the process's resident bytes grew by
	 * {@link #TRIM_AFTER_DROP} since, at most every {@link #TRIM_INTERVAL_NANOS}: the
	 * JVM's own malloc grows back after a load (its compiler's scratch memory, freed but
	 * kept by glibc), where {@code -XX:TrimNativeHeapInterval} would trim it again.
	 */
	private static void trimIfRegrown(long now) {
		if (trimNativeHeap && lastTrim != 0 && now - lastTrim >= TRIM_INTERVAL_NANOS && residentAfterTrim > 0
				&& JemallocStatistics.processResident() >= residentAfterTrim + TRIM_AFTER_DROP) {
			trim(now);
		}
	}

	private static void watch(DirectMemoryCounter given) {
		DirectMemoryCounter counter = given;
		try {
			// Set once at initialisation, before the first free; nothing starts a watch
			// when it is 0, and a watch ends when it is set to 0.
			long quiet = quietNanos;
			int seenFrees = frees;
			long seenPuts = puts();
			boolean active = strongStart;
			strongStart = false;
			long allocated = allocated();
			long highest = Math.max(allocated, levelAtStart);
			long quietFrom = allocated;
			long now = System.nanoTime();
			long quietSince = now;
			long counted0 = (counter != null) ? counter.reservations() : 0;
			long work = (counter != null) ? counter.activity(counted0) : 0;
			long workSince = now;
			// The event loops' reservations at each of the last four readings: their
			// count over one quiet time is the load's rate.
			long[] counted = new long[4];
			Arrays.fill(counted, counted0);
			long highestRate = 0;
			for (int reading = 0; quietNanos > 0; reading++) {
				Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(quiet / 4)));
				int freesNow = frees;
				long putsNow = puts();
				allocated = allocated();
				highest = Math.max(highest, allocated);
				if (counter == null && adopted != null) {
					// An event loop took a lease meanwhile: follow its counter.
					counter = adopted;
					Arrays.fill(counted, counter.reservations());
				}
				long reservations = (counter != null) ? counter.reservations() : 0;
				long working = (counter != null) ? counter.activity(reservations) : 0;
				long rate = reservations - counted[reading & 3];
				counted[reading & 3] = reservations;
				highestRate = Math.max(highestRate, rate);
				now = System.nanoTime();
				if (working != work) {
					work = working;
					workSince = now;
				}
				if (freesNow != seenFrees) {
					// Large frees: purge once they stop (the extents of 8 MiB and more
					// are kept for reuse, not decayed).
					seenFrees = freesNow;
					active = true;
					quietSince = now;
					quietFrom = allocated;
				}
				else if (putsNow != seenPuts) {
					// Blocks handed back: drain the cache once they stop.
					seenPuts = putsNow;
					quietSince = now;
					quietFrom = allocated;
				}
				else if (allocated > quietFrom + GROWTH) {
					// Allocation grows: not quiet yet.
					quietSince = now;
					quietFrom = allocated;
				}
				else if (now - quietSince >= quiet) {
					boolean cached = cacheUsed && HandOffCache.allCached() > 0;
					// The load dropped: the bytes allocated halved (many buffers were
					// live), or buffers are counted at a sixteenth of the highest rate
					// seen (few were live at a time, as in a proxy, and what stays
					// allocated is mostly the threads' caches; a monitoring scrape
					// now and then goes on).
					boolean rateDropped = highestRate >= BUSY && rate <= highestRate / 16;
					boolean dropped = rateDropped || (allocated >= 0 && allocated <= highest / 2);
					if (!active && !dropped) {
						if (now - workSince < quiet) {
							// Allocation goes on at about the level it had: nothing to
							// give back that is not about to be reused. Watch on, for
							// the moment it drops or stops; blocks handed back are not
							// kept longer than a quiet time.
							if (cached) {
								HandOffCache.drainAll();
							}
							if (rate < BUSY) {
								trimIfRegrown(now);
							}
							quietSince = now;
							quietFrom = allocated;
							continue;
						}
						if (!cached && JemallocStatistics.readDirty() <= Purges.LEFT_OVER) {
							// Stopped, with next to nothing unused.
							trimIfRegrown(now);
							return;
						}
						// Stopped: whatever is unused is unused for now.
					}
					if (cacheUsed) {
						HandOffCache.drainAll();
					}
					if (counter != null && (rateDropped || now - workSince >= quiet)) {
						// The load ended: what the idle event loops keep for reuse
						// (Catzilla's block caches, jemalloc's thread caches) goes back
						// to the arenas first, and is purged with the rest.
						counter.flushEventLoopCaches(FLUSH_TIMEOUT_NANOS);
					}
					long released = Purges.purge(Purges.Trigger.QUIET);
					long purged = System.nanoTime();
					// The load dropped by 8 MiB (what the watch saw, or what the purge
					// gave back: a quick load may be over before its first reading): a
					// burst ended, not a lull.
					if (trimNativeHeap
							&& (released >= TRIM_AFTER_DROP
									|| (allocated >= 0 && highest - allocated >= TRIM_AFTER_DROP))
							&& (lastTrim == 0 || purged - lastTrim >= TRIM_INTERVAL_NANOS)) {
						trim(purged);
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
			try {
				if (counter != null) {
					// The leases nobody uses go back to the shared total: the next
					// allocation past what its thread holds takes a new one
					// (leaseTaken), so a load that starts again, however small, is
					// watched again.
					counter.revokeUnusedLeases();
				}
			}
			finally {
				watching = false;
				// A block put into the cache between the drain and the line above started
				// no watch: start one for it.
				if (cacheUsed && quietNanos > 0 && HandOffCache.allCached() > 0) {
					startWatch(null, 0, false);
				}
			}
		}
	}

}
