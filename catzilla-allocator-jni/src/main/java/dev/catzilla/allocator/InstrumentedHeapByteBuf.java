package dev.catzilla.allocator;

import io.netty.buffer.UnpooledHeapByteBuf;

/**
 * A heap buffer on the Java heap whose arrays are counted in
 * {@link JemallocByteBufAllocator#metric()}.
 */
final class InstrumentedHeapByteBuf extends UnpooledHeapByteBuf {

	InstrumentedHeapByteBuf(JemallocByteBufAllocator alloc, int initialCapacity, int maxCapacity) {
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
