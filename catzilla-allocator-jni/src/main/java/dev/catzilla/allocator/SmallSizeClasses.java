package dev.catzilla.allocator;

import java.util.Arrays;

/**
 * jemalloc's small size classes up to {@link #MAX_CACHED}, as jemalloc itself reports them ({@code arenas.bin.*}),
 * and the layout of the per-thread block caches built on them (see {@link DirectMemoryCounter}). Read once, on first
 * use, which is always after jemalloc was initialised (the allocator initialises it before its first allocation).
 * <p>
 * For a small allocation jemalloc's usable size is its class size, so any request in a class may reuse any free
 * block of that class, and {@code sdallocx} may always be given the class size (it lies between every request of
 * the class and the usable size).
 */
final class SmallSizeClasses {

	/** The largest request a thread cache serves; larger ones always go to jemalloc. */
	static final int MAX_CACHED = 4096;

	/** Bytes of free blocks a thread may keep per class (at least {@link #MIN_BLOCKS}, at most {@link #MAX_BLOCKS}). */
	static final int BYTES_PER_CLASS = 16 * 1024;

	static final int MIN_BLOCKS = 4;

	static final int MAX_BLOCKS = 64;

	/** Unused slots before and after each thread's arrays, so two threads never write one cache line. */
	static final int PAD = 16;

	/** Class sizes, ascending, the last one {@link #MAX_CACHED}. */
	private static final int[] SIZES;

	/** {@code (size + 7) >>> 3} to class index, for sizes 1 to {@link #MAX_CACHED}. */
	private static final byte[] INDEX;

	/** Per class: the first slot of its region in a thread's block array. */
	private static final int[] BASE;

	/** Per class: how many free blocks a thread keeps at most. */
	private static final int[] LIMIT;

	/** Length of a thread's block array (regions of every class, padded). */
	private static final int BLOCKS_LENGTH;

	static {
		long[] all = JemallocNative.smallSizeClasses();
		int[] sizes = Arrays.stream(all).filter(size -> size <= MAX_CACHED).mapToInt(Math::toIntExact).toArray();
		if (sizes.length == 0 || sizes.length > Byte.MAX_VALUE || sizes[sizes.length - 1] != MAX_CACHED
				|| sizes[0] % 8 != 0) {
			throw new IllegalStateException("unexpected jemalloc small size classes " + Arrays.toString(all));
		}
		byte[] index = new byte[(MAX_CACHED >>> 3) + 1];
		int c = 0;
		for (int q = 0; q < index.length; q++) {
			while (sizes[c] < q << 3) {
				c++;
			}
			index[q] = (byte) c;
		}
		int[] base = new int[sizes.length];
		int[] limit = new int[sizes.length];
		int next = PAD;
		for (int i = 0; i < sizes.length; i++) {
			base[i] = next;
			limit[i] = Math.max(MIN_BLOCKS, Math.min(MAX_BLOCKS, BYTES_PER_CLASS / sizes[i]));
			next += limit[i];
		}
		SIZES = sizes;
		INDEX = index;
		BASE = base;
		LIMIT = limit;
		BLOCKS_LENGTH = next + PAD;
	}

	private SmallSizeClasses() {
	}

	/** Number of cached classes. */
	static int count() {
		return SIZES.length;
	}

	/** The class of a request of {@code size} bytes, {@code 1 <= size <= MAX_CACHED}. */
	static int index(long size) {
		return INDEX[(int) (size + 7) >>> 3];
	}

	/** The size of class {@code index}: jemalloc's usable size for every request in it. */
	static int size(int index) {
		return SIZES[index];
	}

	static int base(int index) {
		return BASE[index];
	}

	static int limit(int index) {
		return LIMIT[index];
	}

	static int blocksLength() {
		return BLOCKS_LENGTH;
	}

	/**
	 * The size to hand {@code sdallocx} for an allocation last requested with {@code size} bytes: the class size for
	 * cached classes (valid for every request of the class), the request itself above.
	 */
	static long freeSize(long size) {
		return (size <= MAX_CACHED) ? SIZES[index(size)] : size;
	}

}
