package dev.catzilla.sample;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /relay/bytes/{n}} goes through Boot's {@code WebClient}: the bytes arrive
 * intact, and the sample's startup line and endpoint name both the server and the
 * WebClient.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class RelayEndpointTests {

	@LocalServerPort
	private int port;

	private WebTestClient client;

	@BeforeEach
	void client() {
		this.client = SampleClients.client(this.port);
	}

	@Test
	void severalMebibytesAreRelayedIntact() {
		int size = 8 * 1024 * 1024 + 5;
		byte[] body = this.client.get()
			.uri("/relay/bytes/{n}", size)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(byte[].class)
			.returnResult()
			.getResponseBody();
		assertThat(body).hasSize(size);
		for (int i = 0; i < size; i++) {
			if (body[i] != (byte) i) {
				throw new AssertionError("byte " + i + " is " + body[i]);
			}
		}
	}

	@Test
	@SuppressWarnings("unchecked")
	void theEndpointSaysTheServerAndTheWebClientAreServed() {
		this.client.get()
			.uri("/actuator/catzilla")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.served")
			.value((List<String> served) -> assertThat(served).containsExactly("server", "webclient"));
	}

	@Test
	void theStartupLineNamesTheServerAndTheWebClient(CapturedOutput output) {
		SpringApplication.run(SampleApplication.class, "--server.port=0", "--server.address=127.0.0.1").close();
		assertThat(output).containsPattern(
				"dev\\.catzilla +: Catzilla: jemalloc 5\\.3\\.\\d+ served: \\[server, webclient\\] \\(requested auto\\)");
	}

}
