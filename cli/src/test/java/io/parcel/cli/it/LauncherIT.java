package io.parcel.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.parcel.cli.dist.DistProcess;

/** How {@code bin/parcel} finds its installation (from any directory, through symlinks) and a Java 21+ runtime. */
class LauncherIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path work;

    @Test
    void aJavaHomeOfJava21OrNewerIsTheRuntimeItStarts() throws IOException {
        VersionRun run = versionWithFakeJavaHome("25.0.1");

        List<String> started = run.fakeJavaArguments().orElseThrow(
                () -> new AssertionError("the launcher did not start the JAVA_HOME of Java 25:\n" + run.describe()));
        assertTrue(started.contains("io.parcel.cli.Main") && started.contains("--version"), started.toString());
        // The start-up options that are not a matter of taste: a bounded heap, and reflection without spun classes.
        assertTrue(started.containsAll(List.of("-Xmx256m", "-Djdk.reflect.useNativeAccessorOnly=true")),
                started.toString());
    }

    /**
     * Every start runs the launcher, so it reads release files and cuts paths with the shell's own commands: each
     * program it starts costs about a millisecond. With JAVA_HOME set, an empty PATH leaves it nothing to start, and a
     * release file whose last line has no newline is still read.
     */
    @Test
    void findsAJavaHomeWithTheShellsOwnCommandsAlone() throws IOException {
        Path arguments = work.resolve("fake-java-arguments");
        Path home = fakeJavaHome("fake-21", "21.0.2", arguments);
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"21.0.2\"");
        Path emptyPath = Files.createDirectories(work.resolve("empty-path"));

        DistProcess.Result result = DistProcess.run(work,
                Map.of("JAVA_HOME", home.toString(), "PATH", emptyPath.toString(), "PARCEL_CDS", "0"), TIMEOUT,
                "--version");

        assertEquals(0, result.exitCode(), result.describe());
        assertTrue(Files.exists(arguments), "the launcher did not start the JAVA_HOME of Java 21:\n" + result.describe());
        assertTrue(Files.readAllLines(arguments).contains("io.parcel.cli.Main"));
    }

    @Test
    void aJavaHomeOlderThan21IsPassedOverForTheJavaOnThePath() throws IOException {
        VersionRun run = versionWithFakeJavaHome("17.0.2");

        assertEquals(Optional.empty(), run.fakeJavaArguments(), "the launcher started a Java 17");
        assertTrue(run.result().stdout().contains("parcel"), run.describe());
    }

    @Test
    void startsThroughARelativeSymlinkFromAnyDirectory() throws IOException {
        Path links = Files.createDirectories(work.resolve("links"));
        Path target = links.relativize(DistProcess.bin("parcel"));
        Path link = Files.createSymbolicLink(links.resolve("my-parcel"), target);
        Path elsewhere = Files.createDirectories(work.resolve("elsewhere"));

        DistProcess.Result result = DistProcess.startLauncher(elsewhere, Map.of(), link, "--version").await(TIMEOUT);

        assertEquals(0, result.exitCode(), result.describe());
        assertTrue(result.stdout().contains("parcel"), result.describe());
    }

    /** What {@code parcel --version} did with JAVA_HOME at a fake Java home of {@code version}. */
    private record VersionRun(DistProcess.Result result, Optional<List<String>> fakeJavaArguments) {
        String describe() {
            return result.describe();
        }
    }

    private VersionRun versionWithFakeJavaHome(String version) throws IOException {
        Path arguments = work.resolve("fake-java-arguments");
        Path home = fakeJavaHome("fake-" + version, version, arguments);
        DistProcess.Result result = DistProcess.run(work, environment(home), TIMEOUT, "--version");
        assertEquals(0, result.exitCode(), result.describe());
        return new VersionRun(result,
                Files.exists(arguments) ? Optional.of(Files.readAllLines(arguments)) : Optional.empty());
    }

    /** The usual environment with JAVA_HOME at {@code home}, and this JVM's runtime first on the PATH. */
    private static Map<String, String> environment(Path home) {
        String path = Path.of(System.getProperty("java.home"), "bin") + File.pathSeparator + System.getenv("PATH");
        return Map.of("JAVA_HOME", home.toString(), "PATH", path, "PARCEL_CDS", "0");
    }

    /** A Java home whose release file says {@code version} and whose java only writes its arguments down. */
    private Path fakeJavaHome(String name, String version, Path arguments) throws IOException {
        Path home = Files.createDirectories(work.resolve(name));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version + "\"\n"
                + "JAVA_VERSION_DATE=\"2026-01-01\"\n");
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done >'" + arguments + "'\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home;
    }
}
