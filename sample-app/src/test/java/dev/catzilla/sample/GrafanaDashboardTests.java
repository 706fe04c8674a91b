package dev.catzilla.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.catzilla.allocator.MemoryDoctor;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The Grafana dashboard in {@code docs/grafana/catzilla-dashboard.json} is checked
 * against a real Prometheus (Debian's package, fetched by
 * {@code src/test/sh/prometheus.sh}) scraping the sample app every second: every query of
 * every panel, read from the file (so a panel added later is checked without touching
 * this test), with the dashboard's variables substituted as Grafana substitutes them,
 * returns data. The sample runs in its own JVM with Catzilla's jemalloc, a small sampling
 * interval and a cap, and the test makes a live site, a leak and a cap refusal happen so
 * that the panels about them have something to show. Both processes are stopped whatever
 * the outcome.
 */
class GrafanaDashboardTests {

	/**
	 * Prometheus's scrape interval here, and so Grafana's {@code $__interval} (its
	 * minimum: one scrape).
	 */
	private static final int SCRAPE_SECONDS = 1;

	private static final String JOB = "catzilla-sample";

	private static final Duration DEADLINE = Duration.ofSeconds(90);

	private static final JsonMapper json = JsonMapper.builder().build();

	private static final Pattern VARIABLE = Pattern
		.compile("\\$\\{(\\w+)(?::([^}]*))?}|\\[\\[(\\w+)(?::([^\\]]*))?]]|\\$(\\w+)");

	private static final Pattern LABEL_VALUES = Pattern
		.compile("^\\s*label_values\\(\\s*(?:(.+?)\\s*,\\s*)?(\\w+)\\s*\\)\\s*$");

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@Test
	void theDashboardIsAGrafanaModelWhosePanelsAllQueryThePrometheusDatasourceVariable() {
		JsonNode dashboard = dashboard();
		assertThat(dashboard.path("schemaVersion").asInt()).as("schemaVersion (Grafana 10 writes 38)")
			.isGreaterThanOrEqualTo(36);
		assertThat(dashboard.path("uid").asString()).isEqualTo("catzilla");
		assertThat(dashboard.path("id").isNull()).as("id is null: Grafana assigns one on import").isTrue();
		JsonNode datasource = variables(dashboard).get("datasource");
		assertThat(datasource).as("a datasource variable named 'datasource'").isNotNull();
		assertThat(datasource.path("type").asString()).isEqualTo("datasource");
		assertThat(datasource.path("query").asString()).isEqualTo("prometheus");
		List<JsonNode> panels = panels(dashboard);
		assertThat(panels).hasSizeGreaterThanOrEqualTo(8);
		for (JsonNode panel : panels) {
			String title = panel.path("title").asString();
			assertThat(panel.path("datasource").path("uid").asString()).as("datasource of '%s'", title)
				.isEqualTo("${datasource}");
			assertThat(panel.path("gridPos").path("w").asInt()).as("width of '%s'", title).isBetween(1, 24);
			assertThat(panel.path("description").asString()).as("description of '%s'", title).isNotBlank();
			List<JsonNode> targets = List.copyOf(panel.path("targets").values());
			assertThat(targets).as("queries of '%s'", title).isNotEmpty();
			assertThat(targets.stream().map((t) -> t.path("refId").asString()).distinct()).as("refIds of '%s'", title)
				.hasSize(targets.size());
			for (JsonNode target : targets) {
				assertThat(target.path("expr").asString()).as("expr of '%s' %s", title, target.path("refId"))
					.isNotBlank();
				assertThat(target.path("datasource").path("uid").asString()).isEqualTo("${datasource}");
			}
		}
		List<Integer> ids = new ArrayList<>();
		rows(dashboard).forEach((r) -> ids.add(r.path("id").asInt()));
		panels.forEach((p) -> ids.add(p.path("id").asInt()));
		assertThat(ids).as("panel and row ids").doesNotHaveDuplicates();
	}

