package dev.catzilla.autoconfigure;

/**
 * Something Catzilla hands its allocator to (the Reactor Netty server, Boot's WebClient); named in the startup line.
 */
public interface CatzillaWiring {

	/** What is served, e.g. {@code Reactor Netty server}. */
	String target();

}
