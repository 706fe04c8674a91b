package dev.catzilla.allocator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocalThread;

/**
 * Test support, run in a forked JVM by {@link LargeBufferTest}; prints {@code key=value}
 * lines.
 * <ul>
 * <li>{@code faults <MiB>}: 50 rounds of allocating, touching every page of and releasing
 * one buffer of that size (after 5 rounds of warm-up); prints the minor page faults per
 * round.</li>
 * <li>{@code return <MiB>} (or {@code <KiB>k}): holds 1 GiB in touched buffers of that
 * size, releases them all, and prints the resident set above the baseline right after and
 * after the first moment it was within 32 MiB of it (up to 20 s); on a Netty
 * {@code FastThreadLocalThread} (an event loop's thread caches and lease) with
 * {@code -Dcatzilla.test.onEventLoop=true}, otherwise on the main thread.</li>
 * <li>{@code late 1 1000 <seconds>}: starts a watch as a lease given back by a counter
 * holding 1 GiB would, after the frees (jemalloc's allocated bytes already low); prints
 * the quiet purges it made.</li>
 * <li>{@code steady <KiB>k 1000 <seconds>}: on a {@code FastThreadLocalThread}, 64 MiB
 * live in buffers of that size with a sixteenth of them replaced every 5 ms; prints the
 * quiet purges made meanwhile.</li>
 * <li>{@code stop <KiB>k 1000 <seconds>}: on 8 {@code FastThreadLocalThread}s, 2 s of
 * replacing buffers of 1 KiB up to that size, a ring of 56 of them live per thread (no
 * lease is ever given back, no free starts a watch, as on the event loops of a proxy);
 * then the threads stay idle, and it prints when jemalloc's dirty pages were back to at
 * most 1 MiB and the quiet purges made.</li>
 * </ul>
 */
public final class LargeBufferMain {

	private static final int MIB = 1024 * 1024;

	private LargeBufferMain() {
	}

