package dev.catzilla.autoconfigure.actuate.metrics;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import dev.catzilla.allocator.CatzillaMeter;
import dev.catzilla.allocator.JemallocByteBufAllocator;
import dev.catzilla.allocator.JemallocStatistic;
import dev.catzilla.allocator.JemallocStatistics;
import dev.catzilla.autoconfigure.ActiveAllocator;
import dev.catzilla.autoconfigure.AllocatorMode;
import dev.catzilla.autoconfigure.CatzillaAllocator;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter's meters: the info gauge, Netty's allocator metrics, and the plain binder's
 * meters (named in {@link CatzillaMeter}) sharing one statistics snapshot per window.
 */
class CatzillaMeterBinderTests {

	@Test
	void jemallocGaugesShareOneSnapshotPerWindow() {
		AtomicInteger reads = new AtomicInteger();
		AtomicLong clock = new AtomicLong(1_000_000_000L);
		Supplier<JemallocStatistics.Snapshot> source = () -> snapshot(reads.incrementAndGet());
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		new CatzillaMeterBinder(jemallocOutcome(), source, clock::get).bindTo(registry);

		assertThat(value(registry, CatzillaMeter.JEMALLOC_ALLOCATED)).isEqualTo(10);
		assertThat(value(registry, CatzillaMeter.JEMALLOC_RESIDENT)).isEqualTo(30);
		assertThat(value(registry, CatzillaMeter.JEMALLOC_DIRTY)).isEqualTo(70);
		assertThat(reads).hasValue(1);

		clock.addAndGet(249_000_000L);
		value(registry, CatzillaMeter.JEMALLOC_METADATA);
		registry.get("catzilla.jemalloc.ratio").tag("ratio", "active.allocated").gauge().value();
		assertThat(reads).as("still within the 250 ms window").hasValue(1);

		clock.addAndGet(1_000_000L);
		assertThat(value(registry, CatzillaMeter.JEMALLOC_ALLOCATED)).isEqualTo(20);
		assertThat(value(registry, CatzillaMeter.JEMALLOC_ACTIVE)).isEqualTo(40);
		assertThat(reads).hasValue(2);
	}

	@Test
	void everyStatisticAndRatioIsAMeterNamedInTheDocumentationEnum() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		new CatzillaMeterBinder(jemallocOutcome(), () -> snapshot(1), System::nanoTime).bindTo(registry);
		for (CatzillaMeter meter : CatzillaMeter.values()) {
			assertThat(registry.find(meter.getName()).meters()).as(meter.getName()).isNotEmpty().allSatisfy((m) -> {
				assertThat(m.getId().getType()).as(meter.getName())
					.isEqualTo((meter.getType() == Meter.Type.COUNTER) ? Meter.Type.COUNTER : Meter.Type.GAUGE);
				assertThat(m.getId().getDescription()).isEqualTo(meter.plainDescription());
				if (!meter.getName().equals("catzilla.jemalloc.background.thread.run.interval")) {
					assertThat(m.getId().getBaseUnit()).as(meter.getName()).isEqualTo(meter.getBaseUnit());
				}
			});
		}
		assertThat(registry.getMeters()).extracting((m) -> m.getId().getName())
			.filteredOn((name) -> name.startsWith("catzilla."))
			.allSatisfy((name) -> assertThat(CatzillaMeter.values()).extracting(CatzillaMeter::getName).contains(name));
		assertThat(registry.get("catzilla.jemalloc.ratio").gauges()).hasSize(5);
		assertThat(registry.get("catzilla.jemalloc.ratio").tag("ratio", "active.allocated").gauge().value())
			.isEqualTo(2.0);
		assertThat(registry.get("catzilla.jemalloc.ratio.bytes").tag("ratio", "resident.active").gauge().value())
			.as("resident 30 - active 20")
			.isEqualTo(10);
		assertThat(registry.get("catzilla.jemalloc.background.thread.runs").functionCounter().count()).isEqualTo(110);
		assertThat(registry.get("catzilla.allocator.refusals").functionCounter().count()).isZero();
		assertThat(registry.get("catzilla.allocator.refused").functionCounter().getId().getBaseUnit())
			.isEqualTo("bytes");
	}

	@Test
	void infoMeterTagsSayRequestedAndActive() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		CatzillaAllocator fallback = new CatzillaAllocator(AllocatorMode.AUTO, ActiveAllocator.NETTY,
				ByteBufAllocator.DEFAULT, "jemalloc unavailable", new UnsatisfiedLinkError("test"));
		new CatzillaMeterBinder(fallback, null, System::nanoTime).bindTo(registry);
		Gauge info = registry.get("catzilla.allocator.info").gauge();
		assertThat(info.value()).isEqualTo(1.0);
		assertThat(info.getId().getTag("requested")).isEqualTo("auto");
		assertThat(info.getId().getTag("active")).isEqualTo("netty");
		assertThat(registry.find("catzilla.jemalloc.allocated").meters()).as("no jemalloc gauges without jemalloc")
			.isEmpty();
		assertThat(registry.find("catzilla.allocator.cached").meters()).isEmpty();
	}

	@Test
	void nettysAllocatorMetricsAreBoundToNettysDefaultAllocatorWhenItIsActive() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		CatzillaAllocator malloc = new CatzillaAllocator(AllocatorMode.MALLOC, ActiveAllocator.NETTY,
				ByteBufAllocator.DEFAULT, "malloc", null);
		new CatzillaMeterBinder(malloc, null, System::nanoTime).bindTo(registry);
		assertThat(registry.get("netty.allocator.memory.used")
			.tag("allocator.type", ByteBufAllocator.DEFAULT.getClass().getSimpleName())
			.gauges()).isNotEmpty();
	}

	@Test
	void nettysAllocatorMetricsAreBoundToOurAllocatorWhenJemallocIsActive() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		new CatzillaMeterBinder(jemallocOutcome(), () -> snapshot(1), System::nanoTime).bindTo(registry);
		assertThat(registry.get("netty.allocator.memory.used")
			.tag("allocator.type", "JemallocByteBufAllocator")
			.tag("memory.type", "direct")
			.gauge()
			.value()).isGreaterThanOrEqualTo(0);
	}

	@Test
	void cachedBytesOfOurAllocatorAreAGaugeInBytes() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		new CatzillaMeterBinder(jemallocOutcome(), () -> snapshot(1), System::nanoTime).bindTo(registry);
		Gauge cached = registry.get("catzilla.allocator.cached").gauge();
		assertThat(cached.getId().getBaseUnit()).isEqualTo("bytes");
		assertThat(cached.getId().getTags()).isEmpty();
		assertThat(cached.value()).isEqualTo(JemallocByteBufAllocator.DEFAULT.cachedDirectMemory());
	}

	private static double value(SimpleMeterRegistry registry, CatzillaMeter meter) {
		return registry.get(meter.getName()).gauge().value();
	}

	/** Totals n*10, n*20, ... in declaration order. */
	private static JemallocStatistics.Snapshot snapshot(int n) {
		Map<JemallocStatistic, Long> totals = new EnumMap<>(JemallocStatistic.class);
		long i = 1;
		for (JemallocStatistic statistic : JemallocStatistic.of(JemallocStatistic.Scope.TOTAL)) {
			totals.put(statistic, n * 10 * i++);
		}
		return JemallocStatistics.Snapshot.ofTotals(totals, -1);
	}

	private static CatzillaAllocator jemallocOutcome() {
		return new CatzillaAllocator(AllocatorMode.AUTO, ActiveAllocator.JEMALLOC, JemallocByteBufAllocator.DEFAULT,
				"test", null);
	}

}
