package dev.catzilla.allocator;

import io.netty.buffer.ByteBuf;

/**
 * Test support, run by {@link FlightRecorderEventsTest} in a JVM whose runtime has no
 * {@code jdk.jfr} module ({@code --limit-modules}): sampling, leaks, purges and refusals
 * at the cap must work without it. Prints {@code key=value} lines.
 */
public final class NoFlightRecorderMain {

	private NoFlightRecorderMain() {
	}

	public static void main(String[] args) throws Exception {
		System.out.println("jfrModule=" + ModuleLayer.boot().findModule("jdk.jfr").isPresent());
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder()
			.maxDirectMemory(1 << 20)
			.profiling(ProfilingOptions.defaults().withSampleInterval(1))
			.build();
		for (int i = 0; i < 100; i++) {
			ByteBuf buf = allocator.directBuffer(100);
			buf.writeZero(1000); // growth, sampled too
			buf.release();
		}
		allocator.newJemallocBuffer(777, 777).writeByte(1); // leaked
		for (int attempt = 0; attempt < 100 && allocator.profiler().leaks().count() == 0; attempt++) {
			System.gc();
			Thread.sleep(20);
		}
		System.out.println("samples=" + allocator.profiler().snapshot().memory().samplesTaken());
		System.out.println("leaks=" + allocator.profiler().leaks().count());
		System.out.println("purged=" + (Jemalloc.purge() >= 0));
		try {
			allocator.directBuffer(2 << 20);
		}
		catch (JemallocCapExceededException expected) {
			System.out.println("refused=" + allocator.refusedAllocations());
		}
	}

}
