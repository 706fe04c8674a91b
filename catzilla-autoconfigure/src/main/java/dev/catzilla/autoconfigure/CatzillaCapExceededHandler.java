package dev.catzilla.autoconfigure;

import dev.catzilla.allocator.JemallocCapExceededException;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.server.HttpServerResponse;

import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;

/**
 * Degrades instead of failing when a request's buffers do not fit under the allocator's
 * cap ({@link JemallocCapExceededException} anywhere in the cause chain): a response that
 * has not started is answered {@code 503 Service Unavailable} with {@code Retry-After: 1}
 * and no body (a body would need the memory that just ran out); a response already on its
 * way (status and headers sent) cannot be answered any more, so its connection is closed,
 * which the client sees as a cut-off body, as from any server that stops mid-response.
 * Neither is logged per request: the allocator logs refusals boundedly. Runs before
 * Boot's error handler (order -2), which would log each one and try to allocate an error
 * page.
 */
final class CatzillaCapExceededHandler implements WebExceptionHandler, Ordered {

	static final String RETRY_AFTER_SECONDS = "1";

	@Override
	public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
		if (capExceeded(ex) == null) {
			return Mono.error(ex);
		}
		ServerHttpResponse response = exchange.getResponse();
		if (response.isCommitted()) {
			if (nativeResponse(response) instanceof HttpServerResponse server) {
				server.withConnection(Connection::dispose);
				return Mono.empty();
			}
			return Mono.error(ex);
		}
		response.setStatusCode(HttpStatus.SERVICE_UNAVAILABLE);
		HttpHeaders headers = response.getHeaders();
		headers.clear();
		headers.set(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
		headers.setContentLength(0);
		return response.setComplete();
	}

	@Override
	public int getOrder() {
		return -2;
	}

	private static Object nativeResponse(ServerHttpResponse response) {
		try {
			return ServerHttpResponseDecorator.getNativeResponse(response);
		}
		catch (IllegalStateException ex) {
			return null; // a response without a server behind it (a mock)
		}
	}

	static @Nullable JemallocCapExceededException capExceeded(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = (cause.getCause() != cause) ? cause.getCause() : null) {
			if (cause instanceof JemallocCapExceededException refusal) {
				return refusal;
			}
		}
		return null;
	}

}