	public static void main(String[] args) throws Exception {
		// MiB, or KiB with a k suffix
		int size = args[1].endsWith("k") ? Integer.parseInt(args[1].substring(0, args[1].length() - 1)) * 1024
				: Integer.parseInt(args[1]) * MIB;
		if (args.length > 2) {
			Jemalloc.configure(JemallocOptions.builder()
				.quietPurge(Duration.ofMillis(Long.parseLong(args[2])))
				.trimNativeHeap(!"false".equals(System.getProperty("catzilla.test.trimNativeHeap")))
				.build());
		}
		long waitSeconds = (args.length > 3) ? Long.parseLong(args[3]) : 20;
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().maxDirectMemory(4L << 30).build();
		switch (args[0]) {
			case "faults" -> {
				for (int i = 0; i < 5; i++) {
					touchAndRelease(allocator.directBuffer(size));
				}
				// Faults are counted for the whole process: the JIT compiler and the
				// collector fault pages in too, in bursts. The quietest of five batches
				// of ten rounds is what the buffer's reuse costs.
				long fewest = Long.MAX_VALUE;
				for (int batch = 0; batch < 5; batch++) {
					long before = minorFaults();
					for (int i = 0; i < 10; i++) {
						touchAndRelease(allocator.directBuffer(size));
					}
					fewest = Math.min(fewest, (minorFaults() - before) / 10);
				}
				System.out.println("faultsPerRound=" + fewest);
			}
			case "return" -> {
				if (Boolean.getBoolean("catzilla.test.onEventLoop")) {
					// As on a Netty event loop: the thread's own lease and block cache.
					Throwable[] failure = new Throwable[1];
					Thread loop = new FastThreadLocalThread(() -> {
						try {
							holdAndRelease(allocator, size, waitSeconds);
						}
						catch (Throwable ex) {
							failure[0] = ex;
						}
					}, "event-loop-like");
					loop.start();
					loop.join();
					if (failure[0] != null) {
						throw new IllegalStateException(failure[0]);
					}
				}
				else {
					holdAndRelease(allocator, size, waitSeconds);
				}
			}
			case "steady" -> {
				// 64 MiB live in buffers of this size, a sixteenth replaced every 5 ms
				// for
				// the wait (in seconds): the live bytes dip and recover, never halve.
				Thread loop = new FastThreadLocalThread(() -> {
					List<ByteBuf> held = new ArrayList<>();
					for (long total = 0; total < 64L * MIB; total += size) {
						held.add(allocator.directBuffer(size).writeZero(size));
					}
					long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
					try {
						while (System.nanoTime() < end) {
							int n = held.size() / 16;
							for (int i = 0; i < n; i++) {
								held.remove(held.size() - 1).release();
							}
							Thread.sleep(5);
							for (int i = 0; i < n; i++) {
								held.add(allocator.directBuffer(size).writeZero(size));
							}
						}
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
					held.forEach(ByteBuf::release);
				}, "event-loop-like");
				long purges = QuietPurge.purges();
				loop.start();
				loop.join();
				System.out.println("quietPurgesUnderLoad=" + (QuietPurge.purges() - purges));
			}
			case "late" -> {
				// A lease given back whose watch reads jemalloc's allocated bytes only
				// after every free was done (its thread started late on a busy machine):
				// the level before the give-back, not that first reading, is the high.
				// 8 MiB still live, as after a burst: what the watch first reads.
				List<ByteBuf> live = new ArrayList<>();
				for (int i = 0; i < 512; i++) {
					live.add(allocator.directBuffer(16 * 1024).writeZero(16 * 1024));
				}
				// Their leases started a watch of their own, which ends once they stay
				// idle: the give-back below must start the watch.
				if (!QuietPurgeOff.awaitNoWatch(Duration.ofSeconds(5))) {
					throw new IllegalStateException("the live buffers' watch still runs after 5 s");
				}
				long purges = QuietPurge.purges();
				// A counter holding 1 GiB (counted only): the give-back's level.
				DirectMemoryCounter counter = new DirectMemoryCounter(2L << 30, false);
				if (!counter.tryReserve(1L << 30)) {
					throw new IllegalStateException("1 GiB did not fit under a 2 GiB cap");
				}
				QuietPurge.volumeFreed(counter);
				counter.release(1L << 30);
				QuietPurgeOff.awaitNoWatch(Duration.ofSeconds(waitSeconds));
				System.out.println("quietPurgesAfterLateWatch=" + (QuietPurge.purges() - purges));
				live.forEach(ByteBuf::release);
			}
			case "stop" -> {
				boolean executors = Boolean.getBoolean("catzilla.test.executors");
				allocator.directBuffer(1).release();
				long allocatedBefore = Jemalloc.stats().allocated();
				long purges = QuietPurge.purges();
				CountDownLatch stopped = new CountDownLatch(8);
				CountDownLatch exit = new CountDownLatch(1);
				List<Thread> loops = new ArrayList<>();
				List<EventExecutor> eventLoops = new ArrayList<>();
				for (int t = 0; t < 8; t++) {
					Runnable load = () -> {
						// As requests in flight: a ring of 56 buffers (under 960 KiB),
						// the oldest replaced by a new one of the next size (1 KiB up to
						// the given size), so the live bytes stay level.
						long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
						ByteBuf[] ring = new ByteBuf[56];
						for (int step = 0; System.nanoTime() < end; step++) {
							int each = 1024 * (1 + (step / 7) % (size / 1024));
							int slot = step % ring.length;
							if (ring[slot] != null) {
								ring[slot].release();
							}
							ring[slot] = allocator.directBuffer(each).writeZero(each);
						}
						for (ByteBuf buf : ring) {
							if (buf != null) {
								buf.release();
							}
						}
						stopped.countDown();
					};
					if (executors) {
						// Netty event loops: idle between tasks, reachable through their
						// executor.
						EventExecutor loop = new DefaultEventExecutor();
						eventLoops.add(loop);
						loop.execute(load);
						continue;
					}
					Thread loop = new FastThreadLocalThread(() -> {
						load.run();
						try {
							// Idle, alive: as an event loop between requests.
							exit.await();
						}
						catch (InterruptedException ex) {
							Thread.currentThread().interrupt();
						}
					}, "event-loop-like-" + t);
					loops.add(loop);
					loop.start();
				}
				stopped.await();
				long ended = System.nanoTime();
				System.out.println("dirtyAtEndKiB=" + JemallocStatistics.readDirty() / 1024);
				System.out.println("cachedAtEndKiB=" + allocator.cachedDirectMemory() / 1024);
				System.out
					.println("allocatedAtEndAboveBeforeKiB=" + (Jemalloc.stats().allocated() - allocatedBefore) / 1024);
				long back = -1;
				while (System.nanoTime() - ended < TimeUnit.SECONDS.toNanos(waitSeconds)) {
					if (QuietPurge.purges() > purges && JemallocStatistics.readDirty() <= MIB) {
						back = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ended);
						break;
					}
					Thread.sleep(20);
				}
				System.out.println("dirtyBackWithin1MiBAfterMillis=" + back);
				System.out.println("watchEnded=" + QuietPurgeOff.awaitNoWatch(Duration.ofSeconds(5)));
				System.out.println("quietPurgesAfterTheLoad=" + (QuietPurge.purges() - purges));
				System.out.println("cachedAfterKiB=" + allocator.cachedDirectMemory() / 1024);
				System.out
					.println("allocatedAfterAboveBeforeKiB=" + (Jemalloc.stats().allocated() - allocatedBefore) / 1024);
				exit.countDown();
				for (Thread loop : loops) {
					loop.join();
				}
				for (EventExecutor loop : eventLoops) {
					loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
				}
			}
			case "regrow" -> {
				List<ByteBuf> held = new ArrayList<>();
				for (long total = 0; total < 64L * MIB; total += size) {
					held.add(allocator.directBuffer(size).writeZero(size));
				}
				held.forEach(ByteBuf::release);
				long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
				while (NativeHeapTrim.jvm().trims() == 0 && System.nanoTime() < deadline) {
					Thread.sleep(20);
				}
				System.out.println("trimsAfterTheLoad=" + NativeHeapTrim.jvm().trims());
				QuietPurgeOff.awaitNoWatch(Duration.ofSeconds(5));
				long before = residentMiB();
				halfFreeCHeap(64);
				System.out.println("regrownMiB=" + (residentMiB() - before));
				// The lull: an event loop answering a scrape now and then.
				Thread scrapes = new FastThreadLocalThread(() -> {
					long lull = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
					try {
						while (System.nanoTime() < lull) {
							allocator.directBuffer(1024).writeZero(1024).release();
							Thread.sleep(200);
						}
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
				}, "event-loop-like");
				scrapes.start();
				scrapes.join();
				QuietPurgeOff.awaitNoWatch(Duration.ofSeconds(5));
				System.out.println("trimsAfterTheLull=" + NativeHeapTrim.jvm().trims());
				System.out.println("afterTheLullAboveBeforeMiB=" + (residentMiB() - before));
			}
			default -> throw new IllegalArgumentException(args[0]);
		}
		System.out.println("exit=normal");
	}

	private static void holdAndRelease(JemallocByteBufAllocator allocator, int size, long waitSeconds)
			throws Exception {
		allocator.directBuffer(1).release();
		long baseline = residentMiB();
		long cHeapMiB = Long.getLong("catzilla.test.cHeapMiB", 0);
		if (cHeapMiB > 0) {
			// What the JVM's own malloc gives back only when trimmed: cHeapMiB of 64 KiB
			// blocks (below glibc's mmap threshold), touched, every other one freed.
			halfFreeCHeap(cHeapMiB);
		}
		List<ByteBuf> held = new ArrayList<>();
		for (long total = 0; total < (1L << 30); total += size) {
			ByteBuf buf = allocator.directBuffer(size);
			for (int i = 0; i < size; i += 4096) {
				buf.setByte(i, 1);
			}
			held.add(buf);
		}
		long peak = residentMiB() - baseline;
		System.out.println("peakAboveBaselineMiB=" + peak);
		long releasing = System.nanoTime();
		held.forEach(ByteBuf::release);
		long released = System.nanoTime();
		System.out.println("releaseMillis=" + TimeUnit.NANOSECONDS.toMillis(released - releasing));
		System.out.println("rightAfterMiB=" + (residentMiB() - baseline));
		// What happened after the release, for a failure's report: every step of the
		// first 400 characters and every step where the quiet purges' count moved.
		StringBuilder timeline = new StringBuilder();
		long lastPurges = -1;
		long within = -1;
		long ninetyPercent = -1;
		long heldAfter200ms = -1;
		while (System.nanoTime() - released < TimeUnit.SECONDS.toNanos(waitSeconds)) {
			long above = residentMiB() - baseline;
			if (heldAfter200ms < 0 && System.nanoTime() - released >= TimeUnit.MILLISECONDS.toNanos(200)) {
				heldAfter200ms = above;
			}
			long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - released);
			long purges = QuietPurge.purges();
			if (purges != lastPurges || timeline.length() < 400) {
				timeline.append(' ')
					.append(millis)
					.append("ms:rss+")
					.append(above)
					.append(",allocated=")
					.append(Jemalloc.stats().allocated() / MIB)
					.append(",dirty=")
					.append(JemallocStatistics.readDirty() / MIB)
					.append(",purges=")
					.append(purges)
					.append(",watch=")
					.append(QuietPurge.watching());
				lastPurges = purges;
			}
			if (ninetyPercent < 0 && above <= peak / 10) {
				ninetyPercent = millis;
			}
			if (above <= 32) {
				within = millis;
				break;
			}
			Thread.sleep(50);
		}
		// The resident set drops while the purge runs; its count moves when it returned.
		QuietPurgeOff.awaitNoWatch(Duration.ofSeconds(5));
		System.out.println("heldAfter200msMiB=" + ((heldAfter200ms < 0) ? residentMiB() - baseline : heldAfter200ms));
		System.out.println("backWithin32MiBAfterMillis=" + within);
		System.out.println("ninetyPercentBackAfterMillis=" + ninetyPercent);
		System.out.println("quietPurges=" + QuietPurge.purges());
		System.out.println("nativeHeapTrims=" + NativeHeapTrim.jvm().trims());
		System.out.println("timeline=" + timeline);
		System.out.println("jemallocResidentMiB=" + Jemalloc.stats().resident() / MIB);
		System.out.println("finalAboveBaselineMiB=" + (residentMiB() - baseline));
	}

