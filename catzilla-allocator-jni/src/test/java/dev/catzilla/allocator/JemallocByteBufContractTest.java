package dev.catzilla.allocator;

import io.netty.buffer.AbstractByteBufTest;
import io.netty.buffer.ByteBuf;

/**
 * Netty's own ByteBuf contract suite ({@code AbstractByteBufTest} from
 * {@code netty-buffer}'s {@code tests} artifact, at the Netty version this module builds
 * with) against the allocator's direct buffer itself, as the allocator makes it before
 * Netty's leak detector wraps it.
 */
class JemallocByteBufContractTest extends AbstractByteBufTest {

	private static final JemallocByteBufAllocator ALLOCATOR = JemallocByteBufAllocator.builder().build();

	@Override
	protected ByteBuf newBuffer(int length, int maxCapacity) {
		return ALLOCATOR.newJemallocBuffer(length, maxCapacity);
	}

}
