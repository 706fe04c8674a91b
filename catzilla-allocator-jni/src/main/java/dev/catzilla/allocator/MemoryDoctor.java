package dev.catzilla.allocator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Rules over jemalloc's statistics, the cap and the sampled profile that say, in words,
 * what is wrong with the native buffer memory and what to do about it (after Redis's
 * {@code MEMORY DOCTOR}). Every rule has a floor, so a small service gets no noise: a
 * ratio counts only when it is above its threshold <em>and</em> the bytes it stands for
 * are above {@link #FLOOR_BYTES} (Redis: a ratio above 1.1 and more than 10 MiB). Every
 * finding carries its numbers and one concrete action: a property, an endpoint or an
 * allocation site to look at.
 * <p>
 * The page ratios come from their one definition, {@link JemallocRatio}; the process-RSS
 * ratio ({@link JemallocRatio#PROCESS_RESIDENT_ALLOCATED}) has no rule, because the JVM
 * heap makes it far above 1 in every healthy service.
 * <p>
 * Cheap: it reads what the caller hands it ({@link Facts}); it allocates no native memory
 * and takes no lock the allocation path takes. {@link Facts#of(JemallocByteBufAllocator)}
 * takes the statistics from {@link JemallocStatistics#shared()} (at most one read per 250
 * ms).
 */
public final class MemoryDoctor {

	/** Bytes below which no ratio is worth a finding. */
	public static final long FLOOR_BYTES = 10L * 1024 * 1024;

	/**
	 * A ratio above this (with more than {@link #FLOOR_BYTES} behind it) is a finding.
	 */
	public static final double RATIO_THRESHOLD = 1.1;

	/**
	 * Live buffers older than this are suspicious: network buffers live for milliseconds.
	 */
	public static final long OLD_MILLIS = 60_000;

	/** How the verdict of a report without a warning or critical finding begins. */
	public static final String NO_PROBLEM = "No memory problem found";

	/**
	 * jemalloc's metadata above this share of its resident bytes (and above
	 * {@link #FLOOR_BYTES}) is a finding.
	 */
	public static final double METADATA_SHARE = 0.2;

	/** Used direct memory above this share of the cap is a finding. */
	public static final double NEAR_CAP = 0.9;

	/**
	 * Every rule, in the order they run, with the severity of its finding: the
	 * {@code rule} and {@code severity} tags of the {@code catzilla.doctor.findings}
	 * meter. A finding of a rule not listed here, or with another severity, is refused.
	 */
	public static final Map<String, Severity> RULES = rules("cap-refusals", Severity.CRITICAL, "near-cap",
			Severity.WARNING, "leaks", Severity.CRITICAL, "old-buffers", Severity.WARNING, "fragmentation",
			Severity.WARNING, "bin-fragmentation", Severity.WARNING, "unused-resident", Severity.INFO, "metadata",
			Severity.WARNING, "profiling-off", Severity.INFO, "profiler-full", Severity.INFO);

	private MemoryDoctor() {
	}

	private static Map<String, Severity> rules(Object... pairs) {
		Map<String, Severity> rules = new LinkedHashMap<>();
		for (int i = 0; i < pairs.length; i += 2) {
			rules.put((String) pairs[i], (Severity) pairs[i + 1]);
		}
		return java.util.Collections.unmodifiableMap(rules);
	}

	/** How bad a finding is. */
	public enum Severity {

		/** Worth knowing; nothing to fix now. */
		INFO,

		/** Costs memory or will fail requests if it goes on. */
		WARNING,

		/** Requests fail or memory is lost now. */
		CRITICAL;

		/** As the meters' {@code severity} tag shows it: {@code critical} etc. */
		public String tag() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}

	}

	/**
	 * One finding.
	 *
	 * @param rule the rule's name, e.g. {@code leaks}
	 * @param severity how bad it is
	 * @param summary what was found, with its numbers, in one sentence
	 * @param numbers the numbers behind it, by name (bytes unless the name says
	 * otherwise)
	 * @param action one concrete thing to do
	 */
	public record Finding(String rule, Severity severity, String summary, Map<String, Object> numbers, String action) {

		public Finding {
			if (RULES.get(rule) != severity) {
				throw new IllegalArgumentException(
						"Rule '" + rule + "' with severity " + severity + " is not in MemoryDoctor.RULES");
			}
			numbers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(numbers));
		}

	}

	/**
	 * What the doctor found.
	 *
	 * @param verdict one sentence: the worst finding, or that nothing was found
	 * @param findings every finding, the worst first
	 */
	public record Report(String verdict, List<Finding> findings) {

		public Report {
			findings = List.copyOf(findings);
		}

		/**
		 * The report as text, a finding a paragraph (for logs and the diagnostics
		 * command).
		 */
		public String toText() {
			StringBuilder text = new StringBuilder(this.verdict).append('\n');
			for (Finding finding : this.findings) {
				text.append('\n')
					.append(finding.severity())
					.append(' ')
					.append(finding.rule())
					.append(": ")
					.append(finding.summary())
					.append("\n  -> ")
					.append(finding.action())
					.append('\n');
			}
			return text.toString();
		}

	}

	/**
	 * What the rules look at.
	 *
	 * @param statistics jemalloc's statistics
	 * @param usedDirect bytes live buffers of the allocator hold
	 * ({@link JemallocByteBufAllocator#usedDirectMemory()})
	 * @param maxDirect the allocator's cap
	 * @param refusedAllocations allocations refused at the cap so far
	 * @param refusedBytes the bytes they asked for
	 * @param options the options jemalloc runs with
	 * @param profile the sampled profile, {@code null} when sampling is off
	 */
	public record Facts(JemallocStatistics.Snapshot statistics, long usedDirect, long maxDirect,
			long refusedAllocations, long refusedBytes, JemallocOptions options, AllocationProfiler.Snapshot profile) {

		public Facts {
			Objects.requireNonNull(statistics, "statistics");
			Objects.requireNonNull(options, "options");
		}

		/**
		 * The facts of {@code allocator} now: the shared statistics snapshot and the
		 * profile.
		 */
		public static Facts of(JemallocByteBufAllocator allocator) {
			return of(allocator, JemallocStatistics.shared().get());
		}

		/** The facts of {@code allocator} with statistics read by the caller. */
		public static Facts of(JemallocByteBufAllocator allocator, JemallocStatistics.Snapshot statistics) {
			AllocationProfiler profiler = allocator.profiler();
			return new Facts(statistics, allocator.usedDirectMemory(), allocator.maxDirectMemory(),
					allocator.refusedAllocations(), allocator.refusedBytes(), Jemalloc.requestedOptions(),
					profiler.enabled() ? profiler.snapshot() : null);
		}

	}

	/** Runs every rule over {@code facts}. */
	public static Report examine(Facts facts) {
		List<Finding> findings = new ArrayList<>();
		refusals(facts, findings);
		nearCap(facts, findings);
		leaks(facts, findings);
		oldBuffers(facts, findings);
		fragmentation(facts, findings);
		binFragmentation(facts, findings);
		unusedResident(facts, findings);
		metadata(facts, findings);
		profiler(facts, findings);
		findings.sort((a, b) -> b.severity().compareTo(a.severity()));
		String verdict;
		if (findings.isEmpty() || findings.get(0).severity() == Severity.INFO) {
			JemallocStatistics.Snapshot stats = facts.statistics();
			verdict = NO_PROBLEM + ": live buffers hold " + bytes(facts.usedDirect()) + " of a "
					+ bytes(facts.maxDirect()) + " cap; jemalloc has " + bytes(stats.get(JemallocStatistic.ALLOCATED))
					+ " allocated in " + bytes(stats.get(JemallocStatistic.ACTIVE)) + " of active pages, "
					+ bytes(stats.get(JemallocStatistic.RESIDENT)) + " resident.";
		}
		else {
			long problems = findings.stream().filter((f) -> f.severity() != Severity.INFO).count();
			verdict = problems + " memory problem(s) found; the worst: " + findings.get(0).summary();
		}
		return new Report(verdict, findings);
	}

	// ---------------------------------------------------------------- rules

	private static void refusals(Facts facts, List<Finding> findings) {
		if (facts.refusedAllocations() == 0) {
			return;
		}
		findings.add(new Finding("cap-refusals", Severity.CRITICAL,
				facts.refusedAllocations() + " allocation(s) asking for " + bytes(facts.refusedBytes())
						+ " in total were refused at the cap of " + bytes(facts.maxDirect()) + " (now "
						+ bytes(facts.usedDirect()) + " used)" + topSite(facts, "; the most live bytes are at "),
				Map.of("refusedAllocations", facts.refusedAllocations(), "refusedBytes", facts.refusedBytes(),
						"usedDirect", facts.usedDirect(), "maxDirect", facts.maxDirect()),
				"If the load is legitimate raise catzilla.jemalloc.max-direct-memory (or -XX:MaxDirectMemorySize); "
						+ "otherwise look at the top live sites at /actuator/catzilla/profile: something holds "
						+ "buffers longer than a request."));
	}

	private static void nearCap(Facts facts, List<Finding> findings) {
		if (facts.maxDirect() <= 0 || facts.usedDirect() < FLOOR_BYTES
				|| facts.usedDirect() < NEAR_CAP * facts.maxDirect()) {
			return;
		}
		findings.add(new Finding("near-cap", Severity.WARNING,
				"Live buffers hold " + bytes(facts.usedDirect()) + ", " + percent(facts.usedDirect(), facts.maxDirect())
						+ " of the cap of " + bytes(facts.maxDirect())
						+ topSite(facts, "; the most live bytes are at "),
				Map.of("usedDirect", facts.usedDirect(), "maxDirect", facts.maxDirect()),
				"Allocations past the cap fail with 503: raise catzilla.jemalloc.max-direct-memory if this is the "
						+ "normal peak, or find the holder in /actuator/catzilla/profile."));
	}

	private static void leaks(Facts facts, List<Finding> findings) {
		AllocationProfiler.Snapshot profile = facts.profile();
		if (profile == null || profile.leaks().count() == 0) {
			return;
		}
		AllocationProfiler.Leaks leaks = profile.leaks();
		String where = leaks.recent().isEmpty() ? "" : "; the latest was allocated at " + leaks.recent().get(0).site()
				+ ", " + leaks.recent().get(0).ageMillis() + " ms before it was found";
		findings.add(new Finding("leaks", Severity.CRITICAL,
				leaks.count() + " sampled buffer(s) standing for about " + bytes(leaks.estimatedBytes())
						+ " were garbage-collected without release()" + where,
				Map.of("sampledLeaks", leaks.count(), "estimatedBytes", leaks.estimatedBytes()),
				"Release the buffer on every path after that site (stacks under leaks at "
						+ "/actuator/catzilla/profile); -Dio.netty.leakDetection.level=paranoid records its last "
						+ "accesses."));
	}

	private static void oldBuffers(Facts facts, List<Finding> findings) {
		AllocationProfiler.Snapshot profile = facts.profile();
		if (profile == null) {
			return;
		}
		long old = 0;
		for (AllocationProfiler.AgeBucket bucket : profile.ages()) {
			if (bucket.upToMillis() < 0 || bucket.upToMillis() > OLD_MILLIS) {
				old += bucket.liveBytes();
			}
		}
		if (old < FLOOR_BYTES || old * 10 < profile.liveBytes()) {
			return;
		}
		String oldest = "";
		if (!profile.oldest().isEmpty()) {
			AllocationProfiler.LiveBuffer buffer = profile.oldest().get(0);
			oldest = "; the oldest (" + (buffer.ageMillis() / 1000) + " s, " + bytes(buffer.bytes()) + ") from "
					+ buffer.site();
		}
		findings.add(new Finding("old-buffers", Severity.WARNING,
				"About " + bytes(old) + " (" + percent(old, profile.liveBytes())
						+ " of the live buffer bytes) are held by buffers older than a minute" + oldest,
				Map.of("olderThanAMinuteBytes", old, "liveBytes", profile.liveBytes()),
				"Network buffers should live for milliseconds: look at that site (oldest at "
						+ "/actuator/catzilla/profile) for a cache, an aggregation or a reference kept after use."));
	}

	private static void fragmentation(Facts facts, List<Finding> findings) {
		JemallocStatistics.Snapshot stats = facts.statistics();
		JemallocRatio ratio = JemallocRatio.ACTIVE_ALLOCATED;
		if (!over(stats, ratio, RATIO_THRESHOLD)) {
			return;
		}
		long active = ratio.numerator(stats);
		long allocated = ratio.denominator(stats);
		findings.add(new Finding("fragmentation", Severity.WARNING,
				"Active pages hold " + bytes(active) + " for " + bytes(allocated) + " allocated ("
						+ rounded(ratio.ratio(stats)) + "x, " + bytes(ratio.bytes(stats))
						+ " in partly used pages and size-class rounding)",
				Map.of("active", active, "allocated", allocated, "ratio", rounded(ratio.ratio(stats)), "bytes",
						ratio.bytes(stats)),
				"Many partly used slabs, usually after a peak of small buffers: it shrinks as they are freed; with "
						+ "many arenas a lower catzilla.jemalloc.arenas packs them tighter."));
	}

	private static void binFragmentation(Facts facts, List<Finding> findings) {
		JemallocStatistics.Snapshot stats = facts.statistics();
		JemallocRatio ratio = JemallocRatio.BIN_FRAGMENTATION;
		JemallocStatistics.Bin worst = stats.worstBin();
		if (worst == null || !over(stats, ratio, RATIO_THRESHOLD)) {
			return;
		}
		findings.add(
				new Finding("bin-fragmentation", Severity.WARNING,
						"The small size classes' slabs hold " + bytes(ratio.numerator(stats)) + " for "
								+ bytes(ratio.denominator(stats)) + " in use (" + rounded(ratio.ratio(stats)) + "x, "
								+ bytes(ratio.bytes(stats)) + " in free regions); the worst is the " + worst.size()
								+ " B class: " + worst.regions() + " regions in use in " + worst.slabs() + " slabs of "
								+ worst.regionsPerSlab() + " (" + Math.round(100 * worst.utilisation()) + "% used, "
								+ bytes(worst.wastedBytes()) + " free)",
						Map.of("slabBytes", ratio.numerator(stats), "usedBytes", ratio.denominator(stats), "ratio",
								rounded(ratio.ratio(stats)), "bytes", ratio.bytes(stats), "worstBinSize", worst
									.size(),
								"worstBinWastedBytes", worst.wastedBytes(), "worstBinUtilisation",
								rounded(worst.utilisation())),
						"Buffers of " + worst.size()
								+ " B or just under were many at a peak and a few still live in each "
								+ "slab: find who holds them (/actuator/catzilla/profile, sites by live bytes); new "
								+ "allocations of that size reuse the free regions, and a lower catzilla.jemalloc.arenas "
								+ "spreads them over fewer slabs."));
	}

	private static void unusedResident(Facts facts, List<Finding> findings) {
		JemallocStatistics.Snapshot stats = facts.statistics();
		JemallocRatio ratio = JemallocRatio.RESIDENT_ACTIVE;
		if (!over(stats, ratio, RATIO_THRESHOLD)) {
			return;
		}
		long resident = ratio.numerator(stats);
		long active = ratio.denominator(stats);
		JemallocOptions options = facts.options();
		String action;
		if (!options.backgroundThread()) {
			action = "Background threads are off, so decay runs only when jemalloc is called: set "
					+ "catzilla.jemalloc.background-thread=true, or POST /actuator/catzilla to purge now.";
		}
		else {
			action = "Freed pages kept for reuse: they go back within catzilla.jemalloc.dirty-decay ("
					+ duration(options.dirtyDecay()) + ") or catzilla.jemalloc.quiet-purge ("
					+ duration(options.quietPurge()) + ") after the load drops; lower either to return them "
					+ "sooner, or POST /actuator/catzilla to purge now.";
		}
		findings.add(new Finding("unused-resident", Severity.INFO,
				"jemalloc keeps " + bytes(ratio.bytes(stats)) + " resident beyond its active pages (" + bytes(resident)
						+ " resident, " + bytes(active) + " active, " + rounded(ratio.ratio(stats)) + "x; "
						+ bytes(stats.get(JemallocStatistic.DIRTY)) + " of it in dirty pages)",
				Map.of("resident", resident, "active", active, "ratio", rounded(ratio.ratio(stats)), "bytes",
						ratio.bytes(stats), "dirty", stats.get(JemallocStatistic.DIRTY)),
				action));
	}

	private static void metadata(Facts facts, List<Finding> findings) {
		JemallocStatistics.Snapshot stats = facts.statistics();
		JemallocRatio ratio = JemallocRatio.METADATA_SHARE;
		if (ratio.bytes(stats) < FLOOR_BYTES || ratio.ratio(stats) < METADATA_SHARE) {
			return;
		}
		findings.add(new Finding("metadata", Severity.WARNING,
				"jemalloc's own metadata takes " + bytes(ratio.bytes(stats)) + ", "
						+ percent(ratio.numerator(stats), ratio.denominator(stats)) + " of its resident memory",
				Map.of("metadata", ratio.numerator(stats), "resident", ratio.denominator(stats), "ratio",
						rounded(ratio.ratio(stats))),
				"Usually many arenas with little in each: set catzilla.jemalloc.arenas to a small number "
						+ "(e.g. the number of event-loop threads)."));
	}

	private static void profiler(Facts facts, List<Finding> findings) {
		AllocationProfiler.Snapshot profile = facts.profile();
		if (profile == null) {
			findings.add(new Finding("profiling-off", Severity.INFO,
					"Sampling is off, so the doctor cannot say which code holds the buffers", Map.of(),
					"Set catzilla.profile.sample-interval (default 4MB) to see the live buffers by site."));
			return;
		}
		AllocationProfiler.Memory memory = profile.memory();
		if (memory.samplesDropped() == 0 && memory.stacksDropped() == 0 && memory.framesDropped() == 0) {
			return;
		}
		findings.add(new Finding("profiler-full", Severity.INFO,
				"The profiler dropped " + memory.samplesDropped() + " sample(s), " + memory.stacksDropped()
						+ " stack(s) and " + memory.framesDropped() + " frame(s) at its caps, so its estimates are low",
				Map.of("samplesDropped", memory.samplesDropped(), "maxSamples", memory.maxSamples(), "stacksDropped",
						memory.stacksDropped(), "maxStacks", memory.maxStacks()),
				"Raise catzilla.profile.max-samples / max-stacks, or a larger catzilla.profile.sample-interval."));
	}

	// ---------------------------------------------------------------- helpers

	/**
	 * The ratio above {@code threshold} and the bytes it stands for above
	 * {@link #FLOOR_BYTES} (Redis's floor).
	 */
	private static boolean over(JemallocStatistics.Snapshot stats, JemallocRatio ratio, double threshold) {
		return ratio.bytes(stats) > FLOOR_BYTES && ratio.ratio(stats) > threshold;
	}

	private static String topSite(Facts facts, String prefix) {
		AllocationProfiler.Snapshot profile = facts.profile();
		if (profile == null || profile.sites().isEmpty() || profile.sites().get(0).liveBytes() == 0) {
			return "";
		}
		AllocationProfiler.SiteProfile top = profile.sites().get(0);
		return prefix + top.name() + " (about " + bytes(top.liveBytes()) + ")";
	}

	static double rounded(double ratio) {
		return Math.round(100.0 * ratio) / 100.0;
	}

	private static String percent(long part, long whole) {
		return (whole == 0) ? "0%" : Math.round(100.0 * part / whole) + "%";
	}

	private static String duration(Duration duration) {
		return duration.isNegative() ? "never" : duration.toMillis() + " ms";
	}

	static String bytes(long bytes) {
		if (bytes >= 10L * 1024 * 1024 * 1024) {
			return (bytes >> 30) + " GiB";
		}
		if (bytes >= 10L * 1024 * 1024) {
			return (bytes >> 20) + " MiB";
		}
		if (bytes >= 10L * 1024) {
			return (bytes >> 10) + " KiB";
		}
		return bytes + " B";
	}

}
