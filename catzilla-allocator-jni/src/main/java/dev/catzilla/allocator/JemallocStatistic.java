package dev.catzilla.allocator;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Every jemalloc statistic Catzilla shows, defined once: its mallctl name, C type, unit
 * and meaning. The native side reads statistics by the names given here
 * ({@link JemallocStatistics#read()}); the endpoint, the meters, the diagnostics, the
 * doctor and {@code docs/statistics.md} iterate this enum. Adding a statistic is one
 * constant here (and its test).
 * <p>
 * Names may hold placeholders: {@code <ALL>} is jemalloc's {@code MALLCTL_ARENAS_ALL}
 * (all arenas merged; {@value #ARENAS_ALL}, checked against jemalloc's header when the C
 * side compiles), {@code <i>} an arena's index, {@code <j>} a size class's index among
 * the small ({@code bins}) or large ({@code lextents}) classes.
 */
public enum JemallocStatistic {

	// ---------------------------------------------------------------- totals

	ALLOCATED(Scope.TOTAL, "allocated", "stats.allocated", CType.SIZE_T, Unit.BYTES,
			"Bytes handed out to the application: live buffers, plus blocks kept by event-loop and jemalloc thread caches."),

	ACTIVE(Scope.TOTAL, "active", "stats.active", CType.SIZE_T, Unit.BYTES,
			"Bytes in active pages, a multiple of the page size: allocated bytes plus the free parts of pages that hold something."),

	RESIDENT(Scope.TOTAL, "resident", "stats.resident", CType.SIZE_T, Unit.BYTES,
			"Bytes in physically resident pages mapped by jemalloc (data, metadata, dirty pages): what it adds to RSS."),

	MAPPED(Scope.TOTAL, "mapped", "stats.mapped", CType.SIZE_T, Unit.BYTES,
			"Bytes in active extents mapped by jemalloc; excludes extents of only unused pages."),

	RETAINED(Scope.TOTAL, "retained", "stats.retained", CType.SIZE_T, Unit.BYTES,
			"Bytes of virtual memory kept mapped for reuse after its pages went back to the OS (not resident)."),

	METADATA(Scope.TOTAL, "metadata", "stats.metadata", CType.SIZE_T, Unit.BYTES,
			"Bytes of jemalloc's own bookkeeping: arenas, extents, bins, thread caches."),

	DIRTY(Scope.TOTAL, "dirty", "stats.arenas.<ALL>.pdirty", CType.SIZE_T, Unit.PAGES,
			"Bytes in unused dirty pages of all arenas: freed, still resident, returned by decay (catzilla.jemalloc.dirty-decay) or a purge."),

	MUZZY(Scope.TOTAL, "muzzy", "stats.arenas.<ALL>.pmuzzy", CType.SIZE_T, Unit.PAGES,
			"Bytes in unused muzzy pages of all arenas: advised away (MADV_FREE), the kernel takes them back under memory pressure."),

	ARENAS(Scope.TOTAL, "arenas", "arenas.narenas", CType.UNSIGNED, Unit.COUNT,
			"Arenas jemalloc may use (catzilla.jemalloc.arenas, by default four per CPU)."),

	BACKGROUND_THREADS(Scope.TOTAL, "backgroundThreads", "stats.background_thread.num_threads", CType.SIZE_T,
			Unit.COUNT, "jemalloc background threads running (they purge decayed pages while the application idles)."),

	BACKGROUND_THREAD_RUNS(Scope.TOTAL, "backgroundThreadRuns", "stats.background_thread.num_runs", CType.UINT64,
			Unit.RUNS, "Times the background threads have run since jemalloc started (a counter)."),

	BACKGROUND_THREAD_RUN_INTERVAL(Scope.TOTAL, "backgroundThreadRunInterval", "stats.background_thread.run_interval",
			CType.UINT64, Unit.NANOSECONDS, "Average time between two background-thread runs."),

	// ---------------------------------------------------------------- per arena

	ARENA_THREADS(Scope.ARENA, "threads", "stats.arenas.<i>.nthreads", CType.UNSIGNED, Unit.COUNT,
			"Threads assigned to the arena."),

	ARENA_SMALL_ALLOCATED(Scope.ARENA, "smallAllocated", "stats.arenas.<i>.small.allocated", CType.SIZE_T, Unit.BYTES,
			"Bytes allocated from the arena in small size classes (bins: up to 14 KiB with 4 KiB pages)."),

	ARENA_LARGE_ALLOCATED(Scope.ARENA, "largeAllocated", "stats.arenas.<i>.large.allocated", CType.SIZE_T, Unit.BYTES,
			"Bytes allocated from the arena in large size classes (above the largest bin)."),

	ARENA_DIRTY(Scope.ARENA, "dirty", "stats.arenas.<i>.pdirty", CType.SIZE_T, Unit.PAGES,
			"Bytes in the arena's unused dirty pages."),

	ARENA_MUZZY(Scope.ARENA, "muzzy", "stats.arenas.<i>.pmuzzy", CType.SIZE_T, Unit.PAGES,
			"Bytes in the arena's unused muzzy pages."),

	// ---------------------------------------------------------------- per small size
	// class (bin), all arenas

	BIN_SIZE(Scope.BIN, "size", "arenas.bin.<j>.size", CType.SIZE_T, Unit.BYTES,
			"The size class: bytes of each region (allocation) in it."),

	BIN_REGIONS_PER_SLAB(Scope.BIN, "regionsPerSlab", "arenas.bin.<j>.nregs", CType.UINT32, Unit.COUNT,
			"Regions in one slab of the class."),

	BIN_REGIONS(Scope.BIN, "regions", "stats.arenas.<ALL>.bins.<j>.curregs", CType.SIZE_T, Unit.COUNT,
			"Regions in use: live allocations of the class, including blocks in thread caches."),

	BIN_SLABS(Scope.BIN, "slabs", "stats.arenas.<ALL>.bins.<j>.curslabs", CType.SIZE_T, Unit.COUNT,
			"Slabs the class holds now; each takes its regions' bytes of active pages, used or not."),

	// ---------------------------------------------------------------- per large size
	// class, all arenas

	LARGE_SIZE(Scope.LARGE, "size", "arenas.lextent.<j>.size", CType.SIZE_T, Unit.BYTES,
			"The large size class: bytes of each extent in it."),

	LARGE_EXTENTS(Scope.LARGE, "extents", "stats.arenas.<ALL>.lextents.<j>.curlextents", CType.SIZE_T, Unit.COUNT,
			"Live allocations (extents) of the class.");

	/**
	 * jemalloc's {@code MALLCTL_ARENAS_ALL}: the arena index that reads all arenas
	 * merged.
	 */
	public static final int ARENAS_ALL = 4096;

	/** What a statistic describes. */
	public enum Scope {

		/** jemalloc as a whole. */
		TOTAL,

		/** One arena ({@code <i>}). */
		ARENA,

		/** One small size class ({@code <j>}), all arenas merged. */
		BIN,

		/** One large size class ({@code <j>}), all arenas merged. */
		LARGE

	}

	/**
	 * The C type jemalloc declares the value with (in its {@code ctl.c}); the code is
	 * what the native side reads.
	 */
	public enum CType {

		SIZE_T(0), UNSIGNED(1), UINT32(2), UINT64(3), BOOL(4);

		private final int code;

		CType(int code) {
			this.code = code;
		}

		/** The number the native side switches on. */
		public int code() {
			return this.code;
		}

		/** The C spelling, e.g. {@code size_t}. */
		public String spelling() {
			return (this == UNSIGNED) ? "unsigned" : (this == BOOL) ? "bool" : name().toLowerCase(Locale.ROOT);
		}

	}

	/** The unit of a value as Catzilla shows it. */
	public enum Unit {

		/** Bytes. */
		BYTES("bytes"),

		/**
		 * jemalloc counts pages; Catzilla multiplies by the page size
		 * ({@code arenas.page}) and shows bytes.
		 */
		PAGES("bytes"),

		/** A number of things now. */
		COUNT(""),

		/** A number of events since jemalloc started (only grows). */
		RUNS(""),

		/** Nanoseconds. */
		NANOSECONDS("nanoseconds");

		private final String shown;

		Unit(String shown) {
			this.shown = shown;
		}

		/**
		 * The unit of the shown value: {@code bytes}, {@code nanoseconds} or empty for a
		 * plain number.
		 */
		public String shown() {
			return this.shown;
		}

	}

	private final Scope scope;

	private final String key;

	private final String mallctl;

	private final CType type;

	private final Unit unit;

	private final String meaning;

	JemallocStatistic(Scope scope, String key, String mallctl, CType type, Unit unit, String meaning) {
		this.scope = scope;
		this.key = key;
		this.mallctl = mallctl;
		this.type = type;
		this.unit = unit;
		this.meaning = meaning;
	}

	/** Total, per arena, per small or per large size class. */
	public Scope scope() {
		return this.scope;
	}

	/**
	 * The name Catzilla shows it by (JSON field, meter suffix), unique within its scope,
	 * e.g. {@code dirty}.
	 */
	public String key() {
		return this.key;
	}

	/** The mallctl name with its placeholders, e.g. {@code stats.arenas.<ALL>.pdirty}. */
	public String mallctl() {
		return this.mallctl;
	}

	/** The C type jemalloc declares it with. */
	public CType type() {
		return this.type;
	}

	/** The unit. */
	public Unit unit() {
		return this.unit;
	}

	/** What it means, in one sentence. */
	public String meaning() {
		return this.meaning;
	}

	/**
	 * Whether the value never changes while jemalloc runs (a size class's layout); read
	 * once and kept.
	 */
	boolean constant() {
		return this.mallctl.startsWith("arenas.bin.") || this.mallctl.startsWith("arenas.lextent.");
	}

	/**
	 * The mallctl name for the arena or size class {@code index} ({@code <i>},
	 * {@code <j>}); ignored for totals.
	 */
	String mallctlName(int index) {
		return this.mallctl.replace("<ALL>", Integer.toString(ARENAS_ALL))
			.replace("<i>", Integer.toString(index))
			.replace("<j>", Integer.toString(index));
	}

	/**
	 * The table of {@code docs/statistics.md}, one row per statistic (checked by a test).
	 */
	public static String markdownTable() {
		StringBuilder table = new StringBuilder();
		table.append("| Scope | Name | mallctl | C type | Unit | Meaning |\n");
		table.append("|---|---|---|---|---|---|\n");
		for (JemallocStatistic statistic : values()) {
			String unit = switch (statistic.unit) {
				case PAGES -> "pages, shown as bytes";
				case COUNT -> "count";
				case RUNS -> "count since start";
				default -> statistic.unit.shown();
			};
			table.append("| ")
				.append(statistic.scope.name().toLowerCase(Locale.ROOT))
				.append(" | `")
				.append(statistic.key)
				.append("` | `")
				.append(statistic.mallctl)
				.append("` | `")
				.append(statistic.type.spelling())
				.append("` | ")
				.append(unit)
				.append(" | ")
				.append(statistic.meaning)
				.append(" |\n");
		}
		return table.toString();
	}

	/** The statistics of one scope, in declaration order. */
	public static List<JemallocStatistic> of(Scope scope) {
		List<JemallocStatistic> list = new ArrayList<>();
		for (JemallocStatistic statistic : values()) {
			if (statistic.scope == scope) {
				list.add(statistic);
			}
		}
		return Collections.unmodifiableList(list);
	}

}
