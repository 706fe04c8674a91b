package dev.catzilla.allocator;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.netty.buffer.ByteBuf;

/**
 * Test support, run in a forked JVM by {@link DirectMemoryCounterTest}. Prints
 * {@code key=value} lines ({@link ForkedJvm.Result#values()}) and exits 0 when it got to
 * the end.
 * <ul>
 * <li>{@code thread-churn <threads>}: that many short-lived threads (virtual threads on
 * JDK 21+, else platform threads, at most 256 alive at once) each allocate, touch and
 * release one 4 KiB buffer under a 64 MiB cap; a sampler records the most private counter
 * slots seen while they run.</li>
 * <li>{@code growth-oom}: with the address space limited by the caller
 * ({@code ulimit -v}), holds 1 GiB buffers until jemalloc has no more, then grows a small
 * buffer by 1.5 GiB: jemalloc refuses; prints the error message and the bytes the live
 * buffers held.</li>
 * <li>{@code no-false-refusal <threads> <cap MiB> <most live> <event loops>}: see
 * {@link #noFalseRefusal}.</li>
 * </ul>
 */
public final class DirectMemoryCounterMain {

	private static final int MIB = 1024 * 1024;

	private DirectMemoryCounterMain() {
	}

	public static void main(String[] args) throws Exception {
		switch (args[0]) {
			case "thread-churn" -> threadChurn(Integer.parseInt(args[1]));
			case "growth-oom" -> growthOutOfMemory();
			case "no-false-refusal" -> noFalseRefusal(Integer.parseInt(args[1]), Long.parseLong(args[2]) * MIB,
					Integer.parseInt(args[3]), Integer.parseInt(args[4]));
			default -> throw new IllegalArgumentException(args[0]);
		}
		System.out.println("exit=normal");
	}

	private static void threadChurn(int threads) throws Exception {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().maxDirectMemory(64 * MIB).build();
		DirectMemoryCounter counter = allocator.directMemoryCounter();
		AtomicInteger succeeded = new AtomicInteger();
		AtomicInteger failed = new AtomicInteger();
		AtomicReference<Throwable> firstFailure = new AtomicReference<>();
		Runnable task = () -> {
			try {
				ByteBuf buf = allocator.directBuffer(4096);
				buf.writeByte(1);
				if (buf.readByte() == 1 && buf.release()) {
					succeeded.incrementAndGet();
					return;
				}
				failed.incrementAndGet();
			}
			catch (Throwable ex) {
				firstFailure.compareAndSet(null, ex);
				failed.incrementAndGet();
			}
		};
		AtomicLong peakSlots = new AtomicLong();
		Thread sampler = new Thread(() -> {
			while (!Thread.currentThread().isInterrupted()) {
				peakSlots.accumulateAndGet(counter.slotCount(), Math::max);
				try {
					Thread.sleep(5);
				}
				catch (InterruptedException ex) {
					return;
				}
			}
		});
		sampler.setDaemon(true);
		sampler.start();
		long start = System.nanoTime();
		boolean virtual = Runtime.version().feature() >= 21;
		boolean finished = shortLivedThreads(threads, task);
		long elapsed = System.nanoTime() - start;
		sampler.interrupt();
		sampler.join();
		peakSlots.accumulateAndGet(counter.slotCount(), Math::max);
		System.out.println("virtual=" + virtual);
		System.out.println("finished=" + finished);
		System.out.println("succeeded=" + succeeded.get());
		System.out.println("failed=" + failed.get());
		System.out.println("firstFailure=" + firstFailure.get());
		System.out.println("used=" + allocator.usedDirectMemory());
		System.out.println("peakSlots=" + peakSlots.get());
		System.out.println("slots=" + counter.slotCount());
		System.out.println("elapsedMillis=" + TimeUnit.NANOSECONDS.toMillis(elapsed));
		// The whole cap is still there for one buffer: no thread holds on to a share of
		// it.
		ByteBuf whole = allocator.directBuffer(64 * MIB);
		System.out.println("wholeCap=" + whole.release());
	}

	/** Buffers each event loop of {@code no-false-refusal} allocates. */
	static final int EVENT_LOOP_BUFFERS = 20_000;

