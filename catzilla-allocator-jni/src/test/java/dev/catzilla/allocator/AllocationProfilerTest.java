package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The sampled live-buffer profile: unbiased estimates, release and resize tracking,
 * leaks, caps.
 */
class AllocationProfilerTest {

	private static final long KIB = 1024;

	private static final long MIB = 1024 * KIB;

	@BeforeAll
	static void requireLibrary() {
		NativeTestSupport.requireNativeLibrary();
	}

	@Test
	void aSampleOfZBytesAtMeanRWeighsZOverOneMinusEToTheMinusZOverR() {
		assertThat(AllocationProfiler.weight(512 * KIB, 512 * KIB)).isCloseTo(1 / (1 - Math.exp(-1)), within(1e-12));
		assertThat(AllocationProfiler.weight(1, 512 * KIB)).isCloseTo(512 * KIB, within(1.0));
		assertThat(AllocationProfiler.weight(100 * MIB, 512 * KIB)).isCloseTo(1, within(1e-12));
	}

	@Test
	void optionsOutOfRangeAreRejectedWithTheirName() {
		assertThatIllegalArgumentException().isThrownBy(() -> ProfilingOptions.defaults().withSampleInterval(-1))
			.withMessageContaining("sampleInterval");
		assertThatIllegalArgumentException().isThrownBy(() -> ProfilingOptions.defaults().withMaxStackDepth(0))
			.withMessageContaining("maxStackDepth");
		assertThat(ProfilingOptions.defaults().sampleInterval()).isEqualTo(4 * MIB);
		assertThat(ProfilingOptions.off().enabled()).isFalse();
	}

	/**
	 * About 1 GiB live from three call sites in mixed sizes, sampled every 64 KiB on
	 * average. The estimator's relative standard deviation for n buffers of Z bytes is
	 * sqrt((1 - p) / (p n)) with p = 1 - e^(-Z/R): 1.4 % for the 1-4 KiB site, 0.6 % for
	 * the 16-32 KiB site, 0.1 % for the 256 KiB-1 MiB site, 0.5 % for the total; the
	 * asserted 10 % and 5 % are at least 7 standard deviations away (computed below, not
	 * assumed), so the test does not flake although the sampling is random.
	 */
	@Test
	void estimatesEachSitesLiveBytesWithin10PercentAndTheTotalWithin5Percent() {
		long mean = 64 * KIB;
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder()
			.maxDirectMemory(4L * 1024 * MIB)
			.profiling(ProfilingOptions.defaults().withSampleInterval(mean))
			.build();
		List<ByteBuf> held = new ArrayList<>();
		long[] exact = new long[3];
		double[] variance = new double[3];
		long target = 341 * MIB;
		try {
			int[] small = { 1024, 2048, 3000, 4096 };
			int[] medium = { 16 * 1024, 24 * 1024, 32 * 1024 };
			int[] large = { 256 * 1024, 512 * 1024, 1024 * 1024 };
			for (int i = 0; exact[0] < target || exact[1] < target || exact[2] < target; i++) {
				if (exact[0] < target) {
					exact[0] += add(held, siteSmall(allocator, small[i % small.length]), variance, 0, mean);
				}
				if (exact[1] < target) {
					exact[1] += add(held, siteMedium(allocator, medium[i % medium.length]), variance, 1, mean);
				}
				if (exact[2] < target) {
					exact[2] += add(held, siteLarge(allocator, large[i % large.length]), variance, 2, mean);
				}
			}
			long total = exact[0] + exact[1] + exact[2];
			assertThat(allocator.usedDirectMemory()).isEqualTo(total);
			AllocationProfiler.Snapshot snapshot = allocator.profiler().snapshot();
			Map<String, Long> bySite = snapshot.sites()
				.stream()
				.collect(Collectors.groupingBy((s) -> s.stack().get(0).methodName(),
						Collectors.summingLong(AllocationProfiler.SiteProfile::liveBytes)));
			String[] names = { "siteSmall", "siteMedium", "siteLarge" };
			double totalVariance = 0;
			for (int s = 0; s < 3; s++) {
				double sigma = Math.sqrt(variance[s]) / exact[s];
				assertThat(0.10 / sigma).as("10 %% in standard deviations for %s", names[s]).isGreaterThan(7);
				assertThat((double) bySite.getOrDefault(names[s], 0L))
					.as("estimated live bytes of %s (exact %d)", names[s], exact[s])
					.isCloseTo(exact[s], within(0.10 * exact[s]));
				totalVariance += variance[s];
			}
			assertThat(0.05 / (Math.sqrt(totalVariance) / total)).isGreaterThan(7);
			assertThat((double) snapshot.liveBytes()).isCloseTo(total, within(0.05 * total));
			assertThat(snapshot.memory().samplesDropped()).isZero();
			assertThat(bySite).containsOnlyKeys(names);
		}
		finally {
			held.forEach(ByteBuf::release);
		}
		assertThat(allocator.profiler().snapshot().memory().liveSamples()).isZero();
		assertThat(allocator.profiler().snapshot().liveBytes()).isZero();
	}

