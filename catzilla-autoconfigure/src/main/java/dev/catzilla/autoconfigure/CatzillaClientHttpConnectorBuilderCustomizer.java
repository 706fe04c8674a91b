package dev.catzilla.autoconfigure;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;

import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.http.client.reactive.ReactorClientHttpConnectorBuilder;
import org.springframework.core.Ordered;

/**
 * Sets the active allocator on the Reactor Netty {@code HttpClient} behind the {@code ClientHttpConnector} (and so
 * the {@code WebClient.Builder}) that Spring Boot builds. Runs first, so a user's own customizer wins.
 */
public final class CatzillaClientHttpConnectorBuilderCustomizer
		implements ClientHttpConnectorBuilderCustomizer<ReactorClientHttpConnectorBuilder>, Ordered, CatzillaWiring {

	private final ByteBufAllocator allocator;

	public CatzillaClientHttpConnectorBuilderCustomizer(CatzillaAllocator outcome) {
		this.allocator = outcome.allocator();
	}

	@Override
	public ReactorClientHttpConnectorBuilder customize(ReactorClientHttpConnectorBuilder builder) {
		return builder.withHttpClientCustomizer((client) -> client.option(ChannelOption.ALLOCATOR, this.allocator));
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public String target() {
		return "WebClient";
	}

}
