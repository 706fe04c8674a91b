package dev.catzilla.benchmarks.http;

import java.time.Duration;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The slow upstream of the proxy scenario: {@code GET /bytes/{n}} answers n bytes, but
 * only after {@code --first-byte-ms} and then in {@code --chunk}-byte pieces with
 * {@code --chunk-pause-ms} between them, so the proxy under test holds many requests open
 * at once. It is the same process for every set-up, and not measured.
 * <p>
 * {@code java -cp benchmarks.jar dev.catzilla.benchmarks.http.SlowUpstream --port 18099 [--first-byte-ms 20]
 * [--chunk 16384] [--chunk-pause-ms 2]}; runs until killed. Listens on 127.0.0.1 only.
 */
public final class SlowUpstream {

	private SlowUpstream() {
	}

	public static void main(String[] args) {
		Arguments arguments = Arguments.parse(args);
		int port = arguments.integer("port", 18099);
		Duration firstByte = Duration.ofMillis(arguments.integer("first-byte-ms", 20));
		int chunk = arguments.integer("chunk", 16 * 1024);
		Duration pause = Duration.ofMillis(arguments.integer("chunk-pause-ms", 2));
		byte[] pattern = new byte[chunk];
		for (int i = 0; i < chunk; i++) {
			pattern[i] = (byte) i;
		}
		DisposableServer server = HttpServer.create()
			.host("127.0.0.1")
			.port(port)
			.route((routes) -> routes.get("/bytes/{n}", (request, response) -> {
				long n = Long.parseLong(request.param("n"));
				int chunks = (int) ((n + chunk - 1) / chunk);
				Flux<ByteBuf> body = Flux.range(0, chunks).concatMap((i) -> {
					int length = (int) Math.min(chunk, n - (long) i * chunk);
					Mono<ByteBuf> piece = Mono.fromSupplier(() -> Unpooled.wrappedBuffer(pattern, 0, length));
					return piece.delaySubscription((i == 0) ? firstByte : pause);
				}, 1);
				return response.header("Content-Length", Long.toString(n)).send(body);
			}))
			.bindNow();
		System.out.println("slow upstream on 127.0.0.1:" + server.port() + ": first byte after " + firstByte.toMillis()
				+ " ms, " + chunk + "-byte chunks " + pause.toMillis() + " ms apart");
		server.onDispose().block();
	}

}
