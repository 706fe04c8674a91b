package dev.catzilla.autoconfigure;

import io.netty.channel.ChannelOption;
import reactor.netty.http.server.HttpServer;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.core.Ordered;

/**
 * Sets the active allocator on the Reactor Netty server channel and on every accepted
 * connection. Runs last and leaves an allocator that a user's own customizer set
 * ({@link ChannelOption#ALLOCATOR}) in place.
 */
public final class CatzillaNettyServerCustomizer implements NettyServerCustomizer, Ordered {

	private final CatzillaAllocator outcome;

	private final CatzillaWiring wiring;

	public CatzillaNettyServerCustomizer(CatzillaAllocator outcome, CatzillaWiring wiring) {
		this.outcome = outcome;
		this.wiring = wiring;
	}

	@Override
	public HttpServer apply(HttpServer server) {
		return ReactorNettyAllocators.apply(server, this.outcome, this.wiring);
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
