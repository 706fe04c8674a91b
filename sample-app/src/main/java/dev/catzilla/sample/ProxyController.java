package dev.catzilla.sample;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code GET /proxy/bytes/{n}}: fetches {@code GET <sample.proxy.upstream>/bytes/{n}}
 * through Boot's {@code WebClient} and streams the upstream's body to the caller, buffer
 * by buffer, as a gateway route does. The memory benchmark points it at a deliberately
 * slow upstream. Without {@code sample.proxy.upstream} it answers 503.
 */
@RestController
class ProxyController {

	private final WebClient client;

	private final String upstream;

	ProxyController(WebClient.Builder builder, @Value("${sample.proxy.upstream:}") String upstream) {
		this.client = builder.build();
		this.upstream = upstream;
	}

	@GetMapping("/proxy/bytes/{n}")
	Mono<Void> proxy(@PathVariable("n") long n, ServerHttpResponse response) {
		if (this.upstream.isEmpty()) {
			return Mono.error(new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
					"No upstream: set sample.proxy.upstream, e.g. http://127.0.0.1:8081"));
		}
		Flux<DataBuffer> body = this.client.get()
			.uri(this.upstream + "/bytes/{n}", n)
			.retrieve()
			.bodyToFlux(DataBuffer.class);
		response.getHeaders().setContentType(MediaType.APPLICATION_OCTET_STREAM);
		return response.writeWith(body);
	}

}