	@Test
	void theRatioPanelsDrawTheMemoryDoctorsThresholdsAndFloor() {
		// One fact in one place: the thresholds drawn are MemoryDoctor's.
		Map<String, Double> expected = Map.of("Fragmentation: active / allocated", MemoryDoctor.RATIO_THRESHOLD,
				"Unused resident: resident / active", MemoryDoctor.RATIO_THRESHOLD,
				"Metadata share: metadata / resident", MemoryDoctor.METADATA_SHARE,
				"Bin fragmentation: slab bytes / bytes in use", MemoryDoctor.RATIO_THRESHOLD);
		Map<String, JsonNode> byTitle = new LinkedHashMap<>();
		panels(dashboard()).forEach((p) -> byTitle.put(p.path("title").asString(), p));
		expected.forEach((title, threshold) -> {
			JsonNode panel = byTitle.get(title);
			assertThat(panel).as("panel '%s'", title).isNotNull();
			assertThat(thresholds(panel.path("fieldConfig").path("defaults"))).as("thresholds of '%s'", title)
				.contains(threshold);
			JsonNode bytes = null;
			for (JsonNode override : panel.path("fieldConfig").path("overrides").values()) {
				for (JsonNode property : override.path("properties").values()) {
					if (property.path("id").asString().equals("thresholds")) {
						bytes = property.path("value");
					}
				}
			}
			assertThat(bytes).as("the bytes behind '%s' have their own thresholds", title).isNotNull();
			assertThat(thresholds(bytes)).as("floor of '%s'", title).contains((double) MemoryDoctor.FLOOR_BYTES);
		});
	}

	@Test
	void theDocsDescribeEveryPanel() throws IOException {
		String docs = Files.readString(Path.of(System.getProperty("catzilla.test.docs")));
		for (JsonNode panel : panels(dashboard())) {
			assertThat(docs).as("docs/spring.md describes the panel")
				.contains("| " + panel.path("title").asString() + " |");
		}
		assertThat(docs).contains("docs/grafana/catzilla-dashboard.json");
	}

