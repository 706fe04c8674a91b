package dev.catzilla.autoconfigure;

import reactor.netty.http.client.HttpClient;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.http.client.reactive.ReactorClientHttpConnectorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Hands the active allocator to the Reactor Netty {@code HttpClient} behind the
 * {@code WebClient} Boot builds, unless {@code catzilla.client.enabled=false} or
 * {@code catzilla.client.webclient.enabled=false}.
 */
@AutoConfiguration(after = CatzillaAutoConfiguration.class,
		beforeName = "org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration")
@ConditionalOnClass({ WebClient.class, HttpClient.class, ClientHttpConnectorBuilderCustomizer.class,
		ReactorClientHttpConnectorBuilder.class })
@ConditionalOnBean(CatzillaAllocator.class)
@ConditionalOnBooleanProperty(name = "catzilla.client.enabled", matchIfMissing = true)
public final class CatzillaWebClientAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "catzilla.client.webclient.enabled", matchIfMissing = true)
	CatzillaClientHttpConnectorBuilderCustomizer catzillaClientHttpConnectorBuilderCustomizer(CatzillaAllocator outcome,
			CatzillaWiring wiring) {
		return new CatzillaClientHttpConnectorBuilderCustomizer(outcome, wiring);
	}

}
