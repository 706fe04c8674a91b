package dev.catzilla.allocator;

import java.nio.ByteBuffer;

/**
 * The JNI entry points of {@code libcatzilla_jemalloc}. Bound with
 * {@code RegisterNatives} in {@code JNI_OnLoad}; every method needs the library loaded
 * (see {@link Jemalloc}). Sizes are bytes; addresses are raw pointers. Failures of
 * jemalloc calls that are not allocations come back as {@link IllegalStateException}s
 * thrown by the native side, never as a crash.
 */
final class JemallocNative {

	private JemallocNative() {
	}

	/**
	 * Hands jemalloc its option string ({@code malloc_conf} syntax) and initialises it.
	 * Must run before any other call except {@link #version()}; jemalloc reads its
	 * options only once.
	 */
	static native void initialize(String mallocConf);

	/**
	 * {@code mallocx(size, 0)}. Returns 0 when jemalloc has no memory to give, and for
	 * {@code size <= 0}. Call {@link Jemalloc#initialize()} before the first allocation
	 * (otherwise jemalloc initialises without Catzilla's options).
	 */
	static native long allocate(long size);

	/**
	 * {@code sdallocx(address, size, 0)}: frees what {@link #allocate} or
	 * {@link #reallocate} returned. {@code size} must lie between the size last requested
	 * for that address and its {@link #usableSize}; anything else is undefined behaviour
	 * in jemalloc. {@code size <= 0} uses {@code dallocx} (jemalloc looks the size up, a
	 * little slower); address 0 is ignored.
	 */
	static native void free(long address, long size);

	/**
	 * {@code rallocx(address, newSize, 0)}: returns the new address, or 0 if jemalloc
	 * could not resize (then the old allocation is untouched and still owned by the
	 * caller).
	 */
	static native long reallocate(long address, long newSize);

	/**
	 * {@code xallocx(address, size, 0, 0)}: resizes in place if it can; returns the
	 * usable size afterwards.
	 */
	static native long resizeInPlace(long address, long size);

	/** {@code sallocx(address, 0)}: the usable size of an allocation. */
	static native long usableSize(long address);

	/**
	 * A {@link ByteBuffer} view ({@code NewDirectByteBuffer}) of {@code capacity} bytes
	 * at {@code address}.
	 */
	static native ByteBuffer directBuffer(long address, long capacity);

	/**
	 * jemalloc's version string, e.g. {@code 5.3.0-0-g54eaed1d8b...}; does not initialise
	 * jemalloc.
	 */
	static native String version();

	/**
	 * Reads jemalloc statistics by name: refreshes the {@code epoch} first when
	 * {@code refresh} is true, then reads the mallctl {@code names[i]} as the C type
	 * {@code types[i]} ({@link JemallocStatistic.CType#code()}) into {@code values[i]}.
	 * The native side knows no statistic; the names come from {@link JemallocStatistic}.
	 * A failed mallctl (e.g. an unknown name, {@code ENOENT}, or a wrong type,
	 * {@code EINVAL}) throws {@link IllegalStateException} naming it; arrays of different
	 * lengths or an unknown type code throw {@link IllegalArgumentException}.
	 */
	static native void statistics(boolean refresh, String[] names, int[] types, long[] values);

	/**
	 * Flushes the calling thread's jemalloc cache ({@code thread.tcache.flush}), then
	 * purges unused dirty and muzzy pages of every arena ({@code arena.<ALL>.purge}).
	 */
	static native void purge();

	/**
	 * Flushes the calling thread's jemalloc cache ({@code thread.tcache.flush}) into its
	 * arena, without purging.
	 */
	static native void flushThreadCache();

	/**
	 * The effective {@code opt.*} values jemalloc runs with, as alternating name/value
	 * pairs (e.g. {@code "background_thread", "true"}). The native side reads a fixed
	 * table of options, each with its own C type.
	 */
	static native String[] options();

	/**
	 * The sizes of jemalloc's size classes up to {@code maxSize}, ascending: small
	 * ({@code arenas.bin.<i>.size}), then large ({@code arenas.lextent.<i>.size}). With
	 * cache-oblivious placement off (as Catzilla builds jemalloc), the usable size of an
	 * allocation is the smallest of these that fits.
	 */
	static native long[] sizeClasses(long maxSize);

}
