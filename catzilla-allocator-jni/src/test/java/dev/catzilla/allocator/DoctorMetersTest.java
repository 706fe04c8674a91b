package dev.catzilla.allocator;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The memory doctor's findings as {@code catzilla.doctor.findings} gauges. */
class DoctorMetersTest {

	private static final long MIB = 1024 * 1024;

	@BeforeAll
	static void requireLibrary() {
		NativeTestSupport.requireNativeLibrary();
	}

	@Test
	void everyRuleHasAGaugeTaggedWithItsSeverityThatIsOneWhileTheRuleFindsSomething() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		JemallocByteBufAllocator unprofiled = JemallocByteBufAllocator.builder()
			.profiling(ProfilingOptions.off())
			.build();
		new DoctorMeters(unprofiled, JemallocStatistics.shared(), System::nanoTime).bindTo(registry);
		assertThat(registry.find("catzilla.doctor.findings").gauges()).hasSize(MemoryDoctor.RULES.size());
		MemoryDoctor.RULES.forEach((rule, severity) -> assertThat(
				registry.get("catzilla.doctor.findings").tag("rule", rule).tag("severity", severity.tag()).gauge())
			.as(rule)
			.isNotNull());
		assertThat(finding(registry, "profiling-off")).isEqualTo(1);
		assertThat(finding(registry, "cap-refusals")).isZero();
		assertThat(registry.get("catzilla.doctor.findings")
			.tag("rule", "profiling-off")
			.gauge()
			.getId()
			.getTag("severity")).isEqualTo("info");
	}

	@Test
	void theDoctorRunsAtMostEveryTenSeconds() {
		AtomicLong clock = new AtomicLong();
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().maxDirectMemory(MIB).build();
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		new DoctorMeters(allocator, JemallocStatistics.shared(), clock::get).bindTo(registry);
		assertThat(finding(registry, "cap-refusals")).isZero();
		assertThatExceptionOfType(JemallocCapExceededException.class)
			.isThrownBy(() -> allocator.directBuffer(2 * (int) MIB));
		clock.addAndGet(9_000_000_000L);
		assertThat(finding(registry, "cap-refusals")).as("9 s later: the earlier examination").isZero();
		clock.addAndGet(1_000_000_000L);
		assertThat(finding(registry, "cap-refusals")).as("10 s later: examined again").isEqualTo(1);
		assertThat(
				registry.get("catzilla.doctor.findings").tag("rule", "cap-refusals").gauge().getId().getTag("severity"))
			.isEqualTo("critical");
	}

	@Test
	void whileTheDoctorCannotRunEveryGaugeReadsNaNNotNothingFound() {
		AtomicLong clock = new AtomicLong();
		AtomicInteger reads = new AtomicInteger();
		JemallocStatistics failing = new JemallocStatistics(() -> {
			if (reads.incrementAndGet() == 2) {
				throw new IllegalStateException("a mallctl read failed");
			}
			return JemallocStatistics.read();
		}, clock::get, JemallocStatistics.WINDOW);
		JemallocByteBufAllocator unprofiled = JemallocByteBufAllocator.builder()
			.profiling(ProfilingOptions.off())
			.build();
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		new DoctorMeters(unprofiled, failing, clock::get).bindTo(registry);
		assertThat(finding(registry, "profiling-off")).isEqualTo(1);
		clock.addAndGet(10_000_000_000L);
		assertThat(finding(registry, "profiling-off")).as("the second run failed").isNaN();
		assertThat(finding(registry, "cap-refusals")).isNaN();
		clock.addAndGet(10_000_000_000L);
		assertThat(finding(registry, "profiling-off")).as("the third run succeeded").isEqualTo(1);
		assertThat(finding(registry, "cap-refusals")).isZero();
	}

	private static double finding(SimpleMeterRegistry registry, String rule) {
		Gauge gauge = registry.get("catzilla.doctor.findings").tag("rule", rule).gauge();
		return gauge.value();
	}

}
