package dev.catzilla.benchmarks.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Samples every server while a scenario runs: its RSS every {@code rssPeriod}, and its
 * allocator's counters from {@code /actuator/catzilla} every {@code countersPeriod}
 * (asynchronously, so a server slow to answer under load delays only its own counters,
 * never the RSS samples).
 */
final class Sampler implements AutoCloseable {

	/**
	 * One counters answer and when it was taken (halfway between asking and the answer's
	 * arrival).
	 */
	record CounterSample(long millis, Counters counters) {
	}

	private final List<Setup> setups;

	private final Map<String, List<Series.Point>> rss = new ConcurrentHashMap<>();

	private final Map<String, List<CounterSample>> counters = new ConcurrentHashMap<>();

	private final Map<String, AtomicBoolean> asking = new ConcurrentHashMap<>();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor((r) -> {
		Thread thread = new Thread(r, "sampler");
		thread.setDaemon(true);
		return thread;
	});

	Sampler(List<Setup> setups, Duration rssPeriod, Duration countersPeriod) {
		this.setups = List.copyOf(setups);
		for (Setup setup : setups) {
			this.rss.put(setup.name(), java.util.Collections.synchronizedList(new ArrayList<>()));
			this.counters.put(setup.name(), java.util.Collections.synchronizedList(new ArrayList<>()));
			this.asking.put(setup.name(), new AtomicBoolean());
		}
		this.timer.scheduleAtFixedRate(this::sampleRss, 0, rssPeriod.toMillis(), TimeUnit.MILLISECONDS);
		this.timer.scheduleAtFixedRate(this::askCounters, 0, countersPeriod.toMillis(), TimeUnit.MILLISECONDS);
	}

	private void sampleRss() {
		long now = System.currentTimeMillis();
		for (Setup setup : this.setups) {
			OptionalLong bytes = Rss.of(setup.pid());
			if (bytes.isPresent()) {
				this.rss.get(setup.name()).add(new Series.Point(now, bytes.getAsLong()));
			}
		}
	}

	private void askCounters() {
		for (Setup setup : this.setups) {
			AtomicBoolean busy = this.asking.get(setup.name());
			if (!busy.compareAndSet(false, true)) {
				continue; // the previous question is still unanswered
			}
			long asked = System.currentTimeMillis();
			HttpRequest request = HttpRequest
				.newBuilder(URI.create("http://127.0.0.1:" + setup.port() + "/actuator/catzilla"))
				.timeout(Duration.ofSeconds(5))
				.build();
			this.http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
				busy.set(false);
				if (error == null && response.statusCode() == 200) {
					try {
						// stamped halfway between question and answer: under load the
						// answer can take a while,
						// and the counters describe the server at some moment in between
						long answered = System.currentTimeMillis();
						this.counters.get(setup.name())
							.add(new CounterSample((asked + answered) / 2, Counters.parse(response.body())));
					}
					catch (RuntimeException ex) {
						// a malformed answer is a missing sample, not a reason to stop
						// sampling
					}
				}
			});
		}
	}

	/** The RSS samples so far, per set-up. */
	Map<String, Series> rss() {
		Map<String, Series> result = new LinkedHashMap<>();
		for (Setup setup : this.setups) {
			List<Series.Point> points = this.rss.get(setup.name());
			synchronized (points) {
				result.put(setup.name(), new Series(points));
			}
		}
		return result;
	}

	/** The counter samples so far, per set-up. */
	Map<String, List<CounterSample>> counters() {
		Map<String, List<CounterSample>> result = new LinkedHashMap<>();
		for (Setup setup : this.setups) {
			List<CounterSample> samples = this.counters.get(setup.name());
			synchronized (samples) {
				result.put(setup.name(), List.copyOf(samples));
			}
		}
		return result;
	}

	@Override
	public void close() {
		this.timer.shutdownNow();
	}

}
