package dev.catzilla.autoconfigure;

import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import org.junit.jupiter.api.Test;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ReactorNettyWebSocketClient beans get Catzilla's allocator with their WebSocket
 * settings intact, unless the switch is off.
 */
class CatzillaWebSocketClientBeanPostProcessorTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(CatzillaAutoConfiguration.class, CatzillaClientBeansAutoConfiguration.class));

	@Test
	void aWebSocketClientBeanGetsOurAllocatorAndKeepsItsSettings() {
		this.runner.withUserConfiguration(WebSocketClient.class).run((context) -> {
			ReactorNettyWebSocketClient client = context.getBean(ReactorNettyWebSocketClient.class);
			assertThat(CatzillaHttpClientBeanPostProcessorTests.allocatorOf(client.getHttpClient()))
				.isSameAs(context.getBean(CatzillaAllocator.class).allocator());
			WebsocketClientSpec spec = client.getWebsocketClientSpec();
			assertThat(spec.protocols()).isEqualTo("chat");
			assertThat(spec.maxFramePayloadLength()).isEqualTo(1 << 20);
			assertThat(spec.handlePing()).isTrue();
			assertThat(spec.compress()).isTrue();
			assertThat(spec.version()).isEqualTo(WebSocketVersion.V08);
			assertThat(context.getBean(CatzillaWiring.class).served()).containsExactly("websocket-client");
		});
	}

	@Test
	void websocketEnabledFalseLeavesThemAlone() {
		this.runner.withUserConfiguration(WebSocketClient.class)
			.withPropertyValues("catzilla.client.websocket.enabled=false")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(CatzillaWebSocketClientBeanPostProcessor.class);
				assertThat(CatzillaHttpClientBeanPostProcessorTests
					.allocatorOf(context.getBean(ReactorNettyWebSocketClient.class).getHttpClient())).isNull();
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class WebSocketClient {

		@Bean
		ReactorNettyWebSocketClient webSocketClient() {
			return new ReactorNettyWebSocketClient(HttpClient.create(),
					() -> WebsocketClientSpec.builder()
						.protocols("chat")
						.maxFramePayloadLength(1 << 20)
						.handlePing(true)
						.compress(true)
						.version(WebSocketVersion.V08));
		}

	}

}
