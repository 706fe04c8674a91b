package dev.catzilla.autoconfigure;

import dev.catzilla.autoconfigure.actuate.endpoint.CatzillaEndpoint;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.web.server.context.WebServerApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Defaults: jemalloc serves the server and every kind of client in
 * {@link ClientsApplication}, with real traffic through each; the startup line and the
 * endpoint list exactly those.
 */
class ReactorNettyClientsRealServerTests extends AbstractClientsRealServerTests {

	@BeforeAll
	static void start() {
		start("management.endpoints.web.exposure.include=catzilla");
	}

	@Test
	void theStartupLineListsTheServerAndEveryClientBuiltAtStartup() {
		assertThat(CatzillaLog.startupLine()).matches("Catzilla: jemalloc 5\\.3\\.\\d+ served: "
				+ "\\[server, webclient, restclient, websocket-client, httpclient-bean\\] \\(requested auto\\)");
	}

	@Test
	void bootsWebClientIsServedByJemalloc() throws Exception {
		byte[] body = body(1);
		assertThat(echoThroughWebClient(body)).isEqualTo(sha256(body));
		servedByJemalloc(probes().webclient);
		servedByJemalloc(probes().server);
	}

	@Test
	void bootsRestClientOverReactorNettyIsServedByJemallocInAWebFluxApplication() throws Exception {
		byte[] body = body(2);
		assertThat(echoThroughRestClient(body)).isEqualTo(sha256(body));
		servedByJemalloc(probes().restclient);
	}

	@Test
	void aReactorNettyWebSocketClientBeanIsServedByJemalloc() throws Exception {
		byte[] body = body(3);
		assertThat(echoThroughWebSocket(body)).isEqualTo(sha256(body));
		servedByJemalloc(probes().websocket);
	}

	@Test
	void anHttpClientBeanIsServedByJemalloc() throws Exception {
		byte[] body = body(4);
		assertThat(echoThroughHttpClientBean(body)).isEqualTo(sha256(body));
		servedByJemalloc(probes().httpClientBean);
	}

	@Test
	void theEndpointListsWhatWasServed() {
		var descriptor = context.getBean(CatzillaEndpoint.class).catzilla();
		assertThat(descriptor.served()).containsExactly("server", "webclient", "restclient", "websocket-client",
				"httpclient-bean");
		assertThat(descriptor.ownAllocatorKept()).isEmpty();
		assertThat(((WebServerApplicationContext) context).getWebServer().getPort()).isEqualTo(port);
	}

}
