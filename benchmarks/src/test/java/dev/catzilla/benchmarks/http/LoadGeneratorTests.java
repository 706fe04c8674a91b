package dev.catzilla.benchmarks.http;

import java.time.Duration;
import java.util.List;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import static org.assertj.core.api.Assertions.assertThat;

/** The load generator against a small Reactor Netty server in this JVM (1 s per case). */
class LoadGeneratorTests {

	private static final DisposableServer server = HttpServer.create()
		.host("127.0.0.1")
		.port(0)
		.route((routes) -> routes.get("/bytes/{n}", (request, response) -> {
			int n = Integer.parseInt(request.param("n"));
			if (n == 13) {
				return response.status(500).send();
			}
			return response.header("Content-Length", Integer.toString(n))
				.send(Flux.range(0, (n + 65535) / 65536)
					.map((i) -> Unpooled.wrappedBuffer(new byte[Math.min(65536, n - i * 65536)])));
		}).post("/aggregate", (request, response) -> response.send(request.receive().aggregate().retain())))
		.bindNow();

	@AfterAll
	static void stop() {
		server.disposeNow();
	}

	private final LoadGenerator generator = new LoadGenerator("127.0.0.1", Duration.ofSeconds(10));

	private static Workload.Stream stream(Workload.Kind kind, int connections, int size, long pauseMillis) {
		return new Workload.Stream(kind.name(), kind, connections, SizeMix.fixed(size), Duration.ofMillis(pauseMillis));
	}

	@Test
	void concurrentStreamsCountAnswersAndBytesEach() {
		List<LoadResult> results = this.generator.run(
				Workload.of(stream(Workload.Kind.BYTES, 4, 100_000, 0), stream(Workload.Kind.AGGREGATE, 2, 70_000, 0)),
				server.port(), Duration.ofSeconds(1), 7);
		assertThat(results).extracting(LoadResult::stream).containsExactly("BYTES", "AGGREGATE");
		for (LoadResult result : results) {
			assertThat(result.ok()).isPositive();
			assertThat(result.errors()).isZero();
			assertThat(result.latencyMicros().getTotalCount()).isEqualTo(result.ok());
			assertThat(result.nanos()).isGreaterThanOrEqualTo(1_000_000_000L);
		}
		assertThat(results.get(0).bytes()).isEqualTo(results.get(0).ok() * 100_000);
		assertThat(results.get(1).bytes()).isEqualTo(results.get(1).ok() * 70_000);
	}

	@Test
	void aSlowReaderTakesAPauseAfterEveryRead() {
		// 128 KiB in reads of at most 64 KiB: at least 2 reads, so at least 2 pauses of
		// 50 ms per answer
		LoadResult result = this.generator
			.run(Workload.of(stream(Workload.Kind.BYTES, 1, 128 * 1024, 50)), server.port(), Duration.ofSeconds(2), 7)
			.get(0);
		assertThat(result.ok()).isPositive();
		assertThat(result.latencyMillis(0)).isGreaterThanOrEqualTo(100);
	}

	@Test
	void requestsStillInFlightAtTheEndOfThePhaseAreCancelledNotAwaited() {
		// one answer of 1 MiB read 16 KiB at a time with 50 ms pauses would take seconds
		LoadResult result = this.generator
			.run(Workload.of(stream(Workload.Kind.BYTES, 1, 1024 * 1024, 50)), server.port(), Duration.ofMillis(500), 7)
			.get(0);
		assertThat(result.nanos()).isLessThan(2_000_000_000L);
		assertThat(result.ok() + result.errors()).isZero();
	}

	@Test
	void errorAnswersAndFailedConnectionsAreCountedApart() {
		LoadResult non2xx = this.generator
			.run(Workload.of(stream(Workload.Kind.BYTES, 1, 13, 0)), server.port(), Duration.ofMillis(300), 7)
			.get(0);
		assertThat(non2xx.non2xx()).isPositive();
		assertThat(non2xx.ok()).isZero();
		assertThat(non2xx.latencyMillis(50)).isNaN();
		LoadResult refused = this.generator
			.run(Workload.of(stream(Workload.Kind.BYTES, 1, 10, 0)), 1, Duration.ofMillis(300), 7)
			.get(0);
		assertThat(refused.failed()).isPositive();
		assertThat(refused.ok()).isZero();
	}

}
