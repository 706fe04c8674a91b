package dev.catzilla.autoconfigure;

import java.net.URI;
import java.util.Random;

import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.client.ReactorClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ServletApplication} on Tomcat with
 * {@code spring.http.clients.imperative.factory=reactor}: Boot's {@code RestClient} and
 * {@code RestTemplate} move several MiB through Reactor Netty channels on jemalloc, the
 * startup line names only them (the server is Tomcat), and the switch leaves them on
 * Netty's default.
 */
class RestClientServletTests {

	static final int BODY = 6 * 1024 * 1024 + 11;

	private ConfigurableApplicationContext context;

	@AfterEach
	void stop() throws Exception {
		if (this.context != null) {
			this.context.close();
		}
		LeakWatch.provoke();
		assertThat(LeakWatch.drain()).as("Netty leak reports").isEmpty();
	}

	@Test
	void restClientAndRestTemplateOverReactorNettyAreServedByJemallocInAServletApplication() throws Exception {
		start();
		ByteBufAllocator ours = this.context.getBean(CatzillaAllocator.class).allocator();
		assertThat(CatzillaLog.startupLine())
			.matches("Catzilla: jemalloc 5\\.3\\.\\d+ served: \\[restclient\\] \\(requested auto\\)");
		assertThat(this.context.getBean(CatzillaWiring.class).served()).containsExactly("restclient");
		ChannelProbe probe = this.context.getBean(ChannelProbe.class);
		echoThroughRestClient(1);
		probe.assertServedByJemalloc(ours, BODY / 2);
		probe.reset();
		echoThroughRestTemplate(2);
		probe.assertServedByJemalloc(ours, BODY / 2);
	}

	@Test
	void restclientEnabledFalseLeavesThemOnNettysDefault() throws Exception {
		start("catzilla.client.restclient.enabled=false");
		assertThat(CatzillaLog.startupLine()).matches("Catzilla: jemalloc 5\\.3\\.\\d+ selected, nothing to serve: "
				+ "no Reactor Netty server or client was built \\(requested auto\\)");
		ChannelProbe probe = this.context.getBean(ChannelProbe.class);
		echoThroughRestClient(3);
		probe.assertServedBy(ByteBufAllocator.DEFAULT, BODY / 2);
	}

	private void start(String... properties) {
		LeakWatch.attach();
		this.context = CatzillaLog.capture(new SpringApplicationBuilder(ServletApplication.class))
			.properties("server.port=0", "server.address=127.0.0.1", "spring.http.clients.imperative.factory=reactor")
			.properties(properties)
			.run();
	}

	private URI echo() {
		return URI.create(
				"http://127.0.0.1:" + ((WebServerApplicationContext) this.context).getWebServer().getPort() + "/echo");
	}

	private void echoThroughRestClient(long seed) throws Exception {
		byte[] body = body(seed);
		byte[] echoed = this.context.getBean(RestClient.class)
			.post()
			.uri(echo())
			.body(body)
			.exchange((request, response) -> AbstractClientsRealServerTests.sha256(response.getBody()));
		assertThat(echoed).isEqualTo(AbstractClientsRealServerTests.sha256(body));
	}

	private void echoThroughRestTemplate(long seed) throws Exception {
		RestTemplate template = this.context.getBean(RestTemplate.class);
		assertThat(template.getRequestFactory()).isInstanceOf(ReactorClientHttpRequestFactory.class);
		byte[] body = body(seed);
		byte[] echoed = template.execute(echo(), org.springframework.http.HttpMethod.POST,
				(request) -> request.getBody().write(body),
				(response) -> AbstractClientsRealServerTests.sha256(response.getBody()));
		assertThat(echoed).isEqualTo(AbstractClientsRealServerTests.sha256(body));
	}

	private static byte[] body(long seed) {
		byte[] body = new byte[BODY];
		new Random(seed).nextBytes(body);
		return body;
	}

}
