package dev.catzilla.autoconfigure.actuate.metrics;

import java.util.function.LongSupplier;
import java.util.function.Supplier;

import dev.catzilla.allocator.CatzillaMeter;
import dev.catzilla.allocator.JemallocByteBufAllocator;
import dev.catzilla.allocator.JemallocMeterBinder;
import dev.catzilla.allocator.JemallocStatistics;
import dev.catzilla.autoconfigure.CatzillaAllocator;
import dev.catzilla.autoconfigure.JemallocSupport;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.netty.buffer.ByteBufAllocatorMetricProvider;

import org.jspecify.annotations.Nullable;

/**
 * Catzilla's meters in a Spring application (every one is named in {@link CatzillaMeter},
 * the table of docs/spring.md is generated from it):
 * <ul>
 * <li>{@code catzilla.allocator.info} (gauge, always 1) tagged {@code requested} and
 * {@code active};</li>
 * <li>Micrometer's own {@link NettyAllocatorMetrics} for the active allocator
 * ({@code netty.allocator.*});</li>
 * <li>when jemalloc is active, everything {@link JemallocMeterBinder} binds (the same
 * meters a plain Netty application binds without Spring): the cache, cap refusals,
 * jemalloc's statistics and ratios, the profile.</li>
 * </ul>
 */
public final class CatzillaMeterBinder implements MeterBinder {

	private final CatzillaAllocator outcome;

	private final @Nullable JemallocStatistics statistics;

	private final LongSupplier nanoClock;

	/**
	 * Meters for the given outcome; jemalloc's statistics are read only when jemalloc is
	 * active.
	 * @param outcome the allocator decision
	 */
	public CatzillaMeterBinder(CatzillaAllocator outcome) {
		this(outcome, outcome.isJemalloc() ? JemallocSupport.statistics() : null, System::nanoTime);
	}

	/**
	 * @param outcome the allocator decision
	 * @param statisticsSource jemalloc's statistics; only used (and only needed) when
	 * jemalloc is active
	 * @param nanoClock the clock of the statistics cache and the profile meters
	 */
	CatzillaMeterBinder(CatzillaAllocator outcome, @Nullable Supplier<JemallocStatistics.Snapshot> statisticsSource,
			LongSupplier nanoClock) {
		this(outcome,
				(statisticsSource != null)
						? new JemallocStatistics(statisticsSource, nanoClock, JemallocStatistics.WINDOW) : null,
				nanoClock);
	}

	private CatzillaMeterBinder(CatzillaAllocator outcome, @Nullable JemallocStatistics statistics,
			LongSupplier nanoClock) {
		this.outcome = outcome;
		this.statistics = statistics;
		this.nanoClock = nanoClock;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauge.builder(CatzillaMeter.ALLOCATOR_INFO.getName(), () -> 1)
			.description(CatzillaMeter.ALLOCATOR_INFO.plainDescription())
			.tag("requested", this.outcome.requested().id())
			.tag("active", this.outcome.active().id())
			.strongReference(true)
			.register(registry);
		if (this.outcome.allocator() instanceof ByteBufAllocatorMetricProvider provider) {
			new NettyAllocatorMetrics(provider).bindTo(registry);
		}
		if (this.outcome.isJemalloc() && this.statistics != null
				&& this.outcome.allocator() instanceof JemallocByteBufAllocator jemalloc) {
			new JemallocMeterBinder(jemalloc, this.statistics, this.nanoClock).bindTo(registry);
		}
	}

}
