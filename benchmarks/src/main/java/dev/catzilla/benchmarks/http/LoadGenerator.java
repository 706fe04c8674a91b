package dev.catzilla.benchmarks.http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.HdrHistogram.Histogram;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * A closed-loop HTTP/1.1 load generator on Reactor Netty: per stream, a fixed number of
 * connections, each sending its next request when the previous answer has been read to
 * the end. Latency is recorded per request in an HdrHistogram; requests still in flight
 * when the phase ends are cancelled and not counted. Slow readers ask for one read of the
 * answer at a time and pause after each, so TCP pushes back and the server keeps the rest
 * of the answer in its buffers.
 */
final class LoadGenerator {

	/**
	 * Request bodies are slices of this (read-only, shared), so the generator allocates
	 * nothing per body.
	 */
	private static final byte[] BODY = new byte[64 * SizeMix.MiB];

	static {
		for (int i = 0; i < BODY.length; i++) {
			BODY[i] = (byte) ('a' + i % 26);
		}
	}

	/**
	 * {@link System#nanoTime()} when the last {@link #run} began: the clock of
	 * {@link SizeMix#rotating}.
	 */
	static volatile long phaseStart = System.nanoTime();

	private final String host;

	private final Duration timeout;

	LoadGenerator(String host, Duration timeout) {
		this.host = host;
		this.timeout = timeout;
	}

	/**
	 * Runs every stream of {@code workload} against {@code port} for {@code duration};
	 * one result per stream.
	 */
	List<LoadResult> run(Workload workload, int port, Duration duration, long seed) {
		phaseStart = System.nanoTime();
		List<Mono<LoadResult>> runs = new ArrayList<>();
		int i = 0;
		for (Workload.Stream stream : workload.streams()) {
			runs.add(run(stream, port, duration, seed + 31L * i++));
		}
		return Flux.merge(runs)
			.collectList()
			.block()
			.stream()
			.sorted((a, b) -> Integer.compare(names(workload).indexOf(a.stream()), names(workload).indexOf(b.stream())))
			.toList();
	}

	private static List<String> names(Workload workload) {
		return workload.streams().stream().map(Workload.Stream::name).toList();
	}

	private Mono<LoadResult> run(Workload.Stream stream, int port, Duration duration, long seed) {
		ConnectionProvider provider = ConnectionProvider.builder("load-" + stream.name() + "-" + port)
			.maxConnections(stream.connections())
			.pendingAcquireMaxCount(-1)
			.pendingAcquireTimeout(this.timeout)
			.build();
		HttpClient client = HttpClient.create(provider).host(this.host).port(port).responseTimeout(this.timeout);
		if (stream.slow()) {
			// a small receive window, so the kernel cannot take the answer off the
			// server's hands either
			client = client.option(ChannelOption.SO_RCVBUF, 16 * 1024);
		}
		HttpClient httpClient = client;
		ConcurrentLinkedQueue<Tally> tallies = new ConcurrentLinkedQueue<>();
		return Mono.defer(() -> {
			long start = System.nanoTime();
			long deadline = start + duration.toNanos();
			return Flux.range(0, stream.connections()).flatMap((connection) -> {
				Tally tally = new Tally();
				tallies.add(tally);
				SplittableRandom random = new SplittableRandom(seed * 1_000_003L + connection);
				Pacer pacer = new Pacer(stream.periodNanos(), start, connection, stream.connections());
				return Mono
					.defer(() -> pacer.delay(System.nanoTime())
						.then(Mono.defer(() -> once(httpClient, stream, random, tally))))
					.repeat(() -> System.nanoTime() < deadline)
					.then();
			}, stream.connections())
				.then()
				// at the deadline, requests still in flight are cancelled (their
				// connections closed) and not counted:
				// a phase lasts as long as planned even with slow readers in the middle
				// of an answer
				.timeout(duration, Mono.empty())
				.then(Mono.fromCallable(() -> {
					long nanos = System.nanoTime() - start;
					Tally all = new Tally();
					tallies.forEach((tally) -> tally.addTo(all));
					return all.result(stream.name(), nanos);
				}));
			// disposed a little later: connections cancelled at the deadline are still
			// being closed and released
		}).doFinally((signal) -> Mono.delay(Duration.ofSeconds(2)).then(provider.disposeLater()).subscribe());
	}

