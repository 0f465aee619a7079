package io.parcel.kernel.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.parcel.kernel.Kernel;
import io.parcel.kernel.KernelConfig;
import io.parcel.kernel.PluginInfo;
import io.parcel.kernel.PluginKind;
import io.parcel.spi.Options;
import io.parcel.spi.Transport;
import io.parcel.spi.UsageException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Plugin discovery against real jars compiled and packed at test time. */
class PluginLoadingTest {
    private static final java.util.Set<String> REAL_PLUGINS = java.util.Set.of("tcp", "http");
    private static final String SPI = "import io.parcel.spi.*; import java.util.*; import java.net.*; import java.time.*;\n";

    private static final Map<String, String> SOURCES = Map.of(
            "good.GoodPlugin", "package good;\n" + SPI + """
                    public class GoodPlugin implements Plugin {
                        public List<SourceFactory> sources() {
                            return List.of(new SourceFactory() {
                                public String name() { return "good-source"; }
                                public String description() { return "good; guice " + (guiceVisible() ? "visible" : "hidden"); }
                                public Source create(Options o, Transport t, PluginContext c) { throw new UnsupportedOperationException(); }
                            });
                        }
                        public List<TransportFactory> transports() {
                            return List.of(new TransportFactory() {
                                public String name() { return "good-transport"; }
                                public Transport create(Options o, PluginContext c) {
                                    boolean own = Thread.currentThread().getContextClassLoader() == GoodPlugin.class.getClassLoader();
                                    return new Transport() {
                                        public String name() { return own ? "context-loader-ok" : "context-loader-wrong"; }
                                        public Socket connect(InetSocketAddress r, Duration t) { throw new UnsupportedOperationException(); }
                                        public ServerSocket listen(InetSocketAddress l, int b) { throw new UnsupportedOperationException(); }
                                        public void close() { }
                                    };
                                }
                            }, new TransportFactory() {
                                public String name() { return "good-unavailable"; }
                                public Optional<String> unavailabilityCause() { return Optional.of("needs libgood.so"); }
                                public Transport create(Options o, PluginContext c) { throw new AssertionError("unavailable"); }
                            });
                        }
                        static boolean guiceVisible() {
                            try { Class.forName("com.google.inject.Guice"); return true; } catch (ClassNotFoundException e) { return false; }
                        }
                    }
                    """,
            "throwing.ThrowingPlugin", "package throwing;\n" + SPI + """
                    public class ThrowingPlugin implements Plugin {
                        public ThrowingPlugin() { throw new IllegalStateException("no config here"); }
                    }
                    """,
            "missing.Gone", "package missing; public class Gone { }",
            "missing.MissingPlugin", "package missing;\n" + SPI + """
                    public class MissingPlugin implements Plugin {
                        private final Object gone = new Gone();
                    }
                    """,
            "dupcp.DupPlugin", "package dupcp;\n" + SPI + """
                    public class DupPlugin implements Plugin {
                        public List<TransportFactory> transports() {
                            return List.of(new TransportFactory() {
                                public String name() { return "classpath-probe"; }
                                public Transport create(Options o, PluginContext c) { throw new UnsupportedOperationException(); }
                            });
                        }
                    }
                    """,
            "pair.FirstPlugin", "package pair;\n" + SPI + """
                    public class FirstPlugin implements Plugin {
                        public List<SourceFactory> sources() {
                            return List.of(new SourceFactory() {
                                public String name() { return "first"; }
                                public Source create(Options o, Transport t, PluginContext c) { throw new UnsupportedOperationException(); }
                            });
                        }
                    }
                    """,
            "pair.SecondPlugin", "package pair;\n" + SPI + """
                    public class SecondPlugin implements Plugin {
                        public List<SinkFactory> sinks() {
                            return List.of(new SinkFactory() {
                                public String name() { return "second"; }
                                public Sink create(Options o, PluginContext c) { throw new UnsupportedOperationException(); }
                            });
                        }
                    }
                    """,
            "iso1.OnePlugin", isolatedPlugin("iso1", "OnePlugin", "iso-one"),
            "iso2.TwoPlugin", isolatedPlugin("iso2", "TwoPlugin", "iso-two"),
            "shared.Helper", helper("v1"));

    private static Path classes;
    private static Path helperV2;

    @TempDir
    static Path build;
    @TempDir
    Path root;

    private static String isolatedPlugin(String packageName, String className, String sourceName) {
        return "package " + packageName + ";\n" + SPI + "public class " + className + " implements Plugin {\n"
                + "  public List<SourceFactory> sources() {\n"
                + "    return List.of(new SourceFactory() {\n"
                + "      public String name() { return \"" + sourceName + "\"; }\n"
                + "      public String description() { return \"helper \" + shared.Helper.version(); }\n"
                + "      public Source create(Options o, Transport t, PluginContext c) { throw new UnsupportedOperationException(); }\n"
                + "    });\n"
                + "  }\n"
                + "}\n";
    }

