package dev.catzilla.allocator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.micrometer.common.docs.KeyName;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.docs.MeterDocumentation;

/**
 * Every meter Catzilla registers, named once (a Micrometer documentation enum): name,
 * type, base unit, tags, when it exists, and what it means. {@link JemallocMeterBinder}
 * and the Spring starter's binder register from it, and the meter table of
 * {@code docs/spring.md} is generated from it ({@link #markdownTable()}, checked by a
 * test). The jemalloc gauges take their meaning from their {@link JemallocStatistic} and
 * {@link JemallocRatio}.
 * <p>
 * Left out on purpose: per size class and per arena statistics (36 small and 196 large
 * classes, up to four arenas per CPU) would be hundreds of series; they are in the
 * endpoint and the diagnostics instead, and the bin fragmentation ratio sums them up.
 */
public enum CatzillaMeter implements MeterDocumentation {

	ALLOCATOR_INFO("catzilla.allocator.info", Meter.Type.GAUGE, "", When.SPRING,
			"Which allocator was asked for and which one serves Reactor Netty; always 1.",
			"`requested` = `auto`/`jemalloc`/`malloc`, `active` = `jemalloc`/`netty`"),

	ALLOCATOR_CACHED("catzilla.allocator.cached", Meter.Type.GAUGE, "bytes", When.JEMALLOC,
			"Free jemalloc blocks (up to `catzilla.jemalloc.tcache-max`, at most 64 KiB each) that Netty event-loop threads keep for reuse without a JNI call, and that other threads hand back to the thread that allocated them (the hand-off cache, emptied by the quiet purge): held by no buffer, so not in `netty.allocator.memory.used`, but in `catzilla.jemalloc.allocated`. At most about 760 KiB per event loop and 2 MiB per hand-off stripe ([docs/allocator.md](allocator.md#how-a-buffer-is-built)).",
			""),

	ALLOCATOR_REFUSALS("catzilla.allocator.refusals", Meter.Type.COUNTER, "", When.JEMALLOC,
			"Allocations refused at the cap on direct memory (`JemallocCapExceededException`, answered 503 by the server).",
			""),

	ALLOCATOR_REFUSED("catzilla.allocator.refused", Meter.Type.COUNTER, "bytes", When.JEMALLOC,
			"Bytes the refused allocations asked for.", ""),

	JEMALLOC_ALLOCATED(JemallocStatistic.ALLOCATED),

	JEMALLOC_ACTIVE(JemallocStatistic.ACTIVE),

	JEMALLOC_RESIDENT(JemallocStatistic.RESIDENT),

	JEMALLOC_MAPPED(JemallocStatistic.MAPPED),

	JEMALLOC_RETAINED(JemallocStatistic.RETAINED),

	JEMALLOC_METADATA(JemallocStatistic.METADATA),

	JEMALLOC_DIRTY(JemallocStatistic.DIRTY),

	JEMALLOC_MUZZY(JemallocStatistic.MUZZY),

	JEMALLOC_ARENAS(JemallocStatistic.ARENAS),

	JEMALLOC_BACKGROUND_THREADS(JemallocStatistic.BACKGROUND_THREADS),

	JEMALLOC_BACKGROUND_THREAD_RUNS(JemallocStatistic.BACKGROUND_THREAD_RUNS),

	JEMALLOC_BACKGROUND_THREAD_RUN_INTERVAL(JemallocStatistic.BACKGROUND_THREAD_RUN_INTERVAL),

	JEMALLOC_RATIO("catzilla.jemalloc.ratio", Meter.Type.GAUGE, "", When.JEMALLOC,
			"The ratios of [docs/statistics.md](statistics.md#ratios), after Redis's `INFO memory`: 0 when the denominator is 0.",
			"`ratio` = " + ratioTagValues()),

	JEMALLOC_RATIO_BYTES("catzilla.jemalloc.ratio.bytes", Meter.Type.GAUGE, "bytes", When.JEMALLOC,
			"The bytes each ratio stands for (numerator minus denominator; for `metadata.share` the metadata): a ratio of 1.4 matters over 2 GiB, not over 2 MiB.",
			"`ratio` as above"),

