package dev.catzilla.allocator;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.netty.util.internal.ThreadExecutorMap;

/**
 * Counts the native bytes held by one allocator's live buffers and enforces its cap; and
 * keeps, per event-loop thread, a small cache of free jemalloc blocks.
 * <p>
 * <b>Leases.</b> The cap is shared out in leases taken from one total, {@link #leased}
 * ({@code <= max}, changed only by compare-and-set), in chunks ({@code chunk = max / 64},
 * at most 1 MiB), so most allocations touch no shared counter. Every byte a live buffer
 * holds is covered by a lease, so the bytes held never exceed {@code max}. Who holds a
 * lease:
 * <ul>
 * <li><b>Event-loop threads</b> (threads that clean up their {@link FastThreadLocal}s:
 * {@link FastThreadLocalThread#willCleanupFastThreadLocals()}, Netty's event loops, the
 * rule Netty's pooled allocator uses for its thread caches) own a {@link Slot}, found
 * through a {@link FastThreadLocal} (an array index), in which only the owner counts:
 * {@code used}, the bytes it allocated minus the bytes it released (negative on a thread
 * that releases buffers other threads allocated), and {@code lease}, its share of the cap
 * ({@code used <= lease}). An allocation takes the slot's lock word with one
 * compare-and-set on the slot's own cache line (no other thread touches it unless it is
 * reclaiming leases: at the cap, or once when {@link QuietPurge}'s watch ends after a
 * load, so it is never contended under load), checks and counts, and unlocks with a plain
 * release store; a release counts without the lock. The lock is what makes the slot's
 * unused lease revocable by other threads.</li>
 * <li><b>Every other thread</b> (pools, virtual threads, {@code main}) keeps no state of
 * its own: it counts in one of a fixed number of {@link Stripe}s (twice the processors,
 * rounded to a power of two, at most 64), chosen by thread id, with compare-and-set on
 * the stripe's {@code avail} (its unused lease) and an atomic add on its {@code used}.
 * Creating and ending such a thread costs the counter nothing.</li>
 * </ul>
 * An allocation that does not fit in its slot or stripe takes {@code need + chunk} (or
 * just {@code need}) from {@link #leased}. A slot or stripe gives back what it holds
 * beyond two unused chunks on release. When the shared total has no room, the thread
 * takes the <b>slow path</b> ({@link #grantAtCap}), one thread at a time: it revokes
 * every unused lease ({@link #revokeIdleLeases}): each stripe's {@code avail} (one atomic
 * swap), and each slot's {@code lease - used} under the slot's lock (waiting the few
 * instructions an owner that is counting or taking its grant holds it); then it tries
 * again. If there is still no room, it refuses only when {@link #used()} plus the leases
 * of event loops that are waiting on the slow path themselves plus the request exceed the
 * cap; otherwise the room is in transit (a grant, a release or another revocation between
 * two of its steps) and it waits for it. So an allocation is refused only when the live
 * buffers' bytes, the allocations in flight and the request exceed the cap.
 * <p>
 * <b>Reserve.</b> With a reserve ({@code reserve > 0}), requests larger than
 * {@link #SMALL} are counted apart, straight in {@link #leased} with no lease, under the
 * lower limit {@code max - reserve} (fast compare-and-set, else the same slow path with
 * that limit); smaller ones may take the whole cap. So at the cap a service still has
 * memory for reading requests, encoding headers and small answers, while large bodies are
 * refused first.
 * <p>
 * <b>Per-thread state.</b> Only event-loop threads have slots: registered in a concurrent
 * set (O(1)) on first use, removed (O(1), lease returned, cache freed) by the owner when
 * its {@link FastThreadLocal}s are removed (the end of an event loop). Slots of owners
 * that died without that are found by a sweep over the set whenever the number of slots
 * has doubled since the last sweep (amortised O(1) per slot) and before a refusal, so
 * their number stays below twice the live event-loop threads (plus 64). No lock is taken
 * on thread start or end beyond the set's own.
 * <p>
 * {@link #used()} sums the retired counts, the slots and the stripes: exact when no
 * allocation is in flight, otherwise a moment's value.
 * <p>
 * <b>Thread caches.</b> A JNI call costs a thread-state transition with a memory fence
 * each way, more than jemalloc's own thread cache spends on a small allocation. So
 * event-loop threads keep freed blocks of up to {@link SizeClasses#MAX_CACHED} bytes
 * (jemalloc's own thread-cache limit, 64 KiB by default) in their slot, per jemalloc size
 * class ({@link SizeClasses}: 16 KiB but at least one block and at most 64 blocks per
 * class, at most about 760 KiB per thread), and reuse them without crossing into native
 * code. These blocks belong to no buffer: they are not in {@link #used()} (they are in
 * {@link #cached()}) and stay allocated in jemalloc's statistics. The owner thread frees
 * them when its {@link FastThreadLocal}s are removed, and so does the sweep for a thread
 * that died without that; and when a load has ended, {@link QuietPurge} has each event
 * loop free them, with its jemalloc cache, on its own thread
 * ({@link #flushEventLoopCaches}). Other threads (and every thread when caches are off)
 * free at once.
 */
