package dev.catzilla.autoconfigure;

import io.netty.buffer.ByteBufAllocator;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Chooses the allocator ({@code catzilla.allocator}) and applies jemalloc's options
 * before anything allocates. Everything else Catzilla configures reads the resulting
 * {@link CatzillaAllocator}.
 */
@AutoConfiguration
@ConditionalOnClass(ByteBufAllocator.class)
@EnableConfigurationProperties(CatzillaProperties.class)
public final class CatzillaAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	CatzillaAllocator catzillaAllocator(CatzillaProperties properties) {
		return AllocatorSelector.select(properties);
	}

	@Bean
	@ConditionalOnMissingBean
	CatzillaWiring catzillaWiring() {
		return new CatzillaWiring();
	}

	@Bean
	static CatzillaStartupReporter catzillaStartupReporter(ObjectProvider<CatzillaAllocator> outcome,
			ObjectProvider<CatzillaWiring> wiring) {
		return new CatzillaStartupReporter(outcome, wiring);
	}

}
