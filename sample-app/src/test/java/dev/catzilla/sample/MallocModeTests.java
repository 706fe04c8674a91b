package dev.catzilla.sample;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --catzilla.allocator=malloc}: Netty's default allocator serves, the endpoints
 * still work.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, args = "--catzilla.allocator=malloc")
class MallocModeTests {

	@LocalServerPort
	private int port;

	private WebTestClient client;

	@BeforeEach
	void client() {
		this.client = SampleClients.client(this.port);
	}

	@Test
	void theCommandLineSwitchesTheSampleToNettysDefaultAllocator() {
		this.client.get()
			.uri("/actuator/catzilla")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.requested")
			.isEqualTo("malloc")
			.jsonPath("$.active")
			.isEqualTo("netty")
			.jsonPath("$.nativeLibrary.status")
			.isEqualTo("not-loaded");
	}

	@Test
	void echoAndBytesWorkUnderMalloc() {
		byte[] body = EchoEndpointTests.randomBytes(3 * 1024 * 1024, 7);
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
		byte[] bytes = this.client.get()
			.uri("/bytes/65536")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(byte[].class)
			.returnResult()
			.getResponseBody();
		assertThat(bytes).hasSize(65536);
	}

}
