package dev.catzilla.autoconfigure;

import dev.catzilla.allocator.JemallocByteBufAllocator;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code catzilla.client.enabled=false}: the server still allocates from jemalloc, Boot's
 * WebClient keeps Netty's default allocator. Nothing is exposed but health.
 */
@SpringBootTest(classes = EchoApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "catzilla.client.enabled=false")
class ClientLeftAloneRealServerTests extends AbstractRealServerTests {

	@Test
	void theServerUsesJemallocAndTheWebClientNettysDefault() throws Exception {
		bodiesFromAFewBytesToSeveralMebibytesRoundTripIntact();
		assertThat(this.outcome.allocator()).isInstanceOf(JemallocByteBufAllocator.class);
		assertThat(this.probe.acceptedChannels).containsOnly(this.outcome.allocator());
		assertThat(this.probe.requestBuffers).containsOnly(this.outcome.allocator());
		assertThat(this.probe.clientChannels).containsOnly(ByteBufAllocator.DEFAULT);
	}

	@Test
	void theEndpointIsNotExposedUnlessIncluded() {
		// No management.endpoints.web.exposure.include here: Boot exposes only health
		// over HTTP.
		// Bodies are consumed (returnResult): a WebTestClient response left unread leaks
		// its buffers.
		this.http.get().uri("/actuator/catzilla").exchange().expectStatus().isNotFound().expectBody().returnResult();
		this.http.get().uri("/actuator/health").exchange().expectStatus().isOk().expectBody().returnResult();
	}

}
