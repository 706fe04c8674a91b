package dev.catzilla.autoconfigure;

import java.util.Map;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

/**
 * The one place that hands Catzilla's allocator to a Reactor Netty {@link HttpClient} or
 * {@link HttpServer}, and records what it did. An allocator already set
 * ({@link ChannelOption#ALLOCATOR}) is never replaced.
 */
final class ReactorNettyAllocators {

	private ReactorNettyAllocators() {
	}

	/**
	 * The client with Catzilla's allocator, or unchanged if it already has one (then the
	 * application's is kept).
	 */
	static HttpClient apply(HttpClient client, CatzillaAllocator outcome, CatzillaWiring wiring,
			CatzillaTarget target) {
		ByteBufAllocator existing = allocatorIn(client.configuration().options());
		if (existing == null) {
			wiring.served(target);
			return client.option(ChannelOption.ALLOCATOR, outcome.allocator());
		}
		record(existing, outcome, wiring, target);
		return client;
	}

	/**
	 * The server with Catzilla's allocator on its server channel and accepted
	 * connections, where none is set yet. What is recorded is read from the configuration
	 * the server is bound with, so a customizer that runs later and sets its own
	 * allocator is seen; accepted connections carry the traffic, so their allocator
	 * decides.
	 */
	static HttpServer apply(HttpServer server, CatzillaAllocator outcome, CatzillaWiring wiring) {
		HttpServer result = server;
		if (allocatorIn(server.configuration().options()) == null) {
			result = result.option(ChannelOption.ALLOCATOR, outcome.allocator());
		}
		if (allocatorIn(server.configuration().childOptions()) == null) {
			result = result.childOption(ChannelOption.ALLOCATOR, outcome.allocator());
		}
		return result
			.doOnBind((config) -> record(allocatorIn(config.childOptions()), outcome, wiring, CatzillaTarget.SERVER));
	}

	/** Whether this client allocates from Catzilla's allocator. */
	static boolean usesCatzilla(HttpClient client, CatzillaAllocator outcome) {
		return allocatorIn(client.configuration().options()) == outcome.allocator();
	}

	static ByteBufAllocator allocatorIn(Map<ChannelOption<?>, ?> options) {
		return (ByteBufAllocator) options.get(ChannelOption.ALLOCATOR);
	}

	private static void record(ByteBufAllocator existing, CatzillaAllocator outcome, CatzillaWiring wiring,
			CatzillaTarget target) {
		if (existing == null) {
			return;
		}
		if (existing == outcome.allocator()) {
			wiring.served(target);
		}
		else {
			wiring.keptOwnAllocator(target);
		}
	}

}