	private static long add(List<ByteBuf> held, ByteBuf buf, double[] variance, int site, long mean) {
		held.add(buf);
		double z = buf.capacity();
		double p = -Math.expm1(-z / mean);
		variance[site] += z * z * (1 - p) / p;
		return buf.capacity();
	}

	private static ByteBuf siteSmall(JemallocByteBufAllocator allocator, int size) {
		return allocator.newJemallocBuffer(size, size);
	}

	private static ByteBuf siteMedium(JemallocByteBufAllocator allocator, int size) {
		return allocator.newJemallocBuffer(size, size);
	}

	private static ByteBuf siteLarge(JemallocByteBufAllocator allocator, int size) {
		return allocator.newJemallocBuffer(size, size);
	}

	@Test
	void withSamplingOffNothingIsReported() {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder()
			.profiling(ProfilingOptions.off())
			.build();
		List<ByteBuf> held = new ArrayList<>();
		for (int i = 0; i < 1000; i++) {
			held.add(allocator.newJemallocBuffer(64 * 1024, 64 * 1024));
		}
		AllocationProfiler.Snapshot snapshot = allocator.profiler().snapshot();
		held.forEach(ByteBuf::release);
		assertThat(snapshot.liveBytes()).isZero();
		assertThat(snapshot.sites()).isEmpty();
		assertThat(snapshot.memory().samplesTaken()).isZero();
		assertThat(allocator.sampler()).isNull();
	}

	@Test
	void aSampleFollowsItsBufferThroughGrowthAndShrinkingAndGoesWithItsRelease() {
		JemallocByteBufAllocator allocator = everyBuffer(ProfilingOptions.defaults());
		ByteBuf buf = allocator.newJemallocBuffer(100, 10 * 1024 * 1024);
		assertThat(liveSamples(allocator)).isEqualTo(1);
		buf.capacity(1024 * 1024);
		AllocationProfiler.LiveBuffer live = allocator.profiler().snapshot().oldest().get(0);
		assertThat(live.bytes()).isEqualTo(1024 * 1024);
		assertThat(live.requestedBytes()).isEqualTo(100);
		assertThat(live.site()).contains(AllocationProfilerTest.class.getName() + ".aSampleFollows");
		buf.capacity(64 * 1024); // a large size class: shrinks in place
		assertThat(allocator.profiler().snapshot().oldest().get(0).bytes())
			.isEqualTo(((JemallocByteBuf) buf).allocatedSize());
		buf.release();
		assertThat(liveSamples(allocator)).isZero();
		assertThat(allocator.profiler().snapshot().liveBytes()).isZero();
	}

	@Test
	void noSampleOutlivesItsBuffer() {
		JemallocByteBufAllocator allocator = everyBuffer(ProfilingOptions.defaults());
		List<ByteBuf> held = new ArrayList<>();
		for (int i = 0; i < 500; i++) {
			// >= 100 bytes: sampled at a 1-byte mean but with probability e^-100
			ByteBuf buf = allocator.newJemallocBuffer(100 + i, 1 << 20);
			if (i % 3 == 0) {
				buf.writeZero(4096 + i); // grows
			}
			held.add(buf);
		}
		assertThat(liveSamples(allocator)).isEqualTo(500);
		for (int i = 0; i < held.size(); i += 2) {
			held.get(i).release();
		}
		assertThat(liveSamples(allocator)).isEqualTo(250);
		for (int i = 1; i < held.size(); i += 2) {
			held.get(i).retain().release(2);
		}
		AllocationProfiler.Snapshot snapshot = allocator.profiler().snapshot();
		assertThat(snapshot.memory().liveSamples()).isZero();
		assertThat(snapshot.sites()).allSatisfy((s) -> assertThat(s.liveBytes()).isZero());
		assertThat(snapshot.leaks().count()).isZero();
	}

