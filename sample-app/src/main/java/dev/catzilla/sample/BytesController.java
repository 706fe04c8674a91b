package dev.catzilla.sample;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code GET /bytes/{n}}: {@code n} bytes of a fixed pattern (byte {@code i} is
 * {@code i mod 256}), produced in chunks of at most {@value #CHUNK} bytes from the
 * response's buffer factory (so from the server channel's Netty allocator), never as one
 * giant array.
 */
@RestController
class BytesController {

	static final int CHUNK = 64 * 1024;

	/**
	 * One chunk of the pattern; CHUNK is a multiple of 256 so every chunk starts at
	 * pattern offset 0.
	 */
	private static final byte[] PATTERN = new byte[CHUNK];

	static {
		for (int i = 0; i < CHUNK; i++) {
			PATTERN[i] = (byte) i;
		}
	}

	private final long maxSize;

	BytesController(SampleProperties properties) {
		this.maxSize = properties.bytes().maxSize().toBytes();
	}

	@GetMapping("/bytes/{n}")
	Mono<Void> bytes(@PathVariable("n") String n, ServerHttpResponse response) {
		long size;
		try {
			size = Long.parseLong(n);
		}
		catch (NumberFormatException ex) {
			return Mono.error(badRequest("'" + n + "' is not a whole number of bytes"));
		}
		if (size < 0) {
			return Mono.error(badRequest(size + " is negative"));
		}
		if (size > this.maxSize) {
			return Mono.error(
					badRequest(size + " is more than the limit of " + this.maxSize + " bytes (sample.bytes.max-size)"));
		}
		response.getHeaders().setContentType(MediaType.APPLICATION_OCTET_STREAM);
		response.getHeaders().setContentLength(size);
		return response.writeWith(pattern(response.bufferFactory(), size));
	}

	static Flux<DataBuffer> pattern(DataBufferFactory factory, long size) {
		return Flux.generate(() -> 0L, (written, sink) -> {
			if (written >= size) {
				sink.complete();
				return written;
			}
			int length = (int) Math.min(CHUNK, size - written);
			DataBuffer buffer = factory.allocateBuffer(length);
			buffer.write(PATTERN, 0, length);
			sink.next(buffer);
			return written + length;
		});
	}

	private static ResponseStatusException badRequest(String why) {
		return new ResponseStatusException(HttpStatus.BAD_REQUEST, "Bad size for /bytes/{n}: " + why);
	}

}
