package dev.catzilla.allocator;

import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;

/**
 * One sampled live buffer. A phantom reference to the buffer, so that a buffer the
 * garbage collector reclaims without a release is found on the profiler's queue (a leak);
 * the buffer points at its sample so that its release and resizes reach it without a
 * lookup. Dropped from the profiler when the buffer is released: no sample outlives its
 * buffer.
 */
final class AllocationSample extends PhantomReference<JemallocByteBuf> {

	final AllocationProfiler.Site site;

	final int requestedSize;

	final long usableSize;

	final long allocatedNanos;

	final long allocatedMillis;

	final String thread;

	/** Bytes the buffer holds now (kept current by growth and shrinking). */
	volatile long size;

	/**
	 * Bytes of this buffer exposed to the sampler so far (allocation plus growth): its
	 * weight's basis.
	 */
	volatile long charged;

	AllocationSample(JemallocByteBuf buf, ReferenceQueue<JemallocByteBuf> queue, AllocationProfiler.Site site,
			int requestedSize, long size, long usableSize, long charged) {
		super(buf, queue);
		this.site = site;
		this.requestedSize = requestedSize;
		this.size = size;
		this.usableSize = usableSize;
		this.charged = charged;
		this.allocatedNanos = System.nanoTime();
		this.allocatedMillis = System.currentTimeMillis();
		this.thread = Thread.currentThread().getName();
	}

	/** How many buffers like this one the sample stands for: 1 / (1 - e^(-Z/R)). */
	double weight(double meanInterval) {
		return AllocationProfiler.weight(this.charged, meanInterval);
	}

}
