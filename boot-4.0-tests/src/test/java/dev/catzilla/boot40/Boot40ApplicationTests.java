package dev.catzilla.boot40;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.catzilla.allocator.Jemalloc;
import dev.catzilla.allocator.JemallocByteBufAllocator;
import io.netty.util.Version;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter on Spring Boot 4.0.7 (and Netty 4.2.18, Spring Cloud 2025.1.4): jemalloc
 * serves the Reactor Netty server, Boot's WebClient and RestClient, and the gateway's
 * proxy client under real traffic (several MiB, compared by SHA-256), and the startup
 * line and the endpoint say so.
 */
class Boot40ApplicationTests {

	static final int BODY = 6 * 1024 * 1024 + 11;

	static final List<String> catzillaLines = new CopyOnWriteArrayList<>();

	static ConfigurableApplicationContext context;

	static int port;

	static DisposableServer upstream;

	@BeforeAll
	static void start() {
		upstream = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.route((routes) -> routes.post("/echo", (request, response) -> response.send(request.receive().retain())))
			.bindNow();
		AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {

			@Override
			protected void append(ILoggingEvent event) {
				catzillaLines.add(event.getFormattedMessage());
			}

		};
		context = new SpringApplicationBuilder(Boot40Application.class)
			// Boot resets logback while it starts: attach once the application is
			// prepared.
			.listeners((ApplicationListener<ApplicationPreparedEvent>) (event) -> {
				Logger logger = (Logger) LoggerFactory.getLogger("dev.catzilla");
				if (!appender.isStarted()) {
					appender.setContext(logger.getLoggerContext());
					appender.start();
					logger.addAppender(appender);
				}
			})
			.properties("server.port=0", "server.address=127.0.0.1",
					"management.endpoints.web.exposure.include=catzilla",
					"upstream.http=http://127.0.0.1:" + upstream.port())
			.run();
		port = ((WebServerApplicationContext) context).getWebServer().getPort();
	}

	@AfterAll
	static void stop() {
		context.close();
		upstream.disposeNow();
	}

	@Test
	void theVersionsAreBoot40AndTheNettyPin() {
		assertThat(SpringBootVersion.getVersion()).isEqualTo("4.0.7");
		assertThat(Version.identify().get("netty-transport").artifactVersion()).isEqualTo("4.2.18.Final");
		assertThat(Jemalloc.isAvailable()).as("unavailable: %s", Jemalloc.unavailabilityCause()).isTrue();
	}

	@Test
	void theStartupLineListsTheServerAndEveryClient() {
		assertThat(catzillaLines).filteredOn((line) -> line.startsWith("Catzilla: "))
			.singleElement()
			.asString()
			.matches("Catzilla: jemalloc 5\\.3\\.\\d+ served: "
					+ "\\[server, webclient, restclient, gateway-proxy, websocket-client\\] \\(requested auto\\)");
	}

	@Test
	void theServerBootsWebClientAndRestClientAndTheGatewaysProxyAllocateFromJemallocUnderRealTraffic()
			throws Exception {
		byte[] body = new byte[BODY];
		new Random(40).nextBytes(body);
		byte[] expected = MessageDigest.getInstance("SHA-256").digest(body);
		String echo = "http://127.0.0.1:" + port + "/echo";
		assertThat(sha256(context.getBean(WebClient.class)
			.post()
			.uri(echo)
			.bodyValue(body)
			.retrieve()
			.bodyToFlux(DataBuffer.class))).isEqualTo(expected);
		byte[] restClientEcho = context.getBean(RestClient.class)
			.post()
			.uri(echo)
			.body(body)
			.exchange((request, response) -> sha256().digest(response.getBody().readAllBytes()));
		assertThat(restClientEcho).isEqualTo(expected);
		byte[] proxied = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/up/echo"))
				.POST(HttpRequest.BodyPublishers.ofByteArray(body))
				.timeout(Duration.ofSeconds(60))
				.build(), HttpResponse.BodyHandlers.ofByteArray())
			.body();
		assertThat(sha256().digest(proxied)).isEqualTo(expected);
		Boot40Application.Channels channels = context.getBean(Boot40Application.Channels.class);
		assertThat(channels.proxy).isNotEmpty().hasOnlyElementsOfType(JemallocByteBufAllocator.class);
		assertThat(channels.server).isNotEmpty().hasOnlyElementsOfType(JemallocByteBufAllocator.class);
		assertThat(channels.webclient).isNotEmpty().hasOnlyElementsOfType(JemallocByteBufAllocator.class);
		assertThat(channels.restclient).isNotEmpty().hasOnlyElementsOfType(JemallocByteBufAllocator.class);
		assertThat(Jemalloc.stats().allocated()).isPositive();
	}

	@Test
	@SuppressWarnings("unchecked")
	void theEndpointListsWhatWasServed() {
		Map<String, Object> catzilla = context.getBean(WebClient.class)
			.get()
			.uri("http://127.0.0.1:" + port + "/actuator/catzilla")
			.retrieve()
			.bodyToMono(Map.class)
			.block(Duration.ofSeconds(30));
		assertThat(catzilla).containsEntry("active", "jemalloc");
		assertThat((List<String>) catzilla.get("served")).containsExactly("server", "webclient", "restclient",
				"gateway-proxy", "websocket-client");
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static byte[] sha256(Flux<DataBuffer> body) {
		MessageDigest digest = sha256();
		body.doOnNext((buffer) -> {
			try (DataBuffer.ByteBufferIterator iterator = buffer.readableByteBuffers()) {
				iterator.forEachRemaining(digest::update);
			}
			finally {
				DataBufferUtils.release(buffer);
			}
		}).blockLast(Duration.ofSeconds(30));
		return digest.digest();
	}

}