	private Mono<Void> once(HttpClient client, Workload.Stream stream, SplittableRandom random, Tally tally) {
		int size = Math.min(stream.sizes().next(random), BODY.length);
		long start = System.nanoTime();
		Flux<Answer> answer;
		if (stream.kind() == Workload.Kind.AGGREGATE) {
			answer = client.headers((headers) -> headers.set(HttpHeaderNames.CONTENT_LENGTH, size))
				.post()
				.uri(stream.kind().path)
				.send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(BODY, 0, size)))
				.response((response, body) -> read(body, stream.readPause())
					.map((read) -> new Answer(response.status().code(), read)));
		}
		else {
			answer = client.get()
				.uri(stream.kind().path + size)
				.response((response, body) -> read(body, stream.readPause())
					.map((read) -> new Answer(response.status().code(), read)));
		}
		return answer.next()
			.timeout(this.timeout)
			.doOnNext((answered) -> tally.answered(answered, (System.nanoTime() - start) / 1000))
			.onErrorResume((error) -> {
				tally.failed();
				return Mono.empty();
			})
			.then();
	}

	/**
	 * Reads an answer to the end (released as read); a slow reader asks for one read at a
	 * time and pauses after it.
	 */
	private static Mono<Long> read(Flux<ByteBuf> body, Duration pause) {
		Flux<Integer> reads = body.map(ByteBuf::readableBytes);
		if (!pause.isZero()) {
			reads = reads.concatMap((n) -> Mono.delay(pause).thenReturn(n), 1);
		}
		return reads.reduce(0L, (sum, n) -> sum + n);
	}

	/**
	 * The send times of one paced connection: slot k at
	 * {@code start + offset + k * period}, the connections' offsets spread over one
	 * period so the stream's requests are evenly spaced. A connection whose answer came
	 * after its next slot sends at once, and skips slots that are more than one period
	 * behind (the offered rate is then not reached: the server could not keep up, and the
	 * lower requests/s shows it).
	 */
	static final class Pacer {

		private final long period;

		private long next;

		Pacer(long periodNanos, long start, int connection, int connections) {
			this.period = periodNanos;
			this.next = start + ((periodNanos == 0) ? 0 : periodNanos * connection / connections);
		}

		/**
		 * How long to wait, from {@code now}, before the next request; advances to the
		 * slot after it.
		 */
		long waitNanos(long now) {
			if (this.period == 0) {
				return 0;
			}
			if (this.next < now - this.period) {
				this.next = now;
			}
			long wait = Math.max(0, this.next - now);
			this.next += this.period;
			return wait;
		}

		Mono<Long> delay(long now) {
			long wait = waitNanos(now);
			return (wait == 0) ? Mono.just(0L) : Mono.delay(Duration.ofNanos(wait));
		}

	}

	/** An answer read to the end: its status and how many body bytes it had. */
	private record Answer(int status, long bytes) {
	}

	/**
	 * The counts of one connection. Synchronized, because the phase may end (and the
	 * counts be added up) on another thread while an answer is being counted: each answer
	 * is then counted whole or not at all.
	 */
	private static final class Tally {

		private final Histogram latencyMicros = LoadResult.newHistogram();

		private long ok;

		private long non2xx;

		private long failed;

		private long bytes;

		synchronized void answered(Answer answer, long micros) {
			if (answer.status() >= 200 && answer.status() < 300) {
				this.ok++;
				this.bytes += answer.bytes();
				this.latencyMicros.recordValue(Math.min(LoadResult.MAX_LATENCY_MICROS, micros));
			}
			else {
				this.non2xx++;
			}
		}

		synchronized void failed() {
			this.failed++;
		}

		synchronized void addTo(Tally total) {
			total.ok += this.ok;
			total.non2xx += this.non2xx;
			total.failed += this.failed;
			total.bytes += this.bytes;
			total.latencyMicros.add(this.latencyMicros);
		}

		LoadResult result(String stream, long nanos) {
			return new LoadResult(stream, this.ok, this.non2xx, this.failed, nanos, this.latencyMicros, this.bytes);
		}

	}

}
