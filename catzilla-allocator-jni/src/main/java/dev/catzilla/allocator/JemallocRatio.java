package dev.catzilla.allocator;

import java.util.function.ToLongFunction;

/**
 * The ratios Catzilla shows, after Redis's {@code INFO memory}, each defined once from
 * {@link JemallocStatistic}s and shown with the bytes it stands for (a ratio of 1.4 over
 * 2 MiB is no problem; over 2 GiB it is). A ratio is {@code numerator / denominator}, 0
 * when the denominator is 0; its bytes are {@code numerator - denominator} (for
 * {@link #METADATA_SHARE}, the metadata itself). The endpoint, the meters, the doctor and
 * {@code docs/statistics.md} iterate this enum.
 */
public enum JemallocRatio {

	BIN_FRAGMENTATION("binFragmentation", "bytes of the small classes' current slabs / bytes in use in them",
			"none (jemalloc's per-bin util, as 1 / util)",
			"External fragmentation of the small size classes: slabs kept for a few live regions. The bytes are the free regions in those slabs.",
			JemallocStatistics.Snapshot::binSlabBytes, JemallocStatistics.Snapshot::binUsedBytes, false),

	ACTIVE_ALLOCATED("activeAllocated", "active / allocated", "allocator_frag_ratio",
			"Active pages over allocated bytes: partly used pages, free slab regions and size-class rounding.",
			(s) -> s.get(JemallocStatistic.ACTIVE), (s) -> s.get(JemallocStatistic.ALLOCATED), false),

	RESIDENT_ACTIVE("residentActive", "resident / active", "allocator_rss_ratio",
			"Resident pages over active pages: unused pages kept for reuse (dirty) and metadata.",
			(s) -> s.get(JemallocStatistic.RESIDENT), (s) -> s.get(JemallocStatistic.ACTIVE), false),

	PROCESS_RESIDENT_ALLOCATED("processResidentAllocated", "process RSS (/proc/self/statm) / allocated",
			"mem_fragmentation_ratio",
			"The whole process's resident memory over jemalloc's allocated bytes. It includes the JVM heap, code and other native memory, so unlike in Redis it is far above 1 in a healthy service; watch its trend, not its value.",
			JemallocStatistics.Snapshot::processResident, (s) -> s.get(JemallocStatistic.ALLOCATED), false),

	METADATA_SHARE("metadataShare", "metadata / resident", "none (Redis shows allocator overhead bytes)",
			"jemalloc's own bookkeeping as a share of its resident memory; the bytes are the metadata.",
			(s) -> s.get(JemallocStatistic.METADATA), (s) -> s.get(JemallocStatistic.RESIDENT), true);

	private final String key;

	private final String definition;

	private final String redis;

	private final String meaning;

	private final ToLongFunction<JemallocStatistics.Snapshot> numerator;

	private final ToLongFunction<JemallocStatistics.Snapshot> denominator;

	private final boolean bytesAreNumerator;

	JemallocRatio(String key, String definition, String redis, String meaning,
			ToLongFunction<JemallocStatistics.Snapshot> numerator,
			ToLongFunction<JemallocStatistics.Snapshot> denominator, boolean bytesAreNumerator) {
		this.key = key;
		this.definition = definition;
		this.redis = redis;
		this.meaning = meaning;
		this.numerator = numerator;
		this.denominator = denominator;
		this.bytesAreNumerator = bytesAreNumerator;
	}

	/**
	 * The name Catzilla shows it by (JSON field, meter suffix), e.g.
	 * {@code residentActive}.
	 */
	public String key() {
		return this.key;
	}

	/** How it is computed, in words, e.g. {@code resident / active}. */
	public String definition() {
		return this.definition;
	}

	/** The field of Redis's {@code INFO memory} it corresponds to, or why none does. */
	public String redis() {
		return this.redis;
	}

	/** What it means, in a sentence or two. */
	public String meaning() {
		return this.meaning;
	}

	/**
	 * The ratio table of {@code docs/statistics.md}, one row per ratio (checked by a
	 * test).
	 */
	public static String markdownTable() {
		StringBuilder table = new StringBuilder();
		table.append("| Name | Definition | Redis `INFO memory` | Meaning |\n");
		table.append("|---|---|---|---|\n");
		for (JemallocRatio ratio : values()) {
			table.append("| `")
				.append(ratio.key)
				.append("` | ")
				.append(ratio.definition)
				.append(" | ")
				.append(ratio.redis.startsWith("none") ? ratio.redis : "`" + ratio.redis + "`")
				.append(" | ")
				.append(ratio.meaning)
				.append(" |\n");
		}
		return table.toString();
	}

	/**
	 * The numerator in bytes ({@code -1} when unknown, e.g. the process RSS off Linux).
	 */
	public long numerator(JemallocStatistics.Snapshot snapshot) {
		return this.numerator.applyAsLong(snapshot);
	}

	/** The denominator in bytes. */
	public long denominator(JemallocStatistics.Snapshot snapshot) {
		return this.denominator.applyAsLong(snapshot);
	}

	/** The ratio, 0 when the denominator is 0 or the numerator unknown. */
	public double ratio(JemallocStatistics.Snapshot snapshot) {
		long n = numerator(snapshot);
		long d = denominator(snapshot);
		return (d <= 0 || n < 0) ? 0 : (double) n / d;
	}

	/**
	 * The bytes the ratio stands for: numerator minus denominator (or the metadata),
	 * never negative.
	 */
	public long bytes(JemallocStatistics.Snapshot snapshot) {
		long n = numerator(snapshot);
		if (n < 0) {
			return 0;
		}
		return this.bytesAreNumerator ? n : Math.max(0, n - denominator(snapshot));
	}

}
