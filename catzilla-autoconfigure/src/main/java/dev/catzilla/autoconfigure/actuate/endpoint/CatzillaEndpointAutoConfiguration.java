package dev.catzilla.autoconfigure.actuate.endpoint;

import dev.catzilla.autoconfigure.CatzillaAllocator;
import dev.catzilla.autoconfigure.CatzillaAutoConfiguration;
import dev.catzilla.autoconfigure.CatzillaWiring;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@code /actuator/catzilla}, when the actuator is present and the endpoint is available
 * (enabled and exposed).
 */
@AutoConfiguration(after = CatzillaAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean(CatzillaAllocator.class)
public final class CatzillaEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint
	CatzillaEndpoint catzillaEndpoint(CatzillaAllocator outcome, CatzillaWiring wiring) {
		return new CatzillaEndpoint(outcome, wiring);
	}

}
