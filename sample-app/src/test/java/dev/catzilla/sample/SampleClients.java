package dev.catzilla.sample;

import java.time.Duration;

import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A WebTestClient against the real server on its random port, able to read bodies of tens
 * of MiB.
 */
final class SampleClients {

	private SampleClients() {
	}

	static WebTestClient client(int port) {
		return WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + port)
			.responseTimeout(Duration.ofSeconds(60))
			.codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(80 * 1024 * 1024))
			.build();
	}

}
