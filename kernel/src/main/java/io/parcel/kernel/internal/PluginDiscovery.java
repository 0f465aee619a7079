package io.parcel.kernel.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import io.parcel.spi.Plugin;
import io.parcel.spi.UsageException;

import static java.util.Objects.requireNonNull;

/**
 * Finds plugins: with {@link ServiceLoader} on the class path, and in every sub-directory of the plugin directories,
 * one {@link PluginClassLoader} per sub-directory. Every failure is a {@link UsageException} that names the directory,
 * the jar and the cause.
 */
final class PluginDiscovery {
    static final String CLASS_PATH_ORIGIN = "class path";
    static final String UNKNOWN_VERSION = "unknown";

    private static final System.Logger LOG = System.getLogger(PluginDiscovery.class.getName());
    private static final String SERVICE_FILE = "META-INF/services/" + Plugin.class.getName();

    private final ClassLoader hostLoader;

    /** @param hostLoader the loader the kernel and the SPI live in; the class path plugins are found through it */
    PluginDiscovery(ClassLoader hostLoader) {
        this.hostLoader = requireNonNull(hostLoader, "hostLoader is null");
    }

    /** Plugins found, and the class loaders that the caller now owns (and closes after the plugins are done). */
    record Found(List<LoadedPlugin> plugins, List<PluginClassLoader> loaders) {
        Found {
            plugins = List.copyOf(plugins);
            loaders = List.copyOf(loaders);
        }
    }

    Found discover(boolean useClassPath, List<Path> pluginDirectories) throws UsageException {
        List<LoadedPlugin> plugins = new ArrayList<>();
        List<PluginClassLoader> loaders = new ArrayList<>();
        try {
            if (useClassPath) {
                plugins.addAll(loadClassPath());
            }
            for (Path configured : pluginDirectories) {
                // Absolute, so origins say exactly where, and jar paths match the class loaders' code sources.
                Path directory = configured.toAbsolutePath().normalize();
                if (!Files.isDirectory(directory)) {
                    continue;
                }
                for (Path pluginDirectory : sortedChildren(directory, Files::isDirectory)) {
                    PluginClassLoader loader = newLoader(pluginDirectory, loaders);
                    plugins.addAll(loadDirectory(pluginDirectory, loader));
                }
            }
            return new Found(plugins, loaders);
        } catch (UsageException | RuntimeException | Error e) {
            loaders.forEach(StopSignal::closeQuietly);
            throw e;
        }
    }