    private static String helper(String version) {
        return "package shared; public class Helper { public static String version() { return \"" + version + "\"; } }";
    }

    @BeforeAll
    static void compilePlugins() throws IOException {
        classes = TestPluginJars.compile(build, SOURCES);
        helperV2 = TestPluginJars.compile(build, Map.of("shared.Helper", helper("v2")));
    }

    private Path pluginJar(String directory, String jarName, List<String> classNames, List<String> providers) throws IOException {
        return TestPluginJars.jar(root.resolve(directory).resolve(jarName), classes, classNames, providers, null);
    }

    private Kernel start(boolean useClassPath) throws UsageException {
        return Kernel.start(new KernelConfig(List.of(root, root.resolve("does-not-exist")), useClassPath, Clock.systemUTC()));
    }

    private UsageException startFails(boolean useClassPath) {
        return assertThrows(UsageException.class, () -> start(useClassPath).close());
    }

    @Test
    void goodPluginDirectoryIsLoadedWithItsVersionOriginAndOwnContextLoader() throws Exception {
        TestPluginJars.jar(root.resolve("good").resolve("good.jar"), classes, List.of("good.GoodPlugin"),
                List.of("good.GoodPlugin"), "1.2.3");
        Files.writeString(root.resolve("README.txt"), "files beside plugin directories are ignored");

        // Given relative to the working directory, as a launcher may: origins come out absolute, versions still found.
        Path relativeRoot = Path.of("").toAbsolutePath().relativize(root);
        try (Kernel kernel = Kernel.start(new KernelConfig(List.of(relativeRoot), false, Clock.systemUTC()))) {
            String origin = root.resolve("good").toString();
            assertEquals(List.of(
                    new PluginInfo("good-transport", PluginKind.TRANSPORT, "1.2.3", origin, "", Optional.empty()),
                    new PluginInfo("good-unavailable", PluginKind.TRANSPORT, "1.2.3", origin, "", Optional.of("needs libgood.so")),
                    new PluginInfo("good-source", PluginKind.SOURCE, "1.2.3", origin, "good; guice hidden", Optional.empty())),
                    kernel.plugins());
            try (Transport transport = kernel.openTransport("good-transport", Options.empty())) {
                assertEquals("context-loader-ok", transport.name());
            }
            UsageException unavailable = assertThrows(UsageException.class,
                    () -> kernel.openTransport("good-unavailable", Options.empty()));
            assertEquals("transport 'good-unavailable' is not available here: needs libgood.so", unavailable.getMessage());
            UsageException unknown = assertThrows(UsageException.class, () -> kernel.openTransport("udt", Options.empty()));
            assertEquals("unknown transport 'udt'; known transports: good-transport, good-unavailable", unknown.getMessage());
        }
    }

    @Test
    void classPathPluginsAreFoundWithTheirOrigin() throws Exception {
        try (Kernel kernel = Kernel.start(KernelConfig.classPathOnly())) {
            assertEquals(List.of(new PluginInfo(ClassPathProbePlugin.TRANSPORT, PluginKind.TRANSPORT, "unknown",
                    "class path", "found on the class path", Optional.empty())), testPlugins(kernel));
        }
    }

    @Test
    void twoPluginsInOneJarAreBothLoaded() throws Exception {
        pluginJar("pair", "pair.jar", List.of("pair.FirstPlugin", "pair.SecondPlugin"),
                List.of("pair.FirstPlugin", "pair.SecondPlugin"));

        try (Kernel kernel = start(false)) {
            assertEquals(List.of("first", "second"), kernel.plugins().stream().map(PluginInfo::name).toList());
            assertTrue(kernel.plugins().stream().allMatch(info -> info.origin().equals(root.resolve("pair").toString())));
        }
    }

    @Test
    void eachDirectoryHasItsOwnVersionOfASharedHelperClass() throws Exception {
        pluginJar("one", "one.jar", List.of("iso1.OnePlugin"), List.of("iso1.OnePlugin"));
        pluginJar("one", "helper.jar", List.of("shared.Helper"), List.of());
        pluginJar("two", "two.jar", List.of("iso2.TwoPlugin"), List.of("iso2.TwoPlugin"));
        TestPluginJars.jar(root.resolve("two").resolve("helper.jar"), helperV2, List.of("shared.Helper"), List.of(), null);

        try (Kernel kernel = start(true)) {
            Map<String, String> descriptions = new java.util.TreeMap<>();
            testPlugins(kernel).forEach(info -> descriptions.put(info.name(), info.description()));
            assertEquals(Map.of("iso-one", "helper v1", "iso-two", "helper v2",
                    ClassPathProbePlugin.TRANSPORT, "found on the class path"), descriptions);
        }
    }

