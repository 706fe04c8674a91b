package dev.catzilla.allocator;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Free blocks handed back to the threads without an event-loop slot (pool threads,
 * virtual threads, {@code main}), whichever thread released them: the cross-thread
 * release path (issue 16 item 3).
 * <p>
 * <b>Why.</b> A buffer allocated on one plain thread and released on another never
 * returns to the allocating thread's jemalloc thread cache: jemalloc has no remote free.
 * Sizes from 16 KiB up (jemalloc's "large" classes) then cost an extent-cache search and
 * split on every allocation and an extent record (coalescing) on every flush of the
 * releasing thread's cache, both under the arena's mutex (measured: most of the time of a
 * producer/consumer pair in {@code CrossThreadReleaseBenchmark}, in {@code pa_alloc},
 * {@code large_palloc} and {@code extent_record}), and every buffer also pays two JNI
 * calls.
 * <p>
 * <b>How.</b> A fixed number of stripes (a power of two from four to eight per processor,
 * at most 64), each a stack of free blocks per jemalloc size class up to
 * {@link SizeClasses#MAX_CACHED}. A plain thread allocates from the stripe its thread id
 * hashes to (its <i>home</i>, remembered in the buffer), and a release on a plain thread
 * puts the block back on the buffer's home stripe, so the allocating thread finds it
 * there, as mimalloc hands frees back to the owning page. Each stripe has one lock word
 * taken by compare-and-set and never waited for: a thread that finds it taken simply goes
 * to jemalloc (allocating or freeing as before), so nobody ever spins or blocks here.
 * Bounded: at most {@link #MAX_BLOCKS} blocks per class and {@link #STRIPE_BYTES} bytes
 * per stripe.
 * <p>
 * <b>Memory back.</b> The blocks are allocated in jemalloc and held by no buffer.
 * {@link QuietPurge} watches the cache's activity like the large frees: once nothing has
 * been put into it for the quiet time (1 s by default), it frees every block to jemalloc
 * ({@link #drain()}) and then purges. With the quiet purge off there is nothing to give
 * the blocks back, so the cache is off too ({@link #ENABLED}).
 * <p>
 * One per allocator (made on its first allocation on such a thread, so {@link #cached()}
 * is that allocator's), kept in a registry that the watch drains; the cache of an
 * allocator that was garbage-collected is drained once more and then dropped. Loaded only
 * after jemalloc is initialised (its first use is in an allocation).
 */
final class HandOffCache {

	/** Most blocks kept per class and stripe. */
	static final int MAX_BLOCKS = 64;

	/** Bytes of blocks kept per class and stripe, at least one block. */
	static final int CLASS_BYTES = 512 * 1024;

	/** Bytes of blocks kept per stripe, all classes together. */
	static final long STRIPE_BYTES = 2L * 1024 * 1024;

	/**
	 * The home of a buffer that did not come from this cache's threads: freed to jemalloc
	 * as before.
	 */
	static final byte NO_HOME = -1;

	/**
	 * Whether the cache is used: thread caches exist at all and the quiet purge is on (it
	 * is what empties it).
	 */
	static final boolean ENABLED = SizeClasses.enabled() && QuietPurge.enabled();

	private static final int STRIPES = Math.min(64,
			Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors()) * 8 - 1));

	private static final VarHandle LOCK;

	private static final VarHandle BYTES;

	private static final VarHandle PUTS;

	/** Per class: the first slot of its region in a stripe's block array. */
	private static final int[] BASE;

	/** Per class: blocks kept at most. */
	private static final int[] LIMIT;

	private static final int BLOCKS_LENGTH;

	/** Every cache made so far, until drained after its allocator was collected. */
	private static final Set<HandOffCache> ALL = ConcurrentHashMap.newKeySet();

	private final Stripe[] stripes;

	/**
	 * The allocator this cache belongs to; once collected, the next drain drops the
	 * cache.
	 */
	private final WeakReference<Object> owner;

	static {
		try {
			MethodHandles.Lookup lookup = MethodHandles.lookup();
			LOCK = lookup.findVarHandle(StripeFields.class, "lock", int.class);
			BYTES = lookup.findVarHandle(StripeFields.class, "bytes", long.class);
			PUTS = lookup.findVarHandle(StripeFields.class, "puts", int.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
		int classes = SizeClasses.count();
		BASE = new int[classes];
		LIMIT = new int[classes];
		int next = SizeClasses.PAD;
		for (int c = 0; c < classes; c++) {
			BASE[c] = next;
			LIMIT[c] = Math.max(1, Math.min(MAX_BLOCKS, CLASS_BYTES / SizeClasses.size(c)));
			next += LIMIT[c];
		}
		BLOCKS_LENGTH = next + SizeClasses.PAD;
	}

	/** A new, registered cache for {@code owner}; only when {@link #ENABLED}. */
	HandOffCache(Object owner) {
		int classes = SizeClasses.count();
		this.stripes = new Stripe[STRIPES];
		for (int i = 0; i < STRIPES; i++) {
			this.stripes[i] = new Stripe(classes);
		}
		this.owner = new WeakReference<>(owner);
		ALL.add(this);
	}

	/**
	 * The calling thread's stripe, the home of the buffers it allocates; {@link #NO_HOME}
	 * when disabled.
	 */
	static byte home() {
		if (!ENABLED) {
			return NO_HOME;
		}
		@SuppressWarnings("deprecation") // Thread.threadId() is JDK 19+
		long id = Thread.currentThread().getId();
		// Thread ids are sequential: a multiplicative hash spreads neighbours over the
		// stripes.
		return (byte) (((id * 0x9E3779B97F4A7C15L) >>> 40) & (STRIPES - 1));
	}

	/**
	 * Gives {@code into} a free block (and its view, if one was made) for a request of
	 * {@code size} bytes from stripe {@code home}; {@code false} when there is none (none
	 * kept, too large, or the stripe is busy this instant: allocate from jemalloc).
	 */
	boolean take(byte home, long size, JemallocByteBuf into) {
		if (home < 0 || size > SizeClasses.MAX_CACHED) {
			return false;
		}
		Stripe stripe = this.stripes[home];
		int c = SizeClasses.index(size);
		// An unlocked look first: an empty class costs no compare-and-set.
		if (stripe.counts[SizeClasses.PAD + c] == 0 || !LOCK.compareAndSet(stripe, 0, 1)) {
			return false;
		}
		long address;
		Object view;
		try {
			int n = stripe.counts[SizeClasses.PAD + c];
			if (n == 0) {
				return false;
			}
			n--;
			stripe.counts[SizeClasses.PAD + c] = n;
			BYTES.setOpaque(stripe, stripe.bytes - SizeClasses.size(c));
			int i = BASE[c] + n;
			address = stripe.blocks[i];
			view = stripe.views[i];
			stripe.views[i] = null;
		}
		finally {
			LOCK.setRelease(stripe, 0);
		}
		into.memory(address, (ByteBuffer) view);
		return true;
	}

	/**
	 * Keeps a freed block whose last request was {@code size} bytes, with its buffer's
	 * view (or {@code null}), on stripe {@code home}; {@code false} (the caller frees it
	 * to jemalloc) without a home, above {@link SizeClasses#MAX_CACHED}, when full, or
	 * when the stripe is busy this instant.
	 */
	boolean offer(byte home, long address, long size, ByteBuffer view) {
		if (home < 0 || size > SizeClasses.MAX_CACHED) {
			return false;
		}
		Stripe stripe = this.stripes[home];
		int c = SizeClasses.index(size);
		int classSize = SizeClasses.size(c);
		if (!LOCK.compareAndSet(stripe, 0, 1)) {
			return false;
		}
		try {
			int n = stripe.counts[SizeClasses.PAD + c];
			if (n == LIMIT[c] || stripe.bytes + classSize > STRIPE_BYTES) {
				return false;
			}
			stripe.blocks[BASE[c] + n] = address;
			stripe.views[BASE[c] + n] = view;
			stripe.counts[SizeClasses.PAD + c] = n + 1;
			BYTES.setOpaque(stripe, stripe.bytes + classSize);
			PUTS.setOpaque(stripe, stripe.puts + 1);
		}
		finally {
			LOCK.setRelease(stripe, 0);
		}
		QuietPurge.watchCache();
		return true;
	}

	/**
	 * Blocks put into every cache so far (wrapping): {@link QuietPurge}'s sign of
	 * activity.
	 */
	static int allPuts() {
		int total = 0;
		for (HandOffCache cache : ALL) {
			for (Stripe stripe : cache.stripes) {
				total += (int) PUTS.getOpaque(stripe);
			}
		}
		return total;
	}

	/** Bytes of free blocks held by every cache. */
	static long allCached() {
		long total = 0;
		for (HandOffCache cache : ALL) {
			total += cache.cached();
		}
		return total;
	}

	/**
	 * Frees every block of every cache to jemalloc, and drops the caches whose allocator
	 * was collected; returns the bytes freed.
	 */
	static long drainAll() {
		long freed = 0;
		for (HandOffCache cache : ALL) {
			freed += cache.drain();
			if (cache.owner.get() == null) {
				ALL.remove(cache);
				// A block put in by a buffer released after the drain above (its
				// allocator was still reachable then).
				freed += cache.drain();
			}
		}
		return freed;
	}

	/** Bytes of free blocks held (all stripes, opaque reads). */
	long cached() {
		long total = 0;
		for (Stripe stripe : this.stripes) {
			total += (long) BYTES.getOpaque(stripe);
		}
		return total;
	}

	/**
	 * Frees every block to jemalloc; returns the bytes freed. Waits for each stripe's
	 * lock (held a few instructions).
	 */
	long drain() {
		long freed = 0;
		for (Stripe stripe : this.stripes) {
			while (!LOCK.compareAndSet(stripe, 0, 1)) {
				Thread.onSpinWait();
			}
			try {
				for (int c = 0; c < BASE.length; c++) {
					long size = SizeClasses.size(c);
					for (int n = stripe.counts[SizeClasses.PAD + c]; n > 0; n--) {
						JemallocNative.free(stripe.blocks[BASE[c] + n - 1], size);
						stripe.views[BASE[c] + n - 1] = null;
						freed += size;
					}
					stripe.counts[SizeClasses.PAD + c] = 0;
				}
				BYTES.setOpaque(stripe, 0L);
			}
			finally {
				LOCK.setRelease(stripe, 0);
			}
		}
		return freed;
	}

	/** The fields of a {@link Stripe}, after a 128-byte pad. */
	abstract static class StripeFields extends DirectMemoryCounter.PadBefore {

		/** 0 free, 1 held (a few instructions; never waited for on the hot path). */
		int lock;

		/**
		 * Puts so far (wrapping); written under the lock, read by the quiet-purge watch.
		 */
		int puts;

		/** Bytes of the blocks held; written under the lock, read with opaque reads. */
		long bytes;

		/**
		 * Per class, a stack of free blocks in its region ({@link #BASE}); guarded by the
		 * lock.
		 */
		final long[] blocks = new long[BLOCKS_LENGTH];

		/**
		 * Per block of {@link #blocks}, the view a buffer made of it, or null; guarded by
		 * the lock.
		 */
		final Object[] views = new Object[BLOCKS_LENGTH];

		/**
		 * Per class (after {@link SizeClasses#PAD} unused slots), the number of blocks;
		 * guarded by the lock.
		 */
		final int[] counts;

		StripeFields(int classes) {
			this.counts = new int[SizeClasses.PAD + classes + SizeClasses.PAD];
		}

	}

	/**
	 * One stripe, padded on both sides (threads of different stripes never write one
	 * cache line).
	 */
	static final class Stripe extends StripeFields {

		long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;

		Stripe(int classes) {
			super(classes);
		}

	}

}
