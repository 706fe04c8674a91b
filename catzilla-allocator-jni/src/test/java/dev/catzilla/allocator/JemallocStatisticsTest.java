package dev.catzilla.allocator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.within;

/**
 * The statistics model read by name on the real jemalloc, the ratios from given numbers,
 * and the cache.
 */
class JemallocStatisticsTest {

	private static final long MIB = 1024 * 1024;

	@Test
	void everyStatisticOfTheModelIsReadByItsNameAndType() {
		NativeTestSupport.requireNativeLibrary();
		Jemalloc.initialize();
		for (JemallocStatistic statistic : JemallocStatistic.values()) {
			// index 0: arena 0 exists once jemalloc is initialised; bin and large class 0
			// always exist
			long value = JemallocStatistics.readByName(statistic.mallctlName(0), statistic.type());
			assertThat(value).as("%s (%s)", statistic, statistic.mallctl()).isNotNegative();
		}
	}

	@Test
	void aSnapshotIsPlausibleAndConsistent() {
		NativeTestSupport.requireNativeLibrary();
		// at rest; a thread of an earlier test that ends flushes its cache meanwhile, so
		// a torn snapshot is read again
		JemallocStatistics.Snapshot read = JemallocStatistics.read();
		for (int attempt = 1; attempt < 3
				&& read.get(JemallocStatistic.ACTIVE) < read.get(JemallocStatistic.ALLOCATED); attempt++) {
			read = JemallocStatistics.read();
		}
		JemallocStatistics.Snapshot snapshot = read;
		long allocated = snapshot.get(JemallocStatistic.ALLOCATED);
		long active = snapshot.get(JemallocStatistic.ACTIVE);
		assertThat(active).isGreaterThanOrEqualTo(allocated);
		assertThat(active % snapshot.pageSize()).isZero();
		assertThat(snapshot.get(JemallocStatistic.MAPPED)).isGreaterThanOrEqualTo(active);
		assertThat(snapshot.get(JemallocStatistic.METADATA)).isPositive();
		assertThat(snapshot.get(JemallocStatistic.DIRTY) % snapshot.pageSize()).isZero();
		assertThat(snapshot.get(JemallocStatistic.ARENAS)).isPositive();
		assertThat(snapshot.get(JemallocStatistic.BACKGROUND_THREADS)).as("background threads are on by default")
			.isPositive();
		assertThat(snapshot.pageSize()).isEqualTo(NativePlatform.pageSize());
		assertThat(snapshot.processResident()).isGreaterThan(snapshot.get(JemallocStatistic.ALLOCATED));
		assertThat(snapshot.arenas()).isNotEmpty()
			.allSatisfy((arena) -> assertThat(arena.index()).isBetween(0,
					(int) snapshot.get(JemallocStatistic.ARENAS) - 1));
		long dirty = snapshot.arenas().stream().mapToLong(JemallocStatistics.Arena::dirty).sum();
		assertThat(dirty).as("the arenas' dirty bytes sum to the merged figure")
			.isEqualTo(snapshot.get(JemallocStatistic.DIRTY));
		assertThat(snapshot.bins()).hasSizeGreaterThan(30);
		assertThat(snapshot.bins().get(0).size()).isEqualTo(8);
		assertThat(snapshot.largeClasses().get(0).size())
			.isGreaterThan(snapshot.bins().get(snapshot.bins().size() - 1).size());
		long small = 0;
		for (JemallocStatistics.Bin bin : snapshot.bins()) {
			assertThat(bin.regionsPerSlab()).isPositive();
			assertThat(bin.regions()).isLessThanOrEqualTo(bin.slabs() * bin.regionsPerSlab());
			assertThat(bin.utilisation()).isBetween(0.0, 1.0);
			small += bin.usedBytes();
		}
		long smallAllocated = snapshot.arenas().stream().mapToLong(JemallocStatistics.Arena::smallAllocated).sum();
		assertThat(small).as("bins' bytes in use = the arenas' small allocated bytes").isEqualTo(smallAllocated);
	}