	@Test
	void everyPanelShowsDataFromARealPrometheusScrapingTheSampleAndEveryCatzillaMeterHasAPanel() throws Exception {
		Path prometheus = prometheusBinary();
		JsonNode dashboard = dashboard();
		Path work = Path.of("target", "grafana-dashboard-test").toAbsolutePath();
		deleteRecursively(work);
		Files.createDirectories(work);
		try (Processes processes = new Processes()) {
			int appPort = processes.start((port) -> sampleCommand(port, work),
					(port) -> "http://127.0.0.1:" + port + "/actuator/health", work.resolve("sample.log"));
			String base = "http://127.0.0.1:" + appPort;
			Files.writeString(work.resolve("prometheus.yml"), """
					global:
					  scrape_interval: %1$ds
					  scrape_timeout: %1$ds
					  evaluation_interval: %1$ds
					scrape_configs:
					  - job_name: %2$s
					    metrics_path: /actuator/prometheus
					    static_configs:
					      - targets: ['127.0.0.1:%3$d']
					""".formatted(SCRAPE_SECONDS, JOB, appPort));
			int prometheusPort = processes.start((port) -> new ProcessBuilder(prometheus.toString(),
					"--config.file=" + work.resolve("prometheus.yml"), "--storage.tsdb.path=" + work.resolve("tsdb"),
					"--web.listen-address=127.0.0.1:" + port, "--log.level=warn"),
					(port) -> "http://127.0.0.1:" + port + "/-/ready", work.resolve("prometheus.log"));
			String prom = "http://127.0.0.1:" + prometheusPort;

			// Traffic through the server's buffers, a live site, a leak and a refusal at
			// the cap.
			for (int i = 0; i < 8; i++) {
				assertThat(get(base + "/bytes/" + (1024 * 1024)).statusCode()).isEqualTo(200);
			}
			assertThat(get(base + "/provoke/hold?kib=8192").body()).startsWith("holding 128 buffers");
			HttpResponse<String> leak = get(base + "/provoke/leak?buffers=256");
			assertThat(leak.statusCode()).as(leak.body()).isEqualTo(200);
			HttpResponse<String> refuse = get(base + "/provoke/refuse");
			assertThat(refuse.statusCode()).as(refuse.body()).isEqualTo(200);
			assertThat(Long.parseLong(refuse.body())).as("refusals at the cap").isPositive();

			// What the provocations must have produced, seen through Prometheus.
			awaitData(prom, Map.of("the scrape of the sample", "up{job=\"" + JOB + "\"} == 1",
					"Catzilla's jemalloc serving the sample",
					"catzilla_allocator_info{job=\"" + JOB + "\", active=\"jemalloc\"}", "a live site besides 'other'",
					"catzilla_profile_site_live_bytes{job=\"" + JOB + "\", site!=\"other\"} > 1000000", "a leak",
					"catzilla_profile_leaks_total{job=\"" + JOB + "\"} > 0"), work);

			// Every Catzilla meter the sample exposes is on the dashboard: a new meter
			// needs its panel.
			List<String> exprs = panels(dashboard).stream()
				.flatMap((p) -> p.path("targets").values().stream())
				.map((t) -> t.path("expr").asString())
				.toList();
			List<String> meters = labelValues(prom, "label_values({job=\"" + JOB + "\"}, __name__)").stream()
				.filter((name) -> name.startsWith("catzilla_"))
				.toList();
			assertThat(meters).contains("catzilla_allocator_info", "catzilla_jemalloc_resident_bytes",
					"catzilla_profile_site_live_bytes", "catzilla_profile_leaks_total");
			List<String> withoutPanel = meters.stream()
				.filter((name) -> exprs.stream()
					.noneMatch((expr) -> Pattern.compile("(?<![\\w:])" + name + "(?![\\w:])").matcher(expr).find()))
				.toList();
			assertThat(withoutPanel)
				.as("Catzilla meters in the scrape that no panel of the dashboard queries: add a "
						+ "panel to docs/grafana/catzilla-dashboard.json and its row to docs/spring.md")
				.isEmpty();

			// Every panel's every query, as Grafana sends it: the instance variable at
			// its saved value (All) and at
			// one instance picked by hand.
			Map<String, String> queries = new LinkedHashMap<>();
			for (Map<String, String> values : variableValues(prom, dashboard)) {
				for (JsonNode panel : panels(dashboard)) {
					for (JsonNode target : panel.path("targets").values()) {
						String expr = substitute(target.path("expr").asString(), values);
						queries.put("'" + panel.path("title").asString() + "' " + target.path("refId").asString() + " ("
								+ values + "): " + expr, expr);
					}
				}
			}
			assertThat(queries).hasSizeGreaterThanOrEqualTo(2 * panels(dashboard).size());
			awaitData(prom, queries, work);
		}
		deleteRecursively(work.resolve("tsdb"));
	}

	// ---------------------------------------------------------------- the dashboard

