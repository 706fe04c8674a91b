package dev.catzilla.autoconfigure;

import java.net.URI;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.client.WebSocketClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Test support: sends a body to a WebSocket echo in binary frames and digests what comes
 * back.
 */
final class WebSocketEcho {

	/** Bytes per binary frame sent. */
	static final int FRAME = 32 * 1024;

	private WebSocketEcho() {
	}

	/**
	 * The SHA-256 of what {@code uri} echoed, {@code body} sent through {@code client} in
	 * frames of {@link #FRAME}.
	 */
	static byte[] sha256OfEcho(WebSocketClient client, URI uri, byte[] body) throws Exception {
		MessageDigest digest = MessageDigest.getInstance("SHA-256");
		AtomicLong received = new AtomicLong();
		client.execute(uri, (session) -> {
			Flux<WebSocketMessage> frames = Flux.range(0, (body.length + FRAME - 1) / FRAME)
				.map((i) -> session.binaryMessage((factory) -> factory
					.wrap(ByteBuffer.wrap(body, i * FRAME, Math.min(FRAME, body.length - i * FRAME)))));
			Mono<Void> echoed = session.receive().doOnNext((message) -> {
				try (var buffers = message.getPayload().readableByteBuffers()) {
					buffers.forEachRemaining((buffer) -> {
						received.addAndGet(buffer.remaining());
						digest.update(buffer);
					});
				}
			}).takeUntil((message) -> received.get() >= body.length).then();
			return session.send(frames).and(echoed);
		}).block(Duration.ofSeconds(60));
		assertThat(received).hasValue(body.length);
		return digest.digest();
	}

}