    private List<LoadedPlugin> loadClassPath() throws UsageException {
        List<LoadedPlugin> result = new ArrayList<>();
        Iterator<ServiceLoader.Provider<Plugin>> providers = ServiceLoader.load(Plugin.class, hostLoader).stream().iterator();
        while (true) {
            ServiceLoader.Provider<Plugin> provider;
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(hostLoader)) {
                if (!providers.hasNext()) {
                    break;
                }
                provider = providers.next();
            } catch (ServiceConfigurationError | LinkageError e) {
                throw new UsageException(CLASS_PATH_ORIGIN + ": " + Errors.describe(e), e);
            }
            Optional<Path> jar = jarOf(provider.type());
            String evidence = CLASS_PATH_ORIGIN + jar.map(path -> ": jar " + path).orElse("")
                    + ": class " + provider.type().getName();
            Plugin plugin;
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(hostLoader)) {
                plugin = provider.get();
            } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                throw new UsageException(evidence + ": " + Errors.describe(e), e);
            }
            result.add(new LoadedPlugin(plugin, hostLoader, CLASS_PATH_ORIGIN, jar.map(PluginDiscovery::versionOf)
                    .orElse(UNKNOWN_VERSION), evidence));
        }
        return result;
    }

    private PluginClassLoader newLoader(Path pluginDirectory, List<PluginClassLoader> loaders) throws UsageException {
        List<URL> urls = new ArrayList<>();
        for (Path jar : jarsOf(pluginDirectory)) {
            try {
                urls.add(jar.toUri().toURL());
            } catch (IOException e) {
                throw new UsageException("plugin directory " + pluginDirectory + ": jar " + jar.getFileName() + ": " + Errors.describe(e), e);
            }
        }
        PluginClassLoader loader = new PluginClassLoader("plugin " + pluginDirectory.getFileName(), urls, hostLoader);
        loaders.add(loader);
        return loader;
    }

    private List<LoadedPlugin> loadDirectory(Path pluginDirectory, PluginClassLoader loader) throws UsageException {
        String where = "plugin directory " + pluginDirectory;
        List<Path> jars = jarsOf(pluginDirectory);
        // Reading each jar first names a corrupt one precisely, and tells which jar lists which provider, so a
        // ServiceConfigurationError (which names only the class) can be traced back to its jar.
        Map<String, Path> providerJars = new LinkedHashMap<>();
        Map<Path, String> versions = new LinkedHashMap<>();
        for (Path jar : jars) {
            try (JarFile jarFile = new JarFile(jar.toFile())) {
                versions.put(jar, versionOf(jarFile));
                JarEntry services = jarFile.getJarEntry(SERVICE_FILE);
                if (services != null) {
                    for (String provider : readProviderNames(jarFile, services)) {
                        providerJars.putIfAbsent(provider, jar);
                    }
                }
            } catch (IOException | RuntimeException e) {
                throw new UsageException(where + ": jar " + jar.getFileName() + ": not a readable jar: " + Errors.describe(e), e);
            }
        }
        if (providerJars.isEmpty()) {
            throw new UsageException(where + ": no " + Plugin.class.getName() + " provider in "
                    + (jars.isEmpty() ? "it (no jars)" : "its jars " + fileNames(jars))
                    + "; a plugin jar lists its Plugin class in " + SERVICE_FILE);
        }

        List<LoadedPlugin> result = new ArrayList<>();
        Iterator<ServiceLoader.Provider<Plugin>> providers = ServiceLoader.load(Plugin.class, loader).stream().iterator();
        while (true) {
            ServiceLoader.Provider<Plugin> provider;
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loader)) {
                if (!providers.hasNext()) {
                    break;
                }
                provider = providers.next();
            } catch (ServiceConfigurationError | LinkageError e) {
                throw new UsageException(where + jarNamedIn(e, providerJars) + ": " + Errors.describe(e), e);
            }
            // The loader sees only its own jars for services, but a provider named there could still resolve to a
            // class of another loader; such a provider is not this directory's.
            if (provider.type().getClassLoader() != loader) {
                continue;
            }
            Path jar = jarOf(provider.type()).orElse(providerJars.get(provider.type().getName()));
            String evidence = where + (jar == null ? "" : ": jar " + jar.getFileName()) + ": class " + provider.type().getName();
            Plugin plugin;
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.to(loader)) {
                plugin = provider.get();
            } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                throw new UsageException(evidence + ": " + Errors.describe(e), e);
            }
            String version = jar == null ? UNKNOWN_VERSION : versions.getOrDefault(jar, UNKNOWN_VERSION);
            result.add(new LoadedPlugin(plugin, loader, pluginDirectory.toString(), version, evidence));
        }
        if (result.isEmpty()) {
            throw new UsageException(where + ": no " + Plugin.class.getName() + " provider of its own in its jars "
                    + fileNames(jars));
        }
        LOG.log(System.Logger.Level.INFO, "{0}: loaded {1} from {2}", where,
                result.stream().map(loaded -> loaded.plugin().getClass().getName() + " (version " + loaded.version() + ")")
                        .toList(),
                fileNames(jars));
        return result;
    }

    /** " jar X" when the error names a provider listed by exactly one known jar, else "". */
    private static String jarNamedIn(Throwable error, Map<String, Path> providerJars) {
        String best = null;
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            String message = String.valueOf(cause.getMessage());
            for (String provider : providerJars.keySet()) {
                if (message.contains(provider) && (best == null || provider.length() > best.length())) {
                    best = provider;
                }
            }
        }
        return best == null ? "" : ": jar " + providerJars.get(best).getFileName();
    }

    private static List<String> readProviderNames(JarFile jarFile, JarEntry services) throws IOException {
        List<String> names = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(jarFile.getInputStream(services), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                int comment = line.indexOf('#');
                String name = (comment >= 0 ? line.substring(0, comment) : line).trim();
                if (!name.isEmpty()) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    private static List<Path> jarsOf(Path pluginDirectory) throws UsageException {
        return sortedChildren(pluginDirectory, path -> Files.isRegularFile(path) && path.getFileName().toString().endsWith(".jar"));
    }

    private static List<Path> sortedChildren(Path directory, java.util.function.Predicate<Path> filter) throws UsageException {
        try (Stream<Path> children = Files.list(directory)) {
            return children.filter(filter).sorted().toList();
        } catch (IOException e) {
            throw new UsageException("plugin directory " + directory + ": cannot list: " + Errors.describe(e), e);
        }
    }

    private static List<String> fileNames(List<Path> paths) {
        return paths.stream().map(path -> path.getFileName().toString()).toList();
    }

    /** The jar a class was loaded from, when it came from a jar. */
    static Optional<Path> jarOf(Class<?> type) {
        CodeSource codeSource = type.getProtectionDomain().getCodeSource();
        if (codeSource == null || codeSource.getLocation() == null) {
            return Optional.empty();
        }
        try {
            Path path = Path.of(codeSource.getLocation().toURI());
            return path.getFileName() != null && path.getFileName().toString().endsWith(".jar") ? Optional.of(path) : Optional.empty();
        } catch (URISyntaxException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return Optional.empty();
        }
    }

    private static String versionOf(Path jar) {
        try (JarFile jarFile = new JarFile(jar.toFile())) {
            return versionOf(jarFile);
        } catch (IOException e) {
            return UNKNOWN_VERSION;
        }
    }

    private static String versionOf(JarFile jarFile) throws IOException {
        Manifest manifest = jarFile.getManifest();
        String version = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.IMPLEMENTATION_VERSION);
        return version == null || version.isBlank() ? UNKNOWN_VERSION : version.trim();
    }
}
