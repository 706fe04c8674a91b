package dev.catzilla.allocator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;

/**
 * Test support, run in a forked JVM by {@link LargeBufferTest}; prints {@code key=value}
 * lines.
 * <ul>
 * <li>{@code faults <MiB>}: 50 rounds of allocating, touching every page of and releasing
 * one buffer of that size (after 5 rounds of warm-up); prints the minor page faults per
 * round.</li>
 * <li>{@code return <MiB>}: holds 1 GiB in touched buffers of that size, releases them
 * all, and prints the resident set above the baseline right after and after the first
 * moment it was within 32 MiB of it (up to 20 s).</li>
 * </ul>
 */
public final class LargeBufferMain {

	private static final int MIB = 1024 * 1024;

	private LargeBufferMain() {
	}

	public static void main(String[] args) throws Exception {
		int size = Integer.parseInt(args[1]) * MIB;
		if (args.length > 2) {
			Jemalloc
				.configure(JemallocOptions.builder().quietPurge(Duration.ofMillis(Long.parseLong(args[2]))).build());
		}
		long waitSeconds = (args.length > 3) ? Long.parseLong(args[3]) : 20;
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().maxDirectMemory(4L << 30).build();
		switch (args[0]) {
			case "faults" -> {
				for (int i = 0; i < 5; i++) {
					touchAndRelease(allocator.directBuffer(size));
				}
				long before = minorFaults();
				for (int i = 0; i < 50; i++) {
					touchAndRelease(allocator.directBuffer(size));
				}
				System.out.println("faultsPerRound=" + (minorFaults() - before) / 50);
			}
			case "return" -> {
				allocator.directBuffer(1).release();
				long baseline = residentMiB();
				List<ByteBuf> held = new ArrayList<>();
				for (long total = 0; total < (1L << 30); total += size) {
					ByteBuf buf = allocator.directBuffer(size);
					for (int i = 0; i < size; i += 4096) {
						buf.setByte(i, 1);
					}
					held.add(buf);
				}
				System.out.println("peakAboveBaselineMiB=" + (residentMiB() - baseline));
				held.forEach(ByteBuf::release);
				long released = System.nanoTime();
				System.out.println("rightAfterMiB=" + (residentMiB() - baseline));
				long within = -1;
				while (System.nanoTime() - released < TimeUnit.SECONDS.toNanos(waitSeconds)) {
					if (residentMiB() - baseline <= 32) {
						within = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - released);
						break;
					}
					Thread.sleep(50);
				}
				System.out.println("backWithin32MiBAfterMillis=" + within);
				System.out.println("quietPurges=" + QuietPurge.purges());
			}
			default -> throw new IllegalArgumentException(args[0]);
		}
		System.out.println("exit=normal");
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