	@Test
	void aBinsRegionsAndALargeClassesExtentsRiseWithAllocationsOfTheirSize() {
		NativeTestSupport.requireNativeLibrary();
		JemallocStatistics.Snapshot before = JemallocStatistics.read();
		JemallocStatistics.Bin bin = binOfSize(before, 3072);
		JemallocStatistics.LargeClass large = largeOfSize(before, 40960);
		long[] small = new long[2000];
		long[] big = new long[200];
		for (int i = 0; i < small.length; i++) {
			small[i] = JemallocNative.allocate(3000);
		}
		for (int i = 0; i < big.length; i++) {
			big[i] = JemallocNative.allocate(40000);
		}
		JemallocStatistics.Snapshot during = JemallocStatistics.read();
		for (long address : small) {
			JemallocNative.free(address, 3000);
		}
		for (long address : big) {
			JemallocNative.free(address, 40000);
		}
		JemallocStatistics.Snapshot after = JemallocStatistics.read();
		// the thread cache may hold up to 200 regions of a small class and 20 extents of
		// a large one
		assertThat(binOfSize(during, 3072).regions() - bin.regions()).isGreaterThanOrEqualTo(1800);
		assertThat(binOfSize(during, 3072).slabs()).isGreaterThan(bin.slabs());
		assertThat(largeOfSize(during, 40960).extents() - large.extents()).isGreaterThanOrEqualTo(180);
		assertThat(during.get(JemallocStatistic.ALLOCATED) - before.get(JemallocStatistic.ALLOCATED))
			.isGreaterThanOrEqualTo((1800L * 3072) + (180L * 40960));
		assertThat(binOfSize(during, 3072).regions() - binOfSize(after, 3072).regions()).isGreaterThanOrEqualTo(1800);
	}

	@Test
	void freedPagesShowAsDirtyWithDecayOffAndUnknownNamesAreErrorsNotCrashes() throws Exception {
		NativeTestSupport.requireNativeLibrary();
		ForkedJvm.Result result = ForkedJvm.main(JemallocStatisticsMain.class).run();
		NativeTestSupport.assertCleanExit(result);
		long dirty = Long.parseLong(result.get("dirtyAfterFree"));
		assertThat(dirty - Long.parseLong(result.get("dirtyBefore"))).as(result.describe())
			.isGreaterThanOrEqualTo(60 * MIB);
		assertThat(Long.parseLong(result.get("arenaDirtySum"))).isEqualTo(dirty);
		assertThat(Long.parseLong(result.get("dirtyAfterPurge"))).isLessThan(4 * MIB);
		assertThat(result.get("unknown:stats.no_such_statistic"))
			.isEqualTo("jemalloc mallctl(\"stats.no_such_statistic\") failed: errno 2 (ENOENT)");
		assertThat(result.get("unknown:stats.arenas.4096.bins.9999.curregs")).contains("ENOENT");
		assertThat(result.get("unknown:stats.arenas.77.pdirty")).contains("stats.arenas.77.pdirty").contains("ENOENT");
		assertThat(result.get("wrongType"))
			.isEqualTo("jemalloc mallctl(\"stats.allocated\") failed: errno 22 (EINVAL)");
		assertThat(Long.parseLong(result.get("allocatedAtEnd"))).isPositive();
	}

	@Test
	void statisticsRatiosAndTheDoctorNeedNoMicrometer() throws Exception {
		NativeTestSupport.requireNativeLibrary();
		ForkedJvm.Result result = ForkedJvm.main(WithoutMicrometerMain.class)
			.withoutClassPathEntries("micrometer")
			.run();
		NativeTestSupport.assertCleanExit(result);
		assertThat(result.get("micrometer")).as(result.describe()).isEqualTo("absent");
		assertThat(Long.parseLong(result.get("allocated"))).isGreaterThanOrEqualTo(5000);
		assertThat(Double.parseDouble(result.get("ratio"))).isGreaterThanOrEqualTo(1);
		assertThat(result.get("verdict")).startsWith(MemoryDoctor.NO_PROBLEM);
	}

