package dev.catzilla.allocator;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.util.concurrent.FastThreadLocal;

/**
 * Counts the native bytes held by one allocator's live buffers and enforces its cap, without a shared atomic
 * operation on the hot path.
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
 */
final class DirectMemoryCounter {

	private static final long MAX_CHUNK = 1024 * 1024;

	private static final VarHandle USED;

	static {
		try {
			USED = MethodHandles.lookup().findVarHandle(SlotFields.class, "used", long.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final long max;

	private final long chunk;

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

	DirectMemoryCounter(long max) {
		if (max <= 0) {
			throw new IllegalArgumentException("max must be positive, but was " + max);
		}
		this.max = max;
		this.chunk = Math.max(1, Math.min(MAX_CHUNK, max >> 6));
	}

	long max() {
		return this.max;
	}

	/**
	 * Counts {@code size} bytes as held by the calling thread; {@code false} (and nothing counted) when that would
	 * exceed the cap.
	 */
	boolean tryReserve(long size) {
		Slot slot = this.local.get();
		long used = slot.used + size;
		if (used > slot.lease && !acquire(slot, used - slot.lease)) {
			return false;
		}
		USED.setOpaque(slot, used);
		return true;
	}

	/** Counts {@code size} bytes as released by the calling thread (whichever thread reserved them). */
	void release(long size) {
		Slot slot = this.local.get();
		long used = slot.used - size;
		USED.setOpaque(slot, used);
		long surplus = slot.lease - used;
		if (surplus > 2 * this.chunk) {
			long giveBack = surplus - this.chunk;
			slot.lease -= giveBack;
			this.leased.addAndGet(-giveBack);
		}
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
		Slot slot = new Slot(Thread.currentThread());
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

	/** Moves a slot's {@code used} into {@link #retiredUsed} and returns its unused lease. Owner must be done. */
	private synchronized void fold(Slot slot) {
		if (!this.slots.remove(slot)) {
			return;
		}
		this.slotCount.decrementAndGet();
		long used = slot.used;
		// A concurrent used() may miss these bytes for an instant (removed from the queue, not yet retired).
		this.retiredUsed.addAndGet(used);
		this.leased.addAndGet(-(slot.lease - used));
		slot.lease = used;
	}

	@Override
	public String toString() {
		return "DirectMemoryCounter(used: " + used() + ", max: " + this.max + ", leased: " + this.leased.get()
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

		Slot(Thread owner) {
			this.owner = new WeakReference<>(owner);
		}

	}

}
