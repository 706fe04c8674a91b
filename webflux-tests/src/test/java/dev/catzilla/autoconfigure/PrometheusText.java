package dev.catzilla.autoconfigure;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4: every line must be a
 * HELP, TYPE or sample line with valid names, escaped label values and a float value,
 * each family's TYPE before its samples, no family typed twice.
 */
final class PrometheusText {

	private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";

	private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");

	private static final Pattern TYPE = Pattern
		.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");

	private static final Pattern SAMPLE = Pattern
		.compile("(" + NAME + ")(\\{(.*)\\})? ([-+]?(?:[0-9.]+(?:[eE][-+]?[0-9]+)?|NaN|Inf))( -?[0-9]+)?");

	private static final Pattern LABEL = Pattern
		.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"(,|$)");

	private PrometheusText() {
	}

	record Sample(String name, Map<String, String> labels, double value) {
	}

	static List<Sample> parse(String text) {
		assertThat(text).isNotBlank().endsWith("\n");
		List<Sample> samples = new ArrayList<>();
		Set<String> typed = new HashSet<>();
		Map<String, String> types = new LinkedHashMap<>();
		int lineNumber = 0;
		for (String line : text.split("\n", -1)) {
			lineNumber++;
			if (line.isEmpty()) {
				continue;
			}
			Matcher type = TYPE.matcher(line);
			if (type.matches()) {
				if (!typed.add(type.group(1))) {
					fail("line %d types %s twice", lineNumber, type.group(1));
				}
				types.put(type.group(1), type.group(2));
				continue;
			}
			if (HELP.matcher(line).matches()) {
				continue;
			}
			if (line.startsWith("#")) {
				fail("line %d is neither HELP nor TYPE: %s", lineNumber, line);
			}
			Matcher sample = SAMPLE.matcher(line);
			if (!sample.matches()) {
				fail("line %d is not a valid sample: %s", lineNumber, line);
			}
			String name = sample.group(1);
			if (family(name, types) == null) {
				fail("line %d: sample %s comes before its family's TYPE", lineNumber, name);
			}
			Map<String, String> labels = new LinkedHashMap<>();
			String labelText = sample.group(3);
			if (labelText != null && !labelText.isEmpty()) {
				Matcher label = LABEL.matcher(labelText);
				int at = 0;
				while (at < labelText.length()) {
					if (!label.find(at) || label.start() != at) {
						fail("line %d has malformed labels: %s", lineNumber, labelText);
					}
					if (labels.put(label.group(1), label.group(2)) != null) {
						fail("line %d repeats label %s", lineNumber, label.group(1));
					}
					at = label.end();
				}
			}
			String value = sample.group(4);
			double number = value.endsWith("Inf")
					? (value.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY)
					: Double.parseDouble(value);
			samples.add(new Sample(name, labels, number));
		}
		return samples;
	}

	private static String family(String sampleName, Map<String, String> types) {
		if (types.containsKey(sampleName)) {
			return sampleName;
		}
		for (String suffix : new String[] { "_total", "_count", "_sum", "_bucket", "_created" }) {
			if (sampleName.endsWith(suffix)) {
				String base = sampleName.substring(0, sampleName.length() - suffix.length());
				if (types.containsKey(base)) {
					return base;
				}
			}
		}
		return null;
	}

	static Sample single(List<Sample> samples, String name) {
		List<Sample> found = samples.stream().filter((sample) -> sample.name().equals(name)).toList();
		assertThat(found).as("samples named %s", name).hasSize(1);
		return found.get(0);
	}

	static String type(String text, String name) {
		Matcher matcher = Pattern.compile("(?m)^# TYPE " + Pattern.quote(name) + " (\\w+)$").matcher(text);
		return matcher.find() ? matcher.group(1) : null;
	}

}
