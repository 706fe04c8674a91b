package dev.catzilla.sample;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.catzilla.allocator.JemallocByteBufAllocator;
import dev.catzilla.autoconfigure.CatzillaAllocator;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample under a 16 MB cap and far more demand than fits (64 concurrent GETs of 8 MB,
 * as the overload report did): it answers what fits with 200, refuses the rest cleanly
 * (503 with Retry-After before a response starts; a response already under way is cut off
 * by closing its connection), writes a bounded log, and serves normally once the load has
 * gone, with nothing left counted.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "catzilla.jemalloc.max-direct-memory=16MB")
@ExtendWith(OutputCaptureExtension.class)
class OverloadAtTheCapTests {

	private static final int SIZE = 8_000_000;

	@LocalServerPort
	private int port;

	@Autowired
	private CatzillaAllocator catzilla;

	@Test
	void farMoreDemandThanTheCapHoldsIsAnsweredOrRefusedCleanlyWithABoundedLogAndFullRecovery(CapturedOutput output)
			throws Exception {
		JemallocByteBufAllocator allocator = (JemallocByteBufAllocator) this.catzilla.allocator();
		assertThat(allocator.maxDirectMemory()).isEqualTo(16L * 1024 * 1024);
		assertThat(allocator.capReserve()).isEqualTo(1024 * 1024);
		int linesBefore = output.getAll().split("\n").length;
		ConnectionProvider pool = ConnectionProvider.builder("overload").maxConnections(64).build();
		try {
			HttpClient client = HttpClient.create(pool).baseUrl("http://127.0.0.1:" + this.port);
			List<String> outcomes = Flux.range(0, 320)
				.flatMap((i) -> get(client, "/bytes/" + SIZE), 64)
				.collectList()
				.block(Duration.ofSeconds(120));
			Map<String, Long> counts = outcomes.stream()
				.collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
			assertThat(counts.keySet()).as("outcomes " + counts)
				.isSubsetOf("200 complete", "503 Retry-After 1", "cut off");
			assertThat(counts.get("200 complete")).as("answered in full " + counts).isPositive();
			assertThat(counts.get("503 Retry-After 1")).as("refused cleanly " + counts).isPositive();
			assertThat(allocator.refusedAllocations()).isPositive();
		}
		finally {
			pool.disposeLater().block(Duration.ofSeconds(10));
		}
		String[] lines = output.getAll().split("\n");
		int logged = lines.length - linesBefore;
		// One refusal with its stack trace (about a hundred frames), at most a summary
		// line per 10 s: no flood.
		assertThat(logged).as("log lines written under overload").isLessThan(400);
		assertThat(output.getAll()).doesNotContain("throwIfFatal").doesNotContain("onUncaughtException");
		// Recovery: a request is answered, and no buffer is left counted.
		HttpClient client = HttpClient.create().baseUrl("http://127.0.0.1:" + this.port);
		assertThat(get(client, "/bytes/100000").block(Duration.ofSeconds(30))).isEqualTo("200 complete");
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (allocator.usedDirectMemory() != 0 && System.nanoTime() < deadline) {
			Thread.sleep(50);
		}
		assertThat(allocator.usedDirectMemory()).isZero();
	}

	private static Mono<String> get(HttpClient client, String uri) {
		int expected = Integer.parseInt(uri.substring(uri.lastIndexOf('/') + 1));
		return client.get()
			.uri(uri)
			.response((response, body) -> body.map(ByteBuf::readableBytes).reduce(0L, Long::sum).map((bytes) -> {
				int status = response.status().code();
				if (status == 200) {
					return (bytes == expected) ? "200 complete" : "200 with " + bytes + " bytes";
				}
				if (status == 503) {
					return "503 Retry-After " + response.responseHeaders().get("Retry-After");
				}
				return status + " " + bytes + " bytes";
			}))
			.next()
			.onErrorResume((ex) -> Mono.just("cut off"));
	}

}
