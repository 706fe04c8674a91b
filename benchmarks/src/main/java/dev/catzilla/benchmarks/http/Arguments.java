package dev.catzilla.benchmarks.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --name value} command-line options; a name may repeat (e.g. {@code --setup}).
 */
final class Arguments {

	private final Map<String, List<String>> values;

	private Arguments(Map<String, List<String>> values) {
		this.values = values;
	}

	static Arguments parse(String... args) {
		Map<String, List<String>> values = new LinkedHashMap<>();
		for (int i = 0; i < args.length; i++) {
			if (!args[i].startsWith("--") || i + 1 >= args.length) {
				throw new IllegalArgumentException("expected --name value, got '" + args[i] + "'");
			}
			values.computeIfAbsent(args[i].substring(2), (name) -> new ArrayList<>()).add(args[++i]);
		}
		return new Arguments(values);
	}

	String string(String name, String orElse) {
		List<String> all = this.values.get(name);
		return (all == null) ? orElse : all.get(all.size() - 1);
	}

	String required(String name) {
		String value = string(name, null);
		if (value == null) {
			throw new IllegalArgumentException("--" + name + " is required");
		}
		return value;
	}

	int integer(String name, int orElse) {
		String value = string(name, null);
		return (value == null) ? orElse : Integer.parseInt(value);
	}

	List<String> all(String name) {
		return this.values.getOrDefault(name, List.of());
	}

}
