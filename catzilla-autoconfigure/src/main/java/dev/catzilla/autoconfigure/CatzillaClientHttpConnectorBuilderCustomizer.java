package dev.catzilla.autoconfigure;

import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.http.client.reactive.ReactorClientHttpConnectorBuilder;
import org.springframework.core.Ordered;

/**
 * Sets the active allocator on the Reactor Netty {@code HttpClient} behind the
 * {@code ClientHttpConnector} (and so the {@code WebClient.Builder}) that Spring Boot
 * builds. Runs last and keeps an allocator a user's customizer set.
 */
public final class CatzillaClientHttpConnectorBuilderCustomizer
		implements ClientHttpConnectorBuilderCustomizer<ReactorClientHttpConnectorBuilder>, Ordered {

	private final CatzillaAllocator outcome;

	private final CatzillaWiring wiring;

	public CatzillaClientHttpConnectorBuilderCustomizer(CatzillaAllocator outcome, CatzillaWiring wiring) {
		this.outcome = outcome;
		this.wiring = wiring;
	}

	@Override
	public ReactorClientHttpConnectorBuilder customize(ReactorClientHttpConnectorBuilder builder) {
		return builder.withHttpClientCustomizer(
				(client) -> ReactorNettyAllocators.apply(client, this.outcome, this.wiring, CatzillaTarget.WEBCLIENT));
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
