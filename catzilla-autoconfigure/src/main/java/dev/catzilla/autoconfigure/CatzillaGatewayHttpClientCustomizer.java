package dev.catzilla.autoconfigure;

import reactor.netty.http.client.HttpClient;

import org.springframework.cloud.gateway.config.HttpClientCustomizer;
import org.springframework.core.Ordered;

/**
 * Sets the active allocator on Spring Cloud Gateway's proxy {@code HttpClient} (which the
 * gateway's WebSocket client is built from too). Runs last and keeps an allocator a
 * user's {@code HttpClientCustomizer} set.
 */
public final class CatzillaGatewayHttpClientCustomizer implements HttpClientCustomizer, Ordered {

	private final CatzillaAllocator outcome;

	private final CatzillaWiring wiring;

	public CatzillaGatewayHttpClientCustomizer(CatzillaAllocator outcome, CatzillaWiring wiring) {
		this.outcome = outcome;
		this.wiring = wiring;
	}

	@Override
	public HttpClient customize(HttpClient client) {
		return ReactorNettyAllocators.apply(client, this.outcome, this.wiring, CatzillaTarget.GATEWAY_PROXY);
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
