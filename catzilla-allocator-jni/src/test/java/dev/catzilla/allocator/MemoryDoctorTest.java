package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The memory doctor's rules: each fires above its threshold and floor only, with its
 * numbers and an action.
 */
class MemoryDoctorTest {

	private static final long MIB = 1024 * 1024;

	private static final JemallocOptions OPTIONS = JemallocOptions.defaults();

	@Test
	void aHealthyServiceGetsNoFindingAndAVerdictWithItsNumbers() {
		MemoryDoctor.Report report = MemoryDoctor.examine(facts(stats(100 * MIB, 104 * MIB, 108 * MIB), 0, 0,
				profile(List.of(), new AllocationProfiler.Leaks(0, 0, 0, List.of()))));
		assertThat(report.findings()).isEmpty();
		assertThat(report.verdict()).startsWith("No memory problem found")
			.contains("100 MiB allocated")
			.contains("of a 1024 MiB cap");
	}

	@Test
	void fragmentationNeedsBothARatioAboveOnePointOneAndMoreThanTenMegabytes() {
		// 1.5x but only 5 MiB: a small service, no noise.
		assertThat(rules(stats(10 * MIB, 15 * MIB, 15 * MIB))).doesNotContain("fragmentation");
		// 30 MiB but 1.03x: a big service with a normal rounding loss.
		assertThat(rules(stats(1000 * MIB, 1030 * MIB, 1030 * MIB))).doesNotContain("fragmentation");
		MemoryDoctor.Report report = MemoryDoctor.examine(facts(stats(100 * MIB, 150 * MIB, 150 * MIB), 0, 0, null));
		MemoryDoctor.Finding finding = find(report, "fragmentation");
		assertThat(finding.severity()).isEqualTo(MemoryDoctor.Severity.WARNING);
		assertThat(finding.summary()).contains("150 MiB").contains("100 MiB").contains("1.5x").contains("50 MiB");
		assertThat(finding.numbers()).containsEntry("active", 150 * MIB).containsEntry("ratio", 1.5);
		assertThat(finding.action()).contains("catzilla.jemalloc.arenas");
		assertThat(report.verdict()).startsWith("1 memory problem(s) found");
	}

	@Test
	void residentPagesBeyondTheActiveOnesPointAtDecayQuietPurgeOrTheBackgroundThreads() {
		MemoryDoctor.Finding finding = find(
				MemoryDoctor.examine(facts(stats(100 * MIB, 100 * MIB, 300 * MIB), 0, 0, null)), "unused-resident");
		assertThat(finding.summary()).contains("200 MiB resident beyond its active pages").contains("3.0x");
		assertThat(finding.action()).contains("catzilla.jemalloc.dirty-decay (10000 ms)")
			.contains("catzilla.jemalloc.quiet-purge (1000 ms)");
		JemallocOptions noBackground = JemallocOptions.builder().backgroundThread(false).build();
		MemoryDoctor.Facts facts = new MemoryDoctor.Facts(stats(100 * MIB, 100 * MIB, 300 * MIB), 0, 1024 * MIB, 0, 0,
				noBackground, null);
		assertThat(find(MemoryDoctor.examine(facts), "unused-resident").action())
			.contains("catzilla.jemalloc.background-thread=true");
	}

