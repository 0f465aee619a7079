package io.parcel.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StartupTrainingTest {
    private static final String CLASS = "io/parcel/cli/internal/StartupTraining.class";

    @TempDir
    Path directory;

    /** A jar holding this class's own bytes, plus a file that is not a class. */
    private Path jar(String name) throws IOException {
        Path jar = directory.resolve(name);
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file);
             InputStream bytes = StartupTraining.class.getClassLoader().getResourceAsStream(CLASS)) {
            out.putNextEntry(new JarEntry(CLASS));
            bytes.transferTo(out);
            out.putNextEntry(new JarEntry("io/parcel/cli/internal/readme.txt"));
            out.write("not a class".getBytes());
        }
        return jar;
    }

    @Test
    void loadsTheClassesOfParcelJarsThroughTheGivenLoader() throws Exception {
        Path jar = jar("parcel-sample-1.0.jar");
        // the platform loader as parent: the class can only come from the jar, through this loader
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            assertEquals(1, StartupTraining.loadParcelClasses(List.of(jar), loader));
            Class<?> loaded = Class.forName("io.parcel.cli.internal.StartupTraining", false, loader);
            assertSame(loader, loaded.getClassLoader());
        }
    }

    @Test
    void otherJarsAndMissingEntriesAreLeftAlone() throws Exception {
        Path other = jar("guava-31.0.jar");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {other.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            assertEquals(0, StartupTraining.loadParcelClasses(
                    List.of(other, directory.resolve("missing.jar"), directory.resolve("parcel-missing.jar")), loader));
        }
    }

    @Test
    void classDirectoriesCountToo() {
        // the test class path holds this module's classes as a directory
        Path classes = StartupTraining.systemClassPath().stream()
                .filter(entry -> Files.isRegularFile(entry.resolve(CLASS))).findFirst().orElseThrow();
        int linked = StartupTraining.loadParcelClasses(List.of(classes), StartupTraining.class.getClassLoader());
        assertTrue(linked > 50, "linked " + linked);
    }
}
