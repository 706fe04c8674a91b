package dev.catzilla.autoconfigure;

import java.io.InputStream;
import java.net.URI;
import java.security.MessageDigest;
import java.util.Random;

import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ClientsApplication} started on a random port, and real traffic through each of
 * its clients: bodies of several MiB compared by SHA-256. Subclasses start it with their
 * properties and assert who allocated.
 */
@ExtendWith(OutputCaptureExtension.class)
abstract class AbstractClientsRealServerTests {

	static final int BODY = 6 * 1024 * 1024 + 11;

	static ConfigurableApplicationContext context;

	static String startupOutput;

	static int port;

	static void start(String... properties) {
		LeakWatch.attach();
		context = CatzillaLog.capture(new SpringApplicationBuilder(ClientsApplication.class))
			.properties("server.port=0", "server.address=127.0.0.1")
			.properties(properties)
			.run();
		port = ((WebServerApplicationContext) context).getWebServer().getPort();
	}

	@AfterAll
	static void stopAndCheckForLeaks() throws Exception {
		if (context != null) {
			context.close();
			context = null;
		}
		LeakWatch.provoke();
		assertThat(LeakWatch.drain()).as("Netty leak reports").isEmpty();
	}

	static ClientsApplication.Probes probes() {
		return context.getBean(ClientsApplication.Probes.class);
	}

	static CatzillaAllocator outcome() {
		return context.getBean(CatzillaAllocator.class);
	}

	static byte[] body(long seed) {
		byte[] body = new byte[BODY];
		new Random(seed).nextBytes(body);
		return body;
	}

	static URI uri(String scheme, String path) {
		return URI.create(scheme + "://127.0.0.1:" + port + path);
	}

	/** The SHA-256 of what came back from POST /echo through Boot's WebClient. */
	static byte[] echoThroughWebClient(byte[] body) throws Exception {
		return sha256(context.getBean(WebClient.class)
			.post()
			.uri(uri("http", "/echo"))
			.bodyValue(body)
			.retrieve()
			.bodyToFlux(org.springframework.core.io.buffer.DataBuffer.class));
	}

	/** The SHA-256 of what came back from POST /echo through Boot's RestClient. */
	static byte[] echoThroughRestClient(byte[] body) {
		return context.getBean(RestClient.class)
			.post()
			.uri(uri("http", "/echo"))
			.body(body)
			.exchange((request, response) -> sha256(response.getBody()));
	}

	/**
	 * The SHA-256 of what came back from POST /echo through a WebClient on the
	 * application's HttpClient bean.
	 */
	static byte[] echoThroughHttpClientBean(byte[] body) throws Exception {
		WebClient client = WebClient.builder()
			.clientConnector(new ReactorClientHttpConnector(context.getBean(HttpClient.class)))
			.build();
		return sha256(client.post()
			.uri(uri("http", "/echo"))
			.bodyValue(body)
			.retrieve()
			.bodyToFlux(org.springframework.core.io.buffer.DataBuffer.class));
	}

	/**
	 * The SHA-256 of what the WebSocket echo sent back, the body sent in binary frames.
	 */
	static byte[] echoThroughWebSocket(byte[] body) throws Exception {
		return WebSocketEcho.sha256OfEcho(context.getBean(ReactorNettyWebSocketClient.class), uri("ws", "/ws"), body);
	}

	static byte[] sha256(byte[] body) throws Exception {
		return MessageDigest.getInstance("SHA-256").digest(body);
	}

	static byte[] sha256(Flux<org.springframework.core.io.buffer.DataBuffer> body) throws Exception {
		return AbstractRealServerTests.sha256(body);
	}

	static byte[] sha256(InputStream in) throws java.io.IOException {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			byte[] chunk = new byte[64 * 1024];
			for (int n; (n = in.read(chunk)) != -1;) {
				digest.update(chunk, 0, n);
			}
			return digest.digest();
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Every channel of the probe, and every buffer read from them, came from jemalloc,
	 * whose counters included them.
	 */
	static void servedByJemalloc(ChannelProbe probe) {
		probe.assertServedByJemalloc(outcome().allocator(), BODY / 2);
	}

	/**
	 * The probe's channels, and the buffers read from them, came from the given
	 * allocator, none from jemalloc.
	 */
	static void servedBy(ChannelProbe probe, ByteBufAllocator allocator) {
		probe.assertServedBy(allocator, BODY / 2);
	}

}
