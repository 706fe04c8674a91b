package dev.catzilla.boot40;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.buffer.ByteBufAllocator;
import reactor.netty.Connection;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.http.client.ReactorClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.http.client.reactive.ReactorClientHttpConnectorBuilder;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.cloud.gateway.config.HttpClientCustomizer;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * A Boot 4.0 WebFlux application with the starter, Boot's WebClient and RestClient (built
 * at startup), an echo route, and a Spring Cloud Gateway route {@code /up/**} to
 * {@code upstream.http}; it records which allocator each of its server and client
 * channels got.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class Boot40Application {

	@Bean
	Channels channels() {
		return new Channels();
	}

	@Bean
	RouterFunction<ServerResponse> echo() {
		return RouterFunctions.route()
			.POST("/echo",
					(request) -> ServerResponse.ok()
						.body(BodyInserters.fromDataBuffers(request.body(BodyExtractors.toDataBuffers()))))
			.build();
	}

	@Bean
	NettyServerCustomizer recordingServerCustomizer(Channels channels) {
		return (server) -> server.doOnConnection((connection) -> channels.server.add(alloc(connection)));
	}

	@Bean
	ClientHttpConnectorBuilderCustomizer<ReactorClientHttpConnectorBuilder> recordingWebClientCustomizer(
			Channels channels) {
		return (builder) -> builder.withHttpClientCustomizer(
				(client) -> client.doOnConnected((connection) -> channels.webclient.add(alloc(connection))));
	}

	@Bean
	ClientHttpRequestFactoryBuilderCustomizer<ReactorClientHttpRequestFactoryBuilder> recordingRestClientCustomizer(
			Channels channels) {
		return (builder) -> builder.withHttpClientCustomizer(
				(client) -> client.doOnConnected((connection) -> channels.restclient.add(alloc(connection))));
	}

	@Bean
	RouteLocator routes(RouteLocatorBuilder builder, @Value("${upstream.http}") String upstream) {
		return builder.routes()
			.route("up", (route) -> route.path("/up/**").filters((filter) -> filter.stripPrefix(1)).uri(upstream))
			.build();
	}

	@Bean
	HttpClientCustomizer recordingProxyCustomizer(Channels channels) {
		return (client) -> client.doOnConnected((connection) -> channels.proxy.add(alloc(connection)));
	}

	@Bean
	WebClient webClient(WebClient.Builder builder) {
		return builder.build();
	}

	@Bean
	RestClient restClient(RestClient.Builder builder) {
		return builder.build();
	}

	private static ByteBufAllocator alloc(Connection connection) {
		return connection.channel().alloc();
	}

	/**
	 * The allocators of the channels seen.
	 */
	public static final class Channels {

		final Set<ByteBufAllocator> server = ConcurrentHashMap.newKeySet();

		final Set<ByteBufAllocator> webclient = ConcurrentHashMap.newKeySet();

		final Set<ByteBufAllocator> restclient = ConcurrentHashMap.newKeySet();

		final Set<ByteBufAllocator> proxy = ConcurrentHashMap.newKeySet();

	}

}