    @Test
    void corruptJarIsNamed() throws Exception {
        pluginJar("good", "a-good.jar", List.of("good.GoodPlugin"), List.of("good.GoodPlugin"));
        Files.write(root.resolve("good").resolve("b-broken.jar"), new byte[] {'P', 'K', 3, 4, 1, 2, 3});

        UsageException error = startFails(false);
        assertTrue(error.getMessage().startsWith("plugin directory " + root.resolve("good") + ": jar b-broken.jar: not a readable jar"),
                error.getMessage());
    }

    @Test
    void pluginWhoseConstructorThrowsIsNamedWithTheCause() throws Exception {
        pluginJar("throwing", "throwing.jar", List.of("throwing.ThrowingPlugin"), List.of("throwing.ThrowingPlugin"));

        UsageException error = startFails(false);
        assertTrue(error.getMessage().startsWith("plugin directory " + root.resolve("throwing")
                + ": jar throwing.jar: class throwing.ThrowingPlugin: "), error.getMessage());
        assertTrue(error.getMessage().contains("IllegalStateException: no config here"), error.getMessage());
    }

    @Test
    void missingClassIsNamedWithItsJar() throws Exception {
        pluginJar("missing", "missing.jar", List.of("missing.MissingPlugin"), List.of("missing.MissingPlugin"));

        UsageException error = startFails(false);
        assertTrue(error.getMessage().startsWith("plugin directory " + root.resolve("missing") + ": jar missing.jar"),
                error.getMessage());
        assertTrue(error.getMessage().contains("NoClassDefFoundError: missing/Gone"), error.getMessage());
    }

    @Test
    void providerThatDoesNotExistIsNamedWithItsJar() throws Exception {
        pluginJar("typo", "typo.jar", List.of("pair.FirstPlugin"), List.of("pair.FirstPlugin", "pair.Nothing"));

        UsageException error = startFails(false);
        assertTrue(error.getMessage().startsWith("plugin directory " + root.resolve("typo") + ": jar typo.jar: "),
                error.getMessage());
        assertTrue(error.getMessage().contains("pair.Nothing not found"), error.getMessage());
    }

    @Test
    void directoryWithoutAPluginIsAnError() throws Exception {
        pluginJar("helpers-only", "helper.jar", List.of("shared.Helper"), List.of());
        Files.createDirectories(root.resolve("empty"));

        UsageException error = startFails(false);
        assertTrue(error.getMessage().startsWith("plugin directory " + root.resolve("empty") + ": no io.parcel.spi.Plugin provider"),
                error.getMessage());
        Files.delete(root.resolve("empty"));
        UsageException helpersOnly = startFails(false);
        assertTrue(helpersOnly.getMessage().startsWith("plugin directory " + root.resolve("helpers-only")
                + ": no io.parcel.spi.Plugin provider in its jars [helper.jar]"), helpersOnly.getMessage());
    }

    @Test
    void sameNameOnTheClassPathAndInADirectoryNamesBoth() throws Exception {
        pluginJar("dup", "dup.jar", List.of("dupcp.DupPlugin"), List.of("dupcp.DupPlugin"));

        UsageException error = startFails(true);
        assertTrue(error.getMessage().startsWith("two transport factories are named 'classpath-probe': one from class path"),
                error.getMessage());
        assertTrue(error.getMessage().contains("one from plugin directory " + root.resolve("dup") + ": jar dup.jar"),
                error.getMessage());
        try (Kernel withoutClassPath = start(false)) {
            assertEquals(List.of("classpath-probe"), withoutClassPath.plugins().stream().map(PluginInfo::name).toList());
        }
    }

    @Test
    void sameNameInTwoDirectoriesNamesBoth() throws Exception {
        pluginJar("a", "first.jar", List.of("pair.FirstPlugin"), List.of("pair.FirstPlugin"));
        pluginJar("b", "first-again.jar", List.of("pair.FirstPlugin"), List.of("pair.FirstPlugin"));

        UsageException error = startFails(false);
        assertTrue(error.getMessage().startsWith("two source factories are named 'first': one from plugin directory "
                + root.resolve("a") + ": jar first.jar"), error.getMessage());
        assertTrue(error.getMessage().contains("one from plugin directory " + root.resolve("b") + ": jar first-again.jar"),
                error.getMessage());
    }

    /**
     * The plugins a test made, without the real ones that are on this module's test class path as well (the relay
     * tests use the tcp transport and the http source).
     */
    private static List<PluginInfo> testPlugins(Kernel kernel) {
        return kernel.plugins().stream()
                .filter(info -> !(info.origin().equals("class path") && REAL_PLUGINS.contains(info.name())))
                .toList();
    }
}
