package dev.catzilla.autoconfigure;

import dev.catzilla.autoconfigure.actuate.endpoint.CatzillaEndpoint;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The application sets its own allocator on the server and on every client
 * ({@code clients.own-allocator=true}): Catzilla keeps it everywhere under real traffic,
 * and says so at startup and in the endpoint.
 */
class ReactorNettyClientsOwnAllocatorRealServerTests extends AbstractClientsRealServerTests {

	@BeforeAll
	static void start() {
		start("clients.own-allocator=true", "management.endpoints.web.exposure.include=catzilla");
	}

	@Test
	void theStartupLineSaysTheApplicationsOwnAllocatorWasKeptEverywhere() {
		assertThat(CatzillaLog.startupLine())
			.matches("Catzilla: jemalloc 5\\.3\\.\\d+ served: \\[\\], own allocator kept: "
					+ "\\[server, webclient, restclient, websocket-client, httpclient-bean\\] \\(requested auto\\)");
		var descriptor = context.getBean(CatzillaEndpoint.class).catzilla();
		assertThat(descriptor.served()).isEmpty();
		assertThat(descriptor.ownAllocatorKept()).containsExactly("server", "webclient", "restclient",
				"websocket-client", "httpclient-bean");
	}

	@Test
	void theServerAndWebClientKeepTheirOwnAllocator() throws Exception {
		byte[] body = body(21);
		assertThat(echoThroughWebClient(body)).isEqualTo(sha256(body));
		servedBy(probes().webclient, ClientsApplication.OWN);
		servedBy(probes().server, ClientsApplication.OWN);
	}

	@Test
	void theRestClientKeepsItsOwnAllocator() throws Exception {
		byte[] body = body(22);
		assertThat(echoThroughRestClient(body)).isEqualTo(sha256(body));
		servedBy(probes().restclient, ClientsApplication.OWN);
	}

	@Test
	void theWebSocketClientKeepsItsOwnAllocator() throws Exception {
		byte[] body = body(23);
		assertThat(echoThroughWebSocket(body)).isEqualTo(sha256(body));
		servedBy(probes().websocket, ClientsApplication.OWN);
	}

	@Test
	void theHttpClientBeanKeepsItsOwnAllocator() throws Exception {
		byte[] body = body(24);
		assertThat(echoThroughHttpClientBean(body)).isEqualTo(sha256(body));
		servedBy(probes().httpClientBean, ClientsApplication.OWN);
	}

}