	@Test
	void readingInALoopWhileOtherThreadsAllocateFreeAndPurgeStaysConsistent() throws Exception {
		NativeTestSupport.requireNativeLibrary();
		ExecutorService pool = Executors.newFixedThreadPool(3);
		java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
		try {
			List<Future<?>> workers = new ArrayList<>();
			for (int t = 0; t < 2; t++) {
				int seed = t;
				workers.add(pool.submit(() -> {
					long[] held = new long[64];
					for (int round = 0; !stop.get(); round++) {
						int i = round % held.length;
						if (held[i] != 0) {
							JemallocNative.free(held[i], 0);
						}
						held[i] = JemallocNative.allocate(64L << ((round + seed) % 15));
					}
					for (long address : held) {
						JemallocNative.free(address, 0);
					}
				}));
			}
			workers.add(pool.submit(() -> {
				while (!stop.get()) {
					Jemalloc.purge();
				}
			}));
			for (int i = 0; i < 200; i++) {
				JemallocStatistics.Snapshot snapshot = JemallocStatistics.read();
				// Under load the totals are no atomic snapshot: jemalloc merges the
				// arenas one after the other, and
				// active fell 0.7 MB below allocated once here. Each bin is read under
				// its lock: always consistent.
				assertThat(snapshot.totals().values()).allSatisfy((value) -> assertThat(value).isNotNegative());
				assertThat(snapshot.get(JemallocStatistic.RESIDENT)).isPositive();
				assertThat(snapshot.ratioBytes(JemallocRatio.ACTIVE_ALLOCATED)).isNotNegative();
				for (JemallocStatistics.Bin bin : snapshot.bins()) {
					assertThat(bin.regions()).isLessThanOrEqualTo(bin.slabs() * bin.regionsPerSlab());
				}
			}
			stop.set(true);
			for (Future<?> worker : workers) {
				worker.get(30, TimeUnit.SECONDS);
			}
		}
		finally {
			stop.set(true);
			pool.shutdown();
		}
	}

	@Test
	void anUnknownNameIsAnIllegalStateExceptionNamingIt() {
		NativeTestSupport.requireNativeLibrary();
		assertThatIllegalStateException()
			.isThrownBy(() -> JemallocStatistics.readByName("stats.catzilla", JemallocStatistic.CType.SIZE_T))
			.withMessageContaining("stats.catzilla")
			.withMessageContaining("ENOENT");
	}

	@Test
	void ratiosAreComputedFromTheirStatisticsWithTheBytesTheyStandFor() {
		Map<JemallocStatistic, Long> totals = new EnumMap<>(JemallocStatistic.class);
		totals.put(JemallocStatistic.ALLOCATED, 100 * MIB);
		totals.put(JemallocStatistic.ACTIVE, 140 * MIB);
		totals.put(JemallocStatistic.RESIDENT, 200 * MIB);
		totals.put(JemallocStatistic.METADATA, 10 * MIB);
		JemallocStatistics.Snapshot given = JemallocStatistics.Snapshot.ofTotals(totals, 1024 * MIB);
		assertThat(given.ratio(JemallocRatio.ACTIVE_ALLOCATED)).isCloseTo(1.4, within(1e-9));
		assertThat(given.ratioBytes(JemallocRatio.ACTIVE_ALLOCATED)).isEqualTo(40 * MIB);
		assertThat(given.ratio(JemallocRatio.RESIDENT_ACTIVE)).isCloseTo(200.0 / 140, within(1e-9));
		assertThat(given.ratioBytes(JemallocRatio.RESIDENT_ACTIVE)).isEqualTo(60 * MIB);
		assertThat(given.ratio(JemallocRatio.PROCESS_RESIDENT_ALLOCATED)).isCloseTo(10.24, within(1e-9));
		assertThat(given.ratioBytes(JemallocRatio.PROCESS_RESIDENT_ALLOCATED)).isEqualTo(924 * MIB);
		assertThat(given.ratio(JemallocRatio.METADATA_SHARE)).isCloseTo(0.05, within(1e-9));
		assertThat(given.ratioBytes(JemallocRatio.METADATA_SHARE)).isEqualTo(10 * MIB);
		assertThat(given.ratio(JemallocRatio.BIN_FRAGMENTATION)).as("no bins: 0, not NaN").isZero();

		// 10 slabs of 64 regions of 64 B hold 100 regions: 40960 B of slabs for 6400 B in
		// use
		JemallocStatistics.Bin sparse = JemallocStatistics.Bin.of(3, 64, 64, 100, 10);
		JemallocStatistics.Bin full = JemallocStatistics.Bin.of(7, 128, 32, 64, 2);
		assertThat(sparse.utilisation()).isCloseTo(100.0 / 640, within(1e-9));
		assertThat(sparse.wastedBytes()).isEqualTo(540 * 64);
		assertThat(full.wastedBytes()).isZero();
		JemallocStatistics.Snapshot withBins = new JemallocStatistics.Snapshot(given.totals(), List.of(),
				List.of(sparse, full), List.of(), -1, 4096);
		assertThat(withBins.ratio(JemallocRatio.BIN_FRAGMENTATION)).isCloseTo((40960.0 + 8192) / (6400 + 8192),
				within(1e-9));
		assertThat(withBins.ratioBytes(JemallocRatio.BIN_FRAGMENTATION)).isEqualTo(540 * 64);
		assertThat(withBins.worstBin()).isEqualTo(sparse);
		assertThat(withBins.ratio(JemallocRatio.PROCESS_RESIDENT_ALLOCATED)).as("RSS unknown").isZero();
		assertThat(withBins.ratioBytes(JemallocRatio.PROCESS_RESIDENT_ALLOCATED)).isZero();
	}