final class DirectMemoryCounter {

	private static final long MAX_CHUNK = 1024 * 1024;

	private static final int MAX_STRIPES = 64;

	/**
	 * Largest request that may take the reserve: read buffers, encoded headers, small
	 * answers.
	 */
	static final long SMALL = 16 * 1024;

	/**
	 * {@link SlotFields#lock}: the owner holds it while it takes from the shared total
	 * (and may wait).
	 */
	private static final int ACQUIRING = 2;

	/**
	 * How long a refusal waits at most for room in transit ({@link #grantAtCap}); a
	 * guard, never reached.
	 */
	private static final long AT_CAP_DEADLINE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

	private static final VarHandle USED;

	private static final VarHandle CACHED;

	private static final VarHandle LOCK;

	private static final VarHandle RESERVES;

	private static final VarHandle STRIPE_RESERVES;

	private static final VarHandle AVAIL;

	private static final VarHandle STRIPE_USED;

	static {
		try {
			MethodHandles.Lookup lookup = MethodHandles.lookup();
			USED = lookup.findVarHandle(SlotFields.class, "used", long.class);
			CACHED = lookup.findVarHandle(SlotFields.class, "cached", long.class);
			LOCK = lookup.findVarHandle(SlotFields.class, "lock", int.class);
			RESERVES = lookup.findVarHandle(SlotFields.class, "reserves", long.class);
			STRIPE_RESERVES = lookup.findVarHandle(StripeFields.class, "reserves", long.class);
			AVAIL = lookup.findVarHandle(StripeFields.class, "avail", long.class);
			STRIPE_USED = lookup.findVarHandle(StripeFields.class, "used", long.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final long max;

	/**
	 * Bytes at the top of the cap that only requests of at most {@link #SMALL} bytes may
	 * take.
	 */
	private final long reserve;

	/**
	 * With a reserve, bytes of requests larger than {@link #SMALL}: counted straight in
	 * {@link #leased}, with no lease (they are rare and large, and must not take the
	 * reserve through a thread's unused lease).
	 */
	private final AtomicLong largeUsed = new AtomicLong();

	private final long chunk;

	private final boolean threadCaches;

	/**
	 * Sum of every slot's {@code lease}, every stripe's {@code avail + used}, and
	 * {@link #retiredUsed}; never above {@link #max}. Between the steps of one operation
	 * it may be above that sum (never below).
	 */
	private final AtomicLong leased = new AtomicLong();

	/** {@code used} of the slots of ended threads, already folded. */
	private final AtomicLong retiredUsed = new AtomicLong();

	/**
	 * Reservations of folded slots, so that {@link #reservations()} never goes back when
	 * an event loop ends.
	 */
	private final AtomicLong retiredReserves = new AtomicLong();

	/** The slots of live (or not yet swept) event-loop threads. */
	private final Set<Slot> slots = ConcurrentHashMap.newKeySet();

	private final AtomicInteger slotCount = new AtomicInteger();

	private volatile int sweepThreshold = 64;

	/** Serialises the cap's slow path ({@link #grantAtCap}): one revocation at a time. */
	private final java.util.concurrent.locks.ReentrantLock revoking = new java.util.concurrent.locks.ReentrantLock();

	/** Allocations refused at the cap. */
	private final AtomicLong refusals = new AtomicLong();

	/** Times the slow path waited for room in transit instead of refusing. */
	private final AtomicLong waits = new AtomicLong();

	private final Stripe[] stripes;

	/**
	 * What {@link #slot()} returns on threads without a slot of their own: count in the
	 * stripes.
	 */
	private final Slot shared = new Slot(null, false);

	private final FastThreadLocal<Slot> local = new FastThreadLocal<>() {

		@Override
		protected Slot initialValue() {
			return register();
		}

		@Override
		protected void onRemoval(Slot slot) {
			// Called by the owning thread (FastThreadLocal.removeAll() at the end of an
			// event loop): safe to fold.
			fold(slot);
		}

	};

	DirectMemoryCounter(long max, boolean threadCaches) {
		this(max, 0, threadCaches);
	}

	/**
	 * @param max the cap
	 * @param reserve bytes at the top of the cap kept for requests of at most
	 * {@link #SMALL} bytes (reads, headers, error answers): larger requests are refused
	 * once the live bytes plus the request would exceed {@code max - reserve}; 0 for none
	 * @param threadCaches whether event loops keep freed blocks
	 */
	DirectMemoryCounter(long max, long reserve, boolean threadCaches) {
		if (max <= 0) {
			throw new IllegalArgumentException("max must be positive, but was " + max);
		}
		if (reserve < 0 || reserve >= max) {
			throw new IllegalArgumentException(
					"reserve must be at least 0 and less than max (" + max + "), but was " + reserve);
		}
		this.max = max;
		this.reserve = reserve;
		this.chunk = Math.max(1, Math.min(MAX_CHUNK, max >> 6));
		this.threadCaches = threadCaches;
		int count = Math.min(MAX_STRIPES,
				Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors()) * 4 - 1));
		this.stripes = new Stripe[count];
		for (int i = 0; i < count; i++) {
			this.stripes[i] = new Stripe();
		}
	}

	long max() {
		return this.max;
	}

	long reserve() {
		return this.reserve;
	}

	/**
	 * Counts {@code size} bytes as held by the calling thread; {@code false} (and nothing
	 * counted) when that would exceed the cap.
	 */
	boolean tryReserve(long size) {
		return tryReserve(slot(), size);
	}

	/**
	 * The calling thread's slot if it is an event loop, else a shared marker (count in
	 * the stripes), for the hot path to look it up once per buffer.
	 */
	Slot slot() {
		Thread thread = Thread.currentThread();
		if (thread instanceof FastThreadLocalThread && ((FastThreadLocalThread) thread).willCleanupFastThreadLocals()) {
			return this.local.get();
		}
		return this.shared;
	}

	/**
	 * Whether {@code slot} is the marker of threads without a slot of their own (they
	 * count in the stripes).
	 */
	boolean isShared(Slot slot) {
		return slot == this.shared;
	}

	/** {@link #tryReserve(long)} with the calling thread's {@link #slot()}. */
	boolean tryReserve(Slot slot, long size) {
		if (size > SMALL && this.reserve != 0) {
			return tryReserveLarge(size);
		}
		if (slot == this.shared || !LOCK.compareAndSet(slot, 0, 1)) {
			// No slot; or another thread is revoking this slot's lease this instant:
			// count in a stripe this once.
			return tryReserveShared(size);
		}
		long used = slot.used + size;
		if (used > slot.lease) {
			return tryReserveBeyondLease(slot, used);
		}
		USED.setOpaque(slot, used);
		RESERVES.setOpaque(slot, slot.reserves + 1);
		LOCK.setRelease(slot, 0);
		return true;
	}

	/**
	 * {@link #tryReserve(Slot, long)} past the slot's lease (its lock held): takes more
	 * from the shared total, unlocks, and tells {@link QuietPurge} the load grew.
	 */
	private boolean tryReserveBeyondLease(Slot slot, long used) {
		try {
			// Taking from the shared total may wait for a revocation: say so, revokers
			// skip this slot then.
			LOCK.setOpaque(slot, ACQUIRING);
			if (!acquire(slot, used - slot.lease)) {
				return false;
			}
			USED.setOpaque(slot, used);
			RESERVES.setOpaque(slot, slot.reserves + 1);
		}
		finally {
			LOCK.setRelease(slot, 0);
		}
		QuietPurge.leaseTaken(this);
		return true;
	}

	/**
	 * Counts {@code size} bytes as released by the calling thread (whichever thread
	 * reserved them).
	 */
	void release(long size) {
		release(slot(), size);
	}

	/** {@link #release(long)} with the calling thread's {@link #slot()}. */
	void release(Slot slot, long size) {
		if (size > SMALL && this.reserve != 0) {
			this.largeUsed.addAndGet(-size);
			this.leased.addAndGet(-size);
			QuietPurge.volumeFreed(this);
			return;
		}
		if (slot == this.shared) {
			releaseShared(size);
			return;
		}
		// Without the lock: a revoker that reads the old, larger used revokes less, which
		// is safe.
		long used = slot.used - size;
		USED.setOpaque(slot, used);
		if (slot.lease - used > 2 * this.chunk && LOCK.compareAndSet(slot, 0, 1)) {
			long surplus = slot.lease - slot.used;
			boolean gaveBack = surplus > 2 * this.chunk;
			if (gaveBack) {
				long giveBack = surplus - this.chunk;
				slot.lease -= giveBack;
				this.leased.addAndGet(-giveBack);
			}
			LOCK.setRelease(slot, 0);
			if (gaveBack) {
				QuietPurge.volumeFreed(this);
			}
		}
	}

	/**
	 * Gives {@code into} a free block (and its view, if one was made) for a request of
	 * {@code size} bytes from the calling thread's cache; {@code false} when there is
	 * none (no cache, too large, or none left: allocate from jemalloc).
	 */
	boolean takeCached(Slot slot, long size, JemallocByteBuf into) {
		long[] blocks = slot.blocks;
		if (blocks == null || size > SizeClasses.MAX_CACHED) {
			return false;
		}
		int c = SizeClasses.index(size);
		int[] counts = slot.counts;
		int n = counts[SizeClasses.PAD + c];
		if (n == 0) {
			return false;
		}
		n--;
		counts[SizeClasses.PAD + c] = n;
		CACHED.setOpaque(slot, slot.cached - SizeClasses.size(c));
		int i = SizeClasses.base(c) + n;
		Object[] views = slot.views;
		into.memory(blocks[i], (java.nio.ByteBuffer) views[i]);
		views[i] = null;
		return true;
	}

	/**
	 * Keeps a freed block whose last request was {@code size} bytes, with its buffer's
	 * view (or {@code null}), in the calling thread's cache; {@code false} (the caller
	 * frees it) without a cache, above {@link SizeClasses#MAX_CACHED} or when the class
	 * is full.
	 */
	boolean offerCached(Slot slot, long address, long size, java.nio.ByteBuffer view) {
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
		slot.views[SizeClasses.base(c) + n] = view;
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

	/** Bytes currently held (sum over slots and stripes). */
	long used() {
		long total = this.retiredUsed.get() + this.largeUsed.get();
		for (Slot slot : this.slots) {
			total += (long) USED.getOpaque(slot);
		}
		for (Stripe stripe : this.stripes) {
			total += (long) STRIPE_USED.getVolatile(stripe);
		}
		return total;
	}

	/**
	 * A number that changes whenever buffers are counted or released: the buffers counted
	 * so far ({@link #reservations()}, given) plus the bytes held and the shared total;
	 * {@link QuietPurge}'s sign that allocation goes on.
	 */
	long activity(long reservations) {
		return reservations + this.leased.get() + used();
	}

	/**
	 * Buffers counted so far, by event loops, ended ones and the stripes (wrapping;
	 * opaque reads; the stripes' about): {@link QuietPurge} compares their rate with the
	 * highest it saw.
	 */
	long reservations() {
		long total = this.retiredReserves.get();
		for (Slot slot : this.slots) {
			total += (long) RESERVES.getOpaque(slot);
		}
		for (Stripe stripe : this.stripes) {
			total += (long) STRIPE_RESERVES.getOpaque(stripe);
		}
		return total;
	}

	/**
	 * Has every event loop with a slot free the blocks its cache keeps and flush its
	 * jemalloc cache, on its own thread (a task on its event loop, as Netty's pooled
	 * allocator trims its thread caches): {@link QuietPurge} calls it once a load has
	 * ended, before it purges, so that what idle event loops keep is given back too.
	 * @param timeoutNanos how long to wait for the tasks at most
	 * @return the event loops that did it within the time
	 * @throws InterruptedException if interrupted while waiting
	 */
	int flushEventLoopCaches(long timeoutNanos) throws InterruptedException {
		List<Slot> loops = new ArrayList<>();
		for (Slot slot : this.slots) {
			if (slot.executor != null) {
				loops.add(slot);
			}
		}
		CountDownLatch done = new CountDownLatch(loops.size());
		AtomicInteger flushed = new AtomicInteger();
		for (Slot slot : loops) {
			try {
				slot.executor.execute(() -> {
					try {
						// Only the owner touches its cache; a folded slot's is gone.
						if (Thread.currentThread() == slot.owner.get() && !slot.folded) {
							freeCached(slot);
							JemallocNative.flushThreadCache();
							flushed.incrementAndGet();
						}
					}
					finally {
						done.countDown();
					}
				});
			}
			catch (RejectedExecutionException ex) {
				// The event loop is shutting down: its thread frees its cache as it ends.
				done.countDown();
			}
		}
		done.await(timeoutNanos, TimeUnit.NANOSECONDS);
		return flushed.get();
	}

	/**
	 * Returns every lease nobody uses to the shared total, as at the cap: the next
	 * allocation past what its thread holds takes a new lease, which tells
	 * {@link QuietPurge} that a load starts again.
	 */
	void revokeUnusedLeases() {
		this.revoking.lock();
		try {
			revokeIdleLeases(System.nanoTime() + AT_CAP_DEADLINE_NANOS);
		}
		finally {
			this.revoking.unlock();
		}
	}

	/** Allocations refused because they did not fit under the cap. */
	long refusals() {
		return this.refusals.get();
	}

	/**
	 * Times a refusal was not made because the room was only in transit (see
	 * {@link #grantAtCap}).
	 */
	long waitsAtCap() {
		return this.waits.get();
	}

	/** Event-loop threads with a slot (including ended ones not swept yet). */
	int slotCount() {
		return this.slotCount.get();
	}

	// ---------------------------------------------------------------- stripes

	private Stripe stripe() {
		// Thread ids are sequential: a multiplicative hash spreads neighbours over the
		// stripes.
		@SuppressWarnings("deprecation") // Thread.threadId() is JDK 19+
		long id = Thread.currentThread().getId();
		return this.stripes[(int) ((id * 0x9E3779B97F4A7C15L) >>> 40) & (this.stripes.length - 1)];
	}

	private boolean tryReserveShared(long size) {
		Stripe stripe = stripe();
		// A sign of activity for QuietPurge, not a count: concurrent increments may be
		// lost.
		STRIPE_RESERVES.setOpaque(stripe, stripe.reserves + 1);
		for (long avail = (long) AVAIL.getVolatile(stripe); avail >= size;) {
			long witness = (long) AVAIL.compareAndExchange(stripe, avail, avail - size);
			if (witness == avail) {
				STRIPE_USED.getAndAdd(stripe, size);
				return true;
			}
			avail = witness;
		}
		long grant = grant(size);
		if (grant < 0) {
			return false;
		}
		STRIPE_USED.getAndAdd(stripe, size);
		if (grant > size) {
			giveBackSurplus(stripe, (long) AVAIL.getAndAdd(stripe, grant - size) + grant - size);
		}
		QuietPurge.leaseTaken(this);
		return true;
	}

	private void releaseShared(long size) {
		Stripe stripe = stripe();
		STRIPE_USED.getAndAdd(stripe, -size);
		giveBackSurplus(stripe, (long) AVAIL.getAndAdd(stripe, size) + size);
	}

	private void giveBackSurplus(Stripe stripe, long avail) {
		if (avail > 2 * this.chunk && AVAIL.compareAndSet(stripe, avail, this.chunk)) {
			this.leased.addAndGet(-(avail - this.chunk));
			QuietPurge.volumeFreed(this);
		}
	}

	// ---------------------------------------------------------------- leases

	/**
	 * Adds to the caller's own lease (its lock held) what it needs, plus a chunk if there
	 * is room.
	 */
	private boolean acquire(Slot slot, long need) {
		long grant = grant(need);
		if (grant < 0) {
			return false;
		}
		slot.lease += grant;
		return true;
	}

	/**
	 * Takes {@code need + chunk} bytes from the shared total, or only {@code need} when
	 * the chunk does not fit; -1 when even {@code need} does not fit: the bytes live
	 * buffers hold, plus the allocations in flight, plus {@code need} exceed the cap
	 * ({@link #grantAtCap}).
	 */
	private long grant(long need) {
		long grant = tryGrant(need, this.max, true);
		return (grant >= 0) ? grant : grantAtCap(need, this.max, true);
	}

	/**
	 * A request larger than {@link #SMALL} with a reserve: exactly its bytes, under
	 * {@code max - reserve}.
	 */
	private boolean tryReserveLarge(long size) {
		long limit = this.max - this.reserve;
		if (tryGrant(size, limit, false) < 0 && grantAtCap(size, limit, false) < 0) {
			return false;
		}
		this.largeUsed.addAndGet(size);
		QuietPurge.leaseTaken(this);
		return true;
	}

	/**
	 * {@code need + chunk} (with {@code surplus}) or {@code need} from the shared total
	 * as it is now, keeping it at most {@code limit}; -1 when there is no room.
	 */
	private long tryGrant(long need, long limit, boolean surplus) {
		for (;;) {
			long current = this.leased.get();
			long room = limit - current;
			long grant = surplus ? need + this.chunk : need;
			if (grant > room || grant < 0) {
				grant = need;
			}
			if (grant > room) {
				return -1;
			}
			if (this.leased.compareAndSet(current, current + grant)) {
				return grant;
			}
		}
	}

	/**
	 * The cap's slow path, one thread at a time: revokes every unused lease and tries
	 * again, until the request fits or the bytes held prove that it cannot. The shared
	 * total can be short of room that nobody holds for a few instructions (a grant on its
	 * way into a stripe, a release on its way out of one, a lease being revoked by
	 * another thread, an event loop counting this instant); waiting them out, instead of
	 * refusing, is what makes a refusal mean "live buffers + allocations in flight + this
	 * request > cap". A refusal is decided by {@link #used()} plus the leases of event
	 * loops that are themselves waiting here, never by a lease that is only in transit.
	 * {@link #AT_CAP_DEADLINE_NANOS} bounds the wait (a guard: the transits are a few
	 * instructions).
	 */
	private long grantAtCap(long need, long limit, boolean surplus) {
		this.revoking.lock();
		try {
			long deadline = System.nanoTime() + AT_CAP_DEADLINE_NANOS;
			for (int round = 0;; round++) {
				long pending = revokeIdleLeases(deadline);
				long grant = tryGrant(need, limit, surplus);
				if (grant >= 0) {
					return grant;
				}
				if (used() + pending + need > limit || System.nanoTime() - deadline > 0) {
					this.refusals.incrementAndGet();
					return -1;
				}
				this.waits.incrementAndGet();
				if (round < 16) {
					Thread.onSpinWait();
				}
				else {
					Thread.yield();
				}
			}
		}
		finally {
			this.revoking.unlock();
		}
	}

	/**
	 * Returns to the shared total every lease nobody uses: each stripe's {@code avail},
	 * and each slot's {@code lease - used}, under the slot's lock. A slot whose owner is
	 * counting this instant is waited for (it holds its lock for a few instructions and
	 * never waits while holding it) up to {@code deadline}, and so is one whose owner is
	 * taking from the shared total ({@link #ACQUIRING}) without waiting (its grant may
	 * have landed, a chunk more than it needs); a slot whose owner waits for
	 * {@link #revoking} in {@link #grantAtCap} (or is the caller) is left alone, and its
	 * unused lease, less than that allocation needs, is returned as pending: it is about
	 * to be used by it. Folds the slots of threads that have ended. Called with
	 * {@link #revoking} held.
	 */
	private long revokeIdleLeases(long deadline) {
		for (Stripe stripe : this.stripes) {
			long avail = (long) AVAIL.getAndSet(stripe, 0L);
			if (avail != 0) {
				this.leased.addAndGet(-avail);
			}
		}
		long pending = 0;
		for (Slot slot : this.slots) {
			Thread owner = slot.owner.get();
			if (owner == null || !owner.isAlive()) {
				fold(slot);
				continue;
			}
			for (int spins = 0;; spins++) {
				if (LOCK.compareAndSet(slot, 0, 1)) {
					long used = (long) USED.getVolatile(slot);
					long unused = slot.lease - used;
					if (unused > 0) {
						slot.lease = used;
						this.leased.addAndGet(-unused);
					}
					LOCK.setRelease(slot, 0);
					break;
				}
				if ((int) LOCK.getVolatile(slot) == ACQUIRING
						&& (owner == Thread.currentThread() || this.revoking.hasQueuedThread(owner))) {
					// Waiting here for the slow path (or the caller itself): its lease
					// stays as it is until then, short of what that allocation needs.
					// An owner that is ACQUIRING but not waiting is in transit (its grant
					// may have landed with a surplus chunk, which counting as pending
					// would make look taken): waited for like a count.
					pending += Math.max(0, slot.lease - (long) USED.getOpaque(slot));
					break;
				}
				if (System.nanoTime() - deadline > 0) {
					break;
				}
				if (spins < 64) {
					Thread.onSpinWait();
				}
				else {
					Thread.yield();
				}
			}
		}
		return pending;
	}

	private Slot register() {
		boolean cache = this.threadCaches && SizeClasses.enabled();
		Slot slot = new Slot(Thread.currentThread(), cache, ThreadExecutorMap.currentExecutor());
		this.slots.add(slot);
		int count = this.slotCount.incrementAndGet();
		if (count > this.sweepThreshold) {
			sweepDeadSlots();
			this.sweepThreshold = Math.max(64, 2 * this.slotCount.get());
		}
		return slot;
	}

	/** Folds the slots whose owner thread has ended. */
	private void sweepDeadSlots() {
		for (Slot slot : this.slots) {
			Thread owner = slot.owner.get();
			if (owner == null || !owner.isAlive()) {
				fold(slot);
			}
		}
	}

	/**
	 * Moves a slot's {@code used} into {@link #retiredUsed}, returns its unused lease,
	 * frees its cached blocks and forgets it. Owner must be done (it is the caller, in
	 * {@link FastThreadLocal#onRemoval}, or has ended).
	 */
	private void fold(Slot slot) {
		while (!LOCK.compareAndSet(slot, 0, 1)) {
			// A revoker holds it for a few instructions.
			Thread.onSpinWait();
		}
		try {
			if (slot.folded || !this.slots.remove(slot)) {
				return;
			}
			slot.folded = true;
			freeCached(slot);
			this.slotCount.decrementAndGet();
			long used = slot.used;
			// A concurrent used() may miss these bytes for an instant (removed from the
			// set, not yet retired).
			this.retiredUsed.addAndGet(used);
			this.retiredReserves.addAndGet(slot.reserves);
			this.leased.addAndGet(-(slot.lease - used));
			slot.lease = used;
		}
		finally {
			LOCK.setRelease(slot, 0);
		}
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
				slot.views[base + n - 1] = null;
			}
			counts[SizeClasses.PAD + c] = 0;
		}
		CACHED.setOpaque(slot, 0L);
	}