	JEMALLOC_PURGES("catzilla.jemalloc.purges", Meter.Type.COUNTER, "", When.JEMALLOC,
			"Purges of jemalloc's unused pages: `explicit` (`Jemalloc.purge()`, the endpoint's POST) and `quiet` (the quiet purge once allocation went quiet, `catzilla.jemalloc.quiet-purge`).",
			"`trigger` = `explicit`/`quiet`"),

	JEMALLOC_PURGED("catzilla.jemalloc.purged", Meter.Type.COUNTER, "bytes", When.JEMALLOC,
			"Resident bytes the purges gave back to the system (jemalloc's resident bytes before minus after).",
			"`trigger` as above"),

	DOCTOR_FINDINGS("catzilla.doctor.findings", Meter.Type.GAUGE, "", When.JEMALLOC,
			"1 while the memory doctor's rule finds something, else 0 (the findings with their numbers and actions: `/actuator/catzilla/doctor`); examined at most every 10 s.",
			"`rule` = " + doctorRules() + ", `severity` = `critical`/`warning`/`info` (the rule's)"),

	PROFILE_LIVE("catzilla.profile.live", Meter.Type.GAUGE, "bytes", When.PROFILING,
			"Estimated bytes of live network buffers, from the sampled profile.", ""),

	PROFILE_SITE_LIVE("catzilla.profile.site.live", Meter.Type.GAUGE, "bytes", When.PROFILING,
			"Estimated bytes of live network buffers by allocation site: the five sites with the most and `other` for the rest (refreshed at most every 10 s).",
			"`site` = `Class.method:line` of the allocation site, or `other`"),

	PROFILE_LEAKS("catzilla.profile.leaks", Meter.Type.COUNTER, "", When.PROFILING,
			"Sampled network buffers garbage-collected without `release()`.", ""),

	PROFILE_LEAKED("catzilla.profile.leaked", Meter.Type.COUNTER, "bytes", When.PROFILING,
			"Estimated bytes of network buffers garbage-collected without `release()`.", ""),

	PROFILE_SAMPLES("catzilla.profile.samples", Meter.Type.GAUGE, "", When.PROFILING,
			"Live sample records the profiler keeps (capped by `catzilla.profile.max-samples`).", ""),

	PROFILE_SAMPLES_DROPPED("catzilla.profile.samples.dropped", Meter.Type.COUNTER, "", When.PROFILING,
			"Samples not recorded because `catzilla.profile.max-samples` was reached.", "");

	/** When a meter exists. */
	public enum When {

		/**
		 * Registered by the Spring Boot starter only (it describes the starter's
		 * decision).
		 */
		SPRING("always (Spring starter)"),

		/** When Catzilla's jemalloc serves the buffers. */
		JEMALLOC("jemalloc active"),

		/** When jemalloc is active; the values stay 0 while sampling is off. */
		PROFILING("jemalloc active (0 with sampling off)");

		private final String shown;

		When(String shown) {
			this.shown = shown;
		}

		/** As the docs show it. */
		public String shown() {
			return this.shown;
		}

	}

	private final String name;

	private final Meter.Type type;

	private final String baseUnit;

	private final When when;

	private final String description;

	private final String tags;

	private final JemallocStatistic statistic;

	CatzillaMeter(String name, Meter.Type type, String baseUnit, When when, String description, String tags) {
		this.name = name;
		this.type = type;
		this.baseUnit = baseUnit;
		this.when = when;
		this.description = description;
		this.tags = tags;
		this.statistic = null;
	}

	/**
	 * The gauge (or counter, for a count since start) of a total: named after its key,
	 * meaning from it.
	 */
	CatzillaMeter(JemallocStatistic statistic) {
		if (statistic.scope() != JemallocStatistic.Scope.TOTAL) {
			throw new IllegalArgumentException(statistic + " is not a total");
		}
		this.name = "catzilla.jemalloc." + dotted(statistic.key());
		this.type = (statistic.unit() == JemallocStatistic.Unit.RUNS) ? Meter.Type.COUNTER : Meter.Type.GAUGE;
		this.baseUnit = (statistic.unit() == JemallocStatistic.Unit.NANOSECONDS) ? "seconds" : statistic.unit().shown();
		this.when = When.JEMALLOC;
		this.description = statistic.meaning().replaceAll("\\.$", "") + " (`" + statistic.mallctl() + "`).";
		this.tags = "";
		this.statistic = statistic;
	}

