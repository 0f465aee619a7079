package io.parcel.kernel.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;

import io.parcel.spi.Plugin;

/**
 * Builds real plugin jars at test time: compiles Java sources against the SPI jar with the JDK's compiler, and packs
 * chosen classes, a services file and a manifest into a jar.
 */
final class TestPluginJars {
    private TestPluginJars() {
    }

    /** Compiles {@code sources} (class name to code) into a new directory under {@code workDirectory}. */
    static Path compile(Path workDirectory, Map<String, String> sources) throws IOException {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new IllegalStateException("tests need a JDK (javax.tools compiler), not a JRE");
        }
        Path output = Files.createTempDirectory(workDirectory, "classes");
        List<JavaFileObject> units = new ArrayList<>();
        sources.forEach((className, code) -> units.add(new Source(className, code)));
        StringWriter diagnostics = new StringWriter();
        boolean ok = compiler.getTask(diagnostics, null, null,
                List.of("--release", "21", "-proc:none", "-classpath", spiLocation().toString(), "-d", output.toString()),
                null, units).call();
        if (!ok) {
            throw new IllegalStateException("test plugin sources do not compile:\n" + diagnostics);
        }
        return output;
    }

    /**
     * Packs into {@code jar} the classes named (with their nested classes) from {@code classes}, a services file
     * listing {@code providers} (none: no services file), and {@code version} as Implementation-Version (null: none).
     */
    static Path jar(Path jar, Path classes, List<String> classNames, List<String> providers, String version) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (version != null) {
            manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, version);
        }
        Files.createDirectories(jar.getParent());
        try (OutputStream file = Files.newOutputStream(jar);
             JarOutputStream out = new JarOutputStream(file, manifest);
             Stream<Path> walk = Files.walk(classes)) {
            for (Path classFile : walk.filter(Files::isRegularFile).sorted().toList()) {
                String entry = classes.relativize(classFile).toString().replace('\\', '/');
                if (classNames.stream().map(name -> name.replace('.', '/'))
                        .anyMatch(name -> entry.equals(name + ".class") || entry.startsWith(name + "$"))) {
                    out.putNextEntry(new JarEntry(entry));
                    out.write(Files.readAllBytes(classFile));
                    out.closeEntry();
                }
            }
            if (!providers.isEmpty()) {
                out.putNextEntry(new JarEntry("META-INF/services/" + Plugin.class.getName()));
                out.write(("# test plugins\n" + String.join("\n", providers) + "\n").getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return jar;
    }

    /** The SPI's jar (or classes directory) as the tests see it. */
    static Path spiLocation() {
        try {
            return Path.of(Plugin.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class Source extends SimpleJavaFileObject {
        private final String code;

        Source(String className, String code) {
            super(URI.create("string:///" + className.replace('.', '/') + Kind.SOURCE.extension), Kind.SOURCE);
            this.code = code;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return code;
        }
    }
}