	@Override
	public String toString() {
		return "DirectMemoryCounter(used: " + used() + ", cached: " + cached() + ", max: " + this.max + ", reserve: "
				+ this.reserve + ", leased: " + this.leased.get() + ", chunk: " + this.chunk + ", event-loop threads: "
				+ this.slotCount.get() + ", stripes: " + this.stripes.length + ")";
	}

	/**
	 * 128 bytes of padding: keeps the fields that follow off the cache lines of whatever
	 * the GC copies in front.
	 */
	abstract static class PadBefore {

		long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;

	}

	/** The counters of a {@link Slot}, between two 128-byte pads. */
	abstract static class SlotFields extends PadBefore {

		/**
		 * Bytes reserved minus bytes released by the owner; read by others with opaque
		 * reads.
		 */
		long used;

		/**
		 * Share of the cap held by the owner; {@code used <= lease} always; changed only
		 * under {@link #lock}.
		 */
		long lease;

		/**
		 * Guards {@link #lease}: 0 free; 1 while the owner counts (a few instructions,
		 * never waiting) or another thread revokes or folds;
		 * {@link DirectMemoryCounter#ACQUIRING} while the owner takes from the shared
		 * total.
		 */
		int lock;

		/**
		 * Reservations by the owner (wrapping); read by others with opaque reads, as a
		 * sign of activity.
		 */
		long reserves;

