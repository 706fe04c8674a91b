package dev.catzilla.autoconfigure;

import java.util.Map;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import reactor.netty.http.client.HttpClient;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.http.client.ReactorClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.http.client.reactive.ReactorClientHttpConnectorBuilder;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;

/**
 * A WebFlux application written as a user would, with every kind of Reactor Netty client
 * Catzilla reaches: Boot's {@code WebClient} and {@code RestClient} (built at startup), a
 * {@code ReactorNettyWebSocketClient} bean and an {@code HttpClient} bean; an echo route
 * and a WebSocket echo to talk to. A {@link ChannelProbe} watches each client. With
 * {@code clients.own-allocator=true} the application sets its own allocator
 * ({@link #OWN}) on the server and every client, as a user may.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class ClientsApplication {

	static final ByteBufAllocator OWN = new UnpooledByteBufAllocator(true);

	@Value("${clients.own-allocator:false}")
	boolean ownAllocator;

	@Bean
	Probes probes() {
		return new Probes();
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
	HandlerMapping webSocketEcho() {
		WebSocketHandler echo = (session) -> session.send(session.receive().doOnNext(WebSocketMessage::retain));
		return new SimpleUrlHandlerMapping(Map.of("/ws", echo), -1);
	}

	@Bean
	NettyServerCustomizer probingServerCustomizer(Probes probes) {
		return (server) -> own(server.doOnConnection((connection) -> probes.server.attach(connection)));
	}

	@Bean
	ClientHttpConnectorBuilderCustomizer<ReactorClientHttpConnectorBuilder> probingWebClientCustomizer(Probes probes) {
		return (builder) -> builder.withHttpClientCustomizer((client) -> own(probes.webclient.instrument(client)));
	}

	@Bean
	ClientHttpRequestFactoryBuilderCustomizer<ReactorClientHttpRequestFactoryBuilder> probingRestClientCustomizer(
			Probes probes) {
		return (builder) -> builder.withHttpClientCustomizer((client) -> own(probes.restclient.instrument(client)));
	}

	@Bean
	WebClient webClient(WebClient.Builder builder) {
		return builder.build();
	}

	@Bean
	RestClient restClient(RestClient.Builder builder) {
		return builder.build();
	}

	@Bean
	HttpClient echoHttpClient(Probes probes) {
		return own(probes.httpClientBean.instrument(HttpClient.create()));
	}

	@Bean
	ReactorNettyWebSocketClient webSocketClient(Probes probes) {
		return new ReactorNettyWebSocketClient(own(probes.websocket.instrument(HttpClient.create())));
	}

	private HttpClient own(HttpClient client) {
		return this.ownAllocator ? client.option(ChannelOption.ALLOCATOR, OWN) : client;
	}

	private reactor.netty.http.server.HttpServer own(reactor.netty.http.server.HttpServer server) {
		return this.ownAllocator ? server.childOption(ChannelOption.ALLOCATOR, OWN) : server;
	}

	/**
	 * One probe per kind of channel.
	 */
	public static final class Probes {

		final ChannelProbe server = new ChannelProbe();

		final ChannelProbe webclient = new ChannelProbe();

		final ChannelProbe restclient = new ChannelProbe();

		final ChannelProbe websocket = new ChannelProbe();

		final ChannelProbe httpClientBean = new ChannelProbe();

	}

}
