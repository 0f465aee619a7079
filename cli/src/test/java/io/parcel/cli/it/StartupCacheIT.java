package io.parcel.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.parcel.cli.dist.DistProcess;
import io.parcel.testsupport.RangeHttpServer;
import io.parcel.testsupport.TestData;

/**
 * The launcher's start-up cache on JDK 25+ (an AOT cache in {@code $XDG_CACHE_HOME/parcel}, here each test's own),
 * through the packaged {@code bin/parcel}: trained by a command that does work and not by {@code --version}, used by
 * the runs after it, ignored without a word when damaged or outdated, and never changing what a command prints or
 * the exit code it returns.
 */
class StartupCacheIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern SPECIFICATION_VERSION = Pattern.compile("java\\.specification\\.version = (\\d+)");
    private static final long SIZE = 1024 * 1024 + 7;
    private static final long SEED = 2501;

    @TempDir
    Path work;

    private RangeHttpServer server;

    /** The AOT cache needs JDK 25+; older runtimes get the dynamic archive, which this does not test. */
    @BeforeAll
    static void launcherRunsOnJdk25(@TempDir Path directory) {
        DistProcess.Result result = DistProcess.run(directory,
                Map.of("PARCEL_CDS", "0", "PARCEL_OPTS", "-XshowSettings:properties"), TIMEOUT, "--version");
        Matcher version = SPECIFICATION_VERSION.matcher(result.stderr());
        assertTrue(version.find(), "no java.specification.version in:\n" + result.describe());
        int major = Integer.parseInt(version.group(1));
        assumeTrue(major >= 25, "bin/parcel runs on Java " + major + " here; the AOT cache needs 25+");
    }

    @BeforeEach
    void startServer() throws IOException {
        server = RangeHttpServer.builder().generated("/small.bin", SEED, SIZE).start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void versionHelpAndPerfDoNotTrainTheCacheADownloadDoesAndTheRunsAfterItUseIt() throws IOException {
        for (String[] command : List.of(new String[] {"--version"}, new String[] {"plugins"},
                new String[] {"download", "--help"}, new String[] {"--debug", "--version"})) {
            DistProcess.Result result = parcel(command);
            assertEquals(0, result.exitCode(), result.describe());
            assertEquals(List.of(), cacheFiles(), "a cache file after " + String.join(" ", command));
        }
        // perf loads none of a download's pipeline: a cache trained by it made every later download start slower
        DistProcess.Result perf = parcel("perf", "server", "--transport", "tcp", "--listen", "127.0.0.1:0", "--once",
                "--accept-timeout", "1s");
        assertEquals(1, perf.exitCode(), perf.describe());
        assertEquals(List.of(), cacheFiles(), "a cache file after perf");

        // The training run: its standard output must stay machine-readable JSON, whatever the JVM has to say.
        DistProcess.Result training = download("--progress=json");
        assertEquals(0, training.exitCode(), training.describe());
        assertDownloaded();
        assertTrue(training.stdout().lines().allMatch(line -> line.startsWith("{")),
                "a line that is not JSON on standard output:\n" + training.describe());
        assertTrue(training.stderr().isEmpty(), training.describe());
        assertEquals(List.of(".aotconf", ".training"), cacheFileKinds(), "after the training run");

        // The next start assembles the cache, whatever its command, and prints no more than usual.
        DistProcess.Result version = parcel("--version");
        assertEquals(0, version.exitCode(), version.describe());
        assertTrue(version.stdout().matches("parcel \\S+\\R"), version.describe());
        assertTrue(version.stderr().isEmpty(), version.describe());
        assertEquals(List.of(".aot", ".verified"), cacheFileKinds(), "after the run that assembles the cache");

        // A download then maps the classes of the whole pipeline from the cache (the JVM's class-load log says so),
        // picocli's too: the distribution's picocli is compiled with stack maps, which the cache needs to link a class.
        Path classLog = work.resolve("class-load.log");
        Path initLog = work.resolve("class-init.log");
        DistProcess.Result cached = download(Map.of("PARCEL_OPTS", DistProcess.PARCEL_OPTS
                + " -Xlog:class+load=info:file=" + classLog + " -Xlog:class+init=info:file=" + initLog), "-q");
        assertEquals(0, cached.exitCode(), cached.describe());
        assertDownloaded();
        assertTrue(cached.output().isEmpty(), cached.describe());
        String log = Files.readString(classLog);
        for (String type : List.of("io.parcel.cli.Main", "io.parcel.kernel.internal.DownloadService",
                "io.parcel.source.http.HttpSourceFactory", "com.google.inject.Guice", "picocli.CommandLine")) {
            assertTrue(log.contains(type + " source: shared objects file"),
                    type + " was not loaded from the cache:\n" + linesNaming(log, type));
        }
        assertEquals(List.of(".aot", ".verified"), cacheFileKinds(), "the cache was replaced by a later run");
        // Guice generates no classes (Main turns that off): its bundled ASM is never loaded
        assertFalse(log.contains("com.google.inject.internal.asm."),
                "Guice generated classes:\n" + linesNaming(log, "com.google.inject.internal.asm."));
        // The kernel binds its plugin maps whole: Guice's MapBinder machinery costs every start (see KernelModule).
        // The cache loads the classes of every run it was trained on; initializing them is what a run pays for.
        String inits = Files.readString(initLog);
        assertTrue(inits.contains("io/parcel/kernel/internal/KernelModule"), "no class-init log:\n" + inits);
        assertFalse(inits.contains("com/google/inject/internal/RealMapBinder"),
                "the kernel used a MapBinder:\n" + linesNaming(inits, "com/google/inject/internal/RealMapBinder"));
    }

    /**
     * A serve runs for days and a training run holds its lock until it exits: a download beside a first serve used to
     * run without a cache for as long as the serve did. Long-running commands use the cache, never train it.
     */
    @Test
    void aRunningServeLeavesTheTrainingToADownloadBesideItAndThenUsesTheCache() throws InterruptedException {
        DistProcess first = DistProcess.start(work, ownCache(), "parcel-server", "--transport", "tcp", "--listen",
                "127.0.0.1:0", "--upstream", server.url("/").replaceAll("/$", ""), "--status-interval", "0");
        try {
            first.awaitListeningPort();
            assertEquals(List.of(), cacheFiles(), "a serve started training");
            DistProcess.Result training = download("-q");
            assertEquals(0, training.exitCode(), training.describe());
            assertEquals(List.of(".aotconf", ".training"), cacheFileKinds(), "the download beside the serve");
        } finally {
            first.terminate(TIMEOUT);
        }
        // The next serve assembles the cache from the download's record and runs on it.
        DistProcess second = DistProcess.start(work, ownCache(), "parcel-server", "--transport", "tcp", "--listen",
                "127.0.0.1:0", "--upstream", server.url("/").replaceAll("/$", ""), "--status-interval", "0");
        try {
            second.awaitListeningPort();
            assertEquals(List.of(".aot", ".verified"), cacheFileKinds(), "after the serve that assembled the cache");
        } finally {
            second.terminate(TIMEOUT);
        }
    }

    @Test
    void trainingRunsKeepTheirExitCodesAndAUsageErrorGivesItsTrainingUp() {
        DistProcess.Result usage = parcel("download", "--no-such-option", server.url("/x"));
        assertEquals(2, usage.exitCode(), usage.describe());
        assertEquals(usage.stderr().lines().count(), usage.stderr().lines()
                .filter(line -> line.startsWith("parcel: ") || line.startsWith("Possible solutions")
                        || line.startsWith("Try ")).count(), "more than parcel's message:\n" + usage.describe());
        assertFalse(cacheFileKinds().contains(".training"), "a usage error kept its training: " + cacheFiles());
        DistProcess.Result afterUsage = parcel("--version");
        assertEquals(0, afterUsage.exitCode(), afterUsage.describe());
        assertFalse(cacheFileKinds().contains(".aot"), "a cache made from a usage error: " + cacheFiles());

        // A failed download still loads the whole pipeline: its training is kept.
        DistProcess.Result failed = parcel("download", "-q", "--retries", "0",
                "-d", work.resolve("out").toString(), server.url("/missing.bin"));
        assertEquals(1, failed.exitCode(), failed.describe());
        assertEquals(failed.errorLines(), failed.stderr().lines().toList(),
                "more than parcel's message:\n" + failed.describe());
        assertTrue(failed.stdout().isEmpty(), failed.describe());
        assertEquals(List.of(".aotconf", ".training"), cacheFileKinds(), "after the failed training run");
        DistProcess.Result afterFailure = parcel("--version");
        assertEquals(0, afterFailure.exitCode(), afterFailure.describe());
        assertEquals(List.of(".aot", ".verified"), cacheFileKinds(), "after the run that assembles the cache");
    }

    @Test
    void aTrainingRunKilledWithoutARecordIsReplacedByTheNextWorkCommand() throws InterruptedException {
        DistProcess slow = DistProcess.start(work, ownCache(), "parcel", "download", "-q", "--limit-rate", "64K",
                "-d", work.resolve("slow").toString(), server.url("/small.bin"));
        try {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!cacheFileKinds().contains(".training") && slow.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(slow.isAlive(), "the slow download ended before the kill:\n" + slow.errors());
            assertTrue(cacheFileKinds().contains(".training"), "no training run: " + cacheFiles());
        } finally {
            slow.kill(); // SIGKILL: the JVM writes no record
        }

        DistProcess.Result next = download("-q");
        assertEquals(0, next.exitCode(), next.describe());
        assertTrue(next.output().isEmpty(), next.describe());
        assertEquals(List.of(".aotconf", ".training"), cacheFileKinds(), "the next work command did not train");
        assertEquals(0, parcel("--version").exitCode());
        assertEquals(List.of(".aot", ".verified"), cacheFileKinds(), "after the run that assembles the cache");
    }

    /**
     * Checking a cache's checksums reads the whole file at every start (15 ms for a download's). The run that makes a
     * cache marks it as checked; a cache that changed after that (here: written again, byte for byte) is checked
     * again at every start, so damage never goes unnoticed (see {@link #aDamagedCacheIsIgnoredWithoutAWord}).
     */
    @Test
    void aCacheIsCheckedOnlyWhenItChangedAfterItWasMade() throws IOException {
        train();
        assertFalse(checksCache(), "a cache unchanged since it was made was checked");

        Path cache = cacheFile(".aot");
        Files.write(cache, Files.readAllBytes(cache));
        assertTrue(checksCache(), "a cache written after it was made was not checked");
        assertEquals(List.of(".aot", ".verified"), cacheFileKinds(), "after the runs on it");
    }

    /** Whether {@code parcel --version} starts a JVM that checks the cache's checksums (-XX:+VerifySharedSpaces). */
    private boolean checksCache() {
        Map<String, String> environment = new HashMap<>(ownCache());
        environment.put("PARCEL_OPTS", DistProcess.PARCEL_OPTS + " -XX:+PrintFlagsFinal");
        DistProcess.Result version = DistProcess.run(work, environment, TIMEOUT, "--version");
        assertEquals(0, version.exitCode(), version.describe());
        List<String> flag = version.stdout().lines().filter(line -> line.contains(" VerifySharedSpaces ")).toList();
        assertEquals(1, flag.size(), version.describe());
        return flag.get(0).matches(".*VerifySharedSpaces\\s+=\\s+true.*");
    }

    @Test
    void aDamagedCacheIsIgnoredWithoutAWord() throws IOException {
        train();
        Path cache = cacheFile(".aot");
        byte[] original = Files.readAllBytes(cache);
        Random random = new Random(SEED);

        // Garbage in the middle, the header intact: without its checksums checked the JVM crashes on such a file.
        byte[] garbage = new byte[64 * 1024];
        random.nextBytes(garbage);
        try (RandomAccessFile file = new RandomAccessFile(cache.toFile(), "rw")) {
            file.seek(original.length / 2);
            file.write(garbage);
        }
        assertIgnoredSilently("garbage in the middle");

        Files.write(cache, original);
        try (RandomAccessFile file = new RandomAccessFile(cache.toFile(), "rw")) {
            file.setLength(original.length / 3);
        }
        assertIgnoredSilently("truncated");

        Files.write(cache, garbage);
        assertIgnoredSilently("no cache at all, only garbage");
    }

    @Test
    void aRebuiltInstallationStartsAFreshCache() throws IOException {
        Path home = copyOfTheDistribution();
        Path launcher = home.resolve("bin").resolve("parcel");
        assertEquals(0, run(launcher, "download", "-q", "--overwrite", "-d", work.resolve("out").toString(),
                server.url("/small.bin")).exitCode());
        assertEquals(0, run(launcher, "--version").exitCode());
        List<String> trained = cacheFiles();
        assertEquals(List.of(".aot", ".verified"), cacheFileKinds(), "after training");

        // A rebuilt jar has another date (and often size); the JVM would refuse the old cache, silently, for good.
        Path jar;
        try (Stream<Path> jars = Files.list(home.resolve("lib"))) {
            jar = jars.filter(path -> path.getFileName().toString().startsWith("parcel-cli-"))
                    .findFirst().orElseThrow();
        }
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 86_400_000L));

        assertEquals(0, run(launcher, "--version").exitCode());
        assertEquals(List.of(), cacheFiles(), "the cache of the jars before the rebuild is still there");
        assertEquals(0, run(launcher, "download", "-q", "--overwrite", "-d", work.resolve("out").toString(),
                server.url("/small.bin")).exitCode());
        assertEquals(List.of(".aotconf", ".training"), cacheFileKinds(), "no new training after the rebuild");
        assertFalse(cacheFiles().get(0).startsWith(trained.get(0).replace(".aot", ".")),
                "the same name for other jars: " + trained + " then " + cacheFiles());
    }

    /**
     * The training run also loads every class of Parcel's own jars, so that a cache trained by a TCP download serves
     * a UDT command as well (its classes would otherwise be read and verified from the jar at every start).
     */
    @Test
    void aCacheTrainedByADownloadAlsoHoldsTheClassesOfTheUdtTransport() throws IOException {
        train();
        Path classLog = work.resolve("class-load-udt.log");
        Map<String, String> environment = new HashMap<>(ownCache());
        environment.put("PARCEL_OPTS", DistProcess.PARCEL_OPTS + " -Xlog:class+load=info:file=" + classLog);
        // a UDT listener that nobody calls: it opens the transport's engine and gives up after a second
        DistProcess.Result perf = DistProcess.run(work, environment, TIMEOUT, "perf", "server", "--transport", "udt",
                "--listen", "127.0.0.1:0", "--once", "--accept-timeout", "1s");
        String log = Files.readString(classLog);
        String type = "io.parcel.transport.udt.internal.core.ListenerCore";
        assertTrue(log.contains(type + " "), type + " was not loaded at all:\n" + perf.describe());
        assertTrue(log.contains(type + " source: shared objects file"),
                type + " was not loaded from the cache:\n" + linesNaming(log, type) + "\n" + perf.describe());
    }

    @Test
    void parcelCdsZeroTurnsEveryCacheOff() {
        for (int run = 0; run < 2; run++) {
            DistProcess.Result result = download(Map.of("PARCEL_CDS", "0"), "-q");
            assertEquals(0, result.exitCode(), result.describe());
        }
        assertEquals(List.of(), cacheFiles());
    }

    private DistProcess.Result run(Path launcher, String... arguments) {
        DistProcess.Result result = DistProcess.startLauncher(work, ownCache(), launcher, arguments).await(TIMEOUT);
        assertTrue(result.stderr().isEmpty(), result.describe());
        return result;
    }

    /** bin, lib and plugins of the packaged distribution, copied into the test's directory. */
    private Path copyOfTheDistribution() throws IOException {
        Path source = DistProcess.bin("parcel").getParent().getParent();
        Path target = work.resolve("dist");
        try (Stream<Path> paths = Files.walk(source)) {
            for (Path path : paths.toList()) {
                Files.copy(path, target.resolve(source.relativize(path).toString()),
                        StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        return target;
    }

    private void train() {
        DistProcess.Result training = download("-q");
        assertEquals(0, training.exitCode(), training.describe());
        DistProcess.Result assembly = parcel("--version");
        assertEquals(0, assembly.exitCode(), assembly.describe());
        assertEquals(List.of(".aot", ".verified"), cacheFileKinds(), "after training");
    }

    private void assertIgnoredSilently(String damage) throws IOException {
        DistProcess.Result result = download("-q");
        assertEquals(0, result.exitCode(), damage + ":\n" + result.describe());
        assertTrue(result.output().isEmpty(), damage + ": the run said something:\n" + result.describe());
        assertDownloaded();
        try (Stream<Path> files = Files.list(work)) {
            assertEquals(List.of(), files.map(path -> path.getFileName().toString())
                    .filter(name -> name.startsWith("hs_err")).toList(), damage + ": the JVM crashed");
        }
    }

    /** {@code bin/parcel arguments...} with this test's own cache directory. */
    private DistProcess.Result parcel(String... arguments) {
        return DistProcess.run(work, ownCache(), TIMEOUT, arguments);
    }

    private Map<String, String> ownCache() {
        return Map.of("XDG_CACHE_HOME", work.resolve(".cache").toString());
    }

    private DistProcess.Result download(String... options) {
        return download(Map.of(), options);
    }

    private DistProcess.Result download(Map<String, String> environment, String... options) {
        List<String> arguments = new ArrayList<>(List.of("download", "--overwrite", "-d",
                work.resolve("out").toString()));
        arguments.addAll(List.of(options));
        arguments.add(server.url("/small.bin"));
        Map<String, String> all = new HashMap<>(environment);
        all.putAll(ownCache());
        return DistProcess.run(work, all, TIMEOUT, arguments.toArray(String[]::new));
    }

    private void assertDownloaded() throws IOException {
        assertEquals(TestData.sha256Hex(SEED, SIZE), TestData.sha256Hex(work.resolve("out").resolve("small.bin")));
    }

    /** The names of the files in this test's cache directory, sorted. */
    private List<String> cacheFiles() {
        Path directory = work.resolve(".cache").resolve("parcel");
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(path -> path.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the cache directory holds, by file extension: {@code .aot}, {@code .aotconf}, {@code .training}. */
    private List<String> cacheFileKinds() {
        return cacheFiles().stream().map(name -> name.substring(name.lastIndexOf('.'))).sorted().toList();
    }

    private Path cacheFile(String extension) {
        List<String> names = cacheFiles().stream().filter(name -> name.endsWith(extension)).toList();
        assertEquals(1, names.size(), "one " + extension + " file expected: " + cacheFiles());
        return work.resolve(".cache").resolve("parcel").resolve(names.get(0));
    }

    private static String linesNaming(String log, String type) {
        List<String> lines = log.lines().filter(line -> line.contains(type)).toList();
        return lines.isEmpty() ? "(not loaded at all)" : String.join("\n", lines);
    }
}
