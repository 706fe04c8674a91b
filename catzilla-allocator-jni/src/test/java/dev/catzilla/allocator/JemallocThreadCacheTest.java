package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocalThread;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The per-thread caches of free blocks of up to 64 KiB (see {@link DirectMemoryCounter}):
 * only on threads that clean up their FastThreadLocals, bounded per size class, never
 * counted as used, freed when the event loop ends.
 */
class JemallocThreadCacheTest {

	@BeforeAll
	static void requireLibrary() {
		NativeTestSupport.requireNativeLibrary();
	}

	/**
	 * Runs a task on a Netty event-loop-like thread (a FastThreadLocalThread that cleans
	 * up) and waits for its end.
	 */
	// willCleanupFastThreadLocals(): deprecated in 4.2, still what the caches rely on
	@SuppressWarnings("deprecation")
	private static <T> T onEventLoop(Callable<T> task) throws Exception {
		FutureTask<T> future = new FutureTask<>(task);
		Thread thread = new FastThreadLocalThread(future, "test-event-loop");
		assertThat(((FastThreadLocalThread) thread).willCleanupFastThreadLocals()).isTrue();
		thread.start();
		thread.join(TimeUnit.MINUTES.toMillis(1));
		assertThat(thread.isAlive()).isFalse();
		return future.get();
	}

	@Test
	void sizeClassesComeFromJemallocAndEveryRequestMapsToTheSmallestClassThatFits() {
		Jemalloc.initialize();
		assertThat(SizeClasses.cacheableMax(Jemalloc.effectiveOptions())).as("tcache_max of this JVM").isEqualTo(65536);
		assertThat(SizeClasses.MAX_CACHED).isEqualTo(65536);
		assertThat(JemallocNative.sizeClasses(65536)).startsWith(8L, 16L, 32L)
			.isSorted()
			.contains(1024L, 4096L, 14336L, 16384L, 20480L)
			.endsWith(57344L, 65536L);
		assertThat(JemallocNative.sizeClasses(100)).containsExactly(8L, 16L, 32L, 48L, 64L, 80L, 96L);
		for (int size = 1; size <= SizeClasses.MAX_CACHED; size++) {
			int index = SizeClasses.index(size);
			assertThat(SizeClasses.size(index)).as("class of %d", size).isGreaterThanOrEqualTo(size);
			if (index > 0) {
				assertThat(SizeClasses.size(index - 1)).as("class below %d", size).isLessThan(size);
			}
		}
		for (int size : new int[] { 1, 9, 100, 1000, 1025, 3000, 4096, 5000, 16_000, 16_385, 65_536 }) {
			long address = JemallocNative.allocate(size);
			assertThat(JemallocNative.usableSize(address)).as("usable size of %d", size)
				.isEqualTo(SizeClasses.size(SizeClasses.index(size)));
			JemallocNative.free(address, SizeClasses.freeSize(size));
		}
		assertThat(SizeClasses.freeSize(5000)).isEqualTo(5120);
		assertThat(SizeClasses.freeSize(65_537)).isEqualTo(65_537);
		long worstCase = 0;
		for (int c = 0; c < SizeClasses.count(); c++) {
			assertThat(SizeClasses.limit(c)).isBetween(1, SizeClasses.MAX_BLOCKS);
			worstCase += (long) SizeClasses.limit(c) * SizeClasses.size(c);
		}
		assertThat(worstCase).as("most bytes one thread can keep (documented as about 760 KiB)")
			.isBetween(740L * 1024, 780L * 1024);
	}

	@Test
	void anEventLoopReusesAFreedBlockAndFreesItsCacheWhenItEnds() throws Exception {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().build();
		long[] addresses = onEventLoop(() -> {
			ByteBuf first = allocator.directBuffer(1000);
			long address = first.memoryAddress();
			first.release();
			assertThat(allocator.usedDirectMemory()).isZero();
			assertThat(allocator.cachedDirectMemory()).as("the 1 KiB class holds the block").isEqualTo(1024);
			assertThat(allocator.toString()).contains("cachedDirectMemory: 1024");
			ByteBuf second = allocator.directBuffer(1010);
			long reused = second.memoryAddress();
			assertThat(allocator.cachedDirectMemory()).isZero();
			assertThat(allocator.usedDirectMemory()).isEqualTo(1010);
			second.writeBytes(new byte[1010]);
			second.release();
			assertThat(allocator.cachedDirectMemory()).isEqualTo(1024);
			return new long[] { address, reused };
		});
		assertThat(addresses[1]).as("the second buffer reuses the first one's block").isEqualTo(addresses[0]);
		assertThat(allocator.cachedDirectMemory()).as("freed at the end of the event loop").isZero();
		assertThat(allocator.usedDirectMemory()).isZero();
	}