	@Test
	void binFragmentationNeedsARatioAboveOnePointOneAndTenMegabytesFreeAndNamesTheWorstSizeClass() {
		// 3072 B class: 1,000 slabs of 20 regions, 4,000 in use (20 %): 48 MiB free in
		// its slabs
		JemallocStatistics.Bin sparse = JemallocStatistics.Bin.of(27, 3072, 20, 4000, 1000);
		// 64 B class: full slabs
		JemallocStatistics.Bin full = JemallocStatistics.Bin.of(4, 64, 64, 64 * 1000, 1000);
		MemoryDoctor.Report report = MemoryDoctor
			.examine(facts(withBins(100 * MIB, 104 * MIB, 108 * MIB, MIB, List.of(full, sparse)), 0, 0, null));
		MemoryDoctor.Finding finding = find(report, "bin-fragmentation");
		assertThat(finding.severity()).isEqualTo(MemoryDoctor.Severity.WARNING);
		assertThat(finding.summary()).contains("the worst is the 3072 B class")
			.contains("4000 regions in use in 1000 slabs of 20 (20% used, 46 MiB free)");
		assertThat(finding.numbers()).containsEntry("worstBinSize", 3072L)
			.containsEntry("worstBinWastedBytes", 16000L * 3072)
			.containsEntry("bytes", JemallocRatio.BIN_FRAGMENTATION.bytes(withBins(0, 0, 0, 0, List.of(full, sparse))));
		assertThat(finding.action()).contains("/actuator/catzilla/profile");
		// below the floor: 100 slabs of 20 regions, 1 in use: 2.5x over all bins but 6 MB
		// free
		JemallocStatistics.Bin small = JemallocStatistics.Bin.of(27, 3072, 20, 1, 100);
		assertThat(rules(withBins(100 * MIB, 104 * MIB, 108 * MIB, MIB, List.of(full, small))))
			.doesNotContain("bin-fragmentation");
		// above the floor but 1.03x: 21 MB free against 818 MB in use
		JemallocStatistics.Bin big = JemallocStatistics.Bin.of(4, 64, 64, 64L * 100_000, 100_000);
		JemallocStatistics.Bin mild = JemallocStatistics.Bin.of(27, 3072, 20, 133_000, 7_000);
		assertThat(JemallocRatio.BIN_FRAGMENTATION.ratio(withBins(0, 0, 0, 0, List.of(big, mild)))).isLessThan(1.1);
		assertThat(JemallocRatio.BIN_FRAGMENTATION.bytes(withBins(0, 0, 0, 0, List.of(big, mild))))
			.isGreaterThan(10 * MIB);
		assertThat(rules(withBins(500 * MIB, 520 * MIB, 530 * MIB, MIB, List.of(big, mild))))
			.doesNotContain("bin-fragmentation");
	}

	@Test
	void theDoctorsPageRatiosAreTheOnesJemallocRatioDefines() {
		JemallocStatistics.Snapshot stats = stats(100 * MIB, 150 * MIB, 300 * MIB);
		MemoryDoctor.Report report = MemoryDoctor.examine(facts(stats, 0, 0, null));
		assertThat(find(report, "fragmentation").numbers())
			.containsEntry("ratio", MemoryDoctor.rounded(JemallocRatio.ACTIVE_ALLOCATED.ratio(stats)))
			.containsEntry("bytes", JemallocRatio.ACTIVE_ALLOCATED.bytes(stats));
		assertThat(find(report, "unused-resident").numbers())
			.containsEntry("ratio", MemoryDoctor.rounded(JemallocRatio.RESIDENT_ACTIVE.ratio(stats)))
			.containsEntry("bytes", JemallocRatio.RESIDENT_ACTIVE.bytes(stats));
		// the process RSS is 4x allocated here (the JVM heap): no rule compares it with
		// 1.1
		assertThat(JemallocRatio.PROCESS_RESIDENT_ALLOCATED.ratio(stats)).isGreaterThan(1.1);
		assertThat(report.findings()).extracting(MemoryDoctor.Finding::rule)
			.containsExactlyInAnyOrder("fragmentation", "unused-resident", "profiling-off");
	}

	@Test
	void metadataAboveAFifthOfResidentAndTenMegabytesIsAFinding() {
		assertThat(rules(withBins(100 * MIB, 100 * MIB, 100 * MIB, 25 * MIB, List.of()))).contains("metadata");
		assertThat(rules(withBins(100 * MIB, 100 * MIB, 100 * MIB, 15 * MIB, List.of()))).doesNotContain("metadata");
		assertThat(rules(withBins(10 * MIB, 10 * MIB, 20 * MIB, 9 * MIB, List.of()))).doesNotContain("metadata");
	}

