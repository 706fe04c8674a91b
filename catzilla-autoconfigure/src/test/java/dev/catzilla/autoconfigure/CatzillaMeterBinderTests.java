package dev.catzilla.autoconfigure;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import dev.catzilla.allocator.JemallocByteBufAllocator;
import dev.catzilla.allocator.JemallocStats;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Catzilla's meters: names, units, tags, and one jemalloc snapshot per scrape.
 */
class CatzillaMeterBinderTests {

	private static final String[] JEMALLOC_GAUGES = { "allocated", "active", "resident", "mapped", "retained",
			"metadata" };

	@Test
	void sixJemallocGaugesShareOneSnapshotPerWindow() {
		AtomicInteger reads = new AtomicInteger();
		AtomicLong clock = new AtomicLong(1_000_000_000L);
		Supplier<JemallocStats> source = () -> {
			int n = reads.incrementAndGet();
			return new JemallocStats(n * 10, n * 20, n * 30, n * 40, n * 50, n * 60);
		};
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		new CatzillaMeterBinder(jemallocOutcome(), source, clock::get).bindTo(registry);

		double[] first = scrape(registry);
		assertThat(reads).hasValue(1);
		assertThat(first).containsExactly(10, 20, 30, 40, 50, 60);

		clock.addAndGet(999_000_000L);
		scrape(registry);
		assertThat(reads).as("still within the one-second window").hasValue(1);

		clock.addAndGet(1_000_000L);
		double[] second = scrape(registry);
		assertThat(reads).hasValue(2);
		assertThat(second).containsExactly(20, 40, 60, 80, 100, 120);
	}

	@Test
	void jemallocGaugesAreDottedLowercaseInBytes() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		new CatzillaMeterBinder(jemallocOutcome(), () -> new JemallocStats(1, 2, 3, 4, 5, 6), System::nanoTime)
			.bindTo(registry);
		for (String name : JEMALLOC_GAUGES) {
			Gauge gauge = registry.get("catzilla.jemalloc." + name).gauge();
			assertThat(gauge.getId().getBaseUnit()).isEqualTo("bytes");
			assertThat(gauge.getId().getDescription()).isNotBlank();
			assertThat(gauge.getId().getTags()).isEmpty();
		}
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
		new CatzillaMeterBinder(jemallocOutcome(), () -> new JemallocStats(1, 2, 3, 4, 5, 6), System::nanoTime)
			.bindTo(registry);
		assertThat(registry.get("netty.allocator.memory.used")
			.tag("allocator.type", "JemallocByteBufAllocator")
			.tag("memory.type", "direct")
			.gauge()
			.value()).isGreaterThanOrEqualTo(0);
	}

	@Test
	void cachedBytesOfOurAllocatorAreAGaugeInBytes() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		new CatzillaMeterBinder(jemallocOutcome(), () -> new JemallocStats(1, 2, 3, 4, 5, 6), System::nanoTime)
			.bindTo(registry);
		Gauge cached = registry.get("catzilla.allocator.cached").gauge();
		assertThat(cached.getId().getBaseUnit()).isEqualTo("bytes");
		assertThat(cached.getId().getTags()).isEmpty();
		assertThat(cached.value()).isEqualTo(JemallocByteBufAllocator.DEFAULT.cachedDirectMemory());
	}

	private static double[] scrape(SimpleMeterRegistry registry) {
		double[] values = new double[JEMALLOC_GAUGES.length];
		for (int i = 0; i < values.length; i++) {
			values[i] = registry.get("catzilla.jemalloc." + JEMALLOC_GAUGES[i]).gauge().value();
		}
		return values;
	}

	private static CatzillaAllocator jemallocOutcome() {
		return new CatzillaAllocator(AllocatorMode.AUTO, ActiveAllocator.JEMALLOC, JemallocByteBufAllocator.DEFAULT,
				"test", null);
	}

}