	@Test
	void blocksCachedByAnEventLoopGoBackToJemallocWhenItEnds() throws Exception {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().build();
		NativeTestSupport.settleBackgroundFrees();
		long baseline = Jemalloc.stats().allocated();
		long cached = onEventLoop(() -> {
			List<ByteBuf> bufs = new ArrayList<>();
			for (int i = 0; i < 2000; i++) {
				bufs.add(allocator.directBuffer(1 + (i * 37) % SizeClasses.MAX_CACHED));
			}
			bufs.forEach(ByteBuf::release);
			return allocator.cachedDirectMemory();
		});
		assertThat(cached).as("bytes kept by the event loop before it ended").isPositive();
		assertThat(allocator.cachedDirectMemory()).isZero();
		// As in the stress test: wait for the ended thread's jemalloc tcache flush, not
		// for a time.
		long allocated = Jemalloc.stats().allocated();
		for (int i = 0; i < 200 && allocated != baseline; i++) {
			Thread.sleep(25);
			allocated = Jemalloc.stats().allocated();
		}
		assertThat(allocated).as("jemalloc stats.allocated (before: %d)", baseline).isEqualTo(baseline);
	}

	@Test
	void eachClassKeepsAtMostItsLimitAndLargerBuffersAreNeverKept() throws Exception {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().build();
		long[] cached = onEventLoop(() -> {
			List<ByteBuf> bufs = new ArrayList<>();
			for (int i = 0; i < 100; i++) {
				bufs.add(allocator.directBuffer(64));
				bufs.add(allocator.directBuffer(1024));
				bufs.add(allocator.directBuffer(SizeClasses.MAX_CACHED + 1));
			}
			bufs.forEach(ByteBuf::release);
			return new long[] { allocator.cachedDirectMemory(), allocator.usedDirectMemory() };
		});
		int small = SizeClasses.index(64);
		int kilo = SizeClasses.index(1024);
		assertThat(SizeClasses.limit(small)).isEqualTo(64);
		assertThat(SizeClasses.limit(kilo)).isEqualTo(16);
		assertThat(SizeClasses.MAX_CACHED + 1).as("never kept").isEqualTo(65_537);
		assertThat(cached[0]).isEqualTo(64L * 64 + 16L * 1024);
		assertThat(cached[1]).isZero();
	}

	@Test
	void aBufferThatGrewIsKeptInTheClassOfItsNewSize() throws Exception {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().build();
		byte[] content = new byte[1000];
		new Random(7).nextBytes(content);
		long cached = onEventLoop(() -> {
			ByteBuf buf = allocator.directBuffer(1000);
			buf.writeBytes(content);
			buf.capacity(1024); // in place: same class
			buf.capacity(3000); // moves to the 3 KiB class
			byte[] read = new byte[1000];
			buf.getBytes(0, read);
			assertThat(read).isEqualTo(content);
			buf.release();
			return allocator.cachedDirectMemory();
		});
		assertThat(cached).isEqualTo(SizeClasses.size(SizeClasses.index(3000)));
	}

	@Test
	void aPlainThreadsBlockGoesBackToItsHandOffStripeWhereverReleasedAndAnEventLoopKeepsWhatItReleases()
			throws Exception {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().build();
		assertThat(Thread.currentThread()).isNotInstanceOf(FastThreadLocalThread.class);
		ByteBuf first = allocator.directBuffer(100);
		long address = first.memoryAddress();
		first.release();
		assertThat(allocator.cachedDirectMemory()).as("kept in the hand-off cache").isEqualTo(112);
		ByteBuf second = allocator.directBuffer(100);
		assertThat(second.memoryAddress()).as("reused by the thread that allocated it").isEqualTo(address);
		assertThat(allocator.cachedDirectMemory()).isZero();
		Thread releaser = new Thread(second::release, "plain-releaser");
		releaser.start();
		releaser.join(TimeUnit.MINUTES.toMillis(1));
		assertThat(allocator.cachedDirectMemory()).as("released on another plain thread: back home").isEqualTo(112);
		ByteBuf third = allocator.directBuffer(97);
		assertThat(third.memoryAddress()).as("the allocating thread finds it there").isEqualTo(address);
		long cached = onEventLoop(() -> {
			third.release();
			return allocator.cachedDirectMemory();
		});
		assertThat(cached).as("released on an event loop, kept there").isEqualTo(112);
		assertThat(allocator.cachedDirectMemory()).isZero();
		assertThat(allocator.usedDirectMemory()).isZero();
	}

