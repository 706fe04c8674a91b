package dev.catzilla.sample;

import java.util.Random;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** POST /echo against the real server, with the default limit (16MB). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class EchoEndpointTests {

	private static final int MiB = 1024 * 1024;

	@LocalServerPort
	private int port;

	private WebTestClient client;

	@BeforeEach
	void client() {
		this.client = SampleClients.client(this.port);
	}

	@Test
	void echoReturnsASmallBodyWithItsContentType() {
		this.client.post()
			.uri("/echo")
			.contentType(MediaType.TEXT_PLAIN)
			.bodyValue("hello, catzilla")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.TEXT_PLAIN)
			.expectHeader()
			.contentLength(15)
			.expectBody(String.class)
			.isEqualTo("hello, catzilla");
	}

	@Test
	void echoReturnsAnEmptyBodyAsEmpty() {
		EntityExchangeResult<byte[]> result = this.client.post()
			.uri("/echo")
			.bodyValue(new byte[0])
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult();
		assertThat(result.getResponseBody()).isNullOrEmpty();
	}

	@Test
	void echoReturnsAnEightMiBBodyByteForByte() {
		byte[] body = randomBytes(8 * MiB + 17, 1);
		byte[] echoed = this.client.post()
			.uri("/echo")
			.contentType(MediaType.APPLICATION_OCTET_STREAM)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentLength(body.length)
			.expectBody(byte[].class)
			.returnResult()
			.getResponseBody();
		assertThat(echoed).hasSize(body.length).isEqualTo(body);
	}

	@Test
	void echoStreamsAChunkedBodyOfSeveralMiBBackUnchanged() {
		byte[] body = randomBytes(5 * MiB + 3, 2);
		byte[] echoed = this.client.post()
			.uri("/echo")
			.contentType(MediaType.APPLICATION_OCTET_STREAM)
			.body(chunked(body, 32 * 1024), DataBuffer.class)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(byte[].class)
			.returnResult()
			.getResponseBody();
		assertThat(echoed).hasSize(body.length).isEqualTo(body);
	}

	@Test
	void echoAcceptsABodyOfExactlyTheLimit() {
		byte[] body = randomBytes(16 * MiB, 3);
		byte[] echoed = this.client.post()
			.uri("/echo")
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(byte[].class)
			.returnResult()
			.getResponseBody();
		assertThat(echoed).isEqualTo(body);
	}

	@Test
	void echoRefusesADeclaredLengthOverTheLimitWith413AndSaysWhy() {
		this.client.post()
			.uri("/echo")
			.bodyValue(new byte[16 * MiB + 1])
			.exchange()
			.expectStatus()
			.isEqualTo(HttpStatus.CONTENT_TOO_LARGE)
			.expectBody()
			.jsonPath("$.message")
			.value((String message) -> assertThat(message).contains("16777217")
				.contains("16777216")
				.contains("sample.echo.max-size"));
	}

	@Test
	void theServerKeepsServingAfterRefusingABody() {
		echoRefusesADeclaredLengthOverTheLimitWith413AndSaysWhy();
		echoReturnsASmallBodyWithItsContentType();
	}

	static byte[] randomBytes(int size, long seed) {
		byte[] bytes = new byte[size];
		new Random(seed).nextBytes(bytes);
		return bytes;
	}

	static Flux<DataBuffer> chunked(byte[] body, int chunk) {
		return Flux.range(0, (body.length + chunk - 1) / chunk).map((i) -> {
			int offset = i * chunk;
			int length = Math.min(chunk, body.length - offset);
			return DefaultDataBufferFactory.sharedInstance
				.wrap(java.util.Arrays.copyOfRange(body, offset, offset + length));
		});
	}

}
