package dev.catzilla.allocator;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;

/**
 * A Netty {@link io.netty.buffer.ByteBufAllocator} whose direct (and I/O) buffers come from Catzilla's private
 * jemalloc; heap buffers stay on the Java heap.
 * <p>
 * CONTRACT: signatures fixed; bodies are written by the allocator work (issue 2).
 */
public final class JemallocByteBufAllocator extends AbstractByteBufAllocator implements ByteBufAllocatorMetricProvider {

	/** The shared instance: prefers direct buffers, capped at the JVM's max direct memory. */
	public static final JemallocByteBufAllocator DEFAULT = builder().build();

	private JemallocByteBufAllocator(Builder builder) {
		super(builder.preferDirect);
	}

	public static Builder builder() {
		return new Builder();
	}

	/** Bytes of native memory currently held by this allocator's live direct buffers. */
	public long usedDirectMemory() {
		throw new UnsupportedOperationException("contract");
	}

	/** The cap on {@link #usedDirectMemory()}; beyond it allocation throws an {@link OutOfMemoryError}. */
	public long maxDirectMemory() {
		throw new UnsupportedOperationException("contract");
	}

	@Override
	public ByteBufAllocatorMetric metric() {
		throw new UnsupportedOperationException("contract");
	}

	@Override
	public boolean isDirectBufferPooled() {
		throw new UnsupportedOperationException("contract");
	}

	@Override
	protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
		throw new UnsupportedOperationException("contract");
	}

	@Override
	protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
		throw new UnsupportedOperationException("contract");
	}

	/** Builds a {@link JemallocByteBufAllocator}. */
	public static final class Builder {

		private boolean preferDirect = true;

		private long maxDirectMemory = -1;

		private Builder() {
		}

		/** Whether {@code buffer()} returns direct buffers (default {@code true}). */
		public Builder preferDirect(boolean preferDirect) {
			this.preferDirect = preferDirect;
			return this;
		}

		/** Cap on native memory held by live buffers, in bytes; default the JVM's max direct memory. */
		public Builder maxDirectMemory(long maxDirectMemory) {
			this.maxDirectMemory = maxDirectMemory;
			return this;
		}

		public JemallocByteBufAllocator build() {
			return new JemallocByteBufAllocator(this);
		}

	}

}
