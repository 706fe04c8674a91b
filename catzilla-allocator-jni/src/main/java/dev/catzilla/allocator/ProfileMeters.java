package dev.catzilla.allocator;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The profile's meters, {@code catzilla.profile.*} (names and descriptions from
 * {@link CatzillaMeter}):
 * <ul>
 * <li>{@code catzilla.profile.live} (gauge, bytes): estimated live bytes of the network
 * buffers;</li>
 * <li>{@code catzilla.profile.site.live} (gauge, bytes) tagged {@code site}: the
 * {@value #TOP_SITES} sites with the most live bytes and {@code other} for the rest
 * (bounded cardinality; refreshed at most every 10 s, when the registry reads
 * {@code catzilla.profile.live});</li>
 * <li>{@code catzilla.profile.leaks} (counter) and {@code catzilla.profile.leaked}
 * (counter, bytes, estimated): sampled buffers collected without a release;</li>
 * <li>{@code catzilla.profile.samples} (gauge) live sample records,
 * {@code catzilla.profile.samples.dropped} (counter) samples the cap left out.</li>
 * </ul>
 */
final class ProfileMeters implements MeterBinder {

	static final int TOP_SITES = 5;

	private static final long REFRESH_NANOS = 10_000_000_000L;

	private final AllocationProfiler profiler;

	private final LongSupplier nanoClock;

	private MultiGauge sites;

	private long refreshedNanos;

	private boolean refreshed;

	private volatile AllocationProfiler.Snapshot last;

	private volatile java.util.Map<String, Long> liveBySite = java.util.Map.of();

	ProfileMeters(AllocationProfiler profiler, LongSupplier nanoClock) {
		this.profiler = profiler;
		this.nanoClock = nanoClock;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.sites = MultiGauge.builder(CatzillaMeter.PROFILE_SITE_LIVE.getName())
			.description(CatzillaMeter.PROFILE_SITE_LIVE.plainDescription())
			.baseUnit(BaseUnits.BYTES)
			.register(registry);
		Gauge.builder(CatzillaMeter.PROFILE_LIVE.getName(), this, (m) -> m.snapshot().liveBytes())
			.description(CatzillaMeter.PROFILE_LIVE.plainDescription())
			.baseUnit(BaseUnits.BYTES)
			.strongReference(true)
			.register(registry);
		FunctionCounter.builder(CatzillaMeter.PROFILE_LEAKS.getName(), this.profiler, (p) -> p.leaks().count())
			.description(CatzillaMeter.PROFILE_LEAKS.plainDescription())
			.register(registry);
		FunctionCounter
			.builder(CatzillaMeter.PROFILE_LEAKED.getName(), this.profiler, (p) -> p.leaks().estimatedBytes())
			.description(CatzillaMeter.PROFILE_LEAKED.plainDescription())
			.baseUnit(BaseUnits.BYTES)
			.register(registry);
		Gauge.builder(CatzillaMeter.PROFILE_SAMPLES.getName(), this, (m) -> m.snapshot().memory().liveSamples())
			.description(CatzillaMeter.PROFILE_SAMPLES.plainDescription())
			.strongReference(true)
			.register(registry);
		FunctionCounter
			.builder(CatzillaMeter.PROFILE_SAMPLES_DROPPED.getName(), this,
					(m) -> m.snapshot().memory().samplesDropped())
			.description(CatzillaMeter.PROFILE_SAMPLES_DROPPED.plainDescription())
			.register(registry);
		snapshot();
	}

	/**
	 * The latest snapshot, taken again (and the site gauges refreshed) at most every 10
	 * seconds.
	 */
	synchronized AllocationProfiler.Snapshot snapshot() {
		long now = this.nanoClock.getAsLong();
		if (this.refreshed && now - this.refreshedNanos < REFRESH_NANOS) {
			return this.last;
		}
		AllocationProfiler.Snapshot snapshot = this.profiler.snapshot();
		this.last = snapshot;
		this.refreshed = true;
		this.refreshedNanos = now;
		java.util.Map<String, Long> live = new java.util.HashMap<>();
		long other = 0;
		int n = 0;
		for (AllocationProfiler.SiteProfile site : snapshot.sites()) {
			if (site.liveBytes() <= 0) {
				continue;
			}
			if (n++ < TOP_SITES) {
				live.merge(site.name(), site.liveBytes(), Long::sum);
			}
			else {
				other += site.liveBytes();
			}
		}
		live.merge("other", other, Long::sum);
		this.liveBySite = live;
		// Rows read the latest values; a row that stays is kept (not removed and
		// registered again), because this
		// runs inside a scrape and a meter replaced during it is seen twice (Prometheus:
		// duplicate labels).
		List<MultiGauge.Row<?>> rows = new ArrayList<>();
		for (String name : live.keySet()) {
			rows.add(MultiGauge.Row.of(Tags.of("site", name), this, (m) -> m.liveBySite.getOrDefault(name, 0L)));
		}
		if (this.sites != null) {
			this.sites.register(rows, false);
		}
		return snapshot;
	}

}
