package dev.catzilla.autoconfigure;

import dev.catzilla.autoconfigure.actuate.endpoint.CatzillaEndpoint;

import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every per-target switch off ({@code catzilla.server.enabled} and each
 * {@code catzilla.client.*.enabled}): the server and each client stay on Netty's default
 * allocator under real traffic, and the startup line says there was nothing to serve.
 */
class ReactorNettyClientsSwitchedOffRealServerTests extends AbstractClientsRealServerTests {

	@BeforeAll
	static void start() {
		start("catzilla.server.enabled=false", "catzilla.client.webclient.enabled=false",
				"catzilla.client.restclient.enabled=false", "catzilla.client.websocket.enabled=false",
				"catzilla.client.http-client-beans.enabled=false",
				"management.endpoints.web.exposure.include=catzilla");
	}

	@Test
	void theStartupLineSaysThereWasNothingToServe() {
		assertThat(CatzillaLog.startupLine()).matches("Catzilla: jemalloc 5\\.3\\.\\d+ selected, nothing to serve: "
				+ "no Reactor Netty server or client was built \\(requested auto\\)");
		assertThat(context.getBean(CatzillaEndpoint.class).catzilla().served()).isEmpty();
	}

	@Test
	void serverAndWebClientSwitchedOffStayOnNettysDefault() throws Exception {
		byte[] body = body(11);
		assertThat(echoThroughWebClient(body)).isEqualTo(sha256(body));
		servedBy(probes().webclient, ByteBufAllocator.DEFAULT);
		servedBy(probes().server, ByteBufAllocator.DEFAULT);
	}

	@Test
	void restClientSwitchedOffIsLeftToBootWhichAppliesNoCustomizerInAWebFluxApplication() throws Exception {
		// Boot builds RestClient's request factory itself here, without
		// ClientHttpRequestFactoryBuilderCustomizers:
		// neither Catzilla nor the application's probe reaches it (RestClientServletTests
		// checks the allocator).
		byte[] body = body(12);
		assertThat(echoThroughRestClient(body)).isEqualTo(sha256(body));
		assertThat(context.getBeansOfType(org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder.class))
			.isEmpty();
		assertThat(probes().restclient.channels).isEmpty();
		assertThat(context.getBean(CatzillaWiring.class).served()).doesNotContain("restclient");
	}

	@Test
	void webSocketClientSwitchedOffStaysOnNettysDefault() throws Exception {
		byte[] body = body(13);
		assertThat(echoThroughWebSocket(body)).isEqualTo(sha256(body));
		servedBy(probes().websocket, ByteBufAllocator.DEFAULT);
	}

	@Test
	void httpClientBeansSwitchedOffStayOnNettysDefault() throws Exception {
		byte[] body = body(14);
		assertThat(echoThroughHttpClientBean(body)).isEqualTo(sha256(body));
		servedBy(probes().httpClientBean, ByteBufAllocator.DEFAULT);
	}

}
