import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Checks a staged Maven repository (mvn -Prelease deploy -DaltDeploymentRepository=staging::file:///dir) against
 * what Maven Central requires before it accepts a deployment: for every artifact a POM whose own or inherited
 * (parent, from the same staging) name, description, url, licenses, developers and scm are present, for every jar
 * its -sources and -javadoc jars, an .md5 and .sha1 next to every file that match it, and .asc signatures (all or,
 * without a signing key, none: then it says so and that Central will refuse the upload). The published jars' SBOMs
 * must list jemalloc with the SHA-256 pinned in jemalloc.sh. Run by the starter's build, after its deploy.
 *
 * <p>Usage: java CheckStagedRepository.java &lt;altDeploymentRepository&gt; &lt;groupId&gt; &lt;version&gt;
 * &lt;jemalloc.sh&gt; &lt;artifactId:packaging&gt;...
 */
public class CheckStagedRepository {

	private final List<String> problems = new ArrayList<>();
	private final List<Path> signable = new ArrayList<>();
	private Path repo;
	private String groupId;
	private String version;

	public static void main(String[] args) throws Exception {
		if (args.length < 5) {
			throw new IllegalArgumentException("usage: CheckStagedRepository <altDeploymentRepository> <groupId> <version>"
					+ " <jemalloc.sh> <artifactId:packaging>...");
		}
		Matcher alt = Pattern.compile("^[^:]+::(?:default::)?file:(?://)?(/.*)$").matcher(args[0]);
		if (!alt.matches()) {
			System.out.println("catzilla: staged-repository check skipped: -DaltDeploymentRepository is not a file: URL ("
					+ args[0] + "); see docs/release.md");
			return;
		}
		new CheckStagedRepository().run(Path.of(alt.group(1)), args);
	}

	private void run(Path repo, String[] args) throws Exception {
		this.repo = repo;
		this.groupId = args[1];
		this.version = args[2];
		String sha256 = pin(Files.readString(Path.of(args[3])), "JEMALLOC_SHA256");
		for (int i = 4; i < args.length; i++) {
			String[] a = args[i].split(":");
			checkArtifact(a[0], a[1], sha256);
		}
		long signatures = signable.stream().filter(f -> Files.exists(sig(f))).count();
		String signing;
		if (signatures == 0) {
			signing = "NOT SIGNED (no -Dgpg.keyname given, maven-gpg-plugin skipped): Central refuses unsigned files;"
					+ " sign with -Prelease -Dgpg.keyname=<key> (docs/release.md)";
		} else {
			for (Path f : signable) {
				if (!Files.exists(sig(f))) {
					problems.add("no signature " + repo.relativize(sig(f)));
				}
			}
			signing = "signed (" + signatures + " .asc)";
		}
		if (!problems.isEmpty()) {
			System.err.println("catzilla: the staged repository " + repo + " would not pass Maven Central's checks:");
			problems.forEach(p -> System.err.println("  - " + p));
			System.exit(1);
		}
		System.out.println("catzilla: staged repository " + repo + ": " + (args.length - 4) + " artifacts, "
				+ signable.size() + " files with POM metadata, classifiers and checksums as Central requires; " + signing
				+ (version.endsWith("-SNAPSHOT") ? "; version " + version + " is a SNAPSHOT, which Central only takes"
						+ " into its snapshot repository" : ""));
	}

	private void checkArtifact(String artifactId, String packaging, String jemallocSha256) throws Exception {
		Path dir = repo.resolve(groupId.replace('.', File.separatorChar)).resolve(artifactId).resolve(version);
		String base = baseName(dir, artifactId);
		if (base == null) {
			problems.add(artifactId + ": no POM in " + dir);
			return;
		}
		List<String> files = new ArrayList<>(List.of(base + ".pom", base + "-cyclonedx.xml"));
		if (packaging.equals("jar")) {
			files.addAll(List.of(base + ".jar", base + "-sources.jar", base + "-javadoc.jar"));
		}
		for (String name : files) {
			Path f = dir.resolve(name);
			if (!Files.isRegularFile(f)) {
				problems.add(artifactId + ": missing " + name);
				continue;
			}
			signable.add(f);
			checksum(f, "MD5", ".md5");
			checksum(f, "SHA-1", ".sha1");
		}
		checkPom(artifactId, dir.resolve(base + ".pom"));
		Path sbom = dir.resolve(base + "-cyclonedx.xml");
		if (packaging.equals("jar") && Files.isRegularFile(sbom)) {
			String text = Files.readString(sbom);
			if (!text.contains("<name>jemalloc</name>") || !text.contains(jemallocSha256)) {
				problems.add(artifactId + ": the SBOM does not list jemalloc with SHA-256 " + jemallocSha256);
			}
		}
	}

	/** The file name stem: artifactId-version, or for a snapshot the newest artifactId-x.y.z-timestamp-build. */
	private static String baseName(Path dir, String artifactId) throws Exception {
		if (!Files.isDirectory(dir)) {
			return null;
		}
		try (Stream<Path> s = Files.list(dir)) {
			return s.map(p -> p.getFileName().toString())
					.filter(n -> n.startsWith(artifactId + "-") && n.endsWith(".pom"))
					.map(n -> n.substring(0, n.length() - 4)).sorted().reduce((a, b) -> b).orElse(null);
		}
	}

	private void checksum(Path f, String algorithm, String suffix) throws Exception {
		Path sum = Path.of(f + suffix);
		if (!Files.isRegularFile(sum)) {
			problems.add("no checksum " + repo.relativize(sum));
			return;
		}
		String expected = HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(Files.readAllBytes(f)));
		String recorded = Files.readString(sum).trim().split("\\s+")[0].toLowerCase(Locale.ROOT);
		if (!recorded.equals(expected)) {
			problems.add(repo.relativize(sum) + " is " + recorded + ", the file's " + algorithm + " is " + expected);
		}
	}

	/** Central's required elements, in the POM itself or inherited from its parent chain (staged alongside). */
	private void checkPom(String artifactId, Path pom) throws Exception {
		List<Element> chain = new ArrayList<>();
		Path current = pom;
		while (current != null) {
			Element project = parse(current);
			chain.add(project);
			Element parent = child(project, "parent");
			current = null;
			if (parent != null) {
				String pg = text(parent, "groupId");
				String pa = text(parent, "artifactId");
				String pv = text(parent, "version");
				Path dir = repo.resolve(pg.replace('.', File.separatorChar)).resolve(pa).resolve(pv);
				String base = baseName(dir, pa);
				if (base == null) {
					problems.add(artifactId + ": parent " + pg + ":" + pa + ":" + pv + " is not in the staging repository");
				} else {
					current = dir.resolve(base + ".pom");
				}
			}
		}
		Element own = chain.get(0);
		for (String required : List.of("artifactId", "name", "description")) {
			if (text(own, required) == null) {
				problems.add(artifactId + ": the POM has no <" + required + ">");
			}
		}
		if (text(own, "groupId") == null && text(child(own, "parent"), "groupId") == null) {
			problems.add(artifactId + ": the POM has no <groupId>");
		}
		if (text(own, "version") == null && text(child(own, "parent"), "version") == null) {
			problems.add(artifactId + ": the POM has no <version>");
		}
		if (inherited(chain, "url") == null) {
			problems.add(artifactId + ": no <url> (own or inherited)");
		}
		Element licenses = inheritedElement(chain, "licenses");
		if (licenses == null || child(child(licenses, "license"), "name") == null) {
			problems.add(artifactId + ": no <licenses><license><name> (own or inherited)");
		}
		Element developers = inheritedElement(chain, "developers");
		if (developers == null || child(developers, "developer") == null
				|| text(child(developers, "developer"), "name") == null) {
			problems.add(artifactId + ": no <developers><developer><name> (own or inherited)");
		}
		Element scm = inheritedElement(chain, "scm");
		if (scm == null || text(scm, "url") == null || text(scm, "connection") == null) {
			problems.add(artifactId + ": no <scm> with <url> and <connection> (own or inherited)");
		}
	}

	private static String inherited(List<Element> chain, String name) {
		for (Element e : chain) {
			String t = text(e, name);
			if (t != null) {
				return t;
			}
		}
		return null;
	}

	private static Element inheritedElement(List<Element> chain, String name) {
		for (Element e : chain) {
			Element c = child(e, name);
			if (c != null) {
				return c;
			}
		}
		return null;
	}

	private static Element parse(Path pom) throws Exception {
		DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
		factory.setNamespaceAware(true);
		Document doc = factory.newDocumentBuilder().parse(pom.toFile());
		return doc.getDocumentElement();
	}

	private static Element child(Element parent, String name) {
		if (parent == null) {
			return null;
		}
		for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
			if (n instanceof Element e && name.equals(e.getLocalName())) {
				return e;
			}
		}
		return null;
	}

	private static String text(Element parent, String name) {
		Element c = child(parent, name);
		if (c == null || c.getTextContent().isBlank()) {
			return null;
		}
		return c.getTextContent().trim();
	}

	private static Path sig(Path f) {
		return Path.of(f + ".asc");
	}

	private static String pin(String script, String name) {
		Matcher m = Pattern.compile("(?m)^" + name + "=(\\S+)$").matcher(script);
		if (!m.find()) {
			throw new IllegalStateException("no " + name + "= in jemalloc.sh");
		}
		return m.group(1);
	}
}