	@Test
	void refusalsAtTheCapAreCriticalAndComeFirstWithTheTopLiveSite() {
		AllocationProfiler.SiteProfile site = new AllocationProfiler.SiteProfile("com.example.Cache.put:42", List.of(),
				900 * MIB, 900, 30, 0, 0, 0, 0);
		MemoryDoctor.Facts facts = new MemoryDoctor.Facts(stats(1000 * MIB, 1500 * MIB, 1500 * MIB), 1000 * MIB,
				1024 * MIB, 7, 7 * MIB, OPTIONS,
				profile(List.of(site), new AllocationProfiler.Leaks(0, 0, 0, List.of())));
		MemoryDoctor.Report report = MemoryDoctor.examine(facts);
		assertThat(report.findings()).extracting(MemoryDoctor.Finding::rule)
			.startsWith("cap-refusals")
			.contains("near-cap", "fragmentation");
		MemoryDoctor.Finding refusals = report.findings().get(0);
		assertThat(refusals.severity()).isEqualTo(MemoryDoctor.Severity.CRITICAL);
		assertThat(refusals.summary()).contains("7 allocation(s)").contains("com.example.Cache.put:42");
		assertThat(refusals.action()).contains("catzilla.jemalloc.max-direct-memory");
		assertThat(report.verdict()).startsWith("3 memory problem(s) found; the worst: 7 allocation(s)");
	}

	@Test
	void buffersOlderThanAMinuteAreAFindingOnlyWhenTheyAreAShareOfTheLiveBytesAboveTheFloor() {
		List<AllocationProfiler.AgeBucket> ages = List.of(
				new AllocationProfiler.AgeBucket("<10ms", 10, 50 * MIB, 50, 5),
				new AllocationProfiler.AgeBucket("1m-10m", 600_000, 40 * MIB, 4, 2));
		AllocationProfiler.LiveBuffer oldest = new AllocationProfiler.LiveBuffer("com.example.Aggregator.join:17",
				List.of(), 20 * MIB, 20 * MIB, 20 * MIB, 125_000, "reactor-http-epoll-1");
		AllocationProfiler.Snapshot snapshot = new AllocationProfiler.Snapshot(0, 0, 4 * MIB, 60_000, 90 * MIB, 54,
				List.of(), ages, List.of(oldest), new AllocationProfiler.Leaks(0, 0, 0, List.of()), memory(0));
		MemoryDoctor.Finding finding = find(
				MemoryDoctor.examine(facts(stats(90 * MIB, 91 * MIB, 92 * MIB), 0, 0, snapshot)), "old-buffers");
		assertThat(finding.summary()).contains("40 MiB")
			.contains("44%")
			.contains("125 s")
			.contains("Aggregator.join:17");
		List<AllocationProfiler.AgeBucket> small = List
			.of(new AllocationProfiler.AgeBucket("1m-10m", 600_000, 5 * MIB, 1, 1));
		AllocationProfiler.Snapshot few = new AllocationProfiler.Snapshot(0, 0, 4 * MIB, 60_000, 5 * MIB, 1, List.of(),
				small, List.of(), new AllocationProfiler.Leaks(0, 0, 0, List.of()), memory(0));
		assertThat(MemoryDoctor.examine(facts(stats(5 * MIB, 5 * MIB, 5 * MIB), 0, 0, few)).findings()).isEmpty();
	}

	@Test
	void aProfilerAtItsCapsSaysItsEstimatesAreLowAndNoProfileSaysHowToGetOne() {
		AllocationProfiler.Snapshot full = profile(List.of(), new AllocationProfiler.Leaks(0, 0, 0, List.of()));
		full = new AllocationProfiler.Snapshot(0, 0, 4 * MIB, 60_000, 0, 0, List.of(), List.of(), List.of(),
				full.leaks(), memory(12));
		assertThat(find(MemoryDoctor.examine(facts(stats(0, 0, 0), 0, 0, full)), "profiler-full").action())
			.contains("catzilla.profile.max-samples");
		MemoryDoctor.Report off = MemoryDoctor.examine(facts(stats(0, 0, 0), 0, 0, null));
		assertThat(find(off, "profiling-off").severity()).isEqualTo(MemoryDoctor.Severity.INFO);
		assertThat(off.verdict()).startsWith("No memory problem found");
	}