	private static void halfFreeCHeap(long mib) throws Exception {
		java.lang.reflect.Field field = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
		field.setAccessible(true);
		sun.misc.Unsafe unsafe = (sun.misc.Unsafe) field.get(null);
		int block = 64 * 1024;
		long[] blocks = new long[(int) (mib * MIB / block)];
		// The live half stays allocated to the end of the process.
		for (int i = 0; i < blocks.length; i++) {
			blocks[i] = unsafe.allocateMemory(block);
			unsafe.setMemory(blocks[i], block, (byte) 1);
		}
		// Every other block freed: free chunks between live ones, which glibc gives back
		// only when trimmed (malloc_trim releases the whole pages inside free chunks).
		for (int i = 0; i < blocks.length; i += 2) {
			unsafe.freeMemory(blocks[i]);
		}
		System.out.println("cHeapFreedMiB=" + mib / 2);
	}

	private static void touchAndRelease(ByteBuf buf) {
		for (int i = 0; i < buf.capacity(); i += 4096) {
			buf.setByte(i, 1);
		}
		buf.release();
	}

	private static long minorFaults() throws Exception {
		String stat = Files.readString(Path.of("/proc/self/stat"));
		return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[7]);
	}

	private static long residentMiB() throws Exception {
		String[] statm = Files.readString(Path.of("/proc/self/statm")).trim().split(" ");
		return Long.parseLong(statm[1]) * 4096 / MIB;
	}

}
