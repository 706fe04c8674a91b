package dev.catzilla.autoconfigure;

import reactor.netty.http.client.HttpClient;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Hands the active allocator to Spring Cloud Gateway's proxy {@code HttpClient} when the
 * gateway (an optional dependency) is present, unless
 * {@code catzilla.client.enabled=false} or {@code catzilla.client.gateway.enabled=false}.
 */
@AutoConfiguration(after = CatzillaAutoConfiguration.class)
@ConditionalOnClass(value = HttpClient.class,
		name = { "org.springframework.cloud.gateway.config.HttpClientCustomizer",
				CatzillaHttpClientBeanPostProcessor.GATEWAY_HTTP_CLIENT_FACTORY })
@ConditionalOnBean(CatzillaAllocator.class)
@ConditionalOnBooleanProperty(name = "catzilla.client.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "catzilla.client.gateway.enabled", matchIfMissing = true)
public final class CatzillaGatewayAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	CatzillaGatewayHttpClientCustomizer catzillaGatewayHttpClientCustomizer(CatzillaAllocator outcome,
			CatzillaWiring wiring) {
		return new CatzillaGatewayHttpClientCustomizer(outcome, wiring);
	}

}
