package dev.catzilla.allocator;

/**
 * Benchmark-only bridge (benchmarks module, same package as the package-private
 * {@link JemallocNative}): the raw JNI {@code mallocx}/{@code sdallocx} pair, the floor
 * under any buffer built on it. Not part of Catzilla's API.
 */
public final class RawJemallocAccess {

	private RawJemallocAccess() {
	}

	/** Initialises jemalloc exactly as the allocator does before its first allocation. */
	public static void initialize() {
		Jemalloc.initialize();
	}

	public static long allocate(long size) {
		return JemallocNative.allocate(size);
	}

	public static void free(long address, long size) {
		JemallocNative.free(address, size);
	}

}
