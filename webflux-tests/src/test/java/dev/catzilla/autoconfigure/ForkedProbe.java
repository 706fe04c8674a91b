package dev.catzilla.autoconfigure;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Collectors;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Runs {@link EchoApplication} in a fresh JVM (started by {@link ForkedJvm}) with the
 * given {@code --property=value} arguments, sends one 1 MiB request through it, reads
 * {@code /actuator/catzilla} and {@code /actuator/prometheus}, and prints what it saw as
 * {@code PROBE key=value} lines.
 */
public final class ForkedProbe {

	private ForkedProbe() {
	}

	public static void main(String[] args) throws Exception {
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(EchoApplication.class)
			.properties("server.port=0", "server.address=127.0.0.1",
					"management.endpoints.web.exposure.include=catzilla,prometheus")
			.run(args)) {
			int port = ((WebServerApplicationContext) context).getWebServer().getPort();
			HttpClient http = HttpClient.newHttpClient();
			byte[] body = new byte[1024 * 1024];
			new Random(7).nextBytes(body);
			HttpResponse<byte[]> echo = http
				.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/echo"))
					.POST(HttpRequest.BodyPublishers.ofByteArray(body))
					.build(), HttpResponse.BodyHandlers.ofByteArray());
			System.out.println("PROBE echo=" + (echo.statusCode() == 200 && Arrays.equals(body, echo.body())));
			EchoApplication.Probe probe = context.getBean(EchoApplication.Probe.class);
			System.out.println("PROBE accepted=" + probe.acceptedChannels.stream()
				.map((allocator) -> allocator.getClass().getName())
				.collect(Collectors.joining(",")));
			System.out.println("PROBE requestBuffers=" + probe.requestBuffers.stream()
				.map((allocator) -> allocator.getClass().getName())
				.collect(Collectors.joining(",")));
			for (String endpoint : new String[] { "catzilla", "prometheus" }) {
				HttpResponse<String> response = http
					.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/" + endpoint))
						.build(), HttpResponse.BodyHandlers.ofString());
				System.out.println("PROBE " + endpoint + "Status=" + response.statusCode());
				if (endpoint.equals("catzilla")) {
					System.out.println("PROBE catzilla=" + response.body().replace('\n', ' '));
				}
			}
			long mapped = Files.readAllLines(Path.of("/proc/self/maps"))
				.stream()
				.filter((line) -> line.contains("catzilla"))
				.count();
			System.out.println("PROBE catzillaMappings=" + mapped);
		}
		System.out.println("PROBE done");
	}

}
