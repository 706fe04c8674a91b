package dev.catzilla.allocator;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ProfileMeters}: live bytes in total and for the top sites plus {@code other},
 * leaks, samples.
 */
class ProfileMetersTest {

	@Test
	void theTopFiveSitesHaveTheirOwnGaugeAndTheRestCountAsOther() {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder()
			.profiling(ProfilingOptions.defaults().withSampleInterval(1))
			.build();
		List<Supplier<ByteBuf>> sites = List.of(() -> allocator.directBuffer(7000), () -> allocator.directBuffer(6000),
				() -> allocator.directBuffer(5000), () -> allocator.directBuffer(4000),
				() -> allocator.directBuffer(3000), () -> allocator.directBuffer(2000),
				() -> allocator.directBuffer(1000));
		List<ByteBuf> held = new ArrayList<>();
		sites.forEach((site) -> held.add(site.get()));
		AtomicLong clock = new AtomicLong();
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		try {
			new ProfileMeters(allocator.profiler(), clock::get).bindTo(registry);
			assertThat(registry.get("catzilla.profile.live").gauge().value()).isEqualTo(28000);
			assertThat(registry.get("catzilla.profile.samples").gauge().value()).isEqualTo(7);
			List<Gauge> bySite = new ArrayList<>(registry.get("catzilla.profile.site.live").gauges());
			assertThat(bySite).hasSize(6);
			assertThat(registry.get("catzilla.profile.site.live").tag("site", "other").gauge().value()).isEqualTo(3000);
			assertThat(bySite).extracting((g) -> g.getId().getTag("site"))
				.filteredOn((site) -> !site.equals("other"))
				.allSatisfy((site) -> assertThat(site).contains(ProfileMetersTest.class.getName()));
			held.forEach(ByteBuf::release);
			held.clear();
			assertThat(registry.get("catzilla.profile.live").gauge().value()).as("cached for 10 s").isEqualTo(28000);
			clock.addAndGet(10_000_000_000L);
			assertThat(registry.get("catzilla.profile.live").gauge().value()).isZero();
			assertThat(registry.get("catzilla.profile.site.live").gauges()).hasSize(1);
			assertThat(registry.get("catzilla.profile.leaks").functionCounter().count()).isZero();
			assertThat(registry.get("catzilla.profile.samples.dropped").functionCounter().count()).isZero();
		}
		finally {
			held.forEach(ByteBuf::release);
		}
	}

}
