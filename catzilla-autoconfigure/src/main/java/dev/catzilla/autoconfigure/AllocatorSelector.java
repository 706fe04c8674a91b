package dev.catzilla.autoconfigure;

import io.netty.buffer.ByteBufAllocator;

/**
 * Turns {@code catzilla.*} properties into the one {@link CatzillaAllocator} outcome. In
 * {@code malloc} mode this never touches a class that could load native code
 * ({@code Jemalloc} lives behind {@link JemallocSupport}).
 */
final class AllocatorSelector {

	static final String MALLOC_REASON = "catzilla.allocator=malloc: Netty's default allocator, Catzilla's native library not loaded";

	private AllocatorSelector() {
	}

	static CatzillaAllocator select(CatzillaProperties properties) {
		// An empty catzilla.allocator binds to null: that is the default, auto.
		AllocatorMode mode = (properties.getAllocator() != null) ? properties.getAllocator() : AllocatorMode.AUTO;
		if (mode == AllocatorMode.MALLOC) {
			return new CatzillaAllocator(AllocatorMode.MALLOC, ActiveAllocator.NETTY, ByteBufAllocator.DEFAULT,
					MALLOC_REASON, null);
		}
		return JemallocSupport.select(mode, properties.getJemalloc(), properties.getProfile());
	}

}