	/**
	 * {@code threads} short-lived threads (virtual on JDK 21+, else platform threads, at
	 * most 256 at once) and {@code eventLoops} event-loop threads
	 * ({@link #EVENT_LOOP_BUFFERS} buffers each) allocate 4 KiB buffers under
	 * {@code cap}; every other buffer is released at once by its thread, the rest are
	 * handed to one releaser thread. A semaphore of {@code maxLive} permits, taken before
	 * each allocation and given back after its release, bounds the buffers live or being
	 * allocated, so with {@code maxLive * 4 KiB <= cap} every refusal is a false one.
	 * (Reading a live count after a refusal is not a sound check: the releaser may free
	 * thousands of buffers between the counter's decision and that read.)
	 */
	private static void noFalseRefusal(int threads, long cap, int maxLive, int eventLoops) throws Exception {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().maxDirectMemory(cap).build();
		int size = 4096;
		AtomicLong allocated = new AtomicLong();
		AtomicInteger refused = new AtomicInteger();
		AtomicReference<Throwable> firstRefusal = new AtomicReference<>();
		AtomicReference<Throwable> unexpected = new AtomicReference<>();
		java.util.concurrent.Semaphore permits = new java.util.concurrent.Semaphore(maxLive);
		java.util.concurrent.LinkedBlockingQueue<ByteBuf> handOff = new java.util.concurrent.LinkedBlockingQueue<>();
		ByteBuf poison = io.netty.buffer.Unpooled.EMPTY_BUFFER;
		Thread releaser = new Thread(() -> {
			try {
				for (ByteBuf buf = handOff.take(); buf != poison; buf = handOff.take()) {
					buf.release();
					permits.release();
				}
			}
			catch (Throwable ex) {
				unexpected.compareAndSet(null, ex);
			}
		}, "releaser");
		releaser.start();
		AtomicInteger sequence = new AtomicInteger();
		Runnable once = () -> {
			try {
				permits.acquire();
			}
			catch (InterruptedException ex) {
				unexpected.compareAndSet(null, ex);
				return;
			}
			ByteBuf buf;
			try {
				buf = allocator.directBuffer(size);
			}
			catch (JemallocCapExceededException ex) {
				permits.release();
				refused.incrementAndGet();
				firstRefusal.compareAndSet(null, ex);
				return;
			}
			catch (Throwable ex) {
				permits.release();
				unexpected.compareAndSet(null, ex);
				return;
			}
			allocated.incrementAndGet();
			buf.writeInt(42);
			if ((sequence.incrementAndGet() & 1) == 0) {
				handOff.add(buf);
			}
			else {
				buf.release();
				permits.release();
			}
		};
		List<Thread> loops = new ArrayList<>();
		for (int i = 0; i < eventLoops; i++) {
			Thread loop = new io.netty.util.concurrent.FastThreadLocalThread(() -> {
				for (int n = 0; n < EVENT_LOOP_BUFFERS; n++) {
					once.run();
				}
			}, "event-loop-" + i);
			loop.start();
			loops.add(loop);
		}
		boolean virtual = Runtime.version().feature() >= 21;
		boolean finished = shortLivedThreads(threads, once);
		for (Thread loop : loops) {
			loop.join(TimeUnit.SECONDS.toMillis(100));
			finished &= !loop.isAlive();
		}
		handOff.add(poison);
		releaser.join(TimeUnit.SECONDS.toMillis(30));
		System.out.println("virtual=" + virtual);
		System.out.println("finished=" + finished);
		System.out.println("allocated=" + allocated.get());
		System.out.println("refused=" + refused.get());
		System.out.println("firstRefusal=" + firstRefusal.get());
		System.out.println("unexpected=" + unexpected.get());
		System.out.println("used=" + allocator.usedDirectMemory());
		ByteBuf whole = allocator.directBuffer((int) cap);
		System.out.println("wholeCap=" + whole.release());
	}

	/**
	 * Runs {@code task} on {@code count} new threads: virtual threads on JDK 21+ (all
	 * started at once), else platform threads, at most 256 alive at once; {@code false}
	 * if they did not all finish within 100 s.
	 */
	private static boolean shortLivedThreads(int count, Runnable task) throws Exception {
		if (Runtime.version().feature() < 21) {
			return platformThreads(count, task, System.nanoTime() + TimeUnit.SECONDS.toNanos(100));
		}
		// Executors.newVirtualThreadPerTaskExecutor() is JDK 21+; the tests are compiled
		// for 17.
		Method factory = java.util.concurrent.Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
		ExecutorService executor = (ExecutorService) factory.invoke(null);
		for (int i = 0; i < count; i++) {
			executor.execute(task);
		}
		executor.shutdown();
		return executor.awaitTermination(100, TimeUnit.SECONDS);
	}

	/**
	 * Starts {@code count} platform threads running {@code task}, at most 256 alive at
	 * once.
	 */
	private static boolean platformThreads(int count, Runnable task, long deadline) throws InterruptedException {
		List<Thread> alive = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			if (alive.size() == 256) {
				for (Thread thread : alive) {
					thread.join();
				}
				alive.clear();
				if (System.nanoTime() > deadline) {
					return false;
				}
			}
			Thread thread = new Thread(null, task, "churn-" + i, 256 * 1024);
			thread.start();
			alive.add(thread);
		}
		for (Thread thread : alive) {
			thread.join();
		}
		return System.nanoTime() <= deadline;
	}

	private static void growthOutOfMemory() {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().maxDirectMemory(Long.MAX_VALUE).build();
		List<ByteBuf> held = new ArrayList<>();
		ByteBuf small = allocator.directBuffer(4096, Integer.MAX_VALUE);
		small.writeLong(42);
		long live = 4096;
		try {
			boolean full = false;
			for (int i = 0; i < 64 && !full; i++) {
				try {
					held.add(allocator.directBuffer(1 << 30));
					live += 1 << 30;
				}
				catch (OutOfMemoryError ex) {
					full = true;
				}
			}
			System.out.println("full=" + full);
			System.out.println("live=" + live);
			System.out.println("usedBefore=" + allocator.usedDirectMemory());
			try {
				small.capacity(3 * (1 << 29));
				System.out.println("grown=true");
			}
			catch (OutOfMemoryError ex) {
				System.out.println("growthError=" + ex.getMessage());
			}
			System.out.println("usedAfter=" + allocator.usedDirectMemory());
			System.out.println("capacityAfter=" + small.capacity());
			System.out.println("contentAfter=" + small.getLong(0));
		}
		finally {
			held.forEach(ByteBuf::release);
			small.release();
		}
		System.out.println("usedAtEnd=" + allocator.usedDirectMemory());
	}

}
