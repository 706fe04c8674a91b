package dev.catzilla.sample;

import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.util.unit.DataSize;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code POST /aggregate}: joins the whole request body in memory (as a handler that
 * parses a JSON document or verifies a signature does) and only then sends it back.
 * Unlike {@code POST /echo}, every byte of the body is held in the server's buffers at
 * once, which is what the memory benchmark's "many live buffers" scenario needs. Bodies
 * over {@code sample.aggregate.max-size} (default 16MB) get a 413.
 */
@RestController
class AggregateController {

	private final long maxSize;

	AggregateController(@Value("${sample.aggregate.max-size:16MB}") DataSize maxSize) {
		this.maxSize = maxSize.toBytes();
	}

	@PostMapping("/aggregate")
	Mono<Void> aggregate(ServerHttpRequest request, ServerHttpResponse response) {
		if (request.getHeaders().getContentLength() > this.maxSize) {
			return Mono.error(tooLarge());
		}
		return DataBufferUtils.join(request.getBody(), (int) Math.min(Integer.MAX_VALUE, this.maxSize))
			.onErrorMap(DataBufferLimitException.class, (ex) -> tooLarge())
			// Lazily: an empty buffer made up front would leak on every request that has
			// a body.
			.switchIfEmpty(Mono.fromSupplier(() -> response.bufferFactory().allocateBuffer(0)))
			.flatMap((whole) -> {
				response.getHeaders().setContentType(MediaType.APPLICATION_OCTET_STREAM);
				response.getHeaders().setContentLength(whole.readableByteCount());
				return response.writeWith(Mono.just(whole));
			});
	}

	private ResponseStatusException tooLarge() {
		return new ResponseStatusException(HttpStatus.CONTENT_TOO_LARGE,
				"Request body too large for /aggregate, the limit is " + this.maxSize
						+ " bytes (sample.aggregate.max-size)");
	}

}