	@Test
	void theCacheReadsAtMostOncePerWindowUnderConcurrentCallers() throws Exception {
		AtomicInteger reads = new AtomicInteger();
		AtomicLong clock = new AtomicLong(5_000_000_000L);
		CountDownLatch refreshStarted = new CountDownLatch(1);
		CountDownLatch releaseRefresh = new CountDownLatch(1);
		List<JemallocStatistics.Snapshot> produced = new ArrayList<>();
		JemallocStatistics cache = new JemallocStatistics(() -> {
			int n = reads.incrementAndGet();
			if (n == 2) {
				refreshStarted.countDown();
				await(releaseRefresh);
			}
			JemallocStatistics.Snapshot snapshot = JemallocStatistics.Snapshot
				.ofTotals(Map.of(JemallocStatistic.ALLOCATED, (long) n), -1);
			synchronized (produced) {
				produced.add(snapshot);
			}
			return snapshot;
		}, clock::get, Duration.ofMillis(250));
		ExecutorService pool = Executors.newFixedThreadPool(8);
		try {
			JemallocStatistics.Snapshot first = cache.get();
			List<Future<?>> calls = new ArrayList<>();
			for (int t = 0; t < 8; t++) {
				calls.add(pool.submit(() -> {
					for (int i = 0; i < 1000; i++) {
						assertThat(cache.get()).isSameAs(first);
					}
				}));
			}
			for (Future<?> call : calls) {
				call.get(30, TimeUnit.SECONDS);
			}
			assertThat(reads).as("8000 calls within one window").hasValue(1);

			clock.addAndGet(Duration.ofMillis(250).toNanos());
			Future<JemallocStatistics.Snapshot> refresher = pool.submit(cache::get);
			assertThat(refreshStarted.await(30, TimeUnit.SECONDS)).isTrue();
			// while that refresh is under way, every other caller gets the previous
			// snapshot at once
			List<Future<JemallocStatistics.Snapshot>> others = new ArrayList<>();
			for (int t = 0; t < 6; t++) {
				others.add(pool.submit(cache::get));
			}
			for (Future<JemallocStatistics.Snapshot> other : others) {
				assertThat(other.get(30, TimeUnit.SECONDS)).isSameAs(first);
			}
			releaseRefresh.countDown();
			JemallocStatistics.Snapshot second = refresher.get(30, TimeUnit.SECONDS);
			assertThat(second.get(JemallocStatistic.ALLOCATED)).isEqualTo(2);
			assertThat(cache.get()).isSameAs(second);
			assertThat(reads).hasValue(2);
		}
		finally {
			releaseRefresh.countDown();
			pool.shutdownNow();
		}
	}

	@Test
	void theSharedCacheServesTheSameSnapshotWithinItsWindowAndReadsTheRealJemalloc() {
		NativeTestSupport.requireNativeLibrary();
		JemallocStatistics.Snapshot snapshot = JemallocStatistics.shared().get();
		assertThat(snapshot.get(JemallocStatistic.RESIDENT)).isPositive();
		assertThat(JemallocStatistics.WINDOW).isEqualTo(Duration.ofMillis(250));
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static JemallocStatistics.Bin binOfSize(JemallocStatistics.Snapshot snapshot, long size) {
		return snapshot.bins().stream().filter((b) -> b.size() == size).findFirst().orElseThrow();
	}

	private static JemallocStatistics.LargeClass largeOfSize(JemallocStatistics.Snapshot snapshot, long size) {
		return snapshot.largeClasses().stream().filter((b) -> b.size() == size).findFirst().orElseThrow();
	}

}
