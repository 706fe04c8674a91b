package dev.catzilla.sample;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** The actuator endpoints the sample exposes, through HTTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ActuatorTests {

	@LocalServerPort
	private int port;

	private WebTestClient client;

	@BeforeEach
	void client() {
		this.client = SampleClients.client(this.port);
	}

	@Test
	void healthIsUp() {
		this.client.get()
			.uri("/actuator/health")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("UP");
	}

	@Test
	void prometheusScrapeHasHttpServerMetricsAfterARequest() {
		this.client.get().uri("/bytes/10").exchange().expectStatus().isOk().expectBody().returnResult();
		String scrape = this.client.get()
			.uri("/actuator/prometheus")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(scrape).contains("http_server_requests_seconds_count").contains("uri=\"/bytes/{n}\"");
	}

	@Test
	void metricsListsJvmMemory() {
		this.client.get()
			.uri("/actuator/metrics")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.names[?(@ == 'jvm.memory.used')]")
			.exists();
	}

	@Test
	void onlyTheChosenEndpointsAreExposed() {
		this.client.get().uri("/actuator/env").exchange().expectStatus().isNotFound().expectBody().returnResult();
		this.client.get().uri("/actuator/beans").exchange().expectStatus().isNotFound().expectBody().returnResult();
	}

}
