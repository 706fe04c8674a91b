package dev.catzilla.autoconfigure.actuate.health;

import dev.catzilla.autoconfigure.CatzillaAllocator;
import dev.catzilla.autoconfigure.CatzillaAutoConfiguration;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code catzilla} health indicator ({@code management.health.catzilla.enabled},
 * default on), when Spring Boot's health support is present.
 */
@AutoConfiguration(after = CatzillaAutoConfiguration.class)
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(CatzillaAllocator.class)
public final class CatzillaHealthAutoConfiguration {

	// On the method, not the class: the condition's class must not be loaded unless the
	// health module is present.
	@Bean
	@ConditionalOnMissingBean(name = "catzillaHealthIndicator")
	@ConditionalOnEnabledHealthIndicator("catzilla")
	CatzillaHealthIndicator catzillaHealthIndicator(CatzillaAllocator outcome) {
		return new CatzillaHealthIndicator(outcome);
	}

}
