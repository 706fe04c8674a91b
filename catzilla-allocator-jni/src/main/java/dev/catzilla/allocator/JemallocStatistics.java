package dev.catzilla.allocator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * jemalloc's statistics ({@link JemallocStatistic}) read by name, and a cache of them for
 * everything that shows them repeatedly (meters, endpoint, doctor): {@link #shared()}
 * refreshes at most once per {@link #WINDOW}, one refresh at a time; a caller that finds
 * a refresh under way gets the snapshot before it instead of waiting. No Spring needed.
 * <p>
 * A read ({@link #read()}) is one {@code epoch} refresh and a few hundred {@code mallctl}
 * reads by name (totals, each arena, each size class), off the allocation path; through
 * the cache at most one caller per window pays for it.
 */
public final class JemallocStatistics {

	/** The longest a cached snapshot is served. */
	public static final Duration WINDOW = Duration.ofMillis(250);

	/**
	 * Serialises native reads: an {@code epoch} refresh by one reader never lands between
	 * another's reads.
	 */
	private static final Object READ_LOCK = new Object();

	/**
	 * The size classes' layout and the page size (constant while jemalloc runs), read
	 * once.
	 */
	private static volatile Layout layout;

	private static volatile long processPageSize;

	private static final JemallocStatistics SHARED = new JemallocStatistics(JemallocStatistics::read, System::nanoTime,
			WINDOW);

	private final Supplier<Snapshot> source;

	private final LongSupplier nanoClock;

	private final long windowNanos;

	private final ReentrantLock refreshing = new ReentrantLock();

	private volatile Snapshot snapshot;

	private volatile long readAtNanos;

	/**
	 * A cache over {@code source}.
	 * @param source reads a snapshot (e.g. {@link #read()})
	 * @param nanoClock the clock ({@link System#nanoTime()})
	 * @param window the longest a snapshot is served
	 */
	public JemallocStatistics(Supplier<Snapshot> source, LongSupplier nanoClock, Duration window) {
		this.source = Objects.requireNonNull(source, "source");
		this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
		this.windowNanos = window.toNanos();
	}

	/**
	 * The process-wide cache over Catzilla's jemalloc, refreshed at most every
	 * {@link #WINDOW}.
	 */
	public static JemallocStatistics shared() {
		return SHARED;
	}

	/**
	 * The latest snapshot: read again when it is older than the window, unless another
	 * caller is reading (then that caller's predecessor is returned at once). Only the
	 * first call ever waits for a read.
	 * @throws IllegalStateException when jemalloc's statistics cannot be read (the next
	 * call tries again)
	 */
	public Snapshot get() {
		Snapshot current = this.snapshot;
		if (current != null && this.nanoClock.getAsLong() - this.readAtNanos < this.windowNanos) {
			return current;
		}
		if (current != null) {
			if (!this.refreshing.tryLock()) {
				return current;
			}
		}
		else {
			this.refreshing.lock();
		}
		try {
			current = this.snapshot;
			if (current != null && this.nanoClock.getAsLong() - this.readAtNanos < this.windowNanos) {
				return current;
			}
			current = Objects.requireNonNull(this.source.get(), "the statistics source returned null");
			this.readAtNanos = this.nanoClock.getAsLong();
			this.snapshot = current;
			return current;
		}
		finally {
			this.refreshing.unlock();
		}
	}

	// ---------------------------------------------------------------- reading

	/**
	 * Reads every statistic now (initialises jemalloc if needed): totals after one
	 * {@code epoch} refresh, then each initialised arena, each small and each large size
	 * class, and the process's RSS.
	 * @throws IllegalStateException naming the mallctl that failed
	 * @throws UnsatisfiedLinkError when the native library is unavailable
	 */
	public static Snapshot read() {
		Jemalloc.initialize();
		synchronized (READ_LOCK) {
			Layout shape = layout();
			List<JemallocStatistic> totals = JemallocStatistic.of(JemallocStatistic.Scope.TOTAL);
			Reads reads = new Reads();
			for (JemallocStatistic statistic : totals) {
				reads.add(statistic, 0);
			}
			long[] totalValues = reads.run(true);
			Map<JemallocStatistic, Long> total = new EnumMap<>(JemallocStatistic.class);
			for (int i = 0; i < totals.size(); i++) {
				total.put(totals.get(i), scaled(totals.get(i), totalValues[i], shape.pageSize));
			}
			int narenas = (int) (long) total.get(JemallocStatistic.ARENAS);

			// Which arenas exist (jemalloc makes them lazily; an uninitialised one has no
			// statistics: ENOENT).
			Reads initialized = new Reads();
			for (int i = 0; i < narenas; i++) {
				initialized.add("arena." + i + ".initialized", JemallocStatistic.CType.BOOL);
			}
			long[] isInitialized = initialized.run(false);

			Reads rest = new Reads();
			List<Integer> arenaIndexes = new ArrayList<>();
			for (int i = 0; i < narenas; i++) {
				if (isInitialized[i] != 0) {
					arenaIndexes.add(i);
					for (JemallocStatistic statistic : JemallocStatistic.of(JemallocStatistic.Scope.ARENA)) {
						rest.add(statistic, i);
					}
				}
			}
			List<JemallocStatistic> binStats = variable(JemallocStatistic.Scope.BIN);
			for (int j = 0; j < shape.binSize.length; j++) {
				for (JemallocStatistic statistic : binStats) {
					rest.add(statistic, j);
				}
			}
			List<JemallocStatistic> largeStats = variable(JemallocStatistic.Scope.LARGE);
			for (int j = 0; j < shape.largeSize.length; j++) {
				for (JemallocStatistic statistic : largeStats) {
					rest.add(statistic, j);
				}
			}
			long[] values = rest.run(false);
			int at = 0;
			List<Arena> arenas = new ArrayList<>();
			for (int index : arenaIndexes) {
				Map<JemallocStatistic, Long> arena = new EnumMap<>(JemallocStatistic.class);
				for (JemallocStatistic statistic : JemallocStatistic.of(JemallocStatistic.Scope.ARENA)) {
					arena.put(statistic, scaled(statistic, values[at++], shape.pageSize));
				}
				arenas.add(Arena.of(index, arena));
			}
			List<Bin> bins = new ArrayList<>();
			for (int j = 0; j < shape.binSize.length; j++) {
				Map<JemallocStatistic, Long> bin = new EnumMap<>(JemallocStatistic.class);
				bin.put(JemallocStatistic.BIN_SIZE, shape.binSize[j]);
				bin.put(JemallocStatistic.BIN_REGIONS_PER_SLAB, shape.binRegionsPerSlab[j]);
				for (JemallocStatistic statistic : binStats) {
					bin.put(statistic, values[at++]);
				}
				bins.add(Bin.of(j, bin));
			}
			List<LargeClass> large = new ArrayList<>();
			for (int j = 0; j < shape.largeSize.length; j++) {
				Map<JemallocStatistic, Long> lextent = new EnumMap<>(JemallocStatistic.class);
				lextent.put(JemallocStatistic.LARGE_SIZE, shape.largeSize[j]);
				for (JemallocStatistic statistic : largeStats) {
					lextent.put(statistic, values[at++]);
				}
				large.add(LargeClass.of(j, lextent));
			}
			return new Snapshot(total, arenas, bins, large, processResident(), shape.pageSize);
		}
	}

	/**
	 * The six totals only (one {@code epoch} refresh, six reads): what
	 * {@link Jemalloc#stats()} returns.
	 */
	static JemallocStats readStats() {
		Jemalloc.initialize();
		JemallocStatistic[] six = { JemallocStatistic.ALLOCATED, JemallocStatistic.ACTIVE, JemallocStatistic.RESIDENT,
				JemallocStatistic.MAPPED, JemallocStatistic.RETAINED, JemallocStatistic.METADATA };
		synchronized (READ_LOCK) {
			Reads reads = new Reads();
			for (JemallocStatistic statistic : six) {
				reads.add(statistic, 0);
			}
			long[] v = reads.run(true);
			return new JemallocStats(v[0], v[1], v[2], v[3], v[4], v[5]);
		}
	}

	/**
	 * Bytes in unused dirty pages of all arenas ({@link JemallocStatistic#DIRTY}), after
	 * an {@code epoch} refresh: what a purge has left.
	 */
	static long readDirty() {
		Jemalloc.initialize();
		synchronized (READ_LOCK) {
			long pageSize = layout().pageSize();
			Reads reads = new Reads();
			reads.add(JemallocStatistic.DIRTY, 0);
			return scaled(JemallocStatistic.DIRTY, reads.run(true)[0], pageSize);
		}
	}

	/**
	 * Reads one mallctl by name with the given C type, without an {@code epoch} refresh
	 * (for tests and tools: an unknown name throws {@link IllegalStateException} naming
	 * it).
	 */
	static long readByName(String mallctl, JemallocStatistic.CType type) {
		Jemalloc.initialize();
		synchronized (READ_LOCK) {
			Reads reads = new Reads();
			reads.add(mallctl, type);
			return reads.run(false)[0];
		}
	}

	private static List<JemallocStatistic> variable(JemallocStatistic.Scope scope) {
		List<JemallocStatistic> list = new ArrayList<>();
		for (JemallocStatistic statistic : JemallocStatistic.of(scope)) {
			if (!statistic.constant()) {
				list.add(statistic);
			}
		}
		return list;
	}

	private static long scaled(JemallocStatistic statistic, long value, long pageSize) {
		return (statistic.unit() == JemallocStatistic.Unit.PAGES) ? value * pageSize : value;
	}

	private static Layout layout() {
		Layout shape = layout;
		if (shape != null) {
			return shape;
		}
		Reads counts = new Reads();
		counts.add("arenas.page", JemallocStatistic.CType.SIZE_T);
		counts.add("arenas.nbins", JemallocStatistic.CType.UNSIGNED);
		counts.add("arenas.nlextents", JemallocStatistic.CType.UNSIGNED);
		long[] c = counts.run(false);
		int nbins = (int) c[1];
		int nlextents = (int) c[2];
		Reads sizes = new Reads();
		for (int j = 0; j < nbins; j++) {
			sizes.add(JemallocStatistic.BIN_SIZE, j);
			sizes.add(JemallocStatistic.BIN_REGIONS_PER_SLAB, j);
		}
		for (int j = 0; j < nlextents; j++) {
			sizes.add(JemallocStatistic.LARGE_SIZE, j);
		}
		long[] v = sizes.run(false);
		long[] binSize = new long[nbins];
		long[] binRegions = new long[nbins];
		long[] largeSize = new long[nlextents];
		for (int j = 0; j < nbins; j++) {
			binSize[j] = v[2 * j];
			binRegions[j] = v[2 * j + 1];
		}
		for (int j = 0; j < nlextents; j++) {
			largeSize[j] = v[2 * nbins + j];
		}
		shape = new Layout(c[0], binSize, binRegions, largeSize);
		layout = shape;
		return shape;
	}

	/**
	 * The process's resident set size from {@code /proc/self/statm}, or -1 where there is
	 * none.
	 */
	static long processResident() {
		try {
			String[] fields = Files.readString(Path.of("/proc/self/statm"), StandardCharsets.US_ASCII)
				.trim()
				.split(" ");
			long page = processPageSize;
			if (page == 0) {
				page = NativePlatform.pageSize();
				page = (page > 0) ? page : 4096;
				processPageSize = page;
			}
			return Long.parseLong(fields[1]) * page;
		}
		catch (IOException | RuntimeException ex) {
			return -1;
		}
	}

	/**
	 * The mallctl names, types and (after {@link #run}) values of one native call: the
	 * names travel, not positions.
	 */
	private static final class Reads {

		private final List<String> names = new ArrayList<>();

		private final List<JemallocStatistic.CType> types = new ArrayList<>();

		void add(JemallocStatistic statistic, int index) {
			add(statistic.mallctlName(index), statistic.type());
		}

		void add(String name, JemallocStatistic.CType type) {
			this.names.add(name);
			this.types.add(type);
		}

		long[] run(boolean refresh) {
			int n = this.names.size();
			int[] codes = new int[n];
			for (int i = 0; i < n; i++) {
				codes[i] = this.types.get(i).code();
			}
			long[] values = new long[n];
			JemallocNative.statistics(refresh, this.names.toArray(new String[0]), codes, values);
			return values;
		}

	}

	private record Layout(long pageSize, long[] binSize, long[] binRegionsPerSlab, long[] largeSize) {
	}

	// ---------------------------------------------------------------- the model

	/**
	 * One arena's statistics.
	 *
	 * @param index the arena's index
	 * @param threads {@link JemallocStatistic#ARENA_THREADS}
	 * @param smallAllocated {@link JemallocStatistic#ARENA_SMALL_ALLOCATED}
	 * @param largeAllocated {@link JemallocStatistic#ARENA_LARGE_ALLOCATED}
	 * @param dirty {@link JemallocStatistic#ARENA_DIRTY}, bytes
	 * @param muzzy {@link JemallocStatistic#ARENA_MUZZY}, bytes
	 */
	public record Arena(int index, long threads, long smallAllocated, long largeAllocated, long dirty, long muzzy) {

		static Arena of(int index, Map<JemallocStatistic, Long> v) {
			return new Arena(index, v.get(JemallocStatistic.ARENA_THREADS),
					v.get(JemallocStatistic.ARENA_SMALL_ALLOCATED), v.get(JemallocStatistic.ARENA_LARGE_ALLOCATED),
					v.get(JemallocStatistic.ARENA_DIRTY), v.get(JemallocStatistic.ARENA_MUZZY));
		}

	}

	/**
	 * One small size class (bin), all arenas merged.
	 *
	 * @param index the bin's index
	 * @param size {@link JemallocStatistic#BIN_SIZE}
	 * @param regionsPerSlab {@link JemallocStatistic#BIN_REGIONS_PER_SLAB}
	 * @param regions {@link JemallocStatistic#BIN_REGIONS}
	 * @param slabs {@link JemallocStatistic#BIN_SLABS}
	 * @param utilisation regions in use over the regions of the current slabs (0 without
	 * slabs)
	 * @param wastedBytes free regions' bytes in the current slabs
	 */
	public record Bin(int index, long size, long regionsPerSlab, long regions, long slabs, double utilisation,
			long wastedBytes) {

		/** A bin from its statistics; utilisation and wasted bytes are computed. */
		public static Bin of(int index, long size, long regionsPerSlab, long regions, long slabs) {
			long capacity = slabs * regionsPerSlab;
			double utilisation = (capacity == 0) ? 0 : (double) regions / capacity;
			return new Bin(index, size, regionsPerSlab, regions, slabs, utilisation,
					Math.max(0, capacity - regions) * size);
		}

		static Bin of(int index, Map<JemallocStatistic, Long> v) {
			return of(index, v.get(JemallocStatistic.BIN_SIZE), v.get(JemallocStatistic.BIN_REGIONS_PER_SLAB),
					v.get(JemallocStatistic.BIN_REGIONS), v.get(JemallocStatistic.BIN_SLABS));
		}

		/** Bytes in use: regions times size. */
		public long usedBytes() {
			return this.regions * this.size;
		}

		/** Bytes of all regions of the current slabs. */
		public long slabBytes() {
			return this.slabs * this.regionsPerSlab * this.size;
		}

	}

	/**
	 * One large size class, all arenas merged.
	 *
	 * @param index the class's index among the large classes
	 * @param size {@link JemallocStatistic#LARGE_SIZE}
	 * @param extents {@link JemallocStatistic#LARGE_EXTENTS}
	 */
	public record LargeClass(int index, long size, long extents) {

		static LargeClass of(int index, Map<JemallocStatistic, Long> v) {
			return new LargeClass(index, v.get(JemallocStatistic.LARGE_SIZE), v.get(JemallocStatistic.LARGE_EXTENTS));
		}

		/** Bytes the live extents take: size times extents. */
		public long bytes() {
			return this.size * this.extents;
		}

	}

	/**
	 * All statistics at one moment: the totals by {@link JemallocStatistic}, each arena,
	 * each size class, and the process's RSS; the {@link JemallocRatio}s are computed
	 * from it.
	 */
	public static final class Snapshot {

		private final Map<JemallocStatistic, Long> totals;

		private final List<Arena> arenas;

		private final List<Bin> bins;

		private final List<LargeClass> largeClasses;

		private final long processResident;

		private final long pageSize;

		/**
		 * @param totals a value for every {@link JemallocStatistic.Scope#TOTAL} statistic
		 * (bytes where the unit is pages)
		 * @param arenas the initialised arenas
		 * @param bins every small size class
		 * @param largeClasses every large size class
		 * @param processResident the process's RSS in bytes, -1 when unknown
		 * @param pageSize jemalloc's page size
		 */
		public Snapshot(Map<JemallocStatistic, Long> totals, List<Arena> arenas, List<Bin> bins,
				List<LargeClass> largeClasses, long processResident, long pageSize) {
			EnumMap<JemallocStatistic, Long> copy = new EnumMap<>(JemallocStatistic.class);
			for (JemallocStatistic statistic : JemallocStatistic.of(JemallocStatistic.Scope.TOTAL)) {
				Long value = totals.get(statistic);
				if (value == null) {
					throw new IllegalArgumentException("no value for " + statistic + " (" + statistic.mallctl() + ")");
				}
				copy.put(statistic, value);
			}
			this.totals = Collections.unmodifiableMap(copy);
			this.arenas = List.copyOf(arenas);
			this.bins = List.copyOf(bins);
			this.largeClasses = List.copyOf(largeClasses);
			this.processResident = processResident;
			this.pageSize = pageSize;
		}

		/**
		 * A snapshot of the given totals only (others 0, no arenas or classes): for tests
		 * and examples.
		 */
		public static Snapshot ofTotals(Map<JemallocStatistic, Long> given, long processResident) {
			Map<JemallocStatistic, Long> totals = new EnumMap<>(JemallocStatistic.class);
			for (JemallocStatistic statistic : JemallocStatistic.of(JemallocStatistic.Scope.TOTAL)) {
				totals.put(statistic, given.getOrDefault(statistic, 0L));
			}
			return new Snapshot(totals, List.of(), List.of(), List.of(), processResident, 4096);
		}

		/** A total's value (bytes for byte and page statistics). */
		public long get(JemallocStatistic statistic) {
			Long value = this.totals.get(statistic);
			if (value == null) {
				throw new IllegalArgumentException(statistic + " is not a total (" + statistic.scope() + ")");
			}
			return value;
		}

		/** The totals by statistic, in declaration order. */
		public Map<JemallocStatistic, Long> totals() {
			return this.totals;
		}

		/** The totals by {@link JemallocStatistic#key()}, in declaration order. */
		public Map<String, Long> totalsByKey() {
			Map<String, Long> map = new LinkedHashMap<>();
			this.totals.forEach((statistic, value) -> map.put(statistic.key(), value));
			return Collections.unmodifiableMap(map);
		}

		/** The initialised arenas. */
		public List<Arena> arenas() {
			return this.arenas;
		}

		/** Every small size class. */
		public List<Bin> bins() {
			return this.bins;
		}

		/** Every large size class. */
		public List<LargeClass> largeClasses() {
			return this.largeClasses;
		}

		/**
		 * The process's resident set size in bytes ({@code /proc/self/statm}), -1 when
		 * unknown.
		 */
		public long processResident() {
			return this.processResident;
		}

		/** jemalloc's page size. */
		public long pageSize() {
			return this.pageSize;
		}

		/** Bytes in use in the small size classes (regions times size, summed). */
		public long binUsedBytes() {
			long sum = 0;
			for (Bin bin : this.bins) {
				sum += bin.usedBytes();
			}
			return sum;
		}

		/** Bytes of all regions of the small size classes' current slabs. */
		public long binSlabBytes() {
			long sum = 0;
			for (Bin bin : this.bins) {
				sum += bin.slabBytes();
			}
			return sum;
		}

		/**
		 * The small size class with the most free bytes in its slabs, or {@code null}
		 * when none has any.
		 */
		public Bin worstBin() {
			Bin worst = null;
			for (Bin bin : this.bins) {
				if (bin.wastedBytes() > 0 && (worst == null || bin.wastedBytes() > worst.wastedBytes())) {
					worst = bin;
				}
			}
			return worst;
		}

		/** {@link JemallocRatio#ratio}. */
		public double ratio(JemallocRatio ratio) {
			return ratio.ratio(this);
		}

		/** {@link JemallocRatio#bytes}. */
		public long ratioBytes(JemallocRatio ratio) {
			return ratio.bytes(this);
		}

		/** The six totals {@link JemallocStats} has. */
		public JemallocStats stats() {
			return new JemallocStats(get(JemallocStatistic.ALLOCATED), get(JemallocStatistic.ACTIVE),
					get(JemallocStatistic.RESIDENT), get(JemallocStatistic.MAPPED), get(JemallocStatistic.RETAINED),
					get(JemallocStatistic.METADATA));
		}

		@Override
		public String toString() {
			return "JemallocStatistics.Snapshot" + totalsByKey();
		}

	}

}
