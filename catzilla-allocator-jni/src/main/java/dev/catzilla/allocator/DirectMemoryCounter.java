package dev.catzilla.allocator;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.FastThreadLocalThread;

/**
 * Counts the native bytes held by one allocator's live buffers and enforces its cap, without a shared atomic
 * operation on the hot path; and keeps, per event-loop thread, a small cache of free jemalloc blocks.
 * <p>
 * Every thread owns a {@link Slot} (found through a {@link FastThreadLocal}: an array index on Netty's event-loop
 * threads) in which only that thread writes: {@code used}, the bytes it allocated minus the bytes it released
 * (negative on a thread that releases buffers other threads allocated), and {@code lease}, the share of the cap it
 * holds. A thread takes lease from the shared {@link #leased} total in chunks, with one CAS, only when its own
 * {@code used} would exceed its lease, and gives the surplus back when it holds more than two chunks it does not
 * use. Since every slot keeps {@code used <= lease} and {@code leased <= max}, the cap is hard: the bytes held never
 * exceed {@code max}. The price is the other way round: an allocation may be refused while up to two chunks per
 * thread are leased but unused ({@code chunk = max / 64}, at most 1 MiB). Slots of dead threads are folded back
 * (their surplus returned) before a refusal and whenever the number of slots doubles.
 * <p>
 * {@link #used()} sums the slots with opaque reads: exact when no allocation is in flight, otherwise a moment's
 * value.
 * <p>
 * <b>Thread caches.</b> A JNI call costs a thread-state transition with a memory fence each way, more than
 * jemalloc's own thread cache spends on a small allocation. So a thread that will clean up its
 * {@link FastThreadLocal}s (Netty's event loops: {@link FastThreadLocalThread#willCleanupFastThreadLocals()}, the
 * same rule Netty's pooled allocator uses for its thread caches) keeps freed blocks of up to
 * {@link SizeClasses#MAX_CACHED} bytes (jemalloc's own thread-cache limit, 64 KiB by default) in its slot, per
 * jemalloc size class ({@link SizeClasses}: 16 KiB but at least one block and at most 64 blocks per class, at most
 * about 760 KiB per thread), and reuses them without crossing
 * into native code. These blocks belong to no buffer: they are not in {@link #used()} (they are in
 * {@link #cached()}) and stay allocated in jemalloc's statistics. The owner thread frees them when its
 * {@link FastThreadLocal}s are removed (the end of an event loop), and so does {@link #reclaimDeadSlots()} for a
 * thread that died without that. Other threads (and every thread when caches are off) free at once.
 */
final class DirectMemoryCounter {

	private static final long MAX_CHUNK = 1024 * 1024;

	private static final VarHandle USED;

	private static final VarHandle CACHED;

