package io.parcel.cli.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * What the run that trains the start-up cache (JDK 25+, see {@code bin/parcel}) does besides its command. The cache
 * holds only the classes its training run loaded and linked, so a cache trained by a TCP download left every class
 * of the UDT transport (40 of them in a {@code --via} download) to be read, verified and linked from its jar at each
 * later start. Loading and linking all of Parcel's own classes at the end of the training run puts them in the cache
 * whichever command came first (measured on loopback: a {@code --via} download of 1 kB, 20 runs each, median 505 ms
 * against 518 ms with the cache trained by a TCP download). The JDK classes only UDT uses stay outside (88 here):
 * only a run that uses UDT loads them.
 */
public final class StartupTraining {
    private static final String PACKAGE_PATH = "io/parcel/";
    private static final String CLASS_SUFFIX = ".class";

    private StartupTraining() {
    }

    /**
     * Loads and links, without initializing, every {@code io.parcel} class in the class path's Parcel jars
     * ({@code parcel-*.jar}) and class directories, through {@code loader}. A class that cannot be linked (a
     * dependency that is not there) is passed over: the cache then simply lacks it.
     *
     * @return how many classes were loaded and linked
     */
    public static int loadParcelClasses(List<Path> classPath, ClassLoader loader) {
        requireNonNull(classPath, "classPath is null");
        requireNonNull(loader, "loader is null");
        int linked = 0;
        for (Path entry : classPath) {
            for (String name : classNames(entry)) {
                try {
                    // Reflecting over the methods links the class (the JVM verifies it first) and runs no
                    // static initializer; the cache records only linked classes.
                    Class.forName(name, false, loader).getDeclaredMethods();
                    linked++;
                } catch (ClassNotFoundException | LinkageError e) {
                    // not in the cache then; the command that needs it loads it from the jar as before
                }
            }
        }
        return linked;
    }

    /** The class path of this JVM, as {@link #loadParcelClasses} takes it. */
    public static List<Path> systemClassPath() {
        List<Path> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path", "").split(java.io.File.pathSeparator)) {
            if (!entry.isEmpty()) {
                entries.add(Path.of(entry));
            }
        }
        return entries;
    }

    private static List<String> classNames(Path entry) {
        try {
            if (Files.isDirectory(entry)) {
                Path root = entry.resolve(PACKAGE_PATH);
                if (!Files.isDirectory(root)) {
                    return List.of();
                }
                try (Stream<Path> files = Files.walk(root)) {
                    return files.map(file -> entry.relativize(file).toString().replace(java.io.File.separatorChar, '/'))
                            .filter(StartupTraining::isClass)
                            .map(StartupTraining::className)
                            .toList();
                }
            }
            String file = entry.getFileName() == null ? "" : entry.getFileName().toString();
            if (!file.startsWith("parcel-") || !file.endsWith(".jar") || !Files.isRegularFile(entry)) {
                return List.of();
            }
            try (JarFile jar = new JarFile(entry.toFile())) {
                return jar.stream().map(JarEntry::getName).filter(StartupTraining::isClass)
                        .map(StartupTraining::className).toList();
            }
        } catch (IOException | UncheckedIOException e) {
            return List.of();
        }
    }

    private static boolean isClass(String path) {
        return path.startsWith(PACKAGE_PATH) && path.endsWith(CLASS_SUFFIX);
    }

    private static String className(String path) {
        return path.substring(0, path.length() - CLASS_SUFFIX.length()).replace('/', '.');
    }
}
