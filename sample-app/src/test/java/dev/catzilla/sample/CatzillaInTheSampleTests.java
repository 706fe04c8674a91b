package dev.catzilla.sample;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter does its job in the sample as a user would see it: with the default
 * {@code catzilla.allocator=auto} on linux-x86_64 (CI's platform) jemalloc serves the
 * server, the endpoint and the meters say so, and bytes that went through the server went
 * through jemalloc.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class CatzillaInTheSampleTests {

	@LocalServerPort
	private int port;

	private WebTestClient client;

	@BeforeEach
	void client() {
		this.client = SampleClients.client(this.port);
	}

	@Test
	void theEndpointSaysJemallocServesTheSampleByDefault() {
		this.client.get()
			.uri("/actuator/catzilla")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.requested")
			.isEqualTo("auto")
			.jsonPath("$.active")
			.isEqualTo("jemalloc")
			.jsonPath("$.netty.allocatorClass")
			.isEqualTo("dev.catzilla.allocator.JemallocByteBufAllocator")
			.jsonPath("$.nativeLibrary.status")
			.isEqualTo("loaded")
			.jsonPath("$.jemalloc.effectiveOptions.background_thread")
			.isEqualTo("true");
	}

	@Test
	void bytesThroughTheServerComeFromJemalloc() {
		// jemalloc has handed out memory once the server has produced a few MiB through
		// its buffers. The body is
		// read to the end: an unread response keeps the exchange open and stalls the
		// server's graceful shutdown.
		byte[] body = this.client.get()
			.uri("/bytes/{n}", 4 * 1024 * 1024)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(byte[].class)
			.returnResult()
			.getResponseBody();
		assertThat(body).hasSize(4 * 1024 * 1024);
		this.client.get()
			.uri("/actuator/catzilla")
			.exchange()
			.expectBody()
			.jsonPath("$.jemalloc.initialized")
			.isEqualTo(true)
			.jsonPath("$.jemalloc.stats.allocated")
			.value((Number allocated) -> assertThat(allocated.longValue()).isPositive())
			.jsonPath("$.jemalloc.stats.resident")
			.value((Number resident) -> assertThat(resident.longValue()).isPositive());
	}

	@Test
	void theScrapeHasCatzillaMetersForJemalloc() {
		String scrape = this.client.get()
			.uri("/actuator/prometheus")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(scrape).contains("catzilla_allocator_info{active=\"jemalloc\",requested=\"auto\"} 1")
			.contains("catzilla_jemalloc_resident_bytes")
			.contains("netty_allocator_memory_used{allocator_type=\"JemallocByteBufAllocator\"");
	}

	@Test
	void healthHasTheCatzillaComponent() {
		this.client.get()
			.uri("/actuator/health")
			.exchange()
			.expectBody()
			.jsonPath("$.components.catzilla.status")
			.isEqualTo("UP")
			.jsonPath("$.components.catzilla.details.active")
			.isEqualTo("jemalloc");
	}

}