	@Override
	public String getName() {
		return this.name;
	}

	@Override
	public Meter.Type getType() {
		return this.type;
	}

	@Override
	public String getBaseUnit() {
		return this.baseUnit.isEmpty() ? null : this.baseUnit;
	}

	@Override
	public KeyName[] getKeyNames() {
		List<KeyName> keys = new ArrayList<>();
		for (String part : this.tags.split(", ")) {
			if (part.startsWith("`") && part.indexOf("` =") > 0) {
				String key = part.substring(1, part.indexOf("` ="));
				keys.add(() -> key);
			}
			else if (part.startsWith("`ratio` as above")) {
				keys.add(() -> "ratio");
			}
		}
		return keys.toArray(new KeyName[0]);
	}

	/** What it means, in a sentence or two (Markdown). */
	public String description() {
		return this.description;
	}

	/** The tags and their values (Markdown), empty for none. */
	public String tags() {
		return this.tags;
	}

	/** When it exists. */
	public When when() {
		return this.when;
	}

	/** The statistic it shows, or {@code null}. */
	public JemallocStatistic statistic() {
		return this.statistic;
	}

	/**
	 * The description as plain text, as registered (Markdown links and code marks
	 * removed).
	 */
	public String plainDescription() {
		return this.description.replaceAll("\\[([^]]*)]\\([^)]*\\)", "$1").replace("`", "");
	}

	/**
	 * The name Prometheus shows, as Micrometer's Prometheus naming convention makes it:
	 * dots to underscores, the base unit appended, {@code _total} for counters.
	 */
	public String prometheusName() {
		String prometheus = this.name.replace('.', '_');
		if (!this.baseUnit.isEmpty() && !prometheus.endsWith("_" + this.baseUnit)) {
			prometheus += "_" + this.baseUnit;
		}
		return (this.type == Meter.Type.COUNTER) ? prometheus + "_total" : prometheus;
	}

	/**
	 * The tag value of a ratio: its key in dotted lowercase, e.g.
	 * {@code resident.active}.
	 */
	public static String ratioTag(JemallocRatio ratio) {
		return dotted(ratio.key());
	}

	/** {@code backgroundThreadRuns} to {@code background.thread.runs}. */
	static String dotted(String camel) {
		return camel.replaceAll("([a-z])([A-Z])", "$1.$2").toLowerCase(Locale.ROOT);
	}

	private static String doctorRules() {
		return tagValues(MemoryDoctor.RULES.keySet().stream());
	}

	private static String ratioTagValues() {
		return tagValues(java.util.Arrays.stream(JemallocRatio.values()).map(CatzillaMeter::ratioTag));
	}

	/** {@code `a`/`b`/`c`}, as the docs' tag column shows a tag's values. */
	private static String tagValues(java.util.stream.Stream<String> values) {
		return values.map((value) -> "`" + value + "`").collect(java.util.stream.Collectors.joining("/"));
	}

	/** The meter table of {@code docs/spring.md}, one row per meter. */
	public static String markdownTable() {
		StringBuilder table = new StringBuilder();
		table.append("| Meter (Micrometer name) | Prometheus name | Type, unit | Tags | When | Meaning |\n");
		table.append("|---|---|---|---|---|---|\n");
		for (CatzillaMeter meter : values()) {
			table.append("| `")
				.append(meter.name)
				.append("` | `")
				.append(meter.prometheusName())
				.append("` | ")
				.append(meter.type.name().toLowerCase(Locale.ROOT))
				.append(meter.baseUnit.isEmpty() ? "" : ", " + meter.baseUnit)
				.append(" | ")
				.append(meter.tags.isEmpty() ? "none" : meter.tags)
				.append(" | ")
				.append(meter.when.shown())
				.append(" | ")
				.append(meter.description)
				.append(" |\n");
		}
		return table.toString();
	}

}
