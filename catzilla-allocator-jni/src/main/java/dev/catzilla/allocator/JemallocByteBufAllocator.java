package dev.catzilla.allocator;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;

/**
 * A Netty {@link io.netty.buffer.ByteBufAllocator} whose direct (and I/O) buffers come
 * from Catzilla's private jemalloc; heap buffers stay on the Java heap.
 * <p>
 * Each direct buffer is one jemalloc allocation ({@code mallocx}; jemalloc's thread
 * caches and arenas do the pooling) and one Java object; its final {@code release()}
 * frees it with {@code sdallocx}, on whichever thread. Buffers are tracked by Netty's
 * {@link io.netty.util.ResourceLeakDetector} like Netty's own. Growth uses
 * {@code xallocx} (in place) and then {@code rallocx}.
 * <p>
 * Netty event-loop threads (threads that clean up their {@code FastThreadLocal}s) also
 * keep a few freed blocks of up to 64 KiB (jemalloc's {@code tcache_max}) per jemalloc
 * size class and reuse them without a JNI call, which would cost more than jemalloc's own
 * work: 16 KiB but at least one and at most 64 blocks per class, about 760 KiB per thread
 * at worst, freed when the event loop ends ({@link #cachedDirectMemory()};
 * {@link Builder#threadCaches(boolean)} turns this off).
 * <p>
 * The native bytes held by live direct buffers ({@link #usedDirectMemory()}: the
 * capacities asked of jemalloc, at least 1 byte per buffer, before jemalloc's size-class
 * rounding) are capped by {@link #maxDirectMemory()}; an allocation beyond it throws
 * {@link JemallocCapExceededException} with the numbers (a {@link RuntimeException}: the
 * budget was reached, not the JVM's memory), logged boundedly ({@link CapRefusalLog}: the
 * first refusal with its stack trace, then one summary line per ten seconds at most). The
 * cap is never exceeded, and an allocation is refused only when the live buffers' bytes,
 * the allocations in flight and the request exceed it: shares of the cap leased to
 * threads and not in use are revoked before refusing (see {@link DirectMemoryCounter}).
 * When jemalloc itself has no memory, the allocator throws Netty's
 * {@code OutOfDirectMemoryError} (or {@link JemallocOutOfMemoryError} where that cannot
 * be created).
 * <p>
 * Constructing an allocator never loads or initialises jemalloc; the first direct
 * allocation does, and throws {@link UnsatisfiedLinkError} when the native library is
 * unavailable (see {@link Jemalloc}).
 */
public final class JemallocByteBufAllocator extends AbstractByteBufAllocator implements ByteBufAllocatorMetricProvider {

	/**
	 * The shared instance: prefers direct buffers, capped at the JVM's max direct memory.
	 */
	public static final JemallocByteBufAllocator DEFAULT = builder().build();

	private final boolean preferDirect;

	private final DirectMemoryCounter direct;

	private final CapRefusalLog refusalLog = new CapRefusalLog();

	private final LongAdder heap = new LongAdder();

	private final ByteBufAllocatorMetric metric = new Metric();

	private final AllocationProfiler profiler;

	/**
	 * Whether threads without an event-loop slot use a {@link HandOffCache}: with thread
	 * caches on, until the first look finds the process without one
	 * ({@link HandOffCache#ENABLED}). Plain field: a stale {@code true} only costs one
	 * more look.
	 */
	private boolean handOff;

	/**
	 * This allocator's hand-off cache, made on first use by such a thread (after
	 * jemalloc's initialisation).
	 */
	private volatile HandOffCache handOffCache;

	/**
	 * {@link #profiler} when it samples, else {@code null}: the hot path's only cost with
	 * sampling off.
	 */
	private final AllocationProfiler sampler;

	/**
	 * This allocator's number in JFR's statistics events ({@link FlightRecorderEvents}).
	 */
	long jfrId;

