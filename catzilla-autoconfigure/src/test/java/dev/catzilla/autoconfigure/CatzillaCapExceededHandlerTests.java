package dev.catzilla.autoconfigure;

import dev.catzilla.allocator.JemallocByteBufAllocator;
import dev.catzilla.allocator.JemallocCapExceededException;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * {@link CatzillaCapExceededHandler}: refusals at the cap become 503s; everything else
 * passes by.
 */
class CatzillaCapExceededHandlerTests {

	private final CatzillaCapExceededHandler handler = new CatzillaCapExceededHandler();

	@Test
	void aRefusalAtTheCapBeforeTheResponseStartedIsAnswered503WithRetryAfterAndNoBody() {
		MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/bytes/8000000"));
		exchange.getResponse().getHeaders().setContentLength(8_000_000);
		this.handler.handle(exchange, new IllegalStateException("wrapped", refusal())).block();
		assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
		HttpHeaders headers = exchange.getResponse().getHeaders();
		assertThat(headers.getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
		assertThat(headers.getContentLength()).isZero();
		assertThat(exchange.getResponse().getBodyAsString().block()).isEmpty();
	}

	@Test
	void anyOtherErrorIsLeftToTheNextHandler() {
		MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/"));
		IllegalStateException other = new IllegalStateException("not ours");
		assertThatException().isThrownBy(() -> this.handler.handle(exchange, other).block()).isSameAs(other);
		assertThat(exchange.getResponse().getStatusCode()).isNull();
	}

	@Test
	void aCommittedResponseThatIsNotReactorNettysKeepsTheError() {
		MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/"));
		exchange.getResponse().setComplete().block();
		JemallocCapExceededException refusal = refusal();
		assertThatException().isThrownBy(() -> this.handler.handle(exchange, refusal).block()).isSameAs(refusal);
	}

	@Test
	void runsBeforeBootsErrorHandler() {
		assertThat(this.handler.getOrder()).isLessThan(-1);
	}

	private static JemallocCapExceededException refusal() {
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder().maxDirectMemory(1).build();
		try {
			allocator.directBuffer(2).release();
			throw new AssertionError("not refused");
		}
		catch (JemallocCapExceededException ex) {
			return ex;
		}
	}

}