	@Test
	void theProfilersMemoryIsCappedAndWhatDidNotFitIsCounted() {
		JemallocByteBufAllocator allocator = everyBuffer(
				ProfilingOptions.defaults().withMaxSamples(5).withMaxStacks(1));
		List<ByteBuf> held = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			held.add(allocator.newJemallocBuffer(128, 128));
		}
		held.add(otherSite(allocator));
		AllocationProfiler.Memory memory = allocator.profiler().snapshot().memory();
		held.forEach(ByteBuf::release);
		assertThat(memory.liveSamples()).isEqualTo(5);
		assertThat(memory.maxSamples()).isEqualTo(5);
		assertThat(memory.samplesDropped()).isEqualTo(6);
		assertThat(memory.samplesTaken()).isEqualTo(11);
		assertThat(memory.stacks()).isEqualTo(1);
		JemallocByteBufAllocator fewStacks = everyBuffer(ProfilingOptions.defaults().withMaxStacks(1));
		ByteBuf a = fewStacks.newJemallocBuffer(128, 128);
		ByteBuf b = otherSite(fewStacks);
		AllocationProfiler.Snapshot snapshot = fewStacks.profiler().snapshot();
		a.release();
		b.release();
		assertThat(snapshot.memory().stacksDropped()).isEqualTo(1);
		assertThat(snapshot.sites()).extracting(AllocationProfiler.SiteProfile::name).contains("[site table full]");
	}

	private static ByteBuf otherSite(JemallocByteBufAllocator allocator) {
		return allocator.newJemallocBuffer(256, 256);
	}

	@Test
	void aSampledBufferCollectedWithoutReleaseIsReportedWithItsSiteBytesAndAge() throws InterruptedException {
		JemallocByteBufAllocator allocator = everyBuffer(ProfilingOptions.defaults());
		leakHere(allocator);
		AllocationProfiler.Leaks leaks = awaitLeaks(allocator);
		assertThat(leaks.count()).isEqualTo(1);
		assertThat(leaks.sampledBytes()).isEqualTo(777);
		AllocationProfiler.Leak leak = leaks.recent().get(0);
		assertThat(leak.site()).startsWith(AllocationProfilerTest.class.getName() + ".leakHere:");
		assertThat(leak.bytes()).isEqualTo(777);
		assertThat(leak.ageMillis()).isGreaterThanOrEqualTo(0);
		assertThat(leak.thread()).isEqualTo(Thread.currentThread().getName());
		assertThat(liveSamples(allocator)).isZero();
	}

	private static void leakHere(JemallocByteBufAllocator allocator) {
		allocator.newJemallocBuffer(777, 777).writeByte(1); // dropped without release()
	}

	@Test
	void nettysLeakDetectorKeepsReportingBesideTheProfiler() throws InterruptedException {
		JemallocByteBufAllocator allocator = everyBuffer(ProfilingOptions.defaults());
		String marker = LeakRecorder.DELIBERATE + "-" + UUID.randomUUID();
		leakThroughNetty(allocator, marker);
		List<String> reports = new ArrayList<>();
		for (int attempt = 0; attempt < 50 && reports.stream().noneMatch(r -> r.contains(marker)); attempt++) {
			LeakRecorder.collectAndReport(1);
			reports.addAll(LeakRecorder.drainDeliberateLeaks());
		}
		assertThat(reports).anySatisfy((r) -> assertThat(r).contains(marker).contains("LEAK"));
		AllocationProfiler.Leaks leaks = awaitLeaks(allocator);
		assertThat(leaks.recent().get(0).site()).contains(".leakThroughNetty:");
	}

	private static void leakThroughNetty(JemallocByteBufAllocator allocator, String marker) {
		ByteBuf buf = allocator.directBuffer(123);
		buf.writeLong(1);
		buf.touch(marker);
	}

	private static AllocationProfiler.Leaks awaitLeaks(JemallocByteBufAllocator allocator) throws InterruptedException {
		AllocationProfiler.Leaks leaks = allocator.profiler().leaks();
		for (int attempt = 0; attempt < 100 && leaks.count() == 0; attempt++) {
			System.gc();
			Thread.sleep(20);
			leaks = allocator.profiler().leaks();
		}
		return leaks;
	}

	private static int liveSamples(JemallocByteBufAllocator allocator) {
		return allocator.profiler().snapshot().memory().liveSamples();
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "-XX:+StackTraceInThrowable", "-XX:-StackTraceInThrowable" })
	void theSampledStackStartsAtTheCallerWithoutTheAllocatorsFramesAndIsDepthCapped(String flag) throws Exception {
		// Stacks come from a Throwable's stack trace, or from a StackWalker where the JVM
		// omits those.
		ForkedJvm.Result result = ForkedJvm.main(ProfiledStackMain.class).jvmArgs(flag).run();
		assertThat(result.exitCode()).as(result.describe()).isZero();
		assertThat(result.get("exit")).as(result.describe()).isEqualTo("normal");
		assertThat(result.get("throwableTraces")).as(result.describe())
			.isEqualTo(String.valueOf(flag.startsWith("-XX:+")));
		assertThat(result.get("sites")).as(result.describe()).isEqualTo("1");
		assertThat(result.get("site")).as(result.describe()).startsWith(ProfiledStackMain.class.getName() + ".inner:");
		assertThat(result.get("frames")).as(result.describe()).isEqualTo("[inner, middle, outer]");
	}

	/** Every buffer sampled: a mean interval of one byte. */
	private static JemallocByteBufAllocator everyBuffer(ProfilingOptions options) {
		return JemallocByteBufAllocator.builder().profiling(options.withSampleInterval(1)).build();
	}

}
