package dev.catzilla.autoconfigure.actuate.metrics;

import dev.catzilla.autoconfigure.ActiveAllocator;
import dev.catzilla.autoconfigure.AllocatorMode;
import dev.catzilla.autoconfigure.CatzillaAllocator;
import dev.catzilla.autoconfigure.CatzillaContextRunners;
import dev.catzilla.autoconfigure.CatzillaNettyServerCustomizer;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Catzilla's meters: bound when the application has a meter registry, replaced by a
 * user's binder, absent without Micrometer or without a registry.
 */
class CatzillaMetricsAutoConfigurationTests {

	private final ApplicationContextRunner runner = CatzillaContextRunners.runner();

	private final ReactiveWebApplicationContextRunner webRunner = CatzillaContextRunners.webRunner();

	@Test
	void withoutMicrometerThereAreNoMetersAndNothingFails() {
		this.webRunner.withClassLoader(new FilteredClassLoader("io.micrometer.core"))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(CatzillaAllocator.class)
				.hasSingleBean(CatzillaNettyServerCustomizer.class)
				.doesNotHaveBean(CatzillaMeterBinder.class));
	}

	@Test
	void withoutAMeterRegistryThereAreNoMeters() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(CatzillaMeterBinder.class));
	}

	@Test
	void withAMeterRegistryOurMetersAreBound() {
		this.runner
			.withConfiguration(
					AutoConfigurations.of(MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
			.run((context) -> {
				assertThat(context).hasSingleBean(CatzillaMeterBinder.class);
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(registry.get("catzilla.allocator.info").tag("active", "jemalloc").gauge().value())
					.isEqualTo(1.0);
				assertThat(registry.get("catzilla.jemalloc.resident").gauge().value()).isPositive();
			});
	}

	@Test
	void aUserDefinedMeterBinderReplacesOurs() {
		this.runner.withUserConfiguration(UserMeters.class)
			.withConfiguration(
					AutoConfigurations.of(MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
			.run((context) -> assertThat(context).getBean(CatzillaMeterBinder.class).isSameAs(UserMeters.METERS));
	}

	@Configuration(proxyBeanMethods = false)
	static class UserMeters {

		static final CatzillaMeterBinder METERS = new CatzillaMeterBinder(new CatzillaAllocator(AllocatorMode.MALLOC,
				ActiveAllocator.NETTY, ByteBufAllocator.DEFAULT, "test", null));

		@Bean
		CatzillaMeterBinder myMeters() {
			return METERS;
		}

	}

}
