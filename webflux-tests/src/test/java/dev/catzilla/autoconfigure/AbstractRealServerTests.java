package dev.catzilla.autoconfigure;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real Reactor Netty server on a random port, called through the WebClient Boot builds:
 * bodies from a few bytes to several MiB round-trip intact. Subclasses assert which
 * allocator served them.
 */
abstract class AbstractRealServerTests {

	static final int[] SIZES = { 1, 7, 1000, 16 * 1024, 64 * 1024 + 3, 1024 * 1024, 6 * 1024 * 1024 + 11 };

	static final int LARGEST = 6 * 1024 * 1024 + 11;

	@LocalServerPort
	int port;

	@Autowired
	WebClient.Builder webClientBuilder;

	@Autowired
	EchoApplication.Probe probe;

	@Autowired
	CatzillaAllocator outcome;

	WebClient webClient;

	WebTestClient http;

	@BeforeEach
	void clients() {
		LeakWatch.attach();
		this.webClient = this.webClientBuilder.baseUrl("http://127.0.0.1:" + this.port).build();
		this.http = WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + this.port)
			.responseTimeout(Duration.ofSeconds(30))
			.build();
	}

	@Test
	void bodiesFromAFewBytesToSeveralMebibytesRoundTripIntact() throws Exception {
		Random random = new Random(42);
		for (int size : SIZES) {
			byte[] body = new byte[size];
			random.nextBytes(body);
			byte[] echoed = sha256(
					this.webClient.post().uri("/echo").bodyValue(body).retrieve().bodyToFlux(DataBuffer.class));
			assertThat(echoed).as("SHA-256 of the %d-byte echo", size)
				.isEqualTo(MessageDigest.getInstance("SHA-256").digest(body));
		}
		assertThat(this.probe.largestHeldBody).hasValue(LARGEST);
		assertThat(this.probe.requestBuffersSeen.get()).isGreaterThanOrEqualTo(SIZES.length);
		assertThat(this.probe.otherRequestBuffers).as("request buffers that are not Netty buffers").isEmpty();
		assertThat(this.probe.acceptedChannels).isNotEmpty();
		assertThat(this.probe.clientChannels).isNotEmpty();
		assertThat(this.probe.serverChannel.get()).isNotNull();
	}

	@AfterAll
	static void noBufferLeaked() throws Exception {
		LeakWatch.provoke();
		assertThat(LeakWatch.drain()).as("Netty leak reports").isEmpty();
	}

	static byte[] sha256(reactor.core.publisher.Flux<DataBuffer> body) throws Exception {
		MessageDigest digest = MessageDigest.getInstance("SHA-256");
		body.doOnNext((buffer) -> {
			try (DataBuffer.ByteBufferIterator iterator = buffer.readableByteBuffers()) {
				iterator.forEachRemaining(digest::update);
			}
			finally {
				DataBufferUtils.release(buffer);
			}
		}).blockLast(Duration.ofSeconds(30));
		return digest.digest();
	}

}
