package dev.catzilla.autoconfigure.actuate.metrics;

import dev.catzilla.autoconfigure.CatzillaAllocator;
import dev.catzilla.autoconfigure.CatzillaAutoConfiguration;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Catzilla's meters, when Micrometer is present and a {@link MeterRegistry} exists.
 */
@AutoConfiguration(after = CatzillaAutoConfiguration.class,
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnClass({ MeterRegistry.class, NettyAllocatorMetrics.class })
@ConditionalOnBean({ MeterRegistry.class, CatzillaAllocator.class })
public final class CatzillaMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	CatzillaMeterBinder catzillaMeterBinder(CatzillaAllocator outcome) {
		return new CatzillaMeterBinder(outcome);
	}

}
