package dev.catzilla.autoconfigure;

import org.springframework.boot.http.client.ReactorClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.core.Ordered;

/**
 * Sets the active allocator on the Reactor Netty {@code HttpClient} behind the request
 * factory Boot builds for {@code RestClient} and {@code RestTemplate} (when that factory
 * is Reactor Netty's). Runs last and keeps an allocator a user's customizer set.
 */
public final class CatzillaClientHttpRequestFactoryBuilderCustomizer
		implements ClientHttpRequestFactoryBuilderCustomizer<ReactorClientHttpRequestFactoryBuilder>, Ordered {

	private final CatzillaAllocator outcome;

	private final CatzillaWiring wiring;

	public CatzillaClientHttpRequestFactoryBuilderCustomizer(CatzillaAllocator outcome, CatzillaWiring wiring) {
		this.outcome = outcome;
		this.wiring = wiring;
	}

	@Override
	public ReactorClientHttpRequestFactoryBuilder customize(ReactorClientHttpRequestFactoryBuilder builder) {
		return builder.withHttpClientCustomizer(
				(client) -> ReactorNettyAllocators.apply(client, this.outcome, this.wiring, CatzillaTarget.RESTCLIENT));
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
