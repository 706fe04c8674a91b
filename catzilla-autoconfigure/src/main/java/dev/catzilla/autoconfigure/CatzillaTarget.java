package dev.catzilla.autoconfigure;

/**
 * A kind of Reactor Netty server or client Catzilla hands its allocator to, named in the
 * startup line and in {@code /actuator/catzilla}.
 */
public enum CatzillaTarget {

	/** The Reactor Netty web server: its server channel and every accepted connection. */
	SERVER("server"),

	/**
	 * The {@code HttpClient} behind the {@code WebClient.Builder} (and
	 * {@code ClientHttpConnector}) Boot builds.
	 */
	WEBCLIENT("webclient"),

	/**
	 * The {@code HttpClient} behind the Reactor Netty request factory of Boot's
	 * {@code RestClient} and {@code RestTemplate}.
	 */
	RESTCLIENT("restclient"),

	/** Spring Cloud Gateway's proxy {@code HttpClient}. */
	GATEWAY_PROXY("gateway-proxy"),

	/** A {@code ReactorNettyWebSocketClient} bean (Spring Cloud Gateway's included). */
	WEBSOCKET_CLIENT("websocket-client"),

	/** A {@code reactor.netty.http.client.HttpClient} bean the application declares. */
	HTTP_CLIENT_BEAN("httpclient-bean");

	private final String id;

	CatzillaTarget(String id) {
		this.id = id;
	}

	/** The name used in the startup line and the endpoint, e.g. {@code gateway-proxy}. */
	public String id() {
		return this.id;
	}

}
