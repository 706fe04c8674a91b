package dev.catzilla.allocator;

import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The memory doctor as meters: {@code catzilla.doctor.findings}, one gauge per rule of
 * {@link MemoryDoctor#RULES} (tags {@code rule} and {@code severity}), 1 while the rule
 * finds something and 0 otherwise, so a dashboard or an alert sees the doctor's findings
 * without calling the endpoint. The doctor runs when the registry reads a gauge, at most
 * every 10 seconds; while its latest run failed, every gauge reads NaN (no answer, not
 * "nothing found").
 */
final class DoctorMeters implements MeterBinder {

	private static final long REFRESH_NANOS = 10_000_000_000L;

	private final JemallocByteBufAllocator allocator;

	private final JemallocStatistics statistics;

	private final LongSupplier nanoClock;

	private long examinedNanos;

	private boolean examined;

	private Set<String> found = Set.of();

	private boolean failed;

	DoctorMeters(JemallocByteBufAllocator allocator, JemallocStatistics statistics, LongSupplier nanoClock) {
		this.allocator = allocator;
		this.statistics = statistics;
		this.nanoClock = nanoClock;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		MemoryDoctor.RULES.forEach(
				(rule, severity) -> Gauge.builder(CatzillaMeter.DOCTOR_FINDINGS.getName(), this, (m) -> m.value(rule))
					.description(CatzillaMeter.DOCTOR_FINDINGS.plainDescription())
					.tag("rule", rule)
					.tag("severity", severity.tag())
					.strongReference(true)
					.register(registry));
	}

	/**
	 * 1 when {@code rule} found something at the latest examination (at most 10 s old), 0
	 * when not, NaN when that examination failed.
	 */
	synchronized double value(String rule) {
		long now = this.nanoClock.getAsLong();
		if (!this.examined || now - this.examinedNanos >= REFRESH_NANOS) {
			this.examined = true;
			this.examinedNanos = now;
			try {
				MemoryDoctor.Report report = MemoryDoctor
					.examine(MemoryDoctor.Facts.of(this.allocator, this.statistics.get()));
				this.found = report.findings().stream().map(MemoryDoctor.Finding::rule).collect(Collectors.toSet());
				this.failed = false;
			}
			catch (RuntimeException ex) {
				// A scrape must not fail; the gauges say "no answer" until a run
				// succeeds.
				this.failed = true;
			}
		}
		if (this.failed) {
			return Double.NaN;
		}
		return this.found.contains(rule) ? 1 : 0;
	}

}
