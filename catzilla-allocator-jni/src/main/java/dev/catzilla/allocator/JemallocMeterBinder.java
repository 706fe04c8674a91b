package dev.catzilla.allocator;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Catzilla's meters for a {@link JemallocByteBufAllocator}, without Spring: every
 * {@link CatzillaMeter} except the starter's {@code catzilla.allocator.info}. A plain
 * Netty application binds it to its registry:
 *
 * <pre>{@code
 * new JemallocMeterBinder(JemallocByteBufAllocator.DEFAULT).bindTo(registry);
 * new NettyAllocatorMetrics(JemallocByteBufAllocator.DEFAULT).bindTo(registry); // Micrometer's netty.allocator.*
 * }</pre>
 *
 * Micrometer is an optional dependency of this module: this class (and
 * {@link CatzillaMeter}) need {@code micrometer-core} on the class path, nothing else
 * does. The jemalloc gauges all read one snapshot of {@link JemallocStatistics#shared()},
 * so a scrape costs at most one statistics read per 250 ms however many gauges and
 * registries read it. The Spring starter's binder delegates to this one.
 */
public final class JemallocMeterBinder implements MeterBinder {

	private final JemallocByteBufAllocator allocator;

	private final JemallocStatistics statistics;

	private final LongSupplier nanoClock;

	/**
	 * Meters of {@code allocator}, with jemalloc's statistics from
	 * {@link JemallocStatistics#shared()}.
	 * @param allocator the allocator whose cache, refusals and profile are shown
	 */
	public JemallocMeterBinder(JemallocByteBufAllocator allocator) {
		this(allocator, JemallocStatistics.shared(), System::nanoTime);
	}

	/**
	 * @param allocator the allocator whose cache, refusals and profile are shown
	 * @param statistics where jemalloc's statistics come from
	 * @param nanoClock the clock of the profile meters' 10-second refresh
	 */
	public JemallocMeterBinder(JemallocByteBufAllocator allocator, JemallocStatistics statistics,
			LongSupplier nanoClock) {
		this.allocator = Objects.requireNonNull(allocator, "allocator");
		this.statistics = Objects.requireNonNull(statistics, "statistics");
		this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		JemallocByteBufAllocator jemalloc = this.allocator;
		Gauge.builder(CatzillaMeter.ALLOCATOR_CACHED.getName(), jemalloc, JemallocByteBufAllocator::cachedDirectMemory)
			.description(CatzillaMeter.ALLOCATOR_CACHED.plainDescription())
			.baseUnit(CatzillaMeter.ALLOCATOR_CACHED.getBaseUnit())
			.strongReference(true)
			.register(registry);
		FunctionCounter
			.builder(CatzillaMeter.ALLOCATOR_REFUSALS.getName(), jemalloc, JemallocByteBufAllocator::refusedAllocations)
			.description(CatzillaMeter.ALLOCATOR_REFUSALS.plainDescription())
			.register(registry);
		FunctionCounter
			.builder(CatzillaMeter.ALLOCATOR_REFUSED.getName(), jemalloc, JemallocByteBufAllocator::refusedBytes)
			.description(CatzillaMeter.ALLOCATOR_REFUSED.plainDescription())
			.baseUnit(CatzillaMeter.ALLOCATOR_REFUSED.getBaseUnit())
			.register(registry);
		JemallocStatistics source = this.statistics;
		for (CatzillaMeter meter : CatzillaMeter.values()) {
			JemallocStatistic statistic = meter.statistic();
			if (statistic == null) {
				continue;
			}
			if (meter.getType() == io.micrometer.core.instrument.Meter.Type.COUNTER) {
				FunctionCounter.builder(meter.getName(), source, (s) -> s.get().get(statistic))
					.description(meter.plainDescription())
					.register(registry);
			}
			else if (statistic.unit() == JemallocStatistic.Unit.NANOSECONDS) {
				TimeGauge.builder(meter.getName(), source, TimeUnit.NANOSECONDS, (s) -> s.get().get(statistic))
					.description(meter.plainDescription())
					.strongReference(true)
					.register(registry);
			}
			else {
				Gauge.builder(meter.getName(), source, (s) -> s.get().get(statistic))
					.description(meter.plainDescription())
					.baseUnit(meter.getBaseUnit())
					.strongReference(true)
					.register(registry);
			}
		}
		for (JemallocRatio ratio : JemallocRatio.values()) {
			Gauge.builder(CatzillaMeter.JEMALLOC_RATIO.getName(), source, (s) -> s.get().ratio(ratio))
				.description(CatzillaMeter.JEMALLOC_RATIO.plainDescription())
				.tag("ratio", CatzillaMeter.ratioTag(ratio))
				.strongReference(true)
				.register(registry);
			Gauge.builder(CatzillaMeter.JEMALLOC_RATIO_BYTES.getName(), source, (s) -> s.get().ratioBytes(ratio))
				.description(CatzillaMeter.JEMALLOC_RATIO_BYTES.plainDescription())
				.baseUnit(CatzillaMeter.JEMALLOC_RATIO_BYTES.getBaseUnit())
				.tag("ratio", CatzillaMeter.ratioTag(ratio))
				.strongReference(true)
				.register(registry);
		}
		for (Purges.Trigger trigger : Purges.Trigger.values()) {
			FunctionCounter.builder(CatzillaMeter.JEMALLOC_PURGES.getName(), trigger, Purges::count)
				.description(CatzillaMeter.JEMALLOC_PURGES.plainDescription())
				.tag("trigger", trigger.tag())
				.register(registry);
			FunctionCounter.builder(CatzillaMeter.JEMALLOC_PURGED.getName(), trigger, Purges::released)
				.description(CatzillaMeter.JEMALLOC_PURGED.plainDescription())
				.baseUnit(CatzillaMeter.JEMALLOC_PURGED.getBaseUnit())
				.tag("trigger", trigger.tag())
				.register(registry);
		}
		new DoctorMeters(jemalloc, source, this.nanoClock).bindTo(registry);
		new ProfileMeters(jemalloc.profiler(), this.nanoClock).bindTo(registry);
	}

}