		/** Set (under {@link #lock}) once folded: the slot is no longer counted. */
		boolean folded;

		/**
		 * Bytes of the free blocks in this thread's cache; read by others with opaque
		 * reads.
		 */
		long cached;

		/**
		 * The cached free blocks: per class, a stack in its region
		 * ({@link SizeClasses#base}); or null.
		 */
		final long[] blocks;

		/**
		 * Per block of {@link #blocks}, the view a buffer made of it
		 * ({@code ByteBuffer}), or null.
		 */
		final Object[] views;

		/**
		 * Per class (after {@link SizeClasses#PAD} unused slots), the number of blocks in
		 * the stack.
		 */
		final int[] counts;

		SlotFields(boolean cache) {
			this.blocks = cache ? new long[SizeClasses.blocksLength()] : null;
			this.views = cache ? new Object[SizeClasses.blocksLength()] : null;
			this.counts = cache ? new int[SizeClasses.PAD + SizeClasses.count() + SizeClasses.PAD] : null;
		}

	}

	/**
	 * One event-loop thread's counters; written by its owner thread on every allocation
	 * and release. Padded on both sides: slots of different threads start in different
	 * TLABs, but a garbage collection copies the objects reachable from {@link #slots}
	 * next to each other, and two threads writing one cache line on every allocation
	 * would cost more than the allocation itself.
	 */
	static final class Slot extends SlotFields {

		long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;

		final WeakReference<Thread> owner;

		/**
		 * The event loop the owner runs (Netty's {@code ThreadExecutorMap} when the slot
		 * was made), to run a task on the owner's thread; or null.
		 */
		final Executor executor;

		Slot(Thread owner, boolean cache) {
			this(owner, cache, null);
		}

		Slot(Thread owner, boolean cache, Executor executor) {
			super(cache);
			this.owner = new WeakReference<>(owner);
			this.executor = executor;
		}

	}

	/** The counters of a {@link Stripe}. */
	abstract static class StripeFields extends PadBefore {

		/** Unused lease held by this stripe; compare-and-set only, never negative. */
		long avail;

		/** Bytes reserved minus bytes released through this stripe; atomic adds. */
		long used;

		/**
		 * Reservations through this stripe, about (increments of threads racing on it may
		 * be lost): a sign of activity for {@link QuietPurge}.
		 */
		long reserves;

	}

	/**
	 * A counter shared by the threads without a slot whose ids hash to it; padded like
	 * {@link Slot}.
	 */
	static final class Stripe extends StripeFields {

		long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;

	}

}
