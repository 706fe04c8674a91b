package dev.catzilla.allocator;

import io.netty.buffer.AbstractByteBufTest;
import io.netty.buffer.ByteBuf;

/**
 * Netty's own ByteBuf contract suite against the buffers applications get from the
 * allocator: with this module's tests at Netty's paranoid leak-detection level, every one
 * is wrapped by Netty's leak detector.
 */
class JemallocByteBufLeakAwareContractTest extends AbstractByteBufTest {

	private static final JemallocByteBufAllocator ALLOCATOR = JemallocByteBufAllocator.builder().build();

	@Override
	protected ByteBuf newBuffer(int length, int maxCapacity) {
		return ALLOCATOR.directBuffer(length, maxCapacity);
	}

}
