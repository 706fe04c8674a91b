package dev.catzilla.sample;

import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * POST /echo with a small configured limit, for bodies whose length is not declared
 * (chunked).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "sample.echo.max-size=100KB")
class EchoLimitTests {

	@LocalServerPort
	private int port;

	private WebTestClient client;

	@BeforeEach
	void client() {
		this.client = SampleClients.client(this.port);
	}

	@Test
	void theLimitComesFromTheProperty() {
		this.client.post()
			.uri("/echo")
			.bodyValue(new byte[100 * 1024 + 1])
			.exchange()
			.expectStatus()
			.isEqualTo(HttpStatus.CONTENT_TOO_LARGE)
			.expectBody()
			.jsonPath("$.message")
			.value((String message) -> assertThat(message).contains("102400"));
	}

	@Test
	void aChunkedBodyUnderTheLimitIsEchoed() {
		byte[] body = EchoEndpointTests.randomBytes(90 * 1024, 4);
		byte[] echoed = this.client.post()
			.uri("/echo")
			.body(EchoEndpointTests.chunked(body, 8 * 1024), DataBuffer.class)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(byte[].class)
			.returnResult()
			.getResponseBody();
		assertThat(echoed).isEqualTo(body);
	}

	@Test
	void aChunkedBodyOverTheLimitIsNeverEchoedInFull() {
		// Counted while streaming: a 413 if the limit is crossed before the response
		// started, otherwise the
		// connection is cut mid-body. Either way the client must not receive the whole 4
		// MiB.
		byte[] body = EchoEndpointTests.randomBytes(4 * 1024 * 1024, 5);
		long received = WebClient.create("http://127.0.0.1:" + this.port)
			.post()
			.uri("/echo")
			.body(EchoEndpointTests.chunked(body, 64 * 1024), DataBuffer.class)
			.exchangeToMono((response) -> response.bodyToFlux(DataBuffer.class).map((buffer) -> {
				long n = buffer.readableByteCount();
				DataBufferUtils.release(buffer);
				return n;
			}).reduce(0L, Long::sum).map((n) -> response.statusCode().is2xxSuccessful() ? n : -1L))
			.onErrorResume((ex) -> Mono.just(-2L))
			.block(Duration.ofSeconds(60));
		assertThat(received).isLessThan(body.length);
		// and the server is fine afterwards
		this.client.post()
			.uri("/echo")
			.bodyValue("still here")
			.exchange()
			.expectBody(String.class)
			.isEqualTo("still here");
	}

}
