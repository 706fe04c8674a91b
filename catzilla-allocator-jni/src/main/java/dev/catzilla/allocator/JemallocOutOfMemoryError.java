package dev.catzilla.allocator;

/**
 * Thrown by {@link JemallocByteBufAllocator} when a direct buffer cannot be allocated
 * (over the cap, or jemalloc has no memory to give) and Netty's own
 * {@code io.netty.util.internal.OutOfDirectMemoryError} cannot be created (its
 * constructor is not public: on the module path, where Netty's internal package is not
 * open, Catzilla falls back to this class). Catch {@link OutOfMemoryError} to handle
 * both.
 */
public final class JemallocOutOfMemoryError extends OutOfMemoryError {

	private static final long serialVersionUID = 1L;

	public JemallocOutOfMemoryError(String message) {
		super(message);
	}

}