	static {
		try {
			USED = MethodHandles.lookup().findVarHandle(SlotFields.class, "used", long.class);
			CACHED = MethodHandles.lookup().findVarHandle(SlotFields.class, "cached", long.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final long max;

	private final long chunk;

	private final boolean threadCaches;

	/** Sum of every slot's lease (live slots) plus the {@code used} of folded slots. */
	private final AtomicLong leased = new AtomicLong();

	/** {@code used} of the slots of dead threads, already folded. */
	private final AtomicLong retiredUsed = new AtomicLong();

	private final ConcurrentLinkedQueue<Slot> slots = new ConcurrentLinkedQueue<>();

	private final AtomicInteger slotCount = new AtomicInteger();

	private volatile int reclaimThreshold = 64;

	private final FastThreadLocal<Slot> local = new FastThreadLocal<>() {

		@Override
		protected Slot initialValue() {
			return register();
		}

		@Override
		protected void onRemoval(Slot slot) {
			// Called by the owning thread (FastThreadLocal.removeAll() at the end of an event loop): safe to fold.
			fold(slot);
		}

	};

	DirectMemoryCounter(long max, boolean threadCaches) {
		if (max <= 0) {
			throw new IllegalArgumentException("max must be positive, but was " + max);
		}
		this.max = max;
		this.chunk = Math.max(1, Math.min(MAX_CHUNK, max >> 6));
		this.threadCaches = threadCaches;
	}

	long max() {
		return this.max;
	}

	/**
	 * Counts {@code size} bytes as held by the calling thread; {@code false} (and nothing counted) when that would
	 * exceed the cap.
	 */
	boolean tryReserve(long size) {
		return tryReserve(this.local.get(), size);
	}

	/** The calling thread's slot, for the hot path to look it up once per buffer. */
	Slot slot() {
		return this.local.get();
	}

	/** {@link #tryReserve(long)} with the calling thread's {@link #slot()}. */
	boolean tryReserve(Slot slot, long size) {
		long used = slot.used + size;
		if (used > slot.lease && !acquire(slot, used - slot.lease)) {
			return false;
		}
		USED.setOpaque(slot, used);
		return true;
	}

	/** Counts {@code size} bytes as released by the calling thread (whichever thread reserved them). */
	void release(long size) {
		release(this.local.get(), size);
	}

	/** {@link #release(long)} with the calling thread's {@link #slot()}. */
	void release(Slot slot, long size) {
		long used = slot.used - size;
		USED.setOpaque(slot, used);
		long surplus = slot.lease - used;
		if (surplus > 2 * this.chunk) {
			long giveBack = surplus - this.chunk;
			slot.lease -= giveBack;
			this.leased.addAndGet(-giveBack);
		}
	}

	/**
	 * A free block for a request of {@code size} bytes from the calling thread's cache, or 0 (no cache, too large,
	 * or none left: allocate from jemalloc).
	 */
	long takeCached(Slot slot, long size) {
		long[] blocks = slot.blocks;
		if (blocks == null || size > SizeClasses.MAX_CACHED) {
			return 0;
		}
		int c = SizeClasses.index(size);
		int[] counts = slot.counts;
		int n = counts[SizeClasses.PAD + c];
		if (n == 0) {
			return 0;
		}
		n--;
		counts[SizeClasses.PAD + c] = n;
		CACHED.setOpaque(slot, slot.cached - SizeClasses.size(c));
		return blocks[SizeClasses.base(c) + n];
	}

	/**
	 * Keeps a freed block whose last request was {@code size} bytes in the calling thread's cache; {@code false} (the
	 * caller frees it) without a cache, above {@link SizeClasses#MAX_CACHED} or when the class is full.
	 */
	boolean offerCached(Slot slot, long address, long size) {
		long[] blocks = slot.blocks;
		if (blocks == null || size > SizeClasses.MAX_CACHED) {
			return false;
		}
		int c = SizeClasses.index(size);
		int[] counts = slot.counts;
		int n = counts[SizeClasses.PAD + c];
		if (n == SizeClasses.limit(c)) {
			return false;
		}
		blocks[SizeClasses.base(c) + n] = address;
		counts[SizeClasses.PAD + c] = n + 1;
		CACHED.setOpaque(slot, slot.cached + SizeClasses.size(c));
		return true;
	}

	/** Bytes of free blocks in thread caches (sum over threads, opaque reads). */
	long cached() {
		long total = 0;
		for (Slot slot : this.slots) {
			total += (long) CACHED.getOpaque(slot);
		}
		return total;
	}

	/** Bytes currently held (sum over threads). */
	long used() {
		long total = this.retiredUsed.get();
		for (Slot slot : this.slots) {
			total += (long) USED.getOpaque(slot);
		}
		return total;
	}

	private boolean acquire(Slot slot, long need) {
		boolean reclaimed = false;
		for (;;) {
			long current = this.leased.get();
			long room = this.max - current;
			long grant = need + this.chunk;
			if (grant > room || grant < 0) {
				grant = need;
			}
			if (grant > room) {
				if (!reclaimed) {
					reclaimed = true;
					reclaimDeadSlots();
					continue;
				}
				return false;
			}
			if (this.leased.compareAndSet(current, current + grant)) {
				slot.lease += grant;
				return true;
			}
		}
	}

	private Slot register() {
		boolean cache = this.threadCaches && FastThreadLocalThread.currentThreadWillCleanupFastThreadLocals()
				&& SizeClasses.enabled();
		Slot slot = new Slot(Thread.currentThread(), cache);
		this.slots.add(slot);
		int count = this.slotCount.incrementAndGet();
		if (count > this.reclaimThreshold) {
			reclaimDeadSlots();
			this.reclaimThreshold = Math.max(64, 2 * this.slotCount.get());
		}
		return slot;
	}

	/** Folds the slots whose owner thread has ended. */
	private synchronized void reclaimDeadSlots() {
		for (Iterator<Slot> it = this.slots.iterator(); it.hasNext();) {
			Slot slot = it.next();
			Thread owner = slot.owner.get();
			if (owner == null || !owner.isAlive()) {
				fold(slot);
			}
		}
	}

	/**
	 * Moves a slot's {@code used} into {@link #retiredUsed}, returns its unused lease and frees its cached blocks.
	 * Owner must be done.
	 */
	private synchronized void fold(Slot slot) {
		if (!this.slots.remove(slot)) {
			return;
		}
		freeCached(slot);
		this.slotCount.decrementAndGet();
		long used = slot.used;
		// A concurrent used() may miss these bytes for an instant (removed from the queue, not yet retired).
		this.retiredUsed.addAndGet(used);
		this.leased.addAndGet(-(slot.lease - used));
		slot.lease = used;
	}

	private static void freeCached(Slot slot) {
		long[] blocks = slot.blocks;
		if (blocks == null) {
			return;
		}
		int[] counts = slot.counts;
		for (int c = 0; c < SizeClasses.count(); c++) {
			int base = SizeClasses.base(c);
			long size = SizeClasses.size(c);
			for (int n = counts[SizeClasses.PAD + c]; n > 0; n--) {
				JemallocNative.free(blocks[base + n - 1], size);
			}
			counts[SizeClasses.PAD + c] = 0;
		}
		CACHED.setOpaque(slot, 0L);
	}

	@Override
	public String toString() {
		return "DirectMemoryCounter(used: " + used() + ", cached: " + cached() + ", max: " + this.max + ", leased: " + this.leased.get()
				+ ", chunk: " + this.chunk + ", threads: " + this.slotCount.get() + ")";
	}

	/** Keeps a {@link Slot}'s counters off the cache lines of whatever the GC copies next to it (see Slot). */
	abstract static class SlotPadBefore {

		long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;

	}

	/** The counters of a {@link Slot}, between two 128-byte pads. */
	abstract static class SlotFields extends SlotPadBefore {

		/** Bytes reserved minus bytes released by the owner; read by others with opaque reads. */
		long used;

		/** Share of the cap held by the owner; {@code used <= lease} always. */
		long lease;

		/** Bytes of the free blocks in this thread's cache; read by others with opaque reads. */
		long cached;

		/** The cached free blocks: per class, a stack in its region ({@link SizeClasses#base}); or null. */
		final long[] blocks;

		/** Per class (after {@link SizeClasses#PAD} unused slots), the number of blocks in the stack. */
		final int[] counts;

		SlotFields(boolean cache) {
			this.blocks = cache ? new long[SizeClasses.blocksLength()] : null;
			this.counts = cache ? new int[SizeClasses.PAD + SizeClasses.count() + SizeClasses.PAD]
					: null;
		}

	}

	/**
	 * One thread's counters; written only by its owner thread, on every allocation and release. Padded on both
	 * sides: slots of different threads start in different TLABs, but a garbage collection copies the objects
	 * reachable from {@link #slots} next to each other, and two threads writing one cache line on every allocation
	 * would cost more than the allocation itself.
	 */
	static final class Slot extends SlotFields {

		long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;

		final WeakReference<Thread> owner;

		Slot(Thread owner, boolean cache) {
			super(cache);
			this.owner = new WeakReference<>(owner);
		}

	}

}
