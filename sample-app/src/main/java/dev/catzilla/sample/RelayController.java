package dev.catzilla.sample;

import reactor.core.publisher.Flux;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * {@code GET /relay/bytes/{n}}: fetches {@code /bytes/{n}} from this same server through
 * Boot's {@code WebClient} and streams it on, buffer by buffer, so one request exercises
 * both the server's and the client's Netty buffers. Needs
 * {@code spring-boot-starter-webclient} (Boot 4 no longer ships {@code WebClient.Builder}
 * with WebFlux).
 */
@RestController
class RelayController {

	private final WebClient webClient;

	RelayController(WebClient.Builder builder) {
		this.webClient = builder.build();
	}

	@GetMapping("/relay/bytes/{n}")
	ResponseEntity<Flux<DataBuffer>> relay(@PathVariable("n") String n, ServerHttpRequest request) {
		Flux<DataBuffer> body = this.webClient.get()
			.uri("http://127.0.0.1:{port}/bytes/{n}", request.getLocalAddress().getPort(), n)
			.retrieve()
			.bodyToFlux(DataBuffer.class);
		return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM).body(body);
	}

}
