package dev.catzilla.sample;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** GET /bytes/{n} against the real server. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "sample.bytes.max-size=8MB")
class BytesEndpointTests {

	@LocalServerPort
	private int port;

	private WebTestClient client;

	@BeforeEach
	void client() {
		this.client = SampleClients.client(this.port);
	}

	@ParameterizedTest
	@ValueSource(ints = { 0, 1, 255, 65536, 65537, 3 * 1024 * 1024 + 5, 8 * 1024 * 1024 })
	void bytesReturnsExactlyNBytesOfThePattern(int n) {
		byte[] body = this.client.get()
			.uri("/bytes/{n}", n)
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentType(MediaType.APPLICATION_OCTET_STREAM)
			.expectHeader()
			.contentLength(n)
			.expectBody(byte[].class)
			.returnResult()
			.getResponseBody();
		if (n == 0) {
			assertThat(body).isNullOrEmpty();
			return;
		}
		assertThat(body).hasSize(n);
		for (int i = 0; i < n; i++) {
			if (body[i] != (byte) i) {
				throw new AssertionError("byte " + i + " is " + body[i] + ", expected " + (byte) i);
			}
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "abc", "1.5", "-1", "99999999999999999999", "8388609" })
	void badOrTooLargeSizesGet400WithAMessage(String n) {
		this.client.get()
			.uri("/bytes/{n}", n)
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.message")
			.value((String message) -> assertThat(message).startsWith("Bad size for /bytes/{n}: ").contains(n));
	}

	@Test
	void tooLargeSaysWhichPropertySetsTheLimit() {
		this.client.get()
			.uri("/bytes/8388609")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.message")
			.value((String message) -> assertThat(message).contains("8388608").contains("sample.bytes.max-size"));
	}

}
