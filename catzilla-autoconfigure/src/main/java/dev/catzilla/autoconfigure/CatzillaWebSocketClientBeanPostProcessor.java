package dev.catzilla.autoconfigure;

import java.util.function.Supplier;

import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.http.websocket.WebsocketSpec;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.util.ClassUtils;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;

/**
 * Sets the active allocator on the {@code HttpClient} of every
 * {@link ReactorNettyWebSocketClient} bean: a client whose {@code HttpClient} has no
 * allocator is replaced by one with the same {@code WebsocketClientSpec} and Catzilla's
 * allocator. A client built from a served {@code HttpClient} (Spring Cloud Gateway's) is
 * only recorded; one with the application's own allocator keeps it. Subclasses are left
 * alone.
 */
public final class CatzillaWebSocketClientBeanPostProcessor implements BeanPostProcessor {

	/** {@code maxDecompressionBufferSize} exists from Reactor Netty 1.3.7 on. */
	private static final boolean DECOMPRESSION_BUFFER_SIZE = ClassUtils.hasMethod(WebsocketSpec.class,
			"maxDecompressionBufferSize");

	private final ObjectProvider<CatzillaAllocator> outcome;

	private final ObjectProvider<CatzillaWiring> wiring;

	public CatzillaWebSocketClientBeanPostProcessor(ObjectProvider<CatzillaAllocator> outcome,
			ObjectProvider<CatzillaWiring> wiring) {
		this.outcome = outcome;
		this.wiring = wiring;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
		if (bean == null || bean.getClass() != ReactorNettyWebSocketClient.class) {
			return bean;
		}
		CatzillaAllocator outcome = this.outcome.getIfAvailable();
		if (outcome == null) {
			return bean;
		}
		ReactorNettyWebSocketClient client = (ReactorNettyWebSocketClient) bean;
		HttpClient httpClient = client.getHttpClient();
		HttpClient configured = ReactorNettyAllocators.apply(httpClient, this.outcome.getObject(),
				this.wiring.getObject(), CatzillaTarget.WEBSOCKET_CLIENT);
		if (configured == httpClient) {
			return client;
		}
		return new ReactorNettyWebSocketClient(configured, specCopy(client.getWebsocketClientSpec()));
	}

	private static Supplier<WebsocketClientSpec.Builder> specCopy(WebsocketClientSpec spec) {
		return () -> {
			WebsocketClientSpec.Builder builder = WebsocketClientSpec.builder()
				.maxFramePayloadLength(spec.maxFramePayloadLength())
				.handlePing(spec.handlePing())
				.compress(spec.compress())
				.compressionAllowClientNoContext(spec.compressionAllowClientNoContext())
				.compressionRequestedServerNoContext(spec.compressionRequestedServerNoContext())
				.version(spec.version());
			if (spec.protocols() != null) {
				builder.protocols(spec.protocols());
			}
			if (DECOMPRESSION_BUFFER_SIZE) {
				builder.maxDecompressionBufferSize(spec.maxDecompressionBufferSize());
			}
			return builder;
		};
	}

}