	@Test
	void theHandOffCacheKeepsAtMostItsLimitPerClassAndNothingAboveSixtyFourKib() {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().build();
		List<ByteBuf> bufs = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			bufs.add(allocator.directBuffer(64));
			bufs.add(allocator.directBuffer(65_536));
			bufs.add(allocator.directBuffer(SizeClasses.MAX_CACHED + 1));
		}
		bufs.forEach(ByteBuf::release);
		assertThat(HandOffCache.MAX_BLOCKS).isEqualTo(64);
		assertThat(HandOffCache.CLASS_BYTES / 65_536).as("64 KiB blocks kept per stripe").isEqualTo(8);
		assertThat(allocator.cachedDirectMemory()).as("one stripe (this thread's): 64 x 64 B and 8 x 64 KiB")
			.isEqualTo(64L * 64 + 8L * 65_536);
		assertThat(allocator.usedDirectMemory()).isZero();
	}

	@Test
	void theQuietPurgeGivesTheHandOffCacheBackToJemalloc() throws Exception {
		Jemalloc.initialize();
		assertThat(Jemalloc.effectiveOptions()).as("default options in this JVM").containsEntry("tcache", "true");
		assertThat(HandOffCache.ENABLED).isTrue();
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().build();
		long purges = QuietPurge.purges();
		List<ByteBuf> bufs = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			bufs.add(allocator.directBuffer(1 + (i * 331) % SizeClasses.MAX_CACHED));
		}
		bufs.forEach(ByteBuf::release);
		assertThat(allocator.cachedDirectMemory()).isPositive();
		// The watch drains after 1 s without a put (the default quiet time); wait for
		// that, at most 20 s.
		for (int i = 0; i < 400 && allocator.cachedDirectMemory() != 0; i++) {
			Thread.sleep(50);
		}
		assertThat(allocator.cachedDirectMemory()).as("drained by the quiet purge").isZero();
		for (int i = 0; i < 100 && QuietPurge.purges() == purges; i++) {
			Thread.sleep(50);
		}
		assertThat(QuietPurge.purges()).as("and purged").isGreaterThan(purges);
	}

	@Test
	void cachesFollowJemallocsThreadCacheSwitchAndLimit() {
		assertThat(SizeClasses.cacheableMax(java.util.Map.of("tcache", "true", "tcache_max", "32768")))
			.isEqualTo(32768);
		assertThat(SizeClasses.cacheableMax(java.util.Map.of("tcache", "true", "tcache_max", "8388608")))
			.isEqualTo(SizeClasses.CACHE_LIMIT);
		assertThat(SizeClasses.cacheableMax(java.util.Map.of("tcache", "false", "tcache_max", "65536"))).isZero();
		assertThat(SizeClasses.cacheableMax(java.util.Map.of("tcache", "true", "tcache_max", "0"))).isZero();
	}

	@Test
	void aSixteenKibBufferReusesItsBlockToo() throws Exception {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().build();
		long[] addresses = onEventLoop(() -> {
			ByteBuf first = allocator.directBuffer(16_384);
			long address = first.memoryAddress();
			first.release();
			assertThat(allocator.cachedDirectMemory()).isEqualTo(16_384);
			ByteBuf second = allocator.directBuffer(16_000);
			long reused = second.memoryAddress();
			second.setByte(15_999, 1);
			second.release();
			return new long[] { address, reused };
		});
		assertThat(addresses[1]).isEqualTo(addresses[0]);
	}

	@Test
	void cachesCanBeTurnedOff() throws Exception {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().threadCaches(false).build();
		long cached = onEventLoop(() -> {
			allocator.directBuffer(100).release();
			allocator.directBuffer(1024).release();
			return allocator.cachedDirectMemory();
		});
		assertThat(cached).isZero();
		allocator.directBuffer(100).release();
		assertThat(allocator.cachedDirectMemory()).as("no hand-off cache either").isZero();
	}

}
