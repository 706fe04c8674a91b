package dev.catzilla.autoconfigure;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import reactor.netty.http.server.HttpServer;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.core.Ordered;

/**
 * Sets the active allocator on the Reactor Netty server channel and on every accepted connection. Runs first, so a
 * user's own customizer that sets {@link ChannelOption#ALLOCATOR} wins.
 */
public final class CatzillaNettyServerCustomizer implements NettyServerCustomizer, Ordered, CatzillaWiring {

	private final ByteBufAllocator allocator;

	public CatzillaNettyServerCustomizer(CatzillaAllocator outcome) {
		this.allocator = outcome.allocator();
	}

	@Override
	public HttpServer apply(HttpServer server) {
		return server.option(ChannelOption.ALLOCATOR, this.allocator)
			.childOption(ChannelOption.ALLOCATOR, this.allocator);
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public String target() {
		return "Reactor Netty server";
	}

}