	private static JsonNode dashboard() {
		try {
			return json.readTree(Files.readString(Path.of(System.getProperty("catzilla.test.dashboard"))));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Every panel that is not a row, also those inside collapsed rows. */
	private static List<JsonNode> panels(JsonNode dashboard) {
		List<JsonNode> panels = new ArrayList<>();
		for (JsonNode panel : dashboard.path("panels").values()) {
			if (panel.path("type").asString().equals("row")) {
				panels.addAll(panel.path("panels").values());
			}
			else {
				panels.add(panel);
			}
		}
		return panels;
	}

	private static List<JsonNode> rows(JsonNode dashboard) {
		return dashboard.path("panels")
			.values()
			.stream()
			.filter((p) -> p.path("type").asString().equals("row"))
			.toList();
	}

	private static Map<String, JsonNode> variables(JsonNode dashboard) {
		Map<String, JsonNode> variables = new LinkedHashMap<>();
		for (JsonNode variable : dashboard.path("templating").path("list").values()) {
			variables.put(variable.path("name").asString(), variable);
		}
		return variables;
	}

	private static List<Double> thresholds(JsonNode fieldConfig) {
		JsonNode steps = fieldConfig.has("steps") ? fieldConfig.path("steps")
				: fieldConfig.path("thresholds").path("steps");
		return steps.values()
			.stream()
			.filter((s) -> !s.path("value").isNull())
			.map((s) -> s.path("value").asDouble())
			.toList();
	}

	// ---------------------------------------------------------------- Grafana's
	// substitution

	/**
	 * The values of the dashboard's variables as Grafana computes them, in the
	 * dashboard's order, once per way a user sees them: every variable at its saved
	 * value, and then each multi-value variable at one value picked by hand. Built-in
	 * interval variables follow Grafana's rules for a Prometheus data source whose scrape
	 * interval is set to {@value #SCRAPE_SECONDS} s: {@code $__interval} is at least one
	 * scrape interval, {@code $__rate_interval} is
	 * {@code max($__interval + scrape interval, 4 * scrape interval)}.
	 */
	private List<Map<String, String>> variableValues(String prom, JsonNode dashboard) throws Exception {
		Map<String, String> saved = new LinkedHashMap<>();
		saved.put("__interval", SCRAPE_SECONDS + "s");
		saved.put("__rate_interval", Math.max(SCRAPE_SECONDS + SCRAPE_SECONDS, 4 * SCRAPE_SECONDS) + "s");
		saved.put("__range", "1h");
		List<Map<String, String>> picked = new ArrayList<>();
		for (JsonNode variable : variables(dashboard).values()) {
			String name = variable.path("name").asString();
			String type = variable.path("type").asString();
			switch (type) {
				case "datasource" -> saved.put(name, "${datasource}");
				case "query" -> {
					String query = variable.path("query").isObject() ? variable.path("query").path("query").asString()
							: variable.path("query").asString();
					List<String> options = labelValues(prom, substitute(query, saved));
					assertThat(options).as("options of $%s (%s)", name, query).isNotEmpty();
					boolean multi = variable.path("multi").asBoolean() || variable.path("includeAll").asBoolean();
					JsonNode current = variable.path("current").path("value");
					List<String> currentValues = current.isArray()
							? current.values().stream().map(JsonNode::asString).toList()
							: current.isMissingNode() ? List.of() : List.of(current.asString());
					String value;
					if (currentValues.contains("$__all") && variable.path("includeAll").asBoolean()) {
						value = variable.hasNonNull("allValue") ? variable.path("allValue").asString()
								: format(options, true);
					}
					else if (!currentValues.isEmpty() && options.containsAll(currentValues)) {
						value = format(currentValues, multi);
					}
					else {
						value = format(List.of(options.get(0)), multi);
					}
					for (Map<String, String> map : picked) {
						map.put(name, value);
					}
					if (multi) {
						Map<String, String> one = new LinkedHashMap<>(saved);
						one.put(name, format(List.of(options.get(options.size() - 1)), true));
						picked.add(one);
					}
					saved.put(name, value);
				}
				default -> fail(
						"The dashboard's variable $%s is of type '%s'; this test knows how Grafana substitutes "
								+ "'datasource' and 'query' (label_values) variables only: teach it the new one.",
						name, type);
			}
		}
		List<Map<String, String>> all = new ArrayList<>();
		all.add(saved);
		all.addAll(picked);
		return all;
	}

	/**
	 * A variable's value as Grafana's Prometheus data source writes it into a query: a
	 * single-value variable as it is (backslashes and quotes escaped), a multi-value one
	 * regex-escaped, several values as {@code (a|b)}.
	 */
	private static String format(List<String> values, boolean multi) {
		if (!multi) {
			return values.get(0).replace("\\", "\\\\").replace("'", "\\\\'");
		}
		List<String> escaped = values.stream()
			.map((v) -> v.replace("\\", "\\\\\\\\").replaceAll("[$^*{}\\[\\]'+?.()|]", "\\\\\\\\$0"))
			.toList();
		return (escaped.size() == 1) ? escaped.get(0) : "(" + String.join("|", escaped) + ")";
	}

	private static String substitute(String expr, Map<String, String> values) {
		Matcher matcher = VARIABLE.matcher(expr);
		StringBuilder out = new StringBuilder();
		while (matcher.find()) {
			String name = Stream.of(matcher.group(1), matcher.group(3), matcher.group(5))
				.filter((g) -> g != null)
				.findFirst()
				.orElseThrow();
			String format = (matcher.group(2) != null) ? matcher.group(2) : matcher.group(4);
			if (format != null) {
				fail("'%s' formats $%s as '%s'; this test substitutes plain variables only: teach it the format.", expr,
						name, format);
			}
			String value = values.get(name);
			if (value == null) {
				fail("'%s' uses $%s, which is neither a variable of the dashboard (defined before its use) nor a "
						+ "built-in this test knows (%s).", expr, name, values.keySet());
			}
			matcher.appendReplacement(out, Matcher.quoteReplacement(value));
		}
		matcher.appendTail(out);
		return out.toString();
	}

	/**
	 * {@code label_values(selector, label)} as Grafana 10 asks Prometheus: the label's
	 * values among the series.
	 */
	private List<String> labelValues(String prom, String query) throws Exception {
		Matcher matcher = LABEL_VALUES.matcher(query);
		if (!matcher.matches()) {
			fail("Variable query '%s': this test evaluates label_values(...) only: teach it the new kind.", query);
		}
		String uri = prom + "/api/v1/label/" + matcher.group(2) + "/values"
				+ ((matcher.group(1) != null) ? "?match[]=" + encode(matcher.group(1)) : "");
		JsonNode answer = json.readTree(get(uri).body());
		assertThat(answer.path("status").asString()).as("%s: %s", query, answer).isEqualTo("success");
		return new ArrayList<>(new TreeSet<>(answer.path("data").values().stream().map(JsonNode::asString).toList()));
	}

	// ---------------------------------------------------------------- Prometheus

	/**
	 * Evaluates every query ({@code /api/v1/query}) until each returns at least one
	 * sample with a finite value, or fails after {@link #DEADLINE} naming the ones that
	 * did not, with the scrape's state.
	 */
	private void awaitData(String prom, Map<String, String> queries, Path work) throws Exception {
		long deadline = System.nanoTime() + DEADLINE.toNanos();
		Map<String, String> missing = new LinkedHashMap<>(queries);
		while (true) {
			for (var it = missing.entrySet().iterator(); it.hasNext();) {
				var query = it.next();
				JsonNode answer = json.readTree(get(prom + "/api/v1/query?query=" + encode(query.getValue())).body());
				assertThat(answer.path("status").asString()).as("%s%n%s", query.getKey(), answer).isEqualTo("success");
				if (hasFiniteSample(answer.path("data"))) {
					it.remove();
				}
			}
			if (missing.isEmpty()) {
				return;
			}
			if (System.nanoTime() > deadline) {
				fail("No data after %s for:%n%s%nScrape targets: %s%nLogs in %s", DEADLINE,
						String.join(System.lineSeparator(), missing.keySet()), get(prom + "/api/v1/targets").body(),
						work);
			}
			Thread.sleep(500);
		}
	}

	private static boolean hasFiniteSample(JsonNode data) {
		List<JsonNode> values = new ArrayList<>();
		switch (data.path("resultType").asString()) {
			case "vector" -> data.path("result").values().forEach((r) -> values.add(r.path("value")));
			case "matrix" -> data.path("result").values().forEach((r) -> values.addAll(r.path("values").values()));
			case "scalar" -> values.add(data.path("result"));
			default -> {
				return false;
			}
		}
		return values.stream().map((v) -> v.path(1).asString()).anyMatch((v) -> {
			try {
				return Double.isFinite(Double.parseDouble(v));
			}
			catch (NumberFormatException ex) {
				return false;
			}
		});
	}

	private static Path prometheusBinary() throws IOException {
		Path dir = Path.of(System.getProperty("catzilla.test.prometheusDir"));
		Path error = dir.resolve("error.txt");
		if (Files.exists(error)) {
			fail("No Prometheus for the dashboard test: " + Files.readString(error).strip()
					+ " (fetched by sample-app/src/test/sh/prometheus.sh before the tests)");
		}
		Path properties = dir.resolve("prometheus.properties");
		if (!Files.exists(properties)) {
			fail("No Prometheus for the dashboard test: " + properties + " is missing; Maven's process-test-classes "
					+ "phase runs sample-app/src/test/sh/prometheus.sh, which writes it (or error.txt)");
		}
		Properties values = new Properties();
		try (var in = Files.newInputStream(properties)) {
			values.load(in);
		}
		return Path.of(values.getProperty("binary"));
	}

	// ---------------------------------------------------------------- processes

	/**
	 * The sample in its own JVM with this JVM's {@code java} and class path, as a user
	 * runs it plus the routes.
	 */
	private static ProcessBuilder sampleCommand(int port, Path work) {
		ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xcheck:jni", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
				DashboardSample.class.getName(), "--server.port=" + port, "--server.address=127.0.0.1",
				"--catzilla.allocator=jemalloc",
				// Sampled often, so a few MiB give sites and leaks; a cap, so a refusal
				// can be provoked.
				"--catzilla.profile.sample-interval=64KB", "--catzilla.jemalloc.max-direct-memory=64MB");
		builder.environment().remove("CATZILLA_JE_MALLOC_CONF");
		return builder;
	}

	/**
	 * The servers a test starts: each on a free port, stopped (children first, SIGTERM,
	 * SIGKILL after 10 s) on {@link #close()}, and by a shutdown hook if this JVM is
	 * ended before (e.g. by surefire's timeout).
	 */
	private final class Processes implements AutoCloseable {

		private final List<Process> started = new java.util.concurrent.CopyOnWriteArrayList<>();

		private final Thread hook = new Thread(this::stopAll, "dashboard-test-processes");

		Processes() {
			Runtime.getRuntime().addShutdownHook(this.hook);
		}

		/**
		 * Starts {@code command} on a free port and waits until {@code readyUri} answers
		 * 200; tries another port when the chosen one was taken before the server bound
		 * it (up to three times). Returns the port.
		 */
		int start(java.util.function.IntFunction<ProcessBuilder> command,
				java.util.function.IntFunction<String> readyUri, Path log) throws Exception {
			for (int attempt = 1;; attempt++) {
				int port = freePort();
				Process process = command.apply(port).redirectErrorStream(true).redirectOutput(log.toFile()).start();
				this.started.add(process);
				try {
					awaitHttpOk(readyUri.apply(port), process, log);
					return port;
				}
				catch (AssertionError ex) {
					stop(process);
					if (attempt == 3 || !Files.readString(log).contains("already in use")) {
						throw ex;
					}
				}
			}
		}

		private void stopAll() {
			for (int i = this.started.size() - 1; i >= 0; i--) {
				stop(this.started.get(i));
			}
		}

		@Override
		public void close() {
			stopAll();
			try {
				Runtime.getRuntime().removeShutdownHook(this.hook);
			}
			catch (IllegalStateException ex) {
				// the JVM is shutting down: the hook runs anyway
			}
		}

	}

	private void awaitHttpOk(String uri, Process process, Path log) throws Exception {
		long deadline = System.nanoTime() + DEADLINE.toNanos();
		while (true) {
			if (!process.isAlive()) {
				fail("%s exited with %d before %s answered; its log (%s):%n%s", process.info().command().orElse("?"),
						process.exitValue(), uri, log, tail(log));
			}
			try {
				if (get(uri).statusCode() == 200) {
					return;
				}
			}
			catch (IOException ex) {
				// not listening yet
			}
			if (System.nanoTime() > deadline) {
				fail("%s did not answer 200 within %s; log (%s):%n%s", uri, DEADLINE, log, tail(log));
			}
			Thread.sleep(200);
		}
	}

	/** SIGTERM, then SIGKILL after 10 s; children first. Never throws. */
	private static void stop(Process process) {
		process.descendants().forEach(ProcessHandle::destroyForcibly);
		process.destroy();
		try {
			if (!process.waitFor(10, TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			socket.setReuseAddress(true);
			return socket.getLocalPort();
		}
	}

	private HttpResponse<String> get(String uri) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(30)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	private static String tail(Path log) {
		try {
			List<String> lines = Files.readAllLines(log);
			return String.join(System.lineSeparator(), lines.subList(Math.max(0, lines.size() - 60), lines.size()));
		}
		catch (IOException ex) {
			return "(unreadable: " + ex + ")";
		}
	}

	private static void deleteRecursively(Path dir) throws IOException {
		if (!Files.exists(dir)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(dir)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.delete(path);
			}
		}
	}

}
