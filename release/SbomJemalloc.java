import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Adds jemalloc to a CycloneDX SBOM (XML) that cyclonedx-maven-plugin made: the Maven dependencies are listed by the
 * plugin, but jemalloc is compiled into catzilla-allocator-jni's native libraries from a source tarball, so Maven
 * does not know it. The version, tarball name and SHA-256 come from the pin in jemalloc.sh (their one home); the
 * component is recorded as a dependency of catzilla-allocator-jni. Run in the release profile (parent pom).
 *
 * <p>Usage: java SbomJemalloc.java &lt;bom.xml&gt; &lt;jemalloc.sh&gt;
 */
public class SbomJemalloc {

	private static final String ALLOCATOR = "pkg:maven/dev.catzilla/catzilla-allocator-jni@";

	public static void main(String[] args) throws Exception {
		if (args.length != 2) {
			throw new IllegalArgumentException("usage: SbomJemalloc <bom.xml> <jemalloc.sh>");
		}
		Path bom = Path.of(args[0]);
		String script = Files.readString(Path.of(args[1]));
		String version = pin(script, "JEMALLOC_VERSION");
		String tarball = pin(script, "JEMALLOC_TARBALL");
		String sha256 = pin(script, "JEMALLOC_SHA256");
		String purl = "pkg:generic/jemalloc@" + version;

		DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
		factory.setNamespaceAware(true);
		Document doc = factory.newDocumentBuilder().parse(bom.toFile());
		Element root = doc.getDocumentElement();
		String ns = root.getNamespaceURI();
		for (Element c : children(root, "components")) {
			for (Element e : children(c, "component")) {
				if (purl.equals(e.getAttribute("bom-ref"))) {
					System.out.println("catzilla: " + bom.getFileName() + " already lists " + purl);
					return;
				}
			}
		}
		Element components = first(root, "components");
		if (components == null) {
			components = doc.createElementNS(ns, "components");
			root.insertBefore(components, first(root, "dependencies"));
		}
		Element component = doc.createElementNS(ns, "component");
		component.setAttribute("type", "library");
		component.setAttribute("bom-ref", purl);
		add(doc, ns, component, "name", "jemalloc");
		add(doc, ns, component, "version", version);
		add(doc, ns, component, "description", "Statically linked into catzilla-allocator-jni's native libraries"
				+ " (META-INF/native), built from " + tarball + " (Debian's source package 'jemalloc').");
		Element hashes = add(doc, ns, component, "hashes", null);
		add(doc, ns, hashes, "hash", sha256).setAttribute("alg", "SHA-256");
		Element licenses = add(doc, ns, component, "licenses", null);
		Element license = add(doc, ns, licenses, "license", null);
		add(doc, ns, license, "id", "BSD-2-Clause");
		add(doc, ns, component, "purl", purl);
		Element refs = add(doc, ns, component, "externalReferences", null);
		Element website = add(doc, ns, refs, "reference", null);
		website.setAttribute("type", "website");
		add(doc, ns, website, "url", "https://jemalloc.net/");
		Element vcs = add(doc, ns, refs, "reference", null);
		vcs.setAttribute("type", "vcs");
		add(doc, ns, vcs, "url", "https://github.com/jemalloc/jemalloc/tree/" + version);
		components.appendChild(component);

		// jemalloc is a dependency of the allocator (the module itself, or the allocator among the dependencies).
		Element dependencies = first(root, "dependencies");
		boolean linked = false;
		if (dependencies != null) {
			for (Element d : children(dependencies, "dependency")) {
				if (d.getAttribute("ref").startsWith(ALLOCATOR)) {
					add(doc, ns, d, "dependency", null).setAttribute("ref", purl);
					linked = true;
				}
			}
			Element own = doc.createElementNS(ns, "dependency");
			own.setAttribute("ref", purl);
			dependencies.appendChild(own);
		}
		if (!linked) {
			throw new IllegalStateException(bom + ": no dependency entry for catzilla-allocator-jni to attach jemalloc to");
		}
		var transformer = TransformerFactory.newInstance().newTransformer();
		transformer.setOutputProperty(OutputKeys.INDENT, "yes");
		transformer.transform(new DOMSource(doc), new StreamResult(bom.toFile()));
		System.out.println("catzilla: " + bom.getFileName() + ": added jemalloc " + version + " (BSD-2-Clause, SHA-256 "
				+ sha256 + ")");
	}

	private static Element add(Document doc, String ns, Element parent, String name, String text) {
		Element e = doc.createElementNS(ns, name);
		if (text != null) {
			e.setTextContent(text);
		}
		parent.appendChild(e);
		return e;
	}

	private static Element first(Element parent, String name) {
		var list = children(parent, name);
		return list.isEmpty() ? null : list.get(0);
	}

	private static java.util.List<Element> children(Element parent, String name) {
		var result = new java.util.ArrayList<Element>();
		NodeList nodes = parent.getChildNodes();
		for (int i = 0; i < nodes.getLength(); i++) {
			Node n = nodes.item(i);
			if (n instanceof Element e && name.equals(e.getLocalName())) {
				result.add(e);
			}
		}
		return result;
	}

	private static String pin(String script, String name) {
		Matcher m = Pattern.compile("(?m)^" + name + "=(\\S+)$").matcher(script);
		if (!m.find()) {
			throw new IllegalStateException("no " + name + "= in jemalloc.sh");
		}
		return m.group(1);
	}
}