	@Test
	void aRealLeakIsFoundWithTheSiteThatAllocatedIt() throws InterruptedException {
		NativeTestSupport.requireNativeLibrary();
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder()
			.profiling(ProfilingOptions.defaults().withSampleInterval(1))
			.build();
		leakHere(allocator);
		MemoryDoctor.Report report = MemoryDoctor.examine(MemoryDoctor.Facts.of(allocator));
		for (int attempt = 0; attempt < 100
				&& report.findings().stream().noneMatch((f) -> f.rule().equals("leaks")); attempt++) {
			System.gc();
			Thread.sleep(20);
			report = MemoryDoctor.examine(MemoryDoctor.Facts.of(allocator));
		}
		MemoryDoctor.Finding leaks = find(report, "leaks");
		assertThat(leaks.severity()).isEqualTo(MemoryDoctor.Severity.CRITICAL);
		assertThat(leaks.summary()).startsWith("1 sampled buffer(s)")
			.contains(MemoryDoctorTest.class.getName() + ".leakHere:");
		assertThat(report.toText()).contains("CRITICAL leaks: ").contains("-> Release the buffer");
	}

	private static void leakHere(JemallocByteBufAllocator allocator) {
		allocator.newJemallocBuffer(4321, 4321).writeByte(1); // dropped without release()
	}

	private static List<String> rules(JemallocStatistics.Snapshot stats) {
		return MemoryDoctor.examine(facts(stats, 0, 0, null))
			.findings()
			.stream()
			.map(MemoryDoctor.Finding::rule)
			.toList();
	}

	private static MemoryDoctor.Finding find(MemoryDoctor.Report report, String rule) {
		return report.findings()
			.stream()
			.filter((f) -> f.rule().equals(rule))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no " + rule + " finding in " + report.toText()));
	}

	static JemallocStatistics.Snapshot stats(long allocated, long active, long resident) {
		return withBins(allocated, active, resident, MIB, List.of());
	}

	static JemallocStatistics.Snapshot withBins(long allocated, long active, long resident, long metadata,
			List<JemallocStatistics.Bin> bins) {
		java.util.Map<JemallocStatistic, Long> totals = new java.util.EnumMap<>(JemallocStatistic.class);
		totals.put(JemallocStatistic.ALLOCATED, allocated);
		totals.put(JemallocStatistic.ACTIVE, active);
		totals.put(JemallocStatistic.RESIDENT, resident);
		totals.put(JemallocStatistic.MAPPED, resident);
		totals.put(JemallocStatistic.METADATA, metadata);
		totals.put(JemallocStatistic.DIRTY, Math.max(0, resident - active - metadata));
		return new JemallocStatistics.Snapshot(JemallocStatistics.Snapshot.ofTotals(totals, -1).totals(), List.of(),
				bins, List.of(), 4 * resident, 4096);
	}

	private static MemoryDoctor.Facts facts(JemallocStatistics.Snapshot stats, long refused, long refusedBytes,
			AllocationProfiler.Snapshot profile) {
		return new MemoryDoctor.Facts(stats, stats.get(JemallocStatistic.ALLOCATED) / 2, 1024 * MIB, refused,
				refusedBytes, OPTIONS, profile);
	}

	private static AllocationProfiler.Snapshot profile(List<AllocationProfiler.SiteProfile> sites,
			AllocationProfiler.Leaks leaks) {
		return new AllocationProfiler.Snapshot(0, 0, 4 * MIB, 60_000, 0, 0, sites, List.of(), List.of(), leaks,
				memory(0));
	}

	private static AllocationProfiler.Memory memory(long dropped) {
		return new AllocationProfiler.Memory(0, 100_000, 0, dropped, 0, 100_000, 0, 0, 10_000, 0);
	}

}
