package dev.catzilla.allocator;

import io.netty.buffer.ByteBuf;

/**
 * Run by {@link JemallocStatisticsTest} in a JVM without Micrometer on the class path:
 * the allocator, the statistics, the ratios and the doctor work (Micrometer is an
 * optional dependency, needed only by the meter binder).
 */
public final class WithoutMicrometerMain {

	private WithoutMicrometerMain() {
	}

	public static void main(String[] args) {
		try {
			Class.forName("io.micrometer.core.instrument.MeterRegistry");
			System.out.println("micrometer=present");
		}
		catch (ClassNotFoundException ex) {
			System.out.println("micrometer=absent");
		}
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder()
			.profiling(ProfilingOptions.defaults().withSampleInterval(1))
			.build();
		ByteBuf buffer = allocator.directBuffer(5000);
		JemallocStatistics.Snapshot snapshot = JemallocStatistics.shared().get();
		System.out.println("allocated=" + snapshot.get(JemallocStatistic.ALLOCATED));
		System.out.println("ratio=" + JemallocRatio.ACTIVE_ALLOCATED.ratio(snapshot));
		System.out.println("verdict=" + MemoryDoctor.examine(MemoryDoctor.Facts.of(allocator)).verdict());
		buffer.release();
		System.out.println("exit=normal");
	}

}
