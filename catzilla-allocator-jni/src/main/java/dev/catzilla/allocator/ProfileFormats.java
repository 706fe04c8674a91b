package dev.catzilla.allocator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;
import java.util.zip.GZIPOutputStream;

/**
 * A {@link AllocationProfiler.Snapshot} as collapsed stacks (the flame-graph text
 * format), as a gzipped pprof profile ({@code profile.proto}, encoded here by hand) and
 * as a self-contained SVG flame graph.
 */
public final class ProfileFormats {

	/** What a flame graph or collapsed stack weighs by. */
	public enum Value {

		/** Estimated live bytes. */
		LIVE(AllocationProfiler.SiteProfile::liveBytes),

		/** Estimated bytes allocated in the window. */
		ALLOCATED(AllocationProfiler.SiteProfile::allocatedBytes);

		private final ToLongFunction<AllocationProfiler.SiteProfile> value;

		Value(ToLongFunction<AllocationProfiler.SiteProfile> value) {
			this.value = value;
		}

	}

	private ProfileFormats() {
	}

	/**
	 * One line per stack, root frame first, frames joined by {@code ;}, then a space and
	 * the bytes; stacks without bytes are left out.
	 */
	public static String collapsed(AllocationProfiler.Snapshot snapshot, Value value) {
		Map<String, Long> lines = new TreeMap<>();
		for (AllocationProfiler.SiteProfile site : snapshot.sites()) {
			long bytes = value.value.applyAsLong(site);
			if (bytes > 0) {
				lines.merge(rootFirst(site), bytes, Long::sum);
			}
		}
		StringBuilder out = new StringBuilder();
		lines.forEach((stack, bytes) -> out.append(stack).append(' ').append(bytes).append('\n'));
		return out.toString();
	}

	private static String rootFirst(AllocationProfiler.SiteProfile site) {
		StringBuilder stack = new StringBuilder();
		for (int i = site.stack().size() - 1; i >= 0; i--) {
			AllocationProfiler.Frame f = site.stack().get(i);
			String name = f.className() + (f.methodName().isEmpty() ? "" : "." + f.methodName());
			stack.append(name.replace(';', ':').replace(' ', '_'));
			if (i > 0) {
				stack.append(';');
			}
		}
		return stack.toString();
	}

	// ---------------------------------------------------------------- pprof

