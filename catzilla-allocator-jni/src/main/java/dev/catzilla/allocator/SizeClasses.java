package dev.catzilla.allocator;

import java.util.Arrays;
import java.util.Map;

/**
 * jemalloc's size classes up to {@link #MAX_CACHED}, as jemalloc itself reports them
 * ({@code arenas.bin.*}, {@code arenas.lextent.*}), and the layout of the per-thread
 * block caches built on them (see {@link DirectMemoryCounter}). Read once, on first use,
 * which is always after jemalloc was initialised (the allocator initialises it before its
 * first allocation).
 * <p>
 * jemalloc's usable size of an allocation is its class size (Catzilla builds jemalloc
 * without cache-oblivious placement, so this holds for large classes too), so any request
 * in a class may reuse any free block of that class, and {@code sdallocx} may always be
 * given the class size: it lies between every request of the class and the usable size.
 */
final class SizeClasses {

	/** Upper bound of {@link #MAX_CACHED}. */
	static final int CACHE_LIMIT = 64 * 1024;

	/**
	 * The largest request a thread cache serves, larger ones always go to jemalloc:
	 * jemalloc's own thread-cache limit ({@code opt.tcache_max}, 64 KiB by Catzilla's
	 * default), at most {@link #CACHE_LIMIT}; 0 (no caching) when jemalloc's thread cache
	 * is off.
	 */
	static final int MAX_CACHED;

	/**
	 * Bytes of free blocks a thread may keep per class; at least one block, at most
	 * {@link #MAX_BLOCKS}.
	 */
	static final int BYTES_PER_CLASS = 16 * 1024;

	static final int MAX_BLOCKS = 64;

	/**
	 * Unused slots before and after each thread's arrays, so two threads never write one
	 * cache line.
	 */
	static final int PAD = 16;

	/** Class sizes, ascending, up to {@link #MAX_CACHED}. */
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
		int max = cacheableMax(Jemalloc.effectiveOptions());
		long[] all = (max > 0) ? JemallocNative.sizeClasses(max) : new long[0];
		int[] sizes = Arrays.stream(all).mapToInt(Math::toIntExact).toArray();
		if (sizes.length > Byte.MAX_VALUE || (sizes.length > 0 && sizes[0] % 8 != 0)) {
			throw new IllegalStateException("unexpected jemalloc size classes " + Arrays.toString(all));
		}
		// Serve only up to the largest class within the limit, so that every cached
		// request has a class.
		max = (sizes.length > 0) ? sizes[sizes.length - 1] : 0;
		byte[] index = new byte[(max >>> 3) + 1];
		int c = 0;
		for (int q = 1; q < index.length; q++) {
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
			limit[i] = Math.max(1, Math.min(MAX_BLOCKS, BYTES_PER_CLASS / sizes[i]));
			next += limit[i];
		}
		MAX_CACHED = max;
		SIZES = sizes;
		INDEX = index;
		BASE = base;
		LIMIT = limit;
		BLOCKS_LENGTH = next + PAD;
	}

	private SizeClasses() {
	}

	/**
	 * {@code opt.tcache_max} bounded by {@link #CACHE_LIMIT}, or 0 when
	 * {@code opt.tcache} is off.
	 */
	static int cacheableMax(Map<String, String> effectiveOptions) {
		if (!"true".equals(effectiveOptions.get("tcache"))) {
			return 0;
		}
		String tcacheMax = effectiveOptions.get("tcache_max");
		long value = (tcacheMax != null) ? Long.parseLong(tcacheMax) : 0;
		return (int) Math.min(CACHE_LIMIT, Math.max(0, value));
	}

	/** Whether threads may cache blocks at all. */
	static boolean enabled() {
		return MAX_CACHED > 0;
	}

	/** Number of cached classes. */
	static int count() {
		return SIZES.length;
	}

	/** The class of a request of {@code size} bytes, {@code 1 <= size <= MAX_CACHED}. */
	static int index(long size) {
		return INDEX[(int) (size + 7) >>> 3];
	}

	/**
	 * The size of class {@code index}: jemalloc's usable size for every request in it.
	 */
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
	 * The size to hand {@code sdallocx} for an allocation last requested with
	 * {@code size} bytes: the class size up to {@link #MAX_CACHED} (valid for every
	 * request of the class), the request itself above.
	 */
	static long freeSize(long size) {
		return (size <= MAX_CACHED) ? SIZES[index(size)] : size;
	}

}
