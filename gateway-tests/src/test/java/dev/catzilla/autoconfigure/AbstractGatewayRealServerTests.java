package dev.catzilla.autoconfigure;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link GatewayApplication} on a random port in front of a local Reactor Netty upstream
 * (an HTTP and a WebSocket echo), and bodies of several MiB through both legs, compared
 * by SHA-256.
 */
abstract class AbstractGatewayRealServerTests {

	static final int BODY = 6 * 1024 * 1024 + 11;

	static DisposableServer upstream;

	static ConfigurableApplicationContext context;

	static int port;

	static void start(String... properties) {
		LeakWatch.attach();
		upstream = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.route((routes) -> routes.post("/echo", (request, response) -> response.send(request.receive().retain()))
				.ws("/ws", (in, out) -> out.sendObject(in.receiveFrames().map((frame) -> frame.retain()))))
			.bindNow();
		context = CatzillaLog.capture(new SpringApplicationBuilder(GatewayApplication.class))
			.properties("server.port=0", "server.address=127.0.0.1",
					"upstream.http=http://127.0.0.1:" + upstream.port(),
					// Another host name: the WebSocket leg gets its own connections, not
					// pooled HTTP ones.
					"upstream.ws=ws://localhost:" + upstream.port())
			.properties(properties)
			.run();
		port = ((WebServerApplicationContext) context).getWebServer().getPort();
	}

	@AfterAll
	static void stop() throws Exception {
		if (context != null) {
			context.close();
			context = null;
		}
		if (upstream != null) {
			upstream.disposeNow();
			upstream = null;
		}
		LeakWatch.provoke();
		assertThat(LeakWatch.drain()).as("Netty leak reports").isEmpty();
	}

	static GatewayApplication.Probes probes() {
		return context.getBean(GatewayApplication.Probes.class);
	}

	static byte[] body(long seed) {
		byte[] body = new byte[BODY];
		new Random(seed).nextBytes(body);
		return body;
	}

	/**
	 * The SHA-256 of what came back through the gateway's HTTP route (the test's client
	 * is the JDK's, not Netty).
	 */
	static byte[] echoThroughTheProxy(byte[] body) throws Exception {
		HttpResponse<byte[]> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/up/echo"))
				.POST(HttpRequest.BodyPublishers.ofByteArray(body))
				.timeout(Duration.ofSeconds(60))
				.build(), HttpResponse.BodyHandlers.ofByteArray());
		assertThat(response.statusCode()).isEqualTo(200);
		return MessageDigest.getInstance("SHA-256").digest(response.body());
	}

	/**
	 * The SHA-256 of what came back through the gateway's WebSocket route, sent in binary
	 * frames.
	 */
	static byte[] echoThroughTheWebSocketProxy(byte[] body) throws Exception {
		return WebSocketEcho.sha256OfEcho(new ReactorNettyWebSocketClient(),
				URI.create("ws://127.0.0.1:" + port + "/upws/ws"), body);
	}

	static byte[] sha256(byte[] body) throws Exception {
		return MessageDigest.getInstance("SHA-256").digest(body);
	}

}