	/**
	 * A gzipped pprof profile: sample types {@code inuse_objects}, {@code inuse_space},
	 * {@code alloc_objects}, {@code alloc_space} (estimates; {@code alloc_*} since the
	 * profiler started), {@code inuse_space} by default, period type {@code space/bytes}
	 * with the mean sampling interval as period.
	 */
	public static byte[] pprof(AllocationProfiler.Snapshot snapshot) {
		Strings strings = new Strings();
		Protobuf profile = new Protobuf();
		String[][] types = { { "inuse_objects", "count" }, { "inuse_space", "bytes" }, { "alloc_objects", "count" },
				{ "alloc_space", "bytes" } };
		for (String[] type : types) {
			profile.message(1, new Protobuf().int64(1, strings.index(type[0])).int64(2, strings.index(type[1])));
		}
		Map<String, Long> functions = new LinkedHashMap<>();
		// key -> {id, functionId, line}
		Map<String, long[]> locations = new LinkedHashMap<>();
		List<Protobuf> samples = new ArrayList<>();
		for (AllocationProfiler.SiteProfile site : snapshot.sites()) {
			List<Long> ids = new ArrayList<>();
			// leaf first, as pprof wants
			for (AllocationProfiler.Frame f : site.stack()) {
				String function = f.className() + (f.methodName().isEmpty() ? "" : "." + f.methodName());
				String fileName = (f.fileName() != null) ? f.fileName() : "";
				String functionKey = function + '\0' + fileName;
				Long functionId = functions.get(functionKey);
				if (functionId == null) {
					functionId = (long) functions.size() + 1;
					functions.put(functionKey, functionId);
				}
				String locationKey = functionId + ":" + f.line();
				long[] location = locations.get(locationKey);
				if (location == null) {
					location = new long[] { locations.size() + 1, functionId, Math.max(0, f.line()) };
					locations.put(locationKey, location);
				}
				ids.add(location[0]);
			}
			samples.add(new Protobuf().packedUint64(1, ids)
				.packedInt64(2, List.of(site.liveBuffers(), site.liveBytes(), site.allocatedBuffersTotal(),
						site.allocatedBytesTotal())));
		}
		samples.forEach((s) -> profile.message(2, s));
		for (long[] location : locations.values()) {
			profile.message(4, new Protobuf().int64(1, location[0])
				.message(4, new Protobuf().int64(1, location[1]).int64(2, location[2])));
		}
		functions.forEach((key, id) -> {
			int split = key.indexOf('\0');
			long name = strings.index(key.substring(0, split));
			profile.message(5,
					new Protobuf().int64(1, id)
						.int64(2, name)
						.int64(3, name)
						.int64(4, strings.index(key.substring(split + 1))));
		});
		long timeNanos = snapshot.timeMillis() * 1_000_000;
		long periodType = strings.index("space");
		long periodUnit = strings.index("bytes");
		long defaultType = strings.index("inuse_space");
		long comment = strings.index("Catzilla network-buffer profile: estimates from samples every "
				+ snapshot.sampleInterval() + " bytes on average");
		for (String s : strings.list) {
			profile.string(6, s);
		}
		profile.int64(9, timeNanos)
			.int64(10, snapshot.uptimeMillis() * 1_000_000)
			.message(11, new Protobuf().int64(1, periodType).int64(2, periodUnit))
			.int64(12, snapshot.sampleInterval())
			.packedInt64(13, List.of(comment))
			.int64(14, defaultType);
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
			gzip.write(profile.toByteArray());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	/** pprof's string table: index 0 is the empty string. */
	private static final class Strings {

		final List<String> list = new ArrayList<>(List.of(""));

		final Map<String, Long> index = new HashMap<>(Map.of("", 0L));

		long index(String s) {
			return this.index.computeIfAbsent(s, (k) -> {
				this.list.add(k);
				return (long) this.list.size() - 1;
			});
		}

	}

	/**
	 * The protobuf wire format, as far as profile.proto needs it: varints and
	 * length-delimited fields.
	 */
	static final class Protobuf {

		private final ByteArrayOutputStream out = new ByteArrayOutputStream();

		Protobuf int64(int field, long value) {
			if (value != 0) {
				varint(((long) field << 3));
				varint(value);
			}
			return this;
		}

		Protobuf string(int field, String value) {
			return bytes(field, value.getBytes(StandardCharsets.UTF_8));
		}

		Protobuf message(int field, Protobuf message) {
			return bytes(field, message.toByteArray());
		}

		Protobuf packedInt64(int field, List<Long> values) {
			Protobuf packed = new Protobuf();
			values.forEach(packed::varint);
			return bytes(field, packed.toByteArray());
		}

		Protobuf packedUint64(int field, List<Long> values) {
			return packedInt64(field, values);
		}

		private Protobuf bytes(int field, byte[] value) {
			varint(((long) field << 3) | 2);
			varint(value.length);
			this.out.writeBytes(value);
			return this;
		}

		private void varint(long value) {
			while ((value & ~0x7FL) != 0) {
				this.out.write((int) ((value & 0x7F) | 0x80));
				value >>>= 7;
			}
			this.out.write((int) value);
		}

		byte[] toByteArray() {
			return this.out.toByteArray();
		}

	}

	// ---------------------------------------------------------------- SVG

	private static final int WIDTH = 1200;

	private static final int ROW = 16;

	/**
	 * A flame graph, root at the bottom, each frame as wide as the bytes below it;
	 * hovering a frame shows its name and bytes. Self-contained: no script, no external
	 * resource.
	 */
	public static String svg(AllocationProfiler.Snapshot snapshot, Value value) {
		Node root = new Node("all");
		for (AllocationProfiler.SiteProfile site : snapshot.sites()) {
			long bytes = value.value.applyAsLong(site);
			if (bytes <= 0) {
				continue;
			}
			Node node = root;
			node.bytes += bytes;
			for (int i = site.stack().size() - 1; i >= 0; i--) {
				AllocationProfiler.Frame f = site.stack().get(i);
				String name = f.className() + (f.methodName().isEmpty() ? "" : "." + f.methodName());
				node = node.children.computeIfAbsent(name, Node::new);
				node.bytes += bytes;
			}
		}
		int depth = root.depth();
		int height = (depth + 1) * ROW + 40;
		StringBuilder svg = new StringBuilder();
		svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
			.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
			.append(WIDTH)
			.append("\" height=\"")
			.append(height)
			.append("\" viewBox=\"0 0 ")
			.append(WIDTH)
			.append(' ')
			.append(height)
			.append("\" font-family=\"Verdana, sans-serif\" font-size=\"11\">\n")
			.append("<rect width=\"100%\" height=\"100%\" fill=\"#f8f8f0\"/>\n")
			.append("<text x=\"")
			.append(WIDTH / 2)
			.append("\" y=\"18\" text-anchor=\"middle\" font-size=\"15\">")
			.append(escape("Catzilla network buffers: " + ((value == Value.LIVE) ? "live" : "allocated")
					+ " bytes by Java stack (" + human(root.bytes) + ", sampled every " + snapshot.sampleInterval()
					+ " bytes on average)"))
			.append("</text>\n");
		if (root.bytes > 0) {
			draw(svg, root, 0, WIDTH, height - ROW - 4, root.bytes);
		}
		else {
			svg.append("<text x=\"10\" y=\"40\">no sampled buffers</text>\n");
		}
		return svg.append("</svg>\n").toString();
	}

	private static void draw(StringBuilder svg, Node node, double x, double width, int y, long total) {
		if (width < 0.3) {
			return;
		}
		String title = node.name + " (" + human(node.bytes) + ", "
				+ String.format(java.util.Locale.ROOT, "%.2f", 100.0 * node.bytes / total) + " %)";
		svg.append("<g><title>")
			.append(escape(title))
			.append("</title><rect x=\"")
			.append(String.format(java.util.Locale.ROOT, "%.1f", x))
			.append("\" y=\"")
			.append(y)
			.append("\" width=\"")
			.append(String.format(java.util.Locale.ROOT, "%.1f", Math.max(0.1, width - 0.5)))
			.append("\" height=\"")
			.append(ROW - 1)
			.append("\" fill=\"")
			.append(color(node.name))
			.append("\" rx=\"2\"/>");
		int chars = (int) ((width - 6) / 7);
		if (chars >= 3) {
			String label = (node.name.length() <= chars) ? node.name : node.name.substring(0, chars - 2) + "..";
			svg.append("<text x=\"")
				.append(String.format(java.util.Locale.ROOT, "%.1f", x + 3))
				.append("\" y=\"")
				.append(y + ROW - 4)
				.append("\">")
				.append(escape(label))
				.append("</text>");
		}
		svg.append("</g>\n");
		double childX = x;
		for (Node child : node.children.values()) {
			double childWidth = width * child.bytes / node.bytes;
			draw(svg, child, childX, childWidth, y - ROW, total);
			childX += childWidth;
		}
	}

	private static String color(String name) {
		int h = name.hashCode();
		int r = 205 + Math.floorMod(h, 50);
		int g = 80 + Math.floorMod(h >> 8, 140);
		int b = 40 + Math.floorMod(h >> 16, 50);
		return String.format(java.util.Locale.ROOT, "rgb(%d,%d,%d)", r, g, b);
	}

	private static String human(long bytes) {
		if (bytes >= 1L << 30) {
			return String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
		}
		if (bytes >= 1L << 20) {
			return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
		}
		if (bytes >= 1L << 10) {
			return String.format(java.util.Locale.ROOT, "%.1f KiB", bytes / 1024.0);
		}
		return bytes + " B";
	}

	private static String escape(String s) {
		return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
	}

	private static final class Node {

		final String name;

		final Map<String, Node> children = new TreeMap<>();

		long bytes;

		Node(String name) {
			this.name = name;
		}

		int depth() {
			int max = 0;
			for (Node child : this.children.values()) {
				max = Math.max(max, child.depth());
			}
			return max + 1;
		}

	}

}
