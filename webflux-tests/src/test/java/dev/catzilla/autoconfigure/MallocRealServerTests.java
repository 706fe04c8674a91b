package dev.catzilla.autoconfigure;

import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code catzilla.allocator=malloc}: the same application and requests see Netty's
 * default allocator everywhere; the endpoint says no native library was loaded, and
 * purging does nothing.
 */
@SpringBootTest(classes = EchoApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "catzilla.allocator=malloc", "management.endpoints.web.exposure.include=catzilla" })
class MallocRealServerTests extends AbstractRealServerTests {

	@Test
	void theChannelsAndTheRequestBuffersUseNettysDefaultAllocator() throws Exception {
		bodiesFromAFewBytesToSeveralMebibytesRoundTripIntact();
		assertThat(this.outcome.allocator()).isSameAs(ByteBufAllocator.DEFAULT);
		assertThat(this.probe.serverChannel.get()).isSameAs(ByteBufAllocator.DEFAULT);
		assertThat(this.probe.acceptedChannels).containsOnly(ByteBufAllocator.DEFAULT);
		assertThat(this.probe.clientChannels).containsOnly(ByteBufAllocator.DEFAULT);
		assertThat(this.probe.requestBuffers).containsOnly(ByteBufAllocator.DEFAULT);
	}

	@Test
	void theEndpointSaysNettysDefaultAndNoNativeLibrary() {
		this.http.get()
			.uri("/actuator/catzilla")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.requested")
			.isEqualTo("malloc")
			.jsonPath("$.active")
			.isEqualTo("netty")
			.jsonPath("$.allocatorClass")
			.isEqualTo(ByteBufAllocator.DEFAULT.getClass().getName())
			.jsonPath("$.nativeLibrary.status")
			.isEqualTo("not-loaded")
			.jsonPath("$.jemalloc")
			.doesNotExist()
			.jsonPath("$.netty.cachedDirectMemory")
			.doesNotExist()
			.jsonPath("$.netty.usedDirectMemory")
			.value((Number used) -> assertThat(used.longValue()).isNotNegative());
	}

	@Test
	void purgeSaysThereIsNothingToPurge() {
		this.http.post()
			.uri("/actuator/catzilla")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.purged")
			.isEqualTo(false)
			.jsonPath("$.releasedBytes")
			.isEqualTo(0)
			.jsonPath("$.message")
			.value((String message) -> assertThat(message).contains("not active"));
	}

}
