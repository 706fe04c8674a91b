package dev.catzilla.allocator;

import io.netty.buffer.ByteBuf;

/**
 * The part of {@link Diagnostics}' self-test that goes through Netty; a class of its own
 * so that the diagnostics run without Netty on the class path (e.g. {@code java -jar} on
 * the bare jar): it is only touched (and initialised, which creates its allocator) after
 * {@link Diagnostics} found Netty.
 */
final class DiagnosticsNettyCheck {

	private static final JemallocByteBufAllocator ALLOCATOR = JemallocByteBufAllocator.builder().build();

	private DiagnosticsNettyCheck() {
	}

	/**
	 * One direct buffer of {@code size} bytes: written at both ends, read back, released.
	 */
	static void exercise(int size, byte mark) {
		ByteBuf buf = ALLOCATOR.directBuffer(size);
		try {
			buf.writerIndex(size);
			buf.setByte(0, mark);
			buf.setByte(size - 1, mark);
			if (buf.capacity() < size || buf.getByte(0) != mark || buf.getByte(size - 1) != mark) {
				throw new IllegalStateException("a ByteBuf of " + size + " bytes did not keep its content");
			}
		}
		finally {
			buf.release();
		}
	}

	static long usedDirectMemory() {
		return ALLOCATOR.usedDirectMemory();
	}

}
