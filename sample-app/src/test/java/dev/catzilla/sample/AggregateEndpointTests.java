package dev.catzilla.sample;

import java.util.Random;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * POST /aggregate against the real server, with a small limit so that a 413 is cheap to
 * provoke.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "sample.aggregate.max-size=3MB")
class AggregateEndpointTests {

	private static final int MiB = 1024 * 1024;

	@LocalServerPort
	private int port;

	private WebTestClient client;

	@BeforeEach
	void client() {
		this.client = SampleClients.client(this.port);
	}

	@Test
	void aBodyOfSeveralMiBComesBackWholeWithItsLength() {
		byte[] body = new byte[2 * MiB + 17];
		new Random(12).nextBytes(body);
		byte[] answer = this.client.post()
			.uri("/aggregate")
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
		assertThat(answer).isEqualTo(body);
	}

	@Test
	void anEmptyBodyGivesAnEmptyAnswer() {
		this.client.post().uri("/aggregate").exchange().expectStatus().isOk().expectHeader().contentLength(0);
	}

	@Test
	void aBodyOverTheLimitIsRefusedWith413() {
		this.client.post()
			.uri("/aggregate")
			.contentType(MediaType.APPLICATION_OCTET_STREAM)
			.bodyValue(new byte[4 * MiB])
			.exchange()
			.expectStatus()
			.isEqualTo(HttpStatus.CONTENT_TOO_LARGE)
			.expectBody()
			.jsonPath("$.message")
			.value((String message) -> assertThat(message).contains("sample.aggregate.max-size"));
	}

}
