package dev.catzilla.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import javax.xml.parsers.DocumentBuilderFactory;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/**
 * The profile's outputs: collapsed stacks, pprof (decoded back here), SVG flame graph.
 */
class ProfileFormatsTest {

	private static final List<ByteBuf> held = new ArrayList<>();

	private static AllocationProfiler.Snapshot snapshot;

	@BeforeAll
	static void profileTwoSites() {
		NativeTestSupport.requireNativeLibrary();
		JemallocByteBufAllocator allocator = JemallocByteBufAllocator.builder()
			.profiling(ProfilingOptions.defaults().withSampleInterval(1))
			.build();
		for (int i = 0; i < 3; i++) {
			held.add(readBuffers(allocator));
		}
		held.add(writeBuffers(allocator));
		snapshot = allocator.profiler().snapshot();
	}

	@AfterAll
	static void release() {
		held.forEach(ByteBuf::release);
	}

	private static ByteBuf readBuffers(JemallocByteBufAllocator allocator) {
		return allocator.newJemallocBuffer(1000, 1000);
	}

	private static ByteBuf writeBuffers(JemallocByteBufAllocator allocator) {
		return allocator.newJemallocBuffer(5000, 5000);
	}

	@Test
	void collapsedStacksHaveOneLinePerStackRootFirstWithItsBytes() {
		String collapsed = ProfileFormats.collapsed(snapshot, ProfileFormats.Value.LIVE);
		List<String> lines = collapsed.lines().toList();
		assertThat(lines).hasSize(2);
		String read = lines.stream().filter((l) -> l.contains(".readBuffers ")).findFirst().orElseThrow();
		assertThat(read).endsWith(ProfileFormatsTest.class.getName() + ".readBuffers 3000");
		assertThat(read.split(" ")[0].split(";")[0]).doesNotContain("readBuffers");
		assertThat(lines).anySatisfy((l) -> assertThat(l).endsWith(".writeBuffers 5000"));
	}

	@Test
	void pprofDecodesBackToTheSitesWithTheirValues() throws IOException {
		byte[] gz = ProfileFormats.pprof(snapshot);
		byte[] raw = new GZIPInputStream(new ByteArrayInputStream(gz)).readAllBytes();
		Map<Integer, List<Object>> profile = decode(raw);
		List<String> strings = new ArrayList<>();
		for (Object s : profile.get(6)) {
			strings.add(new String((byte[]) s, StandardCharsets.UTF_8));
		}
		assertThat(strings.get(0)).isEmpty();
		List<String> sampleTypes = new ArrayList<>();
		for (Object t : profile.get(1)) {
			sampleTypes.add(strings.get((int) (long) decode((byte[]) t).get(1).get(0)));
		}
		assertThat(sampleTypes).containsExactly("inuse_objects", "inuse_space", "alloc_objects", "alloc_space");
		assertThat(strings.get((int) (long) profile.get(14).get(0))).isEqualTo("inuse_space");
		assertThat(profile.get(12).get(0)).isEqualTo(1L);
		Map<Long, String> functionNames = new HashMap<>();
		for (Object f : profile.get(5)) {
			Map<Integer, List<Object>> function = decode((byte[]) f);
			functionNames.put((Long) function.get(1).get(0), strings.get((int) (long) function.get(2).get(0)));
		}
		Map<Long, Long> locationFunction = new HashMap<>();
		for (Object l : profile.get(4)) {
			Map<Integer, List<Object>> location = decode((byte[]) l);
			Map<Integer, List<Object>> line = decode((byte[]) location.get(4).get(0));
			locationFunction.put((Long) location.get(1).get(0), (Long) line.get(1).get(0));
		}
		Map<String, List<Long>> valuesByLeaf = new HashMap<>();
		for (Object s : profile.get(2)) {
			Map<Integer, List<Object>> sample = decode((byte[]) s);
			List<Long> locations = varints((byte[]) sample.get(1).get(0));
			List<Long> values = varints((byte[]) sample.get(2).get(0));
			String leaf = functionNames.get(locationFunction.get(locations.get(0)));
			assertThat(locations.size()).isGreaterThan(1);
			valuesByLeaf.put(leaf, values);
		}
		assertThat(valuesByLeaf.get(ProfileFormatsTest.class.getName() + ".readBuffers")).containsExactly(3L, 3000L, 3L,
				3000L);
		assertThat(valuesByLeaf.get(ProfileFormatsTest.class.getName() + ".writeBuffers")).containsExactly(1L, 5000L,
				1L, 5000L);
	}

	@Test
	void theSvgFlameGraphIsWellFormedAndNamesTheSites() throws Exception {
		String svg = ProfileFormats.svg(snapshot, ProfileFormats.Value.LIVE);
		Document doc = DocumentBuilderFactory.newInstance()
			.newDocumentBuilder()
			.parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
		assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
		assertThat(doc.getElementsByTagName("rect").getLength()).isGreaterThan(5);
		assertThat(svg).contains("ProfileFormatsTest.readBuffers (2.9 KiB, 37.50 %)")
			.contains("ProfileFormatsTest.writeBuffers (4.9 KiB, 62.50 %)")
			.doesNotContain("<script")
			.doesNotContain("href");
		Path out = Path.of("target", "profile-flamegraph-test.svg");
		Files.createDirectories(out.getParent());
		Files.writeString(out, svg);
	}

	/**
	 * Fields of one protobuf message: varints as Long, length-delimited ones as byte[].
	 */
	private static Map<Integer, List<Object>> decode(byte[] message) {
		Map<Integer, List<Object>> fields = new HashMap<>();
		int[] at = { 0 };
		while (at[0] < message.length) {
			long key = varint(message, at);
			int field = (int) (key >>> 3);
			int type = (int) (key & 7);
			Object value;
			if (type == 0) {
				value = varint(message, at);
			}
			else {
				assertThat(type).as("wire type of field %d", field).isEqualTo(2);
				int length = (int) varint(message, at);
				byte[] bytes = new byte[length];
				System.arraycopy(message, at[0], bytes, 0, length);
				at[0] += length;
				value = bytes;
			}
			fields.computeIfAbsent(field, (f) -> new ArrayList<>()).add(value);
		}
		return fields;
	}

	private static List<Long> varints(byte[] packed) {
		List<Long> values = new ArrayList<>();
		int[] at = { 0 };
		while (at[0] < packed.length) {
			values.add(varint(packed, at));
		}
		return values;
	}

	private static long varint(byte[] bytes, int[] at) {
		long value = 0;
		for (int shift = 0;; shift += 7) {
			byte b = bytes[at[0]++];
			value |= (long) (b & 0x7F) << shift;
			if ((b & 0x80) == 0) {
				return value;
			}
		}
	}

}
