package dev.catzilla.autoconfigure;

import reactor.netty.http.client.HttpClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;

/**
 * Hands the active allocator to the {@code HttpClient} and
 * {@code ReactorNettyWebSocketClient} beans an application (or a library such as Spring
 * Cloud Gateway) declares, unless {@code catzilla.client.enabled=false} or the kind's own
 * switch ({@code catzilla.client.http-client-beans.enabled},
 * {@code catzilla.client.websocket.enabled}) is off. Its post-processors look up the
 * allocator only when the first such bean appears.
 */
@AutoConfiguration(after = CatzillaAutoConfiguration.class)
@ConditionalOnClass({ HttpClient.class, io.netty.buffer.ByteBufAllocator.class })
@ConditionalOnBooleanProperty(name = "catzilla.client.enabled", matchIfMissing = true)
public final class CatzillaClientBeansAutoConfiguration {

	@Bean
	@ConditionalOnBooleanProperty(name = "catzilla.client.http-client-beans.enabled", matchIfMissing = true)
	static CatzillaHttpClientBeanPostProcessor catzillaHttpClientBeanPostProcessor(
			ObjectProvider<CatzillaAllocator> outcome, ObjectProvider<CatzillaWiring> wiring) {
		return new CatzillaHttpClientBeanPostProcessor(outcome, wiring);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ReactorNettyWebSocketClient.class)
	@ConditionalOnBooleanProperty(name = "catzilla.client.websocket.enabled", matchIfMissing = true)
	static final class WebSocketClientConfiguration {

		@Bean
		static CatzillaWebSocketClientBeanPostProcessor catzillaWebSocketClientBeanPostProcessor(
				ObjectProvider<CatzillaAllocator> outcome, ObjectProvider<CatzillaWiring> wiring) {
			return new CatzillaWebSocketClientBeanPostProcessor(outcome, wiring);
		}

	}

}
