package dev.catzilla.allocator;

import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The meters a plain Netty application binds without Spring, on the real jemalloc. */
class JemallocMeterBinderTest {

	private static final long MIB = 1024 * 1024;

	@Test
	void everyMeterOfTheEnumButTheStartersInfoIsBoundWithItsTypeAndUnit() {
		NativeTestSupport.requireNativeLibrary();
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		new JemallocMeterBinder(JemallocByteBufAllocator.builder().build()).bindTo(registry);
		for (CatzillaMeter meter : CatzillaMeter.values()) {
			if (meter.when() == CatzillaMeter.When.SPRING || meter == CatzillaMeter.PROFILE_SITE_LIVE) {
				continue;
			}
			assertThat(registry.find(meter.getName()).meters()).as(meter.getName()).isNotEmpty().allSatisfy((m) -> {
				assertThat(m.getId().getType()).as(meter.getName())
					.isEqualTo((meter.getType() == Meter.Type.COUNTER) ? Meter.Type.COUNTER : Meter.Type.GAUGE);
				assertThat(m.getId().getDescription()).isEqualTo(meter.plainDescription()).doesNotContain("`");
			});
		}
		assertThat(registry.find(CatzillaMeter.ALLOCATOR_INFO.getName()).meters()).isEmpty();
		assertThat(registry.get("catzilla.jemalloc.resident").gauge().value()).isPositive();
		assertThat(registry.get("catzilla.jemalloc.arenas").gauge().value()).isPositive();
		assertThat(registry.get("catzilla.jemalloc.ratio").tag("ratio", "process.resident.allocated").gauge().value())
			.as("the JVM heap is in the process's RSS")
			.isGreaterThan(1);
		assertThat(registry.get("catzilla.jemalloc.ratio.bytes").tag("ratio", "metadata.share").gauge().value())
			.isEqualTo(registry.get("catzilla.jemalloc.metadata").gauge().value());
	}

	@Test
	void capRefusalsAreCountedInAllocationsAndBytes() {
		NativeTestSupport.requireNativeLibrary();
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().maxDirectMemory(MIB).build();
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		new JemallocMeterBinder(allocator).bindTo(registry);
		assertThat(registry.get("catzilla.allocator.refusals").functionCounter().count()).isZero();
		for (int i = 0; i < 3; i++) {
			assertThatExceptionOfType(JemallocCapExceededException.class)
				.isThrownBy(() -> allocator.directBuffer(2 * (int) MIB));
		}
		assertThat(registry.get("catzilla.allocator.refusals").functionCounter().count()).isEqualTo(3);
		assertThat(registry.get("catzilla.allocator.refused").functionCounter().count()).isEqualTo(6.0 * MIB);
		assertThat(registry.get("catzilla.allocator.refused").functionCounter().getId().getBaseUnit())
			.isEqualTo("bytes");
	}

	@Test
	void allJemallocMetersOfOneScrapeReadOneSnapshot() {
		NativeTestSupport.requireNativeLibrary();
		AtomicInteger reads = new AtomicInteger();
		JemallocStatistics counting = new JemallocStatistics(() -> {
			reads.incrementAndGet();
			return JemallocStatistics.read();
		}, () -> 0L, JemallocStatistics.WINDOW);
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		new JemallocMeterBinder(JemallocByteBufAllocator.builder().build(), counting, System::nanoTime)
			.bindTo(registry);
		ByteBuf held = JemallocByteBufAllocator.DEFAULT.directBuffer(4096);
		try {
			registry.getMeters().forEach((meter) -> meter.measure().forEach((measurement) -> measurement.getValue()));
		}
		finally {
			held.release();
		}
		assertThat(reads).as("one read for every jemalloc meter of the scrape").hasValue(1);
	}

}
