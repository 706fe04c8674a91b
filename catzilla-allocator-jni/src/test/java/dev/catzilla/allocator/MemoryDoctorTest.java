package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The memory doctor's rules: each fires above its threshold and floor only, with its numbers and an action. */
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
		MemoryDoctor.Finding finding = find(MemoryDoctor.examine(facts(stats(100 * MIB, 100 * MIB, 300 * MIB), 0, 0,
				null)), "unused-resident");
		assertThat(finding.summary()).contains("200 MiB resident beyond its active pages").contains("3.0x");
		assertThat(finding.action()).contains("catzilla.jemalloc.dirty-decay (10000 ms)")
			.contains("catzilla.jemalloc.quiet-purge (1000 ms)");
		JemallocOptions noBackground = JemallocOptions.builder().backgroundThread(false).build();
		MemoryDoctor.Facts facts = new MemoryDoctor.Facts(stats(100 * MIB, 100 * MIB, 300 * MIB), 0, 1024 * MIB, 0,
				0, noBackground, null);
		assertThat(find(MemoryDoctor.examine(facts), "unused-resident").action())
			.contains("catzilla.jemalloc.background-thread=true");
	}

	@Test
	void refusalsAtTheCapAreCriticalAndComeFirstWithTheTopLiveSite() {
		AllocationProfiler.SiteProfile site = new AllocationProfiler.SiteProfile("com.example.Cache.put:42",
				List.of(), 900 * MIB, 900, 30, 0, 0, 0, 0);
		MemoryDoctor.Facts facts = new MemoryDoctor.Facts(stats(1000 * MIB, 1500 * MIB, 1500 * MIB), 1000 * MIB,
				1024 * MIB, 7, 7 * MIB, OPTIONS, profile(List.of(site), new AllocationProfiler.Leaks(0, 0, 0, List.of())));
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
		List<AllocationProfiler.AgeBucket> ages = List.of(new AllocationProfiler.AgeBucket("<10ms", 10, 50 * MIB, 50, 5),
				new AllocationProfiler.AgeBucket("1m-10m", 600_000, 40 * MIB, 4, 2));
		AllocationProfiler.LiveBuffer oldest = new AllocationProfiler.LiveBuffer("com.example.Aggregator.join:17",
				List.of(), 20 * MIB, 20 * MIB, 20 * MIB, 125_000, "reactor-http-epoll-1");
		AllocationProfiler.Snapshot snapshot = new AllocationProfiler.Snapshot(0, 0, 4 * MIB, 60_000, 90 * MIB, 54,
				List.of(), ages, List.of(oldest), new AllocationProfiler.Leaks(0, 0, 0, List.of()), memory(0));
		MemoryDoctor.Finding finding = find(MemoryDoctor.examine(facts(stats(90 * MIB, 91 * MIB, 92 * MIB), 0, 0,
				snapshot)), "old-buffers");
		assertThat(finding.summary()).contains("40 MiB").contains("44%").contains("125 s").contains("Aggregator.join:17");
		List<AllocationProfiler.AgeBucket> small = List.of(new AllocationProfiler.AgeBucket("1m-10m", 600_000,
				5 * MIB, 1, 1));
		AllocationProfiler.Snapshot few = new AllocationProfiler.Snapshot(0, 0, 4 * MIB, 60_000, 5 * MIB, 1,
				List.of(), small, List.of(), new AllocationProfiler.Leaks(0, 0, 0, List.of()), memory(0));
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
		for (int attempt = 0; attempt < 100 && report.findings().stream().noneMatch((f) -> f.rule().equals("leaks"));
				attempt++) {
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

	private static List<String> rules(JemallocStats stats) {
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

	private static JemallocStats stats(long allocated, long active, long resident) {
		return new JemallocStats(allocated, active, resident, resident, 0, MIB);
	}

	private static MemoryDoctor.Facts facts(JemallocStats stats, long refused, long refusedBytes,
			AllocationProfiler.Snapshot profile) {
		return new MemoryDoctor.Facts(stats, stats.allocated() / 2, 1024 * MIB, refused, refusedBytes, OPTIONS,
				profile);
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
