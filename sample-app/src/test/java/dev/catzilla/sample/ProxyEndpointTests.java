package dev.catzilla.sample;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * GET /proxy/bytes/{n} against the real server, relaying from a small upstream started by
 * the test.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ProxyEndpointTests {

	/** Answers GET /bytes/{n} with n bytes of 'u', and anything else with 404. */
	private static final DisposableServer upstream = HttpServer.create()
		.host("127.0.0.1")
		.port(0)
		.route((routes) -> routes.get("/bytes/{n}",
				(request, response) -> response
					.sendString(Mono.just("u".repeat(Integer.parseInt(request.param("n")))))))
		.bindNow();

	@DynamicPropertySource
	static void upstream(DynamicPropertyRegistry registry) {
		registry.add("sample.proxy.upstream", () -> "http://127.0.0.1:" + upstream.port());
	}

	@AfterAll
	static void stopUpstream() {
		upstream.disposeNow();
	}

	@LocalServerPort
	private int port;

	private WebTestClient client;

	@BeforeEach
	void client() {
		this.client = SampleClients.client(this.port);
	}

	@Test
	void theUpstreamsBodyIsRelayed() {
		byte[] body = this.client.get()
			.uri("/proxy/bytes/{n}", 300_000)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(byte[].class)
			.returnResult()
			.getResponseBody();
		assertThat(new String(body, StandardCharsets.US_ASCII)).hasSize(300_000).matches("u+");
	}

	@Test
	void anUpstreamErrorIsNotPassedOffAsSuccess() {
		// The error body is read, so that the test client releases its buffers (a leak
		// report fails the class).
		this.client.get()
			.uri("/proxy/bytes/{n}", "-1")
			.exchange()
			.expectStatus()
			.is5xxServerError()
			.expectBody(String.class)
			.returnResult();
	}

}
