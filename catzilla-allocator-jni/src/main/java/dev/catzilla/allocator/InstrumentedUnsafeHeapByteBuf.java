package dev.catzilla.allocator;

import io.netty.buffer.UnpooledUnsafeHeapByteBuf;

/**
 * A heap buffer accessed through Netty's {@code Unsafe} (when Netty may use it) whose
 * arrays are counted in {@link JemallocByteBufAllocator#metric()}.
 */
final class InstrumentedUnsafeHeapByteBuf extends UnpooledUnsafeHeapByteBuf {

	InstrumentedUnsafeHeapByteBuf(JemallocByteBufAllocator alloc, int initialCapacity, int maxCapacity) {
		super(alloc, initialCapacity, maxCapacity);
	}

	@Override
	protected byte[] allocateArray(int initialCapacity) {
		byte[] array = super.allocateArray(initialCapacity);
		((JemallocByteBufAllocator) alloc()).heapAllocated(array.length);
		return array;
	}

	@Override
	protected void freeArray(byte[] array) {
		int length = array.length;
		super.freeArray(array);
		((JemallocByteBufAllocator) alloc()).heapFreed(length);
	}

}
