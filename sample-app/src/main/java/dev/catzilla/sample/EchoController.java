package dev.catzilla.sample;

import java.util.concurrent.atomic.AtomicLong;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code POST /echo}: the request body comes back as it came, streamed buffer by buffer
 * (the whole body is never held in memory), up to {@code sample.echo.max-size}.
 * <p>
 * Over the limit: a request whose {@code Content-Length} says so is refused with 413
 * before its body is read. A body without a length (chunked) is counted as it streams; if
 * it crosses the limit before the response has started, the answer is a 413, otherwise
 * the response has already been committed as 200 and the connection is closed mid-body,
 * which is the only honest option for a streamed echo.
 */
@RestController
class EchoController {

	private final long maxSize;

	EchoController(SampleProperties properties) {
		this.maxSize = properties.echo().maxSize().toBytes();
	}

	@PostMapping("/echo")
	Mono<Void> echo(ServerHttpRequest request, ServerHttpResponse response) {
		long declared = request.getHeaders().getContentLength();
		if (declared > this.maxSize) {
			return Mono.error(tooLarge("Content-Length " + declared));
		}
		MediaType contentType = request.getHeaders().getContentType();
		response.getHeaders().setContentType((contentType != null) ? contentType : MediaType.APPLICATION_OCTET_STREAM);
		if (declared >= 0) {
			response.getHeaders().setContentLength(declared);
		}
		AtomicLong seen = new AtomicLong();
		Flux<DataBuffer> body = request.getBody().handle((buffer, sink) -> {
			long total = seen.addAndGet(buffer.readableByteCount());
			if (total > this.maxSize) {
				DataBufferUtils.release(buffer);
				sink.error(tooLarge("more than " + this.maxSize + " bytes streamed"));
			}
			else {
				sink.next(buffer);
			}
		});
		return response.writeWith(body);
	}

	private ResponseStatusException tooLarge(String what) {
		return new ResponseStatusException(HttpStatus.CONTENT_TOO_LARGE,
				"Request body too large: " + what + ", the limit is " + this.maxSize + " bytes (sample.echo.max-size)");
	}

}
