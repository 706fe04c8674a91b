package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocalThread;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The cap counter ({@link DirectMemoryCounter}) through the allocator: an allocation that
 * fits under the cap succeeds whatever other live threads leased before; refusals tell
 * the truth; the cap holds under concurrency; and per-thread state stays bounded and
 * cheap with very many short-lived threads.
 */
class DirectMemoryCounterTest {

	private static final int KIB = 1024;

	private static final int MIB = 1024 * KIB;

	private static final VarHandle SLOT_LOCK;

	static {
		try {
			SLOT_LOCK = MethodHandles.lookup().findVarHandle(DirectMemoryCounter.SlotFields.class, "lock", int.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	@BeforeAll
	static void requireLibrary() {
		NativeTestSupport.requireNativeLibrary();
	}

	@ParameterizedTest(name = "{0} idle {1} threads, cap {2} MiB, then {3} MiB")
	@CsvSource({ "40, pool, 8, 4", "300, pool, 512, 400", "8, event-loop, 8, 7" })
	void sharesLeasedByIdleLiveThreadsNeverRefuseAnAllocationThatFits(int count, String kind, long capMiB,
			long requestMiB) throws Exception {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().maxDirectMemory(capMiB * MIB).build();
		try (IdleThreads threads = new IdleThreads(count, kind.equals("event-loop"),
				() -> allocator.directBuffer(KIB).writeByte(1).release())) {
			threads.awaitReady();
			assertThat(allocator.usedDirectMemory()).isZero();
			ByteBuf big = allocate(allocator, (int) (requestMiB * MIB));
			assertThat(allocator.usedDirectMemory()).isEqualTo(requestMiB * MIB);
			big.release();
			// And all of it, once more: nothing is leased away for good.
			ByteBuf whole = allocate(allocator, (int) Math.min(Integer.MAX_VALUE, capMiB * MIB));
			whole.release();
			assertThat(allocator.usedDirectMemory()).isZero();
		}
	}

	@Test
	void aRefusalSaysHowMuchLiveBuffersHoldAndThatTheRequestDoesNotFit() throws Exception {
		long cap = 8 * MIB;
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().maxDirectMemory(cap).build();
		try (IdleThreads threads = new IdleThreads(40, false,
				() -> allocator.directBuffer(KIB).writeByte(1).release())) {
			threads.awaitReady();
			ByteBuf held = allocate(allocator, 3 * MIB);
			long fits = cap - 3 * MIB;
			ByteBuf rest = allocate(allocator, (int) fits);
			assertThat(allocator.usedDirectMemory()).isEqualTo(cap);
			rest.release();
			assertThatExceptionOfType(JemallocCapExceededException.class)
				.isThrownBy(() -> allocator.directBuffer((int) fits + 1))
				.withMessage("failed to allocate " + (fits + 1) + " byte(s) of direct memory from jemalloc (used: "
						+ 3 * MIB + ", max: " + cap + ")");
			assertThatExceptionOfType(JemallocCapExceededException.class).isThrownBy(() -> held.capacity((int) cap + 1))
				.withMessageContaining("(used: " + 3 * MIB + ", max: " + cap + ")");
			assertThat(held.capacity()).isEqualTo(3 * MIB);
			held.capacity((int) cap - 1);
			assertThat(allocator.usedDirectMemory()).isEqualTo(cap - 1);
			held.release();
			assertThat(allocator.usedDirectMemory()).isZero();
		}
	}

	@Test
	void aGrowthThatJemallocRefusesReportsOnlyTheBytesLiveBuffersHold() throws Exception {
		NativeTestSupport.requireLinuxX86_64();
		// A 6 GiB address-space limit (ulimit -v): jemalloc runs out after a few 1 GiB
		// buffers.
		ForkedJvm.Result result = ForkedJvm.main(DirectMemoryCounterMain.class)
			.addressSpaceLimit(6L << 30)
			.jvmArgs("-Xmx64m", "-XX:ReservedCodeCacheSize=32m", "-XX:CompressedClassSpaceSize=64m",
					"-XX:MaxMetaspaceSize=128m")
			.run("growth-oom");
		assertThat(result.exitCode()).as(result.describe()).isZero();
		assertThat(result.get("exit")).as(result.describe()).isEqualTo("normal");
		assertThat(result.get("full")).as(result.describe()).isEqualTo("true");
		String live = result.get("live");
		assertThat(result.get("usedBefore")).as(result.describe()).isEqualTo(live);
		assertThat(result.get("growthError")).as(result.describe())
			.isEqualTo("failed to allocate " + 3 * (1 << 29)
					+ " byte(s) of direct memory: jemalloc has no memory to give (used: " + live + ", max: "
					+ Long.MAX_VALUE + ")");
		assertThat(result.get("usedAfter")).as(result.describe()).isEqualTo(live);
		assertThat(result.get("capacityAfter")).as(result.describe()).isEqualTo("4096");
		assertThat(result.get("contentAfter")).as(result.describe()).isEqualTo("42");
		assertThat(result.get("usedAtEnd")).as(result.describe()).isEqualTo("0");
	}

	@Test
	void aHundredThousandShortLivedThreadsAllAllocateAndLeaveNoPerThreadStateBehind() throws Exception {
		NativeTestSupport.requireLinuxX86_64();
		// Virtual threads on JDK 21+ (all of them started at once), platform threads on
		// 17. A correctness check with
		// a generous deadline (100 s in the child); the speed is ThreadChurnBenchmark's
		// business.
		ForkedJvm.Result result = ForkedJvm.main(DirectMemoryCounterMain.class)
			.jvmArgs("-Xmx512m")
			.run("thread-churn", "100000");
		assertThat(result.exitCode()).as(result.describe()).isZero();
		assertThat(result.get("exit")).as(result.describe()).isEqualTo("normal");
		assertThat(result.get("virtual")).as(result.describe())
			.isEqualTo(String.valueOf(Runtime.version().feature() >= 21));
		assertThat(result.get("finished")).as(result.describe()).isEqualTo("true");
		assertThat(result.get("succeeded")).as(result.describe()).isEqualTo("100000");
		assertThat(result.get("failed")).as(result.describe()).isEqualTo("0");
		assertThat(result.get("used")).as(result.describe()).isEqualTo("0");
		assertThat(result.get("wholeCap")).as(result.describe()).isEqualTo("true");
		// Threads that are not event loops get no slot of their own: the counter's memory
		// does not grow with them.
		assertThat(result.get("peakSlots")).as(result.describe()).isEqualTo("0");
		assertThat(result.get("slots")).as(result.describe()).isEqualTo("0");
	}

	@Test
	void slotsOfEventLoopsThatEndedWithoutCleaningUpAreSweptWithTheirLeasesAndCaches() throws Exception {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().maxDirectMemory(MIB).build();
		DirectMemoryCounter counter = allocator.directMemoryCounter();
		for (int i = 0; i < 200; i++) {
			AtomicReference<Throwable> failure = new AtomicReference<>();
			// Says it cleans up its FastThreadLocals (so it gets a slot and a cache) but
			// ends without doing so.
			Thread thread = new FastThreadLocalThread("no-cleanup-" + i) {

				@Override
				public boolean willCleanupFastThreadLocals() {
					return true;
				}

				@Override
				public void run() {
					try {
						allocator.directBuffer(1000).release();
					}
					catch (Throwable ex) {
						failure.set(ex);
					}
				}

			};
			thread.start();
			thread.join();
			assertThat(failure.get()).as("allocation on thread " + i).isNull();
			assertThat(counter.slotCount()).as("slots are swept whenever their number doubles").isLessThanOrEqualTo(65);
		}
		assertThat(allocator.cachedDirectMemory()).as("slots not swept yet keep their cached blocks").isPositive();
		// A request for the whole cap: before refusing, the counter folds the dead slots
		// and takes back their leases.
		allocate(allocator, MIB).release();
		assertThat(counter.slotCount()).isZero();
		assertThat(allocator.cachedDirectMemory()).as("their cached blocks were freed").isZero();
		assertThat(allocator.usedDirectMemory()).isZero();
	}

	@Test
	void concurrentAllocationsAndCrossThreadReleasesNeverExceedTheCap() throws Exception {
		long cap = 4 * MIB;
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().maxDirectMemory(cap).build();
		AtomicLong live = new AtomicLong();
		AtomicLong peak = new AtomicLong();
		AtomicLong refusals = new AtomicLong();
		AtomicLong allocations = new AtomicLong();
		ConcurrentLinkedQueue<ByteBuf> handOver = new ConcurrentLinkedQueue<>();
		Runnable worker = () -> {
			Random random = new Random(Thread.currentThread().getName().hashCode());
			List<ByteBuf> mine = new ArrayList<>();
			for (int i = 0; i < 20_000; i++) {
				int size = (i % 500 == 0) ? 3 * MIB : 1 + random.nextInt(1 << (6 + random.nextInt(13)));
				try {
					ByteBuf buf = allocator.directBuffer(size);
					long now = live.addAndGet(size);
					peak.accumulateAndGet(now, Math::max);
					allocations.incrementAndGet();
					buf.writeByte(i);
					if (random.nextInt(4) == 0) {
						handOver.add(buf);
					}
					else {
						mine.add(buf);
					}
				}
				catch (JemallocCapExceededException ex) {
					refusals.incrementAndGet();
				}
				while (mine.size() > 8) {
					release(mine.remove(random.nextInt(mine.size())), live);
				}
				ByteBuf other = handOver.poll();
				if (other != null) {
					release(other, live);
				}
			}
			mine.forEach(buf -> release(buf, live));
		};
		try (IdleThreads threads = new IdleThreads(2, true, worker);
				IdleThreads more = new IdleThreads(2, false, worker)) {
			threads.awaitReady();
			more.awaitReady();
			for (ByteBuf buf; (buf = handOver.poll()) != null;) {
				release(buf, live);
			}
			assertThat(peak.get()).as("most bytes live at once").isLessThanOrEqualTo(cap);
			assertThat(refusals.get()).as("the workers reached the cap").isPositive();
			assertThat(allocations.get()).isGreaterThan(40_000);
			assertThat(live.get()).isZero();
			assertThat(allocator.usedDirectMemory()).isZero();
			// The workers are alive and idle: their shares of the cap go back to whoever
			// needs them.
			allocate(allocator, (int) cap).release();
		}
		assertThat(allocator.usedDirectMemory()).isZero();
	}

	/**
	 * A direct buffer, or an assertion failure that quotes the refusal with the counter's
	 * state.
	 */
	private static ByteBuf allocate(JemallocByteBufAllocator allocator, int size) {
		try {
			return allocator.directBuffer(size);
		}
		catch (JemallocCapExceededException ex) {
			throw new AssertionError(
					"refused " + size + " byte(s): " + ex.getMessage() + " " + allocator.directMemoryCounter());
		}
	}

	@Test
	void withAReserveLargeRequestsAreRefusedFirstAndSmallOnesStillFitUpToTheWholeCap() throws Exception {
		long cap = 8 * MIB;
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder()
			.maxDirectMemory(cap)
			.capReserve(MIB)
			.build();
		assertThat(allocator.capReserve()).isEqualTo(MIB);
		List<ByteBuf> held = new ArrayList<>();
		try (IdleThreads loops = new IdleThreads(2, true, () -> allocator.directBuffer(KIB).release())) {
			loops.awaitReady();
			for (int i = 0; i < 7; i++) {
				held.add(allocate(allocator, MIB));
			}
			assertThatExceptionOfType(JemallocCapExceededException.class).isThrownBy(() -> allocator.directBuffer(MIB))
				.withMessage("failed to allocate " + MIB + " byte(s) of direct memory from jemalloc (used: " + 7 * MIB
						+ ", max: " + cap + ")");
			// 16 KiB or less may take the reserve, to the last byte of the cap.
			for (int i = 0; i < 64; i++) {
				held.add(allocate(allocator, 16 * KIB));
			}
			assertThat(allocator.usedDirectMemory()).isEqualTo(cap);
			assertThatExceptionOfType(JemallocCapExceededException.class).isThrownBy(() -> allocator.directBuffer(1));
			// A growth past 16 KiB counts as large: refused while the live bytes are
			// within the reserve.
			ByteBuf small = held.remove(held.size() - 1);
			small.release();
			ByteBuf other = held.remove(held.size() - 1);
			assertThatExceptionOfType(JemallocCapExceededException.class).isThrownBy(() -> other.capacity(48 * KIB));
			assertThat(other.capacity()).isEqualTo(16 * KIB);
			other.release();
		}
		finally {
			held.forEach(ByteBuf::release);
		}
		assertThat(allocator.usedDirectMemory()).isZero();
		ByteBuf whole = allocate(allocator, (int) (cap - MIB));
		assertThat(allocator.usedDirectMemory()).isEqualTo(cap - MIB);
		whole.release();
		assertThat(allocator.usedDirectMemory()).isZero();
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> JemallocByteBufAllocator.builder().maxDirectMemory(MIB).capReserve(MIB).build());
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', value = {
			"counting (its own allocation or release holds its lock for a few instructions) | 1",
			"between taking a grant (a chunk more than it needs) and counting its buffer, not waiting for the slow path | 2" })
	void anEventLoopInTransitAtTheInstantOfARefusalIsWaitedForInsteadOfLeavingItsIdleLeaseOutOfReach(String state,
			int lock) throws Exception {
		long cap = 8 * MIB;
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().maxDirectMemory(cap).build();
		DirectMemoryCounter counter = allocator.directMemoryCounter();
		AtomicReference<DirectMemoryCounter.Slot> loopSlot = new AtomicReference<>();
		try (IdleThreads loop = new IdleThreads(1, true, () -> {
			allocator.directBuffer(MIB).release();
			loopSlot.set(counter.slot());
		})) {
			loop.awaitReady();
			DirectMemoryCounter.Slot slot = loopSlot.get();
			long idle = slot.lease - slot.used;
			assertThat(idle).as("the event loop's unused lease").isPositive();
			// Fits under the cap only with the event loop's unused lease back in the
			// shared total.
			int request = (int) (cap - idle + 4096);
			// The event loop is in that state this instant: its lock word says so.
			assertThat(SLOT_LOCK.compareAndSet(slot, 0, lock)).isTrue();
			AtomicReference<Object> outcome = new AtomicReference<>();
			Thread allocating = new Thread(() -> {
				try {
					ByteBuf buf = allocator.directBuffer(request);
					outcome.set(buf.capacity());
					buf.release();
				}
				catch (Throwable ex) {
					outcome.set(ex);
				}
			}, "allocating");
			try {
				allocating.start();
				allocating.join(300);
				assertThat(outcome.get()).as("refused while the event loop was " + state).isNull();
			}
			finally {
				SLOT_LOCK.setRelease(slot, 0);
			}
			allocating.join(TimeUnit.MINUTES.toMillis(1));
			assertThat(outcome.get()).isEqualTo(request);
			assertThat(counter.refusals()).isZero();
			assertThat(allocator.usedDirectMemory()).isZero();
		}
	}

	@ParameterizedTest(name = "{0} threads, cap {1} MiB, at most {2} buffers live, {3} event loops beside them")
	@CsvSource({ "100000, 4, 1024, 0", "50000, 8, 2048, 4" })
	void shortLivedThreadsHandingBuffersToAReleaserAreNeverRefusedWhileTheLiveBuffersFit(int threads, long capMiB,
			int maxLive, int eventLoops) throws Exception {
		NativeTestSupport.requireLinuxX86_64();
		// Virtual threads on JDK 21+, platform threads on 17 (a fifth as many: starting
		// them is what costs); at most
		// maxLive buffers (their bytes at most the cap) are live or being allocated at
		// once, so every refusal is a
		// false one.
		threads = (Runtime.version().feature() >= 21) ? threads : threads / 5;
		ForkedJvm.Result result = ForkedJvm.main(DirectMemoryCounterMain.class)
			.jvmArgs("-Xmx512m")
			.run("no-false-refusal", String.valueOf(threads), String.valueOf(capMiB), String.valueOf(maxLive),
					String.valueOf(eventLoops));
		assertThat(result.exitCode()).as(result.describe()).isZero();
		assertThat(result.get("exit")).as(result.describe()).isEqualTo("normal");
		assertThat(result.get("finished")).as(result.describe()).isEqualTo("true");
		assertThat(result.get("unexpected")).as(result.describe()).isEqualTo("null");
		assertThat(result.get("refused")).as(result.describe()).isEqualTo("0");
		assertThat(result.get("allocated")).as(result.describe())
			.isEqualTo(String.valueOf(threads + eventLoops * DirectMemoryCounterMain.EVENT_LOOP_BUFFERS));
		assertThat(result.get("used")).as(result.describe()).isEqualTo("0");
		assertThat(result.get("wholeCap")).as(result.describe()).isEqualTo("true");
	}

	private static void release(ByteBuf buf, AtomicLong live) {
		// Counted out before the release: the counter may give these bytes to another
		// thread right after it.
		live.addAndGet(-buf.capacity());
		buf.release();
	}

	/**
	 * Threads that each run {@code work} once and then stay alive, idle, until closed:
	 * like the threads of a pool (or event loops) after a burst of traffic.
	 */
	private static final class IdleThreads implements AutoCloseable {

		private final List<Thread> threads = new ArrayList<>();

		private final CountDownLatch ready;

		private final CountDownLatch finish = new CountDownLatch(1);

		private final AtomicReference<Throwable> failure = new AtomicReference<>();

		IdleThreads(int count, boolean eventLoops, Runnable work) {
			this.ready = new CountDownLatch(count);
			for (int i = 0; i < count; i++) {
				Runnable body = () -> {
					try {
						work.run();
					}
					catch (Throwable ex) {
						this.failure.compareAndSet(null, ex);
					}
					finally {
						this.ready.countDown();
					}
					try {
						this.finish.await();
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
				};
				String name = (eventLoops ? "event-loop-" : "pool-") + i;
				Thread thread = eventLoops ? new FastThreadLocalThread(body, name) : new Thread(body, name);
				thread.setDaemon(true);
				thread.start();
				this.threads.add(thread);
			}
		}

		void awaitReady() throws InterruptedException {
			assertThat(this.ready.await(2, TimeUnit.MINUTES)).as("threads done with their work").isTrue();
			assertThat(this.failure.get()).as("failure on a worker thread").isNull();
			for (Thread thread : this.threads) {
				assertThat(thread.isAlive()).as(thread.getName() + " still alive").isTrue();
			}
		}

		@Override
		public void close() throws InterruptedException {
			this.finish.countDown();
			for (Thread thread : this.threads) {
				thread.join(TimeUnit.MINUTES.toMillis(1));
			}
		}

	}

}
