package dev.catzilla.autoconfigure;

import io.netty.channel.ChannelOption;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.cloud.gateway.config.HttpClientCustomizer;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Cloud Gateway application written as a user would: {@code /up/**} is proxied
 * to {@code upstream.http} and {@code /upws/**} to the WebSocket upstream
 * {@code upstream.ws}. Probes watch the gateway's server and its proxy client (the
 * gateway's WebSocket client is built from that client). With
 * {@code gateway.own-allocator=true} the application sets its own allocator on the proxy
 * client with an {@code HttpClientCustomizer}.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class GatewayApplication {

	@Value("${gateway.own-allocator:false}")
	boolean ownAllocator;

	@Bean
	Probes probes() {
		return new Probes();
	}

	@Bean
	RouteLocator routes(RouteLocatorBuilder builder, @Value("${upstream.http}") String http,
			@Value("${upstream.ws}") String ws) {
		return builder.routes()
			.route("up", (route) -> route.path("/up/**").filters((filter) -> filter.stripPrefix(1)).uri(http))
			.route("upws", (route) -> route.path("/upws/**").filters((filter) -> filter.stripPrefix(1)).uri(ws))
			.build();
	}

	@Bean
	NettyServerCustomizer probingServerCustomizer(Probes probes) {
		return (server) -> server.doOnConnection((connection) -> probes.server.attach(connection));
	}

	@Bean
	HttpClientCustomizer probingProxyCustomizer(Probes probes) {
		return (client) -> {
			client = probes.proxy.instrument(client);
			return this.ownAllocator ? client.option(ChannelOption.ALLOCATOR, ClientsApplication.OWN) : client;
		};
	}

	/**
	 * The gateway's channels.
	 */
	public static final class Probes {

		final ChannelProbe server = new ChannelProbe();

		final ChannelProbe proxy = new ChannelProbe();

	}

}