	private JemallocByteBufAllocator(Builder builder) {
		super(builder.preferDirect);
		this.preferDirect = builder.preferDirect;
		long max = (builder.maxDirectMemory > 0) ? builder.maxDirectMemory : PlatformDependent.maxDirectMemory();
		if (builder.capReserve >= max) {
			throw new IllegalArgumentException(
					"capReserve (" + builder.capReserve + ") must be less than maxDirectMemory (" + max + ")");
		}
		this.direct = new DirectMemoryCounter(max, builder.capReserve, builder.threadCaches);
		this.handOff = builder.threadCaches;
		this.profiler = new AllocationProfiler(builder.profiling);
		this.sampler = this.profiler.enabled() ? this.profiler : null;
		FlightRecorderEvents.track(this);
	}

	public static Builder builder() {
		return new Builder();
	}

	/** Bytes of native memory currently held by this allocator's live direct buffers. */
	public long usedDirectMemory() {
		return this.direct.used();
	}

	/**
	 * Bytes of free jemalloc blocks kept for reuse in event-loop threads' caches and in
	 * the hand-off cache of the other threads ({@link HandOffCache}, emptied by the quiet
	 * purge): allocated in jemalloc, held by no buffer, not part of
	 * {@link #usedDirectMemory()}.
	 */
	public long cachedDirectMemory() {
		HandOffCache handOff = this.handOffCache;
		return this.direct.cached() + ((handOff != null) ? handOff.cached() : 0);
	}

	/**
	 * The cap on {@link #usedDirectMemory()}; beyond it allocation throws
	 * {@link JemallocCapExceededException}.
	 */
	public long maxDirectMemory() {
		return this.direct.max();
	}

	/**
	 * The sampled profile of this allocator's live direct buffers (empty when sampling is
	 * off).
	 */
	public AllocationProfiler profiler() {
		return this.profiler;
	}

	/** The profiler when it samples, else {@code null}. */
	AllocationProfiler sampler() {
		return this.sampler;
	}

	DirectMemoryCounter directMemoryCounter() {
		return this.direct;
	}

	/** Bytes of Java heap held by this allocator's live heap buffers. */
	long usedHeapMemory() {
		return this.heap.sum();
	}

	@Override
	public ByteBufAllocatorMetric metric() {
		return this.metric;
	}

	/**
	 * {@code true}: jemalloc's thread caches and arenas pool the memory, so a direct
	 * buffer is cheap to allocate (Netty's transports then allocate a direct buffer
	 * instead of copying through a thread-local one).
	 */
	@Override
	public boolean isDirectBufferPooled() {
		return true;
	}

	/**
	 * Always a direct buffer from jemalloc (also where Netty cannot use {@code Unsafe},
	 * e.g. JDK 25).
	 */
	@Override
	public ByteBuf ioBuffer() {
		return directBuffer();
	}

	/** Always a direct buffer from jemalloc. */
	@Override
	public ByteBuf ioBuffer(int initialCapacity) {
		return directBuffer(initialCapacity);
	}

	/** Always a direct buffer from jemalloc. */
	@Override
	public ByteBuf ioBuffer(int initialCapacity, int maxCapacity) {
		return directBuffer(initialCapacity, maxCapacity);
	}

