package dev.catzilla.boot40;

import dev.catzilla.allocator.JemallocByteBufAllocator;
import dev.catzilla.autoconfigure.CatzillaAutoConfiguration;
import dev.catzilla.autoconfigure.CatzillaClientBeansAutoConfiguration;
import dev.catzilla.autoconfigure.CatzillaWiring;
import io.netty.channel.ChannelOption;
import org.junit.jupiter.api.Test;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.http.websocket.WebsocketSpec;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.util.ClassUtils;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Boot 4.0.7 brings Reactor Netty 1.3.6, whose WebSocket spec has no
 * {@code maxDecompressionBufferSize}: a {@code ReactorNettyWebSocketClient} bean is still
 * rebuilt with Catzilla's allocator and its settings.
 */
class WebSocketClientOnReactorNetty136Tests {

	@Test
	void aWebSocketClientBeanIsRebuiltWithOurAllocatorAndItsSpec() {
		assertThat(ClassUtils.hasMethod(WebsocketSpec.class, "maxDecompressionBufferSize")).isFalse();
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(CatzillaAutoConfiguration.class, CatzillaClientBeansAutoConfiguration.class))
			.withBean(ReactorNettyWebSocketClient.class,
					() -> new ReactorNettyWebSocketClient(HttpClient.create(),
							() -> WebsocketClientSpec.builder().protocols("chat").maxFramePayloadLength(1 << 20)))
			.run((context) -> {
				ReactorNettyWebSocketClient client = context.getBean(ReactorNettyWebSocketClient.class);
				assertThat((Object) client.getHttpClient().configuration().options().get(ChannelOption.ALLOCATOR))
					.isInstanceOf(JemallocByteBufAllocator.class);
				assertThat(client.getWebsocketClientSpec().protocols()).isEqualTo("chat");
				assertThat(client.getWebsocketClientSpec().maxFramePayloadLength()).isEqualTo(1 << 20);
				assertThat(context.getBean(CatzillaWiring.class).served()).containsExactly("websocket-client");
			});
	}

}