	@Override
	protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
		return PlatformDependent.hasUnsafe() ? new InstrumentedUnsafeHeapByteBuf(this, initialCapacity, maxCapacity)
				: new InstrumentedHeapByteBuf(this, initialCapacity, maxCapacity);
	}

	@Override
	protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
		return toLeakAwareBuffer(newJemallocBuffer(initialCapacity, maxCapacity));
	}

	/**
	 * A new buffer as {@link #newDirectBuffer(int, int)} makes it, before Netty's leak
	 * detector wraps it.
	 */
	JemallocByteBuf newJemallocBuffer(int initialCapacity, int maxCapacity) {
		// The hot path: cold branches live in their own methods so this one stays small
		// enough to inline.
		if (!Jemalloc.isInitialized()) {
			// once, with the configured options; throws UnsatisfiedLinkError if
			// unavailable
			Jemalloc.initialize();
		}
		// jemalloc's mallocx(0) is undefined: a zero-capacity buffer holds one byte.
		int size = Math.max(1, initialCapacity);
		DirectMemoryCounter.Slot slot = this.direct.slot();
		if (!this.direct.tryReserve(slot, size)) {
			throw overCap(size);
		}
		byte home = HandOffCache.NO_HOME;
		HandOffCache handOff = null;
		if (this.direct.isShared(slot)) {
			// Not an event loop: the hand-off cache, where releases on any other plain
			// thread put blocks back.
			handOff = handOffCache();
			if (handOff != null) {
				home = HandOffCache.home();
			}
		}
		JemallocByteBuf buf = new JemallocByteBuf(this, size, initialCapacity, maxCapacity, home);
		boolean reused = (handOff != null) ? handOff.take(home, size, buf) : this.direct.takeCached(slot, size, buf);
		if (!reused) {
			long address = JemallocNative.allocate(size);
			if (address == 0) {
				throw nativeAllocationFailedAndUnreserve(slot, size);
			}
			buf.memory(address, null);
		}
		AllocationProfiler sampler = this.sampler;
		if (sampler != null) {
			Object event = sampler.allocated(buf, initialCapacity, size);
			if (event != null) {
				// Committed here, on the allocating thread: JFR's stack trace then starts
				// at this frame.
				((jdk.jfr.Event) event).commit();
			}
		}
		return buf;
	}

	/**
	 * {@link #handOffCache}, made on first use; {@code null} when this allocator or the
	 * process does not use one.
	 */
	private HandOffCache handOffCache() {
		HandOffCache cache = this.handOffCache;
		return (cache != null || !this.handOff) ? cache : newHandOffCache();
	}

	private synchronized HandOffCache newHandOffCache() {
		if (this.handOffCache == null) {
			if (HandOffCache.ENABLED) {
				this.handOffCache = new HandOffCache(this);
			}
			else {
				this.handOff = false;
			}
		}
		return this.handOffCache;
	}

	private OutOfMemoryError nativeAllocationFailedAndUnreserve(DirectMemoryCounter.Slot slot, long size) {
		this.direct.release(slot, size);
		return nativeAllocationFailed(size, this.direct.used());
	}

	/**
	 * Frees a buffer's memory, last requested with {@code size} bytes: into the calling
	 * event loop's cache, or (on other threads) into the hand-off cache of the buffer's
	 * {@code home} stripe, with the buffer's {@code view} (or {@code null}) for the next
	 * buffer of the block; or to jemalloc.
	 */
	void free(long address, long size, byte home, ByteBuffer view) {
		DirectMemoryCounter.Slot slot = this.direct.slot();
		this.direct.release(slot, size);
		boolean kept;
		if (this.direct.isShared(slot)) {
			// home is set only when the cache exists (the buffer came from it)
			kept = home >= 0 && this.handOffCache.offer(home, address, size, view);
		}
		else {
			kept = this.direct.offerCached(slot, address, size, view);
		}
		if (!kept) {
			JemallocNative.free(address, SizeClasses.freeSize(size));
			if (size > QuietPurge.LARGE) {
				QuietPurge.largeFreed(this.direct, size);
			}
		}
	}

	/**
	 * Counts the {@code size} bytes a growing buffer is about to add, or throws when they
	 * do not fit under the cap.
	 */
	void reserveDirect(long size) {
		if (!this.direct.tryReserve(size)) {
			throw overCap(size);
		}
	}

	private JemallocCapExceededException overCap(long size) {
		// Nothing of the request is counted: used is what live buffers hold.
		JemallocCapExceededException refusal = new JemallocCapExceededException(size, this.direct.used(),
				this.direct.max());
		this.refusalLog.refused(refusal);
		return refusal;
	}

	/**
	 * Bytes at the top of the cap kept for requests of at most 16 KiB
	 * ({@link Builder#capReserve(long)}).
	 */
	public long capReserve() {
		return this.direct.reserve();
	}

	/** Allocations and growths refused at the cap since this allocator was made. */
	public long refusedAllocations() {
		return this.refusalLog.refusals();
	}

	/** Bytes the refused allocations and growths asked for, in total. */
	public long refusedBytes() {
		return this.refusalLog.refusedBytes();
	}

	/** Uncounts bytes of a growth that failed, or that shrinking gave back. */
	void releaseDirect(long size) {
		this.direct.release(size);
	}

	/**
	 * The error for a growth to {@code size} bytes that jemalloc refused; the caller has
	 * uncounted the growth's bytes already, so {@code used} is what live buffers hold.
	 */
	OutOfMemoryError nativeAllocationFailed(long size) {
		return nativeAllocationFailed(size, this.direct.used());
	}

	private OutOfMemoryError nativeAllocationFailed(long size, long used) {
		return OutOfMemoryErrors.outOfDirectMemory(
				"failed to allocate " + size + " byte(s) of direct memory: jemalloc has no memory to give (used: "
						+ used + ", max: " + this.direct.max() + ")");
	}

	void heapAllocated(int bytes) {
		this.heap.add(bytes);
	}

	void heapFreed(int bytes) {
		this.heap.add(-bytes);
	}

	@Override
	public String toString() {
		return "JemallocByteBufAllocator(directByDefault: " + this.preferDirect + ", usedDirectMemory: "
				+ usedDirectMemory() + ", cachedDirectMemory: " + cachedDirectMemory() + ", maxDirectMemory: "
				+ maxDirectMemory() + ", usedHeapMemory: " + usedHeapMemory() + ")";
	}

	private final class Metric implements ByteBufAllocatorMetric {

		@Override
		public long usedHeapMemory() {
			return JemallocByteBufAllocator.this.usedHeapMemory();
		}

		@Override
		public long usedDirectMemory() {
			return JemallocByteBufAllocator.this.usedDirectMemory();
		}

		@Override
		public String toString() {
			return "JemallocByteBufAllocatorMetric(usedDirectMemory: " + usedDirectMemory() + ", usedHeapMemory: "
					+ usedHeapMemory() + ")";
		}

	}

	/** Builds a {@link JemallocByteBufAllocator}. */
	public static final class Builder {

		private boolean preferDirect = true;

		private long maxDirectMemory = -1;

		private boolean threadCaches = true;

		private long capReserve;

		private ProfilingOptions profiling = ProfilingOptions.defaults();

		private Builder() {
		}

		/**
		 * Bytes at the top of the cap kept for requests of at most 16 KiB (read buffers,
		 * encoded headers, small error answers), so that a service at its cap keeps
		 * reading requests and answering the ones it must refuse: larger requests are
		 * refused once the live buffers plus the request would exceed
		 * {@code maxDirectMemory - capReserve}. Default 0 (every request may take the
		 * whole cap).
		 * @throws IllegalArgumentException if negative
		 */
		public Builder capReserve(long capReserve) {
			if (capReserve < 0) {
				throw new IllegalArgumentException("capReserve must not be negative, but was " + capReserve);
			}
			this.capReserve = capReserve;
			return this;
		}

		/** Whether {@code buffer()} returns direct buffers (default {@code true}). */
		public Builder preferDirect(boolean preferDirect) {
			this.preferDirect = preferDirect;
			return this;
		}

		/**
		 * Cap on native memory held by live buffers, in bytes (positive); default the
		 * JVM's max direct memory.
		 * @throws IllegalArgumentException if not positive
		 */
		public Builder maxDirectMemory(long maxDirectMemory) {
			if (maxDirectMemory <= 0) {
				throw new IllegalArgumentException("maxDirectMemory must be positive, but was " + maxDirectMemory);
			}
			this.maxDirectMemory = maxDirectMemory;
			return this;
		}

		/**
		 * Whether Netty event-loop threads keep a few freed blocks of up to 64 KiB for
		 * reuse without a JNI call (default {@code true}); {@code false} frees every
		 * block to jemalloc at once.
		 */
		public Builder threadCaches(boolean threadCaches) {
			this.threadCaches = threadCaches;
			return this;
		}

		/**
		 * How the allocator samples its direct buffers for its
		 * {@link AllocationProfiler}: default {@link ProfilingOptions#defaults()} (every
		 * 4 MiB allocated on average, as in Catzilla's Spring integration);
		 * {@link ProfilingOptions#off()} samples nothing and leaves the hot path one null
		 * check.
		 */
		public Builder profiling(ProfilingOptions profiling) {
			this.profiling = java.util.Objects.requireNonNull(profiling, "profiling");
			return this;
		}

		public JemallocByteBufAllocator build() {
			return new JemallocByteBufAllocator(this);
		}

	}

}
